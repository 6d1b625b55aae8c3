//! Variable bindings of a batch or session.

use std::collections::HashMap;

use super::node::NodeId;
use crate::error::Error;

/// What a variable name refers to.
#[derive(Clone, Debug)]
pub enum Binding {
    /// The node of its defining expression.
    Node(NodeId),
    /// Its defining statement failed before it had a node (e.g. a syntax
    /// error); using it reports that error.
    Failed(Error),
}

/// Names bound so far; later bindings shadow earlier ones.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    vars: HashMap<Box<str>, Binding>,
    funcs: HashMap<Box<str>, std::sync::Arc<super::func::FuncDef>>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Scope {
        Scope::default()
    }

    /// Whether nothing is bound or defined.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty() && self.funcs.is_empty()
    }

    /// Binds `name`, replacing any earlier binding.
    pub fn bind(&mut self, name: &str, binding: Binding) {
        self.vars.insert(name.into(), binding);
    }

    /// Removes the binding of `name`, if any.
    pub fn unbind(&mut self, name: &str) {
        self.vars.remove(name);
    }

    /// The binding of `name`, if any.
    pub fn get(&self, name: &str) -> Option<&Binding> {
        self.vars.get(name)
    }

    /// Removes user function `name`, if it is defined.
    pub fn undefine(&mut self, name: &str) {
        self.funcs.remove(name);
    }

    /// The nodes variables are bound to, to change (e.g. when a DAG is
    /// compacted and its nodes get new ids).
    pub fn nodes_mut(&mut self) -> impl Iterator<Item = &mut NodeId> {
        self.vars.values_mut().filter_map(|binding| match binding {
            Binding::Node(node) => Some(node),
            Binding::Failed(_) => None,
        })
    }

    /// The nodes variables are bound to.
    pub fn bound_nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.vars.values().filter_map(|binding| match binding {
            Binding::Node(node) => Some(*node),
            Binding::Failed(_) => None,
        })
    }

    /// Defines (or redefines) user function `def`.
    pub fn define(&mut self, def: std::sync::Arc<super::func::FuncDef>) {
        self.funcs.insert(def.name.clone(), def);
    }

    /// The user function `name`, if one is defined.
    pub fn function(&self, name: &str) -> Option<&std::sync::Arc<super::func::FuncDef>> {
        self.funcs.get(name)
    }

    /// All user functions, sorted by name.
    pub fn functions(&self) -> Vec<&std::sync::Arc<super::func::FuncDef>> {
        let mut funcs: Vec<_> = self.funcs.values().collect();
        funcs.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        funcs
    }

    /// How many variables are bound.
    pub fn variable_count(&self) -> usize {
        self.vars.len()
    }

    /// All bound names, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.vars.keys().map(|k| &**k).collect();
        names.sort_unstable();
        names
    }
}
