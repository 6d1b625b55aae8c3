//! [`EngineBuilder`]: an engine's settings and host functions, checked
//! once when the pool starts.

use std::sync::Arc;

use super::engine::{DEFAULT_FUSE_NS, Engine, MAX_WORKERS};
use super::limits::EvalLimits;
use super::timer::Timers;
use crate::dag::DagLimits;
use crate::error::{Error, ErrorKind, Span};
use crate::host::{HostFn, HostFunctions, Purity, valid_name};
use crate::value::{Arity, Value};

/// Builds an [`Engine`].
#[derive(Clone, Debug)]
pub struct EngineBuilder {
    workers: Option<usize>,
    limits: EvalLimits,
    fuse_ns: u64,
    dag_limits: DagLimits,
    max_depth: usize,
    host: HostFunctions,
    /// Names given to host functions that are not identifiers.
    bad_names: Vec<String>,
    /// The tokio runtime given for host futures (feature `tokio`).
    #[cfg(feature = "tokio")]
    tokio: Option<tokio::runtime::Handle>,
}

impl EngineBuilder {
    /// A builder with default settings (what [`Engine::builder`] returns).
    pub(super) fn new() -> EngineBuilder {
        EngineBuilder {
            workers: None,
            limits: EvalLimits::default(),
            fuse_ns: DEFAULT_FUSE_NS,
            dag_limits: DagLimits::default(),
            max_depth: crate::syntax::DEFAULT_MAX_DEPTH,
            host: HostFunctions::new(),
            bad_names: Vec::new(),
            #[cfg(feature = "tokio")]
            tokio: None,
        }
    }

