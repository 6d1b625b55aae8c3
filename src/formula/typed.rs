//! Typed programs: the same program over plain `f64` or `i64` registers,
//! for the rows whose inputs are all floats or all small integers. Each
//! instruction is the fast path of `fast.rs`; the first one that does not
//! apply (an overflow, a rational result, an error to report) gives up,
//! and the row is evaluated again by the general program, which gives the
//! exact value or the error. Programs are pure (a program with `delay` or
//! `busy` has no typed form), so starting a row again changes nothing.

use super::fast;
use super::program::{Ins, Program, Reg};
use crate::value::{BinOp, Builtin, Value};

/// One typed instruction. Floats use the arithmetic and call forms only;
/// integers use every form but `Call`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum TIns {
    Add {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Sub {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Mul {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Div {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Bin {
        op: BinOp,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Neg {
        dst: Reg,
        a: Reg,
    },
    Call {
        f: Builtin,
        dst: Reg,
        a: Reg,
    },
    JumpIfZero {
        cond: Reg,
        to: u32,
    },
    Jump {
        to: u32,
    },
    Move {
        dst: Reg,
        src: Reg,
    },
    /// Only the general program can go on (e.g. an error to raise).
    GiveUp,
}

/// A program over registers of type `T`, numbered as in the general one.
#[derive(Clone, Debug)]
pub(crate) struct Typed<T> {
    code: Vec<TIns>,
    /// The registers' initial contents: the constants, then zeros.
    init: Vec<T>,
    result: Reg,
}

impl<T: Copy> Typed<T> {
    /// A register file for this program.
    pub fn registers(&self) -> Vec<T> {
        self.init.clone()
    }

    fn new(program: &Program, consts: Vec<T>, zero: T, code: Vec<TIns>) -> Typed<T> {
        let mut init = consts;
        init.resize(program.registers(), zero);
        Typed {
            code,
            init,
            result: program.result,
        }
    }
}

fn arith(op: BinOp, dst: Reg, a: Reg, b: Reg) -> TIns {
    match op {
        BinOp::Add => TIns::Add { dst, a, b },
        BinOp::Sub => TIns::Sub { dst, a, b },
        BinOp::Mul => TIns::Mul { dst, a, b },
        BinOp::Div => TIns::Div { dst, a, b },
        op => TIns::Bin { op, dst, a, b },
    }
}

impl Typed<f64> {
    /// The float form of `program`, if it has one: straight-line
    /// arithmetic (`+ - * / ^`, negation, the float functions) where every
    /// operation has a float operand and any constant has a float value.
    pub fn floats(program: &Program) -> Option<Typed<f64>> {
        let consts = program.consts.len();
        let constant = |r: Reg| (r as usize) < consts;
        let usable = |r: Reg| !constant(r) || program.const_floats[r as usize].is_some();
        let mut code = Vec::with_capacity(program.code.len());
        for ins in &program.code {
            code.push(match *ins {
                Ins::Bin { op, dst, a, b }
                    if matches!(
                        op,
                        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow
                    ) && usable(a)
                        && usable(b)
                        && !(constant(a) && constant(b)) =>
                {
                    arith(op, dst, a, b)
                }
                Ins::Neg { dst, a } if !constant(a) => TIns::Neg { dst, a },
                Ins::Call {
                    f,
                    dst,
                    start,
                    len: 1,
                } => {
                    let a = program.args[start as usize];
                    if constant(a) || fast::float_fn(f, 1.0).is_none() {
                        return None;
                    }
                    TIns::Call { f, dst, a }
                }
                Ins::Raise { .. } => TIns::GiveUp,
                _ => return None,
            });
        }
        if constant(program.result) {
            return None; // a constant result keeps its own type
        }
        let values = program
            .const_floats
            .iter()
            .map(|f| f.unwrap_or(0.0))
            .collect();
        Some(Typed::new(program, values, 0.0, code))
    }

    /// Runs on registers whose inputs are set; `None` gives the row to the
    /// general program.
    #[inline]
    pub fn run(&self, regs: &mut [f64]) -> Option<f64> {
        for ins in &self.code {
            match *ins {
                TIns::Add { dst, a, b } => {
                    regs[dst as usize] = finite(regs[a as usize] + regs[b as usize])?
                }
                TIns::Sub { dst, a, b } => {
                    regs[dst as usize] = finite(regs[a as usize] - regs[b as usize])?
                }
                TIns::Mul { dst, a, b } => {
                    regs[dst as usize] = finite(regs[a as usize] * regs[b as usize])?
                }
                TIns::Div { dst, a, b } => {
                    let y = regs[b as usize];
                    if y == 0.0 {
                        return None;
                    }
                    regs[dst as usize] = finite(regs[a as usize] / y)?
                }
                TIns::Bin { op, dst, a, b } => {
                    regs[dst as usize] = fast::float(op, regs[a as usize], regs[b as usize])?
                }
                TIns::Neg { dst, a } => regs[dst as usize] = -regs[a as usize],
                TIns::Call { f, dst, a } => {
                    regs[dst as usize] = fast::float_fn(f, regs[a as usize])?
                }
                _ => return None,
            }
        }
        Some(regs[self.result as usize])
    }
}

#[inline(always)]
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl Typed<i64> {
    /// The integer form of `program`, if it has one: operators,
    /// comparisons, `if` and `abs`, with every constant an `i64`. Only for
    /// a bit limit of at least 64 bits (any `i64` is then within it).
    pub fn ints(program: &Program) -> Option<Typed<i64>> {
        // A constant that is not an i64 is never used by a typed row.
        let usable: Vec<bool> = program
            .consts
            .iter()
            .map(|v| matches!(v, Value::Int(i) if i.to_i64().is_some()))
            .collect();
        let ok = |r: Reg| usable.get(r as usize).copied().unwrap_or(true);
        let mut code = Vec::with_capacity(program.code.len());
        for ins in &program.code {
            code.push(match *ins {
                Ins::Bin { op, dst, a, b } if ok(a) && ok(b) => arith(op, dst, a, b),
                Ins::Neg { dst, a } if ok(a) => TIns::Neg { dst, a },
                Ins::Call {
                    f: Builtin::Abs,
                    dst,
                    start,
                    len: 1,
                } if ok(program.args[start as usize]) => TIns::Call {
                    f: Builtin::Abs,
                    dst,
                    a: program.args[start as usize],
                },
                Ins::JumpIfZero { cond, to } if ok(cond) => TIns::JumpIfZero { cond, to },
                Ins::Jump { to } => TIns::Jump { to },
                Ins::Move { dst, src } if ok(src) => TIns::Move { dst, src },
                Ins::Raise { .. } => TIns::GiveUp,
                _ => return None,
            });
        }
        if !ok(program.result) {
            return None;
        }
        let values = program
            .consts
            .iter()
            .map(|v| match v {
                Value::Int(i) => i.to_i64().unwrap_or(0),
                _ => 0,
            })
            .collect();
        Some(Typed::new(program, values, 0, code))
    }

    /// Runs on registers whose inputs are set; `None` gives the row to the
    /// general program.
    #[inline]
    pub fn run(&self, regs: &mut [i64]) -> Option<i64> {
        let mut pc = 0;
        while let Some(ins) = self.code.get(pc) {
            pc += 1;
            match *ins {
                TIns::Add { dst, a, b } => {
                    regs[dst as usize] = regs[a as usize].checked_add(regs[b as usize])?
                }
                TIns::Sub { dst, a, b } => {
                    regs[dst as usize] = regs[a as usize].checked_sub(regs[b as usize])?
                }
                TIns::Mul { dst, a, b } => {
                    regs[dst as usize] = regs[a as usize].checked_mul(regs[b as usize])?
                }
                TIns::Div { dst, a, b } => {
                    regs[dst as usize] = fast::int(BinOp::Div, regs[a as usize], regs[b as usize])?
                }
                TIns::Bin { op, dst, a, b } => {
                    regs[dst as usize] = fast::int(op, regs[a as usize], regs[b as usize])?
                }
                TIns::Neg { dst, a } => regs[dst as usize] = regs[a as usize].checked_neg()?,
                TIns::Call { dst, a, .. } => regs[dst as usize] = regs[a as usize].checked_abs()?,
                TIns::JumpIfZero { cond, to } => {
                    if regs[cond as usize] == 0 {
                        pc = to as usize;
                    }
                }
                TIns::Jump { to } => pc = to as usize,
                TIns::Move { dst, src } => regs[dst as usize] = regs[src as usize],
                TIns::GiveUp => return None,
            }
        }
        Some(regs[self.result as usize])
    }
}
