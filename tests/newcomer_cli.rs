//! A newcomer's first hour with the command line (issue 16): options are
//! options, errors read once, help that teaches, figures that explain
//! themselves, plurals that agree.

use assert_cmd::Command;

fn exprflow() -> Command {
    Command::cargo_bin("exprflow").unwrap()
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = exprflow().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unknown_long_option_is_bad_usage_with_the_nearest_suggested() {
    let (code, out, err) = run(&["eval", "--stat", "1+1"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert_eq!(out, "");
    assert!(err.contains("'--stat'"), "{err}");
    assert!(err.contains("'--stats'"), "{err}");
    let (code, _, err) = run(&["eval", "1+1", "--tim", "1s"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("'--timeout'"), "{err}");
}

#[test]
fn options_may_follow_the_expressions() {
    let (code, out, err) = run(&["eval", "1+1", "--stats"]);
    assert_eq!((code, out.as_str()), (Some(0), "2\n"), "{err}");
    assert!(err.contains("parallelism"), "{err}");
    let (code, out, _) = run(&["eval", "-2^2", "-j", "1", "2*3"]);
    assert_eq!((code, out.as_str()), (Some(0), "-4\n6\n"));
}

#[test]
fn after_a_double_dash_everything_is_an_expression() {
    let (code, out, _) = run(&["eval", "--", "--3", "-2^2"]);
    assert_eq!((code, out.as_str()), (Some(0), "3\n-4\n"));
    let (code, out, err) = run(&["eval", "--", "--stats"]);
    assert_eq!(code, Some(1));
    assert_eq!(out, "error: unknown variable: `stats`\n", "{err}");
}

#[test]
fn a_short_option_run_together_stays_an_expression_with_a_hint() {
    let (code, out, err) = run(&["eval", "-j2", "1+1"]);
    assert_eq!(code, Some(1));
    assert_eq!(out, "error: unknown variable: `j2`\n2\n");
    assert!(err.contains("did you mean -j 2?"), "{err}");
    // A variable that is no option gets no such hint.
    let (_, _, err) = run(&["eval", "-x2"]);
    assert!(!err.contains("did you mean"), "{err}");
}

#[test]
fn eval_with_piped_input_suggests_batch() {
    let out = exprflow()
        .arg("eval")
        .write_stdin("1+2\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exprflow batch"), "{err}");
}

#[test]
fn every_help_has_examples_and_the_language() {
    for command in ["eval", "batch", "repl"] {
        let (code, out, _) = run(&[command, "--help"]);
        assert_eq!(code, Some(0));
        assert!(out.contains("Examples:"), "{command}: {out}");
        assert!(out.contains("Language:"), "{command}: {out}");
        assert!(out.contains("every literal is exact"), "{command}: {out}");
    }
    let (_, out, _) = run(&["--help"]);
    assert!(out.contains("the REPL when stdin is a terminal"), "{out}");
    assert!(out.contains("`batch` when stdin is a pipe"), "{out}");
}

#[test]
fn the_examples_in_eval_help_print_what_they_say() {
    let (_, help, _) = run(&["eval", "--help"]);
    let line = help
        .lines()
        .find(|l| l.contains("'1/3 + 1/6'"))
        .expect("the first example");
    let (_, said) = line.split_once("# ").unwrap();
    let (_, out, _) = run(&["eval", "1/3 + 1/6", "2^-1", "sqrt(2)"]);
    assert_eq!(out.lines().collect::<Vec<_>>().join(", "), said.trim());
}

#[test]
fn a_timeline_must_be_svg() {
    let dir = std::env::temp_dir().join(format!("exprflow-newcomer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("x.png");
    let (code, out, err) = run(&["eval", "--timeline", png.to_str().unwrap(), "1+1"]);
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert!(err.contains(".svg"), "{err}");
    assert!(!png.exists());
    let svg = dir.join("x.SVG");
    let (code, _, _) = run(&["eval", "--timeline", svg.to_str().unwrap(), "1+1"]);
    assert_eq!(code, Some(0));
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn timeout_zero_means_no_limit() {
    let (code, out, _) = run(&["eval", "--timeout", "0", "delay(7, 50)"]);
    assert_eq!((code, out.as_str()), (Some(0), "7\n"));
    let (code, out, _) = run(&["eval", "--sequential", "--timeout", "0", "delay(7, 50)"]);
    assert_eq!((code, out.as_str()), (Some(0), "7\n"));
}

#[test]
fn a_trailing_dot_ends_a_number_as_in_python() {
    let (code, out, _) = run(&["eval", "3.", "3.e2", "1/2.", "fact(3.0)", "exact(0.1)"]);
    assert_eq!((code, out.as_str()), (Some(0), "3\n300\n0.5\n6\n0.1\n"));
    let (code, out, _) = run(&["eval", "exact(float(0.1))"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        out,
        "0.1000000000000000055511151231257827021181583404541015625\n"
    );
}

#[test]
fn counts_agree_with_their_nouns() {
    let (_, out, _) = run(&["eval", "min()"]);
    assert_eq!(
        out,
        "error: wrong number of arguments: min takes at least 1 argument, got 0\n"
    );
    let (_, _, err) = run(&["eval", "--stats", "delay(1, 5)"]);
    assert!(err.contains("computed     1 node\n"), "{err}");
    assert!(err.contains("(critical path of 1 node)"), "{err}");
}

#[test]
fn a_tiny_run_says_why_workers_do_not_help() {
    let (_, _, err) = run(&["eval", "--stats", "(3+7)*(2+8)*((2*3)-1)"]);
    assert!(err.contains("run too small to gain from workers"), "{err}");
    // A run of real work does not get the note.
    let (_, _, err) = run(&["eval", "--stats", "delay(1, 100)"]);
    assert!(!err.contains("too small"), "{err}");
}

#[test]
fn sequential_delays_count_as_waiting_on_timers() {
    let (_, _, err) = run(&["eval", "--sequential", "--stats", "delay(1, 60)"]);
    let work = err.lines().find(|l| l.starts_with("work")).unwrap();
    assert!(!work.contains(" 0 s waiting on timers"), "{work}");
    assert!(work.contains("ms waiting on timers"), "{work}");
}

/// On a terminal that is both stdout and stderr, an error is shown once
/// (the caret report); the values keep their lines and order.
#[cfg(unix)]
#[test]
fn one_error_once_on_a_terminal() {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_exprflow"));
    command
        .args(["eval", "2+2", "1/0", "3"])
        .env("NO_COLOR", "1");
    let mut session = rexpect::session::spawn_with_options(
        command,
        rexpect::reader::Options::new()
            .timeout_ms(Some(20_000))
            .strip_ansi_escape_codes(true),
    )
    .unwrap();
    let screen = session.exp_eof().unwrap();
    assert_eq!(screen.matches("division by zero").count(), 1, "{screen}");
    let four = screen.find('4').unwrap();
    let caret = screen.find("^^^").unwrap();
    let three = screen.rfind('3').unwrap();
    assert!(four < caret && caret < three, "{screen}");
}

#[test]
fn one_error_line_per_statement_on_a_pipe() {
    let (code, out, err) = run(&["eval", "1/0", "2+2"]);
    assert_eq!(code, Some(1));
    assert_eq!(out, "error: division by zero\n4\n");
    assert!(err.contains("^^^"), "{err}");
}

#[test]
fn a_timeout_names_its_limit_as_the_repl_does() {
    let (code, out, err) = run(&["eval", "--timeout", "100ms", "delay(1, 60000)", "2"]);
    assert_eq!(code, Some(1));
    assert_eq!(out, "error: timed out: the limit of 100 ms passed\n2\n");
    assert!(err.contains("^^^^"), "{err}");
}

#[test]
fn a_batch_timeline_keeps_names_and_shows_real_work() {
    let dir = std::env::temp_dir().join(format!("exprflow-newcomer-tl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg_path = dir.join("t.svg");
    let out = exprflow()
        .args(["batch", "-j", "2", "--timeline", svg_path.to_str().unwrap()])
        .write_stdin("total = 1+2\ntotal * 3\n")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "3\n9\n");
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let title = doc
        .descendants()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .unwrap_or("");
    assert!(title.contains("total = 1+2"), "{title}");
    // Every bar is wide enough to see and to hover.
    for bar in doc.descendants().filter(|n| {
        n.has_tag_name("rect") && n.attribute("class").is_some_and(|c| c.contains("bar"))
    }) {
        let width: f64 = bar.attribute("width").unwrap().parse().unwrap();
        assert!(width >= 6.0, "a bar {width} px wide");
    }
    // A worker's lane says how long it was busy, not a bare 0%.
    let subs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("lane-sub"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        subs.iter()
            .any(|s| s.starts_with("busy ") && (s.contains("µs") || s.contains("ns"))),
        "{subs:?}"
    );
}

/// The bar labels of a timeline: (y, left, right) in pixels, with the
/// chart's own estimate of 6.2 px per character.
fn label_boxes(svg: &str) -> Vec<(String, f64, f64)> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.attribute("class") == Some("bar-label"))
        .map(|n| {
            let x: f64 = n.attribute("x").unwrap().parse().unwrap();
            let w = n.text().unwrap_or("").chars().count() as f64 * 6.2;
            let y = n.attribute("y").unwrap().to_string();
            match n.attribute("text-anchor") {
                Some("end") => (y, x - w, x),
                _ => (y, x, x + w),
            }
        })
        .collect()
}

#[test]
fn timeline_labels_never_overlap_and_every_node_has_a_bar() {
    let dir = std::env::temp_dir().join(format!("exprflow-newcomer-lb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: [&[&str]; 3] = [
        &[
            "-j",
            "2",
            "--no-fuse",
            "(delay(3,100)+delay(7,200))*(delay(2,150)+delay(8,50))*((delay(2,80)*delay(3,120))-delay(1,60))",
        ],
        &["-j", "2", "(busy(3,30)+busy(7,20))*(2+8)*((2*3)-1)"],
        &[
            "-j",
            "1",
            "(1+2)*(3+4)*(5+6)*(7+8)+delay(1,5)+delay(2,5)+delay(3,5)+delay(4,5)+delay(5,5)",
        ],
    ];
    for (i, args) in cases.iter().enumerate() {
        let path = dir.join(format!("t{i}.svg"));
        let out = exprflow()
            .arg("eval")
            .args(["--stats", "--timeline", path.to_str().unwrap()])
            .args(*args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let svg = std::fs::read_to_string(&path).unwrap();
        let boxes = label_boxes(&svg);
        for (a, first) in boxes.iter().enumerate() {
            for second in &boxes[a + 1..] {
                let apart = first.0 != second.0 || first.2 <= second.1 || second.2 <= first.1;
                assert!(apart, "case {i}: labels {first:?} and {second:?} overlap");
            }
        }
        // The default (fused) picture still shows every computed node.
        let err = String::from_utf8_lossy(&out.stderr);
        let computed: usize = err
            .lines()
            .find_map(|l| l.strip_prefix("computed"))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert_eq!(svg.matches("class=\"node\"").count(), computed, "case {i}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
