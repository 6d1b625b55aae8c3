//! exprflow: arithmetic as a DAG of futures.
//!
//! Text flows one way: [`syntax`] (pest → AST with spans) → [`dag`]
//! (hash-consed graph) → [`eval`](mod@eval) (sequential reference and parallel
//! futures) → [`value`] (the exact numeric tower). [`Session`] and
//! [`Batch`] tie them together for statements with variables.
//!
//! ```
//! assert_eq!(exprflow::eval("(3+7)*(2+8)*((2*3)-1)").unwrap().to_string(), "500");
//! assert_eq!(exprflow::eval("1/3 + 1/6").unwrap().to_string(), "0.5");
//! ```

#![warn(missing_docs)]

pub mod batch;
pub mod dag;
pub mod error;
pub mod eval;
mod formula;
mod handle;
pub mod host;
mod model;
pub mod report;
pub mod session;
pub mod syntax;
pub mod value;
mod wait;

pub use batch::{Batch, BatchLine, BatchOptions};
pub use error::{CallChain, Error, ErrorKind, Span};
pub use eval::{Engine, ExprFuture};
pub use eval::{Lane, NodeEvent, NodeEvents, SubmitOptions};
pub use formula::Formula;
pub use handle::{Evaluator, Finished, GRACE, Progress, RunHandle, RunOptions, Step, Stopped};
pub use model::{Model, Recompute};
pub use session::Session;
pub use value::Value;
pub use wait::{AsCompleted, Return, as_completed, wait};

/// Evaluates one expression sequentially, with default limits.
///
/// ```
/// assert_eq!(exprflow::eval("2^3^2").unwrap().to_string(), "512");
/// assert_eq!(exprflow::eval("1/0").unwrap_err().kind, exprflow::ErrorKind::DivisionByZero);
/// ```
pub fn eval(text: &str) -> Result<Value, Error> {
    let limits = eval::EvalLimits::default();
    let (dag, root) = eval::single_expression(text, limits.value)?;
    eval::evaluate_sequential(&dag, root, &limits, &eval::CancelToken::new(), &mut |_| {})
}

/// The README's code, compiled and run as a doctest so it cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
