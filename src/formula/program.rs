//! The compact form of a compiled formula: a linear register program.
//!
//! Registers are laid out as `[constants | inputs | temporaries]`. The
//! constants are written once per evaluator (a worker's chunk of rows), the
//! inputs once per row, and every instruction writes one temporary. The
//! instructions come in the order a left-to-right, depth-first evaluation
//! computes the nodes (each shared node once), so the first instruction
//! that fails gives exactly the error the spec's leftmost rule reports.
//! A lazy `if` is a conditional jump over its branches.

use crate::error::{Error, Span};
use crate::value::{BinOp, Builtin, UnOp, Value};

/// A register index.
pub(crate) type Reg = u32;

/// One instruction. `Copy` and small, so the loop reads them cheaply; the
/// span of each is kept apart (`Program::spans`), read only on errors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Ins {
    /// `dst = -a`.
    Neg { dst: Reg, a: Reg },
    /// `dst = op a` for the other unary operators (`!`).
    Unary { op: UnOp, dst: Reg, a: Reg },
    /// `dst = a op b`.
    Bin { op: BinOp, dst: Reg, a: Reg, b: Reg },
    /// `dst = f(args)`, the arguments being `Program::args[start..start + len]`.
    Call {
        f: Builtin,
        dst: Reg,
        start: u32,
        len: u32,
    },
    /// `dst = hosts[f](args)`, a host function, the arguments being
    /// `Program::args[start..start + len]`.
    Host {
        f: u32,
        dst: Reg,
        start: u32,
        len: u32,
    },
    /// `delay(x, ms)` or `busy(x, ms)`: validates, waits, then `dst = x`.
    Wait {
        f: Builtin,
        dst: Reg,
        x: Reg,
        ms: Reg,
    },
    /// Continue at `to` when register `cond` is zero.
    JumpIfZero { cond: Reg, to: u32 },
    /// Continue at `to`.
    Jump { to: u32 },
    /// `dst = src` (the value of an `if`).
    Move { dst: Reg, src: Reg },
    /// Fail with `Program::errors[error]`.
    Raise { error: u32 },
}

/// A compiled formula's program.
#[derive(Clone, Debug, Default)]
pub(crate) struct Program {
    /// The instructions.
    pub code: Vec<Ins>,
    /// The span of the node each instruction computes.
    pub spans: Vec<Span>,
    /// The constants, in registers `0..consts.len()`.
    pub consts: Vec<Value>,
    /// The nearest float to each constant, when there is one: lets a
    /// rational constant (`0.5` is the exact 1/2) meet a float operand
    /// without converting it on every row.
    pub const_floats: Vec<Option<f64>>,
    /// Number of inputs, in registers `consts.len()..consts.len() + inputs`.
    pub inputs: usize,
    /// Number of temporaries, after the inputs.
    pub temps: usize,
    /// Argument registers of `Ins::Call`.
    pub args: Vec<Reg>,
    /// The host functions of `Ins::Host`.
    pub hosts: Vec<std::sync::Arc<crate::host::HostFn>>,
    /// The errors of `Ins::Raise` (found while compiling or folding).
    pub errors: Vec<Error>,
    /// The register holding the result.
    pub result: Reg,
}

impl Program {
    /// The first input's register.
    pub fn input_base(&self) -> usize {
        self.consts.len()
    }

    /// Total number of registers.
    pub fn registers(&self) -> usize {
        self.consts.len() + self.inputs + self.temps
    }

    /// A register file for this program: the constants in place, zeros
    /// elsewhere.
    pub fn fresh_registers(&self) -> Vec<Value> {
        let mut regs = Vec::with_capacity(self.registers());
        regs.extend(self.consts.iter().cloned());
        regs.resize(self.registers(), Value::from_i64(0));
        regs
    }
}
