//! `--trace FILE`: Chrome trace-event JSON, checked for its schema and for
//! what it shows (worker tracks, overlap, delays on the timer track, fused
//! nodes with events of their own), plus the library's `Trace`.

use exprflow::testing::EngineInternals;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use exprflow::Lane;
use exprflow::testing::report::Trace;
use exprflow::{NodeEvent, SubmitOptions};
use serde_json::Value as Json;

fn exprflow() -> Command {
    Command::cargo_bin("exprflow").unwrap()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exprflow-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs `exprflow eval ARGS --trace FILE EXPR` and returns the parsed JSON.
fn trace_of(name: &str, args: &[&str], expr: &str) -> Json {
    let file = temp(name);
    exprflow()
        .arg("eval")
        .args(args)
        .arg("--trace")
        .arg(&file)
        .arg("--")
        .arg(expr)
        .assert()
        .success();
    let text = std::fs::read_to_string(&file).unwrap();
    let json: Json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    check_schema(&json);
    json
}

/// The trace-event format's "JSON object format": every event has the
/// fields its phase needs, with the right types.
fn check_schema(json: &Json) {
    let events = json["traceEvents"].as_array().expect("traceEvents array");
    assert_eq!(json["displayTimeUnit"], "ms");
    for e in events {
        let ph = e["ph"].as_str().expect("ph");
        assert!(e["name"].is_string(), "{e}");
        assert!(e["pid"].is_u64(), "{e}");
        assert!(e["tid"].is_u64(), "{e}");
        match ph {
            "X" => {
                let ts = e["ts"].as_f64().expect("ts");
                let dur = e["dur"].as_f64().expect("dur");
                assert!(ts >= 0.0 && dur >= 0.0, "{e}");
                assert!(e["cat"].is_string(), "{e}");
                let args = e["args"].as_object().expect("args");
                assert!(args["source"].is_string(), "{e}");
                assert!(args["node"].is_u64(), "{e}");
                assert!(args["ok"].is_boolean(), "{e}");
                // A value preview once computed; an error message on failure.
                for key in ["value", "error"] {
                    assert!(args.get(key).is_none_or(Json::is_string), "{e}");
                }
                if args["ok"] == false {
                    assert!(args["error"].is_string(), "{e}");
                }
            }
            "M" => {
                let name = e["name"].as_str().unwrap();
                assert!(
                    ["process_name", "thread_name", "thread_sort_index"].contains(&name),
                    "{e}"
                );
                assert!(e["args"].is_object(), "{e}");
            }
            other => panic!("unexpected phase {other}: {e}"),
        }
    }
}

fn complete_events(json: &Json) -> Vec<&Json> {
    json["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "X")
        .collect()
}

/// Track id → thread name, from the metadata events.
fn thread_names(json: &Json) -> HashMap<u64, String> {
    json["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| {
            (
                e["tid"].as_u64().unwrap(),
                e["args"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn busy_work_on_two_workers_shows_two_overlapping_tracks() {
    let json = trace_of(
        "busy.json",
        &["-j", "2"],
        "busy(1,200)+busy(2,200)+busy(3,200)+busy(4,200)",
    );
    let names = thread_names(&json);
    let events = complete_events(&json);
    let tracks: BTreeSet<u64> = events.iter().map(|e| e["tid"].as_u64().unwrap()).collect();
    assert_eq!(tracks.len(), 2, "exactly two worker tracks: {tracks:?}");
    for tid in &tracks {
        assert!(names[tid].starts_with("worker "), "{names:?}");
    }
    assert!(
        !names.values().any(|n| n == "timer"),
        "no delays, no timer track"
    );
    let busy: Vec<(u64, f64, f64)> = events
        .iter()
        .filter(|e| e["name"] == "busy")
        .map(|e| {
            let ts = e["ts"].as_f64().unwrap();
            (
                e["tid"].as_u64().unwrap(),
                ts,
                ts + e["dur"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(busy.len(), 4);
    for &(_, s, e) in &busy {
        assert!(
            e - s >= 200_000.0 * 0.9,
            "a busy(…,200) lasts 200 ms: {busy:?}"
        );
    }
    let overlapping = busy
        .iter()
        .any(|a| busy.iter().any(|b| a.0 != b.0 && a.1 < b.2 && b.1 < a.2));
    assert!(
        overlapping,
        "busy events on the two workers overlap: {busy:?}"
    );
    assert!(events.iter().all(|e| e["cat"] != "delay"));
    let sums: Vec<&str> = events
        .iter()
        .filter(|e| e["name"] == "+")
        .map(|e| e["args"]["value"].as_str().unwrap())
        .collect();
    assert!(sums.contains(&"10"), "{sums:?}");
}

#[test]
fn delays_wait_on_their_own_named_track() {
    let json = trace_of(
        "delay.json",
        &["-j", "2"],
        "(delay(3,100)+delay(7,200))*(delay(2,150)+delay(8,50))*((delay(2,80)*delay(3,120))-delay(1,60))",
    );
    let names = thread_names(&json);
    let events = complete_events(&json);
    let delays: Vec<&&Json> = events.iter().filter(|e| e["name"] == "delay").collect();
    assert_eq!(delays.len(), 7);
    let timer = delays[0]["tid"].as_u64().unwrap();
    assert!(
        delays
            .iter()
            .all(|e| e["tid"] == timer && e["cat"] == "delay")
    );
    assert_eq!(names[&timer], "timer");
    let d200 = delays
        .iter()
        .find(|e| e["args"]["source"] == "delay(7,200)")
        .unwrap();
    assert_eq!(d200["args"]["value"], "7");
    assert!(d200["dur"].as_f64().unwrap() >= 195_000.0, "{d200}");
    // The arithmetic ran on workers, not on the timer track.
    let arithmetic: Vec<&&Json> = events.iter().filter(|e| e["name"] != "delay").collect();
    assert_eq!(arithmetic.len(), 6);
    assert!(
        arithmetic
            .iter()
            .all(|e| e["tid"] != timer && e["cat"] == "compute")
    );
    let root = arithmetic
        .iter()
        .find(|e| e["args"]["value"] == "500")
        .expect("the root's event");
    assert_eq!(
        root["args"]["source"],
        "(delay(3,100)+delay(7,200))*(delay(2,150)+delay(8,50))*((delay(2,80)*delay(3,120))-delay(1,60))"
    );
}

#[test]
fn fused_nodes_still_get_events_of_their_own() {
    // Cheap arithmetic is fused into one task; every operation is reported.
    let json = trace_of("fused.json", &["-j", "2"], "(3+7)*(2+8)*((2*3)-1)");
    let events = complete_events(&json);
    let mut names: Vec<&str> = events.iter().map(|e| e["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["*", "*", "*", "+", "+", "-"]);
}

#[test]
fn sequential_runs_are_traced_on_one_track() {
    let json = trace_of(
        "seq.json",
        &["--sequential"],
        "delay(1,30) + delay(2,30) + fact(20)",
    );
    let names = thread_names(&json);
    let events = complete_events(&json);
    assert!(events.iter().all(|e| e["tid"] == 0));
    assert_eq!(names[&0], "sequential evaluator");
    // One after the other: no two events of a sequential run overlap.
    let mut spans: Vec<(f64, f64)> = events
        .iter()
        .map(|e| {
            let ts = e["ts"].as_f64().unwrap();
            (ts, ts + e["dur"].as_f64().unwrap())
        })
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    for w in spans.windows(2) {
        assert!(w[0].1 <= w[1].0 + 1.0, "{spans:?}");
    }
    assert_eq!(json["otherData"]["sequential"], true);
}

#[test]
fn failures_are_traced_as_errors() {
    let file = temp("error.json");
    exprflow()
        .args(["eval", "-j", "2", "--trace"])
        .arg(&file)
        .arg("1 + 2/0")
        .assert()
        .code(1);
    let json: Json = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    check_schema(&json);
    let div = complete_events(&json)
        .into_iter()
        .find(|e| e["name"] == "/")
        .unwrap()
        .clone();
    assert_eq!(div["cat"], "error");
    assert_eq!(div["args"]["ok"], false);
    assert_eq!(div["args"]["error"], "division by zero");
}

/// The run would take ten minutes: a check made after it is a hang, caught
/// by a bound a normal refusal never comes near.
#[test]
fn an_unwritable_trace_file_is_a_usage_error_before_the_run() {
    let out = exprflow()
        .args([
            "eval",
            "--trace",
            "/nonexistent-dir/x.json",
            "delay(1, 600000)",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write /nonexistent-dir/x.json"));
    assert!(out.stdout.is_empty());
}

#[test]
fn library_trace_from_events_puts_delays_on_the_timer_lane() {
    let batch = exprflow::testing::Batch::parse(b"delay(1,20) + busy(2,20)", Default::default());
    let roots = batch.roots();
    let engine = exprflow::Engine::with_workers(2).unwrap();
    let began = Instant::now();
    let futures = engine.submit_all(
        &batch.dag,
        &roots,
        SubmitOptions {
            events: true,
            ..Default::default()
        },
    );
    assert_eq!(futures[0].wait().unwrap().to_string(), "3");
    let events = futures[0].completions().unwrap().try_iter().collect();
    let trace = Trace::from_events(events, engine.workers(), began.elapsed());
    assert_eq!(trace.len(), 3);
    assert_eq!(trace.workers, 2);
    assert!(!trace.sequential);
    assert!(trace.uses_timer());
    let lane_of = |text: &str| {
        trace
            .events
            .iter()
            .find(|e| {
                let s = batch.dag.node(e.node).span();
                &batch.source[s.start..s.end] == text
            })
            .unwrap()
            .lane
    };
    assert_eq!(lane_of("delay(1,20)"), Lane::Timer);
    assert!(matches!(lane_of("busy(2,20)"), Lane::Worker(0 | 1)));
    assert!(trace.events.windows(2).all(|w| w[0].start <= w[1].start));
    assert!(trace.wall >= trace.events.iter().map(|e| e.end).max().unwrap());
}

#[test]
fn library_trace_from_sequential_events() {
    let batch = exprflow::testing::Batch::parse(b"1+2", Default::default());
    let root = batch.roots()[0];
    let dag = Arc::clone(&batch.dag);
    let ms = Duration::from_millis;
    let trace = Trace::from_sequential(
        vec![NodeEvent {
            node: root,
            lane: Lane::Worker(0),
            start: ms(1),
            end: ms(4),
            ok: true,
        }],
        ms(2),
    );
    assert!(trace.sequential);
    assert_eq!(trace.workers, 1);
    assert_eq!(trace.wall, ms(4), "the wall time covers every event");
    assert_eq!(trace.events[0].lane, Lane::Worker(0));
    assert_eq!(trace.events[0].duration(), ms(3));
    let json = exprflow::testing::report::chrome_json(&dag, &trace, "1+2\n");
    let parsed: Json = serde_json::from_str(&json).unwrap();
    check_schema(&parsed);
    let x = complete_events(&parsed);
    assert_eq!(x[0]["ts"], 1000.0);
    assert_eq!(x[0]["dur"], 3000.0);
    assert_eq!(x[0]["args"]["source"], "1+2");
    // Not evaluated in this DAG: no value to show, and no claim of failure.
    assert_eq!(x[0]["args"]["ok"], true);
    assert!(x[0]["args"].get("value").is_none());
}
