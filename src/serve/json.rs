//! The API's JSON: a run with its statements and graph, node events, the
//! end of a run. Values are printed as the command line prints them;
//! one longer than a screen is cut to its head and tail with its length
//! (Python's limit for printing integers is 4,300 digits; a node's value
//! in an event is cut at 100 characters).

use std::fmt::Write;

use serde_json::{Value as Json, json};

use super::layout::layout;
use super::runs::{Ending, Entry, LiveRun};
use crate::{Error, Lane, Program, ProgramLine, Value};

/// The longest statement value sent whole.
const STATEMENT_VALUE: usize = 4_300;
/// The longest node value sent whole in an event.
const NODE_VALUE: usize = 100;
/// Characters of a statement shown in the list of runs.
const WINDOW: usize = 100;

/// `POST /api/runs`'s answer.
pub(super) fn created(run: &LiveRun) -> Json {
    json!({"id": run.id.to_string(), "nodes": run.program.graph().len()})
}

/// A run as `GET /api/runs/ID` shows it (the graph is made once).
pub(super) fn run(run: &LiveRun) -> String {
    let (state, wall) = {
        let log = run.log();
        (
            log.ending.map_or("running", |e| e.state.name()),
            log.ending.map(|e| e.wall.as_micros() as u64),
        )
    };
    let statements: Vec<Json> = run
        .program
        .lines()
        .iter()
        .map(|line| statement(&run.program, line))
        .collect();
    let mut head = json!({
        "id": run.id.to_string(),
        "state": state,
        "workers": run.workers,
        "wall_us": wall,
        "statements": statements,
    });
    if wall.is_some() {
        head["stats"] = run.stats.get_or_init(|| stats(&run.program)).clone();
    }
    let graph = run.graph_json.get_or_init(|| graph(&run.program).into());
    // The graph is spliced in as text: it can be megabytes, made once.
    let mut out = head.to_string();
    out.pop();
    let _ = write!(out, ",\"graph\":{graph}}}");
    out
}

/// The run's figures (`null` when there are none: no line ran).
fn stats(program: &Program) -> Json {
    let Some(stats) = program.report().map(|r| r.stats()) else {
        return Json::Null;
    };
    let us = |d: std::time::Duration| d.as_micros() as u64;
    json!({
        "nodes": stats.nodes,
        "computed": stats.computed,
        "edges": stats.edges,
        "depth": stats.depth,
        "work_us": us(stats.work),
        "waiting_us": us(stats.waiting),
        "span_us": us(stats.span),
        "wall_us": us(stats.wall),
        "bound_us": us(stats.bound),
        "parallelism": stats.parallelism,
        "speedup": stats.speedup,
        "workers": stats.workers,
    })
}

/// A run in the list of runs.
pub(super) fn summary(run: &LiveRun) -> Json {
    let first = run
        .program
        .lines()
        .first()
        .map_or("", |line| run.program.text(line.span));
    json!({
        "id": run.id.to_string(),
        "state": run.state().name(),
        "statements": run.program.lines().len(),
        "first": cut(first, WINDOW),
    })
}

fn statement(program: &Program, line: &ProgramLine) -> Json {
    let outcome = match &line.future {
        Ok(future) => future.try_get().cloned(),
        Err(e) => Some(Err(e.clone())),
    };
    let mut out = json!({"line": line.line, "text": program.text(line.span)});
    if let Ok(future) = &line.future {
        // The line's root node, so that the page can show its value as
        // soon as the node's event comes.
        out["node"] = json!(future.node().index());
    }
    match (outcome, &line.signature) {
        (None, _) => {}
        (Some(Ok(_)), Some(signature)) => out["value"] = json!(signature),
        (Some(Ok(value)), None) => out["value"] = json!(value_text(&value, STATEMENT_VALUE)),
        (Some(Err(e)), _) => out["error"] = error(program, &e),
    }
    out
}

fn error(program: &Program, e: &Error) -> Json {
    let at = program.position(e.span.start);
    json!({
        "kind": format!("{:?}", e.kind),
        "message": e.to_string(),
        "line": at.line,
        "column": at.column,
        "report": program.error_report(e, "program"),
    })
}

/// The graph: every node with its label, place and inputs, and where
/// the page draws it (`layer`, from 0 at the leaves, and `x`, its order
/// in the layer).
fn graph(program: &Program) -> String {
    let nodes = program.graph();
    let inputs: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| n.inputs.iter().map(|i| i.index()).collect())
        .collect();
    let places = layout(&inputs);
    let mut out = String::from("{\"nodes\":[");
    for (id, (node, place)) in nodes.iter().zip(places).enumerate() {
        let at = program.position(node.span.start);
        let text = program.text(node.span);
        let entry = json!({
            "id": id,
            "label": node.label,
            "text": cut(text, 40),
            "line": at.line,
            "column": at.column,
            "inputs": inputs[id],
            "layer": place.layer,
            "x": place.x,
        });
        if id > 0 {
            out.push(',');
        }
        let _ = write!(out, "{entry}");
    }
    out.push_str("]}");
    out
}

/// An `event: node`'s data.
pub(super) fn node_event(program: &Program, entry: &Entry) -> String {
    let worker = match entry.lane {
        Lane::Worker(n) => json!(n),
        Lane::Timer => json!("timer"),
    };
    let mut data = json!({
        "node": entry.node.index(),
        "state": entry.state.name(),
        "worker": worker,
        "t_us": entry.at.as_micros() as u64,
    });
    let outcome = match entry.state {
        super::runs::NodeState::Finished | super::runs::NodeState::Failed => {
            program.node_info(entry.node).and_then(|info| info.outcome)
        }
        _ => None,
    };
    match outcome {
        Some(Ok(value)) => data["value"] = json!(value_text(&value, NODE_VALUE)),
        Some(Err(e)) => data["error"] = json!(e.to_string()),
        None if entry.state == super::runs::NodeState::Failed => data["error"] = json!("failed"),
        None => {}
    }
    data.to_string()
}

/// An `event: done`'s data.
pub(super) fn done_event(ending: &Ending) -> String {
    json!({"state": ending.state.name(), "wall_us": ending.wall.as_micros() as u64}).to_string()
}

/// `value` as the command line prints it, its middle cut when longer
/// than `limit` characters.
fn value_text(value: &Value, limit: usize) -> String {
    let text = value.to_string();
    if text.len() <= limit {
        return text;
    }
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let head: String = text.chars().take(20).collect();
    let tail: String = text
        .chars()
        .skip(text.chars().count().saturating_sub(20))
        .collect();
    format!("{head}…{tail} ({digits} digits)")
}

/// `text`, cut to `limit` characters with an ellipsis.
fn cut(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_with_their_length() {
        let v = crate::eval("2^20000").unwrap();
        let text = value_text(&v, STATEMENT_VALUE);
        assert!(
            text.len() < 100 && text.ends_with(" (6021 digits)"),
            "{text}"
        );
        assert!(text.starts_with(&v.to_string()[..20]), "{text}");
        assert_eq!(value_text(&Value::from(42), 10), "42");
    }

    #[test]
    fn the_caret_sits_under_the_span() {
        let engine = crate::Engine::with_workers(1).unwrap();
        let program = engine.submit_program("1+1\n2 + 1/0", Default::default());
        let e = program.wait()[1].clone().unwrap_err();
        let report = &error(&program, &e)["report"];
        assert_eq!(
            report,
            "error: division by zero\n --> program:2:5\n  |\n2 | 2 + 1/0\n  |     ^^^\n"
        );
        assert_eq!(cut("abcdef", 3), "abc…");
    }
}
