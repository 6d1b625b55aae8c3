//! A batch: one statement per line, all lines one DAG, so independent lines
//! run concurrently and shared subexpressions are computed once.

use std::sync::Arc;

use crate::dag::{Binding, Dag, DagLimits, NodeId, Scope};
use crate::error::{Error, ErrorKind, Span};
use crate::syntax::{Ast, DEFAULT_MAX_DEPTH, parse_statement};

/// One non-blank line of a batch.
#[derive(Clone, Debug)]
pub struct BatchLine {
    /// 1-based line number in the source.
    pub line: usize,
    /// The span of the line's text in [`Batch::source`].
    pub span: Span,
    /// The variable the line assigns, if any.
    pub target: Option<Box<str>>,
    /// The line's DAG node, or the error that kept it from having one.
    pub node: Result<NodeId, Error>,
    /// For a function definition, its signature (`f(x, y)`): what the
    /// line prints instead of a value (its node is a constant zero).
    pub signature: Option<Box<str>>,
}

/// A parsed batch: the source text, the shared DAG and the statement lines.
///
/// ```
/// let batch = exprflow::Batch::parse(b"x = 2 + 3\n\n# comment\nx * x\n", Default::default());
/// assert_eq!(batch.lines.len(), 2);
/// assert_eq!(batch.lines[1].line, 4);
/// assert_eq!(batch.dag.len(), 4); // 2, 3, 2+3, x*x
/// ```
#[derive(Clone, Debug)]
pub struct Batch {
    /// The source as text (invalid UTF-8 replaced, for display).
    pub source: String,
    /// The DAG of all lines.
    pub dag: Arc<Dag>,
    /// The statements, in input order (blank and comment-only lines skipped).
    pub lines: Vec<BatchLine>,
}

/// Options for building a batch.
#[derive(Clone, Copy, Debug)]
pub struct BatchOptions {
    /// DAG limits (node count, literal bits, rebalancing).
    pub dag: DagLimits,
    /// Maximum nesting of parentheses.
    pub max_depth: usize,
    /// Whether a blank line is an error (for `eval` arguments) rather than skipped.
    pub blank_is_error: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            dag: DagLimits::default(),
            max_depth: DEFAULT_MAX_DEPTH,
            blank_is_error: false,
        }
    }
}

impl Batch {
    /// Parses `bytes` line by line into one DAG. A line that is not valid
    /// UTF-8 (or holds a NUL) is a syntax error of that line only.
    pub fn parse(bytes: &[u8], options: BatchOptions) -> Batch {
        Batch::parse_into(bytes, options, Dag::with_limits(options.dag))
    }

    /// Like [`parse`](Self::parse), with the host functions of `engine`
    /// (`options.dag` still gives the limits).
    ///
    /// ```
    /// let engine = exprflow::Engine::builder()
    ///     .function("twice", 1, |args: &[exprflow::Value]| Ok(args[0].clone()))
    ///     .build()
    ///     .unwrap();
    /// let batch = exprflow::Batch::parse_on(&engine, b"twice(3)", Default::default());
    /// assert!(batch.lines[0].node.is_ok());
    /// ```
    pub fn parse_on(engine: &crate::Engine, bytes: &[u8], options: BatchOptions) -> Batch {
        let dag = Dag::with_limits(options.dag).with_host(Arc::clone(engine.host_functions()));
        Batch::parse_into(bytes, options, dag)
    }

    fn parse_into(bytes: &[u8], options: BatchOptions, mut dag: Dag) -> Batch {
        let mut source = String::with_capacity(bytes.len());
        let mut scope = Scope::new();
        let mut ast = Ast::new();
        let mut lines = Vec::new();
        for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let offset = source.len();
            let parsed = match std::str::from_utf8(raw) {
                Ok(text) => {
                    source.push_str(text);
                    parse_statement(&mut ast, text, offset, options.max_depth)
                }
                Err(e) => {
                    source.push_str(&String::from_utf8_lossy(raw));
                    let at = offset + String::from_utf8_lossy(&raw[..e.valid_up_to()]).len();
                    Err(Error::with_detail(
                        ErrorKind::Syntax,
                        Span::new(at, at + 1),
                        "invalid UTF-8 in input",
                    ))
                }
            };
            let span = Span::new(offset, source.len());
            source.push('\n');
            let mut signature = None;
            let (target, node) = match parsed {
                Ok(None) if !options.blank_is_error => continue,
                Ok(None) => (
                    None,
                    Err(Error::with_detail(
                        ErrorKind::Syntax,
                        span,
                        "expected an expression",
                    )),
                ),
                Ok(Some(statement)) => {
                    signature = statement.signature().map(String::into_boxed_str);
                    let node = dag.add_statement(&ast, &statement, &mut scope);
                    (statement.target.map(|(name, _)| name), node)
                }
                Err(e) => {
                    // Lossy decoding is enough to see `name = ...` in a line
                    // whose invalid bytes come after the name.
                    let text = String::from_utf8_lossy(raw);
                    let target = crate::syntax::assignment_target(&text);
                    if let Some(name) = target {
                        scope.bind(name, Binding::Failed(e.clone()));
                    }
                    (target.map(Into::into), Err(e))
                }
            };
            lines.push(BatchLine {
                line: index + 1,
                span,
                target,
                node,
                signature,
            });
        }
        Batch {
            source,
            dag: Arc::new(dag),
            lines,
        }
    }

    /// The nodes of the lines that have one, in line order.
    pub fn roots(&self) -> Vec<NodeId> {
        self.lines
            .iter()
            .filter_map(|l| l.node.as_ref().ok().copied())
            .collect()
    }
}
