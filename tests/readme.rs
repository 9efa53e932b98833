//! The README's command blocks (those fenced as `sh`) run as written, top to
//! bottom, with the real `maestro` on the PATH, on a fresh home, from the
//! repository's root and with the real clock — so the README cannot rot.
//! A command fails the test when it fails (exit 1) or is misused (exit 2);
//! `maestro ask` may also wait for a yes (3) or ask a question (4); any other
//! code, "not understood" (5) included, only where the line's comment says
//! `(exit N)`.

use std::path::Path;
use std::process::Command;

/// The `sh` blocks of a Markdown text, each as its commands (a trailing `\`
/// joins a line to the next).
fn sh_blocks(markdown: &str) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    let mut pending = String::new();
    for line in markdown.lines() {
        match (&mut current, line.trim_start().starts_with("```")) {
            (None, true) if line.trim() == "```sh" => current = Some(Vec::new()),
            (Some(_), true) => blocks.extend(current.take()),
            (Some(commands), false) => {
                pending.push_str(line.trim_end().trim_end_matches('\\'));
                pending.push(' ');
                if !line.trim_end().ends_with('\\') {
                    if !pending.trim().is_empty() {
                        commands.push(pending.trim().to_string());
                    }
                    pending.clear();
                }
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn every_sh_block_of_the_readme_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = sh_blocks(&readme);
    assert!(
        blocks.len() >= 4,
        "the README's command blocks are fenced as sh"
    );
    let home = tempfile::tempdir().unwrap();
    let bin = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_maestro"), bin.path().join("maestro")).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for command in blocks.iter().flatten() {
        let out = Command::new("bash")
            .args(["-c", command])
            .current_dir(&root)
            .env("PATH", &path)
            .env("HOME", home.path())
            .env("MAESTRO_HOME", home.path().join("maestro"))
            .env_remove("MAESTRO_NOW")
            .env_remove("MAESTRO_USER")
            .env_remove("MAESTRO_DATABASE_URL")
            .env_remove("MAESTRO_QDRANT_URL")
            .env_remove("MAESTRO_LLM_BASE_URL")
            .env_remove("OPENAI_API_KEY")
            .output()
            .unwrap();
        // A line whose comment says "(exit N)" is meant to end so.
        let documented = command
            .split_once("(exit ")
            .and_then(|(_, rest)| rest.split(')').next()?.parse::<i32>().ok());
        let answered = command.starts_with("maestro ask")
            && (matches!(out.status.code(), Some(3 | 4)) || out.status.code() == documented);
        // Following the README never leaves the catalog behind the store.
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            !said.contains("rebuilding the catalog"),
            "{command}: {said}"
        );
        assert!(
            out.status.success() || answered,
            "README command failed ({:?}): {command}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn sh_blocks_are_read_with_their_continuations() {
    let md = "text\n```sh\nmaestro demo   # note\nmaestro eval x \\\n    --split 0.8\n```\n```console\nmaestro serve\n```\n";
    assert_eq!(
        sh_blocks(md),
        [["maestro demo   # note", "maestro eval x      --split 0.8"]]
    );
}
