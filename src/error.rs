//! The one error type of the library: a kind, a source span and a detail.

use std::fmt;

/// A half-open byte range `start..end` into the source text a statement came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte of the span.
    pub start: usize,
    /// One past the last byte of the span.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// What went wrong. The `Display` form is the exact leading words the spec
/// prescribes for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text is not a statement of the language.
    Syntax,
    /// A name that is neither a variable nor a constant.
    UnknownVariable,
    /// A call of a name that is not a built-in function.
    UnknownFunction,
    /// A built-in function called with the wrong number of arguments.
    WrongArity,
    /// Division, floor division, modulo or a negative power of zero.
    DivisionByZero,
    /// An argument outside a function's domain.
    Domain,
    /// An exact result over the bit limit, or a float overflow.
    TooLarge,
    /// A value that would take the big values alive at once past the
    /// memory budget (`DagLimits::max_held_bits`), or user-function calls
    /// whose expansion would grow the DAG past its node limit (a recursion
    /// that never ends). Its message starts with
    /// `result too large` like [`ErrorKind::TooLarge`], but it is about one
    /// evaluation (what else was alive at the time), not about the
    /// expression, so it is never remembered in the DAG.
    MemoryBudget,
    /// Parentheses or calls nested deeper than the limit.
    NestingTooDeep,
    /// The evaluation was cancelled.
    Cancelled,
    /// The evaluation did not finish within its timeout.
    TimedOut,
    /// An internal fault (a panic inside evaluation) caught and isolated.
    Internal,
    /// Cells of a [`Model`](crate::Model) that read each other in a
    /// circle: `cycle: a -> c -> b -> a`, each cell reading the next.
    Cycle,
    /// A blocking wait (`ExprFuture::wait`, `Engine::eval`, ...) on the
    /// thread that drives the current-thread tokio runtime the engine's
    /// async host functions run in (feature `tokio`): it would hang, as
    /// their timers and sockets need that thread. `.await` instead.
    WouldBlock,
}

impl ErrorKind {
    /// The leading words of every message of this kind.
    pub fn words(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax error",
            ErrorKind::UnknownVariable => "unknown variable",
            ErrorKind::UnknownFunction => "unknown function",
            ErrorKind::WrongArity => "wrong number of arguments",
            ErrorKind::DivisionByZero => "division by zero",
            ErrorKind::Domain => "domain error",
            ErrorKind::TooLarge | ErrorKind::MemoryBudget => "result too large",
            ErrorKind::NestingTooDeep => "nesting too deep",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::TimedOut => "timed out",
            ErrorKind::Internal => "internal error",
            ErrorKind::Cycle => "cycle",
            ErrorKind::WouldBlock => "would block",
        }
    }

    /// Whether an error of this kind says something about the expression itself
    /// (and so may be remembered), rather than about one particular run.
    pub fn is_deterministic(self) -> bool {
        !matches!(
            self,
            ErrorKind::Cancelled
                | ErrorKind::TimedOut
                | ErrorKind::Internal
                | ErrorKind::MemoryBudget
                | ErrorKind::WouldBlock
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.words())
    }
}

/// An error with its kind, the span of the subexpression that caused it, and
/// an optional detail. Displays as `kind` or `kind: detail`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Where, as a byte range of the source.
    pub span: Span,
    /// More words after the kind, if any.
    pub detail: Option<Box<str>>,
    /// For an error inside a function body: the calls that led to it,
    /// innermost first.
    pub calls: CallChain,
}

/// The calls an error inside a function body came through, innermost
/// first: the first [`CallChain::KEPT`] of them, and how many more. The
/// command line prints them as notes under the error; spans index the text
/// the error's own span does ([`Session::source`](crate::Session::source)
/// for a session).
///
/// ```
/// let mut session = exprflow::Session::new();
/// session.eval("inv(x) = 1 / x").unwrap();
/// session.eval("g(x) = inv(x - 1) * 2").unwrap();
/// let error = session.eval("3 + g(1)").unwrap_err();
/// assert_eq!(error.kind, exprflow::ErrorKind::DivisionByZero);
/// let calls: Vec<&str> = error.calls.notes.iter().map(|(_, call)| &**call).collect();
/// assert_eq!(calls, ["inv(0)", "g(1)"]);
/// assert_eq!(error.calls.more, 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallChain {
    /// The innermost calls, each `(span of the call, the call as text)`,
    /// e.g. the span of `inv(x)` and `inv(0)`.
    pub notes: Vec<(Span, Box<str>)>,
    /// Calls further out that are not kept.
    pub more: usize,
}

impl CallChain {
    /// How many calls a chain keeps.
    pub const KEPT: usize = 5;

    /// Adds the call one level further out.
    pub(crate) fn push(&mut self, span: Span, call: impl Into<Box<str>>) {
        if self.notes.len() < Self::KEPT {
            self.notes.push((span, call.into()));
        } else {
            self.more += 1;
        }
    }

    /// Whether the error did not come through any call.
    pub fn is_empty(&self) -> bool {
        self.notes.is_empty()
    }
}

impl Error {
    /// An error of `kind` at `span` with no detail.
    pub fn new(kind: ErrorKind, span: Span) -> Error {
        Error {
            kind,
            span,
            detail: None,
            calls: CallChain::default(),
        }
    }

    /// An error of `kind` at `span` with a detail.
    pub fn with_detail(kind: ErrorKind, span: Span, detail: impl Into<String>) -> Error {
        Error {
            kind,
            span,
            detail: Some(detail.into().into_boxed_str()),
            calls: CallChain::default(),
        }
    }

    /// The error a value-level fault becomes at `span`.
    pub fn from_fault(fault: crate::value::Fault, span: Span) -> Error {
        use crate::value::Fault;
        match fault {
            Fault::DivisionByZero => Error::new(ErrorKind::DivisionByZero, span),
            Fault::Domain(detail) => Error::with_detail(ErrorKind::Domain, span, detail),
            Fault::TooLarge(detail) => Error::with_detail(ErrorKind::TooLarge, span, detail),
        }
    }

    /// The message without its position, e.g. `domain error: sqrt of a negative number`.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{}: {}", self.kind, detail),
            None => write!(f, "{}", self.kind),
        }
    }
}
