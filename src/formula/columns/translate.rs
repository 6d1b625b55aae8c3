//! A compiled formula's register program turned into column code: the same
//! instructions over typed columns (`f64` or `i64`), for the kinds of the
//! input columns given. Each column instruction is one tight loop over a
//! block of rows (`kernels.rs`); a row that any instruction cannot compute
//! exactly as the value layer would is marked, and the caller evaluates it
//! again by the general program (`mod.rs`).
//!
//! What keeps the column path exact:
//! - Floats carry their own failure marker: an operation whose result is
//!   not finite leaves NaN or an infinity, and `+ - * /`, negation, `abs`,
//!   `sqrt` and `x^2` keep a non-finite operand non-finite. So a float is
//!   checked (`Check`) only where that chain would break: before a
//!   comparison, a divisor, a power, `//`, `%`, a transcendental function,
//!   an `if` condition, and the result.
//! - Integer operations are checked as they go (an overflow, an inexact
//!   division or a negative power marks the row).
//! - `if` runs both branches over the block under masks: a mark or a
//!   `Move` counts only for the rows that take that branch (lazy `if`),
//!   and a branch no row of the block takes is skipped.
//! - A formula this cannot express in one type per register (a rational
//!   operand meeting an integer, a branch giving an integer in one row and
//!   a float in another, host functions, `delay`) has no column code: the
//!   caller runs every row by the general program.

use rustc_hash::FxHashMap;

use super::code::{CIns, ColumnCode, InputKind, Slot, SlotInit, Ty};
use crate::formula::program::{Ins, Program, Reg};
use crate::value::{BinOp, Builtin, Value};

/// Where a register of the general program is in the column code.
#[derive(Clone, Copy, Debug)]
pub(super) enum Loc<'a> {
    F(Slot),
    I(Slot),
    /// An exact value that is no `i64` (a rational constant or scalar):
    /// usable only beside floats, as its nearest float (if it has one).
    Q(&'a Value, Option<f64>),
}

/// An `if` being translated.
struct Frame {
    /// The general program's `Jump` over the else-branch.
    jump: usize,
    /// Where the `if` ends in the general program.
    end: usize,
    cond: (Ty, Slot),
    /// The column `If`, then its `Else`.
    at: usize,
}

/// Translates `program` for inputs of `kinds`; `None` when some part has
/// no column form (the caller then evaluates every row by the program).
pub(crate) fn translate(program: &Program, kinds: &[InputKind<'_>]) -> Option<ColumnCode> {
    if !program.hosts.is_empty() || kinds.len() != program.inputs {
        return None;
    }
    let mut t = Translator {
        out: ColumnCode::default(),
        locs: Vec::with_capacity(program.registers()),
        tainted: Vec::new(),
        converted: FxHashMap::default(),
        depth: 0,
    };
    for (k, value) in program.consts.iter().enumerate() {
        let loc = t.value_loc(value, program.const_floats[k]);
        t.locs.push(Some(loc));
    }
    for (k, kind) in kinds.iter().enumerate() {
        let loc = match kind {
            InputKind::F => Loc::F(t.new_f(SlotInit::Input(k), false)),
            InputKind::I => Loc::I(t.new_i(SlotInit::Input(k))),
            InputKind::Scalar(v) => t.value_loc(v, v.to_f64().ok()),
        };
        t.locs.push(Some(loc));
    }
    t.locs.resize(program.registers(), None);
    let mut frames: Vec<Frame> = Vec::new();
    for (pc, ins) in program.code.iter().enumerate() {
        t.close_frames(&mut frames, pc);
        if let Some(frame) = frames.last_mut()
            && frame.jump == pc
        {
            // The then-branch ends: the else-branch starts.
            let at = t.out.code.len();
            t.out.code.push(CIns::Else {
                cond: frame.cond,
                skip: 0,
            });
            if let Some(CIns::If { skip, .. }) = t.out.code.get_mut(frame.at) {
                *skip = at as u32;
            }
            frame.at = at;
            t.forget_from(t.depth);
            continue;
        }
        match *ins {
            Ins::JumpIfZero { cond, to } => {
                let to = to as usize;
                let Some(&Ins::Jump { to: end }) = program.code.get(to.checked_sub(1)?) else {
                    return None;
                };
                if to - 1 <= pc || (end as usize) < to {
                    return None;
                }
                let cond = match t.loc(cond)? {
                    Loc::F(s) => (Ty::F, t.checked(s)),
                    Loc::I(s) => (Ty::I, s),
                    Loc::Q(..) => return None,
                };
                frames.push(Frame {
                    jump: to - 1,
                    end: end as usize,
                    cond,
                    at: t.out.code.len(),
                });
                t.out.code.push(CIns::If { cond, skip: 0 });
                t.depth += 1;
                t.out.depth = t.out.depth.max(t.depth);
            }
            ins => t.instruction(program, ins)?,
        }
    }
    t.close_frames(&mut frames, program.code.len());
    if !frames.is_empty() {
        return None;
    }
    t.out.result = match t.loc(program.result)? {
        Loc::F(s) => Some((Ty::F, t.checked(s))),
        Loc::I(s) => Some((Ty::I, s)),
        Loc::Q(..) => None,
    };
    t.out.result?;
    Some(t.out)
}

pub(super) struct Translator<'a> {
    out: ColumnCode,
    locs: Vec<Option<Loc<'a>>>,
    /// Per float slot: whether it may hold a non-finite value not yet
    /// checked, and the `if` depth where it was written.
    tainted: Vec<(bool, usize)>,
    /// Registers of exact values already converted to floats, with the
    /// depth of the conversion.
    converted: FxHashMap<Reg, (Slot, usize)>,
    depth: usize,
}

