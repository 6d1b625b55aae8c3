//! Keeping a long session bounded: when enough of its DAG may be garbage
//! (nodes, results and remembered calls that only shadowed or forgotten
//! names reached), the session keeps only what its names still reach.
//!
//! A collection is a mark pass over the DAG (linear in its size), so it
//! runs only when it is likely to pay: when the DAG has grown by as much
//! as it held after the last collection (amortised constant work per
//! node), when it comes near its node limit, when the big values held
//! have doubled past half the memory budget, or after many names were
//! forgotten (or one holding a big value). Nothing is collected while a
//! statement is unsettled: its node id must stay what its future says.

use std::sync::Arc;

use super::Session;
use crate::dag::{BIG_BITS, Binding};

/// Growth (in nodes) below which a collection is never worth it.
const MIN_GROWTH: usize = 1024;

/// What the session's DAG held after the last collection (or the last
/// check that found too little garbage).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Collected {
    /// Nodes.
    nodes: usize,
    /// Bits of big values.
    held: u64,
    /// Names forgotten since.
    forgotten: usize,
    /// Whether a forgotten name held a big value.
    forgot_big: bool,
}

impl Session {
    /// How many nodes the session's DAG holds now: what its variables,
    /// functions' call sites and `_` reach, plus garbage not collected
    /// yet (at most about as much again, or fewer than 1,024 nodes; see
    /// [`Session::forget`]). Equal subexpressions are one node.
    ///
    /// ```
    /// let mut session = exprflow::Session::new();
    /// session.eval("x = (1+2)*(1+2)").unwrap();
    /// assert_eq!(session.node_count(), 4); // 1, 2, 1+2 and the product
    /// session.clear();
    /// assert_eq!(session.node_count(), 0);
    /// ```
    pub fn node_count(&self) -> usize {
        self.dag.len()
    }

    /// Notes that `name`, bound as `binding`, is forgotten.
    pub(super) fn note_forgotten(&mut self, binding: Option<&Binding>) {
        self.collected.forgotten += 1;
        if let Some(Binding::Node(node)) = binding
            && let Some(Ok(value)) = self.dag.result(*node).as_deref()
            && value.bits() >= BIG_BITS
        {
            self.collected.forgot_big = true;
        }
    }

    /// Collects the DAG's garbage if that is likely to pay (see the
    /// module documentation).
    pub(super) fn collect_if_worth_it(&mut self) {
        if !self.unsettled.is_empty() {
            return;
        }
        let nodes = self.dag.len();
        let held = self.dag.held_bits();
        let last = self.collected;
        let grown = nodes.saturating_sub(last.nodes);
        let max_nodes = self.dag.limits().max_nodes;
        let max_held = self.dag.limits().max_held_bits;
        let worth = grown >= MIN_GROWTH.max(last.nodes)
            || (nodes >= max_nodes - max_nodes / 8 && grown >= (max_nodes / 16).max(1))
            || (held >= max_held / 2 && held >= last.held.saturating_mul(2))
            || last.forgot_big
            || last.forgotten >= 64.max(self.scope.variable_count() / 4);
        if worth {
            self.collect();
        }
    }

    /// Keeps only what the session's names reach: a new DAG of those
    /// nodes if at least a quarter of the old one is garbage, or, near
    /// the node limit, a thirty-second of the limit.
    pub(super) fn collect(&mut self) {
        let roots = self.scope.bound_nodes().chain(self.last_good);
        let live = self.dag.reachable(roots);
        let alive = live.iter().filter(|&&l| l).count();
        let nodes = self.dag.len();
        let max_nodes = self.dag.limits().max_nodes;
        let near_full = nodes >= max_nodes - max_nodes / 8;
        if alive * 4 <= nodes * 3 || (near_full && nodes - alive >= (max_nodes / 32).max(1)) {
            let (dag, renumbering) = self.dag.compacted(&live, &self.scope);
            for node in self.scope.nodes_mut() {
                // Every bound node is a root, so it was kept.
                *node = renumbering.get(*node).unwrap_or_default();
            }
            self.last_good = self.last_good.and_then(|n| renumbering.get(n));
            self.dag = Arc::new(dag);
        }
        self.collected = Collected {
            nodes: self.dag.len(),
            held: self.dag.held_bits(),
            ..Collected::default()
        };
    }
}
