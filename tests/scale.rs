//! Issue 3's scale case: an inbox of 200 good returns and 50 broken or
//! hostile files, merged by the real binary (sandboxed readers). Every good
//! return is merged exactly, every other file is named with its reason, and
//! the whole process tree of the run stays under 1 GiB (issue 10).

mod common;
mod fixtures;

use std::collections::BTreeMap;

use samla::plan::Respondent;
use samla::template::{Answer, Answers};

const UNITS: usize = 200;

/// Unit `u`'s answers: deterministic, with blanks, compound and uncertain
/// ratings and comments with line breaks and formula-like text.
fn answers(u: usize, plan: &samla::Plan) -> Answers {
    let forms = ["U", "P", "E", "U/E", "P?", ""];
    let mut goals = BTreeMap::new();
    for (i, (_, g)) in plan.goals().enumerate() {
        let r = forms[(u * 7 + i * 3) % forms.len()];
        goals.insert(
            g.id.0.clone(),
            Answer {
                rating: (!r.is_empty()).then(|| r.to_string()),
                comment: (!(u + i).is_multiple_of(4))
                    .then(|| format!("=Enhet {u} om mål {}:\nläget är {r}.", g.id)),
            },
        );
    }
    Answers {
        respondent: format!("E{u:03}"),
        goals,
    }
}

#[test]
fn two_hundred_good_and_fifty_hostile_files() {
    let w = common::Workdir::new();
    std::fs::write(
        w.join("plan.toml"),
        common::units_plan("skala", UNITS, 3, 2, 5),
    )
    .unwrap();
    let plan = samla::Plan::load(w.join("plan.toml")).unwrap();
    let inbox = w.mkdir("inkorg");
    let mut want = BTreeMap::new();
    for u in 1..=UNITS {
        let a = answers(u, &plan);
        let who = Respondent::Region(samla::RegionCode(a.respondent.clone()));
        let bytes = samla::template::workbook(&plan, &who, Some(&a)).unwrap();
        std::fs::write(inbox.join(format!("enhet-{u:03}.xlsx")), bytes).unwrap();
        want.insert(a.respondent.clone(), a);
    }
    type Make = fn() -> Vec<u8>;
    let hostile: Vec<(&str, Make)> = vec![
        ("avkortad.xlsx", fixtures::truncated),
        ("inte-zip.xlsx", fixtures::not_a_zip),
        ("losenord.xlsx", fixtures::password_protected),
        ("skrap.xls", fixtures::garbage_ole),
        ("bomb-deklarerad.xlsx", fixtures::zip_bomb_declared),
        ("bomb-ljuger.xlsx", fixtures::zip_bomb_lying),
        ("bomb-kvot.xlsx", || fixtures::zip_bomb_ratio(8)),
        ("upprepad-cell.ods", fixtures::ods_repeated_cell),
        ("dimension.xls", fixtures::xls_dimension_claim),
        ("sammanfogning.xls", fixtures::xls_short_merge_record),
        ("relation.xlsb", fixtures::xlsb_missing_relationship),
        ("langt-bort.xlsx", || {
            fixtures::far_corner_alone().to_raw_xlsx()
        }),
        ("delade-texter.xlsx", || {
            fixtures::shared_strings_claim().to_raw_xlsx()
        }),
        ("blad.xlsx", || fixtures::many_sheets(400).to_raw_xlsx()),
        ("tom.xlsx", Vec::new),
    ];
    let mut bad = Vec::new();
    for i in 0..50 {
        let (name, make) = &hostile[i % hostile.len()];
        let name = format!("{i:02}-{name}");
        std::fs::write(inbox.join(&name), make()).unwrap();
        bad.push(name);
    }
    let out = w.join("ut");
    let plan_path = w.join("plan.toml");
    let mut cmd = w.command(&[
        "merge",
        "--plan",
        plan_path.to_str().unwrap(),
        "--inbox",
        inbox.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--file-timeout",
        "10",
    ]);
    let (o, tree_peak_kib) = run_measuring_tree(&mut cmd);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert!(
        common::stderr(&o).starts_with("samla: 250 filer, 200 sammanslagna, 0 ersatta, "),
        "{}",
        common::stderr(&o)
    );

    let j = common::json(&out.join("sammanstallning.json"));
    for g in j["goals"].as_array().unwrap() {
        let id = g["id"].as_str().unwrap();
        for (code, a) in &want {
            let ans = &a.goals[id];
            let rating = g["ratings"][code].as_str().map(str::to_string);
            assert_eq!(rating, ans.rating.clone(), "{code} {id}");
            let comment = g["comments"][code].as_str().map(str::to_string);
            assert_eq!(comment, ans.comment.clone(), "{code} {id}");
        }
    }
    let sources = j["sources"].as_array().unwrap();
    for name in &bad {
        let s = sources
            .iter()
            .find(|s| s["file"].as_str().unwrap().ends_with(name.as_str()))
            .unwrap_or_else(|| panic!("{name} is not among the sources"));
        assert!(
            s["status"] == "refused" || s["status"] == "skipped",
            "{name}: {s}"
        );
        let named = j["discrepancies"].as_array().unwrap().iter().any(|d| {
            d["file"]
                .as_str()
                .is_some_and(|f| f.ends_with(name.as_str()))
                && d["severity"] == "error"
        });
        assert!(named, "{name} has no error finding");
    }

    // The whole process tree (samla and its reader workers together) stayed
    // under 1 GiB at every sample (issue 10), and so did each process.
    eprintln!("process tree peak: {tree_peak_kib} KiB");
    assert!(
        tree_peak_kib < 1 << 20,
        "the process tree peaked at {tree_peak_kib} KiB"
    );
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct it is given.
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    let max_rss_kib = usage.ru_maxrss as u64;
    assert!(
        max_rss_kib < 1 << 20,
        "a process of the run peaked at {max_rss_kib} KiB"
    );
}

/// Runs `cmd` to its end while sampling, every 2 ms, the resident memory
/// of its whole process tree (the process and every descendant, from
/// /proc); returns its output and the largest sum seen, in KiB.
fn run_measuring_tree(cmd: &mut std::process::Command) -> (std::process::Output, u64) {
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("samla starts");
    let root = child.id();
    // The pipes are drained on threads so that a full pipe cannot stall
    // the run while it is sampled.
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            r.read_to_end(&mut v).unwrap();
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let mut peak = 0;
    let status = loop {
        peak = peak.max(tree_rss_kib(root));
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let output = std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, peak)
}

/// The resident memory (KiB) of `root` and all its descendants now.
fn tree_rss_kib(root: u32) -> u64 {
    let mut parent = std::collections::HashMap::new();
    let mut rss = std::collections::HashMap::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let ppid = after.split_whitespace().nth(1).and_then(|p| p.parse().ok());
        let status = std::fs::read_to_string(e.path().join("status")).unwrap_or_default();
        let kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0);
        parent.insert(pid, ppid.unwrap_or(0));
        rss.insert(pid, kib);
    }
    let in_tree = |mut p: u32| {
        while p > 1 {
            if p == root {
                return true;
            }
            p = parent.get(&p).copied().unwrap_or(0);
        }
        false
    };
    rss.iter()
        .filter(|(p, _)| in_tree(**p))
        .map(|(_, k)| k)
        .sum()
}
