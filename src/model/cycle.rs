//! Cycles among a model's cells: which cells are on one, and the error that
//! names it (`cycle: a -> c -> b -> a`, each cell reading the next).

use std::collections::VecDeque;
use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap;

use super::cells::{CellId, Cells, Def};
use super::code::Shared;
use crate::error::{Error, ErrorKind, Span};

/// How many names a cycle message lists before it abbreviates.
const SHOWN: usize = 10;

/// The groups of cells (positions in `reads`) not `done` that are on a
/// cycle: strongly connected components of more than one cell, or a cell
/// reading itself. petgraph's Kosaraju is iterative, so any size is fine.
pub(crate) fn on_cycles(reads: &[Vec<usize>], done: &[bool]) -> Vec<Vec<usize>> {
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let mut node: FxHashMap<usize, NodeIndex> = FxHashMap::default();
    for k in (0..reads.len()).filter(|&k| !done[k]) {
        node.insert(k, graph.add_node(k));
    }
    for (k, deps) in reads.iter().enumerate() {
        let Some(&from) = node.get(&k) else { continue };
        for dep in deps {
            if let Some(&to) = node.get(dep) {
                graph.add_edge(from, to, ());
            }
        }
    }
    petgraph::algo::kosaraju_scc(&graph)
        .into_iter()
        .map(|component| {
            component
                .into_iter()
                .map(|n| graph[n])
                .collect::<Vec<usize>>()
        })
        .filter(|group| match group.as_slice() {
            [single] => reads[*single].contains(single),
            _ => true,
        })
        .collect()
}

/// The error of each cell on a cycle (positions in `region`; `reads` as
/// for [`on_cycles`], `groups` what it returned). The cells of one group
/// share one cycle, found from the group's alphabetically first cell by a
/// breadth-first search in reading order (so the shortest through it, and
/// independent of the order of edits); a cell on that cycle sees it
/// starting from itself, another cell of the group sees it as it is.
pub(crate) fn errors(
    cells: &Cells,
    region: &[CellId],
    reads: &[Vec<usize>],
    groups: &[Vec<usize>],
) -> FxHashMap<usize, Shared> {
    let mut errors = FxHashMap::default();
    let mut group_of: Vec<Option<usize>> = vec![None; region.len()];
    for (g, group) in groups.iter().enumerate() {
        for &k in group {
            group_of[k] = Some(g);
        }
    }
    for group in groups {
        let Some(first) = group
            .iter()
            .copied()
            .min_by(|&a, &b| cells[region[a]].name.cmp(&cells[region[b]].name))
        else {
            continue;
        };
        let cycle = shortest_cycle(reads, &group_of, first);
        // Where each cell of the cycle is on it: looked up per cell, so a
        // long cycle costs its length once, not once per cell.
        let place: FxHashMap<usize, usize> =
            cycle.iter().enumerate().map(|(at, &c)| (c, at)).collect();
        for &k in group {
            // Only the names shown are gathered.
            let at = place.get(&k).copied().unwrap_or(0);
            let names: Vec<&str> = cycle[at..]
                .iter()
                .chain(&cycle[..at])
                .take(SHOWN)
                .map(|&c| &*cells[region[c]].name)
                .collect();
            let span = match &cells[region[k]].def {
                Def::Formula(code) => code.target.1,
                _ => Span::default(),
            };
            let error = Error::with_detail(ErrorKind::Cycle, span, describe(&names, cycle.len()));
            errors.insert(k, Arc::new(Err(error)));
        }
    }
    errors
}

/// The shortest cycle from `first` back to itself within its group
/// (breadth first, inputs in reading order), as positions, `first` first.
fn shortest_cycle(reads: &[Vec<usize>], group_of: &[Option<usize>], first: usize) -> Vec<usize> {
    let group = group_of[first];
    let mut parent: FxHashMap<usize, usize> = FxHashMap::default();
    let mut queue = VecDeque::from([first]);
    while let Some(k) = queue.pop_front() {
        for &next in &reads[k] {
            if group_of[next] != group {
                continue;
            }
            if next == first {
                let mut path = vec![k];
                let mut at = k;
                while at != first {
                    let Some(&up) = parent.get(&at) else { break };
                    at = up;
                    path.push(at);
                }
                path.reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = parent.entry(next) {
                slot.insert(k);
                queue.push_back(next);
            }
        }
    }
    vec![first]
}

/// `a -> c -> b -> a` for a cycle of `len` cells whose first names (up
/// to [`SHOWN`]) are `names`, abbreviated after those.
fn describe(names: &[&str], len: usize) -> String {
    let mut text = String::new();
    for name in names {
        text.push_str(name);
        text.push_str(" -> ");
    }
    if len > names.len() {
        text.push_str(&format!("... ({} more) -> ", len - names.len()));
    }
    text.push_str(names.first().copied().unwrap_or(""));
    text
}
