//! `svar.csv` (issue 11, item 4): read back with the `csv` crate as a BI
//! tool would, and compared with `sammanstallning.json` and the returns.

mod common;
mod fixtures;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// The header row: stable names that BI reports refer to. Written out here
/// (not imported) so that renaming a column fails this test.
const HEADER: [&str; 17] = [
    "plan",
    "period",
    "område_id",
    "område",
    "mål_id",
    "mål",
    "svarande_kod",
    "svarande",
    "svarsläge",
    "bedömning",
    "bedömning_kod",
    "benämning",
    "betydelse",
    "kommentar",
    "fil",
    "bedömning_cell",
    "kommentar_cell",
];

/// One row of `svar.csv`, by column name.
type Row = BTreeMap<String, String>;

/// Reads `svar.csv`: asserts the BOM, the `;` separator, the header, CRLF
/// record ends and 17 fields on every row.
fn read_csv(path: &Path) -> Vec<Row> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes
        .strip_prefix("\u{feff}".as_bytes())
        .expect("svar.csv begins with the UTF-8 byte order mark");
    let text = std::str::from_utf8(body).expect("svar.csv is UTF-8");
    assert!(text.ends_with("\r\n"), "the last record ends with CRLF");
    let first = text.split("\r\n").next().unwrap();
    assert_eq!(first, HEADER.join(";"), "header row, `;`-separated");
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_reader(body);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, HEADER);
    r.records()
        .map(|rec| {
            let rec = rec.expect("every row has as many fields as the header");
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// The text a spreadsheet would run as a formula, guarded as README says.
fn guarded(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The cell `a1` of a return's answer sheet, as text.
fn return_cell(file: &str, a1: &str) -> String {
    let c = samla::finding::CellRef::parse(a1).unwrap_or_else(|| panic!("{a1} is no cell"));
    let rows = sheet(Path::new(file), "Uppföljning");
    rows.get(c.row as usize)
        .and_then(|r| r.get(c.col as usize))
        .cloned()
        .unwrap_or_default()
}

fn merge_into(w: &Dir, inbox: &Path) -> PathBuf {
    let out = w.join("ut");
    w.merge_cmd(inbox, &out)
        .args(["--quiet"])
        .env("SAMLA_IN_PROCESS", "1")
        .expect_code(0);
    out
}

#[test]
fn every_rating_and_comment_of_the_samples_is_in_svar_csv() {
    let w = Dir::new();
    let out = merge_into(&w, &samples_dir());
    let rows = read_csv(&out.join("svar.csv"));
    let j = json(&out.join("sammanstallning.json"));
    let goals = j["goals"].as_array().unwrap();
    let respondents: Vec<&str> = ["RJH", "RN", "RV", "RVN", "RCC Norr"].into();
    assert_eq!(rows.len(), goals.len() * respondents.len());
    assert_eq!(rows.len(), 43 * 5);
    let merged: BTreeMap<&str, &str> = j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["region"].as_str().unwrap(), s["file"].as_str().unwrap()))
        .collect();
    let scale: BTreeMap<&str, (&str, &str)> = j["plan"]["scale"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let s = |k: &str| l[k].as_str().unwrap();
            (s("code"), (s("label"), s("meaning")))
        })
        .collect();
    // Rows come goal by goal, respondents in plan order, coordinator last.
    let mut it = rows.iter();
    let mut comments_seen = BTreeSet::new();
    for g in goals {
        let id = g["id"].as_str().unwrap();
        for code in &respondents {
            let row = it.next().unwrap();
            let at = format!("goal {id}, {code}");
            assert_eq!(row["plan"], "cancerplan-norr-2022-2024");
            assert_eq!(row["period"], "2023");
            assert_eq!(row["mål_id"], id, "{at}");
            assert_eq!(row["mål"], guarded(g["text"].as_str().unwrap()), "{at}");
            assert_eq!(row["område_id"], g["area"].as_str().unwrap(), "{at}");
            assert_eq!(row["svarande_kod"], *code, "{at}");
            assert_eq!(row["fil"], merged[code], "{at}");
            let rating = g["ratings"][code].as_str().unwrap_or("");
            assert_eq!(row["bedömning_kod"], rating, "{at}");
            // The samples are written in the scale's form: as written = code.
            assert_eq!(row["bedömning"], rating, "{at}");
            check_meaning(row, rating, &scale, &at);
            let comment = g["comments"][code].as_str();
            assert_eq!(row["kommentar"], guarded(comment.unwrap_or("")), "{at}");
            if let Some(c) = comment {
                comments_seen.insert((id, *code));
                let cell = &row["kommentar_cell"];
                assert_eq!(return_cell(merged[code], cell), c, "{at}: {cell}");
            }
            if !rating.is_empty() {
                let cell = &row["bedömning_cell"];
                assert_eq!(return_cell(merged[code], cell), rating, "{at}: {cell}");
            }
        }
    }
    let in_json: usize = goals
        .iter()
        .map(|g| g["comments"].as_object().unwrap().len())
        .sum();
    assert_eq!(comments_seen.len(), in_json, "every comment of the JSON");
    assert!(in_json > 100, "the samples hold many comments: {in_json}");
}

