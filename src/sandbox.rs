//! Reads untrusted files in worker processes, so that what no up-front check
//! can rule out — an allocation that aborts (Rust cannot catch that), a
//! parser that never returns — costs one file, not the run.
//!
//! Each worker is the small `samla-worker` executable beside samla, or
//! else samla itself, started with the hidden `__read-worker` command (see
//! [`worker_exe`]); one per core, reused across files (starting a process
//! per file would cost more than reading it), with an address-space limit
//! (`RLIMIT_AS`). The protocol on its stdin and stdout is binary and loses
//! nothing: each message is a 4-byte little-endian length and a
//! [postcard](https://docs.rs/postcard) body. A request carries the path as
//! bytes (any file name, UTF-8 or not) and the [`Limits`]; the worker
//! first answers one byte, [`RECEIVED`], then the result; a merge keeps
//! the next request waiting in the worker's pipe meanwhile
//! ([`Sandbox::read_in_turn`]). The parent waits
//! at most a timeout for each answer and refuses an answer over
//! [`SandboxLimits::max_answer_bytes`]. A worker that dies before it
//! acknowledged a file (e.g. it died while idle) costs nothing: the file is
//! tried once more on a fresh worker. One that dies or overruns while
//! reading is killed and replaced, and the file gets a `reader-failed`
//! finding quoting the end of what the worker wrote on stderr.

use std::collections::VecDeque;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::finding::FindingCode;
use crate::reader::{read_return, Limits, RawReturn, ReadFailure};

/// The hidden command that starts a worker.
pub const WORKER_COMMAND: &str = "__read-worker";

/// The byte a worker writes when it has a request and starts reading.
pub const RECEIVED: u8 = b'R';

/// Bytes of stderr kept from a worker, for the message when it fails.
const STDERR_TAIL: usize = 2048;

/// What `samla-worker --version` answers. The worker protocol is postcard,
/// which is not self-describing: a worker of another version could read a
/// request, or write an answer, as something else. Cargo builds both
/// executables together; an installed pair can still differ, so the
/// version is asked before a `samla-worker` is used.
pub const WORKER_IDENTITY: &str = concat!("samla-worker ", env!("CARGO_PKG_VERSION"));

/// The executable to start workers from, for the samla executable `samla`:
/// the `samla-worker` beside it (only the reader; see
/// `src/bin/samla-worker.rs`) when there is one and it answers
/// [`WORKER_IDENTITY`] to `--version` within two seconds, else `samla`
/// itself. Either is started with [`WORKER_COMMAND`].
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let samla = dir.path().join("samla");
/// // Nothing beside it: samla reads with itself.
/// assert_eq!(samla::sandbox::worker_exe(&samla), samla);
/// ```
pub fn worker_exe(samla: &Path) -> PathBuf {
    let worker = samla.with_file_name(format!("samla-worker{}", std::env::consts::EXE_SUFFIX));
    if worker.is_file() && same_version(&worker) {
        worker
    } else {
        samla.to_path_buf()
    }
}

/// Whether `worker` answers `--version` with [`WORKER_IDENTITY`] in time.
fn same_version(worker: &Path) -> bool {
    let Ok(mut child) = Command::new(worker)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let deadline = Instant::now() + Duration::from_secs(2);
    while matches!(child.try_wait(), Ok(None)) {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut out = String::new();
    let read = child.stdout.take().map(|mut o| o.read_to_string(&mut out));
    matches!(read, Some(Ok(_))) && out.trim_end() == WORKER_IDENTITY
}

/// Limits of a worker process.
#[derive(Debug, Clone)]
pub struct SandboxLimits {
    /// Wall time for one file.
    pub timeout: Duration,
    /// Address space of one worker, bytes.
    pub memory_bytes: u64,
    /// Bytes of one answer (a read return, encoded).
    pub max_answer_bytes: u32,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        SandboxLimits {
            timeout: Duration::from_secs(30),
            // The known bombs are refused before parsing (reader::prescan);
            // a real return needs about 10 MB.
            memory_bytes: 512 << 20,
            max_answer_bytes: 256 << 20,
        }
    }
}