impl<'a> Translator<'a> {
    fn value_loc(&mut self, value: &'a Value, float: Option<f64>) -> Loc<'a> {
        match value {
            Value::Float(x) => Loc::F(self.new_f(SlotInit::Fill(*x), false)),
            Value::Int(n) if let Some(n) = n.to_i64() => Loc::I(self.new_i(SlotInit::Fill(n))),
            _ => Loc::Q(value, float),
        }
    }

    pub(super) fn new_f(&mut self, init: SlotInit<f64>, tainted: bool) -> Slot {
        self.out.floats.push(init);
        self.tainted.push((tainted, self.depth));
        (self.out.floats.len() - 1) as Slot
    }

    /// The integer slots made so far.
    pub(super) fn ints(&self) -> &[SlotInit<i64>] {
        &self.out.ints
    }

    pub(super) fn new_i(&mut self, init: SlotInit<i64>) -> Slot {
        self.out.ints.push(init);
        (self.out.ints.len() - 1) as Slot
    }

    fn loc(&self, r: Reg) -> Option<Loc<'a>> {
        self.locs.get(r as usize).copied().flatten()
    }

    pub(super) fn set(&mut self, r: Reg, loc: Loc<'a>) -> Option<()> {
        *self.locs.get_mut(r as usize)? = Some(loc);
        Some(())
    }

    pub(super) fn emit(&mut self, ins: CIns) {
        self.out.code.push(ins);
    }

    /// Ends the `if`s whose code ends at `pc`.
    fn close_frames(&mut self, frames: &mut Vec<Frame>, pc: usize) {
        while let Some(frame) = frames.last()
            && frame.end == pc
            && frame.jump < pc
        {
            let at = self.out.code.len() as u32;
            if let Some(CIns::Else { skip, .. }) = self.out.code.get_mut(frame.at) {
                *skip = at;
            }
            self.emit(CIns::EndIf);
            frames.pop();
            self.depth -= 1;
            self.forget_from(self.depth + 1);
        }
    }

    /// Forgets the conversions made at `depth` or deeper: a branch that
    /// is over (it may have been skipped).
    fn forget_from(&mut self, depth: usize) {
        self.converted.retain(|_, (_, d)| *d < depth);
    }

    /// Float slot `s`, checked for non-finite values here if it may hold
    /// one.
    pub(super) fn checked(&mut self, s: Slot) -> Slot {
        let (tainted, depth) = self.tainted[s as usize];
        if tainted {
            self.emit(CIns::Check { a: s });
            if depth == self.depth {
                self.tainted[s as usize].0 = false;
            }
        }
        s
    }

    /// A float slot for register `r`: its own, its conversion from an
    /// integer, or a rational's nearest float.
    fn float(&mut self, r: Reg) -> Option<Slot> {
        if let Some(&(f, _)) = self.converted.get(&r) {
            return Some(f);
        }
        let (f, depth) = match self.loc(r)? {
            Loc::F(s) => return Some(s),
            Loc::I(s) => match self.out.ints[s as usize] {
                SlotInit::Fill(n) => (self.new_f(SlotInit::Fill(n as f64), false), 0),
                _ => {
                    let f = self.new_f(SlotInit::Temp, false);
                    self.emit(CIns::ToF { dst: f, a: s });
                    (f, self.depth)
                }
            },
            // Its nearest float, for float arithmetic; comparisons keep
            // reading the exact value.
            Loc::Q(_, float) => (self.new_f(SlotInit::Fill(float?), false), 0),
        };
        self.converted.insert(r, (f, depth));
        Some(f)
    }

    fn temp_f(&mut self) -> Slot {
        self.new_f(SlotInit::Temp, true)
    }

    pub(super) fn temp_i(&mut self) -> Slot {
        self.new_i(SlotInit::Temp)
    }

