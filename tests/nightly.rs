//! Runs a nightly job can trust (issue 7 item 5), through the real binary:
//! the lock is taken before anything is read, `--out` may not lie in the
//! inbox, leftovers of killed runs are removed, and a run killed at any
//! step leaves exactly the previous set of outputs or the new one.

mod common;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;

use common::*;
use samla::pipeline::OUTPUTS;

#[test]
fn a_second_run_fails_at_once_before_reading_the_inbox() {
    let w = Dir::new();
    let out = w.mkdir("ut");
    let lock = samla::output::DirLock::acquire(&out).unwrap();
    // The inbox does not exist: a run that read it first would say so.
    let o = w
        .merge_cmd(Path::new("finns-inte"), Path::new("ut"))
        .expect_code(2);
    assert_eq!(
        stderr(&o),
        "samla: ut: en annan körning av samla skriver redan i mappen (låsfilen ut/.samla.lock är \
         tagen). Vänta tills den är klar.\n"
    );
    drop(lock);
}

#[test]
fn an_unwritable_out_is_found_before_the_inbox_is_read() {
    let w = Dir::new();
    w.create("fil", "en fil, ingen mapp");
    let o = w
        .merge_cmd(Path::new("finns-inte"), Path::new("fil/ut"))
        .expect_code(2);
    assert_eq!(
        stderr(&o),
        "samla: fil/ut: kunde inte skrivas: är ingen mapp (Not a directory, os error 20). \
         Kontrollera att mappen finns och är skrivbar och att filen inte är öppen i Excel.\n"
    );
}

