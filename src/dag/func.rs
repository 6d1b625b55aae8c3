//! User functions: a definition's body compiled once into a small template
//! of nodes (parameters are slots, other names are looked up where the
//! function is called), and the environment a call site gives a call: the
//! functions and variables its body can reach, as bound at that site.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::scope::{Binding, Scope};
use crate::error::{Error, ErrorKind, Span};
use crate::syntax::{Ast, ExprId, ExprKind};
use crate::value::{self, BinOp, Limits, UnOp, Value};

static NEXT_DEF: AtomicU64 = AtomicU64::new(1);

/// Index of a node of a [`Body`].
pub type BodyId = u32;

/// What a body node computes.
#[derive(Clone, Debug)]
pub enum BodyOp {
    /// A literal's value.
    Const(Value),
    /// A literal that failed to parse (e.g. over the bit limit).
    Fail(Error),
    /// Parameter `k`.
    Param(usize),
    /// A name that is not a parameter: looked up at the call site.
    Global(Box<str>),
    /// A prefix minus or factorial.
    Unary(UnOp, BodyId),
    /// An infix operation.
    Binary(BinOp, BodyId, BodyId),
    /// The lazy `if(c, a, b)`.
    If(BodyId, BodyId, BodyId),
    /// A call of a user function or a built-in, resolved at the call site.
    Call {
        /// The function's name.
        name: Box<str>,
        /// The arguments.
        args: Vec<BodyId>,
    },
}

/// A body node: its operation and where it is in the definition's text.
#[derive(Clone, Debug)]
pub struct BodyNode {
    /// What it computes.
    pub op: BodyOp,
    /// Its span in the source of the definition.
    pub span: Span,
}

/// A compiled function body: nodes children-first, the root last.
#[derive(Clone, Debug, Default)]
pub struct Body {
    /// The nodes, in topological order.
    pub nodes: Vec<BodyNode>,
    /// Per node: whether its subtree calls something that may take long
    /// (a function that is not a built-in, or `busy`/`delay`). A parallel
    /// run computes two such inputs of one node at the same time.
    pub heavy: Vec<bool>,
}

impl Body {
    /// A body of `nodes` (children first), with their [`Body::heavy`] flags.
    pub fn new(nodes: Vec<BodyNode>) -> Body {
        let mut heavy = vec![false; nodes.len()];
        for (i, node) in nodes.iter().enumerate() {
            let below = |k: &BodyId| heavy.get(*k as usize).copied().unwrap_or(false);
            heavy[i] = match &node.op {
                BodyOp::Const(_) | BodyOp::Fail(_) | BodyOp::Param(_) | BodyOp::Global(_) => false,
                BodyOp::Unary(_, a) => below(a),
                BodyOp::Binary(_, a, b) => below(a) || below(b),
                BodyOp::If(c, a, b) => below(c) || below(a) || below(b),
                BodyOp::Call { name, args } => {
                    let slow = match value::Builtin::from_name(name) {
                        Some(f) => matches!(f, value::Builtin::Busy | value::Builtin::Delay),
                        None => true,
                    };
                    slow || args.iter().any(below)
                }
            };
        }
        Body { nodes, heavy }
    }

    /// The root node.
    pub fn root(&self) -> BodyId {
        self.nodes.len().saturating_sub(1) as BodyId
    }

    /// Whether node `b`'s subtree may take long (see [`Body::heavy`]).
    pub fn is_heavy(&self, b: BodyId) -> bool {
        self.heavy.get(b as usize).copied().unwrap_or(false)
    }
}

/// One definition `name(params) = body`.
#[derive(Debug)]
pub struct FuncDef {
    /// Unique among the definitions of this process.
    pub id: u64,
    /// The function's name.
    pub name: Box<str>,
    /// The parameters' names.
    pub params: Vec<Box<str>>,
    /// The compiled body.
    pub body: Body,
    /// Names of functions the body calls (not `if`), first appearance order.
    pub calls: Vec<Box<str>>,
    /// Names of variables the body uses that are not parameters.
    pub globals: Vec<Box<str>>,
    /// The span of the whole definition.
    pub span: Span,
}

