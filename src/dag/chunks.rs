//! One `+`/`*` chain whose operands come from several syntax trees: the
//! chunks of a split expression (`syntax::plan`), added in text order, each
//! tree dropped once its operands are in the DAG.
//!
//! The result is the DAG [`Dag::add_statement`] builds from the whole
//! expression's tree: the builder flattens a chain through parentheses into
//! its operands (everything below that is not the chain's operator), builds
//! them left to right, then joins them, balanced when all are certainly
//! exact and in the written shape otherwise. Here each chunk's operands are
//! built as they arrive, and what the written shape needs is kept as a
//! compact list of events (an operand, a parenthesis opening, one closing
//! with its span) instead of the trees.

use super::Dag;
use super::merge::LocalChunk;
use super::node::{NodeId, Op};
use super::scope::Scope;
use crate::error::{Error, ErrorKind, Span};
use crate::syntax::{Ast, ExprId, ExprKind};
use crate::value::BinOp;

/// The written shape of the chain, one byte an event.
#[derive(Clone, Copy)]
enum Event {
    Operand,
    Open,
    Close,
}

/// Builds one chain from its chunks, in text order.
///
/// ```
/// use exprflow::testing::dag::{ChainBuilder, Dag, Scope};
/// use exprflow::testing::syntax::{parse_chunk, plan};
/// let text = "1 + 2 + (3 + 4)";
/// let plan = plan(text, 0, 4).unwrap();
/// let mut dag = Dag::default();
/// let mut chain = ChainBuilder::new(plan.op);
/// for range in plan.chunks() {
///     let (ast, root) = parse_chunk(text, range.clone(), 0, 100).unwrap();
///     chain.add_chunk(&mut dag, &ast, root, &Scope::new()).unwrap();
/// }
/// let root = chain.finish(&mut dag).unwrap();
/// // The DAG of the whole expression, node for node.
/// let (ast, whole) = exprflow::testing::syntax::parse_expr(text).unwrap();
/// let mut serial = Dag::default();
/// assert_eq!(serial.add_expr(&ast, whole, &Scope::new()).unwrap(), root);
/// assert_eq!(serial.len(), dag.len());
/// ```
pub struct ChainBuilder {
    op: BinOp,
    operands: Vec<(NodeId, Span)>,
    events: Vec<Event>,
    closes: Vec<Span>,
    /// The walk's stack, kept from chunk to chunk.
    steps: Vec<Step>,
}

/// A step of the walk over a chunk's chain.
enum Step {
    Visit(ExprId),
    Close(Span),
}

/// A value of the written shape: a node, or a join not created yet (its
/// span may still widen to parentheses around it).
#[derive(Clone, Copy)]
enum Shape {
    Node(NodeId, Span),
    Join(NodeId, NodeId, Span),
}

impl ChainBuilder {
    /// A chain of `op` (`+` or `*`).
    pub fn new(op: BinOp) -> ChainBuilder {
        ChainBuilder {
            op,
            operands: Vec::new(),
            events: Vec::new(),
            closes: Vec::new(),
            steps: Vec::new(),
        }
    }

    #[cfg(any(test, feature = "test-hooks"))]
    /// The chain's operator.
    pub fn op(&self) -> BinOp {
        self.op
    }

    /// A parenthesis opens (around chunks that follow).
    pub fn open(&mut self) {
        self.events.push(Event::Open);
    }

    /// The parenthesis opened last closes; `span` is its extent.
    pub fn close(&mut self, span: Span) {
        self.events.push(Event::Close);
        self.closes.push(span);
    }

    /// Adds the next operand, already built (`span`: its extent, with any
    /// parentheses around it).
    pub fn add_operand(&mut self, node: NodeId, span: Span) {
        self.operands.push((node, span));
        self.events.push(Event::Operand);
    }

    /// Adds the next chunk, `root` of `ast`: builds its operands (names
    /// resolved in `scope`). Fails only as `add_statement` would (a
    /// resource limit).
    pub fn add_chunk(
        &mut self,
        dag: &mut Dag,
        ast: &Ast,
        root: ExprId,
        scope: &Scope,
    ) -> Result<(), Error> {
        let mut steps = std::mem::take(&mut self.steps);
        steps.clear();
        steps.push(Step::Visit(root));
        while let Some(step) = steps.pop() {
            let id = match step {
                Step::Close(span) => {
                    self.close(span);
                    continue;
                }
                Step::Visit(id) => id,
            };
            let expr = ast.get(id);
            match expr.kind {
                ExprKind::Binary(op, left, right) if op == self.op => {
                    if expr.span != ast.get(left).span.to(ast.get(right).span) {
                        // Widened: parentheses around this part of the chain.
                        self.open();
                        steps.push(Step::Close(expr.span));
                    }
                    steps.push(Step::Visit(right));
                    steps.push(Step::Visit(left));
                }
                _ => {
                    // A literal or a name needs no walk of its own.
                    let node = match dag.leaf(expr, scope)? {
                        Some(node) => node,
                        None => dag.add_expr_from(ast, leftmost(ast, id), id, scope)?,
                    };
                    self.add_operand(node, expr.span);
                }
            }
        }
        self.steps = steps;
        Ok(())
    }

