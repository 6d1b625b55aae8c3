//! `exprflow serve`: the live view (SPEC section 7). An HTTP server (axum
//! on tokio) with one page and a small JSON API: programs run on the
//! engine's pool, their node events stream to the page as Server-Sent
//! Events.
//!
//! This module is a client of the library: it names only what the crate
//! root exports (`crate::Engine`, `crate::Program`, ...), never a private
//! module, so everything it does an embedder can do too (a test in
//! `tests/serve_api.rs` checks the imports).
//!
//! - `guard.rs`: the Host check (DNS rebinding) and the token.
//! - `engines.rs`: one engine per worker count, built with the command
//!   line's limits.
//! - `runs.rs`: the runs kept (the 64 most recent) and their event logs.
//! - `follow.rs`: the thread that turns a run's starts and completions
//!   into its event log.
//! - `api.rs`: the routes and handlers.
//! - `json.rs`: the JSON of runs, statements, the graph and events.
//! - `layout.rs`: the graph laid out in layers, for the page.
//! - `page.rs` and `page/`: the page (HTML, CSS and JS, embedded).

mod api;
mod engines;
mod follow;
mod guard;
mod json;
mod layout;
mod page;
mod runs;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

pub(crate) use engines::EngineSettings;

/// The port `exprflow serve` listens on unless told otherwise.
pub(crate) const DEFAULT_PORT: u16 = 8787;

/// What `exprflow serve` was asked for.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// The address to listen on (127.0.0.1 unless `--bind`).
    pub bind: IpAddr,
    /// The port (0: any free one).
    pub port: u16,
    /// The token the API asks for (`None`: a random one).
    pub token: Option<String>,
    /// Open the page in a browser once listening.
    pub open: bool,
    /// How runs' engines are built: workers and the command line's limits.
    pub engine: EngineSettings,
}

/// The loopback address the server listens on by default.
pub(crate) const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Runs the server until the process is stopped. Exit status 2 when it
/// cannot start (bad token, address in use).
pub(crate) fn run(config: Config) -> ExitCode {
    let token = match config.token.clone() {
        Some(token) => match guard::check_token(&token) {
            Ok(()) => token,
            Err(message) => return usage(&message),
        },
        None => match guard::random_token() {
            Ok(token) => token,
            Err(message) => return usage(&message),
        },
    };
    let engines = match engines::Engines::new(config.engine.clone()) {
        Ok(engines) => engines,
        Err(e) => return usage(&format!("cannot start the worker pool: {e}")),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("exprflow-serve")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return usage(&format!("cannot start the server: {e}")),
    };
    runtime.block_on(serve(config, token, engines))
}

async fn serve(config: Config, token: String, engines: engines::Engines) -> ExitCode {
    let address = SocketAddr::new(config.bind, config.port);
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(e) => return usage(&format!("cannot listen on {address}: {e}")),
    };
    let port = match listener.local_addr() {
        Ok(local) => local.port(),
        Err(e) => return usage(&format!("cannot listen on {address}: {e}")),
    };
    if !config.bind.is_loopback() {
        eprintln!(
            "warning: serving on {}, not only this machine: anyone who can reach it \
             and has the token can run programs here",
            config.bind
        );
    }
    let host = match config.bind {
        IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    let url = format!("http://{host}:{port}/?token={token}");
    println!("exprflow serving at {url}");
    let _ = std::io::stdout().flush();
    if config.open {
        open_browser(&url);
    }
    let app = Arc::new(api::App {
        guard: guard::Guard::new(token, config.bind),
        engines,
        runs: runs::Runs::default(),
    });
    match axum::serve(listener, api::router(app)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("exprflow: the server stopped: {e}");
            ExitCode::from(1)
        }
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("exprflow: {message}");
    ExitCode::from(2)
}

/// Opens `url` in the desktop's browser; a failure is a warning (the URL
/// is printed anyway).
fn open_browser(url: &str) {
    let (program, args): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    let spawned = std::process::Command::new(program)
        .args(args)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("warning: cannot open a browser ({program}: {e}); open the URL above");
    }
}
