//! `--sequential` is one thread end to end: the front end too. A huge line
//! is otherwise split into chunks parsed and built on exprflow's parse
//! threads (`exprflow-parse-N`), which stay alive; with `--sequential`
//! the process has no such thread.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// The names of the threads of process `pid`.
fn thread_names(pid: u32) -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        .map(|comm| comm.trim().to_string())
        .collect()
}

/// How many threads of `names` may do front-end work: the main thread,
/// any thread of rayon's global pool (unnamed, so `exprflow`) and the
/// parse threads (`exprflow-parse-N`, cut to 15 bytes by the kernel).
fn unnamed(names: &[String]) -> usize {
    names
        .iter()
        .filter(|name| *name == "exprflow" || name.starts_with("exprflow-parse"))
        .count()
}

/// Runs `exprflow batch --as-completed ARGS` on a 230 KB sum (long enough
/// to split) then a 20 s `delay`; once the sum is printed (so the front
/// end is done, and the global pool's threads, once started, stay), the
/// names of the process's threads. Then stops it.
fn threads_after_the_front_end(args: &[&str]) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_exprflow"))
        .args(["batch", "--as-completed"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start exprflow");
    let sum: Vec<String> = (0..60_000).map(|i| (i % 1000).to_string()).collect();
    let input = format!("{}\ndelay(1, 20000)\n", sum.join(" + "));
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).expect("write the input");
    drop(stdin);
    let mut first = String::new();
    let stdout = child.stdout.take().expect("stdout");
    let read = BufReader::new(stdout).read_line(&mut first);
    let names = thread_names(child.id());
    let _ = child.kill();
    let _ = child.wait();
    read.expect("the first line");
    assert_eq!(first.trim(), "1: 29970000", "the sum, printed first");
    names
}

#[test]
fn sequential_front_end_uses_no_pool_thread() {
    let names = threads_after_the_front_end(&["--sequential"]);
    assert_eq!(unnamed(&names), 1, "{names:?}");
    if std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
        // The same input without it does use the pool (so the check above
        // can fail).
        let names = threads_after_the_front_end(&["-j", "2"]);
        assert!(unnamed(&names) > 1, "{names:?}");
    }
}
