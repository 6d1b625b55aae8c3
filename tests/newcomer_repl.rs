//! A newcomer's first hour with the REPL (issue 16), on a real
//! pseudo-terminal: Python's words work, the options it lists apply to
//! every statement, `:load` reads as `batch` does, an interrupted
//! assignment is undone, errors at earlier lines underline the new input.
#![cfg(unix)]

#[path = "support/pty.rs"]
mod pty;

use rexpect::error::Error;
use rexpect::session::PtySession;

use pty::{StateDir, TempHome as Dir, start_repl};

/// `exprflow repl ARGS` on a 100x40 pseudo-terminal, at its first prompt.
fn start(dir: &Dir, args: &str) -> Result<PtySession, Error> {
    start_repl(dir, StateDir::Xdg, args)
}

/// Types `line` and returns everything up to the next prompt.
fn ask(repl: &mut PtySession, line: &str) -> Result<String, Error> {
    repl.send_line(line)?;
    repl.exp_string(">>> ")
}

/// The session has ended with status 0.
fn ended(mut repl: PtySession) -> Result<(), Error> {
    repl.exp_eof()?;
    let status = repl.process().wait()?;
    assert!(format!("{status:?}").ends_with(", 0)"), "{status:?}");
    Ok(())
}

/// Ctrl-D at the prompt (the prompt is already on screen).
fn quit(mut repl: PtySession) -> Result<(), Error> {
    repl.send_control('d')?;
    ended(repl)
}

#[test]
fn pythons_words_leave() -> Result<(), Error> {
    let dir = Dir::new("words");
    for word in ["exit", "quit", "exit()", "quit()", "  quit  "] {
        let mut repl = start(&dir, "")?;
        let _ = ask(&mut repl, "1+1")?;
        repl.send_line(word)?;
        ended(repl)?;
    }
    Ok(())
}

#[test]
fn help_is_help_and_lists_the_short_names() -> Result<(), Error> {
    let dir = Dir::new("help");
    let mut repl = start(&dir, "")?;
    let shown = ask(&mut repl, "help")?;
    assert!(shown.contains(":help, :h"), "{shown}");
    assert!(shown.contains(":quit, :q"), "{shown}");
    assert!(!shown.contains("unknown variable"), "{shown}");
    let rows = shown.trim_end().lines().count();
    assert!(rows <= 23, "{rows} rows:\n{shown}");
    let shown = ask(&mut repl, ":help language")?;
    assert!(shown.contains("delay(x, ms)"), "{shown}");
    let shown = ask(&mut repl, ":h trace")?;
    assert!(shown.contains(":trace [on|off]"), "{shown}");
    quit(repl)
}

#[test]
fn an_error_at_an_earlier_line_also_underlines_the_new_input() -> Result<(), Error> {
    let dir = Dir::new("earlier");
    let mut repl = start(&dir, "")?;
    // (A failed assignment binds nothing, so the earlier line is a
    // function's body.)
    let _ = ask(&mut repl, "h(n) = n/0")?;
    let shown = ask(&mut repl, "h(1) + 1")?;
    assert!(shown.contains("h(n) = n/0"), "{shown}");
    assert!(shown.contains("1 | h(1) + 1"), "{shown}");
    assert!(shown.contains("  | ^^^^"), "{shown}");
    quit(repl)
}

#[test]
fn the_listed_options_apply_to_every_statement() -> Result<(), Error> {
    let dir = Dir::new("options");
    let mut repl = start(&dir, "-j 2 --stats --timeline r.svg --trace r.json --dot")?;
    let shown = ask(&mut repl, "6*7")?;
    assert!(shown.contains("42"), "{shown}");
    assert!(shown.contains("digraph exprflow"), "{shown}");
    assert!(shown.contains("parallelism"), "{shown}");
    let svg = std::fs::read_to_string(dir.path().join("r.svg")).expect("the timeline");
    let json = std::fs::read_to_string(dir.path().join("r.json")).expect("the trace");
    assert!(svg.contains("<svg"));
    assert!(json.contains("traceEvents"), "{json}");
    // The files are rewritten for the next statement.
    let shown = ask(&mut repl, "busy(5, 20)")?;
    assert!(shown.contains("parallelism"), "{shown}");
    let svg2 = std::fs::read_to_string(dir.path().join("r.svg")).expect("the timeline");
    assert_ne!(svg, svg2);
    assert!(svg2.contains("busy"), "{svg2}");
    // And the toggles turn them off and on.
    let _ = ask(&mut repl, ":stats off")?;
    let _ = ask(&mut repl, ":dot off")?;
    let _ = ask(&mut repl, ":timeline other.svg")?;
    let shown = ask(&mut repl, "2+2")?;
    assert!(!shown.contains("parallelism"), "{shown}");
    assert!(!shown.contains("digraph"), "{shown}");
    assert!(dir.path().join("other.svg").exists());
    let shown = ask(&mut repl, ":timeline x.png")?;
    assert!(shown.contains(".svg"), "{shown}");
    let _ = ask(&mut repl, ":stats on")?;
    let shown = ask(&mut repl, "3+3")?;
    assert!(shown.contains("parallelism"), "{shown}");
    quit(repl)
}

