//! `maestro nlu`: trains the understanding models from the tools' phrasings
//! and the development corpora and writes the files Maestro ships;
//! `maestro parse` shows what they read.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::Subcommand;
use maestro_assistant::nlu::generate::{self, Sizes};
use maestro_assistant::nlu::{self, train};
use maestro_assistant::{Assistant, TurnOptions};
use maestro_tools::{Clock, Platform};

#[derive(Subcommand)]
pub enum NluCommand {
    /// Train the intent model and write it (run from the repository).
    Train {
        /// The folder to write the models to (`intent.bin`, `tagger.bin`).
        #[arg(long, default_value = "assistant/data/nlu")]
        out: PathBuf,
        /// Development corpora to learn from as well (never the held-out ones).
        #[arg(long, default_values = ["examples/eval/work.jsonl", "examples/eval/ml.jsonl", "examples/eval/chat_dev.jsonl"])]
        dev: Vec<PathBuf>,
        /// A list of English words, one per line (Debian's `wamerican`), so
        /// that a real word is never read as a misspelling of another.
        #[arg(long, default_value = "/usr/share/dict/words")]
        words: PathBuf,
    },
    /// Print some generated training requests with their labels.
    Sample {
        /// How many.
        #[arg(long, default_value_t = 20)]
        n: usize,
        /// Seed (the same seed shows the same requests).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// Runs `maestro nlu …`.
pub fn run(command: &NluCommand) -> Result<ExitCode> {
    match command {
        NluCommand::Train { out, dev, words } => train(out, dev, words),
        NluCommand::Sample { n, seed } => sample(*n, *seed),
    }
}

fn sample(n: usize, seed: u64) -> Result<ExitCode> {
    let platform = Platform::in_memory(Clock::System)?;
    let corpus = generate::corpus(platform.registry(), Sizes::default(), seed)?;
    let step = (corpus.len() / n.max(1)).max(1);
    for e in corpus.iter().step_by(step).take(n) {
        println!("{:<20} {}", e.label, e.text);
    }
    Ok(ExitCode::SUCCESS)
}

fn train(out: &Path, dev: &[PathBuf], words: &Path) -> Result<ExitCode> {
    let mut corpora = Vec::new();
    for path in dev {
        if path.to_string_lossy().contains("holdout") {
            bail!(
                "{} is a held-out corpus: it judges the model and is never trained on; pass development corpora only",
                path.display()
            );
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        corpora.push((path.display().to_string(), text));
    }
    let dev: Vec<(&str, &str)> = corpora
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let platform = Platform::in_memory(Clock::System)?;
    let started = std::time::Instant::now();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).context("a valid date")?;
    let dictionary = std::fs::read_to_string(words).with_context(|| {
        format!(
            "cannot read the word list {}: install it (apt-get install wamerican) or pass --words FILE",
            words.display()
        )
    })?;
    let mut trained = train::train(platform.registry(), &dev, Sizes::default(), today)?;
    trained.vocabulary.protect(&dictionary);
    let files = [
        ("intent.bin", trained.intent.to_bytes()),
        ("tagger.bin", trained.tagger.to_bytes()),
        ("vocab.txt", trained.vocabulary.to_text().into_bytes()),
    ];
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, bytes) in &files {
        let path = out.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {} ({} KB)", path.display(), bytes.len() / 1024);
    }
    println!(
        "Trained the intent model and the tagger in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// `maestro parse`: what Maestro reads in `text` and the calls it would
/// make, without running them.
pub fn parse(
    assistant: &Assistant,
    actor: Option<String>,
    text: &str,
    json: bool,
) -> Result<ExitCode> {
    let options = TurnOptions {
        actor,
        one_shot: true,
        ..TurnOptions::default()
    };
    let parsed = nlu::parse(assistant, "parse", text, &options).map_err(|e| anyhow::anyhow!(e))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&parsed)?);
    } else {
        print!("{}", parsed.text());
    }
    Ok(ExitCode::SUCCESS)
}
