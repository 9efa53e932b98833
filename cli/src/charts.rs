//! Where the CLI keeps the charts it draws: `HOME/charts/WORKSPACE/`, each
//! under a name of its own, so that no other workspace or later answer
//! overwrites it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use base64::Engine;

/// The chart folder of one workspace.
pub struct Charts {
    dir: PathBuf,
}

impl Charts {
    /// The charts of `workspace` under `home`.
    pub fn new(home: &Path, workspace: &str) -> Self {
        Self {
            dir: home.join("charts").join(workspace),
        }
    }

    /// Saves a base64 PNG as `TITLE-TIME.png` (`-2`, `-3`… when taken);
    /// returns its path.
    pub fn save(&self, title: &str, png_base64: &str) -> Result<PathBuf> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(png_base64)?;
        std::fs::create_dir_all(&self.dir)?;
        let slug: String = title
            .chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let time = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        for n in 1..=1000 {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            let path = self.dir.join(format!("{slug}-{time}{suffix}.png"));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    file.write_all(&bytes)?;
                    return Ok(path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e.into()),
            }
        }
        anyhow::bail!(
            "{} already holds 1,000 charts named {slug} from this second; clear it out",
            self.dir.display()
        )
    }
}
