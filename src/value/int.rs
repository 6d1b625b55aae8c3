//! `Int`: an exact integer with a small-integer fast path.

use std::cmp::Ordering;
use std::fmt;

use dashu::base::{BitTest, DivRem, Signed, UnsignedAbs};
use dashu::integer::{IBig, UBig};

/// An exact integer of any size.
///
/// Values that fit in an `i64` are stored inline, so arithmetic on small
/// integers never allocates; larger values use a `dashu` big integer. The
/// representation is always normalised (the big form is used only when the
/// value does not fit in an `i64`), so derived equality and hashing are exact.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Int(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Small(i64),
    Big(IBig),
}

impl Int {
    /// Zero.
    pub const ZERO: Int = Int(Repr::Small(0));
    /// One.
    pub const ONE: Int = Int(Repr::Small(1));

    /// The value as an `i64`, if it fits.
    pub fn to_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Small(n) => Some(*n),
            Repr::Big(_) => None,
        }
    }

    /// The value as a `u64`, if it is non-negative and fits.
    pub fn to_u64(&self) -> Option<u64> {
        match &self.0 {
            Repr::Small(n) => u64::try_from(*n).ok(),
            Repr::Big(b) => u64::try_from(b).ok(),
        }
    }

    /// The value as a `dashu` big integer.
    pub fn to_ibig(&self) -> IBig {
        match &self.0 {
            Repr::Small(n) => IBig::from(*n),
            Repr::Big(b) => b.clone(),
        }
    }

    /// Converts into a `dashu` big integer.
    pub fn into_ibig(self) -> IBig {
        match self.0 {
            Repr::Small(n) => IBig::from(n),
            Repr::Big(b) => b,
        }
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Small(0))
    }

    /// Whether the value is one.
    pub fn is_one(&self) -> bool {
        matches!(self.0, Repr::Small(1))
    }

    /// Whether the value is negative.
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small(n) => *n < 0,
            Repr::Big(b) => b.is_negative(),
        }
    }

    /// Whether the value is even.
    pub fn is_even(&self) -> bool {
        match &self.0 {
            Repr::Small(n) => n % 2 == 0,
            Repr::Big(b) => !b.bit(0),
        }
    }

    /// The number of bits of the absolute value (0 for zero).
    pub fn bit_len(&self) -> u64 {
        match &self.0 {
            Repr::Small(n) => u64::from(u64::BITS - n.unsigned_abs().leading_zeros()),
            Repr::Big(b) => usize_to_u64(b.bit_len()),
        }
    }

    /// `log2(|self|)` as a float (`-inf` for zero); accurate to about 1e-15
    /// relative, whatever the size of the integer.
    pub fn log2_abs(&self) -> f64 {
        match &self.0 {
            Repr::Small(n) => (n.unsigned_abs() as f64).log2(),
            Repr::Big(b) => log2_ubig(&b.unsigned_abs()),
        }
    }

    /// The nearest float; may be infinite when the value is beyond `f64`.
    pub fn to_f64_lossy(&self) -> f64 {
        match &self.0 {
            Repr::Small(n) => *n as f64,
            Repr::Big(b) => b.to_f64().value(),
        }
    }

    /// `-self`.
    pub fn neg(&self) -> Int {
        match &self.0 {
            Repr::Small(n) => match n.checked_neg() {
                Some(m) => Int(Repr::Small(m)),
                None => Int::from(-IBig::from(*n)),
            },
            Repr::Big(b) => Int::from(-b),
        }
    }

    /// `|self|`.
    pub fn abs(&self) -> Int {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Int) -> Int {
        if let (Repr::Small(a), Repr::Small(b)) = (&self.0, &other.0)
            && let Some(c) = a.checked_add(*b)
        {
            return Int(Repr::Small(c));
        }
        self.with_big(other, |a, b| a + b)
    }

    /// `self - other`.
    pub fn sub(&self, other: &Int) -> Int {
        if let (Repr::Small(a), Repr::Small(b)) = (&self.0, &other.0)
            && let Some(c) = a.checked_sub(*b)
        {
            return Int(Repr::Small(c));
        }
        self.with_big(other, |a, b| a - b)
    }

    /// `self * other`. The caller is responsible for size limits.
    pub fn mul(&self, other: &Int) -> Int {
        if let (Repr::Small(a), Repr::Small(b)) = (&self.0, &other.0)
            && let Some(c) = a.checked_mul(*b)
        {
            return Int(Repr::Small(c));
        }
        if let (Repr::Small(a), Repr::Small(b)) = (&self.0, &other.0) {
            // Two i64s: the product fits an i128 exactly.
            return Int::from(IBig::from(i128::from(*a) * i128::from(*b)));
        }
        self.with_big(other, |a, b| a * b)
    }

    /// `op` of the two as dashu integers, borrowing the big ones (a product
    /// of two huge values never copies them first).
    fn with_big(&self, other: &Int, op: impl FnOnce(&IBig, &IBig) -> IBig) -> Int {
        let (small_x, small_y);
        let x = match &self.0 {
            Repr::Big(b) => b,
            Repr::Small(n) => {
                small_x = IBig::from(*n);
                &small_x
            }
        };
        let y = match &other.0 {
            Repr::Big(b) => b,
            Repr::Small(n) => {
                small_y = IBig::from(*n);
                &small_y
            }
        };
        Int::from(op(x, y))
    }

    /// Floor division with remainder: `(q, r)` with `q = floor(self / other)`
    /// and `r = self - q * other` (so `r` has the sign of `other`).
    /// Returns `None` when `other` is zero.
    pub fn floor_div_rem(&self, other: &Int) -> Option<(Int, Int)> {
        if other.is_zero() {
            return None;
        }
        if let (Repr::Small(a), Repr::Small(b)) = (&self.0, &other.0)
            && let (Some(q), Some(r)) = (a.checked_div(*b), a.checked_rem(*b))
        {
            // Truncating division; adjust towards negative infinity.
            return Some(if r != 0 && ((r < 0) != (*b < 0)) {
                // q - 1 cannot overflow: |q| <= |a| / 2 here because |b| >= 2.
                (Int(Repr::Small(q - 1)), Int(Repr::Small(r + b)))
            } else {
                (Int(Repr::Small(q)), Int(Repr::Small(r)))
            });
        }
        let (a, b) = (self.to_ibig(), other.to_ibig());
        let (q, r) = (&a).div_rem(&b);
        Some(if !r.is_zero() && (r.is_negative() != b.is_negative()) {
            (Int::from(q - 1), Int::from(r + b))
        } else {
            (Int::from(q), Int::from(r))
        })
    }

    /// `self` to the power `exp`. The caller is responsible for size limits.
    pub fn pow(&self, exp: usize) -> Int {
        if let Repr::Small(a) = &self.0
            && let Ok(e) = u32::try_from(exp)
            && let Some(c) = a.checked_pow(e)
        {
            return Int(Repr::Small(c));
        }
        Int::from(self.to_ibig().pow(exp))
    }
}

