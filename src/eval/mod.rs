//! DAG → values: the sequential reference evaluator and the parallel one
//! (futures on a rayon pool, completion events on crossbeam channels,
//! `delay` on a timer thread).

mod builder;
mod calls;
mod cancel;
mod compute;
mod cpu;
mod engine;
mod events;
mod future;
mod held;
mod host;
mod ids;
mod limits;
mod plan;
mod promise;
mod run;
mod sequential;
mod timer;

pub use builder::EngineBuilder;
pub use cancel::CancelToken;
pub(crate) use engine::single_expression;
pub use engine::{DEFAULT_FUSE_NS, Engine, MAX_WORKERS, SubmitOptions};
pub use events::{Lane, NodeEvent, NodeEvents, NodeInfo, NodeStart, NodeStarts};
pub use future::ExprFuture;
pub(crate) use host::{call_blocking, refuse_to_stall};
pub use limits::EvalLimits;
#[cfg(feature = "test-hooks")]
pub use run::RunShape;
pub(crate) use sequential::evaluate_quietly;
pub use sequential::evaluate_sequential;
pub(crate) use sequential::wait as wait_node;