#[test]
fn out_equal_to_or_inside_the_inbox_is_refused() {
    let w = Dir::new();
    w.copy_samples("inkorg");
    std::os::unix::fs::symlink("inkorg", w.join("genväg")).unwrap();
    for out in ["inkorg", "inkorg/ut", "./inkorg/../inkorg/", "genväg/ut"] {
        let o = w
            .merge_cmd(Path::new("inkorg"), Path::new(out))
            .expect_code(2);
        assert_eq!(
            stderr(&o),
            format!(
                "samla: {out}: utdatamappen ligger i inkorgen inkorg, så samla skulle läsa sina \
                 egna utdata som svar. Välj en --out utanför inkorgen.\n"
            )
        );
    }
    let names: Vec<String> = dir_list(&w.join("inkorg"));
    assert_eq!(names.len(), 5, "nothing written into the inbox: {names:?}");
    // The other way round is fine: the inbox is not read recursively.
    std::fs::create_dir(w.join("ut")).unwrap();
    std::fs::rename(w.join("inkorg"), w.join("ut/inkorg")).unwrap();
    let o = w
        .merge_cmd(Path::new("ut/inkorg"), Path::new("ut"))
        .arg("-q")
        .env("SAMLA_IN_PROCESS", "1")
        .expect_code(0);
    assert!(
        stderr(&o).starts_with("samla: 5 filer, 5 sammanslagna"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn leftovers_of_killed_runs_are_removed_and_nothing_else() {
    let w = Dir::new();
    let out = w.mkdir("ut");
    w.create("ut/.samla-k3Jx9a.tmp", vec![0u8; 1 << 20]);
    w.create("ut/.samla-gen-000099/sammanstallning.xlsx", "halv");
    std::os::unix::fs::symlink(".samla-gen-000099", out.join(".samla-.samla-aktuell.tmp")).unwrap();
    w.create("ut/anteckningar.txt", "mina egna");
    w.merge_cmd(&samples_dir(), &out)
        .args(["-q"])
        .env("SAMLA_IN_PROCESS", "1")
        .output();
    let mut names = dir_list(&out);
    names.retain(|n| !n.starts_with(".samla-gen-") && !n.starts_with(".samla-aktuell"));
    assert_eq!(
        names,
        [
            ".samla.lock",
            "anteckningar.txt",
            "avvikelser.xlsx",
            "historik.jsonl",
            "rapport.docx",
            "sammanstallning.json",
            "sammanstallning.xlsx",
            "svar.csv"
        ]
    );
    let gens: Vec<String> = dir_list(&out)
        .into_iter()
        .filter(|n| n.starts_with(".samla-gen-") && !n.contains('/'))
        .collect();
    assert_eq!(gens.len(), 1, "only the current generation: {gens:?}");
    assert_eq!(
        std::fs::read(out.join("anteckningar.txt")).unwrap(),
        b"mina egna"
    );
}

/// The outputs as a person opening them sees them, less what depends on
/// the runs before (the history's earlier lines and run ids, what changed
/// since the last run, first-seen times): what identifies the set.
fn visible(out: &Path) -> BTreeMap<&'static str, Option<Vec<u8>>> {
    OUTPUTS
        .iter()
        .map(|n| {
            (
                *n,
                std::fs::read(out.join(n))
                    .ok()
                    .map(|b| identity(n, &out.join(n), b)),
            )
        })
        .collect()
}

fn identity(name: &str, path: &Path, bytes: Vec<u8>) -> Vec<u8> {
    match name {
        "historik.jsonl" => {
            let text = String::from_utf8(bytes).unwrap();
            let last: serde_json::Value =
                serde_json::from_str(text.lines().last().unwrap()).unwrap();
            last["inputs"].to_string().into_bytes()
        }
        "sammanstallning.json" => {
            let mut j: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            j["summary"]["since_last_run"] = serde_json::Value::Null;
            j.to_string().into_bytes()
        }
        "sammanstallning.xlsx" => ["Sammanställning", "Svar", "Sammanfattning", "Källor"]
            .iter()
            .map(|s| format!("{:?}", sheet(path, s)))
            .collect::<String>()
            .into_bytes(),
        _ => bytes,
    }
}

/// Two inboxes whose outputs differ in every file.
fn two_inboxes(w: &Dir) {
    w.copy_samples("inkorg-b");
    w.copy_samples("inkorg-a");
    std::fs::remove_file(w.join("inkorg-a/cancerplan-norr-2022-2024-RV.xlsx")).unwrap();
}

fn merge(w: &Dir, inbox: &str, fault: Option<u64>) -> std::process::Output {
    let mut c = w.merge_cmd(Path::new(inbox), Path::new("ut"));
    c.arg("-q");
    c.env("SAMLA_IN_PROCESS", "1");
    if let Some(n) = fault {
        c.env("SAMLA_FAULT_STEP", n.to_string());
    }
    c.raw_output()
}

/// The set an unbroken merge of `inbox` into a fresh `ut` writes.
fn reference(w: &Dir, inbox: &str) -> BTreeMap<&'static str, Option<Vec<u8>>> {
    let _ = std::fs::remove_dir_all(w.join("ut"));
    assert_eq!(merge(w, inbox, None).status.code(), Some(0));
    let set = visible(&w.join("ut"));
    assert!(set.values().all(Option::is_some));
    std::fs::remove_dir_all(w.join("ut")).unwrap();
    set
}

/// Runs `merge inkorg-b` killed before step 1, 2, … until a run gets
/// through; `prepare` puts the previous outputs in place before each.
/// Returns the number of steps.
fn kill_at_every_step(w: &Dir, prepare: &dyn Fn(&Dir)) -> u64 {
    let old = reference(w, "inkorg-a");
    let new = reference(w, "inkorg-b");
    assert_ne!(old, new);
    let which = |out: &Path| {
        let now = visible(out);
        if now == old {
            "gammal"
        } else if now == new {
            "ny"
        } else {
            panic!("a mix of the old and the new set: {:?}", now.map_values())
        }
    };
    for n in 1.. {
        prepare(w);
        let o = merge(w, "inkorg-b", Some(n));
        if o.status.code() == Some(0) {
            assert_eq!(which(&w.join("ut")), "ny");
            return n - 1;
        }
        assert_eq!(o.status.signal(), Some(9), "step {n}: {}", stderr(&o));
        which(&w.join("ut"));
        // Killed again while cleaning up after the first kill.
        let again = merge(w, "inkorg-a", Some(n));
        assert!(again.status.code() == Some(0) || again.status.signal() == Some(9));
        which(&w.join("ut"));
        // And a run that gets through leaves the new set and no leftovers.
        assert_eq!(merge(w, "inkorg-b", None).status.code(), Some(0));
        assert_eq!(which(&w.join("ut")), "ny", "step {n}");
        let hidden: Vec<String> = dir_list(&w.join("ut"))
            .into_iter()
            .filter(|p| p.starts_with(".samla") && !p.contains('/'))
            .collect();
        assert_eq!(hidden.len(), 3, "step {n}: {hidden:?}");
    }
    unreachable!()
}

trait MapValues {
    fn map_values(&self) -> BTreeMap<&'static str, Option<usize>>;
}

impl MapValues for BTreeMap<&'static str, Option<Vec<u8>>> {
    /// Sizes, for a readable panic.
    fn map_values(&self) -> BTreeMap<&'static str, Option<usize>> {
        self.iter()
            .map(|(k, v)| (*k, v.as_ref().map(Vec::len)))
            .collect()
    }
}