#[test]
fn load_reads_a_file_as_batch_does() -> Result<(), Error> {
    let dir = Dir::new("load");
    std::fs::write(
        dir.path().join("f.txt"),
        "a = (1 +\n2)\na * 10\n\n# comment\nb = 2\nb * 5\n",
    )
    .expect("a file");
    let batch = std::process::Command::new(env!("CARGO_BIN_EXE_exprflow"))
        .arg("batch")
        .arg(dir.path().join("f.txt"))
        .output()
        .expect("batch runs");
    let batch_out = String::from_utf8_lossy(&batch.stdout);
    assert!(!batch_out.contains("30"), "{batch_out}");
    let mut repl = start(&dir, "")?;
    let _ = ask(&mut repl, "a = 5")?;
    let shown = ask(&mut repl, ":load f.txt")?;
    assert!(!shown.contains("30"), "{shown}");
    for line in [
        "1: error: syntax error",
        "2: error: syntax error",
        "3: error: syntax error",
    ] {
        assert!(shown.contains(line), "{line} in {shown}");
    }
    assert!(shown.contains("reached from line 3"), "{shown}");
    assert!(shown.contains("6: b = 2"), "{shown}");
    assert!(shown.contains("7: 10"), "{shown}");
    // After the file, the session's rule: its failed lines bound nothing.
    let shown = ask(&mut repl, "a * 2")?;
    assert!(shown.contains("10"), "{shown}");
    quit(repl)
}

#[test]
fn an_interrupted_assignment_is_undone() -> Result<(), Error> {
    let dir = Dir::new("interrupted");
    let mut repl = start(&dir, "-j 2")?;
    let _ = ask(&mut repl, ":trace on")?;
    repl.send_line("w = delay(8, 20000)")?;
    repl.exp_string("nodes done")?;
    repl.send_control('c')?;
    let shown = repl.exp_string(">>> ")?;
    assert!(shown.contains("w is not bound"), "{shown}");
    assert!(
        shown.contains("cancelled before any node finished"),
        "{shown}"
    );
    let shown = ask(&mut repl, "w")?;
    assert!(shown.contains("unknown variable"), "{shown}");
    let shown = ask(&mut repl, ":vars")?;
    assert!(!shown.contains("w ="), "{shown}");
    // With an earlier value, the name keeps it.
    let _ = ask(&mut repl, "w = 1")?;
    repl.send_line("w = delay(8, 20000)")?;
    repl.exp_string("nodes done")?;
    repl.send_control('c')?;
    let shown = repl.exp_string(">>> ")?;
    assert!(shown.contains("w keeps its earlier value"), "{shown}");
    let shown = ask(&mut repl, "w + 1")?;
    assert!(shown.contains('2'), "{shown}");
    quit(repl)
}

#[test]
fn dag_counts_shared_constants_as_saved() -> Result<(), Error> {
    let dir = Dir::new("dag");
    let mut repl = start(&dir, "")?;
    let _ = ask(&mut repl, "delay(1,20)+delay(2,20)")?;
    let shown = ask(&mut repl, ":dag")?;
    assert!(
        shown.contains("6 distinct nodes (7 as a plain tree): sharing saved 1"),
        "{shown}"
    );
    quit(repl)
}

#[test]
fn a_timeout_reads_as_in_eval() -> Result<(), Error> {
    let dir = Dir::new("timeout");
    let mut repl = start(&dir, "")?;
    let _ = ask(&mut repl, ":timeout 100ms")?;
    let shown = ask(&mut repl, "delay(1, 60000)")?;
    assert!(
        shown.contains("error: timed out: the limit of 100 ms passed"),
        "{shown}"
    );
    assert!(shown.contains("^^^^"), "{shown}");
    quit(repl)
}

#[test]
fn dot_and_dag_name_nodes_as_just_typed() -> Result<(), Error> {
    let dir = Dir::new("dotlabels");
    let mut repl = start(&dir, "")?;
    let _ = ask(&mut repl, "a = 1_0 + 3.0")?;
    let _ = ask(&mut repl, "2 *  3")?;
    let shown = ask(&mut repl, ":dot 10+3")?;
    assert!(shown.contains("tooltip=\"10+3\""), "{shown}");
    assert!(!shown.contains("1_0"), "{shown}");
    let shown = ask(&mut repl, ":dot 1+2*3")?;
    assert!(shown.contains("tooltip=\"2*3\""), "{shown}");
    let shown = ask(&mut repl, ":dag a*2")?;
    assert!(shown.contains("+ = 13   a"), "{shown}");
    quit(repl)
}

// ---- Issue 23: the REPL's second look ----

