//! The commands.

pub mod check;
pub mod codes;
pub mod fill;
pub mod merge;
pub mod template;

use std::path::Path;

use samla::Plan;

/// Exit status: done.
pub const OK: i32 = 0;
/// Exit status: done, but there are problems (`check`, `merge --strict`).
pub const PROBLEMS: i32 = 1;
/// Exit status: could not run (bad plan, unreadable inbox, unwritable output).
pub const FAILED: i32 = 2;

pub const EXIT_HELP: &str =
    "Slutstatus: 0 klart, 1 avvikelser (check, merge --strict), 2 kunde inte köras.";

/// Loads the plan or prints why not.
pub fn load_plan(path: &Path) -> Result<Plan, i32> {
    Plan::load(path).map_err(|e| {
        eprintln!("samla: {e}");
        FAILED
    })
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
            exe,
            limits: SandboxLimits {
                timeout: std::time::Duration::from_secs(timeout_secs),
                ..SandboxLimits::default()
            },
        },
        Err(_) => ReadMode::InProcess,
    }
}