impl FuncDef {
    /// Compiles the definition of `name(params)` whose body is `root` of
    /// `ast` (iteratively: a body may be as deep as any expression).
    pub fn compile(
        name: &str,
        params: &[(Box<str>, Span)],
        ast: &Ast,
        root: ExprId,
        span: Span,
        limits: &Limits,
    ) -> FuncDef {
        let mut nodes: Vec<BodyNode> = Vec::new();
        let mut built: rustc_hash::FxHashMap<ExprId, BodyId> = Default::default();
        let mut calls: Vec<Box<str>> = Vec::new();
        let mut globals: Vec<Box<str>> = Vec::new();
        let mut work = vec![(root, false)];
        while let Some((id, children_done)) = work.pop() {
            if built.contains_key(&id) {
                continue;
            }
            if !children_done {
                work.push((id, true));
                work.extend(ast.children(id).iter().rev().map(|&c| (c, false)));
                continue;
            }
            let expr = ast.get(id);
            let child = |k: usize| -> BodyId {
                ast.children(id)
                    .get(k)
                    .and_then(|c| built.get(c))
                    .copied()
                    .unwrap_or(0)
            };
            let op = match &expr.kind {
                ExprKind::Number(text) => match value::parse_literal(text, limits) {
                    Ok(v) => BodyOp::Const(v),
                    Err(fault) => BodyOp::Fail(Error::from_fault(fault, expr.span)),
                },
                ExprKind::Var(var) => match params.iter().position(|(p, _)| p == var) {
                    Some(k) => BodyOp::Param(k),
                    None => {
                        if !globals.contains(var) {
                            globals.push(var.clone());
                        }
                        BodyOp::Global(var.clone())
                    }
                },
                ExprKind::Unary(UnOp::Plus, _) => {
                    built.insert(id, child(0));
                    continue;
                }
                ExprKind::Unary(op, _) => BodyOp::Unary(*op, child(0)),
                ExprKind::Binary(op, ..) => BodyOp::Binary(*op, child(0), child(1)),
                ExprKind::Call { name, args, .. } if &**name == "if" && args.len() == 3 => {
                    BodyOp::If(child(0), child(1), child(2))
                }
                ExprKind::Call { name, args, .. } => {
                    if &**name != "if" && !calls.contains(name) {
                        calls.push(name.clone());
                    }
                    BodyOp::Call {
                        name: name.clone(),
                        args: (0..args.len()).map(child).collect(),
                    }
                }
            };
            built.insert(id, nodes.len() as BodyId);
            nodes.push(BodyNode {
                op,
                span: expr.span,
            });
        }
        // A body that is a bare `+x` is its child: make it the root too.
        if let Some(&root_id) = built.get(&root)
            && root_id as usize + 1 != nodes.len()
            && let Some(node) = nodes.get(root_id as usize).cloned()
        {
            nodes.push(node);
        }
        FuncDef {
            id: NEXT_DEF.fetch_add(1, Ordering::Relaxed),
            name: name.into(),
            params: params.iter().map(|(p, _)| p.clone()).collect(),
            body: Body::new(nodes),
            calls,
            globals,
            span,
        }
    }

    #[cfg(any(test, feature = "report"))]
    /// The signature as written: `f(x, y)`.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.params.join(", "))
    }
}

/// What a call site gives the calls it starts: the user functions their
/// bodies can reach and the variables those bodies use, as bound at the
/// site (Python's rule for globals). Variables come in name order; their
/// nodes are inputs of the call's DAG node, after its arguments.
#[derive(Debug)]
pub struct Env {
    /// Reachable user functions by name.
    pub funcs: BTreeMap<Box<str>, Arc<FuncDef>>,
    /// Variables the reachable bodies use: the index of the input that
    /// holds each (after the arguments), or `None` when the name is not
    /// bound at the site (a constant such as `pi`, or an unknown variable).
    pub vars: BTreeMap<Box<str>, Option<usize>>,
    /// The functions' identities, for keys: `(name, definition id)`.
    pub signature: Arc<[(Box<str>, u64)]>,
}

/// A variable of an environment as the DAG builder sees it.
pub(crate) enum EnvVar {
    /// Bound to a node or a failed definition.
    Bound(Binding),
    /// Not bound at the site.
    Free,
}

impl Env {
    /// The environment `scope` gives a call of `def`: the closure of the
    /// user functions reachable from its body, and the variables they use
    /// (in name order, with their bindings).
    pub(crate) fn at(scope: &Scope, def: &Arc<FuncDef>) -> (Env, Vec<(Box<str>, EnvVar)>) {
        let mut funcs: BTreeMap<Box<str>, Arc<FuncDef>> = BTreeMap::new();
        let mut names: BTreeMap<Box<str>, EnvVar> = BTreeMap::new();
        let mut work = vec![Arc::clone(def)];
        let mut seen = vec![def.id];
        while let Some(d) = work.pop() {
            for g in &d.globals {
                names
                    .entry(g.clone())
                    .or_insert_with(|| match scope.get(g) {
                        Some(b) => EnvVar::Bound(b.clone()),
                        None => EnvVar::Free,
                    });
            }
            for name in &d.calls {
                if let Some(f) = scope.function(name) {
                    funcs.entry(name.clone()).or_insert_with(|| Arc::clone(f));
                    if !seen.contains(&f.id) {
                        seen.push(f.id);
                        work.push(Arc::clone(f));
                    }
                }
            }
        }
        let mut vars = BTreeMap::new();
        let mut next = 0;
        for (name, var) in &names {
            let slot = match var {
                EnvVar::Bound(_) => {
                    next += 1;
                    Some(next - 1)
                }
                EnvVar::Free => None,
            };
            vars.insert(name.clone(), slot);
        }
        let signature = funcs.iter().map(|(n, f)| (n.clone(), f.id)).collect();
        let bound = names
            .into_iter()
            .filter(|(_, v)| matches!(v, EnvVar::Bound(_)))
            .collect();
        (
            Env {
                funcs,
                vars,
                signature,
            },
            bound,
        )
    }

    /// The error of using variable `name` that is not bound at the site
    /// and is not a constant, at `span`.
    pub fn unknown(name: &str, span: Span) -> Error {
        Error::with_detail(ErrorKind::UnknownVariable, span, format!("`{name}`"))
    }
}

/// A call node of the DAG: which function, in which environment, with how
/// many arguments (the node's first inputs; the environment's variables
/// follow).
#[derive(Debug)]
pub struct CallSite {
    /// The function called.
    pub def: Arc<FuncDef>,
    /// What its body (and the bodies it calls) see.
    pub env: Arc<Env>,
    /// How many of the node's inputs are arguments.
    pub args: usize,
}

impl PartialEq for CallSite {
    fn eq(&self, other: &Self) -> bool {
        self.def.id == other.def.id
            && self.env.signature == other.env.signature
            && self.args == other.args
    }
}
