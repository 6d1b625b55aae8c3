//! `exprflow serve`'s arguments, and the server's settings made from them
//! (the server itself is `crate::serve`).

use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::args::{RunOptions, parse_duration, parse_size};
use crate::serve::{Config, DEFAULT_PORT, EngineSettings, LOOPBACK};

/// Options of `exprflow serve`: where to listen, and the limits every run
/// gets (those of `eval` and `batch`).
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port).
    #[arg(long, value_name = "PORT", default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Address to listen on. Anything but 127.0.0.1 (the default) lets
    /// other machines reach the server; a warning says so.
    #[arg(long, value_name = "ADDR", default_value_t = LOOPBACK)]
    pub bind: IpAddr,
    /// The token every request must carry (default: a random one at each
    /// start, shown in the printed URL).
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Number of pool workers, 1 to 1024 (default: the number of CPUs).
    #[arg(short = 'j', long = "workers", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=crate::MAX_WORKERS as i64))]
    pub workers: Option<u16>,
    /// Each run gives up after DURATION (e.g. `500ms`, `2s`; `0`: no limit).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Bit limit of exact results (default 2^24).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_bits: Option<u64>,
    /// Most nodes a run's DAG may have.
    #[arg(long, value_name = "N")]
    pub max_nodes: Option<usize>,
    /// Deepest nesting of parentheses and calls.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,
    /// Most memory for big values alive at once in a run (default 1GiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
    /// Longest `delay`/`busy` one node may ask for.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_wait: Option<Duration>,
    /// Every node its own task (no fusion of cheap subgraphs); for study.
    #[arg(long, hide = true)]
    pub no_fuse: bool,
}

/// Runs `exprflow serve`.
pub fn run(args: ServeArgs) -> ExitCode {
    let options = RunOptions {
        workers: args.workers,
        timeout: args.timeout.filter(|t| !t.is_zero()),
        max_bits: args.max_bits,
        max_nodes: args.max_nodes,
        max_depth: args.max_depth,
        max_memory: args.max_memory,
        max_wait: args.max_wait,
        no_fuse: args.no_fuse,
        ..RunOptions::default()
    };
    crate::serve::run(Config {
        bind: args.bind,
        port: args.port,
        token: args.token,
        open: args.open,
        engine: EngineSettings {
            workers: args.workers.map(usize::from),
            limits: super::eval_limits(&options),
            dag_limits: options.dag_limits(),
            max_depth: options.max_depth,
            fuse_ns: options.no_fuse.then_some(0),
            timeout: options.timeout,
        },
    })
}
