//! Follow-up over rounds (issue 11): comparison with an earlier round.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::{json, Value};

/// Merges the bundled samples into `out` and returns the JSON.
fn merge_samples(w: &Workdir, out: &str, extra: &[&str]) -> (PathBuf, Value) {
    let out = w.join(out);
    let o = w.merge(&samples_dir(), &out, &[&["--quiet"], extra].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j = json(&out.join("sammanstallning.json"));
    (out, j)
}

/// An earlier round built from this round's JSON with one change of every
/// kind, and a plan change: 7.5 not yet in it, a goal 7.6 since removed,
/// goal 1.2 re-worded.
fn earlier_round(w: &Workdir) -> PathBuf {
    let (_, mut j) = merge_samples(w, "nu", &[]);
    j["plan"]["period"] = json!("2022");
    j["plan"]["some_later_field"] = json!("tolerated");
    j["added_by_a_later_samla"] = json!({"x": 1});
    for (goal, region, before) in [
        ("1.1", "RJH", json!("E")),
        ("1.3", "RV", json!("P")),
        ("1.6", "RVN", json!("P")),
        ("2.1", "RN", json!("U")),
        ("4.1", "RJH", json!("U")),
        ("1.5", "RV", Value::Null),
        ("5.2", "RN", json!("P")),
        ("3.6", "RVN", json!("P?")),
    ] {
        goal_mut(&mut j, goal)["ratings"][region] = before;
    }
    goal_mut(&mut j, "2.1")["comments"]["RN"] = json!("=Förra året: klart.\nRad två.");
    goal_mut(&mut j, "1.2")["text"] = json!("Screening för tjocktarmscancer ska införas.");
    let goals = j["goals"].as_array_mut().unwrap();
    goals.retain(|g| g["id"] != "7.5");
    goals.push(
        json!({"id": "7.6", "area": "7", "area_title": "x", "text": "Ett mål som strukits.",
                      "ratings": {"RJH": "P"}, "comments": {}}),
    );
    let path = w.join("forra/sammanstallning.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_vec_pretty(&j).unwrap()).unwrap();
    path
}

/// Every change but `unchanged`, as (goal, region, from, to, kind): worked
/// out by hand from the seed's ratings and the edits above.
const EXPECTED: &[(&str, &str, &str, &str, &str)] = &[
    ("1.1", "RJH", "E", "P", "improved"),
    ("1.3", "RV", "P", "U", "improved"),
    ("1.5", "RV", "", "P", "newly-rated"),
    ("1.6", "RVN", "P", "U", "improved"),
    ("2.1", "RN", "U", "P", "regressed"),
    ("2.5", "RJH", "E", "E", "still-not-started"),
    ("2.5", "RVN", "E", "E", "still-not-started"),
    ("2.6", "RJH", "E", "E", "still-not-started"),
    ("2.6", "RVN", "E", "E", "still-not-started"),
    ("3.1", "RJH", "P/U", "P/U", "not-comparable"),
    ("3.2", "RVN", "E/P", "E/P", "not-comparable"),
    ("3.3", "RJH", "U/E", "U/E", "not-comparable"),
    ("3.3", "RN", "U/E", "U/E", "not-comparable"),
    ("3.3", "RV", "U/E", "U/E", "not-comparable"),
    ("3.3", "RVN", "U/E", "U/E", "not-comparable"),
    ("3.4", "RVN", "E", "E", "still-not-started"),
    ("3.6", "RVN", "P?", "P", "not-comparable"),
    ("3.7", "RN", "E", "E", "still-not-started"),
    ("4.1", "RJH", "U", "P", "regressed"),
    ("5.2", "RN", "P", "", "no-longer-rated"),
    ("5.6", "RN", "E", "E", "still-not-started"),
    ("5.6", "RV", "P?", "P?", "not-comparable"),
    ("7.2", "RV", "P?", "P?", "not-comparable"),
    ("7.3", "RJH", "E", "E", "still-not-started"),
    ("7.4", "RJH", "E", "E", "still-not-started"),
];

fn s(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

#[test]
fn changes_array_has_every_transition_kind() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    let (_, j) = merge_samples(&w, "ut", &["--previous", prev.to_str().unwrap()]);
    assert_eq!(
        j["previous"],
        json!({"plan": "cancerplan-norr-2022-2024", "version": "1", "period": "2022",
               "file": prev.display().to_string()})
    );
    let changes = j["changes"].as_array().unwrap();
    let got: Vec<(String, String, String, String, String)> = changes
        .iter()
        .filter(|c| c["kind"] != "unchanged")
        .map(|c| {
            (
                s(&c["goal"]),
                s(&c["respondent"]),
                s(&c["from"]),
                s(&c["to"]),
                s(&c["kind"]),
            )
        })
        .collect();
    let want: Vec<_> = EXPECTED
        .iter()
        .map(|(g, r, f, t, k)| {
            (
                g.to_string(),
                r.to_string(),
                f.to_string(),
                t.to_string(),
                k.to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);
    // Every object has exactly the documented keys; blank is null.
    let c = changes.iter().find(|c| c["goal"] == "1.5").unwrap();
    assert_eq!(
        c,
        &json!({"goal": "1.5", "respondent": "RV", "from": null, "to": "P", "kind": "newly-rated"})
    );
    // Unchanged pairs are there too; 7.5 (new) and 7.6 (removed) have none.
    assert!(changes
        .iter()
        .any(|c| c["goal"] == "2.2" && c["respondent"] == "RJH" && c["kind"] == "unchanged"));
    assert!(!changes
        .iter()
        .any(|c| c["goal"] == "7.5" || c["goal"] == "7.6"));
    assert_eq!(
        j["plan_changes"],
        json!([
            {"goal": "1.2", "kind": "reworded",
             "before": "Screening för tjocktarmscancer ska införas.",
             "after": goal(&j, "1.2")["text"]},
            {"goal": "7.5", "kind": "added", "before": null, "after": goal(&j, "7.5")["text"]},
            {"goal": "7.6", "kind": "removed", "before": "Ett mål som strukits.", "after": null},
        ])
    );
}

#[test]
fn forandringar_sheet_side_by_side() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    let (out, j) = merge_samples(&w, "ut", &["--previous", prev.to_str().unwrap()]);
    let book = out.join("sammanstallning.xlsx");
    let names = sheet_names(&book);
    assert!(names.contains(&"Förändringar".to_string()), "{names:?}");
    let rows = sheet(&book, "Förändringar");
    assert!(rows[1][0].contains("uppföljningen 2022"), "{}", rows[1][0]);
    assert!(rows[1][0].contains("försämrad 2"), "{}", rows[1][0]);
    assert_eq!(
        rows[3],
        [
            "Område",
            "Mål-id",
            "Mål",
            "Region",
            "Förändring",
            "Kod",
            "Förra bedömningen (2022)",
            "Bedömning nu (2023)",
            "Förra kommentaren (2022)",
            "Kommentar nu (2023)"
        ]
    );
    let body = &rows[4..];
    assert_eq!(body.len(), EXPECTED.len());
    for (row, (g, r, f, t, k)) in body.iter().zip(EXPECTED) {
        let gj = goal(&j, g);
        let now_comment = s(&gj["comments"][*r]);
        assert_eq!(row[1], *g);
        assert_eq!(row[2], s(&gj["text"]));
        assert_eq!(row[3], *r);
        assert_eq!(row[5], *k);
        assert_eq!(row[6], *f);
        assert_eq!(row[7], *t);
        assert_eq!(row.get(9).cloned().unwrap_or_default(), now_comment);
    }
    let regressed = body.iter().find(|r| r[1] == "2.1").unwrap();
    assert_eq!(regressed[4], "försämrad");
    // The earlier comment is text, not a formula, line break kept.
    assert_eq!(regressed[8], "=Förra året: klart.\nRad två.");
    let plan_rows = sheet(&book, "Planändringar");
    assert_eq!(
        plan_rows[0],
        ["Mål-id", "Ändring", "Måltext 2022", "Måltext 2023"]
    );
    assert_eq!(
        plan_rows[1][..3],
        [
            "1.2",
            "omformulerat mål",
            "Screening för tjocktarmscancer ska införas."
        ]
    );
    assert_eq!(plan_rows[2][..2], ["7.5", "nytt mål"]);
    assert_eq!(
        plan_rows[3][..3],
        ["7.6", "borttaget mål", "Ett mål som strukits."]
    );
    assert_eq!(plan_rows[3].get(3).map_or("", String::as_str), "");
}

fn find_row(rows: &[Vec<String>], first: &str) -> usize {
    rows.iter()
        .position(|r| r.first().is_some_and(|c| c.starts_with(first)))
        .unwrap_or_else(|| panic!("no row starting {first:?}"))
}

#[test]
fn summary_lists_regressed_and_still_not_started() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    let (out, j) = merge_samples(&w, "ut", &["--previous", prev.to_str().unwrap()]);
    let rows = sheet(&out.join("sammanstallning.xlsx"), "Sammanfattning");
    let i = find_row(&rows, "Försämrade mål");
    assert_eq!(rows[i][0], "Försämrade mål (2 st)");
    assert_eq!(
        rows[i + 1][..3],
        ["2.1", &s(&goal(&j, "2.1")["text"]), "RN: U → P"]
    );
    assert_eq!(
        rows[i + 2][..3],
        ["4.1", &s(&goal(&j, "4.1")["text"]), "RJH: U → P"]
    );
    let i = find_row(&rows, "Fortsatt ej påbörjade mål");
    assert_eq!(rows[i][0], "Fortsatt ej påbörjade mål (7 st)");
    let listed: Vec<(&str, &str)> = rows[i + 1..i + 8]
        .iter()
        .map(|r| (r[0].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("2.5", "RJH, RVN"),
            ("2.6", "RJH, RVN"),
            ("3.4", "RVN"),
            ("3.7", "RN"),
            ("5.6", "RN"),
            ("7.3", "RJH"),
            ("7.4", "RJH")
        ]
    );
    let i = find_row(&rows, "Förändringar sedan uppföljningen 2022");
    let counts: Vec<(&str, &str)> = rows[i + 2..i + 9]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        counts,
        [
            ("förbättrad", "3"),
            ("försämrad", "2"),
            ("oförändrad", "125"),
            ("fortsatt ej påbörjad", "9"),
            ("ny bedömning", "1"),
            ("bedömning saknas nu", "1"),
            ("kan inte jämföras", "9"),
        ]
    );
}

#[test]
fn without_previous_there_is_no_comparison() {
    let w = Workdir::new();
    let (out, j) = merge_samples(&w, "ut", &[]);
    assert_eq!(j["previous"], Value::Null);
    assert_eq!(j["changes"], json!([]));
    assert!(!sheet_names(&out.join("sammanstallning.xlsx")).contains(&"Förändringar".to_string()));
}

#[test]
fn previous_from_an_output_folder_and_refusals() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    let folder = prev.parent().unwrap();
    let (_, j) = merge_samples(&w, "ut", &["--previous", folder.to_str().unwrap()]);
    assert_eq!(j["previous"]["period"], "2022");
    for (name, bytes) in [
        ("trasig.json", &b"{\"schema\": \"samla-sammanst"[..]),
        (
            "annan.json",
            &b"{\"schema\": \"annat/2\", \"goals\": []}"[..],
        ),
    ] {
        let p = w.join(name);
        std::fs::write(&p, bytes).unwrap();
        let o = w.merge(
            &samples_dir(),
            &w.join("ut2"),
            &["--previous", p.to_str().unwrap()],
        );
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(stderr(&o).contains("förra omgången"), "{}", stderr(&o));
        assert!(stderr(&o).contains(name), "{}", stderr(&o));
        assert!(!Path::new(&w.join("ut2/sammanstallning.json")).exists());
    }
    let o = w.merge(
        &samples_dir(),
        &w.join("ut3"),
        &["--previous", "finns-inte"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("finns-inte"), "{}", stderr(&o));
    // An earlier round of another plan: goal ids mean other goals there.
    let mut other = common::json(&prev);
    other["plan"]["id"] = "en-annan-plan".into();
    let p = w.join("annan-plan.json");
    std::fs::write(&p, other.to_string()).unwrap();
    let o = w.merge(
        &samples_dir(),
        &w.join("ut4"),
        &["--previous", p.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("förra omgången gäller planen en-annan-plan"),
        "{}",
        stderr(&o)
    );
    assert!(!w.join("ut4/sammanstallning.json").exists());
}
