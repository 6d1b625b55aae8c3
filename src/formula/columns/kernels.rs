//! Running column code (`column_code.rs`) over one block of rows: each
//! instruction is one loop over slices of equal length, simple enough for
//! the compiler to vectorise. A row that some instruction cannot compute
//! exactly gets a mark in `bad`; the caller evaluates it again by the
//! general program.

use std::ops::Range;

use super::code::{CIns, ColumnCode, Slot, SlotInit, Ty};
use crate::formula::fast;
use crate::value::{BinOp, Builtin, float_divmod, float_pow};

/// Rows per block: a block's registers stay in the first-level cache.
pub(crate) const BLOCK: usize = 1024;

/// The input columns of one evaluation, by input index (an empty slice
/// where the input is no column of that type).
pub(crate) struct Inputs<'a> {
    pub floats: Vec<&'a [f64]>,
    pub ints: Vec<&'a [i64]>,
}

/// One evaluator's registers: a column of `BLOCK` rows per slot.
pub(crate) struct Block<'c> {
    code: &'c ColumnCode,
    floats: Vec<Vec<f64>>,
    ints: Vec<Vec<i64>>,
    /// Per row of the block: 1 when the general program must decide it.
    bad: Vec<u8>,
    /// The rows each open branch runs for, innermost last.
    masks: Vec<Vec<u8>>,
}

fn file<T: Copy>(inits: &[SlotInit<T>]) -> Vec<Vec<T>> {
    inits
        .iter()
        .map(|init| match *init {
            SlotInit::Input(_) => Vec::new(),
            SlotInit::Fill(v) => vec![v; BLOCK],
            SlotInit::Temp => Vec::with_capacity(BLOCK),
        })
        .collect()
}

