//! The batch progress bar: on stderr, only on a terminal, only for runs
//! longer than about a quarter second, never on stdout.

use std::path::PathBuf;
use std::process::Command as Process;
use std::sync::OnceLock;

use assert_cmd::Command;

mod support;

fn exprflow() -> Command {
    Command::cargo_bin("exprflow").unwrap()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exprflow-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

const SLOW: &str = "delay(1, 400)\ndelay(2, 700)\n3\n";

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let out = exprflow().arg("batch").write_stdin(SLOW).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "1\n2\n3\n");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether `script` (util-linux) runs here: checked once, on `true`.
fn script_works() -> bool {
    static WORKS: OnceLock<bool> = OnceLock::new();
    *WORKS.get_or_init(|| {
        Process::new("script")
            .args(["-qec", "true", "/dev/null"])
            .stdin(std::process::Stdio::null())
            .output()
            .is_ok_and(|out| out.status.success())
    })
}

/// Runs `shell` under `script`, which gives it a pseudo-terminal, and
/// returns what the terminal showed; `None` (a visible skip, a failure in
/// CI) when `script` itself does not work here. Once it does, any failure
/// of the run (an exprflow crash included) fails the test.
fn on_a_terminal(test: &str, shell: &str) -> Option<String> {
    if !script_works() {
        support::skip_or_fail(test, "`script` (util-linux) does not run here");
        return None;
    }
    let out = Process::new("script")
        .args(["-qec", shell, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` ran on `true` but not now");
    assert!(
        out.status.success(),
        "{shell} failed under `script` ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_slow_batch_shows_progress_on_a_terminal_and_keeps_stdout_clean() {
    let input = temp("slow.txt");
    let output = temp("slow.out");
    std::fs::write(&input, SLOW).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("exprflow");
    let shell = format!(
        "'{}' batch '{}' > '{}'",
        bin.display(),
        input.display(),
        output.display()
    );
    let Some(screen) = on_a_terminal("a_slow_batch_shows_progress", &shell) else {
        return;
    };
    assert!(
        screen.contains("/3 lines"),
        "no progress bar on the terminal: {screen:?}"
    );
    // The bar is cleared at the end, and stdout got only the results.
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "1\n2\n3\n");
}

#[test]
fn a_quick_batch_shows_no_progress_even_on_a_terminal() {
    let input = temp("quick.txt");
    let output = temp("quick.out");
    std::fs::write(&input, "1+1\n2*3\n").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("exprflow");
    let shell = format!(
        "'{}' batch '{}' > '{}'",
        bin.display(),
        input.display(),
        output.display()
    );
    // A stalled machine may really take a quarter second for this; the bar
    // must stay away on at least one of three tries.
    let mut screens = Vec::new();
    for _ in 0..3 {
        let Some(screen) = on_a_terminal("a_quick_batch_shows_no_progress", &shell) else {
            return;
        };
        assert_eq!(std::fs::read_to_string(&output).unwrap(), "2\n6\n");
        if !screen.contains("lines") {
            return;
        }
        screens.push(screen);
    }
    panic!("a quick batch showed a progress bar: {screens:?}");
}

#[test]
fn no_progress_turns_it_off_on_a_terminal() {
    let input = temp("off.txt");
    let output = temp("off.out");
    std::fs::write(&input, SLOW).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("exprflow");
    let shell = format!(
        "'{}' batch --no-progress '{}' > '{}'",
        bin.display(),
        input.display(),
        output.display()
    );
    let Some(screen) = on_a_terminal("no_progress_turns_it_off", &shell) else {
        return;
    };
    assert!(!screen.contains("lines"), "{screen:?}");
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "1\n2\n3\n");
}
