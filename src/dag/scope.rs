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
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Scope {
        Scope::default()
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

    /// All bound names, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.vars.keys().map(|k| &**k).collect();
        names.sort_unstable();
        names
    }
}