impl<'c> Block<'c> {
    pub fn new(code: &'c ColumnCode) -> Block<'c> {
        let mut floats = file(&code.floats);
        let mut ints = file(&code.ints);
        for v in &mut floats {
            v.resize(BLOCK, 0.0);
        }
        for v in &mut ints {
            v.resize(BLOCK, 0);
        }
        Block {
            code,
            floats,
            ints,
            bad: vec![0; BLOCK],
            masks: vec![vec![0; BLOCK]; code.depth],
        }
    }

    /// The marks of the last block run: 1 for the rows to evaluate again.
    pub fn bad(&self, rows: usize) -> &[u8] {
        &self.bad[..rows]
    }

    /// The float result of the last block run.
    pub fn float_result<'s>(&'s self, inputs: &'s Inputs<'_>, rows: Range<usize>) -> &'s [f64] {
        match self.code.result {
            Some((Ty::F, s)) => fsrc(self.code, &self.floats, inputs, s, rows),
            _ => &[],
        }
    }

    /// The integer result of the last block run.
    pub fn int_result<'s>(&'s self, inputs: &'s Inputs<'_>, rows: Range<usize>) -> &'s [i64] {
        match self.code.result {
            Some((Ty::I, s)) => isrc(self.code, &self.ints, inputs, s, rows),
            _ => &[],
        }
    }

    /// Runs the code on `rows` (at most `BLOCK`) of the input columns.
    pub fn run(&mut self, inputs: &Inputs<'_>, rows: Range<usize>) {
        let n = rows.len();
        let Block {
            code,
            floats,
            ints,
            bad,
            masks,
        } = self;
        let bad = &mut bad[..n];
        bad.fill(0);
        // A NaN or infinite input is an error of the row.
        for init in &code.floats {
            if let SlotInit::Input(k) = *init {
                check(&inputs.floats[k][rows.clone()], bad, None);
            }
        }
        // Slot `s` over the block's rows, in the float or integer file.
        macro_rules! f {
            ($floats:expr, $s:expr) => {
                fsrc(code, $floats, inputs, $s, rows.clone())
            };
        }
        macro_rules! i {
            ($ints:expr, $s:expr) => {
                isrc(code, $ints, inputs, $s, rows.clone())
            };
        }
        let mut depth = 0usize;
        let mut pc = 0usize;
        while let Some(&ins) = code.code.get(pc) {
            pc += 1;
            let mask = depth.checked_sub(1).map(|d| &masks[d][..n]);
            match ins {
                CIns::FBin { op, dst, a, b } => {
                    let mut column = std::mem::take(&mut floats[dst as usize]);
                    let d = &mut column[..n];
                    // A constant operand is read from a register, not a
                    // column (one stream less).
                    match (code.floats[a as usize], code.floats[b as usize], op) {
                        (SlotInit::Fill(k), _, BinOp::Add | BinOp::Mul) => {
                            float_binary_const(op, d, f!(floats, b), k)
                        }
                        (_, SlotInit::Fill(k), BinOp::Add | BinOp::Mul | BinOp::Sub) => {
                            float_binary_const(op, d, f!(floats, a), k)
                        }
                        _ => float_binary(op, d, f!(floats, a), f!(floats, b)),
                    }
                    floats[dst as usize] = column;
                }
                CIns::FSquare { dst, a } => {
                    let mut d = std::mem::take(&mut floats[dst as usize]);
                    map(&mut d[..n], f!(floats, a), |x| x * x);
                    floats[dst as usize] = d;
                }
                CIns::FNeg { dst, a } => {
                    let mut d = std::mem::take(&mut floats[dst as usize]);
                    map(&mut d[..n], f!(floats, a), |x| -x);
                    floats[dst as usize] = d;
                }
                CIns::FCall { f: func, dst, a } => {
                    let mut d = std::mem::take(&mut floats[dst as usize]);
                    float_call(func, &mut d[..n], f!(floats, a));
                    floats[dst as usize] = d;
                }
                CIns::ToF { dst, a } => {
                    map(&mut floats[dst as usize][..n], i!(ints, a), |x| x as f64)
                }
                CIns::Check { a } => check(f!(floats, a), bad, mask),
                CIns::IBin { op, dst, a, b } => {
                    let mut d = std::mem::take(&mut ints[dst as usize]);
                    int_binary(op, &mut d[..n], (i!(ints, a), i!(ints, b)), bad, mask);
                    ints[dst as usize] = d;
                }
                CIns::ISquare { dst, a } => {
                    let mut d = std::mem::take(&mut ints[dst as usize]);
                    let a = i!(ints, a);
                    map2_marked(&mut d[..n], (a, a), bad, mask, i64::overflowing_mul);
                    ints[dst as usize] = d;
                }
                CIns::INeg { dst, a } => {
                    let mut d = std::mem::take(&mut ints[dst as usize]);
                    let a = i!(ints, a);
                    map2_marked(&mut d[..n], (a, a), bad, mask, |x, _| x.overflowing_neg());
                    ints[dst as usize] = d;
                }
                CIns::IAbs { dst, a } => {
                    let mut d = std::mem::take(&mut ints[dst as usize]);
                    let a = i!(ints, a);
                    map2_marked(&mut d[..n], (a, a), bad, mask, |x, _| {
                        (x.wrapping_abs(), x == i64::MIN)
                    });
                    ints[dst as usize] = d;
                }
                CIns::CmpF { op, dst, a, b } => compare_floats(
                    op,
                    &mut ints[dst as usize][..n],
                    f!(floats, a),
                    f!(floats, b),
                ),
                CIns::CmpI { op, dst, a, b } => {
                    let mut d = std::mem::take(&mut ints[dst as usize]);
                    compare_ints(op, &mut d[..n], i!(ints, a), i!(ints, b));
                    ints[dst as usize] = d;
                }
                CIns::CmpFI { op, dst, a, b } => {
                    let mut d = std::mem::take(&mut ints[dst as usize]);
                    map2(&mut d[..n], f!(floats, a), i!(ints, b), |x, y| {
                        i64::from(fast::holds(op, float_int_cmp(x, y)))
                    });
                    ints[dst as usize] = d;
                }
                CIns::If { cond, skip } | CIns::Else { cond, skip } => {
                    let then = matches!(ins, CIns::If { .. });
                    if then {
                        depth += 1;
                    }
                    let (parent, mine) = masks.split_at_mut(depth - 1);
                    let parent = parent.last().map(|m| &m[..n]);
                    let mine = &mut mine[0][..n];
                    let any = match cond {
                        (Ty::F, s) => branch(mine, parent, f!(floats, s), then, |c| c != 0.0),
                        (Ty::I, s) => branch(mine, parent, i!(ints, s), then, |c| c != 0),
                    };
                    if !any {
                        pc = skip as usize;
                    }
                }
                CIns::EndIf => depth = depth.saturating_sub(1),
                CIns::Move { ty, dst, src } => match ty {
                    Ty::F => {
                        let mut d = std::mem::take(&mut floats[dst as usize]);
                        select(&mut d[..n], f!(floats, src), mask);
                        floats[dst as usize] = d;
                    }
                    Ty::I => {
                        let mut d = std::mem::take(&mut ints[dst as usize]);
                        select(&mut d[..n], i!(ints, src), mask);
                        ints[dst as usize] = d;
                    }
                },
                CIns::Raise => match mask {
                    Some(m) => bad.iter_mut().zip(m).for_each(|(b, m)| *b |= m),
                    None => bad.fill(1),
                },
            }
        }
    }
}

