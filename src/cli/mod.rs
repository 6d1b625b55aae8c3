//! The command line: `eval`, `batch` and `repl`. All I/O lives here.

mod args;
mod evaluate;
mod help;
mod interrupt;
mod output;
mod render;
mod repl;
#[cfg(feature = "serve")]
mod serve_args;
mod shown;

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::Error;
use crate::batch::Batch;
use crate::batch::BatchOptions;
use crate::eval::{Engine, EvalLimits};
use crate::syntax::DEFAULT_MAX_DEPTH;
use crate::value::Limits;

use args::{Cli, Command, RunOptions};
use interrupt::Interrupts;
use output::Printer;
use render::render_error;

/// Exit status: every statement succeeded.
const EXIT_OK: u8 = 0;
/// Exit status: some statement failed.
const EXIT_FAILED: u8 = 1;
/// Exit status: bad usage or unreadable input.
const EXIT_USAGE: u8 = 2;

/// The `exprflow` command (the binary's `main`): parses the command line
/// and runs it. Hidden from the library's documentation: the command line
/// is the spec's section 4, not an API.
pub fn main() -> ExitCode {
    let args = args::arrange_eval_args(std::env::args_os().collect());
    let eval_without_exprs = args.len() == 2 && args[1] == "eval";
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            if e.kind() == clap::error::ErrorKind::MissingRequiredArgument
                && eval_without_exprs
                && !std::io::stdin().is_terminal()
            {
                eprintln!(
                    "\ntip: `eval` takes expressions as arguments and does not read stdin; \
                     to evaluate lines from stdin use `exprflow batch` (echo 1+2 | exprflow batch)"
                );
            }
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    run(cli)
}

/// Runs the parsed command line.
fn run(cli: Cli) -> ExitCode {
    let mut command = match cli.command {
        Some(command) => command,
        None if std::io::stdin().is_terminal() => Command::Repl {
            options: RunOptions::default(),
        },
        None => Command::Batch {
            options: RunOptions::default(),
            as_completed: false,
            file: None,
        },
    };
    // `--timeout 0` is no limit, as `:timeout 0` in the REPL.
    match &mut command {
        Command::Eval { options, .. }
        | Command::Batch { options, .. }
        | Command::Repl { options } => {
            options.timeout = options.timeout.filter(|t| !t.is_zero());
        }
        // `serve` does the same with its own options.
        #[cfg(feature = "serve")]
        Command::Serve(_) => {}
    }
    match command {
        Command::Eval { options, exprs } => {
            let text: Vec<String> = exprs.iter().map(|e| e.replace(['\n', '\r'], " ")).collect();
            run_batch(
                text.join("\n").as_bytes(),
                ARGS_ORIGIN,
                &options,
                false,
                true,
                false,
            )
        }
        Command::Batch {
            options,
            as_completed,
            file,
        } => {
            let (bytes, origin) = match read_input(file.as_deref()) {
                Ok(read) => read,
                Err(message) => {
                    eprintln!("exprflow: {message}");
                    return ExitCode::from(EXIT_USAGE);
                }
            };
            run_batch(&bytes, &origin, &options, as_completed, false, true)
        }
        Command::Repl { options } => repl::run(options),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve_args::run(args),
    }
}

fn read_input(file: Option<&std::path::Path>) -> Result<(Vec<u8>, String), String> {
    let mut bytes = Vec::new();
    match file {
        None => {
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            Ok((bytes, "<stdin>".to_string()))
        }
        Some(path) if path.as_os_str() == "-" => read_input(None),
        Some(path) => {
            bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok((bytes, path.display().to_string()))
        }
    }
}

/// The engine the options ask for.
fn engine_for(options: &RunOptions) -> Result<Engine, Error> {
    let mut builder = Engine::builder().limits(eval_limits(options));
    if let Some(n) = options.workers {
        builder = builder.workers(n as usize);
    }
    if options.no_fuse {
        builder = builder.fuse_ns(0);
    }
    builder.build()
}

fn eval_limits(options: &RunOptions) -> EvalLimits {
    let mut limits = EvalLimits::default();
    if let Some(bits) = options.max_bits {
        limits.value = Limits { max_bits: bits };
    }
    if let Some(wait) = options.max_wait {
        limits.max_wait = wait;
    }
    limits
}

fn batch_options(options: &RunOptions) -> BatchOptions {
    BatchOptions {
        dag: options.dag_limits(),
        max_depth: options.max_depth.unwrap_or(DEFAULT_MAX_DEPTH),
        blank_is_error: false,
    }
}

/// Where the pictures and figures of a run go, opened before the run so an
/// unwritable path fails at once rather than after a long evaluation.
struct Outputs {
    dot: Option<(std::path::PathBuf, Option<std::fs::File>)>,
    trace: Option<(std::path::PathBuf, std::fs::File)>,
    timeline: Option<(std::path::PathBuf, std::fs::File)>,
}

