//! `samla codes`: lists the finding codes and what they mean.

use samla::FindingCode;

use super::error::{say, CliError, Status};

/// Lista avvikelsekoderna och vad de betyder.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> Result<Status, CliError> {
    let mut out = std::io::stdout().lock();
    for c in FindingCode::ALL {
        say(
            &mut out,
            format_args!(
                "{:<26} {:<8} {}",
                c.as_str(),
                c.severity().swedish(),
                c.meaning()
            ),
        )?;
    }
    Ok(Status::Done)
}
