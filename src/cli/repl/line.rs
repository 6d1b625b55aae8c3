//! Line input and history: reading a statement (continuing while
//! parentheses are open) and the history file.

use super::*;

impl Repl {
    /// Reads one statement, continuing while parentheses are open.
    pub(super) fn read(&mut self) -> Input {
        let mut text = String::new();
        loop {
            let raw = if text.is_empty() { PROMPT } else { CONTINUE };
            let prompt = (raw, self.style.prompt(raw));
            let read = self.editor.readline(&prompt);
            if let Some((columns, _)) = self.editor.dimensions() {
                self.columns = usize::from(columns);
            }
            match read {
                Ok(line) => {
                    self.bad_reads = 0;
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&line);
                    if !input::needs_more(&text) {
                        return Input::Text(text);
                    }
                }
                Err(ReadlineError::Interrupted) => return Input::Interrupted(!text.is_empty()),
                Err(ReadlineError::Eof) if !text.is_empty() => {
                    println!("{}", self.style.dim("(unfinished input discarded)"));
                    return Input::Interrupted(true);
                }
                Err(ReadlineError::Eof) => return Input::End,
                Err(ReadlineError::Io(e))
                    if e.kind() == std::io::ErrorKind::InvalidData && self.bad_reads < 100 =>
                {
                    // The bytes are consumed; what follows can still be read.
                    self.bad_reads += 1;
                    self.complain("the input is not valid UTF-8; that line was dropped");
                    return Input::Interrupted(true);
                }
                Err(e) => {
                    eprintln!("exprflow: cannot read input: {e}");
                    return Input::End;
                }
            }
        }
    }

    pub(super) fn open_history(&mut self) {
        let Some(path) = input::history_path() else {
            return;
        };
        if let Some(dir) = path.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            eprintln!(
                "exprflow: history will not be kept: cannot create {}: {e}",
                dir.display()
            );
            return;
        }
        if path.exists()
            && let Err(e) = self.editor.load_history(&path)
        {
            eprintln!("exprflow: cannot read history {}: {e}", path.display());
        }
        self.history = Some(path);
    }

    /// Adds `text` to the history and appends it to the history file.
    pub(super) fn remember(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let _ = self.editor.add_history_entry(text);
        if let Some(path) = &self.history
            && let Err(e) = self.editor.append_history(path)
        {
            eprintln!(
                "exprflow: history will not be kept: cannot write {}: {e}",
                path.display()
            );
            self.history = None;
        }
    }
}