impl Outputs {
    fn open(options: &RunOptions) -> Result<Outputs, String> {
        let create = |path: &std::path::Path| {
            std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        let dot = match &options.dot {
            None => None,
            Some(_) if options.dot_to_stdout() => Some((std::path::PathBuf::from("-"), None)),
            Some(path) => Some((path.clone(), Some(create(path)?))),
        };
        let trace = match &options.trace {
            None => None,
            Some(path) => Some((path.clone(), create(path)?)),
        };
        let timeline = match &options.timeline {
            None => None,
            Some(path) => Some((path.clone(), create(path)?)),
        };
        Ok(Outputs {
            dot,
            trace,
            timeline,
        })
    }
}

/// Writes `text` to an opened output file.
fn write_output(
    path: &std::path::Path,
    file: &mut std::fs::File,
    text: &str,
) -> Result<(), String> {
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn run_batch(
    bytes: &[u8],
    origin: &str,
    options: &RunOptions,
    as_completed: bool,
    blank_is_error: bool,
    progress: bool,
) -> ExitCode {
    let engine = match engine_for(options) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("exprflow: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut outputs = match Outputs::open(options) {
        Ok(outputs) => outputs,
        Err(message) => {
            eprintln!("exprflow: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let batch_options = BatchOptions {
        blank_is_error,
        ..batch_options(options)
    };
    // `--sequential` is one core end to end: the front end too.
    let batch = if options.sequential {
        Batch::parse_serial(bytes, batch_options)
    } else {
        Batch::parse(bytes, batch_options)
    };
    let interrupts = Interrupts::install();
    let progress = render::Progress::start(batch.lines.len(), progress && !options.no_progress);
    let mut printer = Printer::new(
        &batch,
        origin,
        options,
        &interrupts,
        &progress,
        as_completed,
    );
    let record = options.records();
    let trace = if as_completed {
        let (_, trace) = evaluate::evaluate_batch(
            &batch,
            &engine,
            options,
            record,
            &interrupts,
            &mut |i, o| {
                progress.inc();
                printer.line(i, o);
            },
        );
        trace
    } else {
        let (outcomes, trace) = evaluate::evaluate_batch(
            &batch,
            &engine,
            options,
            record,
            &interrupts,
            &mut |_, _| progress.inc(),
        );
        for (i, outcome) in outcomes.iter().enumerate() {
            printer.line(i, outcome);
        }
        trace
    };
    let failed = printer.failed;
    printer.finish();
    progress.finish();
    let status = ExitCode::from(if interrupts.pressed() {
        interrupt::EXIT_INTERRUPTED
    } else if failed {
        EXIT_FAILED
    } else {
        EXIT_OK
    });
    let status = match write_reports(&batch, &engine, options, trace.as_ref(), &mut outputs) {
        Ok(()) => status,
        Err(message) => {
            eprintln!("exprflow: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    };
    // The process ends next: freeing a DAG of millions of nodes one
    // allocation at a time would only delay the exit (a fifth of the
    // whole run on a 3-million-node batch); the OS takes it back at once.
    std::mem::forget(batch);
    status
}

/// The name `eval`'s arguments are shown under in error reports.
const ARGS_ORIGIN: &str = "<args>";

/// For an `eval` argument such as `-j2` that failed as an unknown
/// variable, a help line suggesting the option it looks like.
fn option_hint(error: &Error, origin: &str, statement: &str) -> Option<String> {
    if origin != ARGS_ORIGIN || error.kind != crate::ErrorKind::UnknownVariable {
        return None;
    }
    let meant = args::meant_short_option(statement)?;
    Some(format!(
        "  = help: did you mean {meant}? (`{}` is read as an expression, as expressions may begin with `-`)\n",
        statement.trim()
    ))
}

/// Writes what `--dot`, `--trace`, `--timeline` and `--stats` asked for.
fn write_reports(
    batch: &Batch,
    engine: &Engine,
    options: &RunOptions,
    trace: Option<&crate::report::Trace>,
    outputs: &mut Outputs,
) -> Result<(), String> {
    use crate::report;
    let roots = batch.roots();
    let empty;
    let trace = match trace {
        Some(trace) => trace,
        None => {
            empty = report::Trace {
                workers: if options.sequential {
                    1
                } else {
                    engine.workers()
                },
                sequential: options.sequential,
                ..Default::default()
            };
            &empty
        }
    };
    // The library's pictures (`Report`), drawn from the batch's parts.
    let pictures = report::Pictures {
        dag: &batch.dag,
        roots: &roots,
        trace,
        source: &batch.source,
    };
    if let Some((path, file)) = &mut outputs.dot {
        let dot = pictures.dot();
        match file {
            Some(file) => write_output(path, file, &dot)?,
            None => {
                let mut stdout = std::io::stdout().lock();
                if let Err(e) = stdout
                    .write_all(dot.as_bytes())
                    .and_then(|()| stdout.flush())
                {
                    output::output_failed(&e);
                }
            }
        }
    }
    if let Some((path, file)) = &mut outputs.trace {
        write_output(path, file, &pictures.trace_json())?;
    }
    if let Some((path, file)) = &mut outputs.timeline {
        write_output(path, file, &pictures.timeline_svg())?;
    }
    if options.stats {
        eprintln!("{}", pictures.stats());
    }
    Ok(())
}
