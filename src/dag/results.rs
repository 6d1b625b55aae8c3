//! The result slots of a DAG, in chunks that a fork shares. A session adds
//! statements to its DAG while earlier statements still run on an older
//! copy ([`Dag::fork`](super::Dag::fork)); the copies share these slots,
//! so a value the old run computes is the session's value too, and forking
//! costs one pointer per [`CHUNK`] nodes instead of a copy of every value.
//!
//! A slot is 24 bytes (a DAG has one per node, millions of them): an
//! integer that fits in an `i64` and a float are kept inline, anything
//! else (a big integer, a rational, an error) in a box of its own.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use super::Outcome;
use crate::value::Value;

/// Slots per shared chunk.
const CHUNK: usize = 1024;

/// A kept outcome in compact form.
#[derive(Clone, Debug)]
pub(crate) enum Compact {
    /// An integer that fits in an `i64`.
    Int(i64),
    /// A float.
    Float(f64),
    /// Anything else.
    Full(Box<Outcome>),
}

impl Compact {
    /// `outcome` in compact form.
    fn of(outcome: Outcome) -> Compact {
        match &outcome {
            Ok(Value::Int(i)) if let Some(small) = i.to_i64() => Compact::Int(small),
            Ok(Value::Float(f)) => Compact::Float(*f),
            _ => Compact::Full(Box::new(outcome)),
        }
    }

    /// The outcome: borrowed when boxed, rebuilt (without allocating) when
    /// inline.
    pub(crate) fn outcome(&self) -> Cow<'_, Outcome> {
        match self {
            Compact::Int(i) => Cow::Owned(Ok(Value::from_i64(*i))),
            Compact::Float(f) => Cow::Owned(Ok(Value::Float(*f))),
            Compact::Full(outcome) => Cow::Borrowed(outcome),
        }
    }
}

/// One result slot.
pub(crate) type Slot = OnceLock<Compact>;

/// Fills `slot` with `outcome` unless it is already filled, and returns
/// the slot's outcome and whether this call filled it.
pub(crate) fn fill(slot: &Slot, outcome: Outcome) -> (Cow<'_, Outcome>, bool) {
    let mut stored = false;
    let kept = slot.get_or_init(|| {
        stored = true;
        Compact::of(outcome)
    });
    (kept.outcome(), stored)
}

/// One result slot per node, in chunks shared between copies, and the
/// bits of big values held against the memory budget (shared too).
#[derive(Clone, Debug, Default)]
pub(crate) struct Results {
    chunks: Vec<Arc<[Slot]>>,
    len: usize,
    /// Bits of big values held for this DAG and all its copies.
    pub(crate) held: Arc<AtomicU64>,
}

impl Results {
    /// The slot of node `index`.
    pub(crate) fn slot(&self, index: usize) -> Option<&Slot> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, ErrorKind, Span};

    #[test]
    fn a_slot_is_24_bytes() {
        assert!(
            std::mem::size_of::<Slot>() <= 24,
            "{}",
            std::mem::size_of::<Slot>()
        );
    }

    #[test]
    fn outcomes_round_trip_small_ones_inline() {
        let big = Value::Int(crate::value::Int::from(u64::MAX));
        let error = Error::new(ErrorKind::DivisionByZero, Span::new(1, 2));
        let cases = [
            (Ok(Value::from_i64(-7)), false),
            (Ok(Value::from_i64(i64::MIN)), false),
            (Ok(Value::Float(2.5)), false),
            (Ok(big), true),
            (Err(error), true),
        ];
        for (outcome, boxed) in cases {
            let slot = Slot::new();
            let (kept, stored) = fill(&slot, outcome.clone());
            assert!(stored);
            assert_eq!(*kept, outcome);
            assert_eq!(matches!(kept, Cow::Borrowed(_)), boxed, "{outcome:?}");
            let (again, stored) = fill(&slot, Ok(Value::from_i64(0)));
            assert!(!stored, "filled at most once");
            assert_eq!(*again, outcome);
        }
    }
}
