//! AST → hash-consed DAG (petgraph). Structurally identical subexpressions
//! become one node, within an expression and across all statements added to
//! the same [`Dag`]. Every pass is iterative.
//!
//! ```
//! use exprflow::dag::{Dag, Scope};
//! let (ast, root) = exprflow::syntax::parse_expr("(2+3)*(2+3)").unwrap();
//! let mut dag = Dag::default();
//! dag.add_expr(&ast, root, &Scope::new()).unwrap();
//! assert_eq!(dag.len(), 4); // 2, 3, 2+3, (2+3)*(2+3)
//! ```

mod build;
mod estimate;
mod node;
mod scope;

use std::sync::OnceLock;

use petgraph::graph::DiGraph;

pub use build::DagLimits;
pub use estimate::UNKNOWN;
pub use node::{Node, NodeId, Op};
pub use scope::{Binding, Scope};

use crate::error::{Error, Span};
use crate::value::Value;

/// Values of at least this many bits are *big*: they count against the
/// memory budget ([`DagLimits::max_held_bits`]), and an evaluation holds a
/// big intermediate value only until its last consumer has used it, instead
/// of keeping it in the DAG. Smaller values, errors and the values of the
/// nodes a run was asked for are kept for reuse.
pub const BIG_BITS: u64 = 4096;

/// The outcome of a node: its value or its error.
pub type Outcome = Result<Value, Error>;

