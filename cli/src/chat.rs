//! `maestro chat`: a line-editing loop over the assistant, with history.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use maestro_assistant::{Assistant, TurnOptions};
use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

use crate::charts::Charts;
use crate::commands::ask;

/// Reads requests until "exit", Ctrl-D or Ctrl-C.
pub fn run(
    assistant: &Assistant,
    actor: Option<String>,
    home: &Path,
    charts: &Charts,
) -> Result<ExitCode> {
    let mut editor = DefaultEditor::new()?;
    let history = home.join("chat_history.txt");
    let _ = editor.load_history(&history);
    println!("Maestro — ask in plain words (“help” shows what I can do; “exit” leaves).");
    let session = format!("chat-{}", std::process::id());
    loop {
        match editor.readline("› ") {
            Ok(line) => {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                if ["exit", "quit", ":q"].contains(&line) {
                    break;
                }
                let _ = editor.add_history_entry(line);
                ask(
                    assistant,
                    &session,
                    line,
                    TurnOptions {
                        actor: actor.clone(),
                        ..Default::default()
                    },
                    false,
                    charts,
                )?;
            }
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    if let Err(e) = editor.save_history(&history) {
        eprintln!(
            "warning: could not save the chat history to {}: {e}",
            history.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
