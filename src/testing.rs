//! The inside, for the crate's own tests, benches and fuzz target (feature
//! `test-hooks`, turned on only by the crate's self dev-dependency and the
//! fuzz crate). Not an API: anything here may change at any time, and an
//! embedder never needs it. Test hooks such as [`syntax::pest_only`] and
//! `Engine::pending_timers` live behind the same feature.

/// Text → AST (`crate::syntax`).
pub mod syntax {
    pub use crate::syntax::*;
}

/// AST → hash-consed DAG (`crate::dag`).
pub mod dag {
    pub use crate::dag::*;
}

/// DAG → values (`crate::eval`).
pub mod eval {
    pub use crate::eval::*;
}

/// Host functions: the registry and calls in progress (`crate::host`).
pub mod host {
    pub use crate::host::*;
}

/// Reports of a run (`crate::report`).
pub mod report {
    pub use crate::report::*;
}

/// The numeric tower's arithmetic (`crate::value`).
pub mod value {
    pub use crate::value::*;
}

pub use crate::batch::{Batch, BatchLine, BatchOptions};
pub use crate::handle::{
    Evaluator, Finished, GRACE, Progress, RunHandle, RunOptions, Step, Stopped,
};

use std::sync::Arc;

use crate::dag::{Dag, NodeId};
use crate::eval::CancelToken;
use crate::{Engine, Error, ExprFuture, Session, SubmitOptions, Value};

/// [`Engine`]'s crate-private entry points that take a DAG, for tests and
/// benches that build one themselves.
pub trait EngineInternals {
    /// Submits several roots of one DAG as one run.
    fn submit_all(
        &self,
        dag: &Arc<Dag>,
        roots: &[NodeId],
        options: SubmitOptions,
    ) -> Vec<ExprFuture>;
    /// Submits node `root` of `dag`.
    fn submit_node(&self, dag: &Arc<Dag>, root: NodeId) -> ExprFuture;
    /// Starts a watched run of `roots` (the CLI's run handle).
    fn start(&self, dag: &Arc<Dag>, roots: &[NodeId], options: RunOptions) -> RunHandle;
    /// An empty DAG with the engine's limits and host functions.
    fn new_dag(&self) -> Dag;
    /// This engine (same pool) with every statement that splits split
    /// into chunks of about `grain` bytes, however short; `None`: no
    /// statement splits (the serial front end). Its sessions inherit it.
    fn with_split(&self, grain: Option<usize>) -> Engine;
}

impl EngineInternals for Engine {
    fn submit_all(
        &self,
        dag: &Arc<Dag>,
        roots: &[NodeId],
        options: SubmitOptions,
    ) -> Vec<ExprFuture> {
        Engine::submit_all(self, dag, roots, options)
    }

    fn submit_node(&self, dag: &Arc<Dag>, root: NodeId) -> ExprFuture {
        Engine::submit_node(self, dag, root)
    }

    fn start(&self, dag: &Arc<Dag>, roots: &[NodeId], options: RunOptions) -> RunHandle {
        Engine::start(self, dag, roots, options)
    }

    fn new_dag(&self) -> Dag {
        Engine::new_dag(self)
    }

    fn with_split(&self, grain: Option<usize>) -> Engine {
        Engine::with_split(self, grain)
    }
}

/// How many statements this thread has added to a DAG through the split
/// front end (chunks parsed in parallel), at any entry point: a test
/// sees that the split path was taken.
pub fn splits_on_this_thread() -> usize {
    crate::front_end::splits_on_this_thread()
}

/// How many blocks of statements (a batch's lines, `Engine::map`'s
/// texts) this thread has had parsed in parallel.
pub fn parallel_blocks_on_this_thread() -> usize {
    crate::front_end::parallel_blocks_on_this_thread()
}

/// [`Session`]'s crate-private parts, for tests.
pub trait SessionInternals {
    /// The session's DAG.
    fn dag(&self) -> &Arc<Dag>;
    /// Parses and adds a statement to the session's DAG without
    /// evaluating it: its node (`None` for a blank one), or its error.
    fn add_only(&mut self, text: &str) -> Result<Option<NodeId>, Error>;
    /// Adds a statement and evaluates it with the sequential evaluator.
    fn eval_sequential(
        &mut self,
        engine: &Engine,
        text: &str,
        cancel: &CancelToken,
    ) -> Result<Option<Value>, Error>;
}

impl SessionInternals for Session {
    fn dag(&self) -> &Arc<Dag> {
        Session::dag(self)
    }

    fn add_only(&mut self, text: &str) -> Result<Option<NodeId>, Error> {
        Ok(Session::add(self, text)?.map(|added| added.node))
    }

    fn eval_sequential(
        &mut self,
        engine: &Engine,
        text: &str,
        cancel: &CancelToken,
    ) -> Result<Option<Value>, Error> {
        Session::eval_sequential(self, engine, text, cancel)
    }
}
