//! The [`Engine`]: a worker pool and a timer thread that evaluate DAGs as
//! futures.

use std::sync::Arc;

use super::future::ExprFuture;
use super::limits::EvalLimits;
use super::run::{Run, RunContext};
use super::timer::Timers;
use crate::dag::{Dag, DagLimits, NodeId, Scope};
use crate::error::{Error, ErrorKind, Span};
use crate::host::{HostFn, HostFunctions, Purity, valid_name};
use crate::value::Value;

/// Default estimated cost (ns) under which a subgraph is fused into one task.
pub const DEFAULT_FUSE_NS: u64 = 50_000;

/// The most pool workers an engine will start: more threads than this only
/// cost memory (each has its own stack), and an unbounded count would let a
/// careless `-j 65535` start 65,535 threads.
pub const MAX_WORKERS: usize = 1024;

/// Options of one submission.
///
/// ```
/// use std::time::Duration;
/// use exprflow::{Engine, ErrorKind, SubmitOptions};
/// let engine = Engine::builder().workers(2).build().unwrap();
/// let options = SubmitOptions { timeout: Some(Duration::from_millis(20)), ..Default::default() };
/// let future = engine.submit_with("delay(1, 60000)", options).unwrap();
/// assert_eq!(future.wait().unwrap_err().kind, ErrorKind::TimedOut);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubmitOptions {
    /// Record a [`NodeEvent`](super::NodeEvent) per node (worker, start,
    /// end), readable in completion order from
    /// [`ExprFuture::completions`]. Off by default: it costs two clock reads
    /// and a channel send per node. A run with events also keeps every
    /// value, big intermediate ones included, so that readers of the events
    /// can look them up with [`ExprFuture::node_info`].
    pub events: bool,
    /// Give up after this long: futures not resolved by then resolve
    /// `timed out` and their work stops (like [`ExprFuture::cancel`]).
    pub timeout: Option<std::time::Duration>,
}

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
}

impl EngineBuilder {
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

    fn register(mut self, f: HostFn) -> Self {
        if valid_name(f.name()) {
            self.host.insert(f);
        } else {
            self.bad_names.push(f.name().to_string());
        }
        self
    }

    /// Registers host function `name` taking `arity` arguments: a call
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
        arity: usize,
        f: impl Fn(&[Value]) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Self {
        self.register(HostFn::sync(name.as_ref(), arity, Purity::Pure, f))
    }

