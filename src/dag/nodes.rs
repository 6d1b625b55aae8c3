//! The nodes of a DAG in chunks that a fork shares: forking a DAG of n
//! nodes copies n/[`CHUNK`] pointers and the last, partial chunk, and a
//! chunk is copied again only when a node in it changes (its `uses` count
//! grows). A session that adds statements while earlier ones run forks
//! its DAG each time; with one flat vector that was quadratic.

use std::ops::Index;
use std::sync::Arc;

use super::node::{Node, NodeId};

/// Nodes per chunk.
const CHUNK: usize = 128;

/// Append-only node storage, indexed by [`NodeId`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Nodes {
    full: Vec<Arc<Vec<Node>>>,
    tail: Vec<Node>,
}

impl Nodes {
    /// Number of nodes.
    pub(crate) fn len(&self) -> usize {
        self.full.len() * CHUNK + self.tail.len()
    }

    /// Adds `node` at the end and returns its id.
    pub(crate) fn push(&mut self, node: Node) -> NodeId {
        let id = NodeId::new(self.len());
        self.tail.push(node);
        if self.tail.len() == CHUNK {
            let chunk = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            self.full.push(Arc::new(chunk));
        }
        id
    }

    /// The node `id`, to change (copying its chunk first if it is shared).
    pub(crate) fn get_mut(&mut self, id: NodeId) -> Option<&mut Node> {
        let (chunk, k) = (id.index() / CHUNK, id.index() % CHUNK);
        let in_tail = chunk == self.full.len();
        match self.full.get_mut(chunk) {
            Some(full) => Arc::make_mut(full).get_mut(k),
            None if in_tail => self.tail.get_mut(k),
            None => None,
        }
    }
}

impl Index<NodeId> for Nodes {
    type Output = Node;

    fn index(&self, id: NodeId) -> &Node {
        let (chunk, k) = (id.index() / CHUNK, id.index() % CHUNK);
        match self.full.get(chunk) {
            Some(full) => &full[k],
            None => &self.tail[k],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dag::Op;
    use crate::error::Span;

    fn node(uses: u32) -> Node {
        let estimates = crate::dag::node::Estimates {
            exact: true,
            bits: 0,
            cost: 0,
            total: 0,
        };
        let none = crate::dag::Inputs::None;
        let mut node = Node::new(Op::Const, none, Span::new(0, 0), estimates).unwrap();
        node.uses = uses;
        node
    }

    #[test]
    fn forks_share_chunks_until_a_node_changes() {
        let mut a = Nodes::default();
        for i in 0..2500 {
            assert_eq!(a.push(node(i)).index(), i as usize);
        }
        let mut b = a.clone();
        assert!(Arc::ptr_eq(&a.full[0], &b.full[0]));
        b.get_mut(NodeId::new(5)).unwrap().uses = 99;
        assert!(!Arc::ptr_eq(&a.full[0], &b.full[0]), "copied on write");
        assert!(Arc::ptr_eq(&a.full[1], &b.full[1]), "the rest still shared");
        assert_eq!((a[NodeId::new(5)].uses, b[NodeId::new(5)].uses), (5, 99));
        assert_eq!(b[NodeId::new(2499)].uses, 2499);
        assert_eq!(b.len(), 2500);
        assert!(b.get_mut(NodeId::new(2500)).is_none());
    }
}
