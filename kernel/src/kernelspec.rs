//! `maestro kernel install`: writes the `maestro` kernelspec where Jupyter
//! looks for kernels.

use std::path::PathBuf;

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
    let spec = serde_json::to_vec_pretty(&spec)
        .map_err(|e| KernelError::Install(dir.join("kernel.json"), e.to_string()))?;
    let files: [(&str, &[u8]); 3] = [
        ("kernel.json", &spec),
        // The launcher's card shows the logo instead of a placeholder.
        ("logo-64x64.png", LOGO_PNG),
        ("logo-svg.svg", LOGO_SVG),
    ];
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|e| KernelError::Install(path.clone(), e.to_string()))?;
    }
    Ok(dir)
}

/// The kernel's logo for Jupyter's launcher, 64×64.
const LOGO_PNG: &[u8] = include_bytes!("../assets/logo-64x64.png");
/// The same logo as SVG.
const LOGO_SVG: &[u8] = include_bytes!("../assets/logo-svg.svg");

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
        // The launcher's logos: a 64×64 PNG and an SVG.
        let png = std::fs::read(dir.join("logo-64x64.png")).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(
            (&png[16..20], &png[20..24]),
            (&[0, 0, 0, 64][..], &[0, 0, 0, 64][..])
        );
        let svg = std::fs::read_to_string(dir.join("logo-svg.svg")).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("viewBox"));
    }
}
