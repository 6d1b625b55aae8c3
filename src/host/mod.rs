//! Host functions: Rust functions registered on an
//! [`EngineBuilder`](crate::eval::EngineBuilder) that the language calls
//! like built-ins (SPEC section 5).
//!
//! - `registry`: [`HostFn`] (a name, an arity, pure or volatile, sync or
//!   async) and [`HostFunctions`], the registry an engine's DAGs resolve
//!   names in.
//! - `call`: [`HostCall`], one call in progress: its future, polled on the
//!   pool when its waker fires, and the parties waiting for its outcome.
//! - `block`: running a call to the end on the calling thread (the
//!   sequential evaluator and calls inside function bodies).
//! - `runtime` (feature `tokio`): the tokio runtime entered around every
//!   poll of a call's future.
//!
//! This module knows values and futures only; spans, limits and the DAG
//! come in at `eval` (`eval::host`).

mod block;
mod call;
mod registry;
#[cfg(feature = "tokio")]
mod runtime;

pub use block::block_on;
#[cfg(any(test, feature = "test-hooks"))]
pub use call::Waiter;
pub use call::{HostCall, HostFault, HostOutcome, Joined};
#[cfg(any(test, feature = "test-hooks"))]
pub use registry::BoxFuture;
pub(crate) use registry::valid_name;
pub use registry::{HostFn, HostFunctions, Purity};
#[cfg(feature = "tokio")]
pub(crate) use runtime::TokioRuntime;
