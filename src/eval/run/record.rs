//! Recording per-node events of a run, when asked for.

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::super::events::{Lane, NodeEvent};
use crate::dag::{NodeId, Outcome};

/// The run's clock and, when recording, its event channel.
pub(super) struct Recorder {
    began: Instant,
    events: Option<(Sender<NodeEvent>, Receiver<NodeEvent>)>,
}

impl Recorder {
    pub(super) fn new(record: bool) -> Recorder {
        Recorder {
            began: Instant::now(),
            events: record.then(crossbeam_channel::unbounded),
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
    }
}