/// Converts a `usize` to a `u64` (saturating; lossless on every supported platform).
pub(crate) fn usize_to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// `log2(x)` of a big unsigned integer, accurate to about 1e-15 relative.
/// `-inf` for zero.
pub(crate) fn log2_ubig(x: &UBig) -> f64 {
    let len = x.bit_len();
    if len <= 1000 {
        return x.to_f64().value().log2();
    }
    // Keep the top 64 bits: x = top * 2^shift, with top in [2^63, 2^64).
    let shift = len - 64;
    let top = x >> shift;
    let top = u64::try_from(&top).unwrap_or(u64::MAX) as f64;
    top.log2() + usize_to_u64(shift) as f64
}

impl From<i64> for Int {
    fn from(n: i64) -> Int {
        Int(Repr::Small(n))
    }
}

impl From<u64> for Int {
    fn from(n: u64) -> Int {
        match i64::try_from(n) {
            Ok(m) => Int(Repr::Small(m)),
            Err(_) => Int(Repr::Big(IBig::from(n))),
        }
    }
}

impl From<IBig> for Int {
    fn from(n: IBig) -> Int {
        match i64::try_from(&n) {
            Ok(m) => Int(Repr::Small(m)),
            Err(_) => Int(Repr::Big(n)),
        }
    }
}

impl From<UBig> for Int {
    fn from(n: UBig) -> Int {
        Int::from(IBig::from(n))
    }
}

