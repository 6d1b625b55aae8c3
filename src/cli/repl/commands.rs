//! The REPL's `:` commands: their names, what they take, and `:help`.

use super::style::Style;

/// One `:` command as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// `:help [NAME]`
    Help(&'a str),
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
    /// `:dot [EXPR|on|off]`
    Dot(&'a str),
    /// `:stats [on|off]`
    Stats(&'a str),
    /// `:timeline [FILE|off]`
    Timeline(&'a str),
    /// `:trace [on|off]`
    Trace(&'a str),
    /// `:timeout [D|off]`
    Timeout(&'a str),
    /// `:load FILE`
    Load(&'a str),
    /// `:full [on|off]`
    Full(&'a str),
    /// `:quit`
    Quit,
}

/// Every command: name, argument synopsis, one-line description.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        ":help",
        "[NAME]",
        "this help; :help NAME for a command or topic",
    ),
    (":vars", "", "the variables and their values"),
    (":workers", "[N]", "show or set the number of pool workers"),
    (":seq", "", "use the sequential reference evaluator"),
    (":par", "", "use the worker pool (the default)"),
    (
        ":time",
        "EXPR",
        "EXPR sequentially and in parallel: speedup, bound",
    ),
    (
        ":dag",
        "[EXPR]",
        "EXPR (default: the last statement) as a tree",
    ),
    (
        ":dot",
        "[EXPR|on|off]",
        "EXPR's DAG as Graphviz DOT; on: every statement",
    ),
    (
        ":trace",
        "[on|off]",
        "list each evaluation's nodes, workers and times",
    ),
    (
        ":stats",
        "[on|off]",
        "work, span and speedup after each evaluation",
    ),
    (
        ":timeline",
        "[FILE|off]",
        "write each evaluation's SVG timeline to FILE",
    ),
    (
        ":timeout",
        "[D|off]",
        "give up after D (500ms, 2s, 1m); 0 or off: never",
    ),
    (
        ":load",
        "FILE",
        "run FILE as `exprflow batch` does, in this session",
    ),
    (
        ":full",
        "[on|off]",
        "the last value with every digit; on: every value",
    ),
    (":quit", "", "leave (so do exit, quit, exit(), Ctrl-D)"),
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
        ":help" | ":h" | ":?" => Ok(Command::Help(rest)),
        ":vars" => no_argument(Command::Vars),
        ":workers" | ":j" => Ok(Command::Workers(rest)),
        ":seq" => no_argument(Command::Seq),
        ":par" => no_argument(Command::Par),
        ":time" => needs_argument(Command::Time(rest), "an expression, e.g. :time fib(10000)"),
        ":dag" => Ok(Command::Dag(rest)),
        ":dot" => Ok(Command::Dot(rest)),
        ":stats" => Ok(Command::Stats(rest)),
        ":timeline" => Ok(Command::Timeline(rest)),
        ":trace" => Ok(Command::Trace(rest)),
        ":timeout" => Ok(Command::Timeout(rest)),
        ":load" => needs_argument(Command::Load(rest), "a file name"),
        ":full" => Ok(Command::Full(rest)),
        ":quit" | ":q" | ":exit" => no_argument(Command::Quit),
        _ => Err(format!("unknown command {name} (try :help)")),
    }
}

/// The other names of a command, as `:help` shows them.
fn aliases(name: &str) -> &'static str {
    match name {
        ":help" => ", :h",
        ":workers" => ", :j",
        ":quit" => ", :q",
        _ => "",
    }
}

/// Words a person types for a REPL action, as in Python's REPL: `exit`,
/// `quit`, `exit()` and `quit()` leave; `help` and `help()` show `:help`.
pub fn python_word(line: &str) -> Option<Command<'static>> {
    match line.trim() {
        "exit" | "quit" | "exit()" | "quit()" => Some(Command::Quit),
        "help" | "help()" => Some(Command::Help("")),
        _ => None,
    }
}

/// The language, for `:help language`.
const LANGUAGE: &str = "\
  Type arithmetic and press Enter:   (3+7)*(2+8)*((2*3)-1)
  Name a value:                      x = 2^100
  The last value is _:               _ + 1
  Operators: + - * / // % ^ (or **) and n!   Exact: 1/3 stays 1/3, 0.1 is 1/10
  Functions: abs min max gcd lcm fact binom fib isqrt sqrt floor ceil round
             num den float exact ln exp log2 log10 sin cos tan
             delay(x, ms): x after ms of waiting (simulated I/O, holds no worker)
             busy(x, ms):  x after ms of CPU work on a worker
  Constants: pi e tau.  # starts a comment.
  Compare: < <= > >= == != give 1 or 0; if(c, a, b) runs only the branch taken
  Define:  f(x, y) = x^2 + y   then   f(3, 4)   (computed once per arguments)
  An expression is a DAG: equal subexpressions are one node, computed once,
  and independent nodes run at the same time on the worker pool. Results stay
  in the session's DAG, so later statements reuse them. Cheap arithmetic is
  grouped into one task (scheduling it would cost more than computing it):
  busy() and delay() make work worth spreading over the workers.
";

/// The keys, for `:help keys`.
const KEYS: &str = "\
  Tab          complete functions, variables and commands
  Up/Down      recall earlier input (kept across sessions)
  Ctrl-C       cancel a running evaluation (the session is kept), or stop
               printing a long value
  Ctrl-D       quit (so do exit, quit, exit(), quit() and :q)
  An open ( or a line ending in an operator or = continues on the next
  line (prompt ...).
";

/// Things to try, for `:help try`.
const TRY: &str = "\
  :trace on
  busy(1, 300) + busy(2, 300) + busy(3, 300)   # three workers at once?
  :dag (2+3)*(2+3)                             # one node for 2+3
  :time busy(1, 500) * busy(2, 500)
  :stats on
  delay(1, 300) + delay(2, 300)                # 0.3 s: delays wait together
  busy(1, 20000)                               # then press Ctrl-C
";

/// The text of `:help` (no topic: a page that fits a 24-row terminal) or
/// of `:help NAME` (a command, with or without its `:`, or one of the
/// topics `language`, `keys` and `try`).
pub fn help(style: Style, topic: &str) -> String {
    let topic = topic.trim();
    let mut out = String::new();
    match topic {
        "" => {}
        "language" | "expressions" => {
            out.push_str(&style.heading("Expressions"));
            out.push('\n');
            out.push_str(LANGUAGE);
            return out;
        }
        "keys" => {
            out.push_str(&style.heading("Keys"));
            out.push('\n');
            out.push_str(KEYS);
            return out;
        }
        "try" => {
            out.push_str(&style.heading("Try"));
            out.push('\n');
            out.push_str(TRY);
            return out;
        }
        name => {
            let name = format!(":{}", name.trim_start_matches(':'));
            let Some(command) = COMMANDS
                .iter()
                .find(|(n, _, _)| *n == name || aliases(n).split(", ").any(|a| a == name))
            else {
                return format!(
                    "no help on `{topic}`: try a command (:help trace), language, keys or try\n"
                );
            };
            out.push_str(&command_line(command));
            return out;
        }
    }
    out.push_str(
        "Type an expression and press Enter: (3+7)*(2+8)*((2*3)-1); x = 2^100 names a\n\
         value, _ is the last one. Operators + - * / // % ^ n!; functions such as sqrt,\n\
         fact, min, float; delay(x, ms) waits without a worker, busy(x, ms) works on one.\n",
    );
    out.push_str(&style.heading("Commands"));
    out.push('\n');
    for command in COMMANDS {
        out.push_str(&command_line(command));
    }
    out.push_str(&style.heading("More"));
    out.push_str(": :help language, :help keys, :help try, :help COMMAND. Tab completes.\n");
    out
}

/// One line of `:help`: a command's names, its arguments and what it does.
fn command_line((name, args, what): &(&str, &str, &str)) -> String {
    let names = format!("{name}{}", aliases(name));
    let synopsis = if args.is_empty() {
        names
    } else {
        format!("{names} {args}")
    };
    format!("  {synopsis:<22} {what}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_and_arguments() {
        assert_eq!(parse(":help"), Ok(Command::Help("")));
        assert_eq!(parse(":h trace"), Ok(Command::Help("trace")));
        assert_eq!(python_word(" exit() "), Some(Command::Quit));
        assert_eq!(python_word("help"), Some(Command::Help("")));
        assert_eq!(python_word("exits"), None);
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
        let text = help(Style { enabled: false }, "");
        for (name, _, _) in COMMANDS {
            assert!(text.contains(name), "{name} missing from :help");
        }
        assert!(text.contains(":h,") || text.contains(", :h "), "{text}");
        assert!(text.contains(":quit, :q"), "{text}");
        // It fits a 24-row terminal, prompt included, 80 columns wide.
        assert!(text.lines().count() <= 23, "{} lines", text.lines().count());
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "too wide: {line}");
        }
        for topic in ["language", "keys", "try", "trace", ":load", "q"] {
            let text = help(Style { enabled: false }, topic);
            assert!(!text.starts_with("no help"), "{topic}: {text}");
        }
    }
}
