//! Giving back what nothing reaches any more: a session's DAG only grows
//! while statements are added, so the session, from time to time, keeps
//! only the nodes its names still reach (a mark pass, then a copy of the
//! live nodes in their order). The copy is hash-consed as the original
//! was (its index is rebuilt from the kept nodes), keeps the kept nodes'
//! results, and keeps the memo of calls whose environment and function
//! are still reachable; only node ids change ([`Renumbering`]).

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashSet;

use super::index::{Found, Index, OpKey};
use super::node::{NodeId, Op};
use super::{BIG_BITS, Dag, Inputs, Scope, results};
use crate::value::Value;

/// Where each node of a compacted DAG went: its new id, or nothing.
#[derive(Debug)]
pub(crate) struct Renumbering(Vec<u32>);

impl Renumbering {
    /// The new id of the node `old`, if it was kept.
    pub(crate) fn get(&self, old: NodeId) -> Option<NodeId> {
        match self.0.get(old.index()) {
            Some(&new) if new != u32::MAX => Some(NodeId::new(new as usize)),
            _ => None,
        }
    }
}

impl Dag {
    /// Which nodes `roots` reach through inputs (both branches of an `if`
    /// and the variables of a call's environment are inputs), one flag
    /// per node. Iterative: ids are a topological order, so one pass from
    /// the top down marks everything below a marked node.
    pub(crate) fn reachable(&self, roots: impl IntoIterator<Item = NodeId>) -> Vec<bool> {
        let mut live = vec![false; self.len()];
        for root in roots {
            if let Some(flag) = live.get_mut(root.index()) {
                *flag = true;
            }
        }
        for index in (0..live.len()).rev() {
            if live[index] {
                for input in self.nodes[NodeId::new(index)].inputs.iter() {
                    if let Some(flag) = live.get_mut(input.index()) {
                        *flag = true;
                    }
                }
            }
        }
        live
    }

    /// A new DAG of the nodes marked in `live` (which must be closed
    /// under inputs, as [`Dag::reachable`] gives), in the same order,
    /// with their results, a fresh index, the memo of the calls that
    /// `scope`'s functions and the kept call nodes can still reach, and
    /// the same limits and host functions. The original is untouched:
    /// runs that still read it go on with it.
    pub(crate) fn compacted(&self, live: &[bool], scope: &Scope) -> (Dag, Renumbering) {
        let mut renumbering = Renumbering(vec![u32::MAX; self.len()]);
        let mut dag = Dag {
            nodes: super::nodes::Nodes::default(),
            index: Mutex::new(Index::default()),
            results: results::Results::default(),
            limits: self.limits,
            edges: 0,
            calls: Arc::default(),
            host: Arc::clone(&self.host),
        };
        let mut held = 0u64;
        let mut defs: FxHashSet<u64> = scope.functions().iter().map(|def| def.id).collect();
        for old in self.ids().filter(|id| live.get(id.index()) == Some(&true)) {
            let node = &self.nodes[old];
            let inputs: Vec<NodeId> = node
                .inputs
                .iter()
                .filter_map(|&input| renumbering.get(input))
                .collect();
            if inputs.len() != node.inputs.len() {
                // Not closed under inputs: keep nothing rather than a
                // node whose inputs are gone.
                continue;
            }
            let mut copy = node.clone();
            copy.inputs = Inputs::from(inputs);
            copy.uses = 0;
            let id = NodeId::new(dag.nodes.len());
            let result = self.results.slot(old.index()).and_then(|s| s.get());
            match (&copy.op, result) {
                (Op::Const, Some(kept)) if copy.inputs.is_empty() => {
                    if let Ok(value) = &*kept.outcome() {
                        dag.index_constant(value, id);
                    }
                }
                (Op::UserCall(site), _) => {
                    defs.insert(site.def.id);
                    defs.extend(site.env.signature.iter().map(|(_, def)| *def));
                }
                _ => {}
            }
            if let Some(key) = OpKey::of(&copy.op) {
                let index = dag.index.get_mut().unwrap_or_else(|p| p.into_inner());
                // Kept nodes were distinct already; a duplicate (none is
                // expected) simply stays out of the index.
                let _: Found = index.operation(&dag.nodes, &key, &copy.inputs, id);
            }
            super::for_each_distinct(&copy.inputs, |input| {
                if let Some(used) = dag.nodes.get_mut(input) {
                    used.uses += 1;
                }
            });
            dag.edges += copy.inputs.len();
            dag.nodes.push(copy);
            dag.results.push();
            if let (Some(kept), Some(slot)) = (result, dag.results.slot(id.index())) {
                if let Ok(value) = &*kept.outcome() {
                    let bits = value.bits();
                    if bits >= BIG_BITS {
                        held = held.saturating_add(bits);
                    }
                }
                let _ = slot.set(kept.clone());
            }
            renumbering.0[old.index()] = id.index() as u32;
        }
        dag.results
            .held
            .store(held, std::sync::atomic::Ordering::Relaxed);
        dag.calls = Arc::new(self.calls.compacted(&renumbering, &defs));
        (dag, renumbering)
    }

    /// Records the constant node `id` of `value` in the index.
    fn index_constant(&mut self, value: &Value, id: NodeId) {
        let small = match value {
            Value::Int(i) => i.to_i64(),
            _ => None,
        };
        match small {
            Some(small) => self.index().add_int(small, id),
            None => {
                let key = (value.kind_name(), value.to_string().into_boxed_str());
                self.index().add_constant(key, id);
            }
        }
    }
}