/// `benämning`, `betydelse` and `svarsläge` of a sample row, by the scale
/// (code → label, meaning): `U/E` is spelt out part by part, `P?` keeps
/// its question mark.
fn check_meaning(row: &Row, rating: &str, scale: &BTreeMap<&str, (&str, &str)>, at: &str) {
    let level = rating.trim_end_matches('?');
    let q = &rating[level.len()..];
    let spelt = |pick: fn(&(&str, &str)) -> String, join: &str| {
        let parts: Vec<String> = level.split('/').map(|p| pick(&scale[p])).collect();
        format!("{}{q}", parts.join(join))
    };
    let (state, label, meaning) = if row["svarande_kod"] == "RCC Norr" {
        ("bedömer ej", String::new(), String::new())
    } else if rating.is_empty() {
        ("blank", String::new(), String::new())
    } else {
        let state = match (rating.contains('/'), q.is_empty()) {
            (true, _) => "sammansatt",
            (false, false) => "osäker",
            (false, true) => "bedömd",
        };
        (
            state,
            spelt(|l| l.0.to_string(), " / "),
            spelt(|l| l.1.to_string(), "/"),
        )
    };
    assert_eq!(row["svarsläge"], state, "{at}");
    assert_eq!(row["benämning"], label, "{at}");
    assert_eq!(row["betydelse"], meaning, "{at}");
}

/// RJH's sample answers with some comments replaced, filled by `samla fill`.
fn rjh_with_comments(w: &Dir, comments: &[(&str, &str)]) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("samples/answers/RJH.toml")).unwrap();
    let mut answers: toml::Table = text.parse().unwrap();
    for (goal, comment) in comments {
        answers["goals"][*goal]["comment"] = toml::Value::String(comment.to_string());
    }
    let path = w.create("RJH.toml", toml::to_string(&answers).unwrap());
    let out = w.join("inkorg/RJH.xlsx");
    let plan = plan_path();
    let arg = |p: &Path| p.to_str().unwrap().to_string();
    w.samla([
        "fill",
        "--plan",
        &arg(&plan),
        "--answers",
        &arg(&path),
        "--out",
        &arg(&out),
    ])
    .expect_code(0);
    out
}

