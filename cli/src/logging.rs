//! The log: `RUST_LOG`-style filtering (`RUST_LOG=maestro_assistant=debug`
//! shows which rule or model chose each tool), JSON lines with
//! `MAESTRO_LOG=json`, always on stderr so standard output stays the answer.

use tracing_subscriber::EnvFilter;

/// Starts the log: warnings and errors by default, each request's line too
/// for a server; a filter that cannot be read is said once and the default kept.
pub fn init(serving: bool) {
    let default = if serving { "info" } else { "warn" };
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::try_new(&spec).unwrap_or_else(|e| {
            eprintln!("warning: RUST_LOG={spec:?} cannot be read ({e}); logging at {default}");
            EnvFilter::new(default)
        }),
        _ => EnvFilter::new(default),
    };
    let json = match std::env::var("MAESTRO_LOG").as_deref() {
        Ok("json") => true,
        Ok("" | "text") | Err(_) => false,
        Ok(other) => {
            eprintln!("warning: MAESTRO_LOG={other:?} is not json or text; logging as text");
            false
        }
    };
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // A log nobody reads any more (a closed stderr) must not stop the work.
        .log_internal_errors(false)
        .with_ansi(
            std::env::var_os("NO_COLOR").is_none()
                && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        );
    if json {
        log.json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        log.init();
    }
}
