//! A batch: one statement per line, all lines one DAG, so independent lines
//! run concurrently and shared subexpressions are computed once.

use std::sync::Arc;

use crate::dag::{Dag, DagLimits, NodeId, Scope};
use crate::error::{Error, ErrorKind, Span};
use crate::front_end::{BLOCK, FrontEnd, bind_failed};
use crate::split_parse::Split;
use crate::syntax::{Ast, DEFAULT_MAX_DEPTH, Statement, parse_statement};

/// One non-blank line of a batch.
#[derive(Clone, Debug)]
pub struct BatchLine {
    /// 1-based line number in the source.
    pub line: usize,
    /// The span of the line's text in [`Batch::source`].
    pub span: Span,
    /// The line's DAG node, or the error that kept it from having one.
    pub node: Result<NodeId, Error>,
    /// For a function definition, its signature (`f(x, y)`): what the
    /// line prints instead of a value (its node is a constant zero).
    pub signature: Option<Box<str>>,
}

/// A parsed batch: the source text, the shared DAG and the statement lines.
///
/// ```
/// let batch = exprflow::testing::Batch::parse(b"x = 2 + 3\n\n# comment\nx * x\n", Default::default());
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

/// How the lines of a block are parsed.
#[derive(Clone, Copy, PartialEq)]
enum Parse {
    /// On the parse pool, when the block is big enough; a huge line is
    /// split into chunks parsed on that pool (see `front_end`).
    Parallel(Split),
    #[cfg(any(test, feature = "cli", feature = "test-hooks"))]
    /// One after another on this thread (the reference).
    Serial,
}

/// A line's place in the source and whether it was valid UTF-8.
struct LineText<'b> {
    index: usize,
    raw: &'b [u8],
    span: Span,
    utf8: Result<(), Error>,
}

/// What parsing one line gave: its own syntax tree and statement.
type Parsed = Result<Option<(Ast, Statement)>, Error>;

/// A line of a block: parsed, or left for the split front end.
enum Line {
    Parsed(Parsed),
    Huge,
}

impl Batch {
    #[cfg(any(test, feature = "cli", feature = "test-hooks"))]
    /// Parses `bytes` line by line into one DAG. A line that is not valid
    /// UTF-8 (or holds a NUL) is a syntax error of that line only. Big
    /// batches parse their lines in parallel; the DAG, spans and errors are
    /// exactly those of [`Batch::parse_serial`].
    pub fn parse(bytes: &[u8], options: BatchOptions) -> Batch {
        Batch::parse_in(
            bytes,
            options,
            Dag::with_limits(options.dag),
            Parse::Parallel(Split::default()),
        )
    }

    /// Like [`parse`](Self::parse), with the host functions of `engine`
    /// (`options.dag` still gives the limits).
    ///
    /// ```
    /// let engine = exprflow::Engine::builder()
    ///     .function("twice", 1, |args: &[exprflow::Value]| Ok(args[0].clone()))
    ///     .build()
    ///     .unwrap();
    /// let batch = exprflow::testing::Batch::parse_on(&engine, b"twice(3)", Default::default());
    /// assert!(batch.lines[0].node.is_ok());
    /// ```
    pub fn parse_on(engine: &crate::Engine, bytes: &[u8], options: BatchOptions) -> Batch {
        let dag = Dag::with_limits(options.dag).with_host(Arc::clone(engine.host_functions()));
        Batch::parse_in(bytes, options, dag, Parse::Parallel(Split::default()))
    }

    #[cfg(any(test, feature = "cli", feature = "test-hooks"))]
    /// [`Batch::parse`] with every line parsed on this thread, one after
    /// another: the reference the parallel front end is tested against.
    ///
    /// ```
    /// let text = b"x = 1 + 2\nx * x\n1 +\n";
    /// let (a, b) = (
    ///     exprflow::testing::Batch::parse(text, Default::default()),
    ///     exprflow::testing::Batch::parse_serial(text, Default::default()),
    /// );
    /// assert_eq!(a.dag.len(), b.dag.len());
    /// assert_eq!(format!("{:?}", a.lines), format!("{:?}", b.lines));
    /// ```
    pub fn parse_serial(bytes: &[u8], options: BatchOptions) -> Batch {
        Batch::parse_in(bytes, options, Dag::with_limits(options.dag), Parse::Serial)
    }

