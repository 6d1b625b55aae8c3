//! Column code: the instructions and registers of a formula's program
//! over typed columns (`translate.rs` builds it, `kernels.rs` runs it).

use crate::value::{BinOp, Builtin, Value};

/// A column register's index in the file of its type.
pub(crate) type Slot = u32;

/// The type of a column register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    /// Floats.
    F,
    /// Integers that fit in an `i64` (exact values).
    I,
}

/// What one input of the formula is, for the column code.
#[derive(Clone, Copy, Debug)]
pub(crate) enum InputKind<'v> {
    /// A column of floats.
    F,
    /// A column of integers.
    I,
    /// One value for every row.
    Scalar(&'v Value),
}

/// Where a column register's contents come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum SlotInit<T> {
    /// Input column `k` (read in place, never written).
    Input(usize),
    /// One value in every row, written once per evaluator.
    Fill(T),
    /// Written by the code.
    Temp,
}

/// One column instruction: a loop over the rows of a block. `dst`, `a`,
/// `b` are slots in the file of the instruction's type (comparisons write
/// an integer slot).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum CIns {
    /// Float `+ - * / ^ // %`.
    FBin {
        op: BinOp,
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    /// `a * a` (a float `a ^ 2`).
    FSquare {
        dst: Slot,
        a: Slot,
    },
    FNeg {
        dst: Slot,
        a: Slot,
    },
    /// A float function of one float (`sqrt`, `abs`, `sin`, `exp`, ...).
    FCall {
        f: Builtin,
        dst: Slot,
        a: Slot,
    },
    /// An integer column as floats.
    ToF {
        dst: Slot,
        a: Slot,
    },
    /// Marks the rows where float slot `a` is not finite.
    Check {
        a: Slot,
    },
    /// Checked integer `+ - * / ^ // %`.
    IBin {
        op: BinOp,
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    ISquare {
        dst: Slot,
        a: Slot,
    },
    INeg {
        dst: Slot,
        a: Slot,
    },
    IAbs {
        dst: Slot,
        a: Slot,
    },
    /// Float comparison, an integer 1 or 0.
    CmpF {
        op: BinOp,
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    /// Integer comparison.
    CmpI {
        op: BinOp,
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    /// A float compared exactly with an integer.
    CmpFI {
        op: BinOp,
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    /// Starts the then-branch of an `if` (rows where `cond` is not zero);
    /// when no row of the block takes it, continues at `skip` (its `Else`).
    If {
        cond: (Ty, Slot),
        skip: u32,
    },
    /// Starts the else-branch; when no row takes it, continues at `skip`
    /// (its `EndIf`).
    Else {
        cond: (Ty, Slot),
        skip: u32,
    },
    EndIf,
    /// `dst = src` in the rows of the current branch.
    Move {
        ty: Ty,
        dst: Slot,
        src: Slot,
    },
    /// Marks every row of the current branch (an error to report).
    Raise,
}

/// A formula's column code for one assignment of input kinds.
#[derive(Clone, Debug, Default)]
pub(crate) struct ColumnCode {
    pub code: Vec<CIns>,
    pub floats: Vec<SlotInit<f64>>,
    pub ints: Vec<SlotInit<i64>>,
    /// The result's slot.
    pub result: Option<(Ty, Slot)>,
    /// The deepest nesting of `if`s.
    pub depth: usize,
}