impl Ord for Int {
    fn cmp(&self, other: &Int) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Small(a), Repr::Small(b)) => a.cmp(b),
            // A big value is outside the i64 range, so its sign decides.
            (Repr::Small(_), Repr::Big(b)) => {
                if b.is_negative() {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (Repr::Big(a), Repr::Small(_)) => {
                if a.is_negative() {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (Repr::Big(a), Repr::Big(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Int {
    fn partial_cmp(&self, other: &Int) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Small(n) => fmt::Display::fmt(n, f),
            Repr::Big(b) => fmt::Display::fmt(&super::decimal::Decimal(b), f),
        }
    }
}

impl fmt::Debug for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(s: &str) -> Int {
        Int::from(IBig::from_str_radix(s, 10).unwrap())
    }

    #[test]
    fn normalisation() {
        assert_eq!(Int::from(IBig::from(5)), Int::from(5i64));
        assert!(matches!(Int::from(IBig::from(i64::MAX)).0, Repr::Small(_)));
        assert!(matches!(Int::from(IBig::from(i64::MIN)).0, Repr::Small(_)));
        assert!(matches!(Int::from(u64::MAX).0, Repr::Big(_)));
        assert!(matches!(Int::from(7u64).0, Repr::Small(7)));
        let x = big("9223372036854775808"); // 2^63
        assert!(matches!(x.0, Repr::Big(_)));
        assert!(matches!(x.sub(&Int::ONE).0, Repr::Small(i64::MAX)));
    }

    #[test]
    fn overflowing_small_arithmetic_goes_big() {
        let max = Int::from(i64::MAX);
        let min = Int::from(i64::MIN);
        assert_eq!(max.add(&Int::ONE), big("9223372036854775808"));
        assert_eq!(min.sub(&Int::ONE), big("-9223372036854775809"));
        assert_eq!(min.neg(), big("9223372036854775808"));
        assert_eq!(min.abs(), big("9223372036854775808"));
        assert_eq!(max.mul(&max), big("85070591730234615847396907784232501249"));
        assert_eq!(Int::from(2i64).pow(64), big("18446744073709551616"));
        assert_eq!(Int::from(-3i64).pow(3), Int::from(-27i64));
        assert_eq!(big("9223372036854775808").neg(), min);
    }

    #[test]
    fn floor_division() {
        let d = |a: i64, b: i64| {
            let (q, r) = Int::from(a).floor_div_rem(&Int::from(b)).unwrap();
            (q.to_i64().unwrap(), r.to_i64().unwrap())
        };
        assert_eq!(d(7, 2), (3, 1));
        assert_eq!(d(7, -2), (-4, -1));
        assert_eq!(d(-7, 2), (-4, 1));
        assert_eq!(d(-7, -2), (3, -1));
        assert_eq!(d(-7, 3), (-3, 2));
        assert_eq!(d(6, -3), (-2, 0));
        assert!(Int::from(1i64).floor_div_rem(&Int::ZERO).is_none());
        // i64::MIN / -1 overflows i64
        let (q, r) = Int::from(i64::MIN)
            .floor_div_rem(&Int::from(-1i64))
            .unwrap();
        assert_eq!(q, big("9223372036854775808"));
        assert!(r.is_zero());
        let (q, r) = big("-100000000000000000000")
            .floor_div_rem(&Int::from(3i64))
            .unwrap();
        assert_eq!(q, big("-33333333333333333334"));
        assert_eq!(r, Int::from(2i64));
        let (q, r) = big("100000000000000000000")
            .floor_div_rem(&Int::from(-3i64))
            .unwrap();
        assert_eq!(q, big("-33333333333333333334"));
        assert_eq!(r, Int::from(-2i64));
    }

    #[test]
    fn ordering() {
        let huge = big("100000000000000000000");
        let neg_huge = huge.neg();
        assert!(Int::from(i64::MAX) < huge);
        assert!(Int::from(i64::MIN) > neg_huge);
        assert!(neg_huge < huge);
        assert!(huge > Int::from(5i64));
        assert!(Int::from(-1i64) < Int::ZERO);
    }

    #[test]
    fn queries() {
        assert!(Int::ZERO.is_zero());
        assert!(Int::ONE.is_one());
        assert!(Int::from(-4i64).is_even());
        assert!(!Int::from(-3i64).is_even());
        assert!(big("100000000000000000000").is_even());
        assert!(!big("100000000000000000001").is_even());
        assert_eq!(Int::from(5i64).to_u64(), Some(5));
        assert_eq!(Int::from(-5i64).to_u64(), None);
        assert_eq!(Int::from(u64::MAX).to_u64(), Some(u64::MAX));
        assert_eq!(big("18446744073709551616").to_u64(), None);
        assert_eq!(big("100000000000000000000").bit_len(), 67);
        assert_eq!(Int::from(1i64).bit_len(), 1);
        assert_eq!(Int::from(-8i64).log2_abs(), 3.0);
        let x = Int::from(IBig::from(3).pow(5000));
        let expect = 5000.0 * 3f64.log2();
        assert!((x.log2_abs() - expect).abs() < 1e-9);
        assert_eq!(x.to_f64_lossy(), f64::INFINITY);
        assert_eq!(Int::from(-5i64).to_f64_lossy(), -5.0);
        assert_eq!(format!("{:?}", Int::from(-5i64)), "-5");
        assert_eq!(
            big("-100000000000000000000").to_string(),
            "-100000000000000000000"
        );
        assert_eq!(Int::from(9i64).into_ibig(), IBig::from(9));
    }
}
