//! `maestro kernel`: serve a Jupyter connection file, or install the kernelspec.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use maestro_kernel::Location;

use crate::Globals;
use crate::commands::{Ctx, assistant};

/// `maestro kernel …`
#[derive(Args)]
pub struct KernelArgs {
    #[command(subcommand)]
    command: Option<KernelCommand>,
    /// Serve this connection file (Jupyter passes it when it starts the kernel).
    #[arg(long, short = 'f')]
    connection_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum KernelCommand {
    /// Write the "maestro" kernelspec so Jupyter offers a Maestro notebook.
    Install {
        /// Into the user's Jupyter data directory (the default).
        #[arg(long, conflicts_with_all = ["prefix", "sys_prefix"])]
        user: bool,
        /// Into DIR/share/jupyter (e.g. a virtualenv).
        #[arg(long, value_name = "DIR", conflicts_with = "sys_prefix")]
        prefix: Option<PathBuf>,
        /// Into the active Python environment's prefix.
        #[arg(long)]
        sys_prefix: bool,
    },
}

/// Runs `maestro kernel`.
pub fn run(ctx: Ctx, args: &KernelArgs) -> Result<ExitCode> {
    match (&args.command, &args.connection_file) {
        (
            Some(KernelCommand::Install {
                prefix, sys_prefix, ..
            }),
            _,
        ) => {
            let location = match (prefix, sys_prefix) {
                (Some(dir), _) => Location::Prefix(dir.clone()),
                (None, true) => Location::SysPrefix,
                (None, false) => Location::User,
            };
            let dir = maestro_kernel::install(&location, &launch_argv(&ctx.globals)?)?;
            println!("Installed the maestro kernelspec in {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        (None, Some(file)) => {
            let actor = ctx.globals.actor.clone();
            let platform = ctx.into_platform();
            let load: maestro_kernel::Loader = Box::new(move || {
                let platform = platform.map_err(|e| format!("{e:#}"))?;
                assistant(platform).map_err(|e| format!("{e:#}"))
            });
            maestro_kernel::run(file, load, actor)?;
            Ok(ExitCode::SUCCESS)
        }
        (None, None) => bail!(
            "say what to do: `maestro kernel install [--user|--prefix DIR|--sys-prefix]`, or `maestro kernel --connection-file FILE` (Jupyter does this)"
        ),
    }
}

/// The command Jupyter runs: this binary, with the state settings given now.
fn launch_argv(globals: &Globals) -> Result<Vec<String>> {
    let exe = std::env::current_exe().context("cannot find the maestro executable's path")?;
    let mut argv = vec![exe.to_string_lossy().into_owned()];
    if let Some(home) = &globals.home {
        let home = std::path::absolute(home).context("cannot resolve --home")?;
        argv.extend(["--home".into(), home.to_string_lossy().into_owned()]);
    }
    argv.extend(["--workspace".into(), globals.workspace.clone()]);
    if let Some(actor) = &globals.actor {
        argv.extend(["--as".into(), actor.clone()]);
    }
    argv.push("kernel".into());
    Ok(argv)
}