    fn instruction(&mut self, program: &Program, ins: Ins) -> Option<()> {
        match ins {
            Ins::Bin { op, dst, a, b } => self.binary(op, dst, a, b),
            Ins::Neg { dst, a } => {
                let loc = match self.loc(a)? {
                    Loc::F(s) => {
                        let d = self.new_f(SlotInit::Temp, self.tainted[s as usize].0);
                        self.emit(CIns::FNeg { dst: d, a: s });
                        Loc::F(d)
                    }
                    Loc::I(s) => {
                        let d = self.temp_i();
                        self.emit(CIns::INeg { dst: d, a: s });
                        Loc::I(d)
                    }
                    Loc::Q(..) => return None,
                };
                self.set(dst, loc)
            }
            Ins::Call {
                f,
                dst,
                start,
                len: 1,
            } => self.call(f, dst, *program.args.get(start as usize)?),
            Ins::Move { dst, src } => self.move_value(dst, src),
            Ins::Raise { .. } => {
                self.emit(CIns::Raise);
                Some(())
            }
            _ => None,
        }
    }

    fn call(&mut self, f: Builtin, dst: Reg, a: Reg) -> Option<()> {
        let loc = match (self.loc(a)?, f) {
            (Loc::F(s), Builtin::Float) => Loc::F(s),
            (Loc::F(s), Builtin::Abs) => {
                let d = self.new_f(SlotInit::Temp, self.tainted[s as usize].0);
                self.emit(CIns::FCall { f, dst: d, a: s });
                Loc::F(d)
            }
            (Loc::F(s), Builtin::Sqrt) => {
                let d = self.temp_f();
                self.emit(CIns::FCall { f, dst: d, a: s });
                Loc::F(d)
            }
            (Loc::F(s), f) if crate::formula::fast::float_fn(f, 1.0).is_some() => {
                let s = self.checked(s);
                let d = self.temp_f();
                self.emit(CIns::FCall { f, dst: d, a: s });
                Loc::F(d)
            }
            (Loc::I(_), Builtin::Float) => Loc::F(self.float(a)?),
            (Loc::I(s), Builtin::Abs) => {
                let d = self.temp_i();
                self.emit(CIns::IAbs { dst: d, a: s });
                Loc::I(d)
            }
            _ => return None,
        };
        self.set(dst, loc)
    }

    /// The value of an `if` (`dst`) in one branch: both branches must give
    /// the same type.
    fn move_value(&mut self, dst: Reg, src: Reg) -> Option<()> {
        let (ty, s) = match self.loc(src)? {
            Loc::F(s) => (Ty::F, s),
            Loc::I(s) => (Ty::I, s),
            Loc::Q(..) => return None,
        };
        let outer = self.depth.checked_sub(1)?;
        let d = match (self.loc(dst), ty) {
            (None, Ty::F) => {
                let d = self.new_f(SlotInit::Temp, false);
                self.tainted[d as usize].1 = outer;
                self.set(dst, Loc::F(d))?;
                d
            }
            (None, Ty::I) => {
                let d = self.temp_i();
                self.set(dst, Loc::I(d))?;
                d
            }
            (Some(Loc::F(d)), Ty::F) => d,
            (Some(Loc::I(d)), Ty::I) => d,
            _ => return None,
        };
        if ty == Ty::F && self.tainted[s as usize].0 {
            self.tainted[d as usize].0 = true;
        }
        self.emit(CIns::Move { ty, dst: d, src: s });
        Some(())
    }

    fn binary(&mut self, op: BinOp, dst: Reg, a: Reg, b: Reg) -> Option<()> {
        let (la, lb) = (self.loc(a)?, self.loc(b)?);
        if op.is_comparison() {
            return self.compare(op, dst, la, lb);
        }
        let loc = match (la, lb) {
            (Loc::I(x), Loc::I(y)) => {
                let d = self.temp_i();
                if op == BinOp::Pow && self.out.ints[y as usize] == SlotInit::Fill(2) {
                    self.emit(CIns::ISquare { dst: d, a: x });
                } else {
                    self.emit(CIns::IBin {
                        op,
                        dst: d,
                        a: x,
                        b: y,
                    });
                }
                Loc::I(d)
            }
            // Exact arithmetic beyond integers (and a rational raised to
            // an integer power) stays with the general program.
            (Loc::I(_) | Loc::Q(..), Loc::Q(..)) if op != BinOp::Pow => return None,
            (Loc::Q(..), Loc::I(_) | Loc::Q(..)) => return None,
            _ => Loc::F(self.float_binary(op, a, b)?),
        };
        self.set(dst, loc)
    }

    /// `a op b` on floats (an exact operand becomes its nearest float).
    fn float_binary(&mut self, op: BinOp, a: Reg, b: Reg) -> Option<Slot> {
        let (x, y) = (self.float(a)?, self.float(b)?);
        let d = self.temp_f();
        let square = matches!(self.out.floats[y as usize], SlotInit::Fill(v) if v == 2.0);
        let (x, y) = match op {
            BinOp::Pow if square => {
                self.emit(CIns::FSquare { dst: d, a: x });
                return Some(d);
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul => (x, y),
            BinOp::Div => (x, self.checked(y)),
            _ => (self.checked(x), self.checked(y)),
        };
        self.emit(CIns::FBin {
            op,
            dst: d,
            a: x,
            b: y,
        });
        Some(d)
    }
}
