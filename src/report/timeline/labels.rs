//! Helpers of the timeline: bar colours and labels, hover titles, lane
//! busy time, axis ticks and number formatting.

use std::fmt::Write;
use std::time::Duration;

use super::super::text::{format_duration, op_name, outcome_preview, shorten_text, source_of};
use super::super::{Lane, NodeEvent, Trace};
use super::pack::Bar;
use super::*;
use crate::dag::{Dag, Op};
use crate::value::Builtin;

/// The category colours and name of an event.
pub(super) fn category_of(
    dag: &Dag,
    e: &NodeEvent,
) -> ((&'static str, &'static str), &'static str) {
    let ok = e.ok;
    match (&dag.node(e.node).op, ok) {
        (_, false) => (ERROR, "error"),
        (Op::Call(Builtin::Delay), _) => (DELAY, "delay"),
        (Op::Call(Builtin::Busy), _) => (BUSY, "busy"),
        _ => (COMPUTE, "compute"),
    }
}

/// Width of a bar label in pixels (10 px DejaVu Sans, a little generous).
pub(super) fn label_width(text: &str) -> f64 {
    text.chars().count() as f64 * 6.2
}

/// The label of a bar and where it goes: inside the bar when it fits,
/// else just right of it, else just left of it (within the free `room`
/// of its row), trying the longer texts first. Returns the text, its x,
/// its anchor and its colour.
pub(super) fn place_label(
    dag: &Dag,
    e: &NodeEvent,
    source: &str,
    (x0, x1): (f64, f64),
    (before, after): (f64, f64),
    ink: &'static str,
) -> Option<(String, f64, &'static str, &'static str)> {
    const OUTSIDE: &str = "#3e4c59";
    for label in bar_labels(dag, e, source) {
        let w = label_width(&label);
        if w + 8.0 <= x1 - x0 {
            return Some((label, x0 + 4.0, "start", ink));
        }
        if x1 + 4.0 + w <= after - 3.0 {
            return Some((label, x1 + 4.0, "start", OUTSIDE));
        }
        if x0 - 4.0 - w >= before + 3.0 {
            return Some((label, x0 - 4.0, "end", OUTSIDE));
        }
    }
    None
}

/// Texts for a bar, most informative first: `delay(3,100) = 3`, `+ = 10`, `+`.
pub(super) fn bar_labels(dag: &Dag, e: &NodeEvent, source: &str) -> Vec<String> {
    let name = op_name(dag, e.node);
    let text = source_of(dag, e.node, source, 40);
    let mut labels = Vec::with_capacity(3);
    match dag.result(e.node).as_deref() {
        Some(Ok(_)) => {
            let value = outcome_preview(dag.result(e.node).as_deref(), 14).unwrap_or_default();
            if matches!(dag.node(e.node).op, Op::Call(_)) && !text.is_empty() && text.len() <= 24 {
                labels.push(format!("{text} = {value}"));
            }
            labels.push(format!("{name} = {value}"));
        }
        Some(Err(err)) => labels.push(format!("{name}: {}", err.kind.words())),
        None => {}
    }
    labels.push(name);
    labels
}

/// The hover text of a bar.
pub(super) fn bar_title(
    dag: &Dag,
    e: &NodeEvent,
    bar: &Bar,
    source: &str,
    lane: &str,
    critical: bool,
) -> String {
    let mut title = String::new();
    if bar.merged > 1 {
        let _ = writeln!(
            title,
            "{} nodes drawn as one bar ({} → {}), the first:",
            bar.merged,
            format_duration(e.start),
            format_duration(bar.end)
        );
    }
    let text = source_of(dag, e.node, source, 200);
    let _ = writeln!(
        title,
        "{}{}",
        op_name(dag, e.node),
        if text.is_empty() {
            String::new()
        } else {
            format!("   {text}")
        }
    );
    match dag.result(e.node).as_deref() {
        Some(Ok(_)) => {
            let _ = writeln!(
                title,
                "value: {}",
                outcome_preview(dag.result(e.node).as_deref(), 60).unwrap_or_default()
            );
        }
        Some(Err(err)) => {
            let _ = writeln!(title, "{}", shorten_text(&err.message(), 200));
        }
        None if !e.ok => {
            let _ = writeln!(title, "failed (cancelled or timed out)");
        }
        None => {}
    }
    let _ = write!(
        title,
        "{} on {lane}, {} → {}",
        format_duration(e.duration()),
        format_duration(e.start),
        format_duration(e.end)
    );
    if critical {
        title.push_str("\non the critical path");
    }
    title
}

/// Time the lane was occupied (the union of its events).
pub(super) fn busy_time(trace: &Trace, lane: Lane) -> Duration {
    let mut total = Duration::ZERO;
    let mut current: Option<(Duration, Duration)> = None;
    for e in trace.events.iter().filter(|e| e.lane == lane) {
        match current {
            Some((s, end)) if e.start <= end => current = Some((s, end.max(e.end))),
            Some((s, end)) => {
                total += end - s;
                current = Some((e.start, e.end));
            }
            None => current = Some((e.start, e.end)),
        }
    }
    if let Some((s, end)) = current {
        total += end.saturating_sub(s);
    }
    total
}

/// A tick step of 1, 2 or 5 times a power of ten giving 5 to 10 ticks, and
/// the unit to write tick labels in (with its length in seconds).
pub(super) fn tick_step(wall: Duration) -> (Duration, &'static str, f64) {
    let total = wall.as_secs_f64().max(1e-9);
    let raw = total / 8.0;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power);
    let (unit, per_unit) = if total >= 2.0 {
        ("s", 1.0)
    } else if total >= 2e-3 {
        ("ms", 1e-3)
    } else {
        ("µs", 1e-6)
    };
    let step = Duration::from_secs_f64(step).max(Duration::from_nanos(1));
    (step, unit, per_unit)
}

/// A tick value without needless decimals.
pub(super) fn trim_float(x: f64) -> String {
    let text = format!("{x:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A pixel coordinate with two decimals at most.
pub(super) fn fmt_px(x: f64) -> String {
    trim_float_2(x)
}

pub(super) fn trim_float_2(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A ratio fit to print (0 for an infinity).
pub(super) fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_steps_are_round() {
        let (step, unit, _) = tick_step(Duration::from_millis(312));
        assert_eq!((step, unit), (Duration::from_millis(50), "ms"));
        let (step, unit, _) = tick_step(Duration::from_micros(800));
        assert_eq!((step, unit), (Duration::from_micros(100), "µs"));
        let (step, unit, _) = tick_step(Duration::from_secs(3));
        assert_eq!((step, unit), (Duration::from_millis(500), "s"));
    }

    #[test]
    fn pixel_numbers_are_short() {
        assert_eq!(fmt_px(12.0), "12");
        assert_eq!(fmt_px(12.345), "12.35");
        assert_eq!(trim_float(0.25), "0.25");
    }
}
