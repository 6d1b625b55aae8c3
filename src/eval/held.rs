//! Big intermediate values held by one evaluation only until their last
//! consumer has used them. The DAG keeps small values, errors and the
//! values a run was asked for; a value of [`BIG_BITS`] or more that nothing
//! else asked for lives here, counted against the DAG's memory budget, and
//! is dropped as soon as every node using it has been computed. A chain of
//! a thousand negations of a 2 MiB number then holds two such numbers at a
//! time, not a thousand.

use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashMap;

use crate::dag::{BIG_BITS, Dag, NodeId, for_each_distinct};
use crate::error::Error;
use crate::value::Value;

/// Whether `value` is big enough to be dropped after its last use.
pub(crate) fn is_big(value: &Value) -> bool {
    value.bits() >= BIG_BITS
}

/// An input's value: borrowed from the DAG or shared with the store.
pub(crate) enum Got<'a> {
    Kept(&'a Value),
    /// A small value the DAG keeps inline, rebuilt.
    Small(Value),
    Held(Arc<Value>),
}

impl<'a> Got<'a> {
    /// A kept outcome (see [`Dag::result`]) as a value, or its error.
    pub(crate) fn of(kept: std::borrow::Cow<'a, crate::dag::Outcome>) -> Result<Got<'a>, Error> {
        match kept {
            std::borrow::Cow::Borrowed(Ok(v)) => Ok(Got::Kept(v)),
            std::borrow::Cow::Borrowed(Err(e)) => Err(e.clone()),
            std::borrow::Cow::Owned(Ok(v)) => Ok(Got::Small(v)),
            std::borrow::Cow::Owned(Err(e)) => Err(e),
        }
    }
}

impl Deref for Got<'_> {
    type Target = Value;
    fn deref(&self) -> &Value {
        match self {
            Got::Kept(v) => v,
            Got::Small(v) => v,
            Got::Held(v) => v,
        }
    }
}

struct Entry {
    value: Arc<Value>,
    /// Consumers that have not finished yet.
    left: u32,
}

/// The big values of one evaluation. Call [`HeldValues::clear`] when the
/// evaluation ends (the sequential evaluator and a parallel run both do).
#[derive(Default)]
pub(crate) struct HeldValues {
    map: Mutex<FxHashMap<NodeId, Entry>>,
    /// Entries in `map`: lets evaluations without big values skip the lock.
    len: AtomicUsize,
}

impl HeldValues {
    fn lock(&self) -> MutexGuard<'_, FxHashMap<NodeId, Entry>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Holds `value` for node `id` until `left` consumers have finished (a
    /// consumer that will never run must still be counted as finished, or
    /// the value stays until [`HeldValues::clear`]), or refuses it with a
    /// `MemoryBudget` error when the DAG's memory budget would be exceeded.
    /// Returns the value, shared with the store (not stored when `left` is 0).
    pub(crate) fn hold(
        &self,
        dag: &Dag,
        id: NodeId,
        value: Value,
        left: u32,
    ) -> Result<Arc<Value>, Error> {
        let value = Arc::new(value);
        if left == 0 {
            return Ok(value);
        }
        dag.reserve(id, value.bits())?;
        let entry = Entry {
            value: Arc::clone(&value),
            left,
        };
        if let Some(old) = self.lock().insert(id, entry) {
            dag.unreserve(old.value.bits());
        } else {
            self.len.fetch_add(1, Ordering::AcqRel);
        }
        Ok(value)
    }

    /// What is known about node `id`: its value or error kept in `dag`, or
    /// its value held here; `None` if neither.
    pub(crate) fn lookup<'a>(&self, dag: &'a Dag, id: NodeId) -> Option<Result<Got<'a>, Error>> {
        match dag.result(id) {
            Some(kept) => Some(Got::of(kept)),
            None => self.get(id).map(|v| Ok(Got::Held(v))),
        }
    }

    /// The held value of `id`, if any.
    pub(crate) fn get(&self, id: NodeId) -> Option<Arc<Value>> {
        if self.len.load(Ordering::Acquire) == 0 {
            return None;
        }
        self.lock().get(&id).map(|e| Arc::clone(&e.value))
    }

    /// A consumer of each of `inputs` (distinct ones counted once; only
    /// those for which `counted` says it was counted in `hold`'s `left`)
    /// has finished: values with no consumer left are dropped.
    pub(crate) fn used(&self, dag: &Dag, inputs: &[NodeId], counted: impl Fn(NodeId) -> bool) {
        if self.len.load(Ordering::Acquire) == 0 {
            return;
        }
        let mut map = self.lock();
        for_each_distinct(inputs, |input| {
            if !counted(input) {
                return;
            }
            if let Some(entry) = map.get_mut(&input) {
                entry.left = entry.left.saturating_sub(1);
                if entry.left == 0
                    && let Some(gone) = map.remove(&input)
                {
                    self.len.fetch_sub(1, Ordering::AcqRel);
                    dag.unreserve(gone.value.bits());
                }
            }
        });
    }

    /// Drops every held value (the evaluation is over).
    pub(crate) fn clear(&self, dag: &Dag) {
        let mut map = self.lock();
        for (_, gone) in map.drain() {
            dag.unreserve(gone.value.bits());
        }
        self.len.store(0, Ordering::Release);
    }

    /// Number of values held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dag::{DagLimits, Scope};
    use crate::value::Int;

    fn dag_of(text: &str, max_held_bits: u64) -> (Dag, NodeId) {
        let (ast, root) = crate::syntax::parse_expr(text).unwrap();
        let mut dag = Dag::with_limits(DagLimits {
            max_held_bits,
            ..DagLimits::default()
        });
        let id = dag.add_expr(&ast, root, &Scope::new()).unwrap();
        (dag, id)
    }

    fn big(bits: u32) -> Value {
        Value::Int(Int::from(2i64).pow(bits as usize))
    }

    #[test]
    fn a_value_goes_after_its_last_consumer() {
        // `x` is used by two distinct nodes.
        let (dag, root) = dag_of("(2^5000 + 1) * (2^5000 + 2)", 1 << 20);
        let x = dag
            .node(dag.node(dag.node(root).inputs[0]).inputs[0])
            .inputs[0];
        assert_eq!(dag.node(x).uses, 2);
        let held = HeldValues::default();
        held.hold(&dag, x, big(5000), 2).unwrap();
        assert_eq!(dag.held_bits(), 5001);
        assert!(held.get(x).is_some());
        held.used(&dag, &[x, x], |_| true); // one consumer, counted once
        assert_eq!(held.len(), 1);
        held.used(&dag, &[x], |_| false); // not counted: no change
        assert_eq!(held.len(), 1);
        held.used(&dag, &[x], |_| true);
        assert_eq!(held.len(), 0);
        assert!(held.get(x).is_none());
        assert_eq!(dag.held_bits(), 0);
    }

    #[test]
    fn the_budget_refuses_and_clear_gives_everything_back() {
        let (dag, root) = dag_of("(2^5000 + 1) * (2^5000 + 2)", 12_000);
        let [a, b] = [0, 1].map(|k| dag.node(root).inputs[k]);
        let held = HeldValues::default();
        held.hold(&dag, a, big(5000), 1).unwrap();
        held.hold(&dag, b, big(5000), 1).unwrap();
        let x = dag.node(a).inputs[0];
        let refused = held.hold(&dag, x, big(5000), 2);
        assert!(refused.is_err(), "over 12,000 bits");
        assert_eq!(dag.held_bits(), 10_002);
        held.clear(&dag);
        assert_eq!((held.len(), dag.held_bits()), (0, 0));
    }
}
