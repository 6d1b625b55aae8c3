//! The hash-consing index: which node already computes an operation of
//! given inputs, or holds a given constant.
//!
//! Operation nodes are found by a hash of their operation and inputs, but
//! the table stores only each node's id and 32 bits of that hash (8 bytes
//! an entry, no key, no allocation): comparing a candidate reads the node
//! itself, and growing the table rehashes from the stored bits without
//! touching the nodes.

use std::hash::{Hash, Hasher};

use hashbrown::hash_table::{Entry as Slot, HashTable};
use rustc_hash::{FxHashMap, FxHasher};

use super::inputs::Inputs;
use super::node::{Node, NodeId, Op};
use super::nodes::Nodes;
use crate::value::{BinOp, Builtin, UnOp};

/// What makes an operation node the same as another, besides its inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum OpKey<'a> {
    Unary(UnOp),
    Binary(BinOp),
    Call(Builtin),
    If,
    /// A pure host function, by id.
    Host(u64),
    /// A user call: its definition and its environment's signature.
    User(u64, &'a [(Box<str>, u64)]),
}

impl OpKey<'_> {
    /// The key of `op`, or `None` if nodes of `op` are never shared
    /// (constants and failures are keyed otherwise or not at all; a
    /// volatile host call is a node per call site).
    pub(super) fn of(op: &Op) -> Option<OpKey<'_>> {
        Some(match op {
            Op::Unary(u) => OpKey::Unary(*u),
            Op::Binary(b) => OpKey::Binary(*b),
            Op::Call(f) => OpKey::Call(*f),
            Op::If => OpKey::If,
            Op::Host(f) if f.purity() == crate::host::Purity::Pure => OpKey::Host(f.id()),
            Op::UserCall(site) => OpKey::User(site.def.id, &site.env.signature),
            Op::Host(_) | Op::Const | Op::Fail(_) => return None,
        })
    }
}

/// One operation node of the table: its id and 32 bits of its hash.
#[derive(Clone, Copy, Debug)]
struct Entry {
    id: NodeId,
    hash: u32,
}

/// The index of a DAG (see the module documentation).
#[derive(Clone, Debug, Default)]
pub(super) struct Index {
    ops: HashTable<Entry>,
    /// Small integer constants, keyed without formatting them.
    ints: SmallInts,
    /// Other constants, by kind and value as text.
    consts: FxHashMap<(&'static str, Box<str>), NodeId>,
}

/// What [`Index::operation`] found.
pub(super) enum Found {
    /// An equal node exists.
    Existing(NodeId),
    /// None exists; it was recorded that the next node pushed is this one.
    Added,
}

/// 32 bits of the hash of an operation and its inputs.
fn hash32(key: &OpKey<'_>, inputs: &[NodeId]) -> u32 {
    let mut hasher = FxHasher::default();
    key.hash(&mut hasher);
    inputs.hash(&mut hasher);
    let h = hasher.finish();
    (h ^ (h >> 32)) as u32
}

/// The table's 64-bit hash from the stored 32 bits: spread so that both
/// the low bits (the bucket) and the top bits (hashbrown's tag) vary.
fn spread(hash: u32) -> u64 {
    u64::from(hash).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(hash)
}

fn same(node: &Node, key: &OpKey<'_>, inputs: &[NodeId]) -> bool {
    *node.inputs == *inputs && OpKey::of(&node.op).as_ref() == Some(key)
}

impl Index {
    /// Room for `additional` more operation nodes without growing.
    pub(super) fn reserve(&mut self, additional: usize) {
        self.ops.reserve(additional, |e| spread(e.hash));
    }

    /// The node of `nodes` computing `key` of `inputs`, or, if there is
    /// none, records that node `next` (about to be pushed) is it.
    pub(super) fn operation(
        &mut self,
        nodes: &Nodes,
        key: &OpKey<'_>,
        inputs: &Inputs,
        next: NodeId,
    ) -> Found {
        let hash = hash32(key, inputs);
        let slot = self.ops.entry(
            spread(hash),
            |e| e.hash == hash && same(&nodes[e.id], key, inputs),
            |e| spread(e.hash),
        );
        match slot {
            Slot::Occupied(found) => Found::Existing(found.get().id),
            Slot::Vacant(vacant) => {
                vacant.insert(Entry { id: next, hash });
                Found::Added
            }
        }
    }

    /// The node of `nodes` computing `key` of `inputs`, if there is one:
    /// a look-up only, so several threads may look up at once.
    pub(super) fn find(&self, nodes: &Nodes, key: &OpKey<'_>, inputs: &[NodeId]) -> Option<NodeId> {
        let hash = hash32(key, inputs);
        self.ops
            .find(spread(hash), |e| {
                e.hash == hash && same(&nodes[e.id], key, inputs)
            })
            .map(|e| e.id)
    }

    /// The node of the small integer constant `value`, if there is one.
    pub(super) fn int(&self, value: i64) -> Option<NodeId> {
        self.ints.get(value)
    }

    /// Records `id` as the node of the small integer constant `value`.
    pub(super) fn add_int(&mut self, value: i64, id: NodeId) {
        self.ints.insert(value, id);
    }

