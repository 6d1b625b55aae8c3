//! A node's inputs in compact form: up to two inline (no allocation, which
//! is almost every node), more in one shared allocation.

use std::ops::Deref;
use std::sync::Arc;

use super::node::NodeId;

/// The inputs of a node, in argument order; reads as a `[NodeId]`.
///
/// ```
/// use exprflow::testing::dag::{Inputs, NodeId};
/// let none = Inputs::default();
/// assert!(none.is_empty());
/// let many = Inputs::from(vec![NodeId::default(); 3]);
/// assert_eq!(many.len(), 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Inputs {
    /// No inputs (constants, most failures).
    #[default]
    None,
    /// One input.
    One([NodeId; 1]),
    /// Two inputs (every infix operation).
    Two([NodeId; 2]),
    /// Three or more (behind a thin pointer, so `Inputs` is 16 bytes).
    Many(Arc<Vec<NodeId>>),
}

impl Deref for Inputs {
    type Target = [NodeId];

    fn deref(&self) -> &[NodeId] {
        match self {
            Inputs::None => &[],
            Inputs::One(ids) => ids,
            Inputs::Two(ids) => ids,
            Inputs::Many(ids) => ids,
        }
    }
}

impl From<&[NodeId]> for Inputs {
    fn from(ids: &[NodeId]) -> Inputs {
        match *ids {
            [] => Inputs::None,
            [a] => Inputs::One([a]),
            [a, b] => Inputs::Two([a, b]),
            _ => Inputs::Many(Arc::new(ids.to_vec())),
        }
    }
}

impl From<Vec<NodeId>> for Inputs {
    fn from(ids: Vec<NodeId>) -> Inputs {
        match ids.len() {
            0..=2 => Inputs::from(&ids[..]),
            _ => Inputs::Many(Arc::new(ids)),
        }
    }
}

impl From<Arc<[NodeId]>> for Inputs {
    fn from(ids: Arc<[NodeId]>) -> Inputs {
        Inputs::from(&ids[..])
    }
}

impl<const N: usize> From<[NodeId; N]> for Inputs {
    fn from(ids: [NodeId; N]) -> Inputs {
        Inputs::from(&ids[..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_inputs_are_inline_and_all_read_as_slices() {
        assert_eq!(std::mem::size_of::<Inputs>(), 16);
        let ids: Vec<NodeId> = (0..5).map(NodeId::new).collect();
        for n in 0..=5 {
            let inputs = Inputs::from(ids[..n].to_vec());
            assert_eq!(&*inputs, &ids[..n]);
            assert_eq!(inputs, Inputs::from(Arc::<[NodeId]>::from(&ids[..n])));
            assert_eq!(matches!(inputs, Inputs::Many(_)), n > 2);
        }
    }
}
