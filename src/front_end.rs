//! One statement's text into a DAG, the same way at every entry point
//! (`Engine::submit`, `Engine::map`, a `Session` and so the REPL, a
//! batch's lines): a big `+`/`*` chain goes through the split front end
//! (`split_parse`: chunks parsed on rayon's pool), anything else is
//! parsed whole by the caller.

use std::cell::Cell;
use std::sync::OnceLock;

use crate::dag::{Binding, Dag, NodeId, Scope};
use crate::error::Error;
use crate::split_parse::{Split, add_split};

thread_local! {
    /// Statements this thread added through the split front end.
    static SPLITS: Cell<usize> = const { Cell::new(0) };
    /// Blocks of statements this thread had parsed in parallel.
    static PARALLEL_BLOCKS: Cell<usize> = const { Cell::new(0) };
}

/// Statements parsed at a time: in parallel within a block, then added
/// to the DAG in order, and the block's syntax trees dropped.
pub(crate) const BLOCK: usize = 4096;

/// A block of at least this many statements is parsed in parallel.
pub(crate) const PARALLEL_STATEMENTS: usize = 16;

/// The pool the chunks of split statements parse on: exprflow's own,
/// started at the first split, with a thread per CPU. Its tasks only
/// parse (they never wait for anything), so a submit makes progress
/// whatever else is running: an engine's busy workers, a host function,
/// an async executor, or rayon's global pool blocked by the embedder.
/// `None` if its threads cannot start (then statements parse whole).
pub(crate) fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("exprflow-parse-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// The parse pool, if `wanted`.
fn pool_if(wanted: bool) -> Option<&'static rayon::ThreadPool> {
    if wanted { pool() } else { None }
}

/// How an entry point's front end reads a statement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct FrontEnd {
    /// The most nesting of parentheses accepted.
    pub(crate) max_depth: usize,
    /// Which statements split (`None`: none, the serial front end).
    pub(crate) split: Option<Split>,
}

impl FrontEnd {
    /// Big statements split (`Split::default()`), nesting up to `max_depth`.
    pub(crate) fn new(max_depth: usize) -> FrontEnd {
        FrontEnd {
            max_depth,
            split: Some(Split::default()),
        }
    }

    /// Nesting up to `max_depth`, nothing split: every statement parsed
    /// whole on the calling thread (the reference).
    pub(crate) fn serial(max_depth: usize) -> FrontEnd {
        FrontEnd {
            max_depth,
            split: None,
        }
    }

    /// Adds statement `text` (at `offset` in its source) to `dag` through
    /// the split front end, if it is big enough and splits: `None` when
    /// it does not (too short, not a `+`/`*` chain, or anything the
    /// serial parse must report), and the caller parses it whole. The
    /// DAG, spans and errors are those of parsing the statement whole;
    /// names resolve in `scope`.
    pub(crate) fn try_split(
        &self,
        dag: &mut Dag,
        scope: &Scope,
        text: &str,
        offset: usize,
    ) -> Option<Result<NodeId, Error>> {
        let split = self.split.filter(|s| text.len() >= s.min_len)?;
        let node = add_split(dag, scope, text, offset, self.max_depth, split)?;
        SPLITS.with(|n| n.set(n.get() + 1));
        Some(node)
    }

    /// `parse` of each of a block's statements, in order: on the parse
    /// pool when the block has [`PARALLEL_STATEMENTS`] or more, this front
    /// end splits (it is not the serial one) and this thread is not a
    /// rayon worker; else one after another on this thread.
    pub(crate) fn parse_block<T: Sync, R: Send>(
        &self,
        block: &[T],
        parse: impl Fn(&T) -> R + Sync + Send,
    ) -> Vec<R> {
        let parallel = self.split.is_some()
            && block.len() >= PARALLEL_STATEMENTS
            && rayon::current_thread_index().is_none();
        // (The pool starts only when first needed.)
        match pool_if(parallel) {
            Some(pool) => {
                use rayon::prelude::*;
                PARALLEL_BLOCKS.with(|n| n.set(n.get() + 1));
                pool.install(|| block.par_iter().map(parse).collect())
            }
            None => block.iter().map(parse).collect(),
        }
    }

    /// Whether `text` is long enough to be tried through the split front
    /// end (the caller may have to make its DAG writable first).
    pub(crate) fn may_split(&self, text: &str) -> bool {
        self.split.is_some_and(|s| text.len() >= s.min_len)
    }
}

/// A split of every statement that splits, however short, into chunks
/// of about `grain` bytes (test hook: the split front end on small
/// inputs).
#[cfg(feature = "test-hooks")]
pub(crate) fn split_all(grain: usize) -> Split {
    Split {
        min_len: 0,
        chunks: usize::MAX,
        min_grain: grain,
    }
}

/// How many statements this thread has added through the split front end
/// (test hook: a test sees that the split path was taken).
#[cfg(feature = "test-hooks")]
pub(crate) fn splits_on_this_thread() -> usize {
    SPLITS.with(Cell::get)
}

/// How many blocks of statements this thread has had parsed in parallel
/// (test hook).
#[cfg(feature = "test-hooks")]
pub(crate) fn parallel_blocks_on_this_thread() -> usize {
    PARALLEL_BLOCKS.with(Cell::get)
}

/// After statement `text` failed with `error` before reaching the DAG:
/// if it assigns a name, the name is bound to the error, so that using
/// it later gives the same error (and not `unknown name`).
pub(crate) fn bind_failed(scope: &mut Scope, text: &str, error: &Error) {
    if let Some(name) = crate::syntax::assignment_target(text) {
        scope.bind(name, Binding::Failed(error.clone()));
    }
}