    /// Adds the next chunk, built on its own ([`LocalChunk`]): merges its
    /// nodes into `dag`, then takes its part of the chain. `false` (nothing
    /// added) when the merge could reach the node limit: then the caller
    /// builds the chunk's tree with [`add_chunk`](Self::add_chunk).
    pub fn add_local(&mut self, dag: &mut Dag, chunk: LocalChunk) -> Result<bool, Error> {
        let Some(map) = dag.merge(&chunk.dag)? else {
            return Ok(false);
        };
        let part = chunk.part;
        self.events.extend(part.events);
        self.closes.extend(part.closes);
        for (node, span) in part.operands {
            let node = map.get(node.index()).copied().ok_or_else(|| {
                Error::with_detail(ErrorKind::Internal, span, "operand was not merged")
            })?;
            self.operands.push((node, span));
        }
        Ok(true)
    }

    #[cfg(any(test, feature = "test-hooks"))]
    /// Joins the operands: the chain's node.
    pub fn finish(self, dag: &mut Dag) -> Result<NodeId, Error> {
        self.finish_on(dag, None)
    }

    /// [`finish`](Self::finish), with the look-ups of a long balanced
    /// join made on `pool` (if given; the same nodes either way).
    pub fn finish_on(
        self,
        dag: &mut Dag,
        pool: Option<&rayon::ThreadPool>,
    ) -> Result<NodeId, Error> {
        let span = match (self.operands.first(), self.operands.last()) {
            (Some((_, first)), Some((_, last))) => first.to(*last),
            _ => Span::new(0, 0),
        };
        let internal = |what| Error::with_detail(ErrorKind::Internal, span, what);
        if self.operands.len() > 2 && self.operands.iter().all(|(n, _)| dag.node(*n).exact()) {
            return dag
                .balanced_on(self.op, self.operands, pool)?
                .ok_or_else(|| internal("empty chain"));
        }
        // The written shape, its joins in post-order as the builder makes them.
        let op = self.op;
        let make = |dag: &mut Dag, shape: Shape| match shape {
            Shape::Node(node, _) => Ok(node),
            Shape::Join(a, b, span) => dag.operation(Op::Binary(op), [a, b], span),
        };
        let mut stack: Vec<Option<Shape>> = vec![None];
        let (mut operands, mut closes) = (self.operands.iter(), self.closes.iter());
        for event in self.events {
            // The join pending on this level is complete once more follows.
            if let Some(Some(Shape::Join(..))) = stack.last()
                && !matches!(event, Event::Close)
            {
                let top = stack.last_mut().ok_or_else(|| internal("no level"))?;
                if let Some(shape @ Shape::Join(.., span)) = *top {
                    *top = Some(Shape::Node(make(dag, shape)?, span));
                }
            }
            let value = match event {
                Event::Open => {
                    stack.push(None);
                    continue;
                }
                Event::Operand => {
                    let (node, span) = operands.next().ok_or_else(|| internal("no operand"))?;
                    Shape::Node(*node, *span)
                }
                Event::Close => {
                    let span = *closes.next().ok_or_else(|| internal("no parenthesis"))?;
                    match stack.pop().flatten() {
                        Some(Shape::Join(a, b, _)) => Shape::Join(a, b, span),
                        Some(Shape::Node(node, _)) => Shape::Node(node, span),
                        None => return Err(internal("empty parentheses")),
                    }
                }
            };
            let top = stack.last_mut().ok_or_else(|| internal("unbalanced"))?;
            *top = Some(match *top {
                None => value,
                Some(Shape::Node(a, sa)) => {
                    let b = make(dag, value)?;
                    let sb = match value {
                        Shape::Node(_, s) | Shape::Join(.., s) => s,
                    };
                    Shape::Join(a, b, sa.to(sb))
                }
                Some(Shape::Join(..)) => return Err(internal("join left pending")),
            });
        }
        match stack.pop().flatten() {
            Some(shape) if stack.is_empty() => make(dag, shape),
            _ => Err(internal("unbalanced chain")),
        }
    }
}

/// The first node of the subtree at `id` in its arena: its leftmost leaf
/// (the fold creates a subtree's nodes contiguously, children first).
fn leftmost(ast: &Ast, mut id: ExprId) -> ExprId {
    loop {
        id = match &ast.get(id).kind {
            ExprKind::Unary(_, child) | ExprKind::Binary(_, child, _) => *child,
            ExprKind::Call { args, .. } if let Some(first) = args.first() => *first,
            _ => return id,
        };
    }
}
