//! What the server benchmarks share.

use std::path::Path;
use std::sync::Arc;

use maestro_assistant::{Assistant, LocalPlanner};
use maestro_server::Opener;
use maestro_tools::{Clock, Platform};

/// Opens workspaces under `home` with the local planner at `clock`.
pub fn opener(home: &Path, clock: Clock) -> Opener {
    let home = home.to_path_buf();
    Arc::new(move |workspace: &str| {
        let platform = Platform::open(&home, workspace, clock).map_err(|e| e.to_string())?;
        let planner = LocalPlanner::new(platform.registry()).map_err(|e| e.to_string())?;
        Ok(Assistant::new(platform, Box::new(planner)))
    })
}
