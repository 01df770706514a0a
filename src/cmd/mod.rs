//! The commands, their one error type and the Swedish command line.

pub mod check;
pub mod codes;
pub mod error;
pub mod fill;
pub mod merge;
pub mod plan;
pub mod status;
pub mod template;
pub mod usage;

use std::path::Path;

use samla::Plan;

use error::CliError;

/// The exit statuses, under every `--help`.
pub const EXIT_HELP: &str =
    "Slutstatus: 0 klart, 1 avvikelser (check, merge --strict) eller inget \
     kunde slås samman (merge), 2 kunde inte köras.";

/// Loads the plan.
pub fn load_plan(path: &Path) -> Result<Plan, CliError> {
    Ok(Plan::load(path)?)
}

/// The earlier round a template starts from (`--previous`), when given;
/// refused when it followed up another plan.
pub fn previous_round(
    path: Option<&Path>,
    plan: &Plan,
) -> Result<Option<samla::rounds::PreviousRound>, CliError> {
    let Some(path) = path else {
        return Ok(None);
    };
    Ok(Some(
        samla::rounds::PreviousRound::load(path)?.of_plan(plan)?,
    ))
}

/// How to read returns: in worker processes unless `SAMLA_IN_PROCESS=1`.
pub fn read_mode(timeout_secs: u64) -> samla::pipeline::ReadMode {
    use samla::pipeline::ReadMode;
    use samla::sandbox::SandboxLimits;
    if std::env::var("SAMLA_IN_PROCESS").is_ok_and(|v| v == "1") {
        return ReadMode::InProcess;
    }
    match std::env::current_exe() {
        Ok(exe) => ReadMode::Isolated {
            exe: samla::sandbox::worker_exe(&exe),
            limits: SandboxLimits {
                timeout: std::time::Duration::from_secs(timeout_secs),
                ..SandboxLimits::default()
            },
        },
        Err(_) => ReadMode::InProcess,
    }
}
