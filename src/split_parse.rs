//! One huge statement, in chunks (`syntax::plan` finds them) parsed on
//! rayon's workers, each also built there into a DAG of its own
//! (`dag::LocalChunk`, its syntax tree dropped there), while the calling
//! thread merges the chunks already built into the shared DAG, in order
//! (`dag::ChainBuilder::add_local`). A chunk that reads the scope (a bound
//! name, a user function) comes back as its tree and is built into the
//! shared DAG directly, as is one whose merge could reach the node limit
//! (parsed again). At most a few chunks are in flight at once. The DAG,
//! spans and errors are those of parsing the statement whole.

use std::ops::Range;
use std::sync::mpsc;

use crate::dag::{ChainBuilder, Dag, LocalChunk, LocalRules, NodeId, Scope};
use crate::error::Error;
use crate::syntax::{Ast, ExprId, Piece, Plan, check_depth, parse_chunk, plan};
use crate::value::BinOp;

/// Statements at least this long are split.
pub(crate) const SPLIT_MIN: usize = 1 << 18;

/// How a statement splits: into about `chunks` chunks of at least
/// `min_grain` bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Split {
    /// The shortest statement that is split.
    pub(crate) min_len: usize,
    /// How many chunks to aim for.
    pub(crate) chunks: usize,
    /// The smallest chunk worth its own parse.
    pub(crate) min_grain: usize,
}

impl Default for Split {
    fn default() -> Self {
        Split {
            min_len: SPLIT_MIN,
            chunks: 64,
            min_grain: 16 << 10,
        }
    }
}

/// A chunk as a worker hands it over.
enum Chunk {
    /// Built into a DAG of its own, to merge.
    Local(Box<LocalChunk>),
    /// Its syntax tree, to build into the shared DAG.
    Tree(Ast, ExprId),
}

type Parsed = Result<Chunk, Error>;

/// Adds statement `text` (at `offset` in the source) to `dag` in chunks,
/// if it splits: `None` when it does not (not a `+`/`*` chain, too short,
/// or anything the serial parse must report), and the caller parses it
/// whole.
pub(crate) fn add_split(
    dag: &mut Dag,
    scope: &Scope,
    text: &str,
    offset: usize,
    max_depth: usize,
    split: Split,
) -> Option<Result<NodeId, Error>> {
    if text.len() < split.min_len
        || !dag.limits().rebalance
        || text.contains('\0')
        || check_depth(text, offset, max_depth).is_err()
    {
        return None;
    }
    let grain = (text.len() / split.chunks.max(1)).max(split.min_grain);
    let plan = plan(text, offset, grain)?;
    let chunks: Vec<Range<usize>> = plan.chunks().cloned().collect();
    let tree = |k: usize| {
        let range = chunks.get(k).cloned().unwrap_or(0..0);
        parse_chunk(text, range, offset, max_depth)
    };
    // Chunks parse on the front end's own pool, which nothing else can
    // keep busy (see `front_end::pool`).
    let pool = crate::front_end::pool().filter(|p| p.current_num_threads() >= 2);
    let Some(pool) = pool.filter(|_| rayon::current_thread_index().is_none()) else {
        // On a worker (or alone): chunk by chunk, still one tree at a time.
        let parse = |k| tree(k).map(|(ast, root)| Chunk::Tree(ast, root));
        return Some(build(dag, scope, &plan, &tree, None, parse));
    };
    let ops = chunk_ops(&plan);
    let rules = LocalRules::of(dag);
    let parse = |k: usize| -> Parsed {
        let (ast, root) = tree(k)?;
        let op = ops.get(k).copied().unwrap_or(plan.op);
        Ok(
            match LocalChunk::build_with(&ast, root, op, scope, &rules) {
                Some(local) => Chunk::Local(Box::new(local)),
                None => Chunk::Tree(ast, root),
            },
        )
    };
    let window = 2 * pool.current_num_threads() + 2;
    Some(pool.in_place_scope(|s| {
        let (tx, rx) = mpsc::channel::<(usize, Parsed)>();
        let spawn = |k: usize| {
            let tx = tx.clone();
            let parse = &parse;
            s.spawn(move |_| {
                // A panic would leave the builder waiting for this chunk
                // forever: it becomes the chunk's internal error instead.
                let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(k)))
                    .unwrap_or_else(|_| Err(not_parsed(offset, text.len())));
                let _ = tx.send((k, parsed));
            });
        };
        let mut spawned = chunks.len().min(window);
        (0..spawned).for_each(spawn);
        let mut ready: Vec<Option<Parsed>> = (0..chunks.len()).map(|_| None).collect();
        build(dag, scope, &plan, &tree, Some(pool), |k| {
            while ready.get(k).is_some_and(Option::is_none) {
                match rx.recv() {
                    Ok((i, parsed)) => ready[i] = Some(parsed),
                    Err(_) => break,
                }
            }
            if spawned < chunks.len() {
                spawn(spawned);
                spawned += 1;
            }
            ready
                .get_mut(k)
                .and_then(Option::take)
                .unwrap_or_else(|| Err(not_parsed(offset, text.len())))
        })
    }))
}

