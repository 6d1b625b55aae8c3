//! The real binary: values, exit codes, carets on stderr, batch alignment,
//! `--as-completed`, timeouts and options, as the spec's section 4 says.

use assert_cmd::Command;

fn exprflow() -> Command {
    Command::cargo_bin("exprflow").unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let out = exprflow().args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn batch(input: &str, args: &[&str]) -> std::process::Output {
    exprflow()
        .arg("batch")
        .args(args)
        .write_stdin(input)
        .output()
        .unwrap()
}

#[test]
fn mission_example_prints_500() {
    exprflow()
        .args(["eval", "(3+7)*(2+8)*((2*3)-1)"])
        .assert()
        .success()
        .stdout("500\n");
}

#[test]
fn expressions_may_begin_with_a_minus() {
    exprflow()
        .args(["eval", "-2^2"])
        .assert()
        .success()
        .stdout("-4\n");
    exprflow()
        .args(["eval", "-j", "2", "--", "-3!"])
        .assert()
        .success()
        .stdout("-6\n");
    exprflow()
        .args(["eval", "1", "-1/3"])
        .assert()
        .success()
        .stdout("1\n-1/3\n");
}

#[test]
fn eval_prints_one_line_per_expression() {
    exprflow()
        .args([
            "eval",
            "1/3",
            "0.1+0.2",
            "sqrt(2)",
            "float(2)",
            "float(10^300)",
            "2.0",
            "x = 4",
            "x^2",
        ])
        .assert()
        .success()
        .stdout("1/3\n0.3\n1.4142135623730951\n2.0\n1e300\n2\n4\n16\n");
}

#[test]
fn failures_exit_1_with_a_caret_on_stderr() {
    let out = exprflow().args(["eval", "1 + 1/0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "error: division by zero\n"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<args>:1:5"), "{err}");
    assert!(err.contains("1 | 1 + 1/0\n"), "{err}");
    assert!(err.contains("  |     ^^^\n"), "{err}");
}

#[test]
fn bad_usage_exits_2() {
    exprflow().args(["eval"]).assert().code(2);
    exprflow().args(["eval", "-j", "0", "1"]).assert().code(2);
    // A thread bomb is refused before any thread starts.
    exprflow()
        .args(["eval", "-j", "65535", "1"])
        .assert()
        .code(2);
    exprflow().args(["frobnicate"]).assert().code(2);
    exprflow().args(["batch", "/no/such/file"]).assert().code(2);
    exprflow()
        .args(["eval", "--timeout", "soon", "1"])
        .assert()
        .code(2);
}

#[test]
fn batch_prints_one_line_per_statement_in_order() {
    let input = "x = 2 + 3\n\n# a comment\n   # another\nx * x\n1/0\ny + 1\n(\nx!\n";
    let out = batch(input, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    assert_eq!(lines[0], "5");
    assert_eq!(lines[1], "25");
    assert_eq!(lines[2], "error: division by zero");
    assert!(lines[3].starts_with("error: unknown variable"));
    assert!(lines[4].starts_with("error: syntax error"));
    assert_eq!(lines[5], "120");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("<stdin>:6:1"), "{stderr}");
    assert!(stderr.contains("<stdin>:7:1"), "{stderr}");
}

#[test]
fn batch_reads_a_file() {
    let dir = std::env::temp_dir().join(format!("exprflow-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("in.txt");
    std::fs::write(&file, "1+1\n2*3\n").unwrap();
    exprflow()
        .args(["batch", file.to_str().unwrap()])
        .assert()
        .success()
        .stdout("2\n6\n");
}

#[test]
fn a_failed_definition_fails_its_users() {
    let out = batch("x = 1/0\nx + 1\ny = (\ny * 2\n", &[]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        "error: division by zero\nerror: division by zero\nerror: syntax error: expected an expression, found end of input\nerror: syntax error: expected an expression, found end of input\n"
    );
}

/// Checked against the run's own record, not against wall time: the
/// lines are printed in the order the trace says their delays ended. The
/// delays differ (300, 0 and 150 ms) so that this order is not the input
/// order; whatever the machine's load makes it, it must be the printed one.
#[test]
fn as_completed_prints_in_completion_order() {
    let input = "delay(1, 300)\ndelay(2, 0)\ndelay(3, 150)\n";
    let trace = std::env::temp_dir().join(format!(
        "exprflow-cli-as-completed-{}.json",
        std::process::id()
    ));
    let trace_arg = trace.to_str().unwrap();
    let out = batch(input, &["--as-completed", "-j", "2", "--trace", trace_arg]);
    assert!(out.status.success());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).unwrap();
    let _ = std::fs::remove_file(&trace);
    let mut ends: Vec<(f64, String)> = json["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "X" && e["name"] == "delay")
        .map(|e| {
            let end = e["ts"].as_f64().unwrap() + e["dur"].as_f64().unwrap();
            (end, e["args"]["value"].as_str().unwrap().to_string())
        })
        .collect();
    ends.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Line n computes n, so a delay's value names its line.
    let completed: String = ends.iter().map(|(_, v)| format!("{v}: {v}\n")).collect();
    assert_eq!(ends.len(), 3, "{json}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), completed);
}

/// Checked by the order of events in the run's trace, not by wall time:
/// every delay starts before any of them ends. The delays are 2 s long so
/// that starting 20 of them has a wide margin on a loaded machine.
#[test]
fn independent_delays_overlap() {
    let input: String = (1..=20).map(|i| format!("delay({i}, 2000)\n")).collect();
    let trace =
        std::env::temp_dir().join(format!("exprflow-cli-overlap-{}.json", std::process::id()));
    let out = batch(&input, &["-j", "2", "--trace", trace.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 20);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).unwrap();
    let _ = std::fs::remove_file(&trace);
    let delays: Vec<(f64, f64)> = json["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "X" && e["name"] == "delay")
        .map(|e| {
            let start = e["ts"].as_f64().unwrap();
            (start, start + e["dur"].as_f64().unwrap())
        })
        .collect();
    assert_eq!(delays.len(), 20);
    let last_start = delays.iter().map(|d| d.0).fold(f64::MIN, f64::max);
    let first_end = delays.iter().map(|d| d.1).fold(f64::MAX, f64::min);
    assert!(
        last_start < first_end,
        "a delay started only after another ended: {delays:?}"
    );
}

#[test]
fn sequential_agrees_with_parallel() {
    let input = "a = fact(30)\nb = a / fact(28)\nb + 1/7\nsqrt(2) * 2\n2^100 // 3^20\n";
    let par = batch(input, &["-j", "2"]);
    let seq = batch(input, &["--sequential"]);
    assert_eq!(par.stdout, seq.stdout);
    assert!(par.status.success());
}

/// Without the timeout the run takes ten minutes: the 20 s bound catches
/// only that hang.
#[test]
fn timeout_gives_timed_out() {
    for mode in [&["-j", "2"][..], &["--sequential"][..]] {
        let mut args = vec!["eval", "--timeout", "200ms"];
        args.extend_from_slice(mode);
        args.extend(["delay(1, 600000) + 1", "2"]);
        let start = std::time::Instant::now();
        let out = exprflow().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.starts_with("error: timed out: the limit of 200 ms passed\n"),
            "{stdout}"
        );
        assert!(start.elapsed().as_secs() < 20);
    }
}

#[test]
fn max_bits_is_settable() {
    let out = exprflow()
        .args(["eval", "--max-bits", "100", "2^99", "2^200"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("633825300114114700748351602688\nerror: result too large"),
        "{stdout}"
    );
}

/// `max` of five numbers near the default bit limit needs 10 MiB of values
/// at once: fine by default (1 GiB), `result too large` under `--max-memory
/// 8MiB`, with the pool, sequentially and in the REPL's options alike.
#[test]
fn max_memory_is_settable() {
    let text =
        "max(2^16777215+1, 2^16777215+2, 2^16777215+3, 2^16777215+4, 2^16777215+5) - 2^16777215";
    assert_eq!(stdout_of(&["eval", "--", text]), "5\n");
    for mode in [
        &["eval", "--max-memory", "8MiB"][..],
        &["eval", "--sequential", "--max-memory", "8MiB"],
    ] {
        let out = exprflow().args(mode).args(["--", text]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{mode:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.starts_with("error: result too large"),
            "{mode:?}: {stdout}"
        );
    }
    let out = exprflow()
        .args(["eval", "--max-memory", "lots", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error");
}

#[test]
fn non_utf8_and_nul_lines_error_alone() {
    let mut input = b"1+1\n".to_vec();
    input.extend_from_slice(b"2+\xff\xfe\n3\0\n4*4\n");
    let out = exprflow().arg("batch").write_stdin(input).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "2");
    assert!(lines[1].starts_with("error: syntax error"));
    assert!(lines[2].starts_with("error: syntax error"));
    assert_eq!(lines[3], "16");
}

#[test]
fn empty_input_is_fine() {
    batch("", &[]).status.success().then_some(()).unwrap();
    assert_eq!(stdout_of(&["eval", "1"]), "1\n");
}
