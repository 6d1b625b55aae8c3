//! The cells of a model and their dependency graph, with the dirty marking
//! that edits do (see ARCHITECTURE.md, "Models").
//!
//! Every name a cell reads has a slot, defined or not, so defining a name
//! later reaches the cells that already read it. Revisions count edits;
//! each cell remembers when its outcome last changed (`changed_at`) and when
//! it was last known current (`verified_at`), as in salsa's red-green
//! algorithm.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::code::{Code, Shared, same};
use crate::value::Value;

/// A cell of a model (a name, defined or not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct CellId(u32);

impl CellId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a name holds.
#[derive(Clone, Debug)]
pub(crate) enum Def {
    /// Nothing: reading it gives a constant (`pi`) or `unknown variable`.
    Undefined,
    /// A value given by `set`.
    Input,
    /// A formula given by `define`.
    Formula(Arc<Code>),
}

/// Whether a formula cell's outcome can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Current: nothing it depends on changed since it was computed.
    Clean,
    /// Something upstream was edited: it may be out of date. A `get` that
    /// needs it checks its inputs and recomputes it only if one changed.
    Stale,
    /// New or redefined (or its last outcome is not to be kept, such as a
    /// memory-budget refusal): a `get` that needs it recomputes it.
    Dirty,
}

#[derive(Debug)]
pub(crate) struct Cell {
    pub(crate) name: Box<str>,
    pub(crate) def: Def,
    /// The cells its formula reads, distinct, in order of first appearance.
    pub(crate) deps: Vec<CellId>,
    /// The formula cells that read it.
    pub(crate) users: Vec<CellId>,
    /// Its last outcome (`None`: undefined, or never computed).
    pub(crate) outcome: Option<Shared>,
    pub(crate) status: Status,
    /// The revision in which its outcome (or being defined) last changed.
    pub(crate) changed_at: u64,
    /// The revision at which its outcome was last known current.
    pub(crate) verified_at: u64,
    /// How many formula cells its value needs (itself included), counted
    /// in structure epoch `.0`.
    pub(crate) needs: Option<(u64, usize)>,
}

/// All cells and the edit counters.
#[derive(Debug, Default)]
pub(crate) struct Cells {
    pub(crate) cells: Vec<Cell>,
    ids: FxHashMap<Box<str>, CellId>,
    /// Bumped by every edit that changes something.
    pub(crate) revision: u64,
    /// Bumped by every edit that changes which cells read which.
    pub(crate) epoch: u64,
}

impl std::ops::Index<CellId> for Cells {
    type Output = Cell;
    fn index(&self, id: CellId) -> &Cell {
        &self.cells[id.index()]
    }
}

impl std::ops::IndexMut<CellId> for Cells {
    fn index_mut(&mut self, id: CellId) -> &mut Cell {
        &mut self.cells[id.index()]
    }
}

impl Cells {
    /// The cell named `name`, if the name was ever defined or read.
    pub(crate) fn id(&self, name: &str) -> Option<CellId> {
        self.ids.get(name).copied()
    }

    /// The cell named `name`, made (undefined) if needed.
    fn intern(&mut self, name: &str) -> CellId {
        if let Some(id) = self.id(name) {
            return id;
        }
        let id = CellId(self.cells.len() as u32);
        self.cells.push(Cell {
            name: name.into(),
            def: Def::Undefined,
            deps: Vec::new(),
            users: Vec::new(),
            outcome: None,
            status: Status::Clean,
            changed_at: 0,
            verified_at: 0,
            needs: None,
        });
        self.ids.insert(name.into(), id);
        id
    }

    /// `set(name, value)`: the cell becomes an input. Setting the value it
    /// already has changes nothing.
    pub(crate) fn set(&mut self, name: &str, value: Value) {
        let id = self.intern(name);
        let outcome = Ok(value);
        if matches!(self[id].def, Def::Input)
            && self[id]
                .outcome
                .as_deref()
                .is_some_and(|old| same(old, &outcome))
        {
            return;
        }
        if !matches!(self[id].def, Def::Input) {
            self.unlink(id);
            self[id].def = Def::Input;
            self.epoch += 1;
        }
        self.revision += 1;
        let revision = self.revision;
        let cell = &mut self[id];
        cell.outcome = Some(Arc::new(outcome));
        cell.status = Status::Clean;
        cell.changed_at = revision;
        cell.verified_at = revision;
        self.mark_users(id);
    }

    /// `name = expr`: the cell becomes (or stays) a formula, to be computed
    /// by the next `get` that needs it. Its old outcome stays for the
    /// comparison that cuts propagation off.
    pub(crate) fn define(&mut self, code: Code) {
        let id = self.intern(&code.target.0);
        self.unlink(id);
        let deps: Vec<CellId> = code.names.iter().map(|name| self.intern(name)).collect();
        for &dep in &deps {
            self[dep].users.push(id);
        }
        self.revision += 1;
        self.epoch += 1;
        let was_defined = !matches!(self[id].def, Def::Undefined);
        let revision = self.revision;
        let cell = &mut self[id];
        cell.deps = deps;
        cell.def = Def::Formula(Arc::new(code));
        cell.status = Status::Dirty;
        if !was_defined {
            // Readers saw "no such cell" until now.
            cell.outcome = None;
            cell.changed_at = revision;
        }
        self.mark_users(id);
    }

    /// Forgets which cells `id` reads (before it is redefined).
    fn unlink(&mut self, id: CellId) {
        let deps = std::mem::take(&mut self[id].deps);
        for dep in deps {
            self[dep].users.retain(|&user| user != id);
        }
    }

    /// The dirty marking: every cell downstream of `id` becomes `Stale`
    /// (at most). It stops at cells already marked: their users are marked
    /// already (a cell that is not `Clean` never has a `Clean` user).
    pub(crate) fn mark_users(&mut self, id: CellId) {
        let mut work: Vec<CellId> = self[id].users.clone();
        while let Some(user) = work.pop() {
            if self[user].status == Status::Clean {
                self[user].status = Status::Stale;
                work.extend_from_slice(&self[user].users);
            }
        }
    }

    /// How many formula cells the value of `id` needs (itself included):
    /// what a `get` of it reuses when it recomputes nothing. Cached per
    /// structure epoch. Iterative.
    pub(crate) fn needs(&mut self, id: CellId) -> usize {
        if let Some((epoch, count)) = self[id].needs
            && epoch == self.epoch
        {
            return count;
        }
        let mut seen = rustc_hash::FxHashSet::default();
        let mut work = vec![id];
        let mut count = 0;
        while let Some(cell) = work.pop() {
            if !seen.insert(cell) {
                continue;
            }
            if matches!(self[cell].def, Def::Formula(_)) {
                count += 1;
                work.extend_from_slice(&self[cell].deps);
            }
        }
        self[id].needs = Some((self.epoch, count));
        count
    }
}
