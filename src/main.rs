//! The `exprflow` command: see `exprflow --help` and the spec's section 4.
//! The command line lives in the library (`exprflow::cli`, feature `cli`).

fn main() -> std::process::ExitCode {
    exprflow::cli::main()
}
