//! Decimal digits of big integers: divide and conquer over cached powers of
//! ten, the two halves of each big split on two workers.
//!
//! dashu's own `Display` already splits by powers of ten, but one chunk
//! after another on one thread, and its split points leave uneven halves.
//! Here the number of digits `D` is bounded first, and the digits are laid
//! out as `2^t` equal chunks of `2k` digits (`2k·2^t ≥ D`, `k` between
//! [`Plan::base_min`] and twice that), so every split at level `i` divides
//! by the same power `10^(k·2^i)`, computed once by repeated squaring, and
//! the halves are the same size: the quotient fills the upper half of the
//! output slice, the remainder the lower half, each with leading zeros.
//! Halves of at least [`Plan::parallel_digits`] digits run under
//! `rayon::join` (the current pool when called on a worker, else rayon's
//! global pool). Each division is dashu's, so the result is exact; the
//! property tests compare it with dashu's `to_string`.

use std::fmt;

use dashu::base::{BitTest, DivRem, Signed, UnsignedAbs};
use dashu::integer::{IBig, UBig};

/// Sizes that steer the conversion.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    /// Numbers of fewer bits go straight to dashu's `to_string`.
    pub direct_bits: usize,
    /// The smallest chunk half `k`, in digits; chunks of `2k` digits are
    /// converted by dashu.
    pub base_min: usize,
    /// Splits whose halves have at least this many digits run in parallel.
    pub parallel_digits: usize,
}

impl Plan {
    /// The sizes used for output: direct below about 20,000 digits, chunks
    /// of 4,000 to 8,000 digits, halves of 20,000 digits or more in
    /// parallel.
    pub(crate) const OUTPUT: Plan = Plan {
        direct_bits: 1 << 16,
        base_min: 2_000,
        parallel_digits: 20_000,
    };
}

/// The decimal digits of `n` (no sign; `"0"` for zero).
pub(crate) fn decimal(n: &UBig) -> String {
    decimal_with(n, Plan::OUTPUT)
}

/// Shows a dashu integer in decimal, the big ones through [`decimal`]:
/// `Decimal(&n).to_string()` is `n.to_string()`, sign, width and fill
/// included.
pub(crate) struct Decimal<'a, T>(pub &'a T);

impl fmt::Display for Decimal<'_, IBig> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.bit_len() < Plan::OUTPUT.direct_bits {
            return fmt::Display::fmt(self.0, f);
        }
        f.pad_integral(!self.0.is_negative(), "", &decimal(&self.0.unsigned_abs()))
    }
}

impl fmt::Display for Decimal<'_, UBig> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.bit_len() < Plan::OUTPUT.direct_bits {
            return fmt::Display::fmt(self.0, f);
        }
        f.pad_integral(true, "", &decimal(self.0))
    }
}

/// [`decimal`] with the sizes of `plan` (the tests use small ones).
pub(crate) fn decimal_with(n: &UBig, plan: Plan) -> String {
    if n.bit_len() < plan.direct_bits.max(64) {
        return n.to_string();
    }
    let layout = Layout::new(n.bit_len(), plan.base_min.max(1));
    let powers = layout.powers();
    let mut out = vec![b'0'; layout.width()];
    let split = Split {
        k: layout.k,
        powers: &powers,
        parallel_digits: plan.parallel_digits,
    };
    split.fill(n.clone(), layout.levels, &mut out);
    let first = out.iter().position(|&d| d != b'0').unwrap_or(out.len() - 1);
    out.drain(..first);
    // Every byte is an ASCII digit: written by dashu's `to_string` or the
    // `b'0'` padding.
    String::from_utf8(out).unwrap_or_default()
}

/// How the digits are laid out: `2^levels` chunks of `2k` digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    k: usize,
    levels: usize,
}

impl Layout {
    /// The layout for a number of `bits` bits, with `k` between `base_min`
    /// and `2·base_min` (or smaller when the number is).
    fn new(bits: usize, base_min: usize) -> Layout {
        // n < 2^bits ≤ 10^digits: bits·log10(2) rounded up, plus one digit of
        // margin against rounding in the float product.
        let digits = (bits as f64 * std::f64::consts::LOG10_2).ceil() as usize + 1;
        let mut levels = 0;
        while digits.div_ceil(2 << levels) >= 2 * base_min {
            levels += 1;
        }
        Layout {
            k: digits.div_ceil(2 << levels),
            levels,
        }
    }

    /// Digits in all: `2k·2^levels`.
    fn width(self) -> usize {
        (2 * self.k) << self.levels
    }

    /// `powers[i] = 10^(k·2^i)` for `i` in `0..=levels`.
    fn powers(self) -> Vec<UBig> {
        let mut powers = Vec::with_capacity(self.levels + 1);
        let mut p = UBig::from(10u8).pow(self.k);
        for _ in 0..self.levels {
            let next = p.sqr();
            powers.push(p);
            p = next;
        }
        powers.push(p);
        powers
    }
}

