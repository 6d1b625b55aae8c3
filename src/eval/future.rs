//! `ExprFuture`: the handle to one submitted expression, in the manner of
//! Python's `concurrent.futures.Future`.

use std::sync::Arc;
use std::time::Duration;

use super::events::{NodeEvents, NodeInfo, NodeStarts};
use super::promise::Promise;
use super::run::Run;
#[cfg(feature = "test-hooks")]
use super::run::RunShape;
use crate::dag::NodeId;
use crate::error::{Error, ErrorKind};
use crate::value::Value;

/// A submitted expression whose outcome will be known later.
///
/// Dropping the future (or calling [`cancel`](Self::cancel)) gives up its
/// interest: work that no other future needs is stopped, `delay` timers
/// included.
///
/// ```
/// let engine = exprflow::Engine::with_workers(2).unwrap();
/// let future = engine.submit("(3+7)*(2+8)*((2*3)-1)").unwrap();
/// assert_eq!(future.wait().unwrap().to_string(), "500");
/// assert!(future.is_done());
/// ```
pub struct ExprFuture {
    pub(crate) state: Arc<Promise>,
    pub(crate) run: Option<Arc<Run>>,
    pub(crate) index: usize,
}

impl ExprFuture {
    /// The DAG node this future computes.
    pub fn node(&self) -> NodeId {
        self.state.node
    }

    /// Whether the outcome is known (value, error, or cancellation).
    pub fn is_done(&self) -> bool {
        self.state.get().is_some()
    }

    /// The outcome if it is known, without waiting.
    pub fn try_get(&self) -> Option<&Result<Value, Error>> {
        self.state.get()
    }

    /// Blocks until the outcome is known and returns it. On the thread
    /// that drives a current-thread tokio runtime the engine's async host
    /// functions run in, this is the error `would block` instead (see
    /// [`EngineBuilder::tokio_handle`](crate::EngineBuilder)): `.await` there.
    pub fn wait(&self) -> Result<Value, Error> {
        self.refuse_to_stall()?;
        match self.state.wait_until(None) {
            Some(outcome) => outcome.clone(),
            None => Err(self.error(ErrorKind::Internal)),
        }
    }

    /// Waits at most `timeout`. On expiry the evaluation goes on (as with
    /// Python's `Future.result(timeout)`) and a `timed out` error is returned;
    /// call [`cancel`](Self::cancel) to stop it.
    /// Like [`wait`](Self::wait), it refuses to block a thread that drives
    /// the engine's current-thread tokio runtime.
    pub fn wait_timeout(&self, timeout: Duration) -> Result<Value, Error> {
        self.refuse_to_stall()?;
        match self.state.wait_for(timeout) {
            Some(outcome) => outcome.clone(),
            None => Err(self.error(ErrorKind::TimedOut)),
        }
    }

    /// Cancels the evaluation if it is still running: the future resolves
    /// to a `cancelled` error and work nobody else needs stops.
    /// Returns whether this call cancelled it.
    pub fn cancel(&self) -> bool {
        self.cancel_as(ErrorKind::Cancelled)
    }

    /// Like [`cancel`](Self::cancel), resolving with an error of `kind`
    /// (e.g. `timed out` when a deadline passed).
    pub(crate) fn cancel_as(&self, kind: ErrorKind) -> bool {
        if self.is_done() {
            return false;
        }
        match &self.run {
            Some(run) => run.cancel_future(self.index, self.error(kind)),
            None => self.state.resolve(Err(self.error(kind))),
        }
    }

    /// Calls `callback` with the outcome when it is known: at once, on this
    /// thread, if it already is; otherwise on the thread that resolves it.
    pub fn on_complete(&self, callback: impl FnOnce(&Result<Value, Error>) + Send + 'static) {
        self.state.on_complete(callback);
    }

    /// The node completions of this future's run, in completion order (the
    /// `as_completed` of `concurrent.futures`), if it was submitted with
    /// events on. Shared by all futures of one submission.
    pub fn completions(&self) -> Option<NodeEvents> {
        self.run.as_ref().and_then(|r| r.events()).map(NodeEvents)
    }

    /// The starts of work in this future's run, as they happen, if it was
    /// submitted with [`SubmitOptions::starts`](crate::SubmitOptions::starts)
    /// (and events) on. Shared by all futures of one submission.
    ///
    /// ```
    /// use exprflow::{Engine, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let options = SubmitOptions { events: true, starts: true, ..Default::default() };
    /// let future = engine.submit_with("delay(7, 50)", options).unwrap();
    /// let start = future.starts().unwrap().recv_timeout(std::time::Duration::from_secs(20));
    /// assert_eq!(start.unwrap().node, future.node()); // before the delay is over
    /// assert!(engine.submit("1+1").unwrap().starts().is_none());
    /// ```
    pub fn starts(&self) -> Option<NodeStarts> {
        self.run.as_ref().and_then(|r| r.starts()).map(NodeStarts)
    }

