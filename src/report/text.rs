//! Short texts shared by the pictures: value previews, durations, source
//! snippets and escaping.

use std::time::Duration;

use crate::dag::{Dag, NodeId, Op, Outcome};
use crate::value::Value;

/// Values above this many bits are described, not printed (printing a
/// million-digit integer only to cut it short would cost real time).
const PRINT_BITS: u64 = 4096;

/// `value` printed in at most about `max` characters: long numbers keep
/// their head and tail and say how long they are, huge ones are described.
///
/// ```
/// use exprflow::testing::report::value_preview;
/// let big = exprflow::eval("fact(30)").unwrap();
/// assert_eq!(value_preview(&big, 40), "265252859812191058636308480000000");
/// assert_eq!(value_preview(&big, 16), "26525…00000 (33 digits)");
/// ```
pub fn value_preview(value: &Value, max: usize) -> String {
    if value.bits() > PRINT_BITS {
        let digits = (value.bits() as f64 * std::f64::consts::LOG10_2).ceil() as u64;
        let kind = value.kind_name();
        return format!("{kind} of about {digits} digits");
    }
    let text = value.to_string();
    shorten_number(&text, max)
}

/// Cuts a printed number to about `max` characters.
fn shorten_number(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max.max(8) {
        return text.to_string();
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let keep = (max.max(8) / 3).max(3);
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(count - keep).collect();
    let unit = if text.contains(['/', '.', 'e']) {
        "chars"
    } else {
        "digits"
    };
    let n = if unit == "digits" { digits } else { count };
    format!("{head}…{tail} ({n} {unit})")
}

/// A node's outcome in a few words: the value preview, or the error's
/// message, or `None` when it was not computed.
pub(crate) fn outcome_preview(outcome: Option<&Outcome>, max: usize) -> Option<String> {
    match outcome? {
        Ok(value) => Some(value_preview(value, max)),
        Err(e) => Some(shorten_text(&e.message(), max.max(40))),
    }
}

/// Cuts any text to at most `max` characters, with an ellipsis.
pub(crate) fn shorten_text(text: &str, max: usize) -> String {
    // Look at no more than `max + 1` characters: spans can be megabytes.
    if text.chars().nth(max).is_none() {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// The source text a node came from, on one line, cut to `max` characters;
/// empty when the span is not in `source`.
pub(crate) fn source_of(dag: &Dag, id: NodeId, source: &str, max: usize) -> String {
    let span = dag.node(id).span();
    let text = source.get(span.start..span.end).unwrap_or("");
    // Only the first `max` characters can show; never copy a whole long span.
    let one_line: String = text
        .trim_start()
        .chars()
        .take(max.saturating_add(1))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    shorten_text(one_line.trim(), max)
}

/// The operation's name as shown on pictures: the symbol, the function's
/// name, or the constant itself.
pub(crate) fn op_name(dag: &Dag, id: NodeId) -> String {
    let node = dag.node(id);
    match &node.op {
        Op::Const => match dag.result(id).as_deref() {
            Some(Ok(v)) => value_preview(v, 16),
            _ => "const".to_string(),
        },
        Op::Unary(crate::value::UnOp::Neg) => "neg".to_string(),
        Op::Unary(crate::value::UnOp::Fact) => "!".to_string(),
        Op::UserCall(site) => call_name(
            dag,
            &site.def.name,
            node.inputs.get(..site.args).unwrap_or(&[]),
        ),
        op => op.label().to_string(),
    }
}

/// A user call as its argument values: `f(3, 1/2)` (each value shortened),
/// or just `f` while an argument is not known (or failed).
fn call_name(dag: &Dag, name: &str, args: &[NodeId]) -> String {
    let mut values = Vec::with_capacity(args.len());
    for &arg in args {
        match dag.result(arg).as_deref() {
            Some(Ok(v)) => values.push(value_preview(v, 12)),
            _ => return name.to_string(),
        }
    }
    format!("{name}({})", values.join(", "))
}

/// A duration for people: `850 ns`, `12.5 µs`, `3.25 ms`, `1.204 s`.
///
/// ```
/// use std::time::Duration;
/// use exprflow::testing::report::format_duration;
/// assert_eq!(format_duration(Duration::from_micros(3250)), "3.25 ms");
/// assert_eq!(format_duration(Duration::from_millis(1204)), "1.204 s");
/// assert_eq!(format_duration(Duration::ZERO), "0 s");
/// ```
pub fn format_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        return "0 s".to_string();
    }
    let (value, unit) = if ns < 1_000 {
        return format!("{ns} ns");
    } else if ns < 1_000_000 {
        (ns as f64 / 1e3, "µs")
    } else if ns < 1_000_000_000 {
        (ns as f64 / 1e6, "ms")
    } else {
        (ns as f64 / 1e9, "s")
    };
    format!("{} {unit}", three_significant(value))
}

/// `value` (in 1..1000) with three or four significant digits, no trailing zeros.
fn three_significant(value: f64) -> String {
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        3
    };
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Escapes text for XML character data and attribute values.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            '\u{FFFE}' | '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(format_duration(Duration::from_nanos(850)), "850 ns");
        assert_eq!(format_duration(Duration::from_nanos(12_500)), "12.5 µs");
        assert_eq!(format_duration(Duration::from_millis(200)), "200 ms");
        assert_eq!(format_duration(Duration::from_micros(1500)), "1.5 ms");
        assert_eq!(format_duration(Duration::from_micros(1234)), "1.234 ms");
        assert_eq!(format_duration(Duration::from_secs(2)), "2 s");
    }

    #[test]
    fn numbers_are_shortened_keeping_both_ends() {
        assert_eq!(shorten_number("12345", 8), "12345");
        let long = "1".repeat(50);
        let short = shorten_number(&long, 20);
        assert!(short.starts_with("111111…"), "{short}");
        assert!(short.ends_with("(50 digits)"), "{short}");
        assert!(shorten_number(&format!("-{long}"), 20).ends_with("(50 digits)"));
    }

    #[test]
    fn huge_values_are_described_not_printed() {
        let v = crate::eval("2^100000").unwrap();
        assert_eq!(value_preview(&v, 20), "integer of about 30104 digits");
    }

    #[test]
    fn xml_escaping_covers_markup_and_controls() {
        assert_eq!(
            xml_escape("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot; "
        );
    }
}