    /// Registers async host function `name`: a call is the future `f`
    /// returns (any future: exprflow polls it with its own waker, no
    /// runtime needed). While it is pending it holds no worker; when its
    /// waker fires, a worker polls it again. Cancelling or dropping the
    /// [`ExprFuture`] that needs the call drops the future. Pure, like
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
    pub fn async_function<F, Fut>(self, name: impl AsRef<str>, arity: usize, f: F) -> Self
    where
        F: Fn(Vec<Value>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Value, String>> + Send + 'static,
    {
        self.register(HostFn::from_async(name.as_ref(), arity, Purity::Pure, f))
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
        arity: usize,
        f: impl Fn(&[Value]) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Self {
        self.register(HostFn::sync(name.as_ref(), arity, Purity::Volatile, f))
    }

    /// Like [`async_function`](Self::async_function), but volatile (see
    /// [`volatile_function`](Self::volatile_function)).
    pub fn volatile_async_function<F, Fut>(self, name: impl AsRef<str>, arity: usize, f: F) -> Self
    where
        F: Fn(Vec<Value>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Value, String>> + Send + 'static,
    {
        self.register(HostFn::from_async(
            name.as_ref(),
            arity,
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
            max_depth: self.max_depth,
            host: Arc::new(self.host),
        })
    }
}

/// A worker pool (rayon) plus a timer thread for `delay`. Submitting an
/// expression returns an [`ExprFuture`] at once; its independent
/// subexpressions run concurrently. Clones share the pool.
///
/// ```
/// let engine = exprflow::Engine::builder().workers(2).build().unwrap();
/// assert_eq!(engine.eval("(3+7)*(2+8)*((2*3)-1)").unwrap().to_string(), "500");
/// let future = engine.submit("fact(20) / fact(18)").unwrap();
/// assert_eq!(future.wait().unwrap().to_string(), "380");
/// ```
#[derive(Clone)]
pub struct Engine {
    pool: Arc<rayon::ThreadPool>,
    timers: Arc<Timers>,
    workers: usize,
    limits: EvalLimits,
    fuse_ns: u64,
    dag_limits: DagLimits,
    max_depth: usize,
    host: Arc<HostFunctions>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("workers", &self.workers)
            .field("limits", &self.limits)
            .field("host_functions", &self.host.names())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// A builder with default settings.
    pub fn builder() -> EngineBuilder {
        EngineBuilder {
            workers: None,
            limits: EvalLimits::default(),
            fuse_ns: DEFAULT_FUSE_NS,
            dag_limits: DagLimits::default(),
            max_depth: crate::syntax::DEFAULT_MAX_DEPTH,
            host: HostFunctions::new(),
            bad_names: Vec::new(),
        }
    }

    /// The host functions registered on the builder.
    pub(crate) fn host_functions(&self) -> &Arc<HostFunctions> {
        &self.host
    }

    /// An empty DAG for this engine: its [`dag_limits`](Self::dag_limits)
    /// and its host functions. Every DAG built from text for this engine
    /// starts here, so host functions resolve in it.
    pub(crate) fn new_dag(&self) -> Dag {
        Dag::with_limits(self.dag_limits).with_host(Arc::clone(&self.host))
    }

    /// An engine with one worker per CPU.
    ///
    /// ```
    /// let engine = exprflow::Engine::new().unwrap();
    /// assert!(engine.workers() >= 1);
    /// ```
    pub fn new() -> Result<Engine, Error> {
        Engine::builder().build()
    }

    /// An engine with `n` workers.
    pub fn with_workers(n: usize) -> Result<Engine, Error> {
        Engine::builder().workers(n).build()
    }

    /// Number of pool workers.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// The evaluation limits.
    pub fn limits(&self) -> &EvalLimits {
        &self.limits
    }

    /// The limits of DAGs built from text (see [`EngineBuilder::dag_limits`]).
    pub fn dag_limits(&self) -> &DagLimits {
        &self.dag_limits
    }

    /// The most nesting accepted in text (see [`EngineBuilder::max_depth`]).
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// The fusion threshold in estimated nanoseconds.
    pub fn fuse_ns(&self) -> u64 {
        self.fuse_ns
    }

    /// The worker pool, for the crate's own parallel loops
    /// (`Formula::eval_many`, a `Model`'s recompute).
    pub(crate) fn pool(&self) -> &rayon::ThreadPool {
        &self.pool
    }

    /// `delay` timers still waiting (for leak checks; feature `test-hooks`).
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn pending_timers(&self) -> usize {
        self.timers.pending()
    }

    /// Submits node `root` of `dag`.
    pub(crate) fn submit_node(&self, dag: &Arc<Dag>, root: NodeId) -> ExprFuture {
        let mut futures = self.submit_all(dag, &[root], SubmitOptions::default());
        futures.pop().unwrap_or_else(|| ExprFuture {
            state: Arc::new(super::promise::Promise::new(root)),
            run: None,
            index: 0,
        })
    }

    /// Submits several roots of one DAG as one run: shared subexpressions
    /// are computed once, and the futures come back in the order of `roots`.
    pub(crate) fn submit_all(
        &self,
        dag: &Arc<Dag>,
        roots: &[NodeId],
        options: SubmitOptions,
    ) -> Vec<ExprFuture> {
        let context = RunContext {
            limits: self.limits,
            fuse_ns: self.fuse_ns,
            pool: Arc::clone(&self.pool),
            timers: Arc::clone(&self.timers),
            record: options.events,
            timeout: options.timeout,
        };
        let run = Run::start(Arc::clone(dag), roots, context);
        run.promises()
            .iter()
            .enumerate()
            .map(|(index, state)| ExprFuture {
                state: Arc::clone(state),
                run: Some(Arc::clone(&run)),
                index,
            })
            .collect()
    }

    /// Parses `text` as one expression and starts evaluating it at once;
    /// the future resolves to its value or error. A syntax error is
    /// returned at once.
    ///
    /// ```
    /// let engine = exprflow::Engine::builder().workers(2).build().unwrap();
    /// let future = engine.submit("fact(30) / fact(28)").unwrap();
    /// assert_eq!(future.wait().unwrap().to_string(), "870");
    /// assert!(engine.submit("1 +").is_err());
    /// ```
    pub fn submit(&self, text: impl AsRef<str>) -> Result<ExprFuture, Error> {
        self.submit_with(text, SubmitOptions::default())
    }

    /// Like [`submit`](Self::submit), with [`SubmitOptions`].
    pub fn submit_with(
        &self,
        text: impl AsRef<str>,
        options: SubmitOptions,
    ) -> Result<ExprFuture, Error> {
        let mut dag = self.new_dag();
        let root = build_one(&mut dag, text.as_ref(), 0, &Scope::new(), self.max_depth)?;
        let mut futures = self.submit_all(&Arc::new(dag), &[root], options);
        futures
            .pop()
            .ok_or_else(|| Error::new(ErrorKind::Internal, Span::default()))
    }

    /// A session on this engine: statements with variables (and, later,
    /// functions), each evaluated on the pool.
    ///
    /// ```
    /// let engine = exprflow::Engine::builder().workers(2).build().unwrap();
    /// let mut session = engine.session();
    /// assert_eq!(session.eval("x = 12").unwrap(), Some(exprflow::Value::from(12)));
    /// assert_eq!(session.eval("x^2").unwrap(), Some(exprflow::Value::from(144)));
    /// ```
    pub fn session(&self) -> crate::Session {
        crate::Session::on(self.clone())
    }

    /// Evaluates one expression and waits for it.
    ///
    /// ```
    /// let engine = exprflow::Engine::with_workers(2).unwrap();
    /// assert_eq!(engine.eval("2^-1").unwrap().to_string(), "0.5");
    /// ```
    pub fn eval(&self, text: impl AsRef<str>) -> Result<Value, Error> {
        self.submit(text)?.wait()
    }

    /// Evaluates many independent expressions as one DAG (shared
    /// subexpressions computed once) and returns their outcomes in input
    /// order, like `Executor.map`.
    ///
    /// ```
    /// let engine = exprflow::Engine::with_workers(2).unwrap();
    /// let out = engine.map(&["1+1", "1/0", "2^10"]);
    /// assert_eq!(out[2].as_ref().unwrap().to_string(), "1024");
    /// assert!(out[1].is_err());
    /// ```
    pub fn map<S: AsRef<str>>(
        &self,
        texts: impl IntoIterator<Item = S>,
    ) -> Vec<Result<Value, Error>> {
        let mut dag = self.new_dag();
        let scope = Scope::new();
        let mut offset = 0;
        let mut roots: Vec<Result<NodeId, Error>> = Vec::new();
        for text in texts {
            let text = text.as_ref();
            roots.push(build_one(&mut dag, text, offset, &scope, self.max_depth));
            offset += text.len() + 1;
        }
        let dag = Arc::new(dag);
        let ok: Vec<NodeId> = roots
            .iter()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect();
        let futures = self.submit_all(&dag, &ok, SubmitOptions::default());
        let mut futures = futures.into_iter();
        roots
            .into_iter()
            .map(|r| match r {
                Ok(_) => futures
                    .next()
                    .map(|f| f.wait())
                    .unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, Span::default()))),
                Err(e) => Err(e),
            })
            .collect()
    }
}

fn build_one(
    dag: &mut Dag,
    text: &str,
    offset: usize,
    scope: &Scope,
    max_depth: usize,
) -> Result<NodeId, Error> {
    let mut ast = crate::syntax::Ast::new();
    match crate::syntax::parse_statement(&mut ast, text, offset, max_depth)? {
        Some(statement) => dag.add_expr(&ast, statement.expr, scope),
        None => Err(Error::with_detail(
            ErrorKind::Syntax,
            Span::new(offset, offset + text.len()),
            "expected an expression",
        )),
    }
}

/// Parses and builds one expression into a fresh DAG.
pub(crate) fn single_expression(
    text: &str,
    value: crate::value::Limits,
) -> Result<(Dag, NodeId), Error> {
    let mut dag = Dag::with_limits(crate::dag::DagLimits {
        value,
        ..Default::default()
    });
    let root = build_one(
        &mut dag,
        text,
        0,
        &Scope::new(),
        crate::syntax::DEFAULT_MAX_DEPTH,
    )?;
    Ok((dag, root))
}