/// One request to a worker.
#[derive(Debug, Serialize, Deserialize)]
struct Request {
    /// The path's bytes (Unix: exactly the OS's; elsewhere UTF-8).
    path: Vec<u8>,
    limits: Limits,
}

/// What a worker's stdout brought for one request: one message per
/// request, so that the reading thread wakes once per file (each wake is a
/// context switch; at 1,000 files they were about 5 % of all CPU).
enum Message {
    Answer(Vec<u8>),
    TooBig(u32),
    /// The worker's stdout ended (it died or closed it); `received` says
    /// whether it had acknowledged the request with [`RECEIVED`] first.
    Ended {
        received: bool,
    },
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    messages: Answers,
    stderr: Arc<Mutex<VecDeque<u8>>>,
}

impl Worker {
    fn kill(mut self) -> String {
        let _ = self.child.kill();
        self.status()
    }

    /// How the process ended, e.g. `signal: 11 (SIGSEGV)`.
    fn status(&mut self) -> String {
        self.child
            .wait()
            .map(|s| s.to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    /// The end of what the worker wrote on stderr, as a sentence; empty
    /// when it wrote nothing.
    fn stderr_tail(&self) -> String {
        // The reader thread may still be draining the pipe.
        std::thread::sleep(Duration::from_millis(20));
        let tail: Vec<u8> = self
            .stderr
            .lock()
            .map(|t| t.iter().copied().collect())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&tail).trim().to_string();
        if text.is_empty() {
            String::new()
        } else {
            format!(" Läsprocessen skrev till sist: \"{text}\"")
        }
    }
}

/// A pool of reader processes.
pub struct Sandbox {
    exe: PathBuf,
    limits: Limits,
    box_limits: SandboxLimits,
    idle: Mutex<Vec<Worker>>,
    busy: Permits,
    spare: Spare,
}

/// Answer buffers given back once decoded, for the next answers: a fresh
/// buffer of tens of KB per answer made glibc's allocator gather its free
/// lists (`malloc_consolidate`) for every file, about 1 % of a merge's CPU.
/// Only buffers up to [`SPARE_BYTES`] are kept, at most [`SPARE_COUNT`].
#[derive(Debug, Clone, Default)]
struct Spare(Arc<Mutex<Vec<Vec<u8>>>>);

/// The largest answer buffer [`Spare`] keeps (a return's answer is tens of
/// KB; a larger one is not held for the rest of the run).
const SPARE_BYTES: usize = 1 << 20;
/// How many buffers [`Spare`] keeps at most.
const SPARE_COUNT: usize = 16;

impl Spare {
    /// A buffer given back, or a new one; empty.
    fn take(&self) -> Vec<u8> {
        let kept = self.0.lock().ok().and_then(|mut v| v.pop());
        kept.unwrap_or_default()
    }

    /// Keeps `buf` for a later answer, when it is not too large.
    fn give(&self, mut buf: Vec<u8>) {
        if buf.capacity() <= SPARE_BYTES {
            buf.clear();
            if let Ok(mut v) = self.0.lock() {
                if v.len() < SPARE_COUNT {
                    v.push(buf);
                }
            }
        }
    }
}

/// At most this many reads at once, so at most this many workers: a worker
/// is started only when none is idle. Callers may use more threads than
/// permits; a thread that got its answer gives its worker and permit back
/// before it validates, so the workers keep parsing meanwhile. (Each worker
/// holds about 7 MB, mostly the program's code counted again.)
struct Permits {
    free: Mutex<usize>,
    returned: Condvar,
}

impl Permits {
    fn new(n: usize) -> Permits {
        Permits {
            free: Mutex::new(n.max(1)),
            returned: Condvar::new(),
        }
    }

    /// Waits for a permit; it is given back when the guard is dropped.
    fn take(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.returned.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Permit(self)
    }
}

/// One read's right to a worker.
struct Permit<'a>(&'a Permits);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.returned.notify_one();
    }
}

fn failed(message: String) -> ReadFailure {
    ReadFailure {
        code: FindingCode::ReaderFailed,
        message,
    }
}

