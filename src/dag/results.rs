//! The result slots of a DAG, in chunks that a fork shares. A session adds
//! statements to its DAG while earlier statements still run on an older
//! copy ([`Dag::fork`](super::Dag::fork)); the copies share these slots,
//! so a value the old run computes is the session's value too, and forking
//! costs one pointer per [`CHUNK`] nodes instead of a copy of every value.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use super::Outcome;

/// Slots per shared chunk.
const CHUNK: usize = 1024;

/// One result slot per node, in chunks shared between copies, and the
/// bits of big values held against the memory budget (shared too).
#[derive(Clone, Debug, Default)]
pub(crate) struct Results {
    chunks: Vec<Arc<[OnceLock<Outcome>]>>,
    len: usize,
    /// Bits of big values held for this DAG and all its copies.
    pub(crate) held: Arc<AtomicU64>,
}

impl Results {
    /// The slot of node `index`.
    pub(crate) fn slot(&self, index: usize) -> Option<&OnceLock<Outcome>> {
        if index >= self.len {
            return None;
        }
        self.chunks.get(index / CHUNK).map(|c| &c[index % CHUNK])
    }

    /// Adds an empty slot at the end.
    pub(crate) fn push(&mut self) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks
                .push((0..CHUNK).map(|_| OnceLock::new()).collect());
        }
        self.len += 1;
    }

    /// Fresh slots (not shared with any copy) for the same nodes, with
    /// the outcomes `keep` says to carry over.
    pub(crate) fn renewed(&self, keep: impl Fn(usize) -> bool) -> Results {
        let mut fresh = Results::default();
        for index in 0..self.len {
            fresh.push();
            if keep(index)
                && let (Some(old), Some(new)) =
                    (self.slot(index).and_then(OnceLock::get), fresh.slot(index))
            {
                let _ = new.set(old.clone());
            }
        }
        fresh
    }

    /// Bits counted against the budget.
    pub(crate) fn held_bits(&self) -> u64 {
        self.held.load(Ordering::Relaxed)
    }
}
