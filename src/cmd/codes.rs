//! `samla codes`: lists the finding codes and what they mean.

use samla::FindingCode;

/// Lista avvikelsekoderna och vad de betyder.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> i32 {
    for c in FindingCode::ALL {
        println!(
            "{:<26} {:<8} {}",
            c.as_str(),
            c.severity().swedish(),
            c.meaning()
        );
    }
    super::OK
}