#[test]
fn formula_like_text_is_guarded_quoted_text_survives_and_gaps_show() {
    let w = Dir::new();
    let inbox = w.mkdir("inkorg");
    for code in ["RN", "RV", "RCC-Norr"] {
        let name = format!("cancerplan-norr-2022-2024-{code}.xlsx");
        std::fs::copy(samples_dir().join(&name), inbox.join(&name)).unwrap();
    }
    let tricky = "Del 1; \"citat\" här\nRad två;slut";
    let comments = [
        ("1.1", "=SUMMA(A1:A9)"),
        ("1.2", "+46 70 123 45 67"),
        ("1.3", "-10 % jämfört med 2022"),
        ("1.4", "@kontaktperson"),
        ("1.6", tricky),
    ];
    rjh_with_comments(&w, &comments);
    let out = merge_into(&w, &inbox);
    let rows = read_csv(&out.join("svar.csv"));
    let j = json(&out.join("sammanstallning.json"));
    let row = |goal: &str, code: &str| {
        rows.iter()
            .find(|r| r["mål_id"] == goal && r["svarande_kod"] == code)
            .unwrap_or_else(|| panic!("no row for {goal} × {code}"))
    };
    for (goal, comment) in comments {
        assert_eq!(
            goal_comment(&j, goal),
            comment,
            "the JSON keeps {goal} as written"
        );
    }
    assert_eq!(row("1.1", "RJH")["kommentar"], "'=SUMMA(A1:A9)");
    assert_eq!(row("1.2", "RJH")["kommentar"], "'+46 70 123 45 67");
    assert_eq!(row("1.3", "RJH")["kommentar"], "'-10 % jämfört med 2022");
    assert_eq!(row("1.4", "RJH")["kommentar"], "'@kontaktperson");
    assert_eq!(
        row("1.6", "RJH")["kommentar"],
        tricky,
        "quoted, not cut or guarded"
    );
    let raw = std::fs::read_to_string(out.join("svar.csv")).unwrap();
    assert!(
        raw.contains("\"Del 1; \"\"citat\"\" här\nRad två;slut\""),
        "the field is quoted with its quotes doubled and its newline kept"
    );
    // RVN sent nothing: a row per goal all the same, rating empty.
    let rvn: Vec<&Row> = rows.iter().filter(|r| r["svarande_kod"] == "RVN").collect();
    assert_eq!(rvn.len(), 43);
    for r in rvn {
        assert_eq!(r["svarsläge"], "inget svar");
        assert_eq!(r["svarande"], "Region Västernorrland");
        for empty in [
            "bedömning",
            "bedömning_kod",
            "kommentar",
            "fil",
            "bedömning_cell",
        ] {
            assert_eq!(r[empty], "", "{}: {empty}", r["mål_id"]);
        }
    }
    assert_eq!(rows.len(), 43 * 5);
}

#[test]
fn a_rating_is_given_as_written_and_a_missing_row_is_told_from_a_blank() {
    let w = Dir::new();
    let inbox = w.mkdir("inkorg");
    for code in ["RJH", "RN", "RVN", "RCC-Norr"] {
        let name = format!("cancerplan-norr-2022-2024-{code}.xlsx");
        std::fs::copy(samples_dir().join(&name), inbox.join(&name)).unwrap();
    }
    let mut rv = fixtures::Book::genuine("RV");
    let s = rv.answers();
    s.set(fixtures::goal_row("1.1"), fixtures::RATING_COL, "pågående");
    s.set(fixtures::goal_row("1.2"), fixtures::RATING_COL, "X");
    s.delete_row(fixtures::goal_row("1.3"));
    let file = w.create("inkorg/RV.xlsx", rv.to_xlsx());
    let out = merge_into(&w, &inbox);
    let rows = read_csv(&out.join("svar.csv"));
    let rv = |goal: &str| {
        let r = rows
            .iter()
            .find(|r| r["mål_id"] == goal && r["svarande_kod"] == "RV")
            .unwrap();
        let f = |k: &str| r[k].as_str();
        [
            f("svarsläge"),
            f("bedömning"),
            f("bedömning_kod"),
            f("betydelse"),
            f("fil"),
        ]
    };
    let file = file.to_str().unwrap();
    assert_eq!(rv("1.1"), ["bedömd", "pågående", "P", "pågående", file]);
    assert_eq!(rv("1.2"), ["ej på skalan", "X", "", "", file]);
    assert_eq!(rv("1.3"), ["rad saknas", "", "", "", file]);
    assert_eq!(rows.len(), 43 * 5);
}

fn goal_comment(j: &Value, goal: &str) -> String {
    common::goal(j, goal)["comments"]["RJH"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