/// Float slot `s` over `rows`: an input column or the register.
fn fsrc<'s>(
    code: &ColumnCode,
    floats: &'s [Vec<f64>],
    inputs: &'s Inputs<'_>,
    s: Slot,
    rows: Range<usize>,
) -> &'s [f64] {
    match code.floats[s as usize] {
        SlotInit::Input(k) => &inputs.floats[k][rows],
        _ => &floats[s as usize][..rows.len()],
    }
}

fn isrc<'s>(
    code: &ColumnCode,
    ints: &'s [Vec<i64>],
    inputs: &'s Inputs<'_>,
    s: Slot,
    rows: Range<usize>,
) -> &'s [i64] {
    match code.ints[s as usize] {
        SlotInit::Input(k) => &inputs.ints[k][rows],
        _ => &ints[s as usize][..rows.len()],
    }
}

#[inline(always)]
fn map<T: Copy, U>(d: &mut [U], a: &[T], f: impl Fn(T) -> U) {
    for (d, &a) in d.iter_mut().zip(a) {
        *d = f(a);
    }
}

#[inline(always)]
fn map2<T: Copy, S: Copy, U>(d: &mut [U], a: &[T], b: &[S], f: impl Fn(T, S) -> U) {
    for ((d, &a), &b) in d.iter_mut().zip(a).zip(b) {
        *d = f(a, b);
    }
}

/// `d = f(a, b)`, marking the rows (of the current branch) where `f`
/// says it failed.
#[inline(always)]
fn map2_marked(
    d: &mut [i64],
    (a, b): (&[i64], &[i64]),
    bad: &mut [u8],
    mask: Option<&[u8]>,
    f: impl Fn(i64, i64) -> (i64, bool),
) {
    let rows = d.iter_mut().zip(a).zip(b).zip(bad.iter_mut());
    match mask {
        None => rows.for_each(|(((d, &a), &b), bad)| {
            let (r, failed) = f(a, b);
            *d = r;
            *bad |= u8::from(failed);
        }),
        Some(m) => rows.zip(m).for_each(|((((d, &a), &b), bad), &m)| {
            let (r, failed) = f(a, b);
            *d = r;
            *bad |= u8::from(failed) & m;
        }),
    }
}

/// Marks the rows (of the current branch) where `a` is not finite.
fn check(a: &[f64], bad: &mut [u8], mask: Option<&[u8]>) {
    // Most blocks have none: one reduction, no stores.
    if a.iter().fold(true, |all, x| all & x.is_finite()) {
        return;
    }
    match mask {
        None => bad
            .iter_mut()
            .zip(a)
            .for_each(|(b, x)| *b |= u8::from(!x.is_finite())),
        Some(m) => bad
            .iter_mut()
            .zip(a)
            .zip(m)
            .for_each(|((b, x), m)| *b |= u8::from(!x.is_finite()) & m),
    }
}

/// `d = a` in the rows of the current branch.
fn select<T: Copy>(d: &mut [T], a: &[T], mask: Option<&[u8]>) {
    match mask {
        None => d.copy_from_slice(a),
        Some(m) => {
            for ((d, &a), &m) in d.iter_mut().zip(a).zip(m) {
                *d = if m != 0 { a } else { *d };
            }
        }
    }
}

/// A branch's rows: those of the parent (all, at the top) where the
/// condition is not zero (`then`) or zero; whether there is any.
fn branch<T: Copy>(
    mine: &mut [u8],
    parent: Option<&[u8]>,
    cond: &[T],
    then: bool,
    nonzero: impl Fn(T) -> bool,
) -> bool {
    let want = u8::from(then);
    match parent {
        None => map(mine, cond, |c| u8::from(u8::from(nonzero(c)) == want)),
        Some(p) => map2(mine, cond, p, |c, p| {
            u8::from(u8::from(nonzero(c)) == want) & p
        }),
    }
    mine.iter().fold(0, |acc, &m| acc | m) != 0
}