    /// What `node` of this future's run is: its operation, its place in the
    /// text and (once computed) its outcome; `None` for a node not in the
    /// run's DAG. For reading [`NodeEvent`](crate::NodeEvent)s.
    ///
    /// ```
    /// use exprflow::{Engine, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let text = "(1+2)*sqrt(16)";
    /// let options = SubmitOptions { events: true, ..Default::default() };
    /// let future = engine.submit_with(text, options).unwrap();
    /// future.wait().unwrap();
    /// for event in future.completions().unwrap().try_iter() {
    ///     let info = future.node_info(event.node).unwrap();
    ///     let value = info.outcome.unwrap().unwrap();
    ///     println!("{} {} = {value}", info.label, &text[info.span.start..info.span.end]);
    /// }
    /// let root = future.node_info(future.node()).unwrap();
    /// assert_eq!((root.label.as_str(), root.span.start, root.span.end), ("*", 0, text.len()));
    /// assert_eq!(root.outcome.unwrap().unwrap().to_string(), "12");
    /// ```
    pub fn node_info(&self, node: NodeId) -> Option<NodeInfo> {
        let dag = self.run.as_ref()?.dag();
        if node.index() >= dag.len() {
            return None;
        }
        Some(crate::program::node_info(dag, node))
    }

    /// The pictures and figures of this future's evaluation (DOT, Chrome
    /// trace JSON, an SVG timeline, [`Stats`](crate::Stats)), once it has
    /// finished; `None` before that, or when it was not submitted with
    /// [`SubmitOptions::events`](crate::SubmitOptions::events). Reading
    /// [`completions`](Self::completions) does not take events from it.
    /// Feature `report` (on by default).
    ///
    /// ```
    /// use exprflow::{Engine, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let options = SubmitOptions { events: true, ..Default::default() };
    /// let future = engine.submit_with("busy(1, 2) * busy(2, 2)", options).unwrap();
    /// future.wait().unwrap();
    /// let report = future.report().unwrap();
    /// std::fs::write(std::env::temp_dir().join("run.svg"), report.timeline_svg()).unwrap();
    /// assert_eq!(report.stats().workers, 2);
    ///
    /// let quiet = engine.submit("1+2").unwrap(); // no events: no report
    /// quiet.wait().unwrap();
    /// assert!(quiet.report().is_none());
    /// ```
    #[cfg(feature = "report")]
    pub fn report(&self) -> Option<crate::Report> {
        if !self.is_done() {
            return None;
        }
        let recording = self.run.as_ref()?.recording(self.index)?;
        let trace =
            crate::report::Trace::from_events(recording.events, recording.workers, recording.wall);
        Some(crate::Report::new(
            recording.dag,
            vec![self.node()],
            trace,
            recording.source,
        ))
    }

    /// How this future's run was planned (nodes to compute, tasks), or
    /// `None` if nothing needed computing (feature `test-hooks`).
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn shape(&self) -> Option<RunShape> {
        self.run.as_ref().map(|r| r.shape())
    }

    /// `Err(would block)` when blocking this thread could hang it.
    fn refuse_to_stall(&self) -> Result<(), Error> {
        match &self.run {
            Some(run) => {
                super::refuse_to_stall(run.dag().host_functions(), run.span_of(self.state.node))
            }
            None => Ok(()),
        }
    }

    fn error(&self, kind: ErrorKind) -> Error {
        let span = self
            .run
            .as_ref()
            .map(|r| r.span_of(self.state.node))
            .unwrap_or_default();
        Error::new(kind, span)
    }
}

impl std::fmt::Debug for ExprFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExprFuture")
            .field("outcome", &self.try_get())
            .finish_non_exhaustive()
    }
}

impl Drop for ExprFuture {
    fn drop(&mut self) {
        if !self.is_done()
            && let Some(run) = &self.run
        {
            run.cancel_future(
                self.index,
                Error::new(ErrorKind::Cancelled, run.span_of(self.state.node)),
            );
        }
    }
}

/// Awaiting an `ExprFuture` (under tokio, async-std, `futures::executor` or
/// any executor) gives its outcome. The evaluation runs on the engine's
/// pool whether or not it is polled; polling stores the task's latest
/// waker, which is woken once when the outcome is known.
///
/// ```
/// let engine = exprflow::Engine::with_workers(2).unwrap();
/// let future = engine.submit("2^10").unwrap();
/// let value = futures::executor::block_on(future).unwrap();
/// assert_eq!(value.to_string(), "1024");
/// ```
impl std::future::Future for ExprFuture {
    type Output = Result<Value, Error>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        match self.state.poll_with(cx.waker()) {
            Some(outcome) => std::task::Poll::Ready(outcome.clone()),
            None => std::task::Poll::Pending,
        }
    }
}
