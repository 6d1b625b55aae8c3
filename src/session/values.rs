//! A session's names as values: binding a [`Value`] without text, reading
//! the value a name has now, and forgetting names.

use super::Session;
use crate::dag::{Binding, Dag, NodeId};
use crate::error::{Error, ErrorKind, Span};
use crate::value::Value;

impl Session {
    /// Binds `name` to `value`, as the statement `name = <value>` would:
    /// later statements see it (`x * 2`), [`Session::get`] gives it back,
    /// and a float stays a float (no text goes between, so nothing is
    /// rounded or made exact). Equal values share one node of the DAG.
    ///
    /// Fails with `syntax error` when `name` is not an identifier of the
    /// language (`[A-Za-z_][A-Za-z0-9_]*`; the span covers the name), and
    /// with `result too large` when the value has more bits than the
    /// session's limit or the DAG is full; then nothing is bound.
    ///
    /// ```
    /// use exprflow::Value;
    /// let mut session = exprflow::Engine::with_workers(1).unwrap().session();
    /// session.set("x", Value::from(5)).unwrap();
    /// session.set("half", Value::try_from(0.5).unwrap()).unwrap();
    /// assert_eq!(session.eval("x * half").unwrap(), Some(Value::Float(2.5)));
    /// assert_eq!(session.get("x"), Some(Value::from(5)));
    /// assert!(session.set("2x", Value::from(1)).is_err());
    /// ```
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> Result<(), Error> {
        let value = value.into();
        if !crate::syntax::is_identifier(name) {
            return Err(Error::with_detail(
                ErrorKind::Syntax,
                Span::new(0, name.len()),
                format!("{name:?} is not a name (a letter or `_`, then letters, digits or `_`)"),
            ));
        }
        let at = Span::new(self.source.len(), self.source.len());
        let max_bits = self.dag.limits().value.max_bits;
        if value.bits() > max_bits {
            return Err(Error::with_detail(
                ErrorKind::TooLarge,
                at,
                format!("`{name}` would hold a value of more than {max_bits} bits"),
            ));
        }
        self.collect_if_worth_it();
        let node = super::writable(&mut self.dag).constant(value, at)?;
        self.scope.bind(name, Binding::Node(node));
        Ok(())
    }

    /// The value `name` is bound to now, or `None` when it is unbound.
    ///
    /// Failed statements bind nothing, so a name always has the value of
    /// its last assignment that succeeded. An assignment still running
    /// (from [`Session::submit`], not yet settled) has not happened yet:
    /// until it is settled, `get` gives the name's earlier value, as
    /// Python would during `x = slow()`.
    ///
    /// ```
    /// let mut session = exprflow::Session::new();
    /// assert_eq!(session.get("x"), None);
    /// session.eval("x = 5").unwrap();
    /// assert!(session.eval("x = 2 +* 3").is_err());
    /// assert!(session.eval("x = 1/0").is_err());
    /// assert_eq!(session.get("x").unwrap().to_string(), "5");
    /// ```
    pub fn get(&self, name: &str) -> Option<Value> {
        let mut binding = self.scope.get(name)?.clone();
        // Each step goes to an earlier assignment, so this ends.
        for _ in 0..=self.unsettled.len() {
            let Binding::Node(node) = binding else {
                return None;
            };
            if let Some(Ok(value)) = self.dag.result(node).as_deref() {
                return Some(value.clone());
            }
            binding = self.earlier(name, node)?;
        }
        None
    }

    /// What `name` was bound to before its assignment `node`, if that
    /// assignment is still to be settled.
    fn earlier(&self, name: &str, node: NodeId) -> Option<Binding> {
        self.unsettled
            .get(&node)?
            .iter()
            .flatten()
            .find(|(assigned, _)| &**assigned == name)
            .and_then(|(_, before)| before.clone())
    }

    /// Unbinds `name`, as Python's `del name`: the variable, and the user
    /// function of that name if there is one (functions are a namespace
    /// of their own). Returns whether anything was bound. Memory held only
    /// for forgotten names is given back (see [`Session::node_count`]).
    ///
    /// ```
    /// let mut session = exprflow::Session::new();
    /// session.eval("x = 5").unwrap();
    /// assert!(session.forget("x"));
    /// assert!(!session.forget("x"));
    /// assert_eq!(session.eval("x + 1").unwrap_err().kind, exprflow::ErrorKind::UnknownVariable);
    /// ```
    pub fn forget(&mut self, name: &str) -> bool {
        let variable = self.scope.get(name).cloned();
        let bound = variable.is_some() || self.scope.function(name).is_some();
        self.scope.unbind(name);
        self.scope.undefine(name);
        if bound {
            self.note_forgotten(variable.as_ref());
            self.collect_if_worth_it();
        }
        bound
    }

    /// Forgets every variable and function, and `_`. When no statement
    /// is still running, the session starts afresh: an empty DAG and an
    /// empty [`Session::source`] (error spans of later statements index
    /// into the new text); its limits and engine stay.
    ///
    /// ```
    /// let mut session = exprflow::Session::new();
    /// session.eval("f(x) = x^2").unwrap();
    /// session.eval("y = f(3)").unwrap();
    /// session.clear();
    /// assert_eq!(session.get("y"), None);
    /// assert!(session.functions().is_empty());
    /// assert_eq!((session.node_count(), session.source()), (0, ""));
    /// ```
    pub fn clear(&mut self) {
        self.scope = crate::dag::Scope::new();
        self.last_good = None;
        if self.unsettled.is_empty() {
            let fresh = Dag::with_limits(*self.dag.limits())
                .with_host(std::sync::Arc::clone(self.dag.host_functions()));
            self.dag = std::sync::Arc::new(fresh);
            self.source.clear();
            self.collected = Default::default();
        } else {
            self.note_forgotten(None);
        }
    }
}