fn float_binary(op: BinOp, d: &mut [f64], a: &[f64], b: &[f64]) {
    match op {
        BinOp::Add => map2(d, a, b, |x, y| x + y),
        BinOp::Sub => map2(d, a, b, |x, y| x - y),
        BinOp::Mul => map2(d, a, b, |x, y| x * y),
        BinOp::Div => map2(d, a, b, |x, y| x / y),
        BinOp::Pow => map2(d, a, b, float_pow),
        BinOp::FloorDiv => map2(d, a, b, |x, y| float_divmod(x, y).map_or(f64::NAN, |r| r.0)),
        BinOp::Mod => map2(d, a, b, |x, y| float_divmod(x, y).map_or(f64::NAN, |r| r.1)),
        _ => d.fill(f64::NAN),
    }
}

/// `x op k` for a constant `k` (`k op x` for `+` and `*`, the same).
fn float_binary_const(op: BinOp, d: &mut [f64], a: &[f64], k: f64) {
    match op {
        BinOp::Add => map(d, a, |x| x + k),
        BinOp::Sub => map(d, a, |x| x - k),
        _ => map(d, a, |x| x * k),
    }
}

fn float_call(f: Builtin, d: &mut [f64], a: &[f64]) {
    match f {
        Builtin::Abs => map(d, a, f64::abs),
        Builtin::Sqrt => map(d, a, f64::sqrt),
        f => map(d, a, |x| fast::float_fn(f, x).unwrap_or(f64::NAN)),
    }
}

fn int_binary(
    op: BinOp,
    d: &mut [i64],
    operands: (&[i64], &[i64]),
    bad: &mut [u8],
    mask: Option<&[u8]>,
) {
    match op {
        BinOp::Add => map2_marked(d, operands, bad, mask, i64::overflowing_add),
        BinOp::Sub => map2_marked(d, operands, bad, mask, i64::overflowing_sub),
        BinOp::Mul => map2_marked(d, operands, bad, mask, i64::overflowing_mul),
        op => map2_marked(d, operands, bad, mask, |x, y| match fast::int(op, x, y) {
            Some(r) => (r, false),
            None => (0, true),
        }),
    }
}

fn compare_floats(op: BinOp, d: &mut [i64], a: &[f64], b: &[f64]) {
    match op {
        BinOp::Lt => map2(d, a, b, |x, y| i64::from(x < y)),
        BinOp::Le => map2(d, a, b, |x, y| i64::from(x <= y)),
        BinOp::Gt => map2(d, a, b, |x, y| i64::from(x > y)),
        BinOp::Ge => map2(d, a, b, |x, y| i64::from(x >= y)),
        BinOp::Eq => map2(d, a, b, |x, y| i64::from(x == y)),
        _ => map2(d, a, b, |x, y| i64::from(x != y)),
    }
}

fn compare_ints(op: BinOp, d: &mut [i64], a: &[i64], b: &[i64]) {
    match op {
        BinOp::Lt => map2(d, a, b, |x, y| i64::from(x < y)),
        BinOp::Le => map2(d, a, b, |x, y| i64::from(x <= y)),
        BinOp::Gt => map2(d, a, b, |x, y| i64::from(x > y)),
        BinOp::Ge => map2(d, a, b, |x, y| i64::from(x >= y)),
        BinOp::Eq => map2(d, a, b, |x, y| i64::from(x == y)),
        _ => map2(d, a, b, |x, y| i64::from(x != y)),
    }
}

/// A finite float compared exactly with an integer.
#[inline(always)]
fn float_int_cmp(x: f64, n: i64) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if x >= TWO_63 {
        Ordering::Greater
    } else if x < -TWO_63 {
        Ordering::Less
    } else {
        // |x| < 2^63: its integer part is an exact i64.
        let t = x.trunc();
        match (t as i64).cmp(&n) {
            Ordering::Equal => x.partial_cmp(&t).unwrap_or(Ordering::Equal),
            order => order,
        }
    }
}
