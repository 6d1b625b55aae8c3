//! Start-up and signals: the engine, the Ctrl-C handler, the line
//! editor, the banner.

use super::*;

/// Runs the REPL until `:quit` or Ctrl-D.
pub fn run(options: RunOptions) -> ExitCode {
    let style = Style::detect();
    let engine = match engine_for(&options) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("exprflow: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let (pressed, interrupts) = crossbeam_channel::bounded::<()>(1);
    let busy = Arc::new(AtomicBool::new(false));
    let catches_ctrl_c = {
        let busy = Arc::clone(&busy);
        // On a terminal the line editor reads Ctrl-C as a key, so a signal
        // only comes while an evaluation runs. With input from a pipe,
        // Ctrl-C between evaluations ends the session as it would any
        // program reading a pipe.
        let interactive = std::io::stdin().is_terminal();
        ctrlc::set_handler(move || {
            if !interactive && !busy.load(Ordering::SeqCst) {
                std::process::exit(130);
            }
            let _ = pressed.try_send(());
        })
    };
    let config = Config::builder()
        .max_history_size(10_000)
        .and_then(|b| b.history_ignore_dups(true))
        .map(|b| {
            b.history_ignore_space(true)
                .auto_add_history(false)
                .completion_type(CompletionType::List)
                .color_mode(if style.enabled {
                    ColorMode::Enabled
                } else {
                    ColorMode::Disabled
                })
                .build()
        })
        .unwrap_or_default();
    let mut editor: Editor<ReplHelper, FileHistory> = match Editor::with_config(config) {
        Ok(editor) => editor,
        Err(e) => {
            eprintln!("exprflow: cannot start the line editor: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    editor.set_helper(Some(ReplHelper::new(style.enabled)));
    let mut session = Session::with_limits(options.dag_limits());
    session.set_max_depth(options.max_depth.unwrap_or(DEFAULT_MAX_DEPTH));
    let options_full = options.full;
    let mut repl = Repl {
        mode: if options.sequential {
            Mode::Sequential
        } else {
            Mode::Parallel
        },
        timeout: options.timeout.filter(|t| !t.is_zero()),
        options,
        engine,
        session,
        trace: false,
        style,
        interrupts,
        editor,
        history: None,
        columns: 80,
        busy,
        bad_reads: 0,
        digits: if options_full {
            super::super::shown::Digits::Full
        } else {
            super::super::shown::Digits::Summarised
        },
        last_value: None,
    };
    if std::io::stdin().is_terminal() {
        repl.open_history();
    }
    println!(
        "exprflow {}: {}. {} for help, Ctrl-D to quit.",
        env!("CARGO_PKG_VERSION"),
        repl.mode_description(),
        style.heading(":help")
    );
    if let Err(e) = catches_ctrl_c {
        eprintln!("exprflow: cannot catch Ctrl-C ({e}): it will end the session");
    }
    repl.run_loop();
    ExitCode::from(EXIT_OK)
}
