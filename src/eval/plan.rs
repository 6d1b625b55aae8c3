//! The plan of one parallel run: which nodes still need computing, how they
//! group into tasks (cheap subgraphs fused into one task), and which tasks
//! wait on which. Built iteratively in topological order.

use super::ids::{LocalId, TaskId};
use crate::dag::{Dag, NodeId, UNKNOWN};

/// Sentinel for "not part of this run".
pub const NONE: u32 = u32::MAX;

/// A compressed list of lists: `items[offsets[i]..offsets[i+1]]` is list `i`.
#[derive(Clone, Debug, Default)]
pub struct Lists {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    fn from_buckets(count: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Lists {
        let mut offsets = vec![0u32; count + 1];
        for (bucket, _) in pairs.clone() {
            offsets[bucket as usize + 1] += 1;
        }
        for i in 0..count {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut items = vec![0u32; offsets[count] as usize];
        for (bucket, item) in pairs {
            let slot = &mut fill[bucket as usize];
            items[*slot as usize] = item;
            *slot += 1;
        }
        Lists { offsets, items }
    }

    /// List `i`.
    pub fn get(&self, i: u32) -> &[u32] {
        let (a, b) = (self.offsets[i as usize], self.offsets[i as usize + 1]);
        &self.items[a as usize..b as usize]
    }
}

/// Local ids of DAG nodes: a map while the run is small next to its DAG
/// (a session that submits one small statement at a time to a DAG of
/// millions of nodes must not pay for the whole DAG each time), a vector
/// indexed by node once the run has more than a sixteenth of the DAG.
#[derive(Debug)]
pub enum LocalIds {
    /// `ids[node]`, [`NONE`] for nodes outside the run.
    Dense(Vec<u32>),
    /// Entries for the run's nodes only; `len` is the DAG's size.
    Sparse(rustc_hash::FxHashMap<u32, u32>, usize),
}

impl Default for LocalIds {
    fn default() -> Self {
        LocalIds::Dense(Vec::new())
    }
}

impl LocalIds {
    /// Below this many DAG nodes the vector is always used.
    const SMALL_DAG: usize = 1 << 14;

    fn new(dag_len: usize) -> LocalIds {
        if dag_len <= Self::SMALL_DAG {
            LocalIds::Dense(vec![NONE; dag_len])
        } else {
            LocalIds::Sparse(Default::default(), dag_len)
        }
    }

    /// The local id of the node at `index`, or [`NONE`].
    pub fn get(&self, index: usize) -> u32 {
        match self {
            LocalIds::Dense(ids) => ids.get(index).copied().unwrap_or(NONE),
            LocalIds::Sparse(ids, _) => ids.get(&(index as u32)).copied().unwrap_or(NONE),
        }
    }

    fn set(&mut self, index: usize, local: u32) {
        match self {
            LocalIds::Dense(ids) => {
                if let Some(slot) = ids.get_mut(index) {
                    *slot = local;
                }
            }
            LocalIds::Sparse(ids, len) => {
                ids.insert(index as u32, local);
                if ids.len() > *len / 16 {
                    let mut dense = vec![NONE; *len];
                    for (&k, &v) in ids.iter() {
                        if let Some(slot) = dense.get_mut(k as usize) {
                            *slot = v;
                        }
                    }
                    *self = LocalIds::Dense(dense);
                }
            }
        }
    }
}

/// The run's nodes and tasks. Local ids index `nodes`, in topological order.
/// Stored as plain `u32`s (compact); read through the typed accessors.
#[derive(Debug, Default)]
pub struct Plan {
    /// DAG id of each local node.
    nodes: Vec<NodeId>,
    /// Local id of each DAG node, or [`NONE`].
    local: LocalIds,
    /// The task (its root's local id) each local node is evaluated in.
    task_of: Vec<u32>,
    /// Position of each local node within its task's member list.
    position: Vec<u32>,
    /// Members of each task (indexed by the task root), topological order, root last.
    members: Lists,
    /// Distinct tasks each task waits on (indexed by task root).
    waits_on: Lists,
    /// Distinct tasks waiting on each task (indexed by task root).
    waited_by: Lists,
    /// Number of task roots.
    #[cfg_attr(not(feature = "test-hooks"), allow(dead_code))]
    task_count: usize,
    /// Tasks that evaluate a whole cheap subgraph with the sequential
    /// evaluator (indexed by task root): the planner did not descend into it.
    whole: Vec<bool>,
    /// Distinct consumers of each local node among the run's nodes planned
    /// after it (so a consumer `m` counts for its inputs with a smaller local
    /// id): how many must finish before a held value can go.
    users: Vec<u32>,
}

impl Plan {
    /// Plans the evaluation of `roots`. Nodes whose result is already in the
    /// DAG are not part of the plan. A node is fused into its only consumer
    /// when the estimated cost of its fused subgraph is under `fuse_ns`
    /// (0 turns fusion off).
    pub fn new(dag: &Dag, roots: &[NodeId], fuse_ns: u64) -> Plan {
        // One iterative post-order DFS does everything: local ids come out
        // in topological order; when a node finishes, all of its inputs have,
        // so it can decide at once whether it is fused into its consumer
        // (only one user in the whole DAG, cheap subgraph, not a root) or
        // is a task root, which then takes the fused members left on
        // `pending` since it started.
        const VISITING: u32 = NONE - 1;
        let mut local = LocalIds::new(dag.len());
        let mut nodes: Vec<NodeId> = Vec::new();
        let mut task_of: Vec<u32> = Vec::new();
        let mut position: Vec<u32> = Vec::new();
        let mut sub_cost: Vec<u64> = Vec::new();
        let mut members = Lists::default();
        let mut waits_on = Lists::default();
        members.offsets.push(0);
        waits_on.offsets.push(0);
        let mut pending: Vec<u32> = Vec::new();
        let mut seen: Vec<u32> = Vec::new();
        let mut task_count = 0;
        let mut whole: Vec<bool> = Vec::new();
        let mut users: Vec<u32> = Vec::new();
        // (node, next input, height of `pending` when the node started)
        let mut stack: Vec<(NodeId, usize, usize)> = Vec::new();
        let is_root = |id: NodeId| roots.contains(&id);
        let many_roots = roots.len() > 16;
        let root_set: rustc_hash::FxHashSet<NodeId> = if many_roots {
            roots.iter().copied().collect()
        } else {
            Default::default()
        };
        for &root in roots {
            if dag.result(root).is_some() || local.get(root.index()) != NONE {
                continue;
            }
            local.set(root.index(), VISITING);
            stack.push((root, 0, pending.len()));
            while let Some((id, next, height)) = stack.last_mut() {
                let node = dag.node(*id);
                // A cheap subgraph is one task, evaluated sequentially: no
                // need to plan (or even visit) what lies below it.
                let is_whole = fuse_ns > 0 && node.total() < fuse_ns && !node.inputs.is_empty();
                // `if` waits for its condition only: a branch is evaluated
                // (by the `if`'s task) once the condition has chosen it.
                let eager = node.eager_inputs();
                if is_whole {
                    *next = eager.len();
                }
                if let Some(&input) = eager.get(*next) {
                    *next += 1;
                    if local.get(input.index()) == NONE && dag.result(input).is_none() {
                        local.set(input.index(), VISITING);
                        let h = pending.len();
                        stack.push((input, 0, h));
                    }
                    continue;
                }
                let (id, height) = (*id, *height);
                stack.pop();
                let i = nodes.len() as u32;
                local.set(id.index(), i);
                nodes.push(id);
                users.push(0);
                // One pass over the distinct inputs already planned (local
                // ids below `i`): count this node as their user, and add the
                // cost of the fused ones. Fused descendants are exactly
                // pending[height..]; the cost of the subgraph is this node's
                // plus its fused inputs'.
                let mut cost = node.cost();
                crate::dag::for_each_distinct(node.eager_inputs(), |input| {
                    let l = local.get(input.index());
                    if l < i {
                        users[l as usize] += 1;
                        if task_of[l as usize] == NONE {
                            cost = cost.saturating_add(sub_cost[l as usize]);
                        }
                    }
                });
                let root = if many_roots {
                    root_set.contains(&id)
                } else {
                    is_root(id)
                };
                whole.push(is_whole);
                let fused = !is_whole
                    && fuse_ns > 0
                    && node.cost() != UNKNOWN
                    && cost < fuse_ns
                    && !root
                    && node.uses == 1;
                sub_cost.push(if fused { cost } else { 0 });
                position.push(0);
                seen.push(NONE);
                if fused {
                    task_of.push(NONE);
                    pending.push(i);
                } else {
                    task_of.push(i);
                    task_count += 1;
                    for (p, k) in (height..pending.len()).enumerate() {
                        let m = pending[k];
                        task_of[m as usize] = i;
                        position[m as usize] = p as u32;
                        members.items.push(m);
                    }
                    pending.truncate(height);
                    position[i as usize] = members.items.len() as u32 - members.offsets[i as usize];
                    members.items.push(i);
                    // Inputs outside the task are other tasks' roots.
                    let first = members.offsets[i as usize] as usize;
                    for k in first..members.items.len() {
                        let m = members.items[k];
                        for input in dag.node(nodes[m as usize]).eager_inputs() {
                            let l = local.get(input.index());
                            if l < VISITING
                                && task_of[l as usize] == l
                                && l != i
                                && seen[l as usize] != i
                            {
                                seen[l as usize] = i;
                                waits_on.items.push(l);
                            }
                        }
                    }
                }
                members.offsets.push(members.items.len() as u32);
                waits_on.offsets.push(waits_on.items.len() as u32);
            }
        }
        let n = nodes.len();
        let waited_by = Lists::from_buckets(
            n,
            (0..n as u32).flat_map(|t| waits_on.get(t).iter().map(move |&d| (d, t))),
        );
        Plan {
            nodes,
            local,
            task_of,
            position,
            members,
            waits_on,
            waited_by,
            task_count,
            whole,
            users,
        }
    }

    /// Number of local nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The local id of DAG node `id`, if it is part of the run.
    pub fn local_of(&self, id: NodeId) -> Option<LocalId> {
        Some(self.local.get(id.index()))
            .filter(|&l| l != NONE)
            .map(LocalId)
    }

    /// The DAG node of local node `local`.
    pub fn node(&self, local: LocalId) -> NodeId {
        self.nodes[local.index()]
    }

    /// The task local node `local` is evaluated in.
    pub fn task_of(&self, local: LocalId) -> TaskId {
        TaskId(self.task_of[local.index()])
    }

    /// Where local node `local` is in its task's member list.
    pub fn position(&self, local: LocalId) -> usize {
        self.position[local.index()] as usize
    }

    /// The members of task `t`, in topological order, its root last.
    pub fn members(&self, t: TaskId) -> impl ExactSizeIterator<Item = LocalId> + '_ {
        self.members.get(t.0).iter().map(|&m| LocalId(m))
    }

    /// The distinct tasks task `t` waits on.
    pub fn waits_on(&self, t: TaskId) -> impl ExactSizeIterator<Item = TaskId> + '_ {
        self.waits_on.get(t.0).iter().map(|&d| TaskId(d))
    }

