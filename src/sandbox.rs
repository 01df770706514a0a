//! Reads untrusted files in worker processes, so that what no up-front check
//! can rule out — an allocation that aborts (Rust cannot catch that), a
//! parser that never returns — costs one file, not the run.
//!
//! Each worker is this same executable started with the hidden
//! `__read-worker` command. It reads one path per line on stdin and answers
//! one JSON line on stdout. Workers are reused across files (starting a
//! process per file would cost more than reading it), and run with an
//! address-space limit (`RLIMIT_AS`). The parent waits at most a timeout
//! for each answer; a worker that dies or overruns is killed and replaced,
//! and the file gets a `reader-failed` finding.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

use crate::finding::FindingCode;
use crate::reader::{read_return, Limits, RawReturn, ReadFailure};

/// The hidden command that starts a worker.
pub const WORKER_COMMAND: &str = "__read-worker";

/// Limits of a worker process.
#[derive(Debug, Clone)]
pub struct SandboxLimits {
    /// Wall time for one file.
    pub timeout: Duration,
    /// Address space of one worker, bytes.
    pub memory_bytes: u64,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        SandboxLimits {
            timeout: Duration::from_secs(30),
            // The known bombs are refused before parsing (reader::prescan);
            // a real return needs about 10 MB.
            memory_bytes: 512 << 20,
        }
    }
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Vec<u8>>,
}

/// A pool of reader processes.
pub struct Sandbox {
    exe: PathBuf,
    limits: Limits,
    box_limits: SandboxLimits,
    idle: Mutex<Vec<Worker>>,
}

impl Sandbox {
    /// A pool that starts `exe __read-worker` as needed.
    pub fn new(exe: PathBuf, limits: Limits, box_limits: SandboxLimits) -> Sandbox {
        Sandbox {
            exe,
            limits,
            box_limits,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn spawn(&self) -> Result<Worker, ReadFailure> {
        let mut cmd = Command::new(&self.exe);
        cmd.arg(WORKER_COMMAND)
            .env(
                "SAMLA_LIMITS",
                serde_json::to_string(&self.limits).unwrap_or_default(),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let memory = self.box_limits.memory_bytes;
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // SAFETY: setrlimit is async-signal-safe; nothing else runs
            // between fork and exec.
            unsafe {
                cmd.pre_exec(move || {
                    let lim = libc::rlimit {
                        rlim_cur: memory as libc::rlim_t,
                        rlim_max: memory as libc::rlim_t,
                    };
                    if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = cmd.spawn().map_err(|e| ReadFailure {
            code: FindingCode::ReaderFailed,
            message: format!(
                "läsprocessen kunde inte startas ({}): {e}",
                self.exe.display()
            ),
        })?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            // Raw bytes, parsed by the caller: no UTF-8 check and copy into
            // a String for each ~25 KB answer.
            let mut reader = BufReader::with_capacity(64 << 10, stdout);
            loop {
                let mut line = Vec::new();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            lines,
        })
    }

    /// Reads one file in a worker.
    pub fn read(&self, path: &Path) -> Result<RawReturn, ReadFailure> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let mut worker = match idle {
            Some(w) => w,
            None => self.spawn()?,
        };
        let request = serde_json::to_string(&path).unwrap_or_default();
        let failed = |message: String| ReadFailure {
            code: FindingCode::ReaderFailed,
            message,
        };
        if writeln!(worker.stdin, "{request}")
            .and_then(|_| worker.stdin.flush())
            .is_err()
        {
            let _ = worker.child.kill();
            let _ = worker.child.wait();
            return Err(failed(
                "läsprocessen avslutades oväntat innan filen kunde läsas".into(),
            ));
        }
        match worker.lines.recv_timeout(self.box_limits.timeout) {
            Ok(line) => {
                let result = serde_json::from_slice::<Result<RawReturn, ReadFailure>>(&line)
                    .unwrap_or_else(|e| {
                        Err(failed(format!("läsprocessens svar kunde inte tolkas: {e}")))
                    });
                if let Ok(mut v) = self.idle.lock() {
                    v.push(worker);
                }
                result
            }
            Err(RecvTimeoutError::Timeout) => {
                let _ = worker.child.kill();
                let _ = worker.child.wait();
                Err(failed(format!(
                    "läsningen avbröts efter {} s (filen kan vara skadad eller konstruerad för att låsa läsaren)",
                    self.box_limits.timeout.as_secs()
                )))
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = worker
                    .child
                    .wait()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|e| e.to_string());
                Err(failed(format!(
                    "läsprocessen kraschade eller fick slut på minne (gräns {} MB; {status}); filen kan vara skadad eller konstruerad för att krascha läsaren",
                    self.box_limits.memory_bytes >> 20
                )))
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Ok(mut idle) = self.idle.lock() {
            for mut w in idle.drain(..) {
                drop(w.stdin);
                let _ = w.child.wait();
            }
        }
    }
}

/// The worker's main loop: one path per line in, one JSON result per line out.
pub fn worker_main() -> i32 {
    let limits: Limits = std::env::var("SAMLA_LIMITS")
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    std::panic::set_hook(Box::new(|_| {}));
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let result = match serde_json::from_str::<PathBuf>(&line) {
            Ok(path) => read_return(&path, &limits),
            Err(e) => Err(ReadFailure {
                code: FindingCode::ReaderFailed,
                message: format!("ogiltig begäran: {e}"),
            }),
        };
        let out = serde_json::to_string(&result).unwrap_or_else(|_| "null".into());
        if writeln!(stdout, "{out}")
            .and_then(|_| stdout.flush())
            .is_err()
        {
            break;
        }
    }
    0
}
