//! One node of the DAG: an operation, its inputs and where it came from.

use crate::error::{Error, Span};
use crate::value::{BinOp, Builtin, UnOp};

/// A node of a run's DAG: what a [`NodeEvent`](crate::NodeEvent) and
/// [`ExprFuture::node`](crate::ExprFuture::node) name. Equal
/// subexpressions share one node, so two futures or events with the same
/// `NodeId` computed the same thing. Ids are dense indices in topological
/// order (inputs before their users) and mean something only within the
/// DAG they came from.
///
/// ```
/// let engine = exprflow::Engine::with_workers(1).unwrap();
/// let future = engine.submit("(1+2)*(1+2)").unwrap();
/// // The leaves `1` and `2`, the shared `1+2` and the product: four nodes.
/// assert_eq!(future.node().index(), 3);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    /// The node at position `index` (in topological order).
    pub(crate) fn new(index: usize) -> NodeId {
        NodeId(u32::try_from(index).unwrap_or(u32::MAX))
    }

    /// The node's position in its DAG (inputs come before their users).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a node computes from its inputs.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// A literal or named constant; its value is known when the node is made.
    Const,
    /// A prefix minus or factorial of its one input.
    Unary(UnOp),
    /// An infix operation of its two inputs.
    Binary(BinOp),
    /// A built-in function of its inputs.
    Call(Builtin),
    /// `if(c, a, b)`, lazy: its inputs are `[c, a, b]`, but only `c` is
    /// evaluated first, then only the branch it chooses (`a` when `c` is
    /// not zero). The branch not taken is never evaluated or reported.
    If,
    /// A call of a user function: the node's first inputs are the
    /// arguments, the rest the variables of the call's environment. When
    /// the arguments are known, the call is looked up in the DAG's memo or
    /// computed by expanding the body (see `eval::calls`).
    UserCall(std::sync::Arc<super::func::CallSite>),
    /// A call of a host function (registered on the engine) with its
    /// inputs as arguments. Pure calls with equal argument values are
    /// computed once per DAG (`CallTable::host_call_or`); a volatile one
    /// is a node of its own at every call site.
    Host(std::sync::Arc<crate::host::HostFn>),
    /// An error found while building (unknown name, wrong arity, bad literal):
    /// evaluates to the first failing input's error, else to this one, as a
    /// left-to-right evaluation would.
    Fail(Box<Error>),
}

impl Op {
    /// A short label: the operator symbol or function name.
    pub fn label(&self) -> &str {
        match self {
            Op::Const => "const",
            Op::Unary(UnOp::Neg) => "neg",
            Op::Unary(UnOp::Plus) => "+",
            Op::Unary(UnOp::Fact) => "!",
            Op::Binary(op) => op.symbol(),
            Op::Call(f) => f.name(),
            Op::If => "if",
            Op::UserCall(site) => &site.def.name,
            Op::Host(f) => f.name(),
            Op::Fail(_) => "error",
        }
    }
}

impl Node {
    /// The inputs an evaluation needs before the node's own step: all of
    /// them, except for `if`, whose branches wait for its condition.
    pub fn eager_inputs(&self) -> &[NodeId] {
        match self.op {
            Op::If => &self.inputs[..self.inputs.len().min(1)],
            _ => &self.inputs,
        }
    }
}

/// A DAG node with statically estimated properties used for scheduling.
#[derive(Clone, Debug)]
pub struct Node {
    /// The operation.
    pub op: Op,
    /// The inputs, in argument order.
    pub inputs: super::Inputs,
    /// The first source span this subexpression came from.
    pub span: Span,
    /// Whether the node's value is certainly exact (so `+`/`*` may be reassociated).
    pub exact: bool,
    /// Estimated size of the value in bits (saturating; `u64::MAX` if unknown).
    pub bits: u64,
    /// Estimated cost of this node's own operation in nanoseconds
    /// (saturating; `u64::MAX` if unknown or unbounded).
    pub cost: u64,
    /// How many distinct nodes use this one as an input (so far).
    pub uses: u32,
    /// Estimated cost (ns) of computing this node and everything below it
    /// from scratch (saturating; shared inputs are counted once per use, so
    /// this over-estimates a DAG and never under-estimates it).
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nodes stay compact: a big DAG holds millions of them.
    #[test]
    fn a_node_is_compact() {
        assert!(
            std::mem::size_of::<Op>() <= 16,
            "{}",
            std::mem::size_of::<Op>()
        );
        assert!(
            std::mem::size_of::<Node>() <= 80,
            "{}",
            std::mem::size_of::<Node>()
        );
    }
}