/// Builds the plan's chain, taking chunk `k` from `next(k)` and dropping
/// it once its operands are in the DAG; `tree(k)` parses chunk `k` again
/// when its merge could reach the node limit. A long chain's join looks
/// its pairs up on `pool`, if given.
fn build(
    dag: &mut Dag,
    scope: &Scope,
    plan: &Plan,
    tree: &dyn Fn(usize) -> Result<(Ast, ExprId), Error>,
    pool: Option<&rayon::ThreadPool>,
    mut next: impl FnMut(usize) -> Parsed,
) -> Result<NodeId, Error> {
    let mut chain = ChainBuilder::new(plan.op);
    // The chains this one is an operand of, innermost last.
    let mut outer = Vec::new();
    let mut k = 0;
    for piece in &plan.pieces {
        match piece {
            Piece::Open => chain.open(),
            Piece::Close(span) => chain.close(*span),
            Piece::Chunk(_) => {
                match next(k)? {
                    Chunk::Tree(ast, root) => chain.add_chunk(dag, &ast, root, scope)?,
                    Chunk::Local(local) => {
                        if !chain.add_local(dag, *local)? {
                            let (ast, root) = tree(k)?;
                            chain.add_chunk(dag, &ast, root, scope)?;
                        }
                    }
                }
                k += 1;
            }
            Piece::Begin(op) => outer.push(std::mem::replace(&mut chain, ChainBuilder::new(*op))),
            Piece::End(span) => {
                let Some(enclosing) = outer.pop() else {
                    return Err(Error::with_detail(
                        crate::error::ErrorKind::Internal,
                        *span,
                        "unbalanced split plan",
                    ));
                };
                let node = std::mem::replace(&mut chain, enclosing).finish_on(dag, pool)?;
                chain.add_operand(node, *span);
            }
        }
    }
    chain.finish_on(dag, pool)
}

/// The operator of the chain each chunk belongs to, in chunk order.
fn chunk_ops(plan: &Plan) -> Vec<BinOp> {
    let mut ops = Vec::new();
    let mut chains = vec![plan.op];
    for piece in &plan.pieces {
        match piece {
            Piece::Chunk(_) => ops.push(chains.last().copied().unwrap_or(plan.op)),
            Piece::Begin(op) => chains.push(*op),
            Piece::End(_) => {
                chains.pop();
            }
            Piece::Open | Piece::Close(_) => {}
        }
    }
    ops
}

/// The internal error of a chunk that was not parsed (its parse panicked).
fn not_parsed(offset: usize, len: usize) -> Error {
    Error::with_detail(
        crate::error::ErrorKind::Internal,
        crate::error::Span::new(offset, offset + len),
        "a chunk was not parsed",
    )
}
