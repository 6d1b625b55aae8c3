//! The pest parser generated from `grammar/exprflow.pest`.

#![allow(missing_docs)]

/// The generated parser; see the grammar file for the rules.
#[derive(pest_derive::Parser)]
#[grammar = "grammar/exprflow.pest"]
pub struct ExprParser;
