//! A session: statements evaluated one after another, sharing variables and
//! one growing DAG, so a subexpression computed earlier is reused.

mod collect;
mod values;

use std::collections::HashMap;
use std::sync::Arc;

use crate::dag::{Binding, Dag, DagLimits, NodeId, Scope};
use crate::error::Error;
use crate::eval::{CancelToken, Engine, ExprFuture, evaluate_sequential};
use crate::front_end::FrontEnd;
use crate::syntax::{Ast, DEFAULT_MAX_DEPTH, parse_statement};
use crate::value::Value;

/// A statement added to a session.
#[derive(Clone, Debug)]
pub(crate) struct Added {
    /// Its DAG node.
    pub node: NodeId,
    /// The variable it assigned (or the function it defined), if any.
    #[cfg(feature = "cli")]
    pub target: Option<Box<str>>,
    /// For a function definition, its signature (`f(x, y)`); such a
    /// statement has no value (its node is a constant zero).
    pub signature: Option<Box<str>>,
}

/// Variables and a growing DAG across statements. `_` is the last value:
/// the node of the last statement, until [`Session::settle`] learns that
/// it failed, and then again the last statement that gave a value (as in
/// Python's REPL, an error does not replace `_`). [`Session::eval`] and
/// [`Session::eval_on`] settle by themselves.
///
/// A session made by [`Engine::session`] evaluates on that engine's pool;
/// one made by [`Session::new`] evaluates with the sequential reference
/// evaluator, or on any engine with [`Session::eval_on`].
///
/// ```
/// let engine = exprflow::Engine::with_workers(2).unwrap();
/// let mut session = engine.session();
/// assert_eq!(session.eval("x = 2 + 3").unwrap().unwrap().to_string(), "5");
/// assert_eq!(session.eval("# a comment").unwrap(), None); // nothing to evaluate
/// assert_eq!(session.eval("x * x").unwrap().unwrap().to_string(), "25");
/// assert_eq!(session.eval("_ + 1").unwrap().unwrap().to_string(), "26");
/// ```
#[derive(Debug)]
pub struct Session {
    dag: Arc<Dag>,
    scope: Scope,
    source: String,
    /// Nesting accepted, and which statements split into chunks parsed
    /// in parallel.
    front: FrontEnd,
    /// The last statement known to have given a value.
    last_good: Option<NodeId>,
    /// Statements added but not settled yet, by node (equal statements
    /// share a node, so a list each). An assignment keeps its name and
    /// what the name was bound to before, so that it can be undone if
    /// it fails.
    unsettled: HashMap<NodeId, Vec<Option<Assigned>>>,
    /// Where [`Session::eval`] evaluates (`None`: sequentially).
    engine: Option<Engine>,
    /// What the DAG held after the last collection of its garbage.
    collected: collect::Collected,
    /// Names a file's broken lines bound to errors, with their bindings
    /// before (see [`Session::add_in_file`]).
    in_file: Vec<Assigned>,
}

/// A clone is a session of its own: it copies the DAG (values included) so
/// that the two can grow apart. (A session's DAG may only grow in one copy:
/// `Dag::fork` shares result slots with the copy it came from.)
/// An assignment not settled yet: its name, and the name's binding before.
type Assigned = (Box<str>, Option<Binding>);

impl Clone for Session {
    fn clone(&self) -> Self {
        Session {
            dag: Arc::new(Dag::clone(&self.dag)),
            scope: self.scope.clone(),
            source: self.source.clone(),
            front: self.front,
            last_good: self.last_good,
            unsettled: self.unsettled.clone(),
            engine: self.engine.clone(),
            collected: self.collected,
            in_file: self.in_file.clone(),
        }
    }
}

impl Default for Session {
    fn default() -> Self {
        Session::with_limits(DagLimits::default())
    }
}

impl Session {
    /// A session with default limits.
    pub fn new() -> Session {
        Session::default()
    }

