//! AST → hash-consed DAG. Structurally identical subexpressions
//! become one node, within an expression and across all statements added to
//! the same [`Dag`]. Every pass is iterative.
//!
//! ```
//! use exprflow::testing::dag::{Dag, Scope};
//! let (ast, root) = exprflow::testing::syntax::parse_expr("(2+3)*(2+3)").unwrap();
//! let mut dag = Dag::default();
//! dag.add_expr(&ast, root, &Scope::new()).unwrap();
//! assert_eq!(dag.len(), 4); // 2, 3, 2+3, (2+3)*(2+3)
//! ```

mod build;
mod calls;
mod chunks;
mod compact;
mod estimate;
mod func;
mod index;
mod inputs;
mod join;
mod merge;
mod node;
mod nodes;
mod results;
mod scope;

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use index::{Found, Index, OpKey};

pub use build::DagLimits;
pub use calls::{CallKey, CallTable};
pub use chunks::ChainBuilder;
pub(crate) use compact::Renumbering;
pub use estimate::UNKNOWN;
pub use func::{BodyId, BodyOp, CallSite, Env, FuncDef};
pub use inputs::Inputs;
pub use merge::{LocalChunk, LocalRules};
pub use node::{Node, NodeId, Op};
pub use scope::{Binding, Scope};

use crate::error::{Error, Span};
use crate::host::HostFunctions;
use crate::value::Value;

/// Values of at least this many bits are *big*: they count against the
/// memory budget ([`DagLimits::max_held_bits`]), and an evaluation holds a
/// big intermediate value only until its last consumer has used it, instead
/// of keeping it in the DAG. Smaller values, errors and the values of the
/// nodes a run was asked for are kept for reuse.
pub const BIG_BITS: u64 = 4096;

/// Calls `f` once for each distinct node of `inputs`, in order of first
/// appearance (linear time even for a call with 100,000 arguments).
pub(crate) fn for_each_distinct(inputs: &[NodeId], mut f: impl FnMut(NodeId)) {
    if inputs.len() <= 16 {
        for (k, &input) in inputs.iter().enumerate() {
            if !inputs[..k].contains(&input) {
                f(input);
            }
        }
    } else {
        let mut seen = rustc_hash::FxHashSet::default();
        for &input in inputs {
            if seen.insert(input) {
                f(input);
            }
        }
    }
}

/// `bytes` as `N MiB`, `N KiB` or `N bytes`, whichever is exact enough.
fn bytes_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// The outcome of a node: its value or its error.
pub type Outcome = Result<Value, Error>;

/// A growing, hash-consed expression DAG with a result slot per node.
///
/// Nodes are added children-first, so node indices are a topological order.
/// Results are filled in by evaluators (each at most once) and stay, so a
/// session reuses every value it has already computed, except big
/// intermediate values (see [`BIG_BITS`]), which evaluations hold only until
/// their last use.
#[derive(Debug, Default)]
pub struct Dag {
    nodes: nodes::Nodes,
    /// Only the copy that grows uses it (see [`Dag::fork`]).
    index: Mutex<Index>,
    results: results::Results,
    limits: DagLimits,
    edges: usize,
    /// The memo of user-function calls (shared by forks).
    calls: Arc<CallTable>,
    /// The host functions names may resolve to.
    host: Arc<HostFunctions>,
}

impl Clone for Dag {
    fn clone(&self) -> Self {
        Dag {
            nodes: self.nodes.clone(),
            index: Mutex::new(self.index.lock().unwrap_or_else(|p| p.into_inner()).clone()),
            // A copy of the values: a clone may be evaluated with other limits.
            results: self.results.renewed(|_| true),
            limits: self.limits,
            edges: self.edges,
            calls: Arc::default(),
            host: Arc::clone(&self.host),
        }
    }
}

impl Dag {
    /// A copy to grow while `self` stays shared with running evaluations
    /// (what a session does when statements are added while earlier ones
    /// run). The copy shares the result slots, so what a run on `self`
    /// computes is known to the copy too, and it takes over the
    /// hash-consing index, so it costs a copy of the last chunk of nodes (no
    /// values, no index). Only the fork may grow afterwards: `self` must
    /// never get new nodes (they would take result slots of the fork's), so
    /// this is for [`Session`](crate::Session) only, whose old copies are
    /// only read by runs.
    pub(crate) fn fork(&self) -> Dag {
        let index = std::mem::take(&mut *self.index.lock().unwrap_or_else(|p| p.into_inner()));
        Dag {
            nodes: self.nodes.clone(),
            index: Mutex::new(index),
            results: self.results.clone(),
            limits: self.limits,
            edges: self.edges,
            calls: Arc::clone(&self.calls),
            host: Arc::clone(&self.host),
        }
    }

    fn index(&mut self) -> &mut Index {
        self.index.get_mut().unwrap_or_else(|p| p.into_inner())
    }

