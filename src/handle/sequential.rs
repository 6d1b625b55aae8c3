//! The sequential reference evaluator on a thread of its own, reporting
//! each node and each root as it finishes.

use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::{Receiver, RecvTimeoutError};

use crate::dag::{Dag, NodeId, Outcome};
use crate::error::{Error, ErrorKind};
use crate::eval::{CancelToken, EvalLimits, NodeEvent, evaluate_quietly, evaluate_sequential};

/// What the evaluating thread reports.
pub(super) enum Message {
    /// A node finished (times since the run began).
    Node(NodeEvent),
    /// Root `k` resolved.
    Root(usize, Outcome),
}

/// The evaluating thread, or why there is none.
pub(super) struct Thread {
    token: CancelToken,
    receiver: Receiver<Message>,
    /// Why the thread could not start, if it could not.
    failed: Option<String>,
}

impl Thread {
    /// Starts evaluating `roots` one after another; with `report_nodes`,
    /// each node computed is a [`Message::Node`] too.
    pub(super) fn start(
        dag: &Arc<Dag>,
        roots: &[NodeId],
        limits: EvalLimits,
        report_nodes: bool,
    ) -> Thread {
        let token = CancelToken::new();
        let (sender, receiver) = crossbeam_channel::unbounded();
        let dag = Arc::clone(dag);
        let roots = roots.to_vec();
        let cancel = token.clone();
        let spawned = std::thread::Builder::new()
            .name("exprflow-sequential".into())
            .stack_size(8 << 20)
            .spawn(move || {
                let began = Instant::now();
                for (k, &root) in roots.iter().enumerate() {
                    // Each call times its events from its own start: shift
                    // them onto the run's origin.
                    let offset = began.elapsed();
                    let outcome = if report_nodes {
                        evaluate_sequential(&dag, root, &limits, &cancel, &mut |e| {
                            let _ = sender.send(Message::Node(NodeEvent {
                                start: e.start + offset,
                                end: e.end + offset,
                                ..e
                            }));
                        })
                    } else {
                        evaluate_quietly(&dag, root, &limits, &cancel)
                    };
                    if sender.send(Message::Root(k, outcome)).is_err() {
                        return;
                    }
                }
            });
        Thread {
            token,
            receiver,
            failed: spawned.err().map(|e| e.to_string()),
        }
    }

    /// Asks the evaluation to stop.
    pub(super) fn cancel(&self) {
        self.token.cancel();
    }

    /// The next message, waiting until `until` at most.
    pub(super) fn receive(&self, until: Option<Instant>) -> Result<Message, RecvTimeoutError> {
        match until {
            Some(until) => self.receiver.recv_deadline(until),
            None => self
                .receiver
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
        }
    }

    /// The error of a root the thread never answered.
    pub(super) fn failure(&self) -> Error {
        let detail = match &self.failed {
            Some(why) => format!("cannot start the sequential evaluator: {why}"),
            None => "the sequential evaluator stopped".to_string(),
        };
        Error::with_detail(ErrorKind::Internal, Default::default(), detail)
    }
}