    /// A session whose DAG has `limits`.
    pub fn with_limits(limits: DagLimits) -> Session {
        Session {
            dag: Arc::new(Dag::with_limits(limits)),
            scope: Scope::new(),
            source: String::new(),
            front: FrontEnd::new(DEFAULT_MAX_DEPTH),
            last_good: None,
            unsettled: HashMap::new(),
            engine: None,
            collected: Default::default(),
            in_file: Vec::new(),
        }
    }

    /// A session evaluating on `engine`, with its DAG limits and nesting.
    pub(crate) fn on(engine: Engine) -> Session {
        let mut session = Session::with_limits(*engine.dag_limits());
        session.dag = Arc::new(engine.new_dag());
        session.front = engine.front_end();
        session.engine = Some(engine);
        session
    }

    /// Sets the maximum nesting of parentheses.
    pub fn set_max_depth(&mut self, depth: usize) {
        self.front.max_depth = depth;
    }

    /// All text entered so far; error spans index into it.
    pub fn source(&self) -> &str {
        &self.source
    }

    #[cfg(any(test, feature = "cli", feature = "test-hooks"))]
    /// The session's DAG.
    pub(crate) fn dag(&self) -> &Arc<Dag> {
        &self.dag
    }

    /// The variables, sorted, with their values if known.
    pub fn variables(&self) -> Vec<(String, Option<Result<Value, Error>>)> {
        self.scope
            .names()
            .into_iter()
            .map(|name| {
                let value = match self.scope.get(name) {
                    Some(Binding::Node(node)) => {
                        self.dag.result(*node).map(std::borrow::Cow::into_owned)
                    }
                    Some(Binding::Failed(e)) => Some(Err(e.clone())),
                    None => None,
                };
                (name.to_string(), value)
            })
            .collect()
    }

    /// Parses and adds a statement (text may span lines). Returns `None`
    /// for a blank or comment-only one. A big expression goes through the
    /// split front end (chunks parsed in parallel), with the same DAG,
    /// spans and errors.
    pub(crate) fn add(&mut self, text: &str) -> Result<Option<Added>, Error> {
        self.collect_if_worth_it();
        let offset = self.source.len();
        self.source.push_str(text);
        self.source.push('\n');
        if self.front.may_split(text) {
            let dag = writable(&mut self.dag);
            if let Some(node) = self.front.try_split(dag, &self.scope, text, offset) {
                // Only an expression splits: no name to bind but `_`.
                let node = node?;
                self.unsettled.entry(node).or_default().push(None);
                self.scope.bind("_", Binding::Node(node));
                return Ok(Some(Added {
                    node,
                    #[cfg(feature = "cli")]
                    target: None,
                    signature: None,
                }));
            }
        }
        let mut ast = Ast::new();
        // A statement that fails binds nothing (as in Python): a syntax
        // error leaves every name as it was.
        let Some(statement) = parse_statement(&mut ast, text, offset, self.front.max_depth)? else {
            return Ok(None);
        };
        let dag = writable(&mut self.dag);
        let before = statement
            .target
            .as_ref()
            .map(|(name, _)| (name.clone(), self.scope.get(name).cloned()));
        let node = match dag.add_statement(&ast, &statement, &mut self.scope) {
            Ok(node) => node,
            Err(e) => {
                if let Some((name, before)) = before {
                    self.restore(&name, before);
                }
                return Err(e);
            }
        };
        let signature = statement.signature().map(String::into_boxed_str);
        if signature.is_none() {
            self.unsettled.entry(node).or_default().push(before);
            self.scope.bind("_", Binding::Node(node));
        }
        Ok(Some(Added {
            node,
            #[cfg(feature = "cli")]
            target: statement.target.map(|(name, _)| name),
            signature,
        }))
    }

