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
///
/// Stored compactly (a big DAG holds millions of nodes): the span as two
/// 32-bit offsets, the estimates as saturating 32-bit numbers (read them
/// with [`Node::bits`], [`Node::cost`], [`Node::total`] and
/// [`Node::exact`]).
#[derive(Clone, Debug)]
pub struct Node {
    /// The operation.
    pub op: Op,
    /// The inputs, in argument order.
    pub inputs: super::Inputs,
    /// The first source span this subexpression came from (see [`Node::span`]).
    pub(super) span: [u32; 2],
    /// How many distinct nodes use this one as an input (so far).
    pub uses: u32,
    /// Whether the value is certainly exact (the top bit) and the estimated
    /// size of the value in bits (the rest, see [`Estimate`]).
    pub(super) exact_bits: u32,
    /// The estimated cost of the node's own operation (see [`Node::cost`]).
    pub(super) cost: Estimate,
    /// The estimated cost of the node and everything below it (see
    /// [`Node::total`]).
    pub(super) total: Estimate,
}

/// Bit 31 of [`Node::exact_bits`]: the value is certainly exact.
const EXACT: u32 = 1 << 31;
/// The largest size in bits [`Node::exact_bits`] can store; the next
/// number (all 31 bits set) means unknown.
const BITS_MAX: u64 = (EXACT - 2) as u64;

/// A saturating 32-bit estimate: `u32::MAX` stands for
/// [`UNKNOWN`](super::UNKNOWN), and known values past `u32::MAX - 1` are
/// stored as `u32::MAX - 1` (they stay known; every decision compares
/// estimates with bounds far below that).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Estimate(u32);

impl Estimate {
    fn new(value: u64) -> Estimate {
        match value {
            super::UNKNOWN => Estimate(u32::MAX),
            v => Estimate(u32::try_from(v).unwrap_or(u32::MAX - 1).min(u32::MAX - 1)),
        }
    }

    fn get(self) -> u64 {
        match self.0 {
            u32::MAX => super::UNKNOWN,
            v => u64::from(v),
        }
    }
}

/// A new node's estimates, as [`estimate`](super::estimate) computes them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Estimates {
    /// Whether the value is certainly exact.
    pub exact: bool,
    /// Size of the value in bits.
    pub bits: u64,
    /// Cost of the node's own operation (ns).
    pub cost: u64,
    /// Cost of the node and everything below it (ns).
    pub total: u64,
}

impl Node {
    /// A node with no users yet, or `None` if `span` does not fit in 32
    /// bits (an input of 4 GiB or more).
    pub(crate) fn new(
        op: Op,
        inputs: super::Inputs,
        span: Span,
        estimates: Estimates,
    ) -> Option<Node> {
        let span = [
            u32::try_from(span.start).ok()?,
            u32::try_from(span.end).ok()?,
        ];
        let bits = match estimates.bits {
            super::UNKNOWN => EXACT - 1,
            b => b.min(BITS_MAX) as u32,
        };
        Some(Node {
            op,
            inputs,
            span,
            uses: 0,
            exact_bits: bits | if estimates.exact { EXACT } else { 0 },
            cost: Estimate::new(estimates.cost),
            total: Estimate::new(estimates.total),
        })
    }

    /// The first source span this subexpression came from.
    pub fn span(&self) -> Span {
        Span::new(self.span[0] as usize, self.span[1] as usize)
    }

    /// Whether the node's value is certainly exact (so `+`/`*` may be
    /// reassociated).
    pub fn exact(&self) -> bool {
        self.exact_bits & EXACT != 0
    }

    /// Estimated size of the value in bits (saturating;
    /// [`UNKNOWN`](super::UNKNOWN) if unknown).
    pub fn bits(&self) -> u64 {
        match self.exact_bits & !EXACT {
            b if b == EXACT - 1 => super::UNKNOWN,
            b => u64::from(b),
        }
    }

    /// Estimated cost of this node's own operation in nanoseconds
    /// (saturating; [`UNKNOWN`](super::UNKNOWN) if unknown or unbounded).
    pub fn cost(&self) -> u64 {
        self.cost.get()
    }

    /// Estimated cost (ns) of computing this node and everything below it
    /// from scratch (saturating; shared inputs are counted once per use, so
    /// this over-estimates a DAG and never under-estimates it;
    /// [`UNKNOWN`](super::UNKNOWN) if any part is unknown).
    pub fn total(&self) -> u64 {
        self.total.get()
    }
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
            std::mem::size_of::<Node>() <= 56,
            "{}",
            std::mem::size_of::<Node>()
        );
    }
}

#[cfg(test)]
mod packing {
    use super::*;
    use crate::dag::{Inputs, UNKNOWN};

    fn node(exact: bool, bits: u64, cost: u64, total: u64) -> Option<Node> {
        let e = Estimates {
            exact,
            bits,
            cost,
            total,
        };
        Node::new(Op::Const, Inputs::None, Span::new(3, 9), e)
    }

    #[test]
    fn estimates_round_trip_and_saturate_but_stay_known() {
        let n = node(true, 1234, 20, 45).unwrap();
        assert!(n.exact());
        assert_eq!((n.bits(), n.cost(), n.total()), (1234, 20, 45));
        assert_eq!(n.span(), Span::new(3, 9));
        let n = node(false, UNKNOWN, UNKNOWN, UNKNOWN).unwrap();
        assert!(!n.exact());
        assert_eq!((n.bits(), n.cost(), n.total()), (UNKNOWN, UNKNOWN, UNKNOWN));
        let n = node(true, 1 << 40, 1 << 40, u64::MAX - 1).unwrap();
        assert!(n.exact());
        assert_eq!(n.bits(), BITS_MAX);
        assert_eq!(n.cost(), u64::from(u32::MAX - 1));
        assert_eq!(n.total(), u64::from(u32::MAX - 1));
    }

    #[test]
    fn a_span_past_4_gib_does_not_fit() {
        let e = Estimates {
            exact: true,
            bits: 0,
            cost: 0,
            total: 0,
        };
        let far = Span::new(0, 1 << 32);
        assert!(Node::new(Op::Const, Inputs::None, far, e).is_none());
    }
}
