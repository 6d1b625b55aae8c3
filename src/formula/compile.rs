//! Hash-consed DAG → register program: one iterative depth-first pass in
//! the order the sequential evaluator walks (inputs left to right, each
//! shared node once), folding constant subexpressions and turning `if`
//! into jumps over lazily compiled branches.

use rustc_hash::FxHashMap;

use super::program::{Ins, Program, Reg};
use crate::dag::{Dag, NodeId, Op};
use crate::error::{Error, ErrorKind};
use crate::value::{self, Builtin, Limits, UnOp, Value};

/// Operations estimated to cost more than this (ns) are not folded at
/// compile time: a branch that no row takes must not make `compile` slow.
const FOLD_MAX_NS: u64 = 1_000_000;

/// Register tags while compiling; `finish` maps them to the final layout.
const CONST_TAG: Reg = 1 << 31;
const INPUT_TAG: Reg = 1 << 30;
const INDEX: Reg = INPUT_TAG - 1;

/// Where a node's value is while the program runs, or the error it is
/// known to have (an index into `Program::errors`).
#[derive(Clone, Copy, Debug)]
enum Loc {
    Reg(Reg),
    Failed(u32),
}

enum Work {
    Visit(NodeId),
    /// Visit input `k` of the node next, or compute the node when its
    /// inputs are done or one of them is known to fail (later inputs are
    /// then never evaluated, as in a left-to-right evaluation).
    Input(NodeId, usize),
    Alias(NodeId, NodeId),
    IfCond(NodeId),
    IfThen {
        id: NodeId,
        jump: usize,
        mark: usize,
        dst: Reg,
    },
    IfElse {
        id: NodeId,
        jump: usize,
        mark: usize,
        dst: Reg,
    },
}

/// Compiles node `root` of `dag` whose input placeholders are `inputs`
/// (placeholder node → input index).
pub(crate) fn compile(
    dag: &Dag,
    root: NodeId,
    inputs: &FxHashMap<NodeId, usize>,
    limits: &Limits,
) -> Result<Program, Error> {
    let mut c = Compiler {
        dag,
        limits,
        program: Program {
            inputs: inputs.len(),
            ..Program::default()
        },
        fixed: inputs
            .iter()
            .map(|(&node, &k)| (node, Loc::Reg(INPUT_TAG | k as Reg)))
            .collect(),
        scoped: FxHashMap::default(),
        log: Vec::new(),
    };
    let mut work = vec![Work::Visit(root)];
    while let Some(item) = work.pop() {
        c.step(item, &mut work)?;
    }
    let result = match c.loc(root) {
        Some(Loc::Reg(r)) => r,
        Some(Loc::Failed(e)) => {
            c.emit(Ins::Raise { error: e }, root);
            c.temp()
        }
        None => return Err(internal(dag, root, "the formula's root was not compiled")),
    };
    c.program.result = result;
    Ok(c.finish())
}

struct Compiler<'a> {
    dag: &'a Dag,
    limits: &'a Limits,
    program: Program,
    /// Locations valid everywhere: inputs, constants, folded values.
    fixed: FxHashMap<NodeId, Loc>,
    /// Locations valid in the current branch only.
    scoped: FxHashMap<NodeId, Loc>,
    /// The nodes put in `scoped`, in order, so a branch can be undone.
    log: Vec<NodeId>,
}

fn internal(dag: &Dag, id: NodeId, what: &str) -> Error {
    Error::with_detail(ErrorKind::Internal, dag.node(id).span(), what)
}

fn is_const(r: Reg) -> bool {
    r & CONST_TAG != 0
}

