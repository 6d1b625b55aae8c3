//! The balanced join of a long `+`/`*` chain (a split expression's, whose
//! operands were built on several workers), with the look-ups of each
//! level's pairs made on a rayon pool (the front end's own).
//!
//! The nodes, their order and any error are those of [`Dag::balanced`]:
//! the pool only finds pairs whose node exists already (a read of the
//! index, nothing added); the calling thread then goes through the level
//! in order, taking a found node as `balanced` would (after the same
//! check of the node limit) and making the others as `balanced` does.
//! A node, once in the DAG, stays the answer for its pair, so what the
//! pool found is still right after nodes made earlier in the level. A
//! level goes in blocks: the first on the calling thread alone (a level's
//! nodes are all new when it starts: the pool would find nothing), each
//! next one on the pool while the block before found mostly existing
//! nodes (a repetitive chain), else on the calling thread (no sharing).

use rayon::prelude::*;

use super::Dag;
use super::index::OpKey;
use super::node::{NodeId, Op};
use crate::error::{Error, Span};
use crate::value::BinOp;

/// Fewer operands than this are joined on the calling thread alone.
const POOL_MIN: usize = 1 << 14;

/// Pairs looked up on the pool at a time.
const BLOCK: usize = 1 << 13;

/// Pairs a worker looks up per task.
const GRAIN: usize = 1 << 11;

impl Dag {
    /// [`Dag::balanced`], with the look-ups on `pool` when the chain is
    /// long and this thread is not one of the pool's.
    pub(crate) fn balanced_on(
        &mut self,
        op: BinOp,
        mut level: Vec<(NodeId, Span)>,
        pool: Option<&rayon::ThreadPool>,
    ) -> Result<Option<NodeId>, Error> {
        let pool = pool.filter(|pool| {
            pool.current_num_threads() >= 2 && pool.current_thread_index().is_none()
        });
        let Some(pool) = pool.filter(|_| level.len() >= POOL_MIN) else {
            return self.balanced(op, level);
        };
        while level.len() > 1 {
            let pairs = level.len() / 2;
            let mut next = Vec::with_capacity(level.len().div_ceil(2));
            // The level's first block is joined here alone: its nodes are
            // what the pool may find in the blocks after it.
            let mut pooled = false;
            for start in (0..pairs).step_by(BLOCK) {
                let end = (start + BLOCK).min(pairs);
                let block = &level[2 * start..2 * end];
                let found = if pooled {
                    self.find_pairs(op, block, pool)
                } else {
                    Vec::new()
                };
                let mut hits = 0;
                for (k, pair) in block.chunks_exact(2).enumerate() {
                    let [(a, sa), (b, sb)] = [pair[0], pair[1]];
                    let span = sa.to(sb);
                    let len = self.len();
                    let node = match found.get(k).copied().flatten() {
                        Some(node) => {
                            self.room(span)?;
                            node
                        }
                        None => self.operation(Op::Binary(op), [a, b], span)?,
                    };
                    hits += usize::from(self.len() == len);
                    next.push((node, span));
                }
                // Mostly new pairs: the pool would find little.
                pooled = hits * 2 >= end - start;
            }
            if level.len() % 2 == 1
                && let Some(last) = level.last()
            {
                next.push(*last);
            }
            level = next;
        }
        Ok(level.first().map(|(node, _)| *node))
    }

    /// For each pair of `block` (operands two by two), the node of `op`
    /// of it if this DAG has one, looked up on `pool`.
    fn find_pairs(
        &mut self,
        op: BinOp,
        block: &[(NodeId, Span)],
        pool: &rayon::ThreadPool,
    ) -> Vec<Option<NodeId>> {
        let binary = Op::Binary(op);
        let Some(key) = OpKey::of(&binary) else {
            return Vec::new();
        };
        let index = &*self.index.get_mut().unwrap_or_else(|p| p.into_inner());
        let nodes = &self.nodes;
        pool.install(|| {
            block
                .par_chunks(2 * GRAIN)
                .flat_map_iter(|part| {
                    part.chunks_exact(2)
                        .map(|pair| index.find(nodes, &key, &[pair[0].0, pair[1].0]))
                })
                .collect()
        })
    }
}

impl Dag {
    /// The balanced tree of `op` over `level` (operands with their spans,
    /// left to right): pairs, then pairs of pairs, each node spanning its
    /// operands. `None` for no operands.
    pub(super) fn balanced(
        &mut self,
        op: BinOp,
        mut level: Vec<(NodeId, Span)>,
    ) -> Result<Option<NodeId>, Error> {
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len().div_ceil(2));
            for pair in level.chunks(2) {
                next.push(match pair {
                    [(a, sa), (b, sb)] => {
                        let span = sa.to(*sb);
                        (self.operation(Op::Binary(op), [*a, *b], span)?, span)
                    }
                    [single] => *single,
                    _ => continue,
                });
            }
            level = next;
        }
        Ok(level.first().map(|(node, _)| *node))
    }
}
