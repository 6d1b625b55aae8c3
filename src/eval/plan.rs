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
        // Iterative post-order DFS: local ids come out in topological order
        // (inputs first) without sorting. `local` marks visits: VISITING
        // while on the stack, then the local id.
        const VISITING: u32 = NONE - 1;
        let mut local = vec![NONE; dag.len()];
        let mut found: Vec<NodeId> = Vec::new();
        let mut stack: Vec<(NodeId, usize)> = Vec::new();
        for &root in roots {
            if dag.result(root).is_some() || local[root.index()] != NONE {
                continue;
            }
            local[root.index()] = VISITING;
            stack.push((root, 0));
            while let Some((id, next)) = stack.last_mut() {
                let inputs = &dag.node(*id).inputs;
                if let Some(&input) = inputs.get(*next) {
                    *next += 1;
                    if local[input.index()] == NONE && dag.result(input).is_none() {
                        local[input.index()] = VISITING;
                        stack.push((input, 0));
                    }
                } else {
                    local[id.index()] = found.len() as u32;
                    found.push(*id);
                    stack.pop();
                }
            }
        }
        let n = found.len();
        // Local inputs of every node (NONE-free), as a compressed list.
        let inputs = Lists::from_buckets(
            n,
            found.iter().enumerate().flat_map(|(i, id)| {
                let local = &local;
                dag.node(*id)
                    .inputs
                    .iter()
                    .map(move |input| local[input.index()])
                    .filter(|&l| l != NONE)
                    .map(move |l| (i as u32, l))
            }),
        );
        let mut is_root = vec![false; n];
        for root in roots {
            if let Some(&l) = local.get(root.index()).filter(|&&l| l != NONE) {
                is_root[l as usize] = true;
            }
        }
        // Distinct consumers of each node within the run; remember one.
        let mut consumers = vec![0u32; n];
        let mut consumer = vec![NONE; n];
        for i in 0..n as u32 {
            let ins = inputs.get(i);
            for (k, &l) in ins.iter().enumerate() {
                if !ins[..k].contains(&l) {
                    consumers[l as usize] += 1;
                    consumer[l as usize] = i;
                }
            }
        }
        // Bottom-up: cost of the fused subgraph below each node.
        let mut sub_cost = vec![0u64; n];
        let mut fused = vec![false; n];
        for (i, id) in found.iter().enumerate() {
            let own = dag.node(*id).cost;
            let mut cost = own;
            for &l in inputs.get(i as u32) {
                if fused[l as usize] {
                    cost = cost.saturating_add(sub_cost[l as usize]);
                }
            }
            sub_cost[i] = cost;
            fused[i] =
                fuse_ns > 0 && own != UNKNOWN && cost < fuse_ns && !is_root[i] && consumers[i] == 1;
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
        let mut task_count = 0;
        let mut edges: Vec<(u32, u32)> = Vec::new();
        // `seen[d] == t` when task t already waits on d (dedupe in O(1)).
        let mut seen = vec![NONE; n];
        for t in 0..n as u32 {
            if task_of[t as usize] != t {
                continue;
            }
            task_count += 1;
            for (p, &m) in members.get(t).iter().enumerate() {
                position[m as usize] = p as u32;
                for &l in inputs.get(m) {
                    let dep = task_of[l as usize];
                    if dep != t && seen[dep as usize] != t {
                        seen[dep as usize] = t;
                        edges.push((t, dep));
                    }
                }
            }
        }
        let waits_on = Lists::from_buckets(n, edges.iter().copied());
        let waited_by = Lists::from_buckets(n, edges.iter().map(|&(t, d)| (d, t)));
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
