//! Number literals: every literal is exact (`0.1` is 1/10, `1e-3` is 1/1000).

use std::f64::consts::LOG2_10;

use dashu::integer::UBig;
use dashu::rational::RBig;

use super::estimate::{check_estimate, check_value};
use super::{Fault, Limits, Value};

/// Literal text longer than this is shortened in error messages.
const SHOW_MAX: usize = 40;

/// The value of a plain integer literal of up to 18 digits (no sign, no
/// underscores): the literals that fit an `i64` without further checks.
///
/// ```
/// use exprflow::testing::value::small_int;
/// assert_eq!(small_int("007"), Some(7));
/// assert_eq!(small_int("1_000"), None);
/// assert_eq!(small_int("1234567890123456789"), None);
/// ```
pub fn small_int(text: &str) -> Option<i64> {
    (text.len() <= 18 && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0')))
}

/// Parses a number literal into an exact value.
///
/// Accepted text: digits with single underscores between digits (`1_000`),
/// an optional fraction `.digits` (the integer part may be omitted: `.5`;
/// the digits may be omitted after an integer part: `3.` is 3, as in Python),
/// and an optional exponent `[eE][+-]?digits`. The value is exact: `0.1` is
/// the rational 1/10, `2.5e3` is the integer 2500. A literal whose numerator
/// or denominator would exceed the bit limit is refused from an estimate,
/// before anything large is computed (`1e999999999999` answers at once).
/// Malformed text is a [`Fault::Domain`] error.
pub fn parse_literal(text: &str, limits: &Limits) -> Result<Value, Fault> {
    if let Some(n) = small_int(text) {
        return check_value(Value::from_i64(n), limits, || shorten(text));
    }
    let parts = split(text)
        .ok_or_else(|| Fault::Domain(format!("invalid number literal '{}'", shorten(text))))?;
    let what = || format!("the literal {}", shorten(text));

    // All mantissa digits, without underscores; value = digits * 10^(exp - frac).
    let mut digits: Vec<u8> = parts
        .int
        .bytes()
        .chain(parts.frac.bytes())
        .filter(|c| *c != b'_')
        .collect();
    let frac_len = parts.frac.bytes().filter(|c| *c != b'_').count();
    let trailing = digits.iter().rev().take_while(|c| **c == b'0').count();
    digits.truncate(digits.len() - trailing);
    let leading = digits.iter().take_while(|c| **c == b'0').count();
    let digits = &digits[leading..];
    if digits.is_empty() {
        return Ok(Value::from_i64(0)); // 0, 0.000, 0e999999999999
    }

    let exp_digits: String = parts.exp.chars().filter(|c| *c != '_').collect();
    let exp_digits = exp_digits.trim_start_matches('0');
    // log10 of the mantissa, from its leading digits and its length.
    let lead: String = digits.iter().take(17).map(|&c| char::from(c)).collect();
    let lead_f: f64 = lead.parse().unwrap_or(1.0);
    let log10_m = lead_f.log10() + (digits.len() - lead.len()) as f64;
    check_estimate(log10_m * LOG2_10, limits, what)?;

    // Exponents beyond 30 digits are refused from their magnitude alone.
    if exp_digits.len() > 30 {
        let e: f64 = exp_digits.parse().unwrap_or(f64::INFINITY);
        check_estimate(e, limits, what)?;
        return Err(Fault::TooLarge(format!(
            "{} has too large an exponent",
            what()
        )));
    }
    let exp: i128 = exp_digits.parse().unwrap_or(0);
    let exp = if parts.exp_negative { -exp } else { exp };
    let to_i128 = |n: usize| i128::try_from(n).unwrap_or(i128::MAX);
    let k = exp - to_i128(frac_len) + to_i128(trailing);

    // value = m * 10^k, m not divisible by 10
    let est = if k >= 0 {
        (log10_m + k as f64) * LOG2_10
    } else {
        // The reduced denominator is at least 2^|k| (or 5^|k|).
        -(k as f64)
    };
    check_estimate(est, limits, what)?;
    let Ok(k_abs) = usize::try_from(k.unsigned_abs()) else {
        return Err(Fault::TooLarge(format!(
            "{} has too large an exponent",
            what()
        )));
    };
    let text_digits = std::str::from_utf8(digits).unwrap_or("0");
    let m = UBig::from_str_radix(text_digits, 10).unwrap_or(UBig::ZERO);
    let ten_k = UBig::from(10u8).pow(k_abs);
    let v = if k >= 0 {
        Value::Int((m * ten_k).into())
    } else {
        Value::from_rbig(RBig::from_parts(m.into(), ten_k))
    };
    check_value(v, limits, what)
}

/// The pieces of a well-formed literal (digit groups still contain `_`).
struct Parts<'a> {
    int: &'a str,
    frac: &'a str,
    exp: &'a str,
    exp_negative: bool,
}

