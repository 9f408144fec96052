//! `veltrix serve`: runs the service until SIGTERM or SIGINT, then prints
//! the final summary on stdout.

use std::io::Write;

use event_service::{ServeArgs, ServeError};

use crate::{Status, Usage};

/// Runs `serve`.
pub fn run(args: &ServeArgs) -> anyhow::Result<Status> {
    event_service::init_logging();
    let summary = event_service::serve(args).map_err(|e| match e {
        ServeError::Usage(m) => anyhow::Error::new(Usage(m)),
        e @ ServeError::Failed(_) => anyhow::Error::new(e),
    })?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &summary.json)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(Status::Clean)
}
