//! Test helpers in the manner of xsv's `Workdir`: a fresh temporary folder
//! per test, the real `samla` binary run inside it, and calamine to read
//! back what it wrote.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{open_workbook, Data, Reader, Xlsx};

/// Root of the repository.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled plan.
pub fn plan_path() -> PathBuf {
    repo().join("templates/cancerplan-norr-2022-2024.toml")
}

pub fn plan() -> samla::Plan {
    samla::Plan::load(plan_path()).expect("the bundled plan loads")
}

/// The bundled sample returns.
pub fn samples_dir() -> PathBuf {
    repo().join("samples/inkorg")
}

/// A temporary working folder, removed on drop.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("a temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(p)
    }

    /// Creates a sub-folder and returns its path.
    pub fn mkdir(&self, name: &str) -> PathBuf {
        let p = self.join(name);
        std::fs::create_dir_all(&p).unwrap();
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

    /// A `samla` command run in this folder.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_samla"));
        cmd.current_dir(self.path()).args(args);
        cmd
    }

    /// Runs `samla` with `args`; returns its output, whatever the status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("samla runs")
    }

    /// `samla merge` of `inbox` into `out` with the bundled plan.
    pub fn merge(&self, inbox: &Path, out: &Path, extra: &[&str]) -> Output {
        let plan = plan_path();
        let mut args = vec![
            "merge",
            "--plan",
            plan.to_str().unwrap(),
            "--inbox",
            inbox.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A sheet of an xlsx file as strings: `rows[r][c]`, "" for empty cells.
pub fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let range = wb
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("{}: {name}: {e}", path.display()));
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut rows = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); c0 as usize];
        cells.extend(row.iter().map(|d| match d {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
            other => other.to_string(),
        }));
        rows.push(cells);
    }
    rows
}

/// Sheet names of an xlsx file.
pub fn sheet_names(path: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.sheet_names()
}

/// Reads the JSON output of a merge.
pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The goal with this id in a `sammanstallning.json`.
pub fn goal(j: &serde_json::Value, id: &str) -> serde_json::Value {
    j["goals"]
        .as_array()
        .expect("goals is an array")
        .iter()
        .find(|g| g["id"] == id)
        .unwrap_or_else(|| panic!("no goal {id}"))
        .clone()
}
