//! Command-line arguments (clap).

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::dag::DagLimits;
use crate::value::Limits;
use clap::{Args, CommandFactory, Parser, Subcommand};

/// exprflow: arithmetic as a DAG of futures, evaluated concurrently.
#[derive(Parser, Debug)]
#[command(name = "exprflow", version, about, long_about = None, after_help = super::help::TOP)]
pub struct Cli {
    /// What to do; without one: the REPL on a terminal, batch on piped stdin.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Evaluate each EXPR, one result per line.
    #[command(after_help = super::help::eval())]
    Eval {
        /// Evaluation options.
        #[command(flatten)]
        options: RunOptions,
        /// Expressions (or `name = expr` statements); may begin with `-`.
        #[arg(required = true, value_name = "EXPR")]
        exprs: Vec<String>,
    },
    /// Evaluate one statement per line of FILE (or stdin) as one DAG.
    #[command(after_help = super::help::batch())]
    Batch {
        /// Evaluation options.
        #[command(flatten)]
        options: RunOptions,
        /// Print `LINE: value` in completion order instead of input order.
        #[arg(long)]
        as_completed: bool,
        /// The file to read; stdin when absent or `-`.
        file: Option<PathBuf>,
    },
    /// Interactive session (the default on a terminal).
    #[command(after_help = super::help::repl())]
    Repl {
        /// Evaluation options.
        #[command(flatten)]
        options: RunOptions,
    },
    /// Start the live view: a web page (on 127.0.0.1) where programs run
    /// and their DAG and workers are watched live.
    #[cfg(feature = "serve")]
    Serve(super::serve_args::ServeArgs),
}

/// Options shared by every way of evaluating.
#[derive(Args, Debug, Clone, Default)]
pub struct RunOptions {
    /// Number of pool workers, 1 to 1024 (default: the number of CPUs).
    #[arg(short = 'j', long = "workers", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=crate::eval::MAX_WORKERS as i64))]
    pub workers: Option<u16>,
    /// One thread end to end: the sequential reference evaluator instead
    /// of the pool, and a serial front end (no statement parsed in
    /// parallel, no huge statement split into chunks).
    #[arg(long)]
    pub sequential: bool,
    /// Give up after DURATION (e.g. `500ms`, `2s`, `1.5` seconds, `1m 30s`,
    /// `10d`; `0`: no limit).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
    pub timeout: Option<Duration>,
    /// Bit limit of exact results (default 2^24).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_bits: Option<u64>,
    /// Most nodes the DAG may have.
    #[arg(long, value_name = "N")]
    pub max_nodes: Option<usize>,
    /// Deepest nesting of parentheses and calls.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,
    /// Most memory for big values alive at once (e.g. `512MiB`, `2GiB`;
    /// default 1GiB); past it, `result too large`.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
    /// Longest `delay`/`busy` one node may ask for.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
    pub max_wait: Option<Duration>,
    /// Every node its own task (no fusion of cheap subgraphs); for study.
    #[arg(long, hide = true)]
    pub no_fuse: bool,
    /// Print the DAG as Graphviz DOT (values included) instead of the
    /// results; `--dot=FILE` writes it to FILE and prints the results.
    #[arg(
        long,
        value_name = "FILE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "-"
    )]
    pub dot: Option<PathBuf>,
    /// Write the run as Chrome trace-event JSON to FILE (open it in
    /// Perfetto or chrome://tracing).
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Write an SVG Gantt chart of the run to FILE: a lane per worker, one
    /// for timers, the critical path highlighted. FILE must end in `.svg`.
    #[arg(long, value_name = "FILE", value_parser = parse_svg_path)]
    pub timeline: Option<PathBuf>,
    /// Print nodes, edges, depth, work, span, parallelism and speedup to
    /// stderr after the run.
    #[arg(long)]
    pub stats: bool,
    /// Never show the progress bar (it shows only on a terminal, for
    /// batches running longer than a quarter second).
    #[arg(long)]
    pub no_progress: bool,
    /// Print numbers of more than 4,300 digits whole (by default they are
    /// summarised on one line: digit count, first and last digits).
    #[arg(long)]
    pub full: bool,
}