/// What makes two nodes the same: their operation and inputs, or a
/// constant's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    /// A small integer constant, keyed without formatting it.
    SmallInt(i64),
    Const(&'static str, Box<str>),
    Op(OpKey, Box<[NodeId]>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum OpKey {
    Unary(crate::value::UnOp),
    Binary(crate::value::BinOp),
    Call(crate::value::Builtin),
}

/// A growing, hash-consed expression DAG with a result slot per node.
///
/// Nodes are added children-first, so node indices are a topological order.
/// Results are filled in by evaluators (each at most once) and stay, so a
/// session reuses every value it has already computed, except big
/// intermediate values (see [`BIG_BITS`]), which evaluations hold only until
/// their last use.
#[derive(Clone, Debug, Default)]
pub struct Dag {
    graph: DiGraph<Node, ()>,
    index: rustc_hash::FxHashMap<Key, NodeId>,
    results: Vec<OnceLock<Outcome>>,
    limits: DagLimits,
    edges: usize,
    held: HeldBits,
}

/// Bits of values held in a DAG's results (a counter that clones by value).
#[derive(Debug, Default)]
struct HeldBits(std::sync::atomic::AtomicU64);

impl Clone for HeldBits {
    fn clone(&self) -> Self {
        HeldBits(std::sync::atomic::AtomicU64::new(
            self.0.load(std::sync::atomic::Ordering::Relaxed),
        ))
    }
}

impl Dag {
    /// An empty DAG with the given limits.
    pub fn with_limits(limits: DagLimits) -> Dag {
        Dag {
            limits,
            ..Dag::default()
        }
    }

    /// The limits this DAG was made with.
    pub fn limits(&self) -> &DagLimits {
        &self.limits
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Whether the DAG has no nodes.
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// Number of input edges (an input used twice counts twice).
    pub fn edge_count(&self) -> usize {
        self.edges
    }

    /// The node `id`.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.graph[id]
    }

    /// All node ids, in topological order (inputs before users).
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = NodeId> + ExactSizeIterator {
        self.graph.node_indices()
    }

    /// The underlying petgraph graph; edges point from input to user.
    pub fn graph(&self) -> &DiGraph<Node, ()> {
        &self.graph
    }

    /// The result of `id`, if it has been computed.
    pub fn result(&self, id: NodeId) -> Option<&Outcome> {
        self.results.get(id.index()).and_then(OnceLock::get)
    }

    /// Records the result of `id`. Only deterministic outcomes are kept
    /// (never `cancelled` or `timed out`); the first recorded result wins.
    pub fn record(&self, id: NodeId, outcome: &Outcome) {
        if let Err(e) = outcome
            && !e.kind.is_deterministic()
        {
            return;
        }
        if let Some(slot) = self.results.get(id.index()) {
            let _ = slot.get_or_init(|| self.admit(id, outcome.clone()));
        }
    }

    /// Keeps `outcome` as the result of `id` without copying it, and returns
    /// the kept result (an earlier one if there was one). A non-deterministic
    /// outcome is not kept and comes back as `Err`.
    pub fn keep(&self, id: NodeId, outcome: Outcome) -> Result<&Outcome, Outcome> {
        if let Err(e) = &outcome
            && !e.kind.is_deterministic()
        {
            return Err(outcome);
        }
        match self.results.get(id.index()) {
            Some(slot) => Ok(slot.get_or_init(|| self.admit(id, outcome))),
            None => Err(outcome),
        }
    }

    /// The outcome to keep for `id`: itself, or `result too large` if its
    /// value would take the values held past the memory budget.
    fn admit(&self, id: NodeId, outcome: Outcome) -> Outcome {
        let Ok(value) = &outcome else { return outcome };
        match self.reserve(id, value.bits()) {
            Ok(()) => outcome,
            Err(e) => Err(e),
        }
    }

    /// Counts `bits` more of values held for this DAG (by its result slots
    /// or by a running evaluation), or refuses with `result too large` at
    /// node `id` if that would go past the memory budget. Values under
    /// [`BIG_BITS`] are not counted.
    pub(crate) fn reserve(&self, id: NodeId, bits: u64) -> Result<(), Error> {
        if bits < BIG_BITS {
            return Ok(());
        }
        let before = self
            .held
            .0
            .fetch_add(bits, std::sync::atomic::Ordering::Relaxed);
        if before.saturating_add(bits) <= self.limits.max_held_bits {
            return Ok(());
        }
        self.unreserve(bits);
        Err(Error::with_detail(
            crate::error::ErrorKind::TooLarge,
            self.graph[id].span,
            format!(
                "keeping this result would hold more than {} MiB of values in memory",
                self.limits.max_held_bits / 8 / (1 << 20)
            ),
        ))
    }

    /// Gives back what [`Dag::reserve`] counted for a value of `bits`.
    pub(crate) fn unreserve(&self, bits: u64) {
        if bits >= BIG_BITS {
            self.held
                .0
                .fetch_sub(bits, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Bits of values currently counted against the memory budget.
    pub fn held_bits(&self) -> u64 {
        self.held.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets every computed result except those known when the node was
    /// made (constants and build errors), e.g. after the bit limit changed.
    pub fn forget_results(&mut self) {
        self.held = HeldBits::default();
        for id in self.graph.node_indices() {
            if !matches!(self.graph[id].op, Op::Const | Op::Fail(_))
                || !self.graph[id].inputs.is_empty()
            {
                self.results[id.index()] = OnceLock::new();
            }
        }
    }

    /// The constant node for `value`, shared with any equal constant.
    pub(crate) fn constant(&mut self, value: Value, span: Span) -> Result<NodeId, Error> {
        let key = match &value {
            Value::Int(i) if let Some(small) = i.to_i64() => Key::SmallInt(small),
            _ => Key::Const(value.kind_name(), value.to_string().into_boxed_str()),
        };
        if let Some(&id) = self.index.get(&key) {
            return Ok(id);
        }
        let id = self.push(Op::Const, Box::new([]), span, Some(&value))?;
        self.index.insert(key, id);
        let _ = self.results[id.index()].set(Ok(value));
        Ok(id)
    }

    /// A node failing with `error` unless an input fails first. Not shared.
    pub(crate) fn failure(&mut self, error: Error, inputs: Box<[NodeId]>) -> Result<NodeId, Error> {
        let span = error.span;
        let no_inputs = inputs.is_empty();
        let id = self.push(Op::Fail(error.clone()), inputs, span, None)?;
        if no_inputs {
            let _ = self.results[id.index()].set(Err(error));
        }
        Ok(id)
    }

    /// The node computing `op` of `inputs`, shared with an identical one.
    pub(crate) fn operation(
        &mut self,
        op: Op,
        inputs: Box<[NodeId]>,
        span: Span,
    ) -> Result<NodeId, Error> {
        let op_key = match op {
            Op::Unary(u) => OpKey::Unary(u),
            Op::Binary(b) => OpKey::Binary(b),
            Op::Call(f) => OpKey::Call(f),
            Op::Const | Op::Fail(_) => return self.push(op, inputs, span, None),
        };
        let key = Key::Op(op_key, inputs.clone());
        if let Some(&id) = self.index.get(&key) {
            return Ok(id);
        }
        let id = self.push(op, inputs, span, None)?;
        self.index.insert(key, id);
        Ok(id)
    }

    fn push(
        &mut self,
        op: Op,
        inputs: Box<[NodeId]>,
        span: Span,
        value: Option<&Value>,
    ) -> Result<NodeId, Error> {
        if self.graph.node_count() >= self.limits.max_nodes {
            return Err(Error::with_detail(
                crate::error::ErrorKind::TooLarge,
                span,
                format!(
                    "the DAG would have more than {} nodes",
                    self.limits.max_nodes
                ),
            ));
        }
        let input_nodes: Vec<&Node> = inputs.iter().map(|&i| &self.graph[i]).collect();
        let (exact, bits, cost) = estimate::estimate(&op, &input_nodes, value);
        let total = input_nodes
            .iter()
            .enumerate()
            .filter(|(k, n)| !input_nodes[..*k].iter().any(|m| std::ptr::eq(*m, **n)))
            .fold(cost, |sum, (_, n)| sum.saturating_add(n.total));
        let node = Node {
            op,
            inputs,
            span,
            exact,
            bits,
            cost,
            uses: 0,
            total,
        };
        let id = self.graph.add_node(node);
        for k in 0..self.graph[id].inputs.len() {
            let input = self.graph[id].inputs[k];
            self.graph.add_edge(input, id, ());
            if !self.graph[id].inputs[..k].contains(&input) {
                self.graph[input].uses += 1;
            }
        }
        self.edges += self.graph[id].inputs.len();
        self.results.push(OnceLock::new());
        Ok(id)
    }
}