    /// The node of another constant, by kind and text, if there is one.
    pub(super) fn constant(&self, key: &(&'static str, Box<str>)) -> Option<NodeId> {
        self.consts.get(key).copied()
    }

    /// Records `id` as the node of another constant.
    pub(super) fn add_constant(&mut self, key: (&'static str, Box<str>), id: NodeId) {
        self.consts.insert(key, id);
    }
}

/// Integer constants by value: the non-negative ones below the length of
/// a dense table there (one array read, no hashing: the common literals
/// `0`, `1`, `2`, ... of a big input), the others in a map. The table
/// grows by doubling to cover a new value only while it stays within
/// [`SmallInts::SPREAD`] slots per constant it holds, so its memory
/// follows the number of constants, not their size. A value below the
/// table's length lives only in the table.
#[derive(Clone, Debug, Default)]
struct SmallInts {
    /// `dense[v]` is the node of `v`, plus one (0: none).
    dense: Vec<u32>,
    /// How many of `dense` are set.
    in_dense: usize,
    /// Every other integer constant.
    sparse: FxHashMap<i64, NodeId>,
}

impl SmallInts {
    /// Most table slots per constant held (counting the ones it would hold).
    const SPREAD: usize = 8;
    /// A table this long is always allowed.
    const FLOOR: usize = 1 << 10;

    fn slot(&self, value: i64) -> Option<usize> {
        usize::try_from(value)
            .ok()
            .filter(|&v| v < self.dense.len())
    }

    fn get(&self, value: i64) -> Option<NodeId> {
        match self.slot(value) {
            Some(v) => self.dense[v]
                .checked_sub(1)
                .map(|i| NodeId::new(i as usize)),
            None => self.sparse.get(&value).copied(),
        }
    }

    fn insert(&mut self, value: i64, id: NodeId) {
        if self.slot(value).is_none() {
            self.grow_to(value);
        }
        let Some(v) = self.slot(value) else {
            self.sparse.insert(value, id);
            return;
        };
        let Ok(stored) = u32::try_from(id.index() + 1) else {
            self.sparse.insert(value, id);
            return;
        };
        if self.dense[v] == 0 {
            self.in_dense += 1;
        }
        self.dense[v] = stored;
    }

    /// Lengthens the table to cover `value` if that keeps it dense
    /// enough, moving the map's constants that it then covers.
    fn grow_to(&mut self, value: i64) {
        let Ok(value) = usize::try_from(value) else {
            return;
        };
        let held = self.in_dense + self.sparse.len() + 1;
        let Some(len) = value.checked_add(1).map(usize::next_power_of_two) else {
            return;
        };
        if len > held.saturating_mul(Self::SPREAD).max(Self::FLOOR) {
            return;
        }
        self.dense.resize(len, 0);
        let covered: Vec<i64> = self
            .sparse
            .keys()
            .copied()
            .filter(|k| usize::try_from(*k).is_ok_and(|k| k < len))
            .collect();
        for key in covered {
            if let Some(id) = self.sparse.remove(&key) {
                self.insert(key, id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dag::{Dag, Scope};
    use crate::syntax::parse_expr;

    fn add(dag: &mut Dag, text: &str) -> crate::dag::NodeId {
        let (ast, root) = parse_expr(text).expect("parses");
        dag.add_expr(&ast, root, &Scope::new()).expect("builds")
    }

    /// Past any pre-sized capacity: equal operations and constants are
    /// found again, different ones (other operator, other order, other
    /// constant kind) are not.
    #[test]
    fn equal_nodes_are_found_after_growth_and_only_equal_ones() {
        let text: Vec<String> = (0..3000).map(|i| format!("({i}*{})", i + 1)).collect();
        let text = text.join("+");
        let mut dag = Dag::default();
        let root = add(&mut dag, &text);
        let len = dag.len();
        assert_eq!(add(&mut dag, &text), root);
        let product = add(&mut dag, "2999*3000");
        assert_eq!(dag.len(), len, "nothing new");
        for other in ["3000*2999", "2999+3000", "2999*3001"] {
            assert_ne!(add(&mut dag, other), product);
        }
        assert_eq!(dag.len(), len + 4, "3 operations and the constant 3001");
    }

    /// Integer constants are found again wherever they are kept: the dense
    /// table (which covers values only while it stays dense) or the map,
    /// also after the table grew over values first kept in the map.
    #[test]
    fn integer_constants_are_found_in_table_and_map() {
        let mut ints = super::SmallInts::default();
        let values: Vec<i64> = [5_000_000, -3, 0, 7, 1 << 40, 2047, 4096, 100_000]
            .into_iter()
            .chain((0..20_000).map(|v| v * 3))
            .chain([i64::MAX, i64::MIN])
            .collect();
        for (k, &v) in values.iter().enumerate() {
            if ints.get(v).is_none() {
                ints.insert(v, crate::dag::NodeId::new(k));
            }
        }
        for &v in &values {
            let k = values.iter().position(|&w| w == v).unwrap_or(0);
            assert_eq!(ints.get(v), Some(crate::dag::NodeId::new(k)), "{v}");
        }
        for v in [1, 2, -1, 5_000_001, 60_001] {
            assert_eq!(ints.get(v), None, "{v}");
        }
        assert!(ints.dense.len() <= 1 << 16, "dense only while dense");
        assert!(ints.get(4096).is_some() && !ints.sparse.contains_key(&4096));
    }
}