impl RunOptions {
    /// Whether the run must record per-node events (for `--trace`,
    /// `--timeline` or `--stats`).
    pub fn records(&self) -> bool {
        self.trace.is_some() || self.timeline.is_some() || self.stats
    }

    /// The DAG limits these options ask for.
    pub fn dag_limits(&self) -> DagLimits {
        let defaults = DagLimits::default();
        DagLimits {
            max_nodes: self.max_nodes.unwrap_or(defaults.max_nodes),
            value: self
                .max_bits
                .map_or(defaults.value, |max_bits| Limits { max_bits }),
            max_held_bits: self
                .max_memory
                .map_or(defaults.max_held_bits, |bytes| bytes.saturating_mul(8)),
            ..defaults
        }
    }

    /// Whether `--dot` takes stdout (rather than a file).
    pub fn dot_to_stdout(&self) -> bool {
        self.dot.as_deref().is_some_and(|p| p.as_os_str() == "-")
    }
}

/// `exprflow eval`'s arguments in the order clap reads them: the options
/// (anything starting with `--` and a letter, and the short options `-j`
/// and `-h` standing alone), with their values, first; then `--`; then the
/// expressions in their order. So options may come after expressions
/// (`eval 1+1 --stats`), and a mistyped option (`--stat`) is bad usage
/// with clap's suggestion of the nearest one instead of an expression.
/// Anything else that starts with `-` is an expression (`-2^2`, and `-j2`,
/// which is `-(j2)`); everything after a `--` is one too. Other commands'
/// arguments are returned as they are.
pub fn arrange_eval_args(args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_none_or(|a| a != "eval") {
        return args;
    }
    let mut command = Cli::command();
    command.build();
    let Some(eval) = command.find_subcommand("eval") else {
        return args;
    };
    // Whether a known option takes its value from the next argument.
    let separate_value = |arg: &clap::Arg| {
        arg.get_action().takes_values() && !arg.is_require_equals_set() && !arg.is_positional()
    };
    let long_takes_next = |name: &str| {
        eval.get_arguments()
            .any(|a| a.get_long() == Some(name) && separate_value(a))
    };
    let short = |c: char| eval.get_arguments().find(|a| a.get_short() == Some(c));
    let mut rest = args.into_iter();
    let mut arranged: Vec<OsString> = rest.by_ref().take(2).collect();
    let mut exprs = Vec::new();
    while let Some(arg) = rest.next() {
        let Some(text) = arg.to_str() else {
            exprs.push(arg);
            continue;
        };
        if text == "--" {
            exprs.extend(rest.by_ref());
            break;
        }
        let takes_next = if let Some(long) = text
            .strip_prefix("--")
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        {
            !long.contains('=') && long_takes_next(long)
        } else if let Some(option) = text
            .strip_prefix('-')
            .and_then(|s| s.chars().next().filter(|_| s.chars().count() == 1))
            .and_then(short)
        {
            separate_value(option)
        } else {
            exprs.push(arg);
            continue;
        };
        arranged.push(arg);
        if takes_next && let Some(value) = rest.next() {
            arranged.push(value);
        }
    }
    if !exprs.is_empty() {
        arranged.push("--".into());
        arranged.extend(exprs);
    }
    arranged
}

/// For an `eval` argument that was read as an expression but looks like a
/// short option with its value run together (`-j2`), the option as it was
/// probably meant (`-j 2`).
pub fn meant_short_option(statement: &str) -> Option<String> {
    let rest = statement.trim().strip_prefix('-')?;
    let mut chars = rest.chars();
    let letter = chars.next()?;
    let value = chars.as_str();
    let mut command = Cli::command();
    command.build();
    let takes_value = command.find_subcommand("eval")?.get_arguments().any(|a| {
        a.get_short() == Some(letter) && a.get_action().takes_values() && !a.is_positional()
    });
    (takes_value && !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("-{letter} {value}"))
}

