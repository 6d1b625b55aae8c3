//! [`Program`]: statements, one per line, as `exprflow batch` reads them,
//! submitted as one run (the whole text is one DAG, so independent lines
//! run concurrently), watched line by line and node by node.

use std::sync::Arc;

use crate::batch::{Batch, BatchOptions};
use crate::dag::{Dag, NodeId};
use crate::error::{Error, Span};
use crate::eval::{Engine, ExprFuture, NodeEvents, NodeInfo, NodeStarts, SubmitOptions};
use crate::syntax::{LineIndex, Position};
use crate::value::Value;

/// One statement of a [`Program`]: a non-blank, non-comment line.
#[derive(Debug)]
pub struct ProgramLine {
    /// The line's number in the text, from 1.
    pub line: usize,
    /// Where the line is in [`Program::source`] (without its newline).
    pub span: Span,
    /// For a function definition, its signature (`f(x, y)`): what the line
    /// shows instead of a value (its future resolves to 0).
    pub signature: Option<String>,
    /// The line's future, or the error that kept it from having one (a
    /// syntax error, invalid UTF-8).
    pub future: Result<ExprFuture, Error>,
}

/// A submitted program: every line's future, the DAG the lines share, and
/// (with [`SubmitOptions::events`]) the run's events. Made by
/// [`Engine::submit_program`]. Dropping it cancels what is still running.
///
/// ```
/// use exprflow::{Engine, SubmitOptions};
/// let engine = Engine::with_workers(2).unwrap();
/// let program = engine.submit_program("x = 3 + 7\n\n# square it\nx * x\n1 +", SubmitOptions::default());
/// let lines = program.lines();
/// assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), [1, 4, 5]);
/// assert_eq!(lines[1].future.as_ref().unwrap().wait().unwrap().to_string(), "100");
/// let error = lines[2].future.as_ref().unwrap_err();
/// assert_eq!(program.position(error.span.start).to_string(), "5:4");
/// assert_eq!(program.text(lines[0].span), "x = 3 + 7");
/// ```
#[derive(Debug)]
pub struct Program {
    source: String,
    index: LineIndex,
    dag: Arc<Dag>,
    lines: Vec<ProgramLine>,
}

impl Engine {
    /// Parses `text` as a program (one statement per line, blank and
    /// comment lines skipped, as `exprflow batch` reads a file: variables
    /// and functions defined on a line serve the lines after it) and starts
    /// evaluating every line at once, as one DAG on this engine's pool.
    /// Invalid UTF-8 or a syntax error is the error of its line only.
    ///
    /// ```
    /// use exprflow::{Engine, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let program = engine.submit_program("f(x) = x^2\nf(12)", SubmitOptions::default());
    /// let lines = program.lines();
    /// assert_eq!(lines[0].signature.as_deref(), Some("f(x)"));
    /// let outcomes = program.wait();
    /// assert_eq!(outcomes[1].as_ref().unwrap().to_string(), "144");
    /// ```
    pub fn submit_program(&self, text: impl AsRef<[u8]>, options: SubmitOptions) -> Program {
        let batch_options = BatchOptions {
            dag: *self.dag_limits(),
            max_depth: self.max_depth(),
            blank_is_error: false,
        };
        let batch = Batch::parse_on(self, text.as_ref(), batch_options);
        // The text only matters to a report, which needs events.
        let source = options.events.then(|| Arc::from(batch.source.as_str()));
        let mut futures = self
            .submit_run(&batch.dag, &batch.roots(), options, source)
            .into_iter();
        let lines = batch
            .lines
            .into_iter()
            .map(|line| ProgramLine {
                line: line.line,
                span: line.span,
                signature: line.signature.map(String::from),
                future: line.node.and_then(|_| {
                    futures
                        .next()
                        .ok_or_else(|| Error::new(crate::ErrorKind::Internal, line.span))
                }),
            })
            .collect();
        Program {
            index: LineIndex::new(&batch.source),
            source: batch.source,
            dag: batch.dag,
            lines,
        }
    }
}

impl Program {
    /// The program's text (invalid UTF-8 replaced); spans index into it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The text of `span` (empty if it is not within the source).
    pub fn text(&self, span: Span) -> &str {
        self.source.get(span.start..span.end).unwrap_or("")
    }

    /// The statements, in line order.
    pub fn lines(&self) -> &[ProgramLine] {
        &self.lines
    }

    /// The 1-based line and column (in characters) of byte `offset` of
    /// the source, as error reports show it.
    pub fn position(&self, offset: usize) -> Position {
        self.index.position(&self.source, offset)
    }

    /// The caret report of `error` (an error of this program, its span
    /// indexing [`source`](Self::source)), as [`Error::report`] gives it
    /// with `origin` naming the text, without indexing the source again.
    ///
    /// ```
    /// use exprflow::{Engine, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let program = engine.submit_program("1 + 1\n2 * (1/0)", SubmitOptions::default());
    /// let error = program.wait().remove(1).unwrap_err();
    /// assert_eq!(program.error_report(&error, "run"), error.report(program.source(), "run"));
    /// assert!(program.error_report(&error, "run").ends_with("2 | 2 * (1/0)\n  |     ^^^^^\n"));
    /// ```
    pub fn error_report(&self, error: &Error, origin: &str) -> String {
        let mut text = crate::caret::render_error(error, &self.source, &self.index, origin);
        text.push_str(&crate::caret::call_notes(error, &self.index));
        text
    }