    /// An empty DAG with the given limits.
    pub fn with_limits(limits: DagLimits) -> Dag {
        Dag {
            limits,
            ..Dag::default()
        }
    }

    /// This DAG with the host functions `host`: names not defined as
    /// user functions resolve to them before the built-ins.
    ///
    /// ```
    /// let engine = exprflow::Engine::builder()
    ///     .function("seven", 0, |_: &[exprflow::Value]| Ok(7.into()))
    ///     .build()
    ///     .unwrap();
    /// use exprflow::testing::EngineInternals;
    /// let host = std::sync::Arc::clone(engine.new_dag().host_functions());
    /// let dag = exprflow::testing::dag::Dag::default().with_host(host);
    /// assert!(dag.host_functions().get("seven").is_some());
    /// ```
    pub fn with_host(mut self, host: Arc<HostFunctions>) -> Dag {
        self.host = host;
        self
    }

    /// The host functions names may resolve to.
    pub fn host_functions(&self) -> &Arc<HostFunctions> {
        &self.host
    }

    /// The memo of user-function calls.
    pub fn calls(&self) -> &CallTable {
        &self.calls
    }

    /// The limits this DAG was made with.
    pub fn limits(&self) -> &DagLimits {
        &self.limits
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    #[cfg(any(test, feature = "report"))]
    /// Whether the DAG has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() == 0
    }

    #[cfg(any(test, feature = "report"))]
    /// Number of input edges (an input used twice counts twice).
    pub fn edge_count(&self) -> usize {
        self.edges
    }

    /// The node `id`.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// All node ids, in topological order (inputs before users).
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = NodeId> + ExactSizeIterator {
        (0..self.nodes.len()).map(NodeId::new)
    }

