//! Comparisons in column code: floats with floats, integers with
//! integers, and floats exactly with integers and rationals.

use std::cmp::Ordering;

use super::code::{CIns, Slot, SlotInit};
use super::translate::{Loc, Translator};
use crate::formula::program::Reg;
use crate::value::{BinOp, Value, exact_cmp};

impl<'a> Translator<'a> {
    /// `dst = a op b` for a comparison `op`; `None` when it has no column
    /// form (an integer against a rational).
    pub(super) fn compare(&mut self, op: BinOp, dst: Reg, la: Loc<'a>, lb: Loc<'a>) -> Option<()> {
        let d = match (la, lb) {
            (Loc::I(x), Loc::I(y)) => {
                let d = self.temp_i();
                self.emit(CIns::CmpI {
                    op,
                    dst: d,
                    a: x,
                    b: y,
                });
                d
            }
            (Loc::F(x), Loc::F(y)) => {
                let (x, y) = (self.checked(x), self.checked(y));
                let d = self.temp_i();
                self.emit(CIns::CmpF {
                    op,
                    dst: d,
                    a: x,
                    b: y,
                });
                d
            }
            (Loc::F(x), Loc::I(y)) => self.compare_fi(op, x, y),
            (Loc::I(x), Loc::F(y)) => self.compare_fi(flip(op), y, x),
            (Loc::F(x), Loc::Q(q, f)) => self.compare_fq(op, x, q, f?),
            (Loc::Q(q, f), Loc::F(y)) => self.compare_fq(flip(op), y, q, f?),
            _ => return None,
        };
        self.set(dst, Loc::I(d))
    }

    fn compare_fi(&mut self, op: BinOp, x: Slot, y: Slot) -> Slot {
        if let SlotInit::Fill(n) = self.ints()[y as usize] {
            // A constant: compared as a float, exactly (a vector loop).
            return self.compare_fq(op, x, &Value::from_i64(n), n as f64);
        }
        let x = self.checked(x);
        let d = self.temp_i();
        self.emit(CIns::CmpFI {
            op,
            dst: d,
            a: x,
            b: y,
        });
        d
    }

    /// A float `x` compared with an exact `q` whose nearest float is `f`:
    /// the floats just below and above `q` make the comparison exact.
    fn compare_fq(&mut self, op: BinOp, x: Slot, q: &Value, f: f64) -> Slot {
        let x = self.checked(x);
        let (below, above) = match exact_cmp(&Value::Float(f), q) {
            Ordering::Equal => {
                let k = self.new_f(SlotInit::Fill(f), false);
                let d = self.temp_i();
                self.emit(CIns::CmpF {
                    op,
                    dst: d,
                    a: x,
                    b: k,
                });
                return d;
            }
            Ordering::Greater => (f.next_down(), f),
            Ordering::Less => (f, f.next_up()),
        };
        // No float equals q: x < q exactly when x <= below, x > q when
        // x >= above.
        let (op, k) = match op {
            BinOp::Lt | BinOp::Le => (BinOp::Le, below),
            BinOp::Gt | BinOp::Ge => (BinOp::Ge, above),
            BinOp::Eq => return self.new_i(SlotInit::Fill(0)),
            _ => return self.new_i(SlotInit::Fill(1)),
        };
        let k = self.new_f(SlotInit::Fill(k), false);
        let d = self.temp_i();
        self.emit(CIns::CmpF {
            op,
            dst: d,
            a: x,
            b: k,
        });
        d
    }
}

/// The comparison that holds of `(b, a)` when `op` holds of `(a, b)`.
fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Gt => BinOp::Lt,
        BinOp::Le => BinOp::Ge,
        BinOp::Ge => BinOp::Le,
        op => op,
    }
}
