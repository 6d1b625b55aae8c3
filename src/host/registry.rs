//! The registry of host functions.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::value::{Arity, Value};

static NEXT_HOST: AtomicU64 = AtomicU64::new(1);

/// The future of one host call, boxed.
pub type BoxFuture = Pin<Box<dyn Future<Output = Result<Value, String>> + Send>>;

type SyncBody = dyn Fn(&[Value]) -> Result<Value, String> + Send + Sync;
type AsyncBody = dyn Fn(Vec<Value>) -> BoxFuture + Send + Sync;

/// Whether equal calls of a host function may share one outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purity {
    /// Equal arguments give equal outcomes: computed once per run or session.
    Pure,
    /// Called at every call site, never shared or remembered (a clock, a
    /// random number, a counter).
    Volatile,
}

#[derive(Clone)]
enum Body {
    Sync(Arc<SyncBody>),
    Async(Arc<AsyncBody>),
}

/// One registered host function.
///
/// ```
/// use exprflow::testing::EngineInternals;
/// use exprflow::{Engine, Value};
/// let engine = Engine::builder()
///     .function("twice", 1, |args: &[Value]| Ok(args[0].clone()))
///     .build()
///     .unwrap();
/// let dag = engine.new_dag();
/// let twice = dag.host_functions().get("twice").unwrap();
/// assert_eq!((twice.name(), twice.arity()), ("twice", exprflow::Arity::Exactly(1)));
/// ```
#[derive(Clone)]
pub struct HostFn {
    id: u64,
    name: Box<str>,
    arity: Arity,
    purity: Purity,
    body: Body,
    /// The tokio runtime its calls are polled in (feature `tokio`).
    #[cfg(feature = "tokio")]
    runtime: Option<super::runtime::TokioRuntime>,
}

impl std::fmt::Debug for HostFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostFn")
            .field("name", &self.name)
            .field("arity", &self.arity)
            .field("purity", &self.purity)
            .field("async", &matches!(self.body, Body::Async(_)))
            .finish()
    }
}

/// Two host functions are the same when they are the same registration.
impl PartialEq for HostFn {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl HostFn {
    /// A host function that runs `f` on a pool worker.
    pub(crate) fn sync(
        name: &str,
        arity: Arity,
        purity: Purity,
        f: impl Fn(&[Value]) -> Result<Value, String> + Send + Sync + 'static,
    ) -> HostFn {
        HostFn::new(name, arity, purity, Body::Sync(Arc::new(f)))
    }

    /// A host function whose calls are the futures `f` returns.
    pub(crate) fn from_async<F, Fut>(name: &str, arity: Arity, purity: Purity, f: F) -> HostFn
    where
        F: Fn(Vec<Value>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, String>> + Send + 'static,
    {
        let boxed = move |args: Vec<Value>| -> BoxFuture { Box::pin(f(args)) };
        HostFn::new(name, arity, purity, Body::Async(Arc::new(boxed)))
    }

    fn new(name: &str, arity: Arity, purity: Purity, body: Body) -> HostFn {
        HostFn {
            id: NEXT_HOST.fetch_add(1, Ordering::Relaxed),
            name: name.into(),
            arity,
            purity,
            body,
            #[cfg(feature = "tokio")]
            runtime: None,
        }
    }

    /// Unique among the host functions of this process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The name the language calls it by.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many arguments it takes.
    pub fn arity(&self) -> Arity {
        self.arity
    }

    /// Whether equal calls may share one outcome.
    pub fn purity(&self) -> Purity {
        self.purity
    }

    /// The call with `args` as a future. Nothing of the function runs
    /// until the first poll (so a panic in `f` itself is caught where
    /// polls are).
    pub(crate) fn start(&self, args: Vec<Value>) -> BoxFuture {
        let future = self.unwrapped_start(args);
        #[cfg(feature = "tokio")]
        if let Some(runtime) = &self.runtime {
            return runtime.enter(future);
        }
        future
    }

    fn unwrapped_start(&self, args: Vec<Value>) -> BoxFuture {
        match &self.body {
            Body::Sync(f) => {
                let f = Arc::clone(f);
                Box::pin(async move { f(&args) })
            }
            Body::Async(f) => {
                let f = Arc::clone(f);
                Box::pin(async move { f(args).await })
            }
        }
    }
}

/// Whether `name` is an identifier of the language
/// (`[A-Za-z_][A-Za-z0-9_]*`) that a host function may take: anything but
/// `if`.
pub(crate) fn valid_name(name: &str) -> bool {
    crate::syntax::is_identifier(name) && name != "if"
}

/// The host functions of an engine, by name. A later registration of a
/// name replaces an earlier one.
#[derive(Clone, Debug, Default)]
pub struct HostFunctions {
    by_name: HashMap<Box<str>, Arc<HostFn>>,
    /// The tokio runtime the calls are polled in (feature `tokio`).
    #[cfg(feature = "tokio")]
    runtime: Option<super::runtime::TokioRuntime>,
}

impl HostFunctions {
    /// No host functions.
    pub fn new() -> HostFunctions {
        HostFunctions::default()
    }

    /// Registers `f`, replacing any earlier function of its name.
    pub(crate) fn insert(&mut self, f: HostFn) {
        self.by_name.insert(f.name.clone(), Arc::new(f));
    }

    /// Polls every call inside `runtime`'s context (feature `tokio`).
    #[cfg(feature = "tokio")]
    pub(crate) fn run_in(&mut self, runtime: super::runtime::TokioRuntime) {
        for f in self.by_name.values_mut() {
            *f = Arc::new(HostFn {
                runtime: Some(runtime.clone()),
                ..HostFn::clone(f)
            });
        }
        self.runtime = Some(runtime);
    }

    /// Whether blocking this thread until a run ends could hang it: the
    /// async calls run in a current-thread tokio runtime that this very
    /// thread drives (feature `tokio`; always `false` without it).
    pub(crate) fn blocking_would_stall(&self) -> bool {
        #[cfg(feature = "tokio")]
        if let Some(runtime) = &self.runtime {
            return self
                .by_name
                .values()
                .any(|f| matches!(f.body, Body::Async(_)))
                && runtime.blocked_by_this_thread();
        }
        false
    }

    /// The function called `name`, if one is registered.
    pub fn get(&self, name: &str) -> Option<&Arc<HostFn>> {
        if self.by_name.is_empty() {
            return None;
        }
        self.by_name.get(name)
    }

    /// The registered names, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.by_name.keys().map(|k| &**k).collect();
        names.sort_unstable();
        names
    }

    #[cfg(any(test, feature = "report"))]
    /// How many functions are registered.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    #[cfg(any(test, feature = "report"))]
    /// Whether none is registered.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn names_follow_the_identifier_rule() {
        for ok in ["price", "_x", "f2", "A_b_9"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "2f", "a-b", "if", "é", "a b"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
