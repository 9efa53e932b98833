//! Which files the tools may read on a caller's behalf.

use std::path::{Path, PathBuf};

/// Which files the tools may read (datasets to register, CSVs to predict on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAccess {
    /// Any file the process can read (local callers: the CLI, the kernel).
    Any,
    /// Only files under these directories, canonical and as configured (remote callers: REST,
    /// Slack); none at all when the list is empty.
    Under(Vec<PathBuf>),
}

impl FileAccess {
    /// `path` made absolute and, when files are restricted, canonical and
    /// inside an allowed root; otherwise an error that says what to do.
    pub fn check(&self, path: &Path) -> Result<PathBuf, String> {
        match self {
            FileAccess::Any => std::path::absolute(path)
                .map_err(|e| format!("cannot use the path {}: {e}", path.display())),
            FileAccess::Under(roots) if roots.is_empty() => Err(format!(
                "this server may not read files ({}); its operator can allow directories with MAESTRO_DATA_ROOTS=/dir1:/dir2",
                path.display()
            )),
            FileAccess::Under(roots) => {
                // Judged on the path's text first, so a file outside the
                // roots is refused alike whether it exists or not.
                let lexical = std::path::absolute(path)
                    .map(|p| without_dots(&p))
                    .map_err(|e| format!("cannot use the path {}: {e}", path.display()))?;
                let outside = || {
                    format!(
                        "{} is outside the directories this server may read (MAESTRO_DATA_ROOTS: {}); put the file there",
                        path.display(),
                        roots
                            .iter()
                            .map(|r| r.display().to_string())
                            .collect::<Vec<_>>()
                            .join(":")
                    )
                };
                let inside = |p: &Path| roots.iter().any(|root| p.starts_with(root));
                if !inside(&lexical) {
                    return Err(outside());
                }
                let real = std::fs::canonicalize(&lexical)
                    .map_err(|e| format!("cannot read {}: {e}; check the path", path.display()))?;
                if inside(&real) {
                    Ok(real)
                } else {
                    Err(outside())
                }
            }
        }
    }

    /// These rules with `dir` (an existing directory, canonicalised) allowed too.
    pub fn with_root(self, dir: &Path) -> Result<Self, String> {
        match self {
            FileAccess::Any => Ok(FileAccess::Any),
            FileAccess::Under(mut roots) => {
                let real = std::fs::canonicalize(dir)
                    .map_err(|e| format!("cannot use the directory {}: {e}", dir.display()))?;
                // As written too, like the configured roots (a symlink on the way).
                let written = std::path::absolute(dir).map(|p| without_dots(&p));
                roots.push(real);
                roots.extend(written);
                roots.dedup();
                Ok(FileAccess::Under(roots))
            }
        }
    }

    /// The roots in a colon-separated list such as `MAESTRO_DATA_ROOTS`
    /// (canonicalised; a root that does not exist is an error naming it).
    pub fn from_roots(list: Option<&str>) -> Result<Self, String> {
        let roots = list
            .unwrap_or_default()
            .split(':')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| {
                let real = std::fs::canonicalize(r).map_err(|e| {
                    format!("MAESTRO_DATA_ROOTS names {r}, which cannot be used ({e}); list existing directories, separated by ':'")
                })?;
                // As written too, so that a root reached through a symlink
                // admits paths written through it (the real path is checked after).
                let written = std::path::absolute(r).map(|p| without_dots(&p)).unwrap_or_else(|_| real.clone());
                Ok::<_, String>([real, written])
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut roots: Vec<PathBuf> = roots.into_iter().flatten().collect();
        roots.dedup();
        Ok(Self::Under(roots))
    }
}

/// `path` with `.` and `..` resolved on its text alone (no file system).
fn without_dots(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_added_root_admits_its_files_written_through_a_symlink() {
        let home = tempfile::tempdir().unwrap();
        let real = home.path().join("real");
        std::fs::create_dir_all(real.join("uploads")).unwrap();
        std::fs::write(real.join("uploads/a.csv"), "x\n1\n").unwrap();
        let linked = home.path().join("linked");
        std::os::unix::fs::symlink(&real, &linked).unwrap();
        let access = FileAccess::Under(Vec::new())
            .with_root(&linked.join("uploads"))
            .unwrap();
        let found = access.check(&linked.join("uploads/a.csv")).unwrap();
        assert_eq!(
            found,
            std::fs::canonicalize(real.join("uploads/a.csv")).unwrap()
        );
        assert!(access.check(&home.path().join("elsewhere.csv")).is_err());
        assert!(matches!(
            FileAccess::Any.with_root(&linked).unwrap(),
            FileAccess::Any
        ));
    }
}
