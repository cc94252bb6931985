//! `debug:log`: a message in the task's log, and optionally the workspace's files.

use super::{Output, StepIo};
use crate::scaffolder::workspace::files_under;

pub async fn log(io: StepIo<'_>) -> Result<Output, String> {
    if let Some(message) = io.text("message") {
        for line in message.lines() {
            io.log.line(line);
        }
    }
    if io.flag("listWorkspace") {
        let files = files_under(io.workspace)?;
        io.log
            .line(format!("The workspace holds {} files:", files.len()));
        for file in files {
            io.log.line(format!("  {file}"));
        }
    }
    Ok(Output::new())
}
