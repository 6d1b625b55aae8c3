//! The plan of one parallel run: which nodes still need computing, how they
//! group into tasks (cheap subgraphs fused into one task), and which tasks
//! wait on which. Built iteratively in topological order.

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

/// The run's nodes and tasks. Local ids index `nodes`, in topological order.
#[derive(Debug, Default)]
pub struct Plan {
    /// DAG id of each local node.
    pub nodes: Vec<NodeId>,
    /// Local id of each DAG node, or [`NONE`].
    pub local: Vec<u32>,
    /// The task (its root's local id) each local node is evaluated in.
    pub task_of: Vec<u32>,
    /// Position of each local node within its task's member list.
    pub position: Vec<u32>,
    /// Members of each task (indexed by the task root), topological order, root last.
    pub members: Lists,
    /// Distinct tasks each task waits on (indexed by task root).
    pub waits_on: Lists,
    /// Distinct tasks waiting on each task (indexed by task root).
    pub waited_by: Lists,
    /// Number of task roots.
    pub task_count: usize,
    /// Tasks that evaluate a whole cheap subgraph with the sequential
    /// evaluator (indexed by task root): the planner did not descend into it.
    pub whole: Vec<bool>,
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
        let mut local = vec![NONE; dag.len()];
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
            if dag.result(root).is_some() || local[root.index()] != NONE {
                continue;
            }
            local[root.index()] = VISITING;
            stack.push((root, 0, pending.len()));
            while let Some((id, next, height)) = stack.last_mut() {
                let node = dag.node(*id);
                // A cheap subgraph is one task, evaluated sequentially: no
                // need to plan (or even visit) what lies below it.
                let is_whole = fuse_ns > 0 && node.total < fuse_ns && !node.inputs.is_empty();
                if is_whole {
                    *next = node.inputs.len();
                }
                if let Some(&input) = node.inputs.get(*next) {
                    *next += 1;
                    if local[input.index()] == NONE && dag.result(input).is_none() {
                        local[input.index()] = VISITING;
                        let h = pending.len();
                        stack.push((input, 0, h));
                    }
                    continue;
                }
                let (id, height) = (*id, *height);
                stack.pop();
                let i = nodes.len() as u32;
                local[id.index()] = i;
                nodes.push(id);
                // Fused descendants are exactly pending[height..]; the cost of
                // the subgraph is this node's plus its fused inputs'.
                let mut cost = node.cost;
                for (k, input) in node.inputs.iter().enumerate() {
                    let l = local[input.index()];
                    if l < VISITING
                        && task_of[l as usize] == NONE
                        && !node.inputs[..k].contains(input)
                    {
                        cost = cost.saturating_add(sub_cost[l as usize]);
                    }
                }
                let root = if many_roots {
                    root_set.contains(&id)
                } else {
                    is_root(id)
                };
                whole.push(is_whole);
                let fused = !is_whole
                    && fuse_ns > 0
                    && node.cost != UNKNOWN
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
                        for input in dag.node(nodes[m as usize]).inputs.iter() {
                            let l = local[input.index()];
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
        }
    }

    /// Number of local nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The local id of DAG node `id`, if it is part of the run.
    pub fn local_of(&self, id: NodeId) -> Option<u32> {
        self.local.get(id.index()).copied().filter(|&l| l != NONE)
    }
}
