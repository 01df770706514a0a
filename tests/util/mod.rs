//! Test harness in the manner of ripgrep's `tests/util.rs`: a fresh folder
//! per test ([`Dir`]) and the real `samla` binary run inside it
//! ([`TestCommand`]). The command never sees the `SAMLA_*` or locale
//! variables of the shell that runs `cargo test` (a developer's
//! `SAMLA_IN_PROCESS=1` must not change what a test checks), and a command
//! that ends with another status than the test expects panics with the
//! command line, the folder's contents, stdout and stderr.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Root of the repository.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled plan.
pub fn plan_path() -> PathBuf {
    repo().join("templates/cancerplan-norr-2022-2024.toml")
}

/// The bundled sample returns.
pub fn samples_dir() -> PathBuf {
    repo().join("samples/inkorg")
}

/// Locale variables: messages must not depend on the developer's language.
const LOCALE_VARS: [&str; 3] = ["LANG", "LANGUAGE", "LC_ALL"];

/// Removes every `SAMLA_*` and locale variable from `cmd`'s environment,
/// whether inherited or set on `cmd` itself. Tests that need one set it
/// afterwards with [`TestCommand::env`].
pub fn scrub(cmd: &mut Command) {
    let inherited = std::env::vars_os().map(|(k, _)| k);
    let own: Vec<_> = cmd.get_envs().map(|(k, _)| k.to_os_string()).collect();
    for key in inherited.chain(own) {
        let k = key.to_string_lossy();
        if k.starts_with("SAMLA_") || k.starts_with("LC_") || LOCALE_VARS.contains(&k.as_ref()) {
            cmd.env_remove(&key);
        }
    }
}

/// A temporary folder a test works in, removed on drop.
pub struct Dir {
    dir: tempfile::TempDir,
}

/// The name the tests have always used.
pub type Workdir = Dir;

impl Default for Dir {
    fn default() -> Dir {
        Dir::new()
    }
}

impl Dir {
    /// A fresh, empty folder.
    pub fn new() -> Dir {
        Dir {
            dir: tempfile::Builder::new()
                .prefix("samla-test-")
                .tempdir()
                .expect("a temp dir"),
        }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the folder.
    pub fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(p)
    }

    /// Creates a sub-folder and returns its path.
    pub fn mkdir(&self, name: &str) -> PathBuf {
        let p = self.join(name);
        std::fs::create_dir_all(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        p
    }

    /// Writes a file (parents created) and returns its path.
    pub fn create(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        p
    }

    /// Copies the bundled sample returns into `dir` (created).
    pub fn copy_samples(&self, dir: &str) -> PathBuf {
        let d = self.mkdir(dir);
        for e in std::fs::read_dir(samples_dir()).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), d.join(e.file_name())).unwrap();
        }
        d
    }

    /// `samla` with `args`, run in this folder with a scrubbed environment.
    pub fn samla<I, A>(&self, args: I) -> TestCommand
    where
        I: IntoIterator<Item = A>,
        A: AsRef<OsStr>,
    {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_samla"));
        scrub(&mut cmd);
        cmd.current_dir(self.path()).args(args);
        TestCommand {
            cmd,
            dir: self.path().to_path_buf(),
        }
    }

    /// `samla merge` of `inbox` into `out` with the bundled plan.
    pub fn merge_cmd(&self, inbox: &Path, out: &Path) -> TestCommand {
        let plan = plan_path();
        let mut c = self.samla(["merge", "--plan"]);
        c.arg(plan).arg("--inbox").arg(inbox).arg("--out").arg(out);
        c
    }

    /// The plain `Command` of [`Dir::samla`] (scrubbed), for tests that
    /// drive the process themselves.
    pub fn command(&self, args: &[&str]) -> Command {
        self.samla(args).cmd
    }

    /// Runs `samla` with `args`; returns its output, whatever the status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.samla(args).raw_output()
    }

    /// `samla merge` of `inbox` into `out` with the bundled plan and
    /// `extra` arguments; returns its output, whatever the status.
    pub fn merge(&self, inbox: &Path, out: &Path, extra: &[&str]) -> Output {
        self.merge_cmd(inbox, out).args(extra).raw_output()
    }
}

/// A `samla` process to run, and the folder it runs in (for reports).
#[derive(Debug)]
pub struct TestCommand {
    cmd: Command,
    dir: PathBuf,
}

impl TestCommand {
    /// The underlying command.
    pub fn cmd(&mut self) -> &mut Command {
        &mut self.cmd
    }

    /// Adds an argument.
    pub fn arg(&mut self, a: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.arg(a);
        self
    }

    /// Adds arguments.
    pub fn args<I, A>(&mut self, args: I) -> &mut TestCommand
    where
        I: IntoIterator<Item = A>,
        A: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Sets an environment variable (after the scrub).
    pub fn env(&mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.env(k, v);
        self
    }

    /// Runs the command; its output, whatever the status.
    pub fn raw_output(&mut self) -> Output {
        self.cmd
            .output()
            .unwrap_or_else(|e| panic!("{:?} could not start: {e}", self.cmd))
    }

    /// Runs the command and asserts that it exited with `code`.
    pub fn expect_code(&mut self, code: i32) -> Output {
        let o = self.raw_output();
        if o.status.code() != Some(code) {
            panic!("{}", self.report(&o, &format!("expected exit code {code}")));
        }
        o
    }

    /// Runs the command and asserts that it succeeded (exit code 0).
    pub fn output(&mut self) -> Output {
        self.expect_code(0)
    }

    /// What a failed expectation shows: the command, where it ran, what
    /// the folder holds, and everything the process said.
    pub fn report(&self, o: &Output, what: &str) -> String {
        format!(
            "\n\n===== {what} =====\ncommand: {:?}\ncwd: {}\ndir list: {:?}\nstatus: {}\n\
             \n----- stdout -----\n{}\n----- stderr -----\n{}\n=====\n",
            self.cmd,
            self.dir.display(),
            dir_list(&self.dir),
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    }
}

/// Every path under `dir`, relative to it, sorted.
pub fn dir_list(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            out.push(p.strip_prefix(root).unwrap_or(&p).display().to_string());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                walk(root, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A process's stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A process's stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