/// Splits a literal into its parts, or `None` when it is malformed.
fn split(text: &str) -> Option<Parts<'_>> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    let has_dot = mantissa.contains('.');
    let int_ok = digit_group(int) || (int.is_empty() && has_dot);
    // `3.` is 3, as in Python (`3.e2` too); a lone `.` is not a number.
    let frac_ok = !has_dot || digit_group(frac) || (frac.is_empty() && !int.is_empty());
    if !int_ok || !frac_ok {
        return None;
    }
    let (exp, exp_negative) = match exponent {
        None => ("", false),
        Some(e) => {
            let (negative, digits) = match e.as_bytes().first() {
                Some(b'-') => (true, &e[1..]),
                Some(b'+') => (false, &e[1..]),
                _ => (false, e),
            };
            if !digit_group(digits) {
                return None;
            }
            (digits, negative)
        }
    };
    Some(Parts {
        int,
        frac,
        exp,
        exp_negative,
    })
}

/// Whether `s` is one or more digits with single underscores between digits.
fn digit_group(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_digit()
        && b[b.len() - 1].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'_')
        && !s.contains("__")
}

fn shorten(text: &str) -> String {
    if text.len() <= SHOW_MAX {
        text.to_string()
    } else {
        let cut = (0..=SHOW_MAX)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        format!("{}... ({} characters)", &text[..cut], text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::test_support::{i, q, without_hanging};
    use dashu::integer::IBig;

    fn p(s: &str) -> Result<Value, Fault> {
        parse_literal(s, &Limits::default())
    }

    #[test]
    fn integers() {
        assert_eq!(p("0"), Ok(i(0)));
        assert_eq!(p("42"), Ok(i(42)));
        assert_eq!(p("007"), Ok(i(7)));
        assert_eq!(p("1_000_000"), Ok(i(1_000_000)));
        assert_eq!(p("9223372036854775807"), Ok(i(i64::MAX)));
        assert_eq!(
            p("9223372036854775808").unwrap().to_string(),
            "9223372036854775808"
        );
        assert_eq!(p("100"), Ok(i(100)));
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(p("0.1"), Ok(q(1, 10)));
        assert_eq!(p("3.25"), Ok(q(13, 4)));
        assert_eq!(p(".5"), Ok(q(1, 2)));
        assert_eq!(p("2.50"), Ok(q(5, 2)));
        assert_eq!(p("2.0"), Ok(i(2)));
        assert_eq!(p("0.000"), Ok(i(0)));
        assert_eq!(p("1_000.000_1"), Ok(q(10_000_001, 10_000)));
        assert_eq!(p("00.0100"), Ok(q(1, 100)));
        // As in Python, a trailing dot ends the number.
        assert_eq!(p("3."), Ok(i(3)));
        assert_eq!(p("3.e2"), Ok(i(300)));
    }

    #[test]
    fn exponents() {
        assert_eq!(p("1e3"), Ok(i(1000)));
        assert_eq!(p("1E3"), Ok(i(1000)));
        assert_eq!(p("1e+3"), Ok(i(1000)));
        assert_eq!(p("1e-3"), Ok(q(1, 1000)));
        assert_eq!(p("2.5e-3"), Ok(q(1, 400)));
        assert_eq!(p("2.5e3"), Ok(i(2500)));
        assert_eq!(p("2.5e1"), Ok(q(25, 1)));
        assert_eq!(p("25e-1"), Ok(q(5, 2)));
        assert_eq!(p("1200e-2"), Ok(i(12)));
        assert_eq!(p(".5e1"), Ok(i(5)));
        assert_eq!(p("1e0"), Ok(i(1)));
        assert_eq!(p("1e0_0_1"), Ok(i(10)));
        assert_eq!(p("0e999999999999"), Ok(i(0)));
        assert_eq!(p("0e-99999999999999999999999999999999999"), Ok(i(0)));
        assert_eq!(p("1e30").unwrap(), Value::from_ibig(IBig::from(10).pow(30)));
    }

    #[test]
    fn malformed() {
        for s in [
            "", ".", "_1", "1_", "1__0", "1._5", "1_.5", "e5", "1e", "1e+", "1e_5", "1e5_",
            "1.2.3", "1e2e3", "-1", "+1", "1 ", " 1", "0x10", "1,5", "١", "1e--5", "..5", "5..",
        ] {
            assert!(matches!(p(s), Err(Fault::Domain(_))), "{s:?}");
        }
        assert_eq!(
            p("1.2.3"),
            Err(Fault::Domain("invalid number literal '1.2.3'".into()))
        );
    }

    #[test]
    fn huge_exponents_are_refused_instantly() {
        without_hanging(|| {
            let e = p("1e999999999999").unwrap_err();
            assert_eq!(
                e.to_string(),
                "result too large: the literal 1e999999999999 needs about 3321928094884 bits, limit is 16777216"
            );
            assert!(matches!(p("1e-999999999999"), Err(Fault::TooLarge(_))));
            assert!(matches!(
                p("1e99999999999999999999999999999999999999999"),
                Err(Fault::TooLarge(_))
            ));
            assert!(matches!(
                p("1e-99999999999999999999999999999999999999999"),
                Err(Fault::TooLarge(_))
            ));
            assert!(matches!(
                p(&format!("1e{}", "9".repeat(400))),
                Err(Fault::TooLarge(_))
            ));
            assert!(matches!(p("1e100000000"), Err(Fault::TooLarge(_))));
        });
        // just inside / outside a small limit
        let l = Limits { max_bits: 64 };
        assert!(parse_literal("18446744073709551615", &l).is_ok()); // 2^64 - 1
        assert!(matches!(
            parse_literal("18446744073709551616", &l),
            Err(Fault::TooLarge(_))
        ));
        assert!(parse_literal("1e19", &l).is_ok());
        assert!(matches!(parse_literal("1e20", &l), Err(Fault::TooLarge(_))));
        assert!(parse_literal("1e-19", &l).is_ok());
        assert!(matches!(
            parse_literal("1e-20", &l),
            Err(Fault::TooLarge(_))
        ));
    }

    #[test]
    /// Their speed is measured by `benches/workloads.rs`, not asserted here.
    fn huge_literals_parse_exactly() {
        let digits = "7".repeat(100_000);
        let v = p(&digits).unwrap();
        assert_eq!(v.to_string(), digits);
        let with_fraction = format!("{}.{}", "1".repeat(50_000), "3".repeat(50_000));
        assert!(matches!(p(&with_fraction), Ok(Value::Rat(_))));
        let e = p(&"9".repeat(6_000_000)).unwrap_err();
        assert!(e.to_string().contains(
            "the literal 9999999999999999999999999999999999999999... (6000000 characters)"
        ));
    }
}