/// Writes one length-prefixed message.
fn send(w: &mut impl Write, body: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(body.len()).map_err(std::io::Error::other)?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(body)?;
    w.flush()
}

/// Reads one length-prefixed message of at most `max` bytes into `body`
/// (emptied first); Err(len) when it is longer than `max`.
fn receive(
    r: &mut impl Read,
    max: u32,
    mut body: Vec<u8>,
) -> std::io::Result<Result<Vec<u8>, u32>> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len);
    if len > max {
        return Ok(Err(len));
    }
    // Into `body` as it is (a buffer given back), without zeroing it first.
    body.clear();
    body.reserve(len as usize);
    r.take(u64::from(len)).read_to_end(&mut body)?;
    if body.len() != len as usize {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(Ok(body))
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn path_from(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn path_from(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

impl Sandbox {
    /// A pool that starts `exe __read-worker` as needed, at most one per
    /// core (rayon's thread count) at once.
    pub fn new(exe: PathBuf, limits: Limits, box_limits: SandboxLimits) -> Sandbox {
        Sandbox {
            exe,
            limits,
            box_limits,
            idle: Mutex::new(Vec::new()),
            busy: Permits::new(rayon::current_num_threads()),
            spare: Spare::default(),
        }
    }

    fn spawn(&self) -> Result<Worker, ReadFailure> {
        let mut cmd = Command::new(&self.exe);
        cmd.arg(WORKER_COMMAND)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        limit_memory(&mut cmd, self.box_limits.memory_bytes);
        let mut child = cmd.spawn().map_err(|e| {
            failed(format!(
                "läsprocessen kunde inte startas ({}): {e}",
                self.exe.display()
            ))
        })?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let tail = Arc::new(Mutex::new(VecDeque::with_capacity(STDERR_TAIL)));
        let keep = Arc::clone(&tail);
        std::thread::spawn(move || keep_tail(stderr, &keep));
        widen_pipe(&stdout);
        let messages = Answers {
            pipe: BufReader::with_capacity(64 << 10, Deadline::new(stdout)),
            max: self.box_limits.max_answer_bytes,
            spare: self.spare.clone(),
            ended: false,
        };
        Ok(Worker {
            child,
            stdin,
            messages,
            stderr: tail,
        })
    }

    /// An idle worker that is still alive, or a new one.
    fn worker(&self) -> Result<Worker, ReadFailure> {
        while let Some(mut w) = self.idle.lock().ok().and_then(|mut v| v.pop()) {
            if matches!(w.child.try_wait(), Ok(None)) {
                return Ok(w);
            }
        }
        self.spawn()
    }

    /// Reads one file in a worker; a worker that dies before it starts
    /// reading the file is replaced once.
    pub fn read(&self, path: &Path) -> Result<RawReturn, ReadFailure> {
        self.decode(self.read_encoded(path))
    }

    /// As [`Sandbox::read`], the answer still encoded: a caller that feeds
    /// a worker file after file sends the next request before it decodes
    /// ([`Sandbox::decode`]) this one.
    pub fn read_encoded(&self, path: &Path) -> Result<Vec<u8>, ReadFailure> {
        let request = self.request(path)?;
        // Taken before the file's time limit starts: waiting for a free
        // worker is not the file's fault.
        let permit = self.busy.take();
        let body = self.read_request(&request);
        // The worker is idle again: another file can go to it while this
        // answer is decoded.
        drop(permit);
        body
    }

    /// The request for `path`, encoded.
    fn request(&self, path: &Path) -> Result<Vec<u8>, ReadFailure> {
        postcard::to_stdvec(&Request {
            path: path_bytes(path),
            limits: self.limits.clone(),
        })
        .map_err(|e| failed(format!("begäran till läsprocessen kunde inte skapas: {e}")))
    }

    /// Reads one request in an idle or new worker, tried once more in a
    /// fresh one when the worker dies before it starts.
    fn read_request(&self, request: &[u8]) -> Result<Vec<u8>, ReadFailure> {
        match self.attempt(request)? {
            Attempt::Done(body) => body,
            Attempt::NotStarted(..) => self.second_try(request),
        }
    }

    /// The last try at a request whose worker died before it started.
    fn second_try(&self, request: &[u8]) -> Result<Vec<u8>, ReadFailure> {
        match self.attempt(request)? {
            Attempt::Done(body) => body,
            Attempt::NotStarted(status, tail) => Err(failed(format!(
                "läsprocessen avslutades två gånger innan den hann börja läsa filen ({status}).{tail}"
            ))),
        }
    }

    /// Reads the files `next` gives, one after another, in one worker (with
    /// one of the pool's permits throughout), and hands each encoded answer
    /// to `done` with the file's index, in order (but for a file whose
    /// request cannot be made, told at once). The next file's request waits in the worker's
    /// pipe while it reads one, so that it starts the next file as soon as
    /// it has answered, rather than after the parent's threads have woken
    /// up to send it (about a tenth of the reading time at 1,000 returns).
    /// A file's time limit runs from when the worker can start it. A
    /// failure goes as in [`Sandbox::read_encoded`]: the file the worker was
    /// reading gets it, and the file that waited behind it is read again
    /// in a fresh worker.
    pub fn read_in_turn<'p>(
        &self,
        mut next: impl FnMut() -> Option<(usize, &'p Path)>,
        mut done: impl FnMut(usize, Result<Vec<u8>, ReadFailure>),
    ) {
        let _permit = self.busy.take();
        let mut worker: Option<Worker> = None;
        // Sent to `worker` and not yet answered.
        let mut sent: VecDeque<(usize, Vec<u8>)> = VecDeque::new();
        // An answer handed to `done` once the next request is on its way,
        // so that the worker has work while `done` runs.
        let mut answered = None;
        loop {
            while sent.len() < 2 {
                let Some((i, path)) = next() else { break };
                match self.request(path) {
                    Ok(request) => {
                        let delivered = self.send_to(&mut worker, &request);
                        sent.push_back((i, request));
                        if !delivered {
                            if let Some((j, body)) = answered.take() {
                                done(j, Ok(body));
                            }
                            self.one_by_one(&mut worker, &mut sent, &mut done);
                        }
                    }
                    Err(e) => done(i, Err(e)),
                }
            }
            if let Some((i, body)) = answered.take() {
                done(i, Ok(body));
            }
            let Some((i, request)) = sent.pop_front() else {
                break;
            };
            let Some(mut w) = worker.take() else {
                // Not expected: a request is kept only with its worker.
                sent.push_front((i, request));
                self.one_by_one(&mut worker, &mut sent, &mut done);
                continue;
            };
            let message = w.messages.recv_timeout(self.box_limits.timeout);
            match message {
                Ok(Message::Answer(body)) => {
                    worker = Some(w);
                    answered = Some((i, body));
                }
                Ok(Message::Ended { received: false }) | Err(RecvTimeoutError::Disconnected) => {
                    // It died before it started this file.
                    w.kill();
                    done(i, self.second_try(&request));
                    self.one_by_one(&mut worker, &mut sent, &mut done);
                }
                failed => {
                    done(i, self.answer(w, failed));
                    self.one_by_one(&mut worker, &mut sent, &mut done);
                }
            }
        }
        if let (Some(w), Ok(mut idle)) = (worker, self.idle.lock()) {
            idle.push(w);
        }
    }

    /// Sends `request` to `worker`, an idle or new one if there is none;
    /// false when it could not be delivered.
    fn send_to(&self, worker: &mut Option<Worker>, request: &[u8]) -> bool {
        if worker.is_none() {
            *worker = self.worker().ok();
        }
        worker
            .as_mut()
            .is_some_and(|w| send(&mut w.stdin, request).is_ok())
    }

    /// After a failure: the worker is given up, and the requests sent to it
    /// are read one at a time in idle or new workers.
    fn one_by_one(
        &self,
        worker: &mut Option<Worker>,
        sent: &mut VecDeque<(usize, Vec<u8>)>,
        done: &mut impl FnMut(usize, Result<Vec<u8>, ReadFailure>),
    ) {
        if let Some(w) = worker.take() {
            w.kill();
        }
        for (i, request) in sent.drain(..) {
            done(i, self.read_request(&request));
        }
    }

    /// An answer of [`Sandbox::read_encoded`], decoded.
    pub fn decode(&self, body: Result<Vec<u8>, ReadFailure>) -> Result<RawReturn, ReadFailure> {
        let body = body?;
        let answer = postcard::from_bytes::<Result<RawReturn, ReadFailure>>(&body)
            .unwrap_or_else(|e| Err(failed(format!("läsprocessens svar kunde inte tolkas: {e}"))));
        self.spare.give(body);
        answer
    }

    fn attempt(&self, request: &[u8]) -> Result<Attempt, ReadFailure> {
        let mut worker = self.worker()?;
        if send(&mut worker.stdin, request).is_err() {
            let tail = worker.stderr_tail();
            return Ok(Attempt::NotStarted(worker.kill(), tail));
        }
        let message = worker.messages.recv_timeout(self.box_limits.timeout);
        if let Ok(Message::Ended { received: false }) | Err(RecvTimeoutError::Disconnected) =
            message
        {
            let status = worker.status();
            let tail = worker.stderr_tail();
            return Ok(Attempt::NotStarted(status, tail));
        }
        Ok(Attempt::Done(self.answer(worker, message)))
    }

    fn timed_out(&self) -> ReadFailure {
        failed(format!(
            "läsningen avbröts efter {} s (filen kan vara skadad eller konstruerad för att låsa läsaren)",
            self.box_limits.timeout.as_secs()
        ))
    }

    /// What a worker that had started reading brought: its encoded answer.
    fn answer(
        &self,
        mut worker: Worker,
        message: Result<Message, RecvTimeoutError>,
    ) -> Result<Vec<u8>, ReadFailure> {
        match message {
            Ok(Message::Answer(body)) => {
                if let Ok(mut v) = self.idle.lock() {
                    v.push(worker);
                }
                Ok(body)
            }
            Ok(Message::TooBig(len)) => {
                worker.kill();
                Err(ReadFailure {
                    code: FindingCode::FileLimitExceeded,
                    message: format!(
                        "det som lästes ur filen är {} MB, gränsen är {} MB",
                        len >> 20,
                        self.box_limits.max_answer_bytes >> 20
                    ),
                })
            }
            Ok(Message::Ended { .. }) | Err(RecvTimeoutError::Disconnected) => {
                let status = worker.status();
                let tail = worker.stderr_tail();
                Err(failed(format!(
                    "läsprocessen kraschade eller fick slut på minne (gräns {} MB; {status}); filen kan vara skadad eller konstruerad för att krascha läsaren.{tail}",
                    self.box_limits.memory_bytes >> 20
                )))
            }
            Err(RecvTimeoutError::Timeout) => {
                worker.kill();
                Err(self.timed_out())
            }
        }
    }
}

/// How one try at a file went.
enum Attempt {
    /// The worker read the file (its encoded answer), or overran while
    /// reading it.
    Done(Result<Vec<u8>, ReadFailure>),
    /// The worker ended before it started reading: how it ended, and the
    /// end of its stderr.
    NotStarted(String, String),
}

/// A worker's answers, one [`Message`] per request, read from its stdout by
/// the thread that waits for them.
///
/// Read where they are awaited, not by a thread of their own that hands
/// them on: that thread woke for every answer and woke the waiting one in
/// turn, a wake-up more per file (about a thousand context switches per
/// 1,000 returns, each costly in a virtual machine).
struct Answers {
    pipe: BufReader<Deadline>,
    max: u32,
    spare: Spare,
    /// The worker's stdout ended or is out of step (after anything but an
    /// answer): nothing more comes.
    ended: bool,
}

impl Answers {
    /// The next answer, waiting at most `timeout` for it (`Timeout`);
    /// `Disconnected` once a message other than an answer was given.
    fn recv_timeout(&mut self, timeout: Duration) -> Result<Message, RecvTimeoutError> {
        if self.ended {
            return Err(RecvTimeoutError::Disconnected);
        }
        self.pipe.get_mut().until = Some(Instant::now() + timeout);
        let timed_out = |e: &std::io::Error| e.kind() == std::io::ErrorKind::TimedOut;
        let mut byte = [0u8; 1];
        let msg = match self.pipe.read_exact(&mut byte) {
            Err(e) if timed_out(&e) => return Err(RecvTimeoutError::Timeout),
            Ok(()) if byte[0] == RECEIVED => {
                match receive(&mut self.pipe, self.max, self.spare.take()) {
                    Ok(Ok(body)) => Message::Answer(body),
                    Ok(Err(len)) => Message::TooBig(len),
                    Err(e) if timed_out(&e) => return Err(RecvTimeoutError::Timeout),
                    Err(_) => Message::Ended { received: true },
                }
            }
            _ => Message::Ended { received: false },
        };
        self.ended = !matches!(msg, Message::Answer(_));
        Ok(msg)
    }
}

/// A worker's stdout whose reads wait at most until a deadline, then fail
/// with `TimedOut`.
struct Deadline {
    pipe: std::process::ChildStdout,
    /// When reads stop waiting; None: they wait as long as it takes.
    until: Option<Instant>,
}

impl Deadline {
    fn new(pipe: std::process::ChildStdout) -> Deadline {
        Deadline { pipe, until: None }
    }

    /// Waits until the pipe has something to read (or has ended): false
    /// when the deadline passed first.
    #[cfg(unix)]
    fn ready(&self) -> std::io::Result<bool> {
        use std::os::fd::AsRawFd;
        loop {
            let ms = match self.until {
                None => -1,
                Some(t) => {
                    let left = t.saturating_duration_since(Instant::now());
                    // Rounded up: a wait of 0 ms would spin until the deadline.
                    i32::try_from(left.as_micros().div_ceil(1000)).unwrap_or(i32::MAX)
                }
            };
            let mut fd = libc::pollfd {
                fd: self.pipe.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one pollfd, valid for the call; the descriptor is ours.
            match unsafe { libc::poll(&mut fd, 1, ms) } {
                1.. => return Ok(true),
                0 if ms == 0 => return Ok(false),
                // Woken a little early: wait the rest.
                0 => continue,
                _ => {
                    let e = std::io::Error::last_os_error();
                    if e.kind() != std::io::ErrorKind::Interrupted {
                        return Err(e);
                    }
                }
            }
        }
    }

    /// Without poll the deadline is not kept (samla's sandbox needs Unix).
    #[cfg(not(unix))]
    fn ready(&self) -> std::io::Result<bool> {
        Ok(true)
    }
}

impl Read for Deadline {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.ready()? {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.pipe.read(buf)
    }
}

/// Gives the pipe of a worker's answers room for a whole answer (1 MiB,
/// Linux's limit for an unprivileged process; a return's answer is tens of
/// KB), so that the worker writes it at once instead of waking the parent
/// for every 64 KB. Where that is refused the pipe keeps its size.
fn widen_pipe(stdout: &std::process::ChildStdout) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: fcntl on a pipe descriptor we own; no memory is passed.
        unsafe { libc::fcntl(stdout.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = stdout;
}

/// Keeps the last [`STDERR_TAIL`] bytes a worker writes on stderr.
fn keep_tail(mut stderr: impl Read, tail: &Mutex<VecDeque<u8>>) {
    let mut buf = [0u8; 1024];
    while let Ok(n) = stderr.read(&mut buf) {
        if n == 0 {
            break;
        }
        if let Ok(mut t) = tail.lock() {
            t.extend(&buf[..n]);
            let over = t.len().saturating_sub(STDERR_TAIL);
            t.drain(..over);
        }
    }
}

/// Sets the child's address-space limit (Unix).
fn limit_memory(cmd: &mut Command, memory: u64) {
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
    #[cfg(not(unix))]
    let _ = (cmd, memory);
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

/// A cell's text as the parent receives it from a worker: checked to be
/// UTF-8 by simdutf8. The cells' texts are most of what a worker sends, and
/// the standard check of them was a tenth of the parent's work while
/// reading. Any serde format works: a string arrives as its bytes.
pub(crate) fn checked_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Text;
    impl serde::de::Visitor<'_> for Text {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("text")
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<String, E> {
            Ok(s.to_string())
        }
        fn visit_string<E: serde::de::Error>(self, s: String) -> Result<String, E> {
            Ok(s)
        }
        fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<String, E> {
            simdutf8::basic::from_utf8(b)
                .map(str::to_string)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Bytes(b), &self))
        }
    }
    d.deserialize_bytes(Text)
}

/// The worker's main loop: one request in, [`RECEIVED`] and one result out.
pub fn worker_main() -> i32 {
    // A parser's panic is caught by the reader and becomes its failure.
    std::panic::set_hook(Box::new(|_| {}));
    let mut stdin = std::io::stdin().lock();
    let mut stdout = answers_out();
    while let Ok(Ok(body)) = receive(&mut stdin, 1 << 20, Vec::new()) {
        // Said before reading: a worker that dies from here on died on the file.
        if stdout
            .write_all(&[RECEIVED])
            .and_then(|_| stdout.flush())
            .is_err()
        {
            break;
        }
        let result = match postcard::from_bytes::<Request>(&body) {
            Ok(req) => read_return(&path_from(req.path), &req.limits),
            Err(e) => Err(failed(format!("ogiltig begäran: {e}"))),
        };
        if stdout.write_all(&framed(&result)).is_err() {
            break;
        }
    }
    0
}

/// The worker's stdout, unbuffered: Rust's own stdout is line-buffered and
/// would split a binary answer at its newline bytes into several writes.
fn answers_out() -> Box<dyn Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(std::io::stdout())
}

/// One answer as [`receive`] reads it (length, then postcard body), in one
/// buffer so that it goes out in one write.
fn framed(result: &Result<RawReturn, ReadFailure>) -> Vec<u8> {
    let mut out = vec![0u8; 4];
    let encoded = postcard::to_io(result, &mut out).map(|_| ()).or_else(|e| {
        out.truncate(4);
        let failure = failed(format!("svaret kunde inte kodas: {e}"));
        postcard::to_io(&Err::<RawReturn, _>(failure), &mut out).map(|_| ())
    });
    if encoded.is_err() {
        out.truncate(4);
    }
    let len = u32::try_from(out.len() - 4).unwrap_or(u32::MAX);
    out[..4].copy_from_slice(&len.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// The answers of a "worker" that is `sh -c script`.
    fn answers_of(script: &str, max: u32) -> (Child, Answers) {
        let mut child = Command::new("sh")
            .args(["-c", script])
            .stdout(Stdio::piped())
            .spawn()
            .expect("sh runs");
        let stdout = child.stdout.take().expect("piped");
        let answers = Answers {
            pipe: BufReader::new(Deadline::new(stdout)),
            max,
            spare: Spare::default(),
            ended: false,
        };
        (child, answers)
    }

    #[test]
    fn answers_are_read_in_turn_and_end_with_the_pipe() {
        let (mut child, mut a) = answers_of(r"printf 'R\003\000\000\000abcR\000\000\000\000R'", 10);
        let second = Duration::from_secs(10);
        assert!(matches!(a.recv_timeout(second), Ok(Message::Answer(b)) if b == b"abc"));
        assert!(matches!(a.recv_timeout(second), Ok(Message::Answer(b)) if b.is_empty()));
        // Acknowledged, then the pipe ended.
        assert!(matches!(
            a.recv_timeout(second),
            Ok(Message::Ended { received: true })
        ));
        assert!(matches!(
            a.recv_timeout(second),
            Err(RecvTimeoutError::Disconnected)
        ));
        child.wait().unwrap();

        let (mut child, mut a) = answers_of("exit 0", 10);
        assert!(matches!(
            a.recv_timeout(second),
            Ok(Message::Ended { received: false })
        ));
        child.wait().unwrap();

        let (mut child, mut a) = answers_of(r"printf 'R\377\000\000\000'", 10);
        assert!(matches!(a.recv_timeout(second), Ok(Message::TooBig(255))));
        assert!(matches!(
            a.recv_timeout(second),
            Err(RecvTimeoutError::Disconnected)
        ));
        child.wait().unwrap();
    }

    #[test]
    fn an_answer_not_given_in_time_times_out() {
        // Acknowledged, then silent: the wait ends at the deadline.
        let (mut child, mut a) = answers_of("printf R; exec sleep 5", 10);
        let started = Instant::now();
        let got = a.recv_timeout(Duration::from_millis(200));
        assert!(
            matches!(got, Err(RecvTimeoutError::Timeout)),
            "{:?}",
            got.map(|_| ())
        );
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "waited past the deadline"
        );
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn an_answer_read_into_a_buffer_given_back_is_that_answer_alone() {
        let mut stream = Vec::new();
        for body in ["ett längre svar", "kort", ""].map(str::as_bytes) {
            send(&mut stream, body).unwrap();
        }
        let mut r = &stream[..];
        let spare = Spare::default();
        let mut got = Vec::new();
        for _ in 0..3 {
            let body = receive(&mut r, 100, spare.take()).unwrap().unwrap();
            got.push(String::from_utf8(body.clone()).unwrap());
            spare.give(body);
        }
        assert_eq!(got, ["ett längre svar", "kort", ""]);
        // Too long, and cut short.
        send(&mut stream, &[7; 101]).unwrap();
        let mut r = &stream[stream.len() - 105..];
        assert_eq!(receive(&mut r, 100, spare.take()).unwrap(), Err(101));
        let mut cut = &stream[stream.len() - 105..stream.len() - 1];
        let err = receive(&mut cut, 200, spare.take()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn spare_buffers_are_kept_up_to_a_size_and_a_count() {
        let spare = Spare::default();
        spare.give(Vec::with_capacity(SPARE_BYTES + 1));
        assert_eq!(spare.take().capacity(), 0, "a large buffer is not kept");
        for _ in 0..SPARE_COUNT + 3 {
            spare.give(vec![1; 10]);
        }
        let kept: Vec<Vec<u8>> = (0..SPARE_COUNT + 3).map(|_| spare.take()).collect();
        assert!(kept.iter().all(Vec::is_empty), "given back empty");
        let with_room = kept.iter().filter(|b| b.capacity() >= 10).count();
        assert_eq!(with_room, SPARE_COUNT);
    }

    #[test]
    fn a_read_waits_for_a_free_worker_and_gets_one_when_a_read_ends() {
        let permits = Permits::new(2);
        let first = permits.take();
        let _second = permits.take();
        let (tx, rx) = mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                let _third = permits.take();
                tx.send(()).expect("the test waits");
            });
            assert!(
                rx.recv_timeout(Duration::from_millis(200)).is_err(),
                "a third read started while two workers were busy"
            );
            drop(first);
            assert!(
                rx.recv_timeout(Duration::from_secs(10)).is_ok(),
                "the third read never got the worker the first one gave back"
            );
        });
    }

    #[test]
    fn a_cells_text_arrives_whole_and_bad_utf8_is_refused() {
        use crate::reader::{CellKind, RawCell};
        let cell = RawCell {
            row: 4,
            col: 3,
            text: "Påbörjat – se kommentar 😀".into(),
            kind: CellKind::Text,
        };
        let wire = postcard::to_stdvec(&cell).expect("encodes");
        assert_eq!(
            postcard::from_bytes::<RawCell>(&wire).ok(),
            Some(cell.clone())
        );
        let json = serde_json::to_string(&cell).expect("encodes");
        assert_eq!(serde_json::from_str::<RawCell>(&json).ok(), Some(cell));
        // The text's bytes are a varint length after row and col: corrupt
        // its first byte, "P", into a lone continuation byte.
        let mut bad = wire.clone();
        let at = bad.iter().position(|&b| b == b'P').expect("the text");
        bad[at] = 0x80;
        assert!(postcard::from_bytes::<RawCell>(&bad).is_err());
    }

    #[test]
    fn no_permits_asked_for_still_lets_one_read_run() {
        let permits = Permits::new(0);
        let _only = permits.take();
        assert_eq!(*permits.free.lock().unwrap(), 0);
    }
}
