//! What a `get` must look at: the cells its target needs that are not
//! `Clean`, in levels (a cell's inputs are in earlier levels), with the
//! cells on a cycle resolved to the cycle error. Built under the model's
//! lock as a snapshot, so the recompute itself runs without it.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::cells::{CellId, Cells, Def, Status};
use super::code::{Code, Shared};
use super::cycle;

/// An input of a cell in a plan.
#[derive(Clone, Debug)]
pub(crate) enum Input {
    /// Another cell of the plan (by position).
    Planned(usize),
    /// A cell that is current: its outcome (`None`: undefined) and when it
    /// last changed.
    Known(Option<Shared>, u64),
}

/// How a planned cell gets its outcome.
#[derive(Clone, Debug)]
pub(crate) enum Work {
    /// Evaluate its formula (if it must, or if an input changed).
    Formula(Arc<Code>),
    /// It is on a cycle: this error, whatever its inputs.
    Cycle(Shared),
}

/// One cell of a plan.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    pub(crate) id: CellId,
    pub(crate) work: Work,
    pub(crate) inputs: Vec<Input>,
    /// Recompute whatever the inputs say (new or redefined).
    pub(crate) dirty: bool,
    pub(crate) verified_at: u64,
    /// The revision its outcome last changed in, before this recompute.
    pub(crate) changed_at: u64,
    /// Its outcome before this recompute.
    pub(crate) old: Option<Shared>,
}

/// The non-`Clean` part of what a target needs.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) steps: Vec<Step>,
    /// Positions in `steps`, level by level.
    pub(crate) levels: Vec<Vec<usize>>,
    /// The revision the plan was made at.
    pub(crate) revision: u64,
    /// The target's position.
    pub(crate) target: usize,
}

impl Plan {
    /// The plan for `target` (a formula cell that is not `Clean`).
    pub(crate) fn new(cells: &Cells, target: CellId) -> Plan {
        // The region: not-Clean cells reachable through inputs.
        let mut region: Vec<CellId> = Vec::new();
        let mut position: FxHashMap<CellId, usize> = FxHashMap::default();
        let mut work = vec![target];
        while let Some(id) = work.pop() {
            if position.contains_key(&id) {
                continue;
            }
            position.insert(id, region.len());
            region.push(id);
            for &dep in &cells[id].deps {
                if cells[dep].status != Status::Clean && !position.contains_key(&dep) {
                    work.push(dep);
                }
            }
        }
        let planned: Vec<Vec<usize>> = region
            .iter()
            .map(|&id| {
                cells[id]
                    .deps
                    .iter()
                    .filter_map(|dep| position.get(dep).copied())
                    .collect()
            })
            .collect();
        let (levels, groups) = levels(&planned);
        let cycles = cycle::errors(cells, &region, &planned, &groups);
        let steps = region
            .iter()
            .enumerate()
            .map(|(k, &id)| {
                let cell = &cells[id];
                let work = match (&cell.def, cycles.get(&k)) {
                    (_, Some(error)) => Work::Cycle(Arc::clone(error)),
                    (Def::Formula(code), None) => Work::Formula(Arc::clone(code)),
                    // Only formula cells are ever not Clean.
                    _ => Work::Cycle(Arc::new(Err(crate::error::Error::new(
                        crate::error::ErrorKind::Internal,
                        crate::error::Span::default(),
                    )))),
                };
                let inputs = cell
                    .deps
                    .iter()
                    .map(|dep| match position.get(dep) {
                        Some(&p) => Input::Planned(p),
                        None => Input::Known(cells[*dep].outcome.clone(), cells[*dep].changed_at),
                    })
                    .collect();
                Step {
                    id,
                    work,
                    inputs,
                    dirty: cell.status == Status::Dirty,
                    verified_at: cell.verified_at,
                    changed_at: cell.changed_at,
                    old: cell.outcome.clone(),
                }
            })
            .collect();
        Plan {
            steps,
            levels,
            revision: cells.revision,
            target: 0,
        }
    }
}

/// Kahn's algorithm over the region (`planned[k]`: the region cells cell
/// `k` reads). Cells on a cycle get level 0 (their outcome does not wait
/// for their inputs); cells downstream of one wait for it as usual.
/// Returns the levels and the groups of cells on a cycle.
fn levels(planned: &[Vec<usize>]) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let n = planned.len();
    let mut kahn = Kahn {
        users: vec![Vec::new(); n],
        waiting: planned.iter().map(Vec::len).collect(),
        level: vec![0; n],
        order: Vec::with_capacity(n),
        cyclic: vec![false; n],
    };
    for (k, deps) in planned.iter().enumerate() {
        for &dep in deps {
            kahn.users[dep].push(k);
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&k| kahn.waiting[k] == 0).collect();
    kahn.drain(&mut ready);
    let mut groups = Vec::new();
    if kahn.order.len() < n {
        // What is left is on a cycle or downstream of one.
        let mut done = vec![false; n];
        for &k in &kahn.order {
            done[k] = true;
        }
        groups = cycle::on_cycles(planned, &done);
        for &k in groups.iter().flatten() {
            kahn.cyclic[k] = true;
            kahn.level[k] = 0;
            ready.push(k);
        }
        kahn.drain(&mut ready);
    }
    let depth = kahn.level.iter().copied().max().map_or(0, |d| d + 1);
    let mut levels: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for &k in &kahn.order {
        levels[kahn.level[k]].push(k);
    }
    for level in &mut levels {
        level.sort_unstable();
    }
    (levels, groups)
}

struct Kahn {
    users: Vec<Vec<usize>>,
    waiting: Vec<usize>,
    level: Vec<usize>,
    order: Vec<usize>,
    cyclic: Vec<bool>,
}

impl Kahn {
    /// Releases the ready cells and, in turn, the users they make ready.
    /// A cell on a cycle is never a user: it was released already.
    fn drain(&mut self, ready: &mut Vec<usize>) {
        while let Some(k) = ready.pop() {
            self.order.push(k);
            for i in 0..self.users[k].len() {
                let user = self.users[k][i];
                if self.cyclic[user] {
                    continue;
                }
                self.level[user] = self.level[user].max(self.level[k] + 1);
                self.waiting[user] -= 1;
                if self.waiting[user] == 0 {
                    ready.push(user);
                }
            }
        }
    }
}
