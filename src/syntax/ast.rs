//! The abstract syntax tree: an arena of expression nodes with source spans.

use crate::error::Span;
use crate::value::{BinOp, UnOp};

/// Index of an expression node in an [`Ast`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

/// One expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it came from.
    pub span: Span,
}

/// The shapes an expression can take. Children are arena indices, so the
/// tree can be as deep as the input without any recursion in its passes.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A numeric literal, as written (underscores included).
    Number(Literal),
    /// A variable or constant name.
    Var(Box<str>),
    /// A function call.
    Call {
        /// The function's name.
        name: Box<str>,
        /// The span of the name alone.
        name_span: Span,
        /// The arguments, left to right.
        args: Vec<ExprId>,
    },
    /// A prefix `-`/`+` or a postfix `!`.
    Unary(UnOp, ExprId),
    /// An infix operation.
    Binary(BinOp, ExprId, ExprId),
}

/// A number literal's text as written, stored inline up to
/// [`Literal::INLINE`] bytes (no allocation for the literals of a big
/// input), on the heap beyond. Dereferences to `str`.
///
/// ```
/// let short = exprflow::testing::syntax::Literal::from("1_000");
/// assert_eq!(&*short, "1_000");
/// let long = exprflow::testing::syntax::Literal::from("1234567890123456789012345");
/// assert_eq!(long.len(), 25);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum Literal {
    /// Up to [`Literal::INLINE`] bytes, inline.
    Inline {
        /// How many of `bytes` are used.
        len: u8,
        /// The text (ASCII), then zeros.
        bytes: [u8; Literal::INLINE],
    },
    /// Longer text.
    Heap(Box<str>),
}

impl Literal {
    /// The longest text stored inline.
    pub const INLINE: usize = 22;
}

impl From<&str> for Literal {
    fn from(text: &str) -> Literal {
        if text.len() <= Literal::INLINE {
            let mut bytes = [0; Literal::INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            Literal::Inline {
                len: text.len() as u8,
                bytes,
            }
        } else {
            Literal::Heap(text.into())
        }
    }
}

impl std::ops::Deref for Literal {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Literal::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or("")
            }
            Literal::Heap(text) => text,
        }
    }
}

impl std::fmt::Debug for Literal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

/// A statement: `name = expr` or a bare `expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The variable bound by an assignment (or the function a definition
    /// defines), with its span.
    pub target: Option<(Box<str>, Span)>,
    /// A function definition's parameters, with their spans: `Some` makes
    /// the statement `target(params) = expr`.
    pub params: Option<Vec<(Box<str>, Span)>>,
    /// The expression.
    pub expr: ExprId,
    /// The first arena node of this statement: its nodes are `first..=expr`.
    pub first: ExprId,
    /// The span of the whole statement.
    pub span: Span,
}

impl Statement {
    /// For a function definition, its signature as written: `f(x, y)`.
    pub fn signature(&self) -> Option<String> {
        let (name, _) = self.target.as_ref()?;
        let params: Vec<&str> = self.params.as_ref()?.iter().map(|(p, _)| &**p).collect();
        Some(format!("{name}({})", params.join(", ")))
    }
}

/// An arena of expressions shared by any number of statements.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ast {
    nodes: Vec<Expr>,
}

impl Ast {
    /// An empty arena.
    pub fn new() -> Ast {
        Ast::default()
    }

    /// Adds a node and returns its index.
    pub fn push(&mut self, kind: ExprKind, span: Span) -> ExprId {
        let id = ExprId(self.nodes.len() as u32);
        self.nodes.push(Expr { kind, span });
        id
    }

    /// Drops the nodes from `len` on (a statement that failed to parse).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.nodes.truncate(len);
    }

    /// Widens the span of `id` (to include parentheses around it).
    pub fn set_span(&mut self, id: ExprId, span: Span) {
        if let Some(node) = self.nodes.get_mut(id.0 as usize) {
            node.span = span;
        }
    }

    /// The node at `id`.
    pub fn get(&self, id: ExprId) -> &Expr {
        &self.nodes[id.0 as usize]
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    #[cfg(any(test, feature = "report"))]
    /// Whether the arena is empty.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The children of `id`, left to right, as a small vector.
    pub fn children(&self, id: ExprId) -> Children {
        match &self.get(id).kind {
            ExprKind::Number(_) | ExprKind::Var(_) => Children::Few([id; 2], 0),
            ExprKind::Unary(_, child) => Children::Few([*child, *child], 1),
            ExprKind::Binary(_, left, right) => Children::Few([*left, *right], 2),
            ExprKind::Call { args, .. } => Children::Many(args.clone()),
        }
    }

    #[cfg(any(test, feature = "report"))]
    /// Whether the trees at `a` (in `self`) and `b` (in `other`) have the same
    /// shape, ignoring spans and the spelling of number literals' underscores.
    /// Iterative, so any depth is fine.
    pub fn same_shape(&self, a: ExprId, other: &Ast, b: ExprId) -> bool {
        let mut work = vec![(a, b)];
        while let Some((a, b)) = work.pop() {
            let (x, y) = (&self.get(a).kind, &other.get(b).kind);
            let same_head = match (x, y) {
                (ExprKind::Number(p), ExprKind::Number(q)) => {
                    p.replace('_', "") == q.replace('_', "")
                }
                (ExprKind::Var(p), ExprKind::Var(q)) => p == q,
                (
                    ExprKind::Call {
                        name: p, args: pa, ..
                    },
                    ExprKind::Call {
                        name: q, args: qa, ..
                    },
                ) => p == q && pa.len() == qa.len(),
                (ExprKind::Unary(p, _), ExprKind::Unary(q, _)) => p == q,
                (ExprKind::Binary(p, ..), ExprKind::Binary(q, ..)) => p == q,
                _ => false,
            };
            if !same_head {
                return false;
            }
            work.extend(
                self.children(a)
                    .iter()
                    .copied()
                    .zip(other.children(b).iter().copied()),
            );
        }
        true
    }
}

/// The children of a node: inline for up to two, allocated for calls.
#[derive(Clone, Debug)]
pub enum Children {
    /// Up to two children, stored inline; the second field is the count.
    Few([ExprId; 2], usize),
    /// A call's arguments.
    Many(Vec<ExprId>),
}

impl std::ops::Deref for Children {
    type Target = [ExprId];

    fn deref(&self) -> &[ExprId] {
        match self {
            Children::Few(ids, n) => &ids[..*n],
            Children::Many(ids) => ids,
        }
    }
}
