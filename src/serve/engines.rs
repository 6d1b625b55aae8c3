//! The engines runs go on: the default one (`-j N`, else one worker per
//! CPU), shared by every run that does not ask otherwise, and one per
//! other worker count a run asks for (`?workers=N`), made on first use
//! and kept. All have the command line's limits.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::{DagLimits, Engine, Error, EvalLimits};

/// The most workers a run may ask for with `?workers=N` beyond the
/// default pool's own count: each distinct count is a pool of its own,
/// kept for the server's life, so the count is bounded.
pub(super) const MAX_RUN_WORKERS: usize = 16;

/// How runs' engines are built: the command line's options.
#[derive(Clone, Debug, Default)]
pub(crate) struct EngineSettings {
    /// `-j N` (`None`: one worker per CPU).
    pub workers: Option<usize>,
    /// `--max-bits`, `--max-wait`.
    pub limits: EvalLimits,
    /// `--max-nodes`, `--max-bits`, `--max-memory`.
    pub dag_limits: DagLimits,
    /// `--max-depth`.
    pub max_depth: Option<usize>,
    /// `--no-fuse` (0).
    pub fuse_ns: Option<u64>,
    /// `--timeout`: each run gives up after this long.
    pub timeout: Option<Duration>,
}

/// The default engine and the others made so far.
pub(super) struct Engines {
    settings: EngineSettings,
    default: Engine,
    others: Mutex<HashMap<usize, Engine>>,
}

impl Engines {
    pub(super) fn new(settings: EngineSettings) -> Result<Engines, Error> {
        let default = build(&settings, settings.workers)?;
        Ok(Engines {
            settings,
            default,
            others: Mutex::new(HashMap::new()),
        })
    }

    /// The timeout every run gets.
    pub(super) fn timeout(&self) -> Option<Duration> {
        self.settings.timeout
    }

    /// The engine for a run asking for `workers` (`None`: the default).
    pub(super) fn get(&self, workers: Option<usize>) -> Result<Engine, String> {
        let Some(n) = workers.filter(|&n| n != self.default.workers()) else {
            return Ok(self.default.clone());
        };
        if n == 0 || n > MAX_RUN_WORKERS {
            return Err(format!(
                "workers: 1 to {MAX_RUN_WORKERS} (or the server's own {})",
                self.default.workers()
            ));
        }
        let mut others = self.others.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(engine) = others.get(&n) {
            return Ok(engine.clone());
        }
        let engine = build(&self.settings, Some(n)).map_err(|e| e.to_string())?;
        others.insert(n, engine.clone());
        Ok(engine)
    }
}

fn build(settings: &EngineSettings, workers: Option<usize>) -> Result<Engine, Error> {
    let mut builder = Engine::builder()
        .limits(settings.limits)
        .dag_limits(settings.dag_limits);
    if let Some(n) = workers {
        builder = builder.workers(n);
    }
    if let Some(depth) = settings.max_depth {
        builder = builder.max_depth(depth);
    }
    if let Some(ns) = settings.fuse_ns {
        builder = builder.fuse_ns(ns);
    }
    builder.build()
}
