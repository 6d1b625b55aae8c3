//! `Rat`: an exact rational that is not an integer.

use std::fmt;

use dashu::base::BitTest;
use dashu::integer::{IBig, UBig};
use dashu::rational::RBig;

use super::Value;
use super::int::{Int, usize_to_u64};

/// An exact rational number that is not an integer, in lowest terms with a
/// positive denominator greater than one.
///
/// The invariant is enforced by construction: the only way to build one is
/// [`Value::from_rbig`] (or [`Rat::new`]), which turns integers into
/// [`Value::Int`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Rat(RBig);

impl Rat {
    /// `Some` when `q` is not an integer.
    pub fn new(q: RBig) -> Option<Rat> {
        if q.is_int() { None } else { Some(Rat(q)) }
    }

    /// The numerator (carries the sign).
    pub fn numerator(&self) -> &IBig {
        self.0.numerator()
    }

    /// The denominator (always greater than one).
    pub fn denominator(&self) -> &UBig {
        self.0.denominator()
    }

    /// The underlying `dashu` rational.
    pub fn as_rbig(&self) -> &RBig {
        &self.0
    }

    /// Converts into the underlying `dashu` rational.
    pub fn into_rbig(self) -> RBig {
        self.0
    }

    /// Whether the value is negative.
    pub fn is_negative(&self) -> bool {
        use dashu::base::Signed;
        self.0.is_negative()
    }

    /// Bits of the numerator plus bits of the denominator.
    pub fn bits(&self) -> u64 {
        let (n, d) = self.part_bits();
        n.saturating_add(d)
    }

    /// Bits of the numerator and of the denominator.
    pub fn part_bits(&self) -> (u64, u64) {
        (
            usize_to_u64(self.numerator().bit_len()),
            usize_to_u64(self.denominator().bit_len()),
        )
    }

    /// `floor(self)`.
    pub fn floor(&self) -> Int {
        Int::from(self.0.floor())
    }

    /// `ceil(self)`.
    pub fn ceil(&self) -> Int {
        Int::from(self.0.ceil())
    }
}

impl fmt::Debug for Rat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator(), self.denominator())
    }
}

/// The canonical value of an exact rational.
pub(crate) fn value_from_rbig(q: RBig) -> Value {
    if q.is_int() {
        let (n, _) = q.into_parts();
        Value::Int(Int::from(n))
    } else {
        Value::Rat(Rat(q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: u64) -> RBig {
        RBig::from_parts(IBig::from(n), UBig::from(d))
    }

    #[test]
    fn construction_normalises() {
        assert!(Rat::new(q(4, 2)).is_none());
        assert!(Rat::new(RBig::from(0)).is_none());
        let r = Rat::new(q(6, 4)).unwrap();
        assert_eq!(r.numerator(), &IBig::from(3));
        assert_eq!(r.denominator(), &UBig::from(2u8));
        assert_eq!(value_from_rbig(q(-6, 3)), Value::from_i64(-2));
        assert_eq!(
            value_from_rbig(q(-6, 4)),
            Value::Rat(Rat::new(q(-3, 2)).unwrap())
        );
        assert_eq!(format!("{:?}", Rat::new(q(-3, 2)).unwrap()), "-3/2");
    }

    #[test]
    fn rounding_and_queries() {
        let r = Rat::new(q(-7, 2)).unwrap();
        assert_eq!(r.floor(), Int::from(-4i64));
        assert_eq!(r.ceil(), Int::from(-3i64));
        assert!(r.is_negative());
        assert_eq!(r.part_bits(), (3, 2));
        assert_eq!(r.bits(), 5);
        assert_eq!(r.clone().into_rbig(), q(-7, 2));
        assert_eq!(r.as_rbig(), &q(-7, 2));
    }
}