    /// Every node of the program's DAG, in id order: entry `i` describes
    /// the node whose [`NodeId::index`] is `i`, and each node's inputs come
    /// before it. Outcomes are those known now.
    ///
    /// ```
    /// use exprflow::{Engine, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let program = engine.submit_program("(1+2)*(1+2)", SubmitOptions::default());
    /// program.wait();
    /// let graph = program.graph();
    /// let labels: Vec<&str> = graph.iter().map(|n| n.label.as_str()).collect();
    /// assert_eq!(labels, ["const", "const", "+", "*"]); // 1+2 is one node
    /// let root = graph.last().unwrap();
    /// assert_eq!(root.inputs.iter().map(|i| i.index()).collect::<Vec<_>>(), [2, 2]);
    /// ```
    pub fn graph(&self) -> Vec<NodeInfo> {
        (0..self.dag.len())
            .map(|i| node_info(&self.dag, NodeId::new(i)))
            .collect()
    }

    /// What `node` is (see [`graph`](Self::graph)); `None` for a node not
    /// in the program's DAG.
    pub fn node_info(&self, node: NodeId) -> Option<NodeInfo> {
        (node.index() < self.dag.len()).then(|| node_info(&self.dag, node))
    }

    /// The run's node completions (see [`ExprFuture::completions`]), if it
    /// was submitted with events and some line has a future.
    pub fn completions(&self) -> Option<NodeEvents> {
        self.futures().next().and_then(ExprFuture::completions)
    }

    /// The run's starts of work (see [`ExprFuture::starts`]), if it was
    /// submitted with events and starts and some line has a future.
    pub fn starts(&self) -> Option<NodeStarts> {
        self.futures().next().and_then(ExprFuture::starts)
    }

    /// Whether every line's outcome is known.
    pub fn is_done(&self) -> bool {
        self.futures().all(ExprFuture::is_done)
    }

    /// Cancels every line still running: each resolves to a `cancelled`
    /// error and the run's work stops. Returns whether any was cancelled.
    ///
    /// ```
    /// use exprflow::{Engine, ErrorKind, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let program = engine.submit_program("delay(1, 60000)\n2", SubmitOptions::default());
    /// program.lines()[1].future.as_ref().unwrap().wait().unwrap();
    /// assert!(program.cancel());
    /// assert_eq!(program.wait()[0].as_ref().unwrap_err().kind, ErrorKind::Cancelled);
    /// ```
    pub fn cancel(&self) -> bool {
        self.futures()
            .map(ExprFuture::cancel)
            .fold(false, |any, cancelled| any | cancelled)
    }

    /// Waits for every line and returns their outcomes in line order (a
    /// line without a future gives its error).
    pub fn wait(&self) -> Vec<Result<Value, Error>> {
        self.lines
            .iter()
            .map(|line| match &line.future {
                Ok(future) => future.wait(),
                Err(e) => Err(e.clone()),
            })
            .collect()
    }

    /// The pictures and figures of the whole run, every line's DAG in
    /// one (DOT, Chrome trace, SVG timeline, stats), once every line is
    /// done; `None` before, or without [`SubmitOptions::events`], or when
    /// no line has a future. Feature `report` (on by default).
    ///
    /// ```
    /// use exprflow::{Engine, SubmitOptions};
    /// let engine = Engine::with_workers(2).unwrap();
    /// let options = SubmitOptions { events: true, ..Default::default() };
    /// let program = engine.submit_program("a = busy(1, 5)\nb = busy(2, 5)\na + b", options);
    /// program.wait();
    /// let report = program.report().unwrap();
    /// assert!(report.trace_json().contains("busy"));
    /// assert!(report.stats().wall >= std::time::Duration::from_millis(5));
    /// ```
    #[cfg(feature = "report")]
    pub fn report(&self) -> Option<crate::Report> {
        if !self.is_done() {
            return None;
        }
        let roots: Vec<NodeId> = self.futures().map(ExprFuture::node).collect();
        // Every line is done: the recording of the last to resolve holds
        // every event, and its wall time is the run's.
        let recording = self
            .futures()
            .enumerate()
            .filter_map(|(i, f)| f.run.as_ref()?.recording(i))
            .max_by_key(|recording| recording.wall)?;
        let trace =
            crate::report::Trace::from_events(recording.events, recording.workers, recording.wall);
        Some(crate::Report::new(
            recording.dag,
            roots,
            trace,
            recording.source,
        ))
    }

    fn futures(&self) -> impl Iterator<Item = &ExprFuture> {
        self.lines
            .iter()
            .filter_map(|line| line.future.as_ref().ok())
    }
}

/// What node `id` of `dag` is.
pub(crate) fn node_info(dag: &Dag, id: NodeId) -> NodeInfo {
    let node = dag.node(id);
    NodeInfo {
        label: node.op.label().to_string(),
        span: node.span(),
        outcome: dag.result(id).map(std::borrow::Cow::into_owned),
        inputs: node.inputs.to_vec(),
    }
}