/// Accepts a file name ending in `.svg` (the timeline is SVG only).
pub fn parse_svg_path(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    let is_svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if is_svg {
        Ok(path)
    } else {
        Err(format!(
            "`{text}` does not end in .svg: the timeline is an SVG picture \
             (open it in a browser; a browser or rsvg-convert makes a PNG of it)"
        ))
    }
}

/// Parses a size in bytes: `4096`, `64KiB`, `512MiB`, `2GiB` (or `KB`,
/// `MB`, `GB` for powers of ten).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let units: [(&str, u64); 7] = [
        ("KiB", 1 << 10),
        ("MiB", 1 << 20),
        ("GiB", 1 << 30),
        ("KB", 1_000),
        ("MB", 1_000_000),
        ("GB", 1_000_000_000),
        ("B", 1),
    ];
    let (number, scale) = units
        .iter()
        .find_map(|&(unit, scale)| text.strip_suffix(unit).map(|n| (n, scale)))
        .unwrap_or((text, 1));
    number
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|&bytes| bytes > 0 && bytes <= u64::MAX / 8)
        .ok_or_else(|| format!("`{text}` is not a size (try 512MiB, 2GiB)"))
}

/// Parses a duration: a plain number of seconds (`1.5`, `0`), or what
/// humantime reads (`500ms`, `2s`, `1ns`, `1m 30s`, `10d`, `2h 37min`).
/// A negative one is refused with its own words.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.starts_with('-') {
        return Err(format!(
            "`{text}` is negative: a duration is 0 (no limit) or more, e.g. 500ms, 2s, 1m"
        ));
    }
    if let Ok(seconds) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds)
            .map_err(|_| format!("`{text}` is not a duration (try 500ms, 2s, 1m, 10d)"));
    }
    humantime::parse_duration(text)
        .map_err(|e| format!("`{text}` is not a duration: {e} (try 500ms, 2s, 1m 30s, 10d)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_humantime_reads_them() {
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1ns"), Ok(Duration::from_nanos(1)));
        assert_eq!(parse_duration("10d"), Ok(Duration::from_secs(864_000)));
        assert_eq!(parse_duration("1m 30s"), Ok(Duration::from_secs(90)));
        let negative = parse_duration("-1").unwrap_err();
        assert!(negative.contains("negative"), "{negative}");
        assert!(parse_duration("-2s").unwrap_err().contains("negative"));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("1e30").is_err());
        assert!(parse_duration("nan").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("2 GiB"), Ok(2 << 30));
        assert_eq!(parse_size("3MB"), Ok(3_000_000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999GiB").is_err());
    }

    fn arranged(args: &[&str]) -> Vec<String> {
        let args = args.iter().map(OsString::from).collect();
        arrange_eval_args(args)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn eval_options_come_first_and_expressions_after_a_double_dash() {
        assert_eq!(
            arranged(&["x", "eval", "1+1", "--stats", "-2^2", "-j", "2", "-j2"]),
            [
                "x", "eval", "--stats", "-j", "2", "--", "1+1", "-2^2", "-j2"
            ]
        );
        assert_eq!(
            arranged(&["x", "eval", "--stat", "--timeout", "1s", "--dot", "--3"]),
            [
                "x",
                "eval",
                "--stat",
                "--timeout",
                "1s",
                "--dot",
                "--",
                "--3"
            ]
        );
        assert_eq!(
            arranged(&["x", "eval", "--workers=2", "1", "--", "--stats", "--"]),
            ["x", "eval", "--workers=2", "--", "1", "--stats", "--"]
        );
        assert_eq!(arranged(&["x", "eval", "-h"]), ["x", "eval", "-h"]);
        assert_eq!(meant_short_option("-j2").as_deref(), Some("-j 2"));
        assert_eq!(meant_short_option("-j16").as_deref(), Some("-j 16"));
        assert_eq!(meant_short_option("-x2"), None);
        assert_eq!(meant_short_option("-jobs"), None);
        assert_eq!(meant_short_option("-j"), None);
        assert_eq!(
            arranged(&["x", "batch", "--stat"]),
            ["x", "batch", "--stat"]
        );
    }
}
