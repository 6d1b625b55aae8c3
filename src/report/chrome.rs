//! Chrome trace-event JSON, as Perfetto and `chrome://tracing` open it.

use std::fmt::Write;
use std::time::Duration;

use super::text::{op_name, outcome_preview, source_of};
use super::{Lane, Trace};
use crate::dag::{Dag, Op};
use crate::value::Builtin;

/// The process id all events carry.
const PID: u32 = 1;

/// `trace` as Chrome trace-event JSON (the "JSON object format"): one
/// complete event (`"ph":"X"`, `ts` and `dur` in microseconds) per
/// recorded node, with `tid` the worker that computed it, `name` its
/// operation, `cat` one of `compute`, `busy`, `delay` or `error`, and
/// `args` holding its source text (from `source`, the text the DAG's spans
/// index), a value preview and its node index. `delay` waits run on their
/// own track (`tid` = number of workers, named `timer`); metadata events
/// name the process and every track.
///
/// ```
/// let trace = exprflow::testing::report::Trace::default();
/// let dag = exprflow::testing::dag::Dag::default();
/// let json = exprflow::testing::report::chrome_json(&dag, &trace, "");
/// assert!(json.starts_with("{\"traceEvents\":["));
/// ```
pub fn chrome_json(dag: &Dag, trace: &Trace, source: &str) -> String {
    let mut out = String::with_capacity(trace.events.len() * 160 + 1024);
    out.push_str("{\"traceEvents\":[\n");
    let workers = trace.workers.max(1);
    let timer_tid = workers;
    let mut first = true;
    let mut line = |out: &mut String, text: String| {
        if !first {
            out.push_str(",\n");
        }
        first = false;
        out.push_str(&text);
    };
    line(
        &mut out,
        metadata("process_name", 0, "name", &json_string("exprflow")),
    );
    for w in 0..workers {
        let name = if trace.sequential {
            "sequential evaluator".to_string()
        } else {
            format!("worker {w}")
        };
        line(
            &mut out,
            metadata("thread_name", w, "name", &json_string(&name)),
        );
        line(
            &mut out,
            metadata("thread_sort_index", w, "sort_index", &w.to_string()),
        );
    }
    if trace.uses_timer() {
        line(
            &mut out,
            metadata("thread_name", timer_tid, "name", &json_string("timer")),
        );
        line(
            &mut out,
            metadata(
                "thread_sort_index",
                timer_tid,
                "sort_index",
                &timer_tid.to_string(),
            ),
        );
    }
    for e in &trace.events {
        if e.node.index() >= dag.len() {
            continue;
        }
        let node = dag.node(e.node);
        let result = dag.result(e.node);
        let result = result.as_deref();
        let ok = e.ok;
        let cat = match (&node.op, ok) {
            (_, false) => "error",
            (Op::Call(Builtin::Delay), _) => "delay",
            (Op::Call(Builtin::Busy), _) => "busy",
            _ => "compute",
        };
        let tid = match e.lane {
            Lane::Worker(w) => w,
            Lane::Timer => timer_tid,
        };
        let mut args = String::new();
        let _ = write!(
            args,
            "{{\"source\":{},\"node\":{},\"ok\":{}",
            json_string(&source_of(dag, e.node, source, 300)),
            e.node.index(),
            ok
        );
        match (result, ok) {
            (Some(Ok(_)), _) => {
                let value = outcome_preview(result, 48).unwrap_or_default();
                let _ = write!(args, ",\"value\":{}", json_string(&value));
            }
            (Some(Err(err)), _) => {
                let _ = write!(args, ",\"error\":{}", json_string(&err.message()));
            }
            (None, false) => {
                args.push_str(",\"error\":\"not kept (cancelled or timed out)\"");
            }
            (None, true) => {}
        }
        args.push('}');
        line(
            &mut out,
            format!(
                "{{\"name\":{},\"cat\":\"{cat}\",\"ph\":\"X\",\"ts\":{},\"dur\":{},\"pid\":{PID},\"tid\":{tid},\"args\":{args}}}",
                json_string(&op_name(dag, e.node)),
                micros(e.start),
                micros(e.duration()),
            ),
        );
    }
    let _ = write!(
        out,
        "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{{\"tool\":\"exprflow\",\"workers\":{},\"sequential\":{},\"wall_us\":{}}}}}\n",
        workers,
        trace.sequential,
        micros(trace.wall)
    );
    out
}

/// A metadata event (`"ph":"M"`) for track `tid`.
fn metadata(name: &str, tid: usize, key: &str, value: &str) -> String {
    format!(
        "{{\"name\":\"{name}\",\"ph\":\"M\",\"pid\":{PID},\"tid\":{tid},\"args\":{{\"{key}\":{value}}}}}"
    )
}

/// Microseconds with nanosecond precision, as a JSON number.
fn micros(d: Duration) -> String {
    let ns = d.as_nanos();
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_quotes_and_controls() {
        assert_eq!(json_string("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
    }

    #[test]
    fn micros_keep_nanoseconds() {
        assert_eq!(micros(Duration::from_nanos(1_234_567)), "1234.567");
        assert_eq!(micros(Duration::ZERO), "0.000");
    }
}
