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
    ints: FxHashMap<i64, NodeId>,
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
        self.ints.get(&value).copied()
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
}
