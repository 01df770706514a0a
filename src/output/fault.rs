//! A test hook for crash testing: with `SAMLA_FAULT_STEP=N` in the
//! environment, the process kills itself (SIGKILL, as `kill -9` or a power
//! cut would end it) just before the N-th step that changes the output
//! folder — a write, fsync, link, rename or removal. The fault-injection
//! test runs a merge once per step and checks that the folder then holds
//! exactly the previous set of outputs or the new one. Without the variable
//! a step costs one atomic load.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

static DONE: AtomicU64 = AtomicU64::new(0);
static LIMIT: OnceLock<Option<u64>> = OnceLock::new();

/// Counts one step that changes the output folder; dies before it if it is
/// the step `SAMLA_FAULT_STEP` names.
pub(crate) fn step(what: &str, path: &Path) {
    let limit = LIMIT.get_or_init(|| {
        std::env::var("SAMLA_FAULT_STEP")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    let Some(limit) = *limit else {
        return;
    };
    let n = DONE.fetch_add(1, Ordering::SeqCst) + 1;
    if n == limit {
        eprintln!(
            "samla: SAMLA_FAULT_STEP={limit}: dör före steg {n} ({what} {})",
            path.display()
        );
        // SAFETY: kill(2) on our own pid with a valid signal number has no
        // memory-safety preconditions.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
}