#[test]
fn a_run_killed_at_any_step_leaves_the_old_set_or_the_new_set() {
    let w = Dir::new();
    two_inboxes(&w);
    let steps = kill_at_every_step(&w, &|w: &Dir| {
        let _ = std::fs::remove_dir_all(w.join("ut"));
        assert_eq!(merge(w, "inkorg-a", None).status.code(), Some(0));
    });
    // create, (write, fsync) per output and for the comparison basis kept
    // beside the JSON, fsync, link, rename, fsync, remove old.
    assert_eq!(steps, 1 + 2 * (OUTPUTS.len() as u64 + 1) + 5);
}

#[test]
fn outputs_of_an_older_samla_switch_over_without_a_mixed_moment() {
    let w = Dir::new();
    two_inboxes(&w);
    let old = {
        let _ = std::fs::remove_dir_all(w.join("ut"));
        assert_eq!(merge(&w, "inkorg-a", None).status.code(), Some(0));
        let set: BTreeMap<&str, Option<Vec<u8>>> = OUTPUTS
            .iter()
            .map(|n| (*n, std::fs::read(w.join("ut").join(n)).ok()))
            .collect();
        std::fs::remove_dir_all(w.join("ut")).unwrap();
        set
    };
    // Plain files, as samla 0.1 left them.
    let steps = kill_at_every_step(&w, &|w: &Dir| {
        let _ = std::fs::remove_dir_all(w.join("ut"));
        for (name, bytes) in &old {
            w.create(&format!("ut/{name}"), bytes.as_ref().unwrap());
        }
    });
    assert!(
        steps > 12,
        "the move under a generation is steps too: {steps}"
    );
}

#[test]
fn a_set_switches_whole_and_an_unpublished_run_leaves_nothing() {
    use samla::output::{OutputDir, OutputSet};
    let w = Dir::new();
    let out = w.join("ut");
    for i in 0..2 {
        let mut set = OutputSet::new();
        set.file("a.json", format!("{{\"körning\": {i}}}").into_bytes());
        let dir = OutputDir::open(&out).unwrap();
        let written = dir.publish(&set).unwrap();
        assert_eq!(written, [out.join("a.json")]);
    }
    assert_eq!(
        std::fs::read_to_string(out.join("a.json")).unwrap(),
        "{\"körning\": 1}"
    );
    // A run that fails before publishing leaves nothing behind.
    drop(OutputDir::open(&out).unwrap());
    let gens = dir_list(&out)
        .into_iter()
        .filter(|n| n.starts_with(".samla-gen-") && !n.contains('/'))
        .count();
    assert_eq!(gens, 1);
}
