//! `Engine::submit_program` and the starts of work (`SubmitOptions::starts`,
//! `ExprFuture::starts`): what the live view is built on, public for every
//! embedder.

use std::time::Duration;

use exprflow::{Engine, ErrorKind, Lane, SubmitOptions};

/// Generous: only a broken engine takes this long (the bound is the point).
const PATIENCE: Duration = Duration::from_secs(30);

fn live() -> SubmitOptions {
    SubmitOptions {
        events: true,
        starts: true,
        ..Default::default()
    }
}

#[test]
fn a_program_is_one_dag_with_a_future_per_line() {
    let engine = Engine::with_workers(2).unwrap();
    let text = b"x = 2 + 3\n\n  # comment\nsq(y) = y*y\nsq(x) + (2 + 3)\nbad \xff line\n1 +\nz";
    let program = engine.submit_program(text, live());
    let lines = program.lines();
    assert_eq!(
        lines.iter().map(|l| l.line).collect::<Vec<_>>(),
        [1, 4, 5, 6, 7, 8]
    );
    assert_eq!(lines[1].signature.as_deref(), Some("sq(y)"));
    assert_eq!(program.text(lines[2].span), "sq(x) + (2 + 3)");
    let outcomes = program.wait();
    assert!(program.is_done());
    assert_eq!(outcomes[0].as_ref().unwrap().to_string(), "5");
    assert_eq!(outcomes[2].as_ref().unwrap().to_string(), "30");
    let utf8 = outcomes[3].as_ref().unwrap_err();
    assert_eq!(utf8.kind, ErrorKind::Syntax);
    assert_eq!(program.position(utf8.span.start).to_string(), "6:5");
    assert_eq!(outcomes[4].as_ref().unwrap_err().kind, ErrorKind::Syntax);
    assert_eq!(
        outcomes[5].as_ref().unwrap_err().kind,
        ErrorKind::UnknownVariable
    );
    // The graph: ids in order, inputs before their users, `2 + 3` shared.
    let graph = program.graph();
    let plus = graph.iter().filter(|n| n.label == "+").count();
    assert_eq!(plus, 2, "2 + 3 once, and the last line's sum");
    for (i, node) in graph.iter().enumerate() {
        assert!(node.inputs.iter().all(|input| input.index() < i));
        assert_eq!(
            program.node_info(exprflow_node(&program, i)).unwrap(),
            *node
        );
    }
    // Every computed node has its outcome, and an event.
    let events: Vec<_> = program.completions().unwrap().try_iter().collect();
    assert!(
        events
            .iter()
            .all(|e| graph[e.node.index()].outcome.is_some())
    );
}

/// The id of node `i` of `program`, read off the events or the graph.
fn exprflow_node(program: &exprflow::Program, i: usize) -> exprflow::NodeId {
    let graph = program.graph();
    graph
        .iter()
        .flat_map(|n| n.inputs.iter().copied())
        .chain(
            program
                .lines()
                .iter()
                .filter_map(|l| l.future.as_ref().ok().map(|f| f.node())),
        )
        .find(|id| id.index() == i)
        .unwrap_or_else(|| panic!("node {i} is neither an input nor a line"))
}

#[test]
fn starts_come_while_the_work_goes_on() {
    let engine = Engine::with_workers(2).unwrap();
    let future = engine
        .submit_with("delay(1, 60000) + busy(2, 1)", live())
        .unwrap();
    let starts = future.starts().unwrap();
    // The delay's timer starts at once, long before it is over.
    let mut lanes = Vec::new();
    while lanes.len() < 2 {
        let start = starts.recv_timeout(PATIENCE).expect("a start");
        lanes.push(start.lane);
    }
    assert!(lanes.contains(&Lane::Timer), "{lanes:?}");
    assert!(
        lanes.iter().any(|l| matches!(l, Lane::Worker(_))),
        "{lanes:?}"
    );
    assert!(!future.is_done());
    future.cancel();
    // Without `starts` (or without events) there is no stream.
    let quiet = SubmitOptions {
        events: true,
        ..Default::default()
    };
    assert!(engine.submit_with("1+1", quiet).unwrap().starts().is_none());
    let no_events = SubmitOptions {
        starts: true,
        ..Default::default()
    };
    assert!(
        engine
            .submit_with("1+1", no_events)
            .unwrap()
            .starts()
            .is_none()
    );
}

#[test]
fn cancelling_a_program_cancels_what_runs() {
    let engine = Engine::with_workers(2).unwrap();
    let program = engine.submit_program("delay(1, 60000)\nbusy(7, 1)\n", live());
    let fast = program.lines()[1].future.as_ref().unwrap();
    assert_eq!(fast.wait_timeout(PATIENCE).unwrap().to_string(), "7");
    assert!(program.cancel());
    assert!(!program.cancel(), "nothing left to cancel");
    let outcomes = program.wait();
    assert_eq!(outcomes[0].as_ref().unwrap_err().kind, ErrorKind::Cancelled);
    assert_eq!(engine.eval("1+1").unwrap().to_string(), "2");
}