    #[cfg(feature = "cli")]
    /// [`Session::add`] for a line of a file read as `batch` reads it
    /// (the REPL's `:load`): a line that does not parse binds its name
    /// to its error for the file's later lines, as in a batch, until
    /// [`Session::end_file`] undoes that.
    pub(crate) fn add_in_file(&mut self, text: &str) -> Result<Option<Added>, Error> {
        let before = crate::syntax::assignment_target(text)
            .map(|name| (Box::<str>::from(name), self.scope.get(name).cloned()));
        let added = self.add(text);
        if let (Err(e), Some((name, before))) = (&added, before) {
            crate::front_end::bind_failed(&mut self.scope, text, e);
            self.in_file.push((name, before));
        }
        added
    }

    #[cfg(feature = "cli")]
    /// After a file's lines were added and settled: the names its broken
    /// lines bound to errors get their earlier bindings back (a statement
    /// that fails binds nothing in a session).
    pub(crate) fn end_file(&mut self) {
        for (name, before) in std::mem::take(&mut self.in_file).into_iter().rev() {
            if matches!(self.scope.get(&name), Some(Binding::Failed(_))) {
                self.restore(&name, before);
            }
        }
    }

    /// Tells the session how the statement `node` ended: a value makes it
    /// the last good one; an error while `_` still is `node` puts `_` back
    /// to the last statement that gave a value (or leaves `_` unknown).
    /// An assignment that failed (an error, or cancelled, or timed out)
    /// binds nothing, as a failing assignment in Python: its name is bound
    /// again to what it was before (or unbound). A node this session did
    /// not add, or already settled, changes nothing.
    /// [`Session::eval`] and [`Session::eval_on`] settle by themselves;
    /// a statement from [`Session::submit`] is settled by its caller.
    ///
    /// ```
    /// let engine = exprflow::Engine::with_workers(2).unwrap();
    /// let mut session = exprflow::Session::new();
    /// session.eval_on(&engine, "6 * 7").unwrap();
    /// assert!(session.eval_on(&engine, "1/0").is_err());
    /// assert_eq!(session.eval_on(&engine, "_ + 1").unwrap().unwrap().to_string(), "43");
    ///
    /// // A cancelled assignment leaves the name as it was.
    /// session.eval_on(&engine, "w = 1").unwrap();
    /// let future = session.submit(&engine, "w = delay(8, 60000)").unwrap().unwrap();
    /// future.cancel();
    /// session.settle(future.node(), &future.wait());
    /// assert_eq!(session.eval_on(&engine, "w").unwrap().unwrap().to_string(), "1");
    /// ```
    pub fn settle(&mut self, node: NodeId, outcome: &Result<Value, Error>) {
        let Some(waiting) = self.unsettled.get_mut(&node) else {
            return;
        };
        let assigned = if waiting.is_empty() {
            None
        } else {
            waiting.remove(0)
        };
        if waiting.is_empty() {
            self.unsettled.remove(&node);
        }
        if let (Err(_), Some((name, before))) = (outcome, assigned)
            && matches!(self.scope.get(&name), Some(Binding::Node(now)) if *now == node)
        {
            // A later assignment of the same name, still running, falls
            // back to what this one fell back to.
            for (later, earlier) in self.unsettled.values_mut().flatten().flatten() {
                if *later == name && matches!(earlier, Some(Binding::Node(n)) if *n == node) {
                    *earlier = before.clone();
                }
            }
            self.restore(&name, before);
        }
        if outcome.is_ok() {
            self.last_good = Some(node);
            return;
        }
        if matches!(self.scope.get("_"), Some(Binding::Node(last)) if *last == node) {
            match self.last_good {
                Some(good) => self.scope.bind("_", Binding::Node(good)),
                None => self.scope.unbind("_"),
            }
        }
    }

    /// Binds `name` to `before` again (unbinds it for `None`).
    fn restore(&mut self, name: &str, before: Option<Binding>) {
        match before {
            Some(binding) => self.scope.bind(name, binding),
            None => self.scope.unbind(name),
        }
    }

