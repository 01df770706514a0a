//! Run history, what changed since the last run, `Inlämningar` and
//! `samla status` (issue 11): three successive runs with returns added,
//! replaced and withdrawn, and runs killed while writing the history.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;
use sha2::Digest;

const T1: &str = "1712750400"; // 2024-04-10T12:00:00Z
const T2: &str = "1712836800"; // 2024-04-11T12:00:00Z
const T3: &str = "1712923200"; // 2024-04-12T12:00:00Z

fn sample(code: &str) -> PathBuf {
    samples_dir().join(format!("cancerplan-norr-2022-2024-{code}.xlsx"))
}

fn sha(p: &Path) -> String {
    let d = sha2::Sha256::digest(std::fs::read(p).unwrap());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// RJH's return with goal 1.1 rated U instead of P, filled by `samla fill`.
fn rjh_revised(w: &Dir) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("samples/answers/RJH.toml")).unwrap();
    let at = text
        .find("[goals.\"1.1\"]\nrating = \"P\"")
        .expect("RJH 1.1 is P");
    let revised = format!(
        "{}[goals.\"1.1\"]\nrating = \"U\"{}",
        &text[..at],
        &text[at + "[goals.\"1.1\"]\nrating = \"P\"".len()..]
    );
    let answers = w.create("RJH-ny.toml", revised);
    let out = w.join("RJH-ny.xlsx");
    let plan = plan_path();
    w.samla([
        "fill",
        "--plan",
        plan.to_str().unwrap(),
        "--answers",
        answers.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .expect_code(0);
    out
}

fn merge_at(w: &Dir, time: &str) -> Value {
    let o = w
        .merge_cmd(Path::new("inkorg"), Path::new("ut"))
        .args(["--quiet", "--json"])
        .env("SAMLA_IN_PROCESS", "1")
        .env("SOURCE_DATE_EPOCH", time)
        .expect_code(0);
    serde_json::from_slice(&o.stdout).unwrap()
}

fn history_lines(w: &Dir) -> Vec<Value> {
    let text = std::fs::read_to_string(w.join("ut/historik.jsonl")).unwrap();
    assert!(text.ends_with('\n'), "every line is complete");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn inputs(line: &Value) -> Vec<(String, String, String, String, u64)> {
    line["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["file"].as_str().unwrap().to_string(),
                i["sha256"].as_str().unwrap_or("").to_string(),
                i["respondent"].as_str().unwrap_or("").to_string(),
                i["status"].as_str().unwrap().to_string(),
                i["findings"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Every rating of `regions` that differs between a last run's JSON and
/// this run's, for the goals of this run that the last run had.
fn ratings_differ(last: &Value, now: &Value, regions: &[&str]) -> Value {
    let mut want = Vec::new();
    for g2 in now["goals"].as_array().unwrap() {
        let Some(g1) = last["goals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == g2["id"])
        else {
            continue;
        };
        for r in regions {
            if g1["ratings"][r] != g2["ratings"][r] {
                want.push(serde_json::json!({"goal": g2["id"], "respondent": r,
                    "from": g1["ratings"][r], "to": g2["ratings"][r]}));
            }
        }
    }
    Value::Array(want)
}

#[test]
fn three_runs_added_replaced_withdrawn() {
    let w = Dir::new();
    let inbox = w.mkdir("inkorg");
    let name = |c: &str| format!("cancerplan-norr-2022-2024-{c}.xlsx");
    for c in ["RJH", "RN"] {
        std::fs::copy(sample(c), inbox.join(name(c))).unwrap();
    }
    let s1 = merge_at(&w, T1);
    assert_eq!(s1["since_last_run"], Value::Null, "first run");

    // Run 2: RV added, RJH replaced by a revised return, RN withdrawn.
    std::fs::copy(sample("RV"), inbox.join(name("RV"))).unwrap();
    std::fs::copy(rjh_revised(&w), inbox.join(name("RJH"))).unwrap();
    std::fs::remove_file(inbox.join(name("RN"))).unwrap();
    let j1 = json(&w.join("ut/sammanstallning.json"));
    let s2 = merge_at(&w, T2);
    let j2 = json(&w.join("ut/sammanstallning.json"));
    let d = &s2["since_last_run"];
    assert_eq!(d["last_run"], "20240410T120000Z-000001");
    assert_eq!(d["returns_new"], serde_json::json!(["RV"]));
    assert_eq!(d["returns_replaced"], serde_json::json!(["RJH"]));
    assert_eq!(d["returns_withdrawn"], serde_json::json!(["RN"]));
    // Every rating that differs between the two runs' JSON, and no other.
    let want = ratings_differ(&j1, &j2, &["RJH", "RN", "RV", "RVN"]);
    assert!(want.as_array().unwrap().contains(
        &serde_json::json!({"goal": "1.1", "respondent": "RJH", "from": "P", "to": "U"})
    ));
    assert_eq!(d["ratings_changed"], want);
    let finds = |j: &Value| j["discrepancies"].as_array().unwrap().len() as i64;
    let (new, resolved) = (
        d["findings_new"].as_i64().unwrap(),
        d["findings_resolved"].as_i64().unwrap(),
    );
    assert!(new > 0 && resolved > 0);
    assert_eq!(finds(&j2) - finds(&j1), new - resolved);
    // The same in the written JSON's summary.
    assert_eq!(j2["summary"]["since_last_run"], *d);

    // Run 3: nothing changed.
    let s3 = merge_at(&w, T3);
    let d3 = &s3["since_last_run"];
    assert_eq!(d3["last_run"], "20240411T120000Z-000002");
    for k in [
        "returns_new",
        "returns_replaced",
        "returns_withdrawn",
        "ratings_changed",
    ] {
        assert_eq!(d3[k], serde_json::json!([]), "{k}");
    }
    assert_eq!(
        (
            d3["findings_new"].as_i64(),
            d3["findings_resolved"].as_i64()
        ),
        (Some(0), Some(0))
    );

    // The history: one line per run, earlier lines unchanged.
    let lines = history_lines(&w);
    assert_eq!(lines.len(), 3);
    for (l, (id, time)) in lines.iter().zip([
        ("20240410T120000Z-000001", "2024-04-10T12:00:00Z"),
        ("20240411T120000Z-000002", "2024-04-11T12:00:00Z"),
        ("20240412T120000Z-000003", "2024-04-12T12:00:00Z"),
    ]) {
        assert_eq!(l["schema"], "samla-historik/1");
        assert_eq!(l["run"], id);
        assert_eq!(l["time"], time);
        assert_eq!(
            l["plan"],
            serde_json::json!({"id": "cancerplan-norr-2022-2024", "version": "1", "period": "2023"})
        );
    }
    let f = |c: &str| format!("inkorg/{}", name(c));
    assert_eq!(
        inputs(&lines[0]),
        [
            (
                f("RJH"),
                sha(&sample("RJH")),
                "RJH".into(),
                "merged".into(),
                5
            ),
            (f("RN"), sha(&sample("RN")), "RN".into(), "merged".into(), 9),
        ]
    );
    let rjh2 = sha(&inbox.join(name("RJH")));
    assert_ne!(rjh2, sha(&sample("RJH")));
    assert_eq!(
        inputs(&lines[1]),
        [
            (f("RJH"), rjh2.clone(), "RJH".into(), "merged".into(), 5),
            (f("RV"), sha(&sample("RV")), "RV".into(), "merged".into(), 3),
        ]
    );
    assert_eq!(inputs(&lines[2]), inputs(&lines[1]));
    assert_eq!(lines[1]["counts"]["merged"], 2);
    assert_eq!(
        lines[1]["counts"]["missing"],
        serde_json::json!(["RN", "RVN", "RCC Norr"])
    );
    assert_eq!(lines[1]["counts"]["warnings"], s2["warnings"]);

    // Inlämningar after run 3: first seen from the history.
    let rows = sheet(&w.join("ut/sammanstallning.xlsx"), "Inlämningar");
    assert!(
        rows[1][0].starts_with("Sedan förra körningen (20240411T120000Z-000002)"),
        "{}",
        rows[1][0]
    );
    assert_eq!(
        rows[2],
        [
            "Kod",
            "Namn",
            "Status",
            "Först sedd",
            "Fil",
            "Avvikelser",
            "Sparad"
        ]
    );
    let body: Vec<Vec<String>> = rows[3..].iter().map(|r| r[..6].to_vec()).collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        body,
        [
            vec![
                s("RJH"),
                s("Region Jämtland Härjedalen"),
                s("inkommen"),
                s("2024-04-11T12:00:00Z"),
                f("RJH"),
                s("5")
            ],
            vec![
                s("RN"),
                s("Region Norrbotten"),
                s("saknas"),
                s(""),
                s(""),
                s("")
            ],
            vec![
                s("RV"),
                s("Region Västerbotten"),
                s("inkommen"),
                s("2024-04-11T12:00:00Z"),
                f("RV"),
                s("3")
            ],
            vec![
                s("RVN"),
                s("Region Västernorrland"),
                s("saknas"),
                s(""),
                s(""),
                s("")
            ],
            vec![
                s("RCC Norr"),
                s("Regionalt cancercentrum norr"),
                s("saknas"),
                s(""),
                s(""),
                s("")
            ],
        ]
    );

    // samla status: the same rows on the terminal, nothing written.
    std::fs::copy(sample("RN"), inbox.join(name("RN"))).unwrap();
    let listing = dir_list(&w.join("ut"));
    let plan = plan_path();
    let o = w
        .samla([
            "status",
            "--plan",
            plan.to_str().unwrap(),
            "--inbox",
            "inkorg",
            "--out",
            "ut",
        ])
        .env("SAMLA_IN_PROCESS", "1")
        .expect_code(0);
    assert_eq!(dir_list(&w.join("ut")), listing, "status writes nothing");
    let table = stdout(&o);
    let fields: Vec<Vec<&str>> = table
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(
        fields[0],
        [
            "Kod",
            "Namn",
            "Status",
            "Först sedd",
            "Fil",
            "Avvikelser",
            "Sparad"
        ]
    );
    let (rjh, rn, rv) = (f("RJH"), f("RN"), f("RV"));
    assert_eq!(
        fields[1][..6],
        [
            "RJH",
            "Region Jämtland Härjedalen",
            "inkommen",
            "2024-04-11T12:00:00Z",
            &rjh,
            "5"
        ]
    );
    // RN's return is the content the first run saw: first seen then.
    assert_eq!(
        fields[2][..6],
        [
            "RN",
            "Region Norrbotten",
            "inkommen",
            "2024-04-10T12:00:00Z",
            &rn,
            "9"
        ]
    );
    assert_eq!(
        fields[3][..6],
        [
            "RV",
            "Region Västerbotten",
            "inkommen",
            "2024-04-11T12:00:00Z",
            &rv,
            "3"
        ]
    );
    assert_eq!(fields[4], ["RVN", "Region Västernorrland", "saknas"]);
    assert_eq!(
        fields[5],
        ["RCC Norr", "Regionalt cancercentrum norr", "saknas"]
    );
    assert_eq!(
        table.lines().last(),
        Some("3 av 5 har ett godtaget svar (saknas: RVN, RCC Norr); 0 avvisade filer.")
    );
    // Columns line up: every row's status starts where the header's does.
    let col = table
        .lines()
        .next()
        .unwrap()
        .chars()
        .take_while(|c| *c != 'S')
        .count();
    for l in table.lines().skip(1).take(5) {
        let rest: String = l.chars().skip(col).collect();
        assert!(
            rest.starts_with("inkommen") || rest.starts_with("saknas"),
            "{l}"
        );
    }
}

#[test]
fn a_run_killed_while_writing_keeps_every_complete_line() {
    let w = Dir::new();
    w.copy_samples("inkorg");
    merge_at(&w, T1);
    let first = std::fs::read(w.join("ut/historik.jsonl")).unwrap();
    // Kill a run before each step that changes the folder, until one runs
    // through: the history then has the lines it had, or one more — never
    // a partial line. (A run killed after its switch has added its line.)
    let mut step = 1;
    let mut had = 1;
    loop {
        let o = w
            .merge_cmd(Path::new("inkorg"), Path::new("ut"))
            .arg("--quiet")
            .env("SAMLA_IN_PROCESS", "1")
            .env("SOURCE_DATE_EPOCH", T2)
            .env("SAMLA_FAULT_STEP", step.to_string())
            .raw_output();
        let now = std::fs::read(w.join("ut/historik.jsonl")).unwrap();
        assert!(now.starts_with(&first), "step {step}: earlier lines kept");
        let lines = history_lines(&w);
        assert!(
            lines.len() == had || lines.len() == had + 1,
            "step {step}: {} lines after {had}",
            lines.len()
        );
        had = lines.len();
        if o.status.success() {
            break;
        }
        step += 1;
        assert!(step < 200, "the run never completes");
    }
    assert!(step > 3, "the fault hook killed runs ({step} steps)");

    // A torn last line (what an append cut short leaves) is left out by
    // the next run; the complete lines stay byte for byte, a line of
    // another tool's among them, which is not counted as a run.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(w.join("ut/historik.jsonl"))
        .unwrap();
    f.write_all(b"{\"schema\":\"annat/1\"}\n").unwrap();
    drop(f);
    let before = std::fs::read(w.join("ut/historik.jsonl")).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(w.join("ut/historik.jsonl"))
        .unwrap();
    f.write_all(b"{\"schema\":\"samla-historik/1\",\"run\":\"trasi")
        .unwrap();
    drop(f);
    merge_at(&w, T3);
    let after = std::fs::read(w.join("ut/historik.jsonl")).unwrap();
    assert!(after.starts_with(&before));
    let lines = history_lines(&w);
    assert_eq!(lines.len(), had + 2);
    assert_eq!(lines[had]["schema"], "annat/1");
    assert_eq!(
        lines[had + 1]["run"],
        format!("20240412T120000Z-{:06}", had + 1)
    );
}

/// The bundled plan without region RVN and goal 1.2 (the same plan id).
fn plan_without_rvn_and_goal_1_2(w: &Dir) -> PathBuf {
    let text = std::fs::read_to_string(plan_path()).unwrap();
    let rvn = "[[regions]]\ncode = \"RVN\"\nname = \"Region Västernorrland\"\n";
    let at = text
        .find("[[areas.goals]]\nid = \"1.2\"")
        .expect("goal 1.2");
    let end = at + text[at..].find("\n\n").unwrap() + 2;
    let text = format!("{}{}", &text[..at], &text[end..]).replacen(rvn, "", 1);
    assert!(!text.contains("\"RVN\"") && !text.contains("\"1.2\""));
    w.create("plan-utan.toml", text)
}

#[test]
fn a_goal_and_a_region_gone_from_the_plan_are_not_compared() {
    let w = Dir::new();
    let inbox = w.copy_samples("inkorg");
    merge_at(&w, T1);
    // The last run rated differently: a goal and a region both runs'
    // plans have, the goal and the region the next plan drops.
    let last = w.join("ut/sammanstallning.json");
    let mut j1 = json(&last);
    for (g, r) in [("1.1", "RJH"), ("1.2", "RJH"), ("1.3", "RVN")] {
        goal_mut(&mut j1, g)["ratings"][r] = "X".into();
    }
    std::fs::write(&last, serde_json::to_vec(&j1).unwrap()).unwrap();
    std::fs::remove_file(inbox.join("cancerplan-norr-2022-2024-RVN.xlsx")).unwrap();
    let plan = plan_without_rvn_and_goal_1_2(&w);
    let o = w
        .samla([
            "merge", "--quiet", "--json", "--inbox", "inkorg", "--out", "ut",
        ])
        .arg("--plan")
        .arg(&plan)
        .env("SAMLA_IN_PROCESS", "1")
        .env("SOURCE_DATE_EPOCH", T2)
        .expect_code(0);
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &s["since_last_run"];
    let j2 = json(&last);
    assert_eq!(
        d["returns_withdrawn"],
        serde_json::json!([]),
        "RVN is not asked"
    );
    let want = ratings_differ(&j1, &j2, &["RJH", "RN", "RV"]);
    assert_eq!(d["ratings_changed"], want);
    let to = goal(&j2, "1.1")["ratings"]["RJH"].clone();
    assert_ne!(to, Value::Null, "RJH's return is merged");
    let changed = |g: &str, r: &str| {
        want.as_array()
            .unwrap()
            .iter()
            .any(|c| c["goal"] == g && c["respondent"] == r)
    };
    assert!(changed("1.1", "RJH"));
    assert!(!changed("1.2", "RJH") && !changed("1.3", "RVN"));
}

#[test]
fn a_last_run_json_that_cannot_be_used_compares_the_returns_only() {
    let w = Dir::new();
    let inbox = w.copy_samples("inkorg");
    let rn = inbox.join("cancerplan-norr-2022-2024-RN.xlsx");
    let kept = w.join("RN.xlsx");
    std::fs::copy(&rn, &kept).unwrap();
    let last = w.join("ut/sammanstallning.json");
    type Spoil = fn(String) -> String;
    let spoil: [(&str, Spoil); 4] = [
        ("usable", |t| t),
        ("cut in half", |t| t[..t.len() / 2].to_string()),
        ("another plan", |t| {
            t.replacen("\"cancerplan-norr-2022-2024\"", "\"annan-plan\"", 1)
        }),
        ("another schema", |t| {
            t.replacen("samla-sammanstallning/1", "samla-sammanstallning/9", 1)
        }),
    ];
    for (what, spoil) in spoil {
        // A run with every return, then one without RN's, compared with
        // the first run's JSON as spoiled.
        std::fs::copy(&kept, &rn).unwrap();
        merge_at(&w, T1);
        let text = std::fs::read_to_string(&last).unwrap();
        std::fs::write(&last, spoil(text)).unwrap();
        std::fs::remove_file(&rn).unwrap();
        let d = merge_at(&w, T2)["since_last_run"].clone();
        assert_eq!(d["returns_withdrawn"], serde_json::json!(["RN"]), "{what}");
        let compared = [
            d["ratings_changed"].as_array().unwrap().len(),
            d["findings_new"].as_u64().unwrap() as usize,
            d["findings_resolved"].as_u64().unwrap() as usize,
        ];
        if what == "usable" {
            assert!(compared.iter().all(|n| *n > 0), "{what}: {d}");
        } else {
            assert_eq!(compared, [0, 0, 0], "{what}: {d}");
        }
    }
}

/// What changed since a run of every sample into `out`, in a run without
/// RN's return, when `between` has changed the first run's files (its
/// comparison basis and JSON) in between.
fn since_without_rn(w: &Dir, out: &str, between: fn(&Path, &Path)) -> Value {
    let inbox = w.copy_samples(&format!("inkorg-{out}"));
    let run = |time: &str| -> Value {
        let o = w
            .merge_cmd(&inbox, Path::new(out))
            .args(["--quiet", "--json"])
            .env("SAMLA_IN_PROCESS", "1")
            .env("SOURCE_DATE_EPOCH", time)
            .expect_code(0);
        serde_json::from_slice(&o.stdout).unwrap()
    };
    run(T1);
    let basis = w.join(format!("{out}/.samla-aktuell/.samla-jamforelse.json"));
    assert!(basis.is_file(), "the basis is kept in the generation");
    assert!(!w.join(format!("{out}/.samla-jamforelse.json")).exists());
    between(&basis, &w.join(format!("{out}/sammanstallning.json")));
    std::fs::remove_file(inbox.join("cancerplan-norr-2022-2024-RN.xlsx")).unwrap();
    run(T2)["since_last_run"].clone()
}

/// Replaces the first `from` in the file at `path` by `to`.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_comparison_basis_compares_as_the_json_does_and_only_beside_it() {
    let w = Dir::new();
    let written = since_without_rn(&w, "ut1", |_, _| {});
    let changed = written["ratings_changed"].as_array().unwrap().len();
    assert!(changed > 0 && written["findings_resolved"].as_u64() > Some(0));
    // Without the basis, the JSON is parsed: the same comparison.
    let parsed = since_without_rn(&w, "ut2", |basis, _| std::fs::remove_file(basis).unwrap());
    assert_eq!(written, parsed);
    // The basis is what is compared with while the JSON is unchanged ...
    let from_basis = since_without_rn(&w, "ut3", |basis, _| {
        edit(basis, "\"RJH\":\"", "\"RJH\":\"X")
    });
    let first = &from_basis["ratings_changed"][0];
    assert_eq!(
        (
            first["respondent"].as_str(),
            first["from"].as_str().map(|f| &f[..1])
        ),
        (Some("RJH"), Some("X"))
    );
    // ... and not once the JSON is another, even of the same length.
    let json_edited = since_without_rn(&w, "ut4", |basis, json| {
        edit(basis, "\"RJH\":\"", "\"RJH\":\"X");
        edit(json, "\n}", " }");
    });
    assert_eq!(written, json_edited);
}
