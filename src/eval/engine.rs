//! The [`Engine`]: a worker pool and a timer thread that evaluate DAGs as
//! futures.

use std::sync::Arc;

use super::builder::EngineBuilder;
use super::future::ExprFuture;
use super::limits::EvalLimits;
use super::run::{Run, RunContext};
use super::timer::Timers;
use crate::dag::{Dag, DagLimits, NodeId, Scope};
use crate::error::{Error, ErrorKind, Span};
use crate::front_end::FrontEnd;
use crate::host::HostFunctions;
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
    /// Also record when work begins: a [`NodeStart`](super::NodeStart)
    /// when a pool worker takes up a task or a `delay`'s timer starts,
    /// readable from [`ExprFuture::starts`] while the run goes on (for
    /// showing what runs now, as `exprflow serve` does). Needs `events`;
    /// costs one more channel send per task.
    pub starts: bool,
    /// Give up after this long: futures not resolved by then resolve
    /// `timed out` and their work stops (like [`ExprFuture::cancel`]).
    pub timeout: Option<std::time::Duration>,
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
    pub(super) pool: Arc<rayon::ThreadPool>,
    pub(super) timers: Arc<Timers>,
    pub(super) workers: usize,
    pub(super) limits: EvalLimits,
    pub(super) fuse_ns: u64,
    pub(super) dag_limits: DagLimits,
    /// How text reaches this engine's DAGs: nesting accepted, and which
    /// statements parse through the split front end.
    pub(super) front: FrontEnd,
    pub(super) host: Arc<HostFunctions>,
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
        EngineBuilder::new()
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
        self.front.max_depth
    }

    /// How text reaches this engine's DAGs: nesting up to
    /// [`max_depth`](Self::max_depth), big statements split.
    pub(crate) fn front_end(&self) -> FrontEnd {
        self.front
    }

    /// This engine with every statement that splits split into chunks of
    /// about `grain` bytes, however short (`None`: none split).
    #[cfg(feature = "test-hooks")]
    pub(crate) fn with_split(&self, grain: Option<usize>) -> Engine {
        Engine {
            front: FrontEnd {
                split: grain.map(crate::front_end::split_all),
                ..self.front
            },
            ..self.clone()
        }
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
        self.submit_run(dag, roots, options, None)
    }

    /// Like [`submit_all`](Self::submit_all), with `source`, the text the
    /// DAG's spans index, kept for the futures' reports.
    pub(crate) fn submit_run(
        &self,
        dag: &Arc<Dag>,
        roots: &[NodeId],
        options: SubmitOptions,
        source: Option<Arc<str>>,
    ) -> Vec<ExprFuture> {
        let context = RunContext {
            limits: self.limits,
            fuse_ns: self.fuse_ns,
            pool: Arc::clone(&self.pool),
            timers: Arc::clone(&self.timers),
            record: options.events,
            starts: options.events && options.starts,
            timeout: options.timeout,
            source,
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
        let text = text.as_ref();
        let mut dag = self.new_dag();
        let root = build_one(&mut dag, text, 0, &Scope::new(), self.front_end())?;
        // The text only matters to a report, which needs events.
        let source = options.events.then(|| Arc::from(text));
        let mut futures = self.submit_run(&Arc::new(dag), &[root], options, source);
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
    /// order, like `Executor.map`. Many texts parse in parallel (as a
    /// batch's lines do), a big one in chunks; the DAG and errors are
    /// those of parsing them one after another. An error's span indexes
    /// its own item's text.
    ///
    /// ```
    /// let engine = exprflow::Engine::with_workers(2).unwrap();
    /// let out = engine.map(&["1+1", "2 + 1/0", "2^10"]);
    /// assert_eq!(out[2].as_ref().unwrap().to_string(), "1024");
    /// let error = out[1].as_ref().unwrap_err();
    /// assert_eq!(&"2 + 1/0"[error.span.start..error.span.end], "1/0");
    /// ```
    pub fn map<S: AsRef<str>>(
        &self,
        texts: impl IntoIterator<Item = S>,
    ) -> Vec<Result<Value, Error>> {
        let texts: Vec<S> = texts.into_iter().collect();
        let mut offset = 0;
        let items: Vec<(&str, usize)> = texts
            .iter()
            .map(|text| {
                let item = (text.as_ref(), offset);
                offset += item.0.len() + 1;
                item
            })
            .collect();
        let mut dag = self.new_dag();
        let scope = Scope::new();
        let front = self.front_end();
        let mut roots: Vec<Result<NodeId, Error>> = Vec::with_capacity(items.len());
        for block in items.chunks(crate::front_end::BLOCK) {
            // Many texts parse in parallel; a big one is left to the
            // split front end.
            let parsed = front.parse_block(block, |&(text, offset)| {
                (!front.may_split(text)).then(|| parse_one(text, offset, front.max_depth))
            });
            for (&(text, offset), parsed) in block.iter().zip(parsed) {
                roots.push(match parsed {
                    Some(parsed) => parsed.and_then(|(ast, root)| dag.add_expr(&ast, root, &scope)),
                    None => build_one(&mut dag, text, offset, &scope, front),
                });
            }
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
            .zip(&items)
            .map(|(r, &(text, offset))| {
                let outcome = match r {
                    Ok(_) => futures
                        .next()
                        .map(|f| f.wait())
                        .unwrap_or_else(|| Err(Error::new(ErrorKind::Internal, Span::default()))),
                    Err(e) => Err(e),
                };
                outcome.or_else(|e| self.in_own_text(e, text, offset))
            })
            .collect()
    }

    /// An error of [`Engine::map`]'s item `text`, which sat at `offset`
    /// of the items joined, with its spans in `text` itself. An error
    /// from a node the item shares with an earlier item has that item's
    /// span: the item alone gives the same error at its own place.
    fn in_own_text(&self, mut e: Error, text: &str, offset: usize) -> Result<Value, Error> {
        let end = offset + text.len();
        let inside = |span: Span| offset <= span.start && span.end <= end + 1;
        if !(inside(e.span) && e.calls.notes.iter().all(|(span, _)| inside(*span))) {
            return self.submit(text)?.wait();
        }
        let local =
            |span: Span| Span::new(span.start - offset, (span.end - offset).min(text.len()));
        e.span = local(e.span);
        for (span, _) in &mut e.calls.notes {
            *span = local(*span);
        }
        Err(e)
    }
}

/// Builds `text` (at `offset` in its source) as one expression: through
/// the split front end when it is big and splits, else parsed whole.
fn build_one(
    dag: &mut Dag,
    text: &str,
    offset: usize,
    scope: &Scope,
    front: FrontEnd,
) -> Result<NodeId, Error> {
    if let Some(node) = front.try_split(dag, scope, text, offset) {
        return node;
    }
    let (ast, root) = parse_one(text, offset, front.max_depth)?;
    dag.add_expr(&ast, root, scope)
}

/// Parses `text` (at `offset` in its source) whole as one expression: its
/// own syntax tree and root.
fn parse_one(
    text: &str,
    offset: usize,
    max_depth: usize,
) -> Result<(crate::syntax::Ast, crate::syntax::ExprId), Error> {
    let mut ast = crate::syntax::Ast::new();
    match crate::syntax::parse_statement(&mut ast, text, offset, max_depth)? {
        Some(ref statement) if let Some((name, span)) = &statement.target => {
            let what = match statement.signature() {
                Some(signature) => format!("`{signature} = ...` defines a function"),
                None => format!("`{name} = ...` assigns a variable"),
            };
            Err(Error::with_detail(
                ErrorKind::Syntax,
                *span,
                format!(
                    "{what}: definitions need a session \
                     (`let mut s = engine.session(); s.eval(...)`)"
                ),
            ))
        }
        Some(statement) => Ok((ast, statement.expr)),
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
    // The sequential entry point (`exprflow::eval`) stays on this thread.
    let front = FrontEnd::serial(crate::syntax::DEFAULT_MAX_DEPTH);
    let root = build_one(&mut dag, text, 0, &Scope::new(), front)?;
    Ok((dag, root))
}