    /// Adds a statement and submits it to `engine`. Report how it ended
    /// with [`Session::settle`] (an assignment takes effect then, or is
    /// undone): node ids stay fixed while a statement is unsettled, so a
    /// session gives memory back only when none is (see
    /// [`Session::node_count`]).
    ///
    /// ```
    /// let engine = exprflow::Engine::with_workers(2).unwrap();
    /// let mut session = engine.session();
    /// let future = session.submit(&engine, "x = 6 * 7").unwrap().unwrap();
    /// let outcome = future.wait();
    /// session.settle(future.node(), &outcome);
    /// assert_eq!(session.get("x").unwrap().to_string(), "42");
    /// ```
    pub fn submit(&mut self, engine: &Engine, text: &str) -> Result<Option<ExprFuture>, Error> {
        Ok(self
            .add(text)?
            .filter(|added| added.signature.is_none())
            .map(|added| engine.submit_node(&self.dag, added.node)))
    }

    /// Adds a statement and evaluates it: on the session's engine (see
    /// [`Engine::session`]), else with the sequential reference evaluator.
    /// An assignment gives the value assigned; a statement with no value (a
    /// blank or comment line, or a definition) gives `Ok(None)`.
    pub fn eval(&mut self, text: impl AsRef<str>) -> Result<Option<Value>, Error> {
        let text = text.as_ref();
        match self.engine.clone() {
            Some(engine) => self.eval_on(&engine, text),
            None => {
                let limits = crate::eval::EvalLimits {
                    value: self.dag.limits().value,
                    ..Default::default()
                };
                self.eval_here(text, &limits, &CancelToken::new())
            }
        }
    }

    /// Adds a statement and evaluates it on `engine`, waiting for the value.
    pub fn eval_on(&mut self, engine: &Engine, text: &str) -> Result<Option<Value>, Error> {
        match self.submit(engine, text)? {
            Some(future) => {
                let outcome = future.wait();
                self.settle(future.node(), &outcome);
                outcome.map(Some)
            }
            None => Ok(None),
        }
    }

    #[cfg(any(test, feature = "test-hooks"))]
    /// Adds a statement and evaluates it with the sequential reference
    /// evaluator on this thread.
    pub(crate) fn eval_sequential(
        &mut self,
        engine: &Engine,
        text: &str,
        cancel: &CancelToken,
    ) -> Result<Option<Value>, Error> {
        self.eval_here(text, engine.limits(), cancel)
    }
}

impl Session {
    /// Adds a statement and evaluates it on this thread.
    fn eval_here(
        &mut self,
        text: &str,
        limits: &crate::eval::EvalLimits,
        cancel: &CancelToken,
    ) -> Result<Option<Value>, Error> {
        match self.add(text)? {
            Some(added) if added.signature.is_none() => {
                let outcome =
                    evaluate_sequential(&self.dag, added.node, limits, cancel, &mut |_| {});
                self.settle(added.node, &outcome);
                outcome.map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The user functions defined so far, sorted by name, each as its
    /// definition's text (`f(x) = x^2`).
    ///
    /// ```
    /// let engine = exprflow::Engine::with_workers(1).unwrap();
    /// let mut session = engine.session();
    /// assert_eq!(session.eval("f(x) = x^2").unwrap(), None);
    /// assert_eq!(session.eval("f(12)").unwrap().unwrap().to_string(), "144");
    /// assert_eq!(session.functions(), vec![("f".to_string(), "f(x) = x^2".to_string())]);
    /// ```
    pub fn functions(&self) -> Vec<(String, String)> {
        self.scope
            .functions()
            .into_iter()
            .map(|def| {
                let text = self
                    .source
                    .get(def.span.start..def.span.end)
                    .unwrap_or("")
                    .trim()
                    .to_string();
                (def.name.to_string(), text)
            })
            .collect()
    }
}

/// A session's DAG, to grow. While a running evaluation still shares it,
/// a copy that shares its result slots (cheap, and the run's values
/// count).
fn writable(dag: &mut Arc<Dag>) -> &mut Dag {
    if Arc::get_mut(dag).is_none() {
        *dag = Arc::new(dag.fork());
    }
    Arc::make_mut(dag)
}
