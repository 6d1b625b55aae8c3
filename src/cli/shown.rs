//! How a value is shown: in full up to [`MAX_DIGITS`] digits, past that as
//! a one-line summary (digit count, head and tail) that cannot be mistaken
//! for a number; and writing a long text in pieces so that Ctrl-C can stop
//! it.

use std::io::Write;

use crate::Value;

/// Most digits a number is printed with by default: Python's limit for
/// converting an `int` to a string (`sys.get_int_max_str_digits()`).
pub const MAX_DIGITS: usize = 4_300;

/// Digits kept at each end of a summarised number.
const ENDS: usize = 20;

/// Whether values are printed whole or summarised past [`MAX_DIGITS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Digits {
    /// A summary past [`MAX_DIGITS`] digits (the default).
    Summarised,
    /// Every digit (`--full`, `:full`).
    Full,
}

/// `value` as printed: in full, or past [`MAX_DIGITS`] digits a summary
/// such as `<integer of 4,771,213 digits: 12162774841971243497…
/// 38530640808401120001 (a summary: --full prints every digit)>`.
/// `how_full` names the way to get every digit (`--full`, `:full`).
pub fn shown(value: &Value, digits: Digits, how_full: &str) -> String {
    match (digits, value) {
        (Digits::Full, _) => value.to_string(),
        (Digits::Summarised, Value::Int(n)) if n.bit_len() > SURELY_SHORT_BITS => {
            integer_summary(n, how_full)
        }
        (Digits::Summarised, _) => summarised(value.to_string(), how_full),
    }
}

/// Whether `value` certainly prints with at most [`MAX_DIGITS`] digits, so
/// it can be written as it is, without a `String` of its own (a float, or
/// an integer of at most [`SURELY_SHORT_BITS`] bits: most lines of a big
/// batch).
pub fn surely_short(value: &Value) -> bool {
    match value {
        Value::Float(_) => true,
        Value::Int(n) => n.bit_len() <= SURELY_SHORT_BITS,
        Value::Rat(_) => false,
    }
}

/// Integers of at most this many bits have at most [`MAX_DIGITS`] digits
/// (`2^14283 < 10^4300`): printing them is cheap, and then counted.
const SURELY_SHORT_BITS: u64 = 14_283;

/// The summary of a big integer without its decimal expansion (which
/// takes seconds for millions of digits): one power of ten and one
/// division give the digit count and the head, a remainder the tail.
fn integer_summary(n: &crate::value::Int, how_full: &str) -> String {
    use dashu::base::UnsignedAbs;
    use dashu::integer::UBig;
    let big = n.to_ibig();
    let sign = if n.is_negative() { "-" } else { "" };
    let magnitude: UBig = big.unsigned_abs();
    // |n| has `at_least` or `at_least + 1` digits (the estimate from the
    // bit length); cut a little below, so the quotient keeps more than
    // ENDS digits whatever the float rounding did.
    let at_least = ((n.bit_len() - 1) as f64 * std::f64::consts::LOG10_2).floor() as usize + 1;
    let cut = at_least.saturating_sub(ENDS + 2);
    let head = (&magnitude / UBig::from(10u8).pow(cut)).to_string();
    let digits = cut + head.len();
    if digits <= MAX_DIGITS {
        return n.to_string();
    }
    let tail = (&magnitude % UBig::from(10u8).pow(ENDS)).to_string();
    format!(
        "<integer of {} digits: {sign}{}…{tail:0>width$} (a summary: {how_full} prints every digit)>",
        thousands(digits as u64),
        &head[..ENDS.min(head.len())],
        width = ENDS
    )
}

/// `text` (a printed number) itself, or its summary when it has more than
/// [`MAX_DIGITS`] digits.
pub fn summarised(text: String, how_full: &str) -> String {
    let count = |part: &str| part.bytes().filter(u8::is_ascii_digit).count();
    if count(&text) <= MAX_DIGITS {
        return text;
    }
    let (what, body) = match text.split_once('/') {
        Some((p, q)) => {
            let (np, nq) = (count(p), count(q));
            (
                format!(
                    "rational of {}/{} digits",
                    thousands(np as u64),
                    thousands(nq as u64)
                ),
                format!("{} / {}", ends(p), ends(q)),
            )
        }
        None if text.contains('.') => (
            format!("decimal of {} digits", thousands(count(&text) as u64)),
            ends(&text),
        ),
        None => (
            format!("integer of {} digits", thousands(count(&text) as u64)),
            ends(&text),
        ),
    };
    format!("<{what}: {body} (a summary: {how_full} prints every digit)>")
}