    /// The result of `id`, if it has been computed: borrowed from its slot,
    /// or rebuilt (without allocating) when it is a small integer or a
    /// float, which the slot keeps inline.
    pub fn result(&self, id: NodeId) -> Option<Cow<'_, Outcome>> {
        self.results
            .slot(id.index())
            .and_then(std::sync::OnceLock::get)
            .map(results::Compact::outcome)
    }

    #[cfg(any(test, feature = "report"))]
    /// Whether the result of `id` has been computed.
    pub fn has_result(&self, id: NodeId) -> bool {
        self.results
            .slot(id.index())
            .is_some_and(|slot| slot.get().is_some())
    }

    #[cfg(any(test, feature = "report"))]
    /// Records the result of `id`. Only deterministic outcomes are kept
    /// (never `cancelled` or `timed out`); the first recorded result wins.
    pub fn record(&self, id: NodeId, outcome: &Outcome) {
        let _ = self.keep(id, outcome.clone());
    }

    /// Keeps `outcome` as the result of `id`, and returns the kept result
    /// (an earlier one if there was one; see [`Dag::result`]). An outcome
    /// that is not kept comes back as `Err`: a non-deterministic error, or
    /// a value the memory budget refuses (then as a
    /// [`ErrorKind::MemoryBudget`] error).
    ///
    /// [`ErrorKind::MemoryBudget`]: crate::ErrorKind::MemoryBudget
    pub fn keep(&self, id: NodeId, outcome: Outcome) -> Result<Cow<'_, Outcome>, Outcome> {
        if let Err(e) = &outcome
            && !e.kind.is_deterministic()
        {
            return Err(outcome);
        }
        let Some(slot) = self.results.slot(id.index()) else {
            return Err(outcome);
        };
        if let Some(kept) = slot.get() {
            return Ok(kept.outcome());
        }
        let bits = outcome.as_ref().map_or(0, Value::bits);
        if let Err(refused) = self.reserve(id, bits) {
            return Err(Err(refused));
        }
        let (kept, stored) = results::fill(slot, outcome);
        if !stored {
            self.unreserve(bits); // another evaluation kept it first
        }
        Ok(kept)
    }

    /// Counts `bits` more of values held for this DAG (by its result slots
    /// or by a running evaluation), or refuses with a
    /// [`MemoryBudget`](crate::ErrorKind::MemoryBudget) error (`result too
    /// large`) at node `id` if that would go past the memory budget. Values
    /// under [`BIG_BITS`] are not counted.
    pub(crate) fn reserve(&self, id: NodeId, bits: u64) -> Result<(), Error> {
        if bits < BIG_BITS {
            return Ok(());
        }
        let before = self
            .results
            .held
            .fetch_add(bits, std::sync::atomic::Ordering::Relaxed);
        if before.saturating_add(bits) <= self.limits.max_held_bits {
            return Ok(());
        }
        self.unreserve(bits);
        Err(Error::with_detail(
            crate::error::ErrorKind::MemoryBudget,
            self.nodes[id].span(),
            format!(
                "keeping this result would hold more than {} of values in memory",
                bytes_text(self.limits.max_held_bits / 8)
            ),
        ))
    }

    /// Gives back what [`Dag::reserve`] counted for a value of `bits`.
    pub(crate) fn unreserve(&self, bits: u64) {
        if bits >= BIG_BITS {
            self.results
                .held
                .fetch_sub(bits, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Bits of values currently counted against the memory budget.
    pub fn held_bits(&self) -> u64 {
        self.results.held_bits()
    }

    #[cfg(any(test, feature = "report"))]
    /// Forgets every computed result except those known when the node was
    /// made (constants and build errors), e.g. after the bit limit changed.
    pub fn forget_results(&mut self) {
        self.calls.clear();
        let nodes = &self.nodes;
        self.results = self.results.renewed(|index| {
            let node = &nodes[NodeId::new(index)];
            matches!(node.op, Op::Const | Op::Fail(_)) && node.inputs.is_empty()
        });
    }

    /// The constant node for `value`, shared with any equal constant.
    pub(crate) fn constant(&mut self, value: Value, span: Span) -> Result<NodeId, Error> {
        let small = match &value {
            Value::Int(i) => i.to_i64(),
            _ => None,
        };
        let text_key = match small {
            Some(small) if let Some(id) = self.index().int(small) => return Ok(id),
            Some(_) => None,
            None => {
                let key = (value.kind_name(), value.to_string().into_boxed_str());
                if let Some(id) = self.index().constant(&key) {
                    return Ok(id);
                }
                Some(key)
            }
        };
        let id = self.push(Op::Const, Inputs::None, span, Some(&value))?;
        match (small, text_key) {
            (Some(small), _) => self.index().add_int(small, id),
            (None, Some(key)) => self.index().add_constant(key, id),
            (None, None) => {}
        }
        if let Some(slot) = self.results.slot(id.index()) {
            results::fill(slot, Ok(value));
        }
        Ok(id)
    }

    /// A node failing with `error` unless an input fails first. Not shared.
    pub(crate) fn failure(
        &mut self,
        error: Error,
        inputs: impl Into<Inputs>,
    ) -> Result<NodeId, Error> {
        let inputs = inputs.into();
        let span = error.span;
        let no_inputs = inputs.is_empty();
        let id = self.push(Op::Fail(Box::new(error.clone())), inputs, span, None)?;
        if no_inputs && let Some(slot) = self.results.slot(id.index()) {
            results::fill(slot, Err(error));
        }
        Ok(id)
    }

    /// The node computing `op` of `inputs`, shared with an identical one.
    pub(crate) fn operation(
        &mut self,
        op: Op,
        inputs: impl Into<Inputs>,
        span: Span,
    ) -> Result<NodeId, Error> {
        let inputs = inputs.into();
        let Some(key) = OpKey::of(&op) else {
            // Not shared: a node per site.
            return self.push(op, inputs, span, None);
        };
        self.room(span)?;
        let next = NodeId::new(self.nodes.len());
        let index = self.index.get_mut().unwrap_or_else(|p| p.into_inner());
        match index.operation(&self.nodes, &key, &inputs, next) {
            Found::Existing(id) => Ok(id),
            Found::Added => self.push(op, inputs, span, None),
        }
    }

    /// Room for `count` more operation nodes in the index without growing
    /// it (a hint: building an expression of n syntax nodes makes at most
    /// about n/2 operation nodes).
    pub(crate) fn reserve_operations(&mut self, count: usize) {
        self.index().reserve(count);
    }

    /// Fails with `too large` at `span` if the DAG is full.
    fn room(&self, span: Span) -> Result<(), Error> {
        if self.nodes.len() < self.limits.max_nodes {
            return Ok(());
        }
        Err(Error::with_detail(
            crate::error::ErrorKind::TooLarge,
            span,
            format!(
                "the DAG would have more than {} nodes",
                self.limits.max_nodes
            ),
        ))
    }

    fn push(
        &mut self,
        op: Op,
        inputs: Inputs,
        span: Span,
        value: Option<&Value>,
    ) -> Result<NodeId, Error> {
        self.room(span)?;
        let (exact, bits, cost) = estimate::estimate(&op, &inputs, &self.nodes, value);
        let mut total = cost;
        for_each_distinct(&inputs, |i| {
            total = total.saturating_add(self.nodes[i].total())
        });
        let estimates = node::Estimates {
            exact,
            bits,
            cost,
            total,
        };
        let Some(node) = Node::new(op, inputs, span, estimates) else {
            return Err(Error::with_detail(
                crate::error::ErrorKind::TooLarge,
                span,
                "the input is too long: source offsets past 4 GiB do not fit in the DAG",
            ));
        };
        let edges = node.inputs.len();
        let nodes = &mut self.nodes;
        for_each_distinct(&node.inputs, |input| {
            if let Some(used) = nodes.get_mut(input) {
                used.uses += 1;
            }
        });
        let id = self.nodes.push(node);
        self.edges += edges;
        self.results.push();
        Ok(id)
    }
}