/// One conversion's shared state.
struct Split<'a> {
    k: usize,
    powers: &'a [UBig],
    parallel_digits: usize,
}

impl Split<'_> {
    /// Writes `x` into `out` (`2k·2^level` digits, `x < 10^out.len()`),
    /// with leading zeros. The recursion depth is `level`, the logarithm of
    /// the number's size (never more than about 40), not user-controlled
    /// nesting.
    fn fill(&self, x: UBig, level: usize, out: &mut [u8]) {
        if level == 0 {
            let text = x.to_string();
            // `x < 10^out.len()`, so its digits fit; the copy below panics
            // rather than write a wrong digit if that were ever broken.
            let pad = out.len().saturating_sub(text.len());
            out[pad..].copy_from_slice(text.as_bytes());
            return;
        }
        let half = self.k << level;
        let (q, r) = if x.is_zero() {
            (UBig::ZERO, UBig::ZERO)
        } else {
            x.div_rem(&self.powers[level])
        };
        let (upper, lower) = out.split_at_mut(out.len() - half);
        if half >= self.parallel_digits {
            rayon::join(
                || self.fill(q, level - 1, upper),
                || self.fill(r, level - 1, lower),
            );
        } else {
            self.fill(q, level - 1, upper);
            self.fill(r, level - 1, lower);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Small sizes, so that numbers of a few hundred digits go through
    /// several levels of splits, sequential and parallel.
    const SMALL: Plan = Plan {
        direct_bits: 0,
        base_min: 3,
        parallel_digits: 24,
    };

    #[test]
    fn layout_covers_every_digit() {
        for bits in [1usize, 64, 65, 1000, 1 << 16, 1_516_705, 10_000_000] {
            for base_min in [1usize, 3, 2_000] {
                let l = Layout::new(bits, base_min);
                let digits = (bits as f64 * std::f64::consts::LOG10_2).ceil() as usize;
                assert!(l.width() >= digits, "{bits} {base_min}: {l:?}");
                assert!(l.k < 2 * base_min || l.levels == 0, "{l:?}");
            }
        }
        // 100000! has 1,516,705 bits and 456,574 digits: 2^6 chunks of
        // about 7,100 digits, under 1% of padding.
        let l = Layout::new(1_516_705, 2_000);
        assert_eq!(l.levels, 6);
        assert!(l.width() < 456_574 + 1000, "{l:?}");
    }

    #[test]
    fn edges_of_powers_of_ten() {
        for e in [1usize, 18, 19, 20, 63, 64, 100, 1000, 5000] {
            let p = UBig::from(10u8).pow(e);
            for x in [
                &p - UBig::ONE,
                p.clone(),
                &p + UBig::ONE,
                &p * &p - UBig::ONE,
            ] {
                assert_eq!(decimal_with(&x, SMALL), x.to_string());
            }
        }
        assert_eq!(decimal_with(&UBig::ZERO, SMALL), "0");
        assert_eq!(decimal_with(&UBig::ONE, SMALL), "1");
    }

    #[test]
    fn factorial_with_the_output_plan() {
        // 3000! (9,131 digits, 27,000 trailing zeros' worth of splits
        // landing on zero remainders) with output-sized chunks forced.
        let f = (1u32..=3000).fold(UBig::ONE, |acc, i| acc * UBig::from(i));
        let plan = Plan {
            direct_bits: 0,
            ..Plan::OUTPUT
        };
        assert_eq!(decimal_with(&f, plan), f.to_string());
        let plan = Plan {
            direct_bits: 0,
            base_min: 50,
            parallel_digits: 500,
        };
        assert_eq!(decimal_with(&f, plan), f.to_string());
    }

    proptest! {
        #[test]
        fn same_digits_as_dashu(
            bytes in prop::collection::vec(any::<u8>(), 0..320),
            zeros in 0usize..200,
            base_min in 1usize..40,
            parallel_digits in 1usize..400,
        ) {
            // Random words, then times 10^zeros: long runs of zero digits
            // inside and at the end, as in factorials.
            let x = UBig::from_le_bytes(&bytes) * UBig::from(10u8).pow(zeros);
            let plan = Plan { direct_bits: 0, base_min, parallel_digits };
            prop_assert_eq!(decimal_with(&x, plan), x.to_string());
        }

        #[test]
        fn same_digits_around_powers_of_ten(e in 1usize..600, delta in -3i32..=3, base_min in 1usize..20) {
            let p = UBig::from(10u8).pow(e);
            let x = if delta < 0 { &p - UBig::from(delta.unsigned_abs()) } else { &p + UBig::from(delta as u32) };
            let plan = Plan { direct_bits: 0, base_min, parallel_digits: 50 };
            prop_assert_eq!(decimal_with(&x, plan), x.to_string());
        }
    }
}
