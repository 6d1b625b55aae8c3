//! The REPL's `:` commands: their names, what they take, and `:help`.

use super::style::Style;

/// One `:` command as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// `:help`
    Help,
    /// `:vars`
    Vars,
    /// `:workers [N]`
    Workers(&'a str),
    /// `:seq`
    Seq,
    /// `:par`
    Par,
    /// `:time EXPR`
    Time(&'a str),
    /// `:dag [EXPR]`
    Dag(&'a str),
    /// `:dot [EXPR]`
    Dot(&'a str),
    /// `:trace [on|off]`
    Trace(&'a str),
    /// `:timeout [D|off]`
    Timeout(&'a str),
    /// `:load FILE`
    Load(&'a str),
    /// `:quit`
    Quit,
}

/// Every command: name, argument synopsis, one-line description.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (":help", "", "this help"),
    (":vars", "", "list the variables and their values"),
    (":workers", "[N]", "show or set the number of pool workers"),
    (
        ":seq",
        "",
        "evaluate with the sequential reference evaluator",
    ),
    (
        ":par",
        "",
        "evaluate in parallel on the worker pool (default)",
    ),
    (
        ":time",
        "EXPR",
        "run EXPR sequentially and in parallel: wall times, speedup, work/span bound",
    ),
    (
        ":dag",
        "[EXPR]",
        "show EXPR (default: the last statement) as a tree; shared nodes are marked",
    ),
    (
        ":dot",
        "[EXPR]",
        "print EXPR's DAG as Graphviz DOT (`dot -Tsvg`)",
    ),
    (
        ":trace",
        "[on|off]",
        "after each evaluation, list every node in completion order with its worker and times",
    ),
    (
        ":timeout",
        "[D|off]",
        "give up evaluations after D (500ms, 2s, 1m); off: never",
    ),
    (
        ":load",
        "FILE",
        "evaluate every line of FILE into this session, as one DAG",
    ),
    (":quit", "", "leave (also Ctrl-D)"),
];

/// Parses a line that starts with `:`.
pub fn parse<'a>(line: &'a str) -> Result<Command<'a>, String> {
    let line = line.trim();
    let (name, rest) = match line.find(char::is_whitespace) {
        Some(i) => (&line[..i], line[i..].trim()),
        None => (line, ""),
    };
    let no_argument = |command: Command<'static>| {
        if rest.is_empty() {
            Ok(command)
        } else {
            Err(format!("{name} takes no argument"))
        }
    };
    let needs_argument = |command: Command<'a>, what: &str| -> Result<Command<'a>, String> {
        if rest.is_empty() {
            Err(format!("{name} needs {what}"))
        } else {
            Ok(command)
        }
    };
    match name {
        ":help" | ":h" | ":?" => no_argument(Command::Help),
        ":vars" => no_argument(Command::Vars),
        ":workers" | ":j" => Ok(Command::Workers(rest)),
        ":seq" => no_argument(Command::Seq),
        ":par" => no_argument(Command::Par),
        ":time" => needs_argument(Command::Time(rest), "an expression, e.g. :time fib(10000)"),
        ":dag" => Ok(Command::Dag(rest)),
        ":dot" => Ok(Command::Dot(rest)),
        ":trace" => Ok(Command::Trace(rest)),
        ":timeout" => Ok(Command::Timeout(rest)),
        ":load" => needs_argument(Command::Load(rest), "a file name"),
        ":quit" | ":q" | ":exit" => no_argument(Command::Quit),
        _ => Err(format!("unknown command {name} (try :help)")),
    }
}

/// The text of `:help`.
pub fn help(style: Style) -> String {
    let mut out = String::new();
    out.push_str(&style.heading("Expressions"));
    out.push_str(
        "\n  Type arithmetic and press Enter:   (3+7)*(2+8)*((2*3)-1)\n\
         \x20 Name a value:                      x = 2^100\n\
         \x20 The last value is _:               _ + 1\n\
         \x20 Operators: + - * / // % ^ (or **) and n!   Exact: 1/3 stays 1/3\n\
         \x20 Functions: abs min max gcd lcm fact binom fib isqrt sqrt floor ceil round\n\
         \x20            num den float exact ln exp log2 log10 sin cos tan\n\
         \x20            delay(x, ms): x after ms of waiting (simulated I/O, holds no worker)\n\
         \x20            busy(x, ms):  x after ms of CPU work on a worker\n\
         \x20 Constants: pi e tau.  # starts a comment.\n\
         \x20 An expression is a DAG: equal subexpressions are one node, computed once,\n\
         \x20 and independent nodes run at the same time on the worker pool. Results stay\n\
         \x20 in the session's DAG, so later statements reuse them. Cheap arithmetic is\n\
         \x20 grouped into one task (scheduling it would cost more than computing it):\n\
         \x20 busy() and delay() make work worth spreading over the workers.\n\n",
    );
    out.push_str(&style.heading("Commands"));
    out.push('\n');
    for (name, args, what) in COMMANDS {
        let synopsis = if args.is_empty() {
            name.to_string()
        } else {
            format!("{name} {args}")
        };
        out.push_str(&format!("  {:<18} {what}\n", synopsis));
    }
    out.push('\n');
    out.push_str(&style.heading("Keys"));
    out.push_str(
        "\n  Tab          complete functions, variables and commands\n\
         \x20 Up/Down      recall earlier input (kept across sessions)\n\
         \x20 Ctrl-C       cancel a running evaluation (the session is kept)\n\
         \x20 Ctrl-D       quit\n\
         \x20 An open ( continues on the next line (prompt ...).\n\n",
    );
    out.push_str(&style.heading("Try"));
    out.push_str(
        "\n  :trace on\n\
         \x20 busy(1, 300) + busy(2, 300) + busy(3, 300)   # three workers at once?\n\
         \x20 :dag (2+3)*(2+3)                             # one node for 2+3\n\
         \x20 :time busy(1, 500) * busy(2, 500)\n\
         \x20 busy(1, 20000)                               # then press Ctrl-C\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_and_arguments() {
        assert_eq!(parse(":help"), Ok(Command::Help));
        assert_eq!(parse("  :q  "), Ok(Command::Quit));
        assert_eq!(parse(":workers 4"), Ok(Command::Workers("4")));
        assert_eq!(parse(":workers"), Ok(Command::Workers("")));
        assert_eq!(parse(":time  1 + 2 "), Ok(Command::Time("1 + 2")));
        assert_eq!(parse(":dag"), Ok(Command::Dag("")));
        assert_eq!(parse(":trace on"), Ok(Command::Trace("on")));
        assert_eq!(parse(":load a b.txt"), Ok(Command::Load("a b.txt")));
        assert!(parse(":time").is_err());
        assert!(parse(":vars x").is_err());
        assert!(
            parse(":nope")
                .unwrap_err()
                .contains("unknown command :nope")
        );
    }

    #[test]
    fn help_lists_every_command() {
        let text = help(Style { enabled: false });
        for (name, _, _) in COMMANDS {
            assert!(text.contains(name), "{name} missing from :help");
        }
    }
}