    /// Number of pool workers (default: the number of CPUs), clamped to
    /// `1..=`[`MAX_WORKERS`].
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n.clamp(1, MAX_WORKERS));
        self
    }

    /// Evaluation limits.
    pub fn limits(mut self, limits: EvalLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Limits of the DAGs the engine builds from text ([`Engine::eval`],
    /// [`Engine::submit`], [`Engine::map`]): most nodes and the memory
    /// budget. Their bit limit is always that of [`EngineBuilder::limits`].
    ///
    /// ```
    /// use exprflow::DagLimits;
    /// let engine = exprflow::Engine::builder()
    ///     .dag_limits(DagLimits { max_nodes: 5, ..DagLimits::default() })
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(engine.eval("1+2+3").unwrap().to_string(), "6");
    /// let error = engine.eval("1+2+3+4+5+6").unwrap_err();
    /// assert_eq!(error.kind, exprflow::ErrorKind::TooLarge); // more than 5 nodes
    /// ```
    pub fn dag_limits(mut self, limits: DagLimits) -> Self {
        self.dag_limits = limits;
        self
    }

    /// Most nesting of parentheses and calls in text the engine parses
    /// (default 1,000).
    ///
    /// ```
    /// let engine = exprflow::Engine::builder().max_depth(2).build().unwrap();
    /// assert_eq!(engine.eval("((1))").unwrap().to_string(), "1");
    /// let error = engine.eval("(((1)))").unwrap_err();
    /// assert_eq!(error.kind, exprflow::ErrorKind::NestingTooDeep);
    /// ```
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Estimated cost in nanoseconds under which a subgraph is evaluated
    /// inline as one task; 0 makes every node a task of its own.
    pub fn fuse_ns(mut self, ns: u64) -> Self {
        self.fuse_ns = ns;
        self
    }

    /// Polls host functions' futures inside the tokio runtime of `handle`
    /// (feature `tokio`), so that they may use tokio's timers, sockets and
    /// `tokio::spawn` without spawning by hand. Without it, [`build`]
    /// takes the runtime it is called in, if any
    /// (`Handle::try_current`); an engine built outside any runtime and
    /// not given one polls host futures with no runtime entered.
    ///
    /// While its futures wait, a runtime must be driven: a multi-thread
    /// runtime drives itself; a current-thread one only inside its
    /// `block_on`. So, inside a current-thread runtime, `.await` the
    /// [`ExprFuture`](super::ExprFuture): a blocking wait there
    /// ([`ExprFuture::wait`](super::ExprFuture::wait), `Engine::eval`,
    /// `Engine::map`, `Session::eval`, `Formula::eval`, `Model::get`) on an
    /// engine with async host functions in that runtime would hang, and
    /// returns the error `would block` instead.
    ///
    /// ```
    /// use std::time::Duration;
    /// use exprflow::{Engine, Value};
    /// let runtime = tokio::runtime::Runtime::new().unwrap();
    /// let engine = Engine::builder()
    ///     .tokio_handle(runtime.handle().clone())
    ///     .async_function("slow", 1, |args: Vec<Value>| async move {
    ///         tokio::time::sleep(Duration::from_millis(5)).await; // needs a runtime
    ///         Ok(args[0].clone())
    ///     })
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(engine.eval("slow(20) + slow(22)").unwrap(), Value::from(42));
    /// ```
    ///
    /// [`build`]: Self::build
    #[cfg(feature = "tokio")]
    pub fn tokio_handle(mut self, handle: tokio::runtime::Handle) -> Self {
        self.tokio = Some(handle);
        self
    }

    fn register(mut self, f: HostFn) -> Self {
        if valid_name(f.name()) {
            self.host.insert(f);
        } else {
            self.bad_names.push(f.name().to_string());
        }
        self
    }

    /// Registers host function `name` taking `arity` arguments (a
    /// `usize`, or an [`Arity`]: `0..` for any number): a call
    /// runs `f` on a pool worker. `Ok(value)` is the call's value;
    /// `Err(message)` is the error `domain error: message` at the call; a
    /// panic is an `internal error` of that call only. Pure: equal
    /// arguments are computed once per run or session. `name` follows the
    /// language's identifier rule (not `if`); it shadows a built-in of the
    /// same name, a user function shadows it, and a later registration of
    /// the same name replaces an earlier one.
    ///
    /// ```
    /// use exprflow::{Engine, Value};
    /// let engine = Engine::builder()
    ///     .workers(2)
    ///     .function("hyp", 2, |args: &[Value]| {
    ///         let float = |v: &Value| f64::try_from(v).map_err(|e| e.to_string());
    ///         Value::try_from(float(&args[0])?.hypot(float(&args[1])?)).map_err(|e| e.to_string())
    ///     })
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(engine.eval("hyp(3, 4)").unwrap().to_string(), "5.0");
    /// let error = engine.eval("hyp(3)").unwrap_err();
    /// assert_eq!(error.to_string(), "wrong number of arguments: hyp takes 2 arguments, got 1");
    /// ```
    pub fn function(
        self,
        name: impl AsRef<str>,
        arity: impl Into<Arity>,
        f: impl Fn(&[Value]) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Self {
        self.register(HostFn::sync(name.as_ref(), arity.into(), Purity::Pure, f))
    }

    /// Registers async host function `name`: a call is the future `f`
    /// returns (any future: exprflow polls it with its own waker, no
    /// runtime needed). While it is pending it holds no worker; when its
    /// waker fires, a worker polls it again. Cancelling or dropping the
    /// [`ExprFuture`](super::ExprFuture) that needs the call drops the future. Pure, like
    /// [`function`](Self::function).
    ///
    /// ```
    /// use exprflow::{Engine, Value};
    /// let engine = Engine::builder()
    ///     .async_function("price", 1, |args: Vec<Value>| async move {
    ///         Ok(args[0].clone()) // e.g. awaiting a tokio JoinHandle
    ///     })
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(engine.eval("price(7) + price(7)").unwrap().to_string(), "14");
    /// ```
    pub fn async_function<F, Fut>(
        self,
        name: impl AsRef<str>,
        arity: impl Into<Arity>,
        f: F,
    ) -> Self
    where
        F: Fn(Vec<Value>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Value, String>> + Send + 'static,
    {
        self.register(HostFn::from_async(
            name.as_ref(),
            arity.into(),
            Purity::Pure,
            f,
        ))
    }

    /// Like [`function`](Self::function), but volatile: called at every
    /// call site and every evaluation, never shared or remembered (a
    /// clock, a counter, a random number).
    ///
    /// ```
    /// use std::sync::atomic::{AtomicI64, Ordering};
    /// use exprflow::{Engine, Value};
    /// let counter = AtomicI64::new(0);
    /// let engine = Engine::builder()
    ///     .volatile_function("tick", 0, move |_: &[Value]| {
    ///         Ok(Value::from(counter.fetch_add(1, Ordering::SeqCst) + 1))
    ///     })
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(engine.eval("tick() + tick()").unwrap().to_string(), "3");
    /// ```
    pub fn volatile_function(
        self,
        name: impl AsRef<str>,
        arity: impl Into<Arity>,
        f: impl Fn(&[Value]) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Self {
        self.register(HostFn::sync(
            name.as_ref(),
            arity.into(),
            Purity::Volatile,
            f,
        ))
    }

    /// Like [`async_function`](Self::async_function), but volatile (see
    /// [`volatile_function`](Self::volatile_function)).
    pub fn volatile_async_function<F, Fut>(
        self,
        name: impl AsRef<str>,
        arity: impl Into<Arity>,
        f: F,
    ) -> Self
    where
        F: Fn(Vec<Value>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Value, String>> + Send + 'static,
    {
        self.register(HostFn::from_async(
            name.as_ref(),
            arity.into(),
            Purity::Volatile,
            f,
        ))
    }

    /// Starts the pool and the timer thread. A host function whose name
    /// is not an identifier of the language is a `syntax error` here.
    ///
    /// ```
    /// let built = exprflow::Engine::builder()
    ///     .function("2x", 1, |args: &[exprflow::Value]| Ok(args[0].clone()))
    ///     .build();
    /// assert_eq!(built.unwrap_err().kind, exprflow::ErrorKind::Syntax);
    /// ```
    pub fn build(self) -> Result<Engine, Error> {
        if let Some(name) = self.bad_names.first() {
            return Err(Error::with_detail(
                ErrorKind::Syntax,
                Span::default(),
                format!(
                    "`{name}` cannot name a host function: a name is a letter or `_`, \
                     then letters, digits and `_` (and not `if`)"
                ),
            ));
        }
        let workers = self
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .clamp(1, MAX_WORKERS);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|i| format!("exprflow-worker-{i}"))
            .build()
            .map_err(|e| {
                Error::with_detail(
                    ErrorKind::Internal,
                    Span::default(),
                    format!("cannot start the pool: {e}"),
                )
            })?;
        let timers = Timers::start().map_err(|e| {
            Error::with_detail(
                ErrorKind::Internal,
                Span::default(),
                format!("cannot start the timer: {e}"),
            )
        })?;
        Ok(Engine {
            pool: Arc::new(pool),
            timers: Arc::new(timers),
            workers,
            limits: self.limits,
            fuse_ns: self.fuse_ns,
            dag_limits: DagLimits {
                value: self.limits.value,
                ..self.dag_limits
            },
            front: crate::front_end::FrontEnd::new(self.max_depth),
            host: Arc::new(self.host_functions()),
        })
    }
}

impl EngineBuilder {
    /// The host functions as the engine calls them: inside the tokio
    /// runtime given, or else the one `build` is called in, if any.
    #[cfg(feature = "tokio")]
    fn host_functions(&self) -> HostFunctions {
        let mut host = self.host.clone();
        let runtime = self.tokio.clone().map(crate::host::TokioRuntime::new);
        if let Some(runtime) = runtime.or_else(crate::host::TokioRuntime::current) {
            host.run_in(runtime);
        }
        host
    }

    /// The host functions as the engine calls them.
    #[cfg(not(feature = "tokio"))]
    fn host_functions(&self) -> HostFunctions {
        self.host.clone()
    }
}
