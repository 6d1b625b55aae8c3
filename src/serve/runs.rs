//! The runs the server keeps (the 64 most recent) and each run's event
//! log: what its nodes did, in order, for subscribers who come late as
//! well as for those who watch live.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use crate::{Lane, NodeId, Program};

/// How many runs are kept; starting one more forgets (and, if it still
/// runs, cancels) the oldest.
pub(super) const KEPT: usize = 64;

/// A run's id: `r1`, `r2`, ... in the order the server started them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RunId(u64);

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "r{}", self.0)
    }
}

impl std::str::FromStr for RunId {
    type Err = ();
    fn from_str(s: &str) -> Result<RunId, ()> {
        let digits = s.strip_prefix('r').ok_or(())?;
        if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        digits.parse().map(RunId).map_err(|_| ())
    }
}

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RunState {
    Running,
    Done,
    Cancelled,
}

impl RunState {
    pub(super) fn name(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Done => "done",
            RunState::Cancelled => "cancelled",
        }
    }
}

/// What happened to a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NodeState {
    Started,
    Finished,
    Failed,
    Cancelled,
}

impl NodeState {
    pub(super) fn name(self) -> &'static str {
        match self {
            NodeState::Started => "started",
            NodeState::Finished => "finished",
            NodeState::Failed => "failed",
            NodeState::Cancelled => "cancelled",
        }
    }
}

/// One entry of the log: `node` reached `state` on `lane` at `at` (since
/// the run began). Values are looked up in the program when sent.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    pub node: NodeId,
    pub state: NodeState,
    pub lane: Lane,
    pub at: Duration,
}

/// How a run ended.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ending {
    pub state: RunState,
    pub wall: Duration,
}

/// A run's events so far and, once over, how it ended.
#[derive(Default)]
pub(super) struct Log {
    pub entries: Vec<Entry>,
    pub ending: Option<Ending>,
}

/// One run: its program, its log, and the signal subscribers wait on.
pub(super) struct LiveRun {
    pub id: RunId,
    pub program: Program,
    pub workers: usize,
    log: Mutex<Log>,
    /// Bumped whenever the log grows or ends.
    changed: tokio::sync::watch::Sender<u64>,
    cancel_asked: AtomicBool,
    /// The graph's JSON, made once when first asked for.
    pub graph_json: OnceLock<Arc<str>>,
    /// The figures of the run once over, made once when first asked for.
    pub stats: OnceLock<serde_json::Value>,
}

impl LiveRun {
    pub(super) fn new(id: RunId, program: Program, workers: usize) -> LiveRun {
        LiveRun {
            id,
            program,
            workers,
            log: Mutex::new(Log::default()),
            changed: tokio::sync::watch::Sender::new(0),
            cancel_asked: AtomicBool::new(false),
            graph_json: OnceLock::new(),
            stats: OnceLock::new(),
        }
    }

    pub(super) fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends `entries` and wakes the subscribers.
    pub(super) fn record(&self, entries: impl IntoIterator<Item = Entry>) {
        let before = {
            let mut log = self.log();
            let before = log.entries.len();
            log.entries.extend(entries);
            before != log.entries.len()
        };
        if before {
            self.changed.send_modify(|n| *n += 1);
        }
    }

    /// Marks the run over and wakes the subscribers.
    pub(super) fn end(&self, wall: Duration) {
        let state = if self.cancel_asked.load(Ordering::SeqCst) {
            RunState::Cancelled
        } else {
            RunState::Done
        };
        self.log().ending = Some(Ending { state, wall });
        self.changed.send_modify(|n| *n += 1);
    }

    /// A receiver that wakes when the log changes.
    pub(super) fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Cancels what still runs (`DELETE`); the run ends `cancelled` unless
    /// it was over already.
    pub(super) fn cancel(&self) {
        if self.log().ending.is_none() {
            self.cancel_asked.store(true, Ordering::SeqCst);
        }
        self.program.cancel();
    }

    pub(super) fn state(&self) -> RunState {
        self.log().ending.map_or(RunState::Running, |e| e.state)
    }
}

/// The runs kept, oldest first.
#[derive(Default)]
pub(super) struct Runs {
    next: AtomicU64,
    kept: Mutex<VecDeque<Arc<LiveRun>>>,
}

impl Runs {
    /// A new run's id.
    pub(super) fn next_id(&self) -> RunId {
        RunId(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// Keeps `run`, forgetting (and cancelling) the oldest past [`KEPT`].
    pub(super) fn add(&self, run: Arc<LiveRun>) {
        let forgotten: Vec<Arc<LiveRun>> = {
            let mut kept = self.lock();
            kept.push_back(run);
            let excess = kept.len().saturating_sub(KEPT);
            kept.drain(..excess).collect()
        };
        for run in forgotten {
            run.cancel();
        }
    }

    pub(super) fn get(&self, id: &str) -> Option<Arc<LiveRun>> {
        let id: RunId = id.parse().ok()?;
        self.lock().iter().find(|r| r.id == id).cloned()
    }

    /// The runs kept, newest first.
    pub(super) fn list(&self) -> Vec<Arc<LiveRun>> {
        self.lock().iter().rev().cloned().collect()
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<Arc<LiveRun>>> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::RunId;

    #[test]
    fn run_ids_parse_only_their_own_form() {
        assert_eq!("r12".parse::<RunId>(), Ok(RunId(12)));
        assert_eq!(RunId(7).to_string(), "r7");
        for bad in [
            "",
            "r",
            "12",
            "r-1",
            "r1x",
            "r99999999999999999999",
            "R1",
            "r+1",
        ] {
            assert!(bad.parse::<RunId>().is_err(), "{bad}");
        }
    }
}