    /// [`Batch::parse`] with every line of `bytes` split into chunks of
    /// about `grain` bytes where it can be, however short (test hook: the
    /// split front end on small inputs).
    #[cfg(feature = "test-hooks")]
    pub fn parse_split(bytes: &[u8], options: BatchOptions, grain: usize) -> Batch {
        let split = crate::front_end::split_all(grain);
        Batch::parse_in(
            bytes,
            options,
            Dag::with_limits(options.dag),
            Parse::Parallel(split),
        )
    }

    fn parse_in(bytes: &[u8], options: BatchOptions, mut dag: Dag, how: Parse) -> Batch {
        let (source, texts) = split_lines(bytes);
        let mut scope = Scope::new();
        let mut lines = Vec::new();
        let front = match how {
            Parse::Parallel(split) => FrontEnd {
                split: Some(split),
                ..FrontEnd::new(options.max_depth)
            },
            #[cfg(any(test, feature = "cli", feature = "test-hooks"))]
            Parse::Serial => FrontEnd::serial(options.max_depth),
        };
        let text_of =
            |line: &LineText<'_>| source.get(line.span.start..line.span.end).unwrap_or("");
        for block in texts.chunks(BLOCK) {
            let parse = |line: &LineText<'_>| -> Line {
                if line.utf8.is_ok() && front.may_split(text_of(line)) {
                    return Line::Huge;
                }
                Line::Parsed(parse_line(line, text_of(line), &options))
            };
            let parsed: Vec<Line> = front.parse_block(block, parse);
            for (line, parsed) in block.iter().zip(parsed) {
                let parsed = match parsed {
                    Line::Parsed(parsed) => parsed,
                    Line::Huge => {
                        let text = text_of(line);
                        let start = line.span.start;
                        match front.try_split(&mut dag, &scope, text, start) {
                            Some(node) => {
                                lines.push(BatchLine {
                                    line: line.index + 1,
                                    span: line.span,
                                    node,
                                    signature: None,
                                });
                                continue;
                            }
                            None => parse_line(line, text, &options),
                        }
                    }
                };
                if let Some(line) = add_line(&mut dag, &mut scope, line, parsed, &options) {
                    lines.push(line);
                }
            }
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

/// Parses one line on its own syntax tree.
fn parse_line(line: &LineText<'_>, text: &str, options: &BatchOptions) -> Parsed {
    line.utf8.clone()?;
    let mut ast = Ast::new();
    let statement = parse_statement(&mut ast, text, line.span.start, options.max_depth)?;
    Ok(statement.map(|statement| (ast, statement)))
}

/// The source as text (invalid UTF-8 replaced) and each line's place in it.
fn split_lines(bytes: &[u8]) -> (String, Vec<LineText<'_>>) {
    let mut source = String::with_capacity(bytes.len());
    let mut texts = Vec::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let offset = source.len();
        let utf8 = match std::str::from_utf8(raw) {
            Ok(text) => {
                source.push_str(text);
                Ok(())
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
        texts.push(LineText {
            index,
            raw,
            span: Span::new(offset, source.len()),
            utf8,
        });
        source.push('\n');
    }
    (source, texts)
}

/// Adds one parsed line to the DAG (in line order: assignments bind names
/// for the lines after it). `None` for a skipped blank line.
fn add_line(
    dag: &mut Dag,
    scope: &mut Scope,
    line: &LineText<'_>,
    parsed: Parsed,
    options: &BatchOptions,
) -> Option<BatchLine> {
    let span = line.span;
    let mut signature = None;
    let node = match parsed {
        Ok(None) if !options.blank_is_error => return None,
        Ok(None) => Err(Error::with_detail(
            ErrorKind::Syntax,
            span,
            "expected an expression",
        )),
        Ok(Some((ast, statement))) => {
            signature = statement.signature().map(String::into_boxed_str);
            dag.add_statement(&ast, &statement, scope)
        }
        Err(e) => {
            // Lossy decoding is enough to see `name = ...` in a line
            // whose invalid bytes come after the name.
            bind_failed(scope, &String::from_utf8_lossy(line.raw), &e);
            Err(e)
        }
    };
    Some(BatchLine {
        line: line.index + 1,
        span,
        node,
        signature,
    })
}