#[test]
fn a_definition_goes_on_after_its_equals_sign() -> Result<(), Error> {
    let dir = Dir::new("continue");
    let mut repl = start(&dir, "")?;
    repl.send_line("f(x) =")?;
    repl.exp_string("... ")?;
    repl.send_line("  x * 2")?;
    repl.exp_string("f(x)")?;
    repl.exp_string(">>> ")?;
    // A line ending in an operator goes on too.
    repl.send_line("f(21) +")?;
    let shown = repl.exp_string("... ")?;
    assert!(!shown.contains("syntax error"), "{shown}");
    let shown = ask(&mut repl, "0")?;
    assert!(shown.contains("42"), "{shown}");
    quit(repl)
}

#[test]
fn stats_count_only_this_statements_calls() -> Result<(), Error> {
    let dir = Dir::new("stats-calls");
    let mut repl = start(&dir, "")?;
    let _ = ask(&mut repl, "f(n) = if(n < 1, 0, f(n-1) + 1)")?;
    let _ = ask(&mut repl, ":stats on")?;
    let shown = ask(&mut repl, "f(50)")?;
    assert!(shown.contains("calls        51 distinct"), "{shown}");
    // f(60) computes f(60) down to f(51) and finds f(50) in the memo.
    let shown = ask(&mut repl, "f(60)")?;
    assert!(shown.contains("calls        10 distinct"), "{shown}");
    assert!(shown.contains("(1 answered from the memo)"), "{shown}");
    quit(repl)
}

/// The process of the REPL started in `dir` (its working directory, which
/// no other process shares).
fn pid_of_repl_in(dir: &std::path::Path) -> i32 {
    let dir = dir.canonicalize().expect("the REPL's directory");
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .find(|pid| {
            let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).ok();
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            cwd.as_deref() == Some(dir.as_path()) && comm.trim() == "exprflow"
        })
        .expect("the REPL's process")
}

/// The resident memory of process `pid`, in KiB.
fn rss_kib(pid: i32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Waits until `pid`'s resident memory satisfies `good`, for at most 60 s
/// (only a bound on a hang: it takes a second or two).
fn wait_for_rss(pid: i32, good: impl Fn(u64) -> bool) -> u64 {
    let patience = std::time::Instant::now();
    loop {
        let rss = rss_kib(pid);
        if good(rss) || patience.elapsed() > std::time::Duration::from_secs(60) {
            return rss;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A recursion cancelled with Ctrl-C gives its memory back: before, about
/// 400 MB stayed resident for the rest of the session.
#[cfg(target_os = "linux")]
#[test]
fn memory_is_given_back_after_ctrl_c_cancels_a_big_recursion() -> Result<(), Error> {
    let dir = Dir::new("give-back");
    let mut repl = start(&dir, "--max-nodes 400000000 --workers 2")?;
    let pid = pid_of_repl_in(dir.path());
    let _ = ask(&mut repl, "h(x) = h(x+1)")?;
    let before = rss_kib(pid);
    repl.send_line("h(1)")?;
    let peak = wait_for_rss(pid, |rss| rss > before + 300_000);
    assert!(
        peak > before + 300_000,
        "the recursion grew to {peak} KiB only"
    );
    repl.send_control('c')?;
    repl.exp_string("cancelled")?;
    repl.exp_string(">>> ")?;
    let after = wait_for_rss(pid, |rss| rss < before + 100_000);
    assert!(
        after < before + 100_000,
        "{after} KiB resident after the cancel ({before} KiB before, {peak} KiB at the peak)"
    );
    quit(repl)
}

/// A value past 4,300 digits is summarised; `:full` prints it whole, and
/// Ctrl-C stops that printing. Here stdin and stdout are pipes: the test
/// stops reading, so the REPL blocks in the middle of the value, and the
/// Ctrl-C certainly comes while it prints.
#[cfg(target_os = "linux")]
#[test]
fn huge_values_are_summarised_and_ctrl_c_stops_full_printing() {
    use std::io::{BufRead, Read, Write};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_exprflow"))
        .arg("repl")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"x = 3^(10^6)\n:full\n").unwrap();
    stdin.flush().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut summary = String::new();
    while !summary.contains("x = ") {
        summary.clear();
        assert!(stdout.read_line(&mut summary).unwrap() > 0, "no summary");
    }
    assert_eq!(
        summary.trim_end(),
        "x = <integer of 477,122 digits: 17977101166757438380…97468478655220000001 \
         (a summary: :full prints every digit)>"
    );
    // The whole value has begun to come out.
    let mut digits = [0u8; 1000];
    stdout.read_exact(&mut digits).unwrap();
    assert!(digits.iter().all(u8::is_ascii_digit));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    drop(stdin);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed = 1000 + rest.bytes().take_while(u8::is_ascii_digit).count();
    assert!(printed < 477_122, "all {printed} digits printed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("printing stopped by Ctrl-C"), "{err}");
}
