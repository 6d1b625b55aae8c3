//! Limits that bound what one evaluation may cost.

use std::time::Duration;

use crate::value::Limits;

/// Resource limits of an evaluation.
#[derive(Clone, Copy, Debug)]
pub struct EvalLimits {
    /// Bit limit of exact results (checked before computing).
    pub value: Limits,
    /// Longest `delay` or `busy` a single node may ask for.
    pub max_wait: Duration,
}

impl Default for EvalLimits {
    fn default() -> Self {
        EvalLimits {
            value: Limits::default(),
            max_wait: Duration::from_secs(3600),
        }
    }
}
