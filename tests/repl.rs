//! The REPL driven like a person would: the real binary on a
//! pseudo-terminal (rexpect), typing lines, pressing Ctrl-C, Ctrl-D and the
//! arrow keys, and reading the screen.
//!
//! Every test gets its own temporary `HOME` and `XDG_STATE_HOME`
//! (`support/pty.rs`), so the history file of the person running the tests
//! is never touched. Output is read with ANSI escapes stripped.
#![cfg(unix)]

#[path = "support/pty.rs"]
mod pty;

use rexpect::error::Error;
use rexpect::session::PtySession;

use pty::{StateDir, TempHome, spawn_repl};

/// Starts `exprflow repl` on a pseudo-terminal and waits for its banner
/// and first prompt.
fn start(home: &TempHome, state: StateDir) -> Result<PtySession, Error> {
    let mut repl = spawn_repl(home, state, "--workers 2")?;
    repl.exp_string("for help")?;
    repl.exp_string(">>> ")?;
    Ok(repl)
}

/// Types `line`, waits for `answer`, then for the next prompt.
fn ask(repl: &mut PtySession, line: &str, answer: &str) -> Result<(), Error> {
    repl.send_line(line)?;
    repl.exp_string(answer)?;
    repl.exp_string(">>> ")?;
    Ok(())
}

/// Ends the session with Ctrl-D and checks that it exits cleanly.
fn quit_with_ctrl_d(mut repl: PtySession) -> Result<(), Error> {
    repl.send_control('d')?;
    repl.exp_eof()?;
    let status = repl.process().wait()?;
    assert!(
        format!("{status:?}").ends_with(", 0)"),
        "exit status {status:?}"
    );
    Ok(())
}

#[test]
fn the_mission_example_prints_500() -> Result<(), Error> {
    let home = TempHome::new("mission");
    let mut repl = start(&home, StateDir::Xdg)?;
    ask(&mut repl, "(3+7)*(2+8)*((2*3)-1)", "500")?;
    quit_with_ctrl_d(repl)
}

#[test]
fn assignment_underscore_and_multi_line_input() -> Result<(), Error> {
    let home = TempHome::new("statements");
    let mut repl = start(&home, StateDir::Xdg)?;
    ask(&mut repl, "x = 6*7", "x = 42")?;
    ask(&mut repl, "_ + 1", "43")?;
    ask(&mut repl, "x // 5", "8")?;
    // An open parenthesis continues on the next line, with its own prompt.
    repl.send_line("(x *")?;
    repl.exp_string("... ")?;
    repl.send_line("  10  # a comment")?;
    repl.exp_string("... ")?;
    ask(&mut repl, ")", "420")?;
    ask(&mut repl, "_ / 4", "105")?;
    quit_with_ctrl_d(repl)
}

#[test]
fn errors_show_a_caret_and_the_session_survives() -> Result<(), Error> {
    let home = TempHome::new("errors");
    let mut repl = start(&home, StateDir::Xdg)?;
    ask(&mut repl, "y = 5", "y = 5")?;
    repl.send_line("y + 1/0")?;
    repl.exp_string("division by zero")?;
    repl.exp_string("<input>:1:5")?;
    repl.exp_string("^^^")?;
    repl.exp_string(">>> ")?;
    ask(&mut repl, "nope(1)", "unknown function")?;
    ask(&mut repl, "2 +* 3", "syntax error")?;
    ask(&mut repl, "y * 2", "10")?;
    // An error does not replace `_`: it stays the last value.
    ask(&mut repl, "1/0", "division by zero")?;
    ask(&mut repl, "_ + 1", "11")?;
    ask(&mut repl, ":nonsense", "unknown command")?;
    ask(&mut repl, "y", "5")?;
    quit_with_ctrl_d(repl)
}

/// The evaluations take ten minutes unless Ctrl-C cancels them, so a
/// Ctrl-C that does not work is a hang, caught by the session's patience
/// (`PATIENCE_MS`); no other time is asserted. Cancellation itself takes
/// milliseconds.
#[test]
fn ctrl_c_cancels_a_running_evaluation_and_keeps_the_variables() -> Result<(), Error> {
    let home = TempHome::new("ctrl-c");
    let mut repl = start(&home, StateDir::Xdg)?;
    ask(&mut repl, "z = 7", "z = 7")?;
    repl.send_line("busy(1, 600000)")?;
    // The live progress line shows up after a quarter of a second.
    repl.exp_string("nodes done")?;
    repl.send_control('c')?;
    repl.exp_string("cancelled")?;
    repl.exp_string(">>> ")?;
    ask(&mut repl, "z + 1", "8")?;
    // Ctrl-C at an empty prompt, twice, does no harm.
    repl.send_control('c')?;
    repl.exp_string(":quit leaves")?;
    repl.send_control('c')?;
    repl.exp_string(":quit leaves")?;
    ask(&mut repl, "z * 2", "14")?;
    // In sequential mode too.
    ask(&mut repl, ":seq", "sequential")?;
    repl.send_line("busy(2, 600000)")?;
    repl.exp_string("nodes done")?;
    repl.send_control('c')?;
    repl.exp_string("cancelled")?;
    repl.exp_string(">>> ")?;
    ask(&mut repl, "z - 1", "6")?;
    quit_with_ctrl_d(repl)
}

