//! A chunk of a split expression built on a worker into a DAG of its own
//! ([`LocalChunk`]), then merged in text order into the shared DAG by the
//! thread that owns it ([`Dag::merge`]).
//!
//! The merge gives node for node what building the chunk's tree into the
//! shared DAG gives. Building is a sequence of look-ups (a constant, an
//! operation of given inputs) each of which finds a node or makes the
//! next one; the chunk's own DAG holds, in order, the first occurrence in
//! the chunk of every node the chunk's build touched. Replaying those
//! look-ups in that order on the shared DAG (inputs translated) makes
//! exactly the nodes the serial build would make, in the same order
//! (a node first seen in this chunk is new to the shared DAG exactly when
//! no earlier chunk made it), with the span of their first occurrence;
//! a node found keeps its earlier span. Estimates and `uses` are computed
//! by the shared DAG as for any new node.
//!
//! What a chunk's own DAG cannot know: the bindings of the scope (a name
//! bound to a node of the shared DAG, a user function and the variables
//! its body sees). A chunk that uses any of them is built into the shared
//! DAG directly ([`LocalChunk::build`] says so). And the node limit: the
//! serial build fails at the first look-up made while the DAG is full,
//! which the merge cannot place, so a chunk that could reach the limit is
//! not merged either ([`Dag::merge`] returns `None`).

use std::sync::Arc;

use super::chunks::ChainBuilder;
use super::node::{NodeId, Op};
use super::scope::Scope;
use super::{Dag, DagLimits, Inputs};
use crate::error::{Error, ErrorKind};
use crate::host::HostFunctions;
use crate::syntax::{Ast, ExprId, ExprKind};
use crate::value::BinOp;

/// One chunk of a `+`/`*` chain built on its own: its nodes in a DAG of
/// their own and its part of the chain (operands, parentheses).
///
/// ```
/// use exprflow::testing::dag::{ChainBuilder, Dag, LocalChunk, Scope};
/// use exprflow::testing::syntax::{parse_chunk, plan};
/// let text = "(1 + 2) * 3 + (1 + 2) * 4 + 5";
/// let plan = plan(text, 0, 8).unwrap();
/// let mut dag = Dag::default();
/// let mut chain = ChainBuilder::new(plan.op);
/// for range in plan.chunks() {
///     let (ast, root) = parse_chunk(text, range.clone(), 0, 100).unwrap();
///     let local = LocalChunk::build(&ast, root, plan.op, &Scope::new(), &dag).unwrap();
///     assert!(chain.add_local(&mut dag, local).unwrap());
/// }
/// let root = chain.finish(&mut dag).unwrap();
/// // The DAG of the whole expression, node for node.
/// let (ast, whole) = exprflow::testing::syntax::parse_expr(text).unwrap();
/// let mut serial = Dag::default();
/// assert_eq!(serial.add_expr(&ast, whole, &Scope::new()).unwrap(), root);
/// assert_eq!(serial.len(), dag.len());
/// ```
pub struct LocalChunk {
    pub(super) dag: Dag,
    pub(super) part: ChainBuilder,
}

/// What a worker needs to build chunks like the shared DAG would: its
/// limits and host functions.
#[derive(Clone, Debug)]
pub struct LocalRules {
    limits: DagLimits,
    host: Arc<HostFunctions>,
}

impl LocalRules {
    /// The rules of `dag`.
    pub fn of(dag: &Dag) -> LocalRules {
        LocalRules {
            limits: dag.limits,
            host: Arc::clone(&dag.host),
        }
    }
}

impl LocalChunk {
    #[cfg(any(test, feature = "test-hooks"))]
    /// Builds chunk `root` of `ast` (its own arena), a part of an `op`
    /// chain, into a DAG of its own with the limits and host functions of
    /// `like`. `None` when the chunk must be built into the shared DAG
    /// itself: it uses a name bound in `scope` or a user function, or its
    /// own build failed (a limit).
    pub fn build(
        ast: &Ast,
        root: ExprId,
        op: BinOp,
        scope: &Scope,
        like: &Dag,
    ) -> Option<LocalChunk> {
        LocalChunk::build_with(ast, root, op, scope, &LocalRules::of(like))
    }

    /// [`build`](Self::build) with the rules taken from the shared DAG
    /// beforehand (what a worker has).
    pub fn build_with(
        ast: &Ast,
        root: ExprId,
        op: BinOp,
        scope: &Scope,
        rules: &LocalRules,
    ) -> Option<LocalChunk> {
        if uses_scope(ast, scope) {
            return None;
        }
        let mut dag = Dag::with_limits(rules.limits).with_host(Arc::clone(&rules.host));
        let mut part = ChainBuilder::new(op);
        part.add_chunk(&mut dag, ast, root, &Scope::new()).ok()?;
        Some(LocalChunk { dag, part })
    }

    #[cfg(any(test, feature = "test-hooks"))]
    /// Nodes in the chunk's own DAG.
    pub fn len(&self) -> usize {
        self.dag.len()
    }

    #[cfg(any(test, feature = "test-hooks"))]
    /// Whether the chunk's own DAG is empty.
    pub fn is_empty(&self) -> bool {
        self.dag.is_empty()
    }
}

/// Whether a node of `ast` reads a binding of `scope`: a name it binds,
/// or a call of a user function.
fn uses_scope(ast: &Ast, scope: &Scope) -> bool {
    if scope.is_empty() {
        return false;
    }
    (0..ast.len()).any(|i| match &ast.get(ExprId(i as u32)).kind {
        ExprKind::Var(name) => scope.get(name).is_some(),
        ExprKind::Call { name, .. } => scope.function(name).is_some(),
        _ => false,
    })
}

impl Dag {
    /// Adds the nodes of `local` (a chunk's own DAG) to this DAG in order,
    /// as building the chunk here would have: each found if this DAG has
    /// it, else made. Returns each local node's node here, or `None`
    /// (nothing added) when the merge could reach the node limit.
    pub fn merge(&mut self, local: &Dag) -> Result<Option<Vec<NodeId>>, Error> {
        if self.len().saturating_add(local.len()) >= self.limits.max_nodes {
            return Ok(None);
        }
        self.reserve_operations(local.len());
        let mut map: Vec<NodeId> = Vec::with_capacity(local.len());
        for id in local.ids() {
            let node = local.node(id);
            let inputs = translate(&node.inputs, &map);
            let global = match &node.op {
                Op::Const => match local.result(id).as_deref() {
                    Some(Ok(value)) => self.constant(value.clone(), node.span())?,
                    _ => return Err(not_merged(node.span())),
                },
                Op::Fail(error) => self.failure((**error).clone(), inputs)?,
                op => self.operation(op.clone(), inputs, node.span())?,
            };
            map.push(global);
        }
        Ok(Some(map))
    }
}

/// `inputs` (of a chunk's DAG) as nodes of the shared DAG.
fn translate(inputs: &Inputs, map: &[NodeId]) -> Inputs {
    let at = |id: &NodeId| map[id.index()];
    match inputs {
        Inputs::None => Inputs::None,
        Inputs::One([a]) => Inputs::One([at(a)]),
        Inputs::Two([a, b]) => Inputs::Two([at(a), at(b)]),
        Inputs::Many(ids) => Inputs::from(ids.iter().map(at).collect::<Vec<_>>()),
    }
}

/// A constant without its value (a chunk's DAG always has it).
fn not_merged(span: crate::error::Span) -> Error {
    Error::with_detail(ErrorKind::Internal, span, "a constant without its value")
}
