//! The `exprflow` command: see `exprflow --help` and the spec's section 4.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

fn main() -> ExitCode {
    let args = cli::args::arrange_eval_args(std::env::args_os().collect());
    let eval_without_exprs = args.len() == 2 && args[1] == "eval";
    let cli = match cli::args::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            if e.kind() == ErrorKind::MissingRequiredArgument
                && eval_without_exprs
                && !std::io::stdin().is_terminal()
            {
                eprintln!(
                    "\ntip: `eval` takes expressions as arguments and does not read stdin; \
                     to evaluate lines from stdin use `exprflow batch` (echo 1+2 | exprflow batch)"
                );
            }
            return ExitCode::from(if e.use_stderr() {
                cli::EXIT_USAGE
            } else {
                cli::EXIT_OK
            });
        }
    };
    cli::run(cli)
}
