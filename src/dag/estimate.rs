//! Static estimates of a node's value size and cost, for rebalancing and for
//! deciding which subgraphs are cheap enough to evaluate inline as one task.

use super::node::{Node, NodeId, Op};
use super::nodes::Nodes;
use crate::value::{BinOp, Builtin, UnOp, Value};

/// A size we cannot bound statically.
pub const UNKNOWN: u64 = u64::MAX;

/// The estimate of a new node from its operation, its inputs (nodes of
/// `nodes`) and, for constants, its value: `(exact, bits, cost_ns)`.
pub(crate) fn estimate(
    op: &Op,
    inputs: &[NodeId],
    nodes: &Nodes,
    value: Option<&Value>,
) -> (bool, u64, u64) {
    let node = |id: &NodeId| -> &Node { &nodes[*id] };
    let all_exact = inputs.iter().all(|n| node(n).exact());
    let bits = |i: usize| inputs.get(i).map_or(UNKNOWN, |n| node(n).bits());
    let max_bits = inputs.iter().map(|n| node(n).bits()).max().unwrap_or(0);
    let sum_bits = inputs
        .iter()
        .fold(0u64, |acc, n| acc.saturating_add(node(n).bits()));
    match op {
        Op::Const => {
            let v = value.map_or(0, Value::bits);
            (value.is_some_and(Value::is_exact), v, 0)
        }
        Op::Fail(_) => (true, 0, 1),
        // A call's work is unknown until it runs: a task of its own.
        Op::UserCall(_) => (false, UNKNOWN, UNKNOWN),
        // So is a host call: never fused, never inside a whole task.
        Op::Host(_) => (false, UNKNOWN, UNKNOWN),
        // The branches' sizes bound the result; the cost of the `if` itself
        // is a test of its condition, unless a branch's work is unknown (a
        // call, a wait): then it is a task of its own, so that its branch
        // starts as soon as its condition is known.
        Op::If => {
            let branches = &inputs[inputs.len().min(1)..];
            let unknown = branches.iter().any(|n| node(n).total() == UNKNOWN);
            (
                branches.iter().all(|n| node(n).exact()),
                branches.iter().map(|n| node(n).bits()).max().unwrap_or(0),
                if unknown { UNKNOWN } else { 20 },
            )
        }
        Op::Unary(UnOp::Neg | UnOp::Plus) => (all_exact, bits(0), linear(bits(0))),
        Op::Unary(UnOp::Fact) => (true, UNKNOWN, UNKNOWN),
        Op::Binary(op) => {
            let exact = all_exact && *op != BinOp::Pow;
            match op {
                BinOp::Add | BinOp::Sub => (exact, max_bits.saturating_add(1), linear(max_bits)),
                BinOp::Mul => (exact, sum_bits, product(sum_bits)),
                BinOp::Div => (exact, sum_bits, product(sum_bits).saturating_mul(4)),
                BinOp::FloorDiv | BinOp::Mod => (exact, max_bits, product(sum_bits)),
                BinOp::Pow => (false, UNKNOWN, UNKNOWN),
                _ => (true, 1, linear(max_bits)),
            }
        }
        Op::Call(f) => match f {
            Builtin::Abs | Builtin::Min | Builtin::Max => (all_exact, max_bits, linear(sum_bits)),
            Builtin::Floor | Builtin::Ceil | Builtin::Round | Builtin::Num | Builtin::Den => {
                (true, max_bits, linear(max_bits))
            }
            Builtin::Gcd | Builtin::Lcm => (true, sum_bits, product(sum_bits).saturating_mul(8)),
            Builtin::Isqrt => (true, max_bits / 2 + 1, product(max_bits)),
            Builtin::Float
            | Builtin::Ln
            | Builtin::Exp
            | Builtin::Log2
            | Builtin::Log10
            | Builtin::Sin
            | Builtin::Cos
            | Builtin::Tan => (false, 64, linear(max_bits).saturating_add(50)),
            Builtin::Exact => (true, 1100, 100),
            Builtin::Sqrt => (false, max_bits, product(max_bits)),
            Builtin::Fact | Builtin::Binom | Builtin::Fib => (true, UNKNOWN, UNKNOWN),
            // Waits and burns are never cheap: they must be tasks of their own.
            Builtin::Delay | Builtin::Busy => (
                inputs.first().is_some_and(|n| node(n).exact()),
                bits(0),
                UNKNOWN,
            ),
            // Fault injection: a task of its own, like a real heavy operation.
            #[cfg(feature = "fault-injection")]
            Builtin::Panic => (true, bits(0), UNKNOWN),
        },
    }
}

/// Cost of a linear-time operation on numbers of `bits` bits.
fn linear(bits: u64) -> u64 {
    if bits <= 63 {
        20
    } else {
        40u64.saturating_add(bits / 32)
    }
}

/// Cost of a multiplication-like operation whose operands total `bits` bits.
fn product(bits: u64) -> u64 {
    if bits <= 63 {
        return 25;
    }
    let words = (bits / 64) as f64;
    let cost = 60.0 + words.powf(1.6);
    if cost >= u64::MAX as f64 {
        UNKNOWN
    } else {
        cost as u64
    }
}
