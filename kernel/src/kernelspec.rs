//! `maestro kernel install`: writes the `maestro` kernelspec where Jupyter
//! looks for kernels.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::KernelError;

/// Where to install the kernelspec (as `jupyter kernelspec install` has it).
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// The user's Jupyter data directory (`JUPYTER_DATA_DIR`, or e.g. `~/.local/share/jupyter`).
    User,
    /// `DIR/share/jupyter`.
    Prefix(PathBuf),
    /// The active Python environment's prefix (`VIRTUAL_ENV`, `CONDA_PREFIX`, or `python3`'s `sys.prefix`).
    SysPrefix,
}

/// Writes `kernels/maestro/kernel.json` that launches `argv` (with
/// `{connection_file}` appended as Jupyter expects); returns its directory.
pub fn install(location: &Location, argv: &[String]) -> Result<PathBuf, KernelError> {
    let data_dir = match location {
        Location::User => user_data_dir()?,
        Location::Prefix(prefix) => prefix.join("share/jupyter"),
        Location::SysPrefix => sys_prefix()?.join("share/jupyter"),
    };
    let dir = data_dir.join("kernels/maestro");
    let mut argv = argv.to_vec();
    argv.extend(["--connection-file".into(), "{connection_file}".into()]);
    // Never `null` for metadata, env or interrupt_mode: jupyter_client rejects it.
    let spec = json!({
        "argv": argv,
        "display_name": "Maestro",
        "language": "maestro",
        "interrupt_mode": "message",
        "env": {},
        "metadata": {"debugger": false},
    });
    let write = |path: &Path| -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        std::fs::write(path, serde_json::to_vec_pretty(&spec)?)
    };
    let file = dir.join("kernel.json");
    write(&file).map_err(|e| KernelError::Install(file.clone(), e.to_string()))?;
    Ok(dir)
}

fn user_data_dir() -> Result<PathBuf, KernelError> {
    if let Some(dir) = std::env::var_os("JUPYTER_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(dir.into());
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    if cfg!(target_os = "macos") {
        return home
            .map(|h| h.join("Library/Jupyter"))
            .ok_or(KernelError::NoDataDir);
    }
    std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".local/share")))
        .map(|d| d.join("jupyter"))
        .ok_or(KernelError::NoDataDir)
}

fn sys_prefix() -> Result<PathBuf, KernelError> {
    for var in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
        if let Some(prefix) = std::env::var_os(var).filter(|p| !p.is_empty()) {
            return Ok(prefix.into());
        }
    }
    let output = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .map_err(|_| KernelError::NoSysPrefix)?;
    let prefix = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() || prefix.is_empty() {
        return Err(KernelError::NoSysPrefix);
    }
    Ok(prefix.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_has_no_nulls_and_asks_for_message_interrupts() {
        let prefix = tempfile::tempdir().unwrap();
        let dir = install(
            &Location::Prefix(prefix.path().into()),
            &["/usr/bin/maestro".into(), "kernel".into()],
        )
        .unwrap();
        assert_eq!(dir, prefix.path().join("share/jupyter/kernels/maestro"));
        let spec: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("kernel.json")).unwrap()).unwrap();
        assert_eq!(spec["interrupt_mode"], "message");
        assert_eq!(spec["language"], "maestro");
        assert_eq!(spec["argv"][3], "{connection_file}");
        for key in ["metadata", "env", "interrupt_mode"] {
            assert!(!spec[key].is_null(), "{key} is null");
        }
    }
}
