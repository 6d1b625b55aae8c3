//! The engines the property tests compare the sequential reference with.

use exprflow::{Engine, EvalLimits};

/// Engines with 1 to `max_workers` workers, each with fusion off
/// (`fuse_ns(0)`) and on: the engine for `w` workers and fusion `fuse` is
/// at index `2 * (w - 1) + fuse`.
pub fn by_workers_and_fusion(max_workers: usize, limits: EvalLimits) -> Vec<Engine> {
    (0..2 * max_workers)
        .map(|i| {
            Engine::builder()
                .workers(i / 2 + 1)
                .fuse_ns(if i % 2 == 0 { 0 } else { 50_000 })
                .limits(limits)
                .build()
                .expect("engine")
        })
        .collect()
}
