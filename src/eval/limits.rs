//! Limits that bound what one evaluation may cost.

use std::time::Duration;

use crate::value::ValueLimits;

/// Resource limits of an evaluation (see SECURITY.md), given to
/// [`EngineBuilder::limits`](crate::EngineBuilder::limits).
///
/// ```
/// use std::time::Duration;
/// use exprflow::{Engine, ErrorKind, EvalLimits, ValueLimits};
/// let limits = EvalLimits {
///     value: ValueLimits { max_bits: 1 << 20 },
///     max_wait: Duration::from_secs(1),
/// };
/// let engine = Engine::builder().limits(limits).build().unwrap();
/// assert_eq!(engine.eval("2^(2^21)").unwrap_err().kind, ErrorKind::TooLarge);
/// assert_eq!(engine.eval("delay(1, 5000)").unwrap_err().kind, ErrorKind::Domain);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct EvalLimits {
    /// Bit limit of exact results (checked before computing).
    pub value: ValueLimits,
    /// Longest `delay` or `busy` a single node may ask for.
    pub max_wait: Duration,
}

impl Default for EvalLimits {
    fn default() -> Self {
        EvalLimits {
            value: ValueLimits::default(),
            max_wait: Duration::from_secs(3600),
        }
    }
}