/// A number's first and last [`ENDS`] digits around `…` (the sign and a
/// decimal point stay where they are); a short one whole.
fn ends(number: &str) -> String {
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    if digits <= 2 * ENDS + 8 {
        return number.to_string();
    }
    // Every character of a printed number is ASCII: byte offsets are
    // character offsets.
    let head_end = nth_digit_end(number, ENDS);
    let tail_start = number.len() - nth_digit_end_from_back(number, ENDS);
    format!("{}…{}", &number[..head_end], &number[tail_start..])
}

/// The byte offset just past the `n`th digit of `text`.
fn nth_digit_end(text: &str, n: usize) -> usize {
    let mut seen = 0;
    for (i, b) in text.bytes().enumerate() {
        if b.is_ascii_digit() {
            seen += 1;
            if seen == n {
                return i + 1;
            }
        }
    }
    text.len()
}

/// How many bytes from the end the `n`th digit from the back starts.
fn nth_digit_end_from_back(text: &str, n: usize) -> usize {
    let mut seen = 0;
    for (i, b) in text.bytes().rev().enumerate() {
        if b.is_ascii_digit() {
            seen += 1;
            if seen == n {
                return i + 1;
            }
        }
    }
    text.len()
}

/// `4771213` as `4,771,213`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Writes `text` in pieces, stopping between two pieces once `stopped()`
/// says so (Ctrl-C). Returns whether it wrote everything.
pub fn write_stoppable(
    out: &mut dyn Write,
    text: &str,
    stopped: &mut dyn FnMut() -> bool,
) -> std::io::Result<bool> {
    /// Bytes per piece: small enough that a terminal shows them in a
    /// moment, so Ctrl-C stops the output at once.
    const PIECE: usize = 16 * 1024;
    for piece in text.as_bytes().chunks(PIECE) {
        if text.len() > PIECE && stopped() {
            return Ok(false);
        }
        out.write_all(piece)?;
        if text.len() > PIECE {
            out.flush()?;
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers_are_printed_whole() {
        let text = "7".repeat(MAX_DIGITS);
        assert_eq!(summarised(text.clone(), "--full"), text);
        assert_eq!(summarised("-1/3".to_string(), "--full"), "-1/3");
    }

    #[test]
    fn long_numbers_are_summarised_unmistakably() {
        let text = format!("-1{}9", "0".repeat(MAX_DIGITS));
        assert_eq!(
            summarised(text, "--full"),
            "<integer of 4,302 digits: -10000000000000000000…00000000000000000009 \
             (a summary: --full prints every digit)>"
        );
        let text = format!("1{}/3", "2".repeat(MAX_DIGITS));
        assert_eq!(
            summarised(text, ":full"),
            "<rational of 4,301/1 digits: 12222222222222222222…22222222222222222222 / 3 \
             (a summary: :full prints every digit)>"
        );
        let text = format!("0.{}5", "0".repeat(MAX_DIGITS));
        assert!(summarised(text, "--full").starts_with("<decimal of 4,302 digits: 0.0000"));
    }

    #[test]
    fn big_integers_are_summarised_from_their_bits() {
        use crate::value::Int;
        for text in [
            format!("1{}", "0".repeat(MAX_DIGITS)),
            format!("-9{}", "9".repeat(MAX_DIGITS + 7)),
            format!("1234{}5678", "0".repeat(MAX_DIGITS * 3)),
            "9".repeat(MAX_DIGITS),
        ] {
            let n = Int::from(dashu::integer::IBig::from_str_radix(&text, 10).expect("an integer"));
            let value = Value::Int(n);
            assert_eq!(
                shown(&value, Digits::Summarised, "--full"),
                summarised(text.clone(), "--full"),
                "{text}"
            );
            assert_eq!(shown(&value, Digits::Full, "--full"), text);
        }
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4_771_213), "4,771,213");
    }
}