    /// The distinct tasks waiting on task `t`.
    pub fn waited_by(&self, t: TaskId) -> impl ExactSizeIterator<Item = TaskId> + '_ {
        self.waited_by.get(t.0).iter().map(|&d| TaskId(d))
    }

    /// Every task, in topological order of their roots.
    pub fn tasks(&self) -> impl Iterator<Item = TaskId> + '_ {
        (0..self.nodes.len() as u32)
            .filter(|&l| self.task_of[l as usize] == l)
            .map(TaskId)
    }

    /// Number of tasks.
    #[cfg(feature = "test-hooks")]
    pub fn task_count(&self) -> usize {
        self.task_count
    }

    /// Whether task `t` evaluates a whole cheap subgraph sequentially.
    pub fn is_whole(&self, t: TaskId) -> bool {
        self.whole[t.index()]
    }

    /// Consumers of local node `local` planned after it (see `users`).
    pub fn users(&self, local: LocalId) -> u32 {
        self.users[local.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dag::Scope;

    #[test]
    fn local_ids_are_a_map_until_the_run_is_large() {
        let mut ids = LocalIds::new(100_000);
        assert!(matches!(ids, LocalIds::Sparse(..)));
        for k in 0..6_000 {
            ids.set(k * 7, k as u32);
        }
        assert!(matches!(ids, LocalIds::Sparse(..)));
        assert_eq!(
            (ids.get(7 * 5_999), ids.get(8), ids.get(10_000_000)),
            (5_999, NONE, NONE)
        );
        for k in 6_000..6_300 {
            ids.set(k * 7, k as u32);
        }
        assert!(matches!(ids, LocalIds::Dense(..)), "past a sixteenth");
        assert_eq!(
            (ids.get(0), ids.get(7 * 6_299), ids.get(8)),
            (0, 6_299, NONE)
        );
        assert!(matches!(LocalIds::new(1_000), LocalIds::Dense(..)));
    }

    /// A small run in a large DAG plans the same with a map as with a vector.
    #[test]
    fn a_small_plan_in_a_large_dag() {
        let terms: Vec<String> = (0..20_000).map(|i| format!("{i}*{i}")).collect();
        let (ast, root) = crate::syntax::parse_expr(&terms.join("+")).unwrap();
        let mut dag = Dag::default();
        let big = dag.add_expr(&ast, root, &Scope::new()).unwrap();
        let (ast, root) = crate::syntax::parse_expr("(3*3 + 5*5) * (7*7 - 2)").unwrap();
        let small = dag.add_expr(&ast, root, &Scope::new()).unwrap();
        assert!(dag.len() > LocalIds::SMALL_DAG);
        let plan = Plan::new(&dag, &[small], 0);
        assert!(matches!(plan.local, LocalIds::Sparse(..)));
        assert_eq!(plan.len(), 6, "3*3, 5*5, +, 7*7, 7*7-2, *");
        assert_eq!(plan.local_of(small), Some(LocalId(5)));
        assert_eq!(plan.local_of(big), None);
        let plan = Plan::new(&dag, &[big], 0);
        assert!(matches!(plan.local, LocalIds::Dense(..)));
        assert_eq!(plan.local_of(big), Some(LocalId(plan.len() as u32 - 1)));
    }
}