#[test]
fn history_survives_a_restart() -> Result<(), Error> {
    let home = TempHome::new("history");
    let mut repl = start(&home, StateDir::Xdg)?;
    ask(&mut repl, "12345 + 1", "12346")?;
    repl.send_line(":quit")?;
    repl.exp_eof()?;
    let file = home.state().join("exprflow").join("history");
    let saved = std::fs::read_to_string(&file).expect("history file");
    assert!(saved.contains("12345 + 1"), "{saved}");
    assert!(!saved.contains(":quit"), "{saved}");

    let mut repl = start(&home, StateDir::Xdg)?;
    repl.send("\x1b[A")?; // up arrow
    repl.flush()?;
    repl.exp_string("12345 + 1")?;
    repl.send("\r")?;
    repl.flush()?;
    repl.exp_string("12346")?;
    repl.exp_string(">>> ")?;
    quit_with_ctrl_d(repl)
}

#[test]
fn history_falls_back_to_home_without_xdg_state_home() -> Result<(), Error> {
    let home = TempHome::new("history-home");
    let mut repl = start(&home, StateDir::HomeOnly)?;
    ask(&mut repl, "2^10", "1024")?;
    quit_with_ctrl_d(repl)?;
    let file = home
        .path()
        .join(".local")
        .join("state")
        .join("exprflow")
        .join("history");
    let saved = std::fs::read_to_string(&file).expect("history file");
    assert!(saved.contains("2^10"), "{saved}");
    Ok(())
}

#[test]
fn tab_completes_functions_and_variables() -> Result<(), Error> {
    let home = TempHome::new("completion");
    let mut repl = start(&home, StateDir::Xdg)?;
    ask(&mut repl, "width = 3", "width = 3")?;
    repl.send("fa\t")?;
    repl.flush()?;
    repl.exp_string("fact(")?;
    repl.send("wid\t")?;
    repl.flush()?;
    repl.exp_string("width")?;
    ask(&mut repl, ")", "6")?;
    quit_with_ctrl_d(repl)
}

#[test]
fn commands_show_the_dag_trace_and_timings() -> Result<(), Error> {
    let home = TempHome::new("commands");
    let mut repl = start(&home, StateDir::Xdg)?;
    ask(&mut repl, ":help", ":timeout")?;
    ask(&mut repl, "a = 2+3", "a = 5")?;
    repl.send_line(":dag (2+3)*(2+3)")?;
    // (rexpect reads bytes as Latin-1: match ASCII only.)
    repl.exp_string("[#1 shared, used 2")?;
    repl.exp_string("#1 (shared: see above)")?;
    repl.exp_string(">>> ")?;
    ask(&mut repl, ":dot a * a", "digraph")?;
    ask(&mut repl, ":vars", "a = 5")?;
    ask(&mut repl, ":trace on", "trace on")?;
    repl.send_line("busy(1, 30) + busy(2, 30)")?;
    repl.exp_string("\n3\r\n")?;
    repl.exp_string("in completion order")?;
    repl.exp_string("worker")?;
    repl.exp_string(">>> ")?;
    // A subexpression computed earlier in the session is not computed again.
    ask(&mut repl, "busy(7, 20) * 2", "14")?;
    ask(
        &mut repl,
        "busy(7, 20) * 3",
        "trace: 1 node in completion order",
    )?;
    ask(&mut repl, ":trace off", "trace off")?;
    repl.send_line(":time busy(1, 40) * busy(2, 40)")?;
    repl.exp_string("sequential")?;
    repl.exp_string("speedup")?;
    repl.exp_string("span")?;
    repl.exp_string(">>> ")?;
    ask(&mut repl, ":workers 3", "parallel on 3 workers")?;
    ask(&mut repl, ":timeout 200ms", "timeout 200 ms")?;
    ask(&mut repl, "delay(1, 60000)", "timed out")?;
    ask(&mut repl, ":timeout off", "no timeout")?;
    let file = home.path().join("numbers.txt");
    std::fs::write(&file, "n = 10\nn * n\n# a comment\n1/0\nmax(n,\n  11)\n").expect("write");
    repl.send_line(":load numbers.txt")?;
    repl.exp_string("n = 10")?;
    repl.exp_string("100")?;
    repl.exp_string("division by zero")?;
    repl.exp_string("11")?;
    repl.exp_string(">>> ")?;
    ask(&mut repl, "n + a", "15")?;
    repl.send_line(":quit")?;
    repl.exp_eof()?;
    Ok(())
}

/// SPEC section 5: a statement that fails binds nothing, in the REPL as in
/// `Session::eval` (Python's habit): the name keeps its earlier value.
#[test]
fn a_failed_assignment_keeps_the_earlier_value() -> Result<(), Error> {
    let home = TempHome::new("failed-assignment");
    let mut repl = start(&home, StateDir::Xdg)?;
    ask(&mut repl, "x = 5", "x = 5")?;
    ask(&mut repl, "x = 2 +* 3", "syntax error")?;
    ask(&mut repl, "x * 2", "10")?;
    ask(&mut repl, "x = 1/0", "division by zero")?;
    ask(&mut repl, "x + 1", "6")?;
    ask(&mut repl, "w = 1/0", "division by zero")?;
    ask(&mut repl, "w", "unknown variable")?;
    quit_with_ctrl_d(repl)
}
