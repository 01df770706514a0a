//! Read-back helpers shared by the tests (calamine for cells, serde_json
//! for the JSON), over the harness in `tests/util/` (a fresh folder per
//! test and the real `samla` binary with a scrubbed environment).
#![allow(dead_code)]

#[path = "../util/mod.rs"]
mod util;

use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};

pub use util::*;

pub mod seed;

/// The bundled plan, loaded.
pub fn plan() -> samla::Plan {
    samla::Plan::load(plan_path()).expect("the bundled plan loads")
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

/// A plan (TOML) of `units` units coded `E` + the number padded to
/// `width` digits, the U/P/E scale and `areas` areas of `goals` goals each
/// (`Mål a.g ska nås.`): for tests that need many respondents.
pub fn units_plan(id: &str, units: usize, width: usize, areas: usize, goals: usize) -> String {
    let mut t = format!(
        "id = \"{id}\"\ntitle = \"Prov {id}\"\nversion = \"1\"\nperiod = \"2025\"\n\
         [coordinator]\ncode = \"SAMORD\"\nname = \"Samordnaren\"\n"
    );
    for u in 1..=units {
        t += &format!("[[regions]]\ncode = \"E{u:0width$}\"\nname = \"Enhet {u}\"\n");
    }
    for (c, l) in [
        ("U", "Uppnått mål"),
        ("P", "Pågående arbete"),
        ("E", "Ej påbörjat arbete"),
    ] {
        t += &format!("[[scale]]\ncode = \"{c}\"\nlabel = \"{l}\"\n");
    }
    for a in 1..=areas {
        t += &format!("[[areas]]\nid = \"{a}\"\ntitle = \"Område {a}\"\n");
        for g in 1..=goals {
            t += &format!("[[areas.goals]]\nid = \"{a}.{g}\"\ntext = \"Mål {a}.{g} ska nås.\"\n");
        }
    }
    t
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

/// The earlier round of `make demo` (constructed example data), relative
/// to the repository.
pub const EARLIER: &str = "samples/forra-omgangen";

/// `make demo`'s two merges, run from the repository as the Makefile does
/// (so the paths inside the outputs are the same): the earlier round into
/// `out/forra-omgangen`, then the 2023 samples into `out` compared with it.
/// `extra` goes to the second merge; returns that merge's output. The runs'
/// time (history, Inlämningar) is fixed, as a reproducible build would.
pub fn demo_merge(w: &Dir, out: &Path, extra: &[&str]) -> std::process::Output {
    let earlier = out.join("forra-omgangen");
    let mut cmd = w.samla(["merge", "--quiet", "--plan"]);
    cmd.arg(format!("{EARLIER}/plan.toml"))
        .arg("--inbox")
        .arg(format!("{EARLIER}/inkorg"))
        .arg("--out")
        .arg(&earlier);
    cmd.cmd().current_dir(repo());
    cmd.env("SOURCE_DATE_EPOCH", "1712750400").output();
    let mut cmd = w.merge_cmd(Path::new("samples/inkorg"), out);
    cmd.args(["--quiet", "--previous"])
        .arg(&earlier)
        .args(extra);
    cmd.cmd().current_dir(repo());
    cmd.env("SOURCE_DATE_EPOCH", "1712750400").output()
}

/// The committed returns of `inbox` that differ from what `samla fill`
/// writes today for the answers in `answers` (named `<plan id>-<stem>.xlsx`).
pub fn stale_samples(plan: &samla::Plan, answers: &Path, inbox: &Path) -> Vec<String> {
    let mut stale = Vec::new();
    for f in std::fs::read_dir(answers).unwrap() {
        let path = f.unwrap().path();
        let a = samla::template::Answers::load(&path).unwrap();
        let who = plan.respondent(&a.respondent).unwrap();
        let fresh = samla::template::workbook(plan, &who, Some(&a)).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy();
        let name = format!("{}-{stem}.xlsx", plan.id);
        if std::fs::read(inbox.join(&name)).ok() != Some(fresh) {
            stale.push(name);
        }
    }
    stale
}

/// The goal with this id in a `sammanstallning.json`, to change (an
/// earlier round built from this one).
pub fn goal_mut<'a>(j: &'a mut serde_json::Value, id: &str) -> &'a mut serde_json::Value {
    j["goals"]
        .as_array_mut()
        .expect("goals is an array")
        .iter_mut()
        .find(|g| g["id"] == id)
        .unwrap_or_else(|| panic!("no goal {id}"))
}
