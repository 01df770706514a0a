//! `samla template`: writes every region's template, and the coordinator's.

use std::path::PathBuf;

use super::error::{note, say, CliError, Status};
use super::load_plan;

/// Skriv en ifyllnadsmall (xlsx) per region och en för samordnarens kommentarer.
///
/// Exempel: samla template --plan templates/cancerplan-norr-2022-2024.toml
#[derive(clap::Args)]
pub struct Args {
    /// Planen: TOML (.toml) eller arbetsbok (.xlsx, .ods).
    #[arg(long, value_name = "PLAN")]
    plan: PathBuf,
    /// Mapp att skriva mallarna i [standard: en mapp med planens id bredvid planen].
    #[arg(long, value_name = "MAPP")]
    out: Option<PathBuf>,
    /// Förra omgångens utdatamapp eller dess sammanstallning.json: varje mall
    /// visar då svarandens egen bedömning och kommentar från förra omgången i
    /// låsta kolumner bredvid de nya.
    #[arg(long, value_name = "FÖRRA")]
    previous: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<Status, CliError> {
    let plan = load_plan(&a.plan)?;
    let previous = super::previous_round(a.previous.as_deref(), &plan)?;
    let out = a.out.unwrap_or_else(|| {
        a.plan
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join(&plan.id)
    });
    std::fs::create_dir_all(&out).map_err(|source| CliError::CreateDir {
        path: out.clone(),
        source,
    })?;
    let paths = samla::template::write_all(&plan, &out, previous.as_ref())?;
    let mut stdout = std::io::stdout().lock();
    for p in &paths {
        say(&mut stdout, format_args!("{}", p.display()))?;
    }
    note(format_args!(
        "samla: {} mallar skrivna i {}",
        paths.len(),
        out.display()
    ));
    Ok(Status::Done)
}
