//! Recording per-node events of a run, when asked for.

#[cfg(feature = "report")]
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::super::events::{Lane, NodeEvent, NodeStart};
use crate::dag::{NodeId, Outcome};

/// The run's clock and, when recording, its event channel.
pub(super) struct Recorder {
    began: Instant,
    events: Option<(Sender<NodeEvent>, Receiver<NodeEvent>)>,
    /// Every event again, for the run's pictures (feature `report`): the
    /// channel above is read once by whoever watches the run, this one by
    /// [`Recorder::recorded`], which keeps what it read in `kept`. A
    /// channel send (not a lock) is all a worker pays.
    #[cfg(feature = "report")]
    log: Option<Log>,
    /// When recording and asked for, the starts of tasks
    /// ([`SubmitOptions::starts`](crate::SubmitOptions::starts)).
    starts: Option<(Sender<NodeStart>, Receiver<NodeStart>)>,
}

/// The events kept for pictures and when each future resolved.
#[cfg(feature = "report")]
struct Log {
    sender: Sender<NodeEvent>,
    receiver: Receiver<NodeEvent>,
    kept: Mutex<Vec<NodeEvent>>,
    /// When each root's future resolved, since the run began.
    resolved: Box<[OnceLock<Duration>]>,
}

impl Recorder {
    /// A recorder for a run of `roots` roots, recording events if `record`
    /// (and the starts of tasks too if `starts`).
    pub(super) fn new(record: bool, starts: bool, for_report: bool, roots: usize) -> Recorder {
        #[cfg(not(feature = "report"))]
        let _ = (for_report, roots);
        Recorder {
            began: Instant::now(),
            events: record.then(crossbeam_channel::unbounded),
            starts: (record && starts).then(crossbeam_channel::unbounded),
            #[cfg(feature = "report")]
            log: (record && for_report).then(|| {
                let (sender, receiver) = crossbeam_channel::unbounded();
                Log {
                    sender,
                    receiver,
                    kept: Mutex::new(Vec::new()),
                    resolved: (0..roots).map(|_| OnceLock::new()).collect(),
                }
            }),
        }
    }

    /// The starts of tasks, in the order they began.
    pub(super) fn starts(&self) -> Option<Receiver<NodeStart>> {
        self.starts.as_ref().map(|(_, r)| r.clone())
    }

    /// Records that the work of `node` began on `lane` at `at`.
    pub(super) fn started(&self, node: NodeId, lane: Lane, at: Duration) {
        if let Some((sender, _)) = &self.starts {
            let _ = sender.send(NodeStart { node, lane, at });
        }
    }

    /// When the run began.
    pub(super) fn began(&self) -> Instant {
        self.began
    }

    /// Time since the run began.
    pub(super) fn now(&self) -> Duration {
        self.began.elapsed()
    }

    pub(super) fn is_on(&self) -> bool {
        self.events.is_some()
    }

    /// The events, in completion order.
    pub(super) fn receiver(&self) -> Option<Receiver<NodeEvent>> {
        self.events.as_ref().map(|(_, r)| r.clone())
    }

    /// Records that `node` ran on `lane` from `start` until now.
    pub(super) fn emit(&self, node: NodeId, start: Duration, outcome: &Outcome, lane: Lane) {
        self.send(NodeEvent {
            node,
            lane,
            start,
            end: self.now(),
            ok: outcome.is_ok(),
        });
    }

    /// Records `event` as it is.
    pub(super) fn send(&self, event: NodeEvent) {
        if let Some((sender, _)) = &self.events {
            let _ = sender.send(event);
        }
        #[cfg(feature = "report")]
        if let Some(log) = &self.log {
            let _ = log.sender.send(event);
        }
    }

    /// Notes that root `index`'s future resolves now (the first time only).
    pub(super) fn resolving(&self, index: usize) {
        #[cfg(feature = "report")]
        if let Some(slot) = self.log.as_ref().and_then(|log| log.resolved.get(index)) {
            let _ = slot.set(self.now());
        }
        #[cfg(not(feature = "report"))]
        let _ = index;
    }

    /// Every event recorded so far, in completion order, and when root
    /// `index`'s future resolved (`None` if it has not, or nothing is
    /// recorded).
    #[cfg(feature = "report")]
    pub(super) fn recorded(&self, index: usize) -> Option<(Vec<NodeEvent>, Duration)> {
        let log = self.log.as_ref()?;
        let wall = *log.resolved.get(index)?.get()?;
        let mut kept = log.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.extend(log.receiver.try_iter());
        Some((kept.clone(), wall))
    }
}
