//! exprflow: arithmetic as a DAG of futures.
//!
//! An [`Engine`] parses text into one hash-consed graph (equal
//! subexpressions are computed once) and evaluates it on a worker pool:
//! [`Engine::eval`] blocks, [`Engine::submit`] returns an [`ExprFuture`] at
//! once (a [`std::future::Future`] as well), [`as_completed`] and [`wait`]
//! watch many futures as Python's `concurrent.futures` does
//! ([`as_completed_stream`] is `as_completed` for async code), and a
//! [`Session`] keeps variables and functions across statements. Values are
//! the exact numeric tower ([`Value`]); errors are typed ([`Error`] with an
//! [`ErrorKind`] and a [`Span`]). The library never prints.
//!
//! ```
//! use exprflow::{Engine, Value};
//! let engine = Engine::builder().workers(2).build().unwrap();
//! assert_eq!(engine.eval("(3+7)*(2+8)*((2*3)-1)").unwrap(), Value::from(500));
//! let future = engine.submit("fact(30) / fact(28)").unwrap();
//! assert_eq!(future.wait().unwrap(), Value::from(870));
//! let mut session = engine.session();
//! session.eval("f(x) = x^2").unwrap();
//! assert_eq!(session.eval("f(12)").unwrap(), Some(Value::from(144)));
//! assert_eq!(exprflow::eval("1/3 + 1/6").unwrap().to_string(), "0.5");
//! ```
//!
//! Everything public is re-exported here; the modules are private. The
//! `exprflow` command line (feature `cli`, on by default) lives in a hidden
//! module; build with `default-features = false` for the library alone.

#![warn(missing_docs)]

// What only the command line (and the crate's tests) use: a file's lines
// as one DAG, the run handle with progress and timeout, and the reports.
mod batch;
mod call_sites;
mod caret;
mod completed_stream;
mod dag;
mod error;
mod eval;
mod formula;
mod front_end;
#[cfg(any(feature = "cli", feature = "test-hooks", test))]
mod handle;
mod host;
mod model;
mod program;
#[cfg(feature = "report")]
mod report;
mod session;
mod split_parse;
mod syntax;
mod value;
mod wait;

#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;

// The live view (`exprflow serve`): only what the crate root exports.
#[cfg(feature = "serve")]
mod serve;

#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub mod testing;

pub use call_sites::{CallSite, Reach, call_sites};
pub use completed_stream::{AsCompletedStream, as_completed_stream};
pub use dag::{DagLimits, NodeId};
pub use error::{CallChain, Error, ErrorKind, Span};
pub use eval::{
    DEFAULT_FUSE_NS, Engine, EngineBuilder, EvalLimits, ExprFuture, Lane, MAX_WORKERS, NodeEvent,
    NodeEvents, NodeInfo, NodeStart, NodeStarts, SubmitOptions,
};
pub use formula::{Column, ColumnOutcome, ColumnValues, Formula};
pub use model::{Model, Recompute};
pub use program::{Program, ProgramLine};
#[cfg(feature = "report")]
pub use report::{Report, Stats};
pub use session::Session;
pub use syntax::Position;
pub use value::{Arity, Fault, Int, Rat, Value, ValueLimits};
pub use wait::{AsCompleted, Return, as_completed, wait};

/// Evaluates one expression sequentially, with default limits.
///
/// ```
/// assert_eq!(exprflow::eval("2^3^2").unwrap().to_string(), "512");
/// assert_eq!(exprflow::eval("1/0").unwrap_err().kind, exprflow::ErrorKind::DivisionByZero);
/// ```
pub fn eval(text: &str) -> Result<Value, Error> {
    let limits = eval::EvalLimits::default();
    let (dag, root) = eval::single_expression(text, limits.value)?;
    eval::evaluate_quietly(&dag, root, &limits, &eval::CancelToken::new())
}

/// The README's code, compiled and run as a doctest so it cannot rot;
/// likewise every page below (`tests/doc_pages.rs` checks that each
/// `docs/*.md` is listed here).
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// ARCHITECTURE.md's code.
#[doc = include_str!("../ARCHITECTURE.md")]
#[cfg(doctest)]
pub struct ArchitectureDoctests;

/// SECURITY.md's code.
#[doc = include_str!("../SECURITY.md")]
#[cfg(doctest)]
pub struct SecurityDoctests;

/// docs/python.md's code (none in Rust today; included so any added is
/// tested).
#[doc = include_str!("../docs/python.md")]
#[cfg(doctest)]
pub struct PythonDoctests;

/// docs/tutorial.md's code.
#[doc = include_str!("../docs/tutorial.md")]
#[cfg(doctest)]
pub struct TutorialDoctests;

/// docs/visualising.md's code.
#[doc = include_str!("../docs/visualising.md")]
#[cfg(doctest)]
pub struct VisualisingDoctests;