impl Compiler<'_> {
    fn loc(&self, id: NodeId) -> Option<Loc> {
        self.fixed
            .get(&id)
            .or_else(|| self.scoped.get(&id))
            .copied()
    }

    fn set(&mut self, id: NodeId, loc: Loc) {
        let global = match loc {
            Loc::Reg(r) => is_const(r),
            Loc::Failed(_) => false,
        };
        if global {
            self.fixed.insert(id, loc);
        } else {
            self.scoped.insert(id, loc);
            self.log.push(id);
        }
    }

    /// Forgets what a branch computed.
    fn undo(&mut self, mark: usize) {
        for id in self.log.drain(mark..) {
            self.scoped.remove(&id);
        }
    }

    fn temp(&mut self) -> Reg {
        let r = self.program.temps as Reg;
        self.program.temps += 1;
        r
    }

    fn constant(&mut self, value: Value) -> Loc {
        let k = self.program.consts.len() as Reg;
        self.program.const_floats.push(value.to_f64().ok());
        self.program.consts.push(value);
        Loc::Reg(CONST_TAG | k)
    }

    fn error(&mut self, error: Error) -> u32 {
        self.program.errors.push(error);
        (self.program.errors.len() - 1) as u32
    }

    fn emit(&mut self, ins: Ins, id: NodeId) -> usize {
        self.program.code.push(ins);
        self.program.spans.push(self.dag.node(id).span());
        self.program.code.len() - 1
    }

    fn need(&self, id: NodeId, input: NodeId) -> Result<Loc, Error> {
        self.loc(input)
            .ok_or_else(|| internal(self.dag, id, "an input was not compiled"))
    }

    fn step(&mut self, item: Work, work: &mut Vec<Work>) -> Result<(), Error> {
        match item {
            Work::Visit(id) => self.visit(id, work),
            Work::Input(id, k) => {
                let inputs = &self.dag.node(id).inputs;
                let failed = k > 0 && matches!(self.loc(inputs[k - 1]), Some(Loc::Failed(_)));
                if failed || k == inputs.len() {
                    self.emit_node(id)?;
                } else {
                    work.push(Work::Input(id, k + 1));
                    work.push(Work::Visit(inputs[k]));
                }
            }
            Work::Alias(id, of) => {
                let loc = self.need(id, of)?;
                self.set(id, loc);
            }
            Work::IfCond(id) => self.if_cond(id, work)?,
            Work::IfThen {
                id,
                jump,
                mark,
                dst,
            } => {
                let then = self.need(id, self.dag.node(id).inputs[1])?;
                self.branch_value(id, then, dst);
                let over = self.emit(Ins::Jump { to: 0 }, id);
                self.patch(jump);
                self.undo(mark);
                work.push(Work::IfElse {
                    id,
                    jump: over,
                    mark,
                    dst,
                });
                work.push(Work::Visit(self.dag.node(id).inputs[2]));
            }
            Work::IfElse {
                id,
                jump,
                mark,
                dst,
            } => {
                let other = self.need(id, self.dag.node(id).inputs[2])?;
                self.branch_value(id, other, dst);
                self.patch(jump);
                self.undo(mark);
                self.set(id, Loc::Reg(dst));
            }
        }
        Ok(())
    }

    fn visit(&mut self, id: NodeId, work: &mut Vec<Work>) {
        if self.loc(id).is_some() {
            return;
        }
        let node = self.dag.node(id);
        match &node.op {
            Op::Const => {
                let loc = match self.dag.result(id).as_deref() {
                    Some(Ok(v)) => self.constant(v.clone()),
                    Some(Err(e)) => Loc::Failed(self.error(e.clone())),
                    None => {
                        Loc::Failed(self.error(internal(self.dag, id, "constant without value")))
                    }
                };
                self.set(id, loc);
            }
            Op::If if node.inputs.len() == 3 => {
                work.push(Work::IfCond(id));
                work.push(Work::Visit(node.inputs[0]));
            }
            _ => work.push(Work::Input(id, 0)),
        }
    }

    fn if_cond(&mut self, id: NodeId, work: &mut Vec<Work>) -> Result<(), Error> {
        let node = self.dag.node(id);
        let (then, other) = (node.inputs[1], node.inputs[2]);
        match self.need(id, node.inputs[0])? {
            Loc::Failed(e) => self.set(id, Loc::Failed(e)),
            Loc::Reg(r) if is_const(r) => {
                let zero = self.program.consts[(r & INDEX) as usize].is_zero();
                let chosen = if zero { other } else { then };
                work.push(Work::Alias(id, chosen));
                work.push(Work::Visit(chosen));
            }
            Loc::Reg(cond) => {
                let dst = self.temp();
                let jump = self.emit(Ins::JumpIfZero { cond, to: 0 }, id);
                work.push(Work::IfThen {
                    id,
                    jump,
                    mark: self.log.len(),
                    dst,
                });
                work.push(Work::Visit(then));
            }
        }
        Ok(())
    }

    fn branch_value(&mut self, id: NodeId, loc: Loc, dst: Reg) {
        match loc {
            Loc::Reg(src) => self.emit(Ins::Move { dst, src }, id),
            Loc::Failed(error) => self.emit(Ins::Raise { error }, id),
        };
    }

    /// Points the jump at `at` to the next instruction.
    fn patch(&mut self, at: usize) {
        let next = self.program.code.len() as u32;
        match &mut self.program.code[at] {
            Ins::Jump { to } | Ins::JumpIfZero { to, .. } => *to = next,
            _ => {}
        }
    }

    fn emit_node(&mut self, id: NodeId) -> Result<(), Error> {
        let node = self.dag.node(id);
        let mut locs = Vec::with_capacity(node.inputs.len());
        for &input in node.inputs.iter() {
            let loc = self.need(id, input)?;
            locs.push(loc);
            if matches!(loc, Loc::Failed(_)) {
                break;
            }
        }
        // The first failing input decides, at its place in the order.
        if let Some(k) = locs.iter().position(|l| matches!(l, Loc::Failed(_))) {
            let Loc::Failed(e) = locs[k] else {
                return Ok(());
            };
            self.fail_after(id, &locs[..k], e);
            return Ok(());
        }
        let regs: Vec<Reg> = locs
            .iter()
            .map(|l| match l {
                Loc::Reg(r) => *r,
                Loc::Failed(_) => 0,
            })
            .collect();
        let all_const = regs.iter().all(|&r| is_const(r));
        let op = match &node.op {
            Op::Fail(e) => {
                let e = self.error((**e).clone());
                self.fail_after(id, &locs, e);
                return Ok(());
            }
            Op::Unary(UnOp::Plus) => {
                self.set(id, locs[0]);
                return Ok(());
            }
            Op::Unary(_) | Op::Binary(_) | Op::Call(_) | Op::Host(_) => &node.op,
            _ => {
                let e = self.error(Error::with_detail(
                    ErrorKind::Internal,
                    node.span(),
                    format!("`{}` cannot be part of a formula", node.op.label()),
                ));
                self.fail_after(id, &locs, e);
                return Ok(());
            }
        };
        if all_const && foldable(op) && node.cost() <= FOLD_MAX_NS {
            let values: Vec<&Value> = regs
                .iter()
                .map(|&r| &self.program.consts[(r & INDEX) as usize])
                .collect();
            let loc = match fold(op, &values, self.limits) {
                Ok(v) => self.constant(v),
                Err(fault) => Loc::Failed(self.error(Error::from_fault(fault, node.span()))),
            };
            self.set(id, loc);
            return Ok(());
        }
        let dst = self.temp();
        let ins = match (op, regs.as_slice()) {
            (Op::Unary(UnOp::Neg), &[a]) => Ins::Neg { dst, a },
            (Op::Unary(op), &[a]) => Ins::Unary { op: *op, dst, a },
            (Op::Binary(op), &[a, b]) => Ins::Bin { op: *op, dst, a, b },
            (Op::Call(f @ (Builtin::Delay | Builtin::Busy)), &[x, ms]) => {
                Ins::Wait { f: *f, dst, x, ms }
            }
            (Op::Host(f), args) => {
                let start = self.program.args.len() as u32;
                self.program.args.extend_from_slice(args);
                self.program.hosts.push(std::sync::Arc::clone(f));
                Ins::Host {
                    f: (self.program.hosts.len() - 1) as u32,
                    dst,
                    start,
                    len: args.len() as u32,
                }
            }
            (Op::Call(f), args) => {
                let start = self.program.args.len() as u32;
                self.program.args.extend_from_slice(args);
                Ins::Call {
                    f: *f,
                    dst,
                    start,
                    len: args.len() as u32,
                }
            }
            _ => {
                let e = self.error(internal(self.dag, id, "operation with a wrong input count"));
                Ins::Raise { error: e }
            }
        };
        self.emit(ins, id);
        self.set(id, Loc::Reg(dst));
        Ok(())
    }

    /// Node `id` fails with error `e` once `before` (its inputs evaluated
    /// before the failure) have succeeded: at once when they are
    /// constants, else by an instruction here.
    fn fail_after(&mut self, id: NodeId, before: &[Loc], e: u32) {
        let all_const = before
            .iter()
            .all(|l| matches!(l, Loc::Reg(r) if is_const(*r)));
        if !all_const {
            self.emit(Ins::Raise { error: e }, id);
        }
        self.set(id, Loc::Failed(e));
    }

    /// The program with its registers in their final layout.
    fn finish(mut self) -> Program {
        let consts = self.program.consts.len() as Reg;
        let inputs = self.program.inputs as Reg;
        let fix = |r: Reg| {
            if r & CONST_TAG != 0 {
                r & INDEX
            } else if r & INPUT_TAG != 0 {
                consts + (r & INDEX)
            } else {
                consts + inputs + r
            }
        };
        for ins in &mut self.program.code {
            match ins {
                Ins::Neg { dst, a } | Ins::Unary { dst, a, .. } => {
                    *dst = fix(*dst);
                    *a = fix(*a);
                }
                Ins::Bin { dst, a, b, .. } => {
                    *dst = fix(*dst);
                    *a = fix(*a);
                    *b = fix(*b);
                }
                Ins::Call { dst, .. } | Ins::Host { dst, .. } => *dst = fix(*dst),
                Ins::Wait { dst, x, ms, .. } => {
                    *dst = fix(*dst);
                    *x = fix(*x);
                    *ms = fix(*ms);
                }
                Ins::JumpIfZero { cond, .. } => *cond = fix(*cond),
                Ins::Move { dst, src } => {
                    *dst = fix(*dst);
                    *src = fix(*src);
                }
                Ins::Jump { .. } | Ins::Raise { .. } => {}
            }
        }
        for r in &mut self.program.args {
            *r = fix(*r);
        }
        self.program.result = fix(self.program.result);
        self.program
    }
}

/// Whether an operation may be computed at compile time: pure and quick.
fn foldable(op: &Op) -> bool {
    match op {
        Op::Call(Builtin::Delay | Builtin::Busy) => false,
        #[cfg(feature = "fault-injection")]
        Op::Call(Builtin::Panic) => false,
        Op::Unary(_) | Op::Binary(_) | Op::Call(_) => true,
        _ => false,
    }
}

/// Computes a foldable operation of constant inputs.
fn fold(op: &Op, values: &[&Value], limits: &Limits) -> Result<Value, value::Fault> {
    match (op, values) {
        (Op::Unary(op), [x]) => value::unary(*op, x, limits),
        (Op::Binary(op), [a, b]) => value::binary(*op, a, b, limits),
        (Op::Call(f), args) => {
            let owned: Vec<Value> = args.iter().map(|v| (*v).clone()).collect();
            value::call(*f, &owned, limits)
        }
        _ => Err(value::Fault::Domain("not a foldable operation".into())),
    }
}
