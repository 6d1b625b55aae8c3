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
}

impl Plan {
    /// Plans the evaluation of `roots`. Nodes whose result is already in the
    /// DAG are not part of the plan. A node is fused into its only consumer
    /// when the estimated cost of its fused subgraph is under `fuse_ns`
    /// (0 turns fusion off).
    pub fn new(dag: &Dag, roots: &[NodeId], fuse_ns: u64) -> Plan {
        let mut local = vec![NONE; dag.len()];
        let mut found = Vec::new();
        let mut stack: Vec<NodeId> = Vec::new();
        for &root in roots {
            if dag.result(root).is_none() && local[root.index()] == NONE {
                local[root.index()] = 0;
                stack.push(root);
            }
            while let Some(id) = stack.pop() {
                found.push(id);
                for &input in dag.node(id).inputs.iter() {
                    if dag.result(input).is_none() && local[input.index()] == NONE {
                        local[input.index()] = 0;
                        stack.push(input);
                    }
                }
            }
        }
        found.sort_unstable();
        for (i, id) in found.iter().enumerate() {
            local[id.index()] = i as u32;
        }
        let n = found.len();
        let is_root = {
            let mut r = vec![false; n];
            for root in roots {
                if local[root.index()] != NONE {
                    r[local[root.index()] as usize] = true;
                }
            }
            r
        };
        // Distinct consumers of each node within the run; remember one.
        let mut consumers = vec![0u32; n];
        let mut consumer = vec![NONE; n];
        for (i, id) in found.iter().enumerate() {
            let inputs = &dag.node(*id).inputs;
            for (k, input) in inputs.iter().enumerate() {
                let l = local[input.index()];
                if l != NONE && !inputs[..k].contains(input) {
                    consumers[l as usize] += 1;
                    consumer[l as usize] = i as u32;
                }
            }
        }
        // Bottom-up: cost of the fused subgraph below each node.
        let mut sub_cost = vec![0u64; n];
        let mut fused = vec![false; n];
        for (i, id) in found.iter().enumerate() {
            let node = dag.node(*id);
            let mut cost = node.cost;
            for input in node.inputs.iter() {
                let l = local[input.index()];
                if l != NONE && fused[l as usize] {
                    cost = cost.saturating_add(sub_cost[l as usize]);
                }
            }
            sub_cost[i] = cost;
            fused[i] = fuse_ns > 0
                && node.cost != UNKNOWN
                && cost < fuse_ns
                && !is_root[i]
                && consumers[i] == 1;
        }
        // Top-down: each node's task is its consumer's task if fused.
        let mut task_of = vec![NONE; n];
        for i in (0..n).rev() {
            task_of[i] = if fused[i] {
                task_of[consumer[i] as usize]
            } else {
                i as u32
            };
        }
        let members = Lists::from_buckets(n, (0..n as u32).map(|i| (task_of[i as usize], i)));
        let mut position = vec![0u32; n];
        for t in 0..n as u32 {
            for (p, &m) in members.get(t).iter().enumerate() {
                position[m as usize] = p as u32;
            }
        }
        let mut edges: Vec<(u32, u32)> = Vec::new();
        for t in 0..n as u32 {
            if task_of[t as usize] != t {
                continue;
            }
            let start = edges.len();
            for &m in members.get(t) {
                for input in dag.node(found[m as usize]).inputs.iter() {
                    let l = local[input.index()];
                    if l != NONE && task_of[l as usize] != t {
                        let dep = task_of[l as usize];
                        if !edges[start..].iter().any(|&(_, d)| d == dep) {
                            edges.push((t, dep));
                        }
                    }
                }
            }
        }
        let waits_on = Lists::from_buckets(n, edges.iter().copied());
        let waited_by = Lists::from_buckets(n, edges.iter().map(|&(t, d)| (d, t)));
        let task_count = (0..n).filter(|&i| task_of[i] == i as u32).count();
        Plan {
            nodes: found,
            local,
            task_of,
            position,
            members,
            waits_on,
            waited_by,
            task_count,
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
