//! Templates that start from last round (issue 11, item 2): `samla template
//! --previous PREV` shows each respondent its own previous rating and
//! comment in locked, grey columns; the reader never takes them as answers,
//! and an edited previous cell is an `edited-previous` finding.

mod common;
mod fixtures;

use std::path::{Path, PathBuf};

use common::*;
use fixtures::Book;
use serde_json::{json, Value};

const PLAN_ID: &str = "cancerplan-norr-2022-2024";
/// Zero-based columns of a region's template with the previous round.
const PREV_RATING: u16 = 3;
const PREV_COMMENT: u16 = 4;
const RATING: u16 = 5;
const COMMENT: u16 = 6;

/// An earlier round: this round's samples merged, dated 2022, with a few
/// answers changed, goal 7.5 not yet in the plan and goal 1.2 re-worded.
fn earlier_round(w: &Workdir) -> PathBuf {
    let out = w.join("nu");
    let o = w.merge(&samples_dir(), &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut j = json(&out.join("sammanstallning.json"));
    j["plan"]["period"] = json!("2022");
    goal_mut(&mut j, "1.1")["ratings"]["RJH"] = json!("E");
    goal_mut(&mut j, "1.1")["comments"]["RJH"] = json!("Förra året: utredning påbörjad.");
    goal_mut(&mut j, "1.1")["comments"]["RCC Norr"] = json!("Samordnaren 2022.");
    goal_mut(&mut j, "1.3")["ratings"]["RJH"] = Value::Null;
    goal_mut(&mut j, "2.1")["comments"]["RN"] = json!("=Förra året: klart.\nRad två.");
    goal_mut(&mut j, "1.2")["text"] = json!("Screening för tjocktarmscancer ska införas.");
    j["goals"]
        .as_array_mut()
        .unwrap()
        .retain(|g| g["id"] != "7.5");
    let path = w.join("forra/sammanstallning.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_vec_pretty(&j).unwrap()).unwrap();
    path
}

/// Runs `samla <command> --plan <bundled plan> --previous prev <args>`;
/// returns its output, whatever the status.
fn with_previous(w: &Workdir, command: &str, prev: &Path, args: &[&str]) -> std::process::Output {
    let plan = plan_path();
    let mut all = vec![command, "--plan", plan.to_str().unwrap()];
    all.extend(["--previous", prev.to_str().unwrap()]);
    all.extend(args);
    w.run(&all)
}

/// `samla template --previous prev --out dir`; asserts it succeeded.
fn templates(w: &Workdir, prev: &Path, dir: &str) -> PathBuf {
    let o = with_previous(w, "template", prev, &["--out", dir]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    w.join(dir)
}

/// Every sample's answers filled into a `--previous` template, in `inbox`.
fn filled_inbox(w: &Workdir, prev: &Path, inbox: &str) -> PathBuf {
    let dir = w.mkdir(inbox);
    for code in ["RJH", "RN", "RV", "RVN", "RCC-Norr"] {
        let answers = repo().join(format!("samples/answers/{code}.toml"));
        let out = dir.join(format!("{PLAN_ID}-{code}.xlsx"));
        let args = [
            "--answers",
            answers.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        let o = with_previous(w, "fill", prev, &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    dir
}

/// The text of a zip entry of an xlsx file.
fn entry(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
    s
}

/// Zero-based sheet row of a goal in the template.
fn row_of(rows: &[Vec<String>], goal: &str) -> usize {
    rows.iter()
        .position(|r| r.get(1).map(String::as_str) == Some(goal))
        .unwrap()
}

fn cell(rows: &[Vec<String>], row: usize, col: u16) -> &str {
    rows[row].get(col as usize).map_or("", String::as_str)
}

#[test]
fn each_template_shows_its_respondents_own_previous_answers() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    let earlier = json(&prev);
    let dir = templates(&w, &prev, "mallar");
    let rjh = dir.join(format!("{PLAN_ID}-RJH.xlsx"));
    assert_eq!(
        sheet_names(&rjh),
        ["Instruktioner", "Uppföljning", "samla", "samla-förra"]
    );
    let rows = sheet(&rjh, "Uppföljning");
    assert_eq!(
        rows[4],
        [
            "Område",
            "Mål-id",
            "Mål",
            "Förra omgången (2022): bedömning",
            "Förra omgången (2022): kommentar",
            "Bedömning",
            "Kommentar (nuläge)"
        ]
    );
    assert_eq!(rows.len(), 5 + 43);
    // Every goal of the earlier round shows RJH's own rating and comment
    // then, matched by id (1.2 was re-worded since and still shows them).
    for g in earlier["goals"].as_array().unwrap() {
        let r = row_of(&rows, g["id"].as_str().unwrap());
        let rating = g["ratings"]["RJH"].as_str().unwrap_or("");
        let comment = g["comments"]["RJH"].as_str().unwrap_or("");
        assert_eq!(cell(&rows, r, PREV_RATING), rating, "goal {}", g["id"]);
        assert_eq!(cell(&rows, r, PREV_COMMENT), comment, "goal {}", g["id"]);
        assert_eq!(cell(&rows, r, RATING), "", "goal {}", g["id"]);
        assert_eq!(cell(&rows, r, COMMENT), "", "goal {}", g["id"]);
    }
    let r11 = row_of(&rows, "1.1");
    assert_eq!(cell(&rows, r11, PREV_RATING), "E");
    assert_eq!(
        cell(&rows, r11, PREV_COMMENT),
        "Förra året: utredning påbörjad."
    );
    assert_eq!(cell(&rows, row_of(&rows, "1.3"), PREV_RATING), "");
    assert_eq!(cell(&rows, row_of(&rows, "1.2"), PREV_RATING), "U");

    // Goal 7.5 is new since: empty previous cells and the note "nytt mål".
    let r75 = row_of(&rows, "7.5");
    assert_eq!(cell(&rows, r75, PREV_RATING), "");
    assert_eq!(cell(&rows, r75, PREV_COMMENT), "");
    let notes = entry(&rjh, "xl/comments1.xml");
    assert_eq!(notes.matches("<comment ").count(), 1, "{notes}");
    assert!(
        notes.contains(&format!("<comment ref=\"D{}\"", r75 + 1)) && notes.contains("nytt mål"),
        "{notes}"
    );

    // Another region sees its own answers; a comment that looks like a
    // formula is shown as the text it was.
    let rn = sheet(&dir.join(format!("{PLAN_ID}-RN.xlsx")), "Uppföljning");
    assert_eq!(
        cell(&rn, row_of(&rn, "2.1"), PREV_COMMENT),
        "=Förra året: klart.\nRad två."
    );
    assert_eq!(cell(&rn, row_of(&rn, "1.1"), PREV_RATING), "U");

    // The coordinator rates nothing: its previous comment only.
    let rcc = sheet(&dir.join(format!("{PLAN_ID}-RCC-Norr.xlsx")), "Uppföljning");
    assert_eq!(
        rcc[4],
        [
            "Område",
            "Mål-id",
            "Mål",
            "Förra omgången (2022): kommentar",
            "Kommentar (nuläge)"
        ]
    );
    assert_eq!(cell(&rcc, row_of(&rcc, "1.1"), 3), "Samordnaren 2022.");

    // The instructions say what the columns are.
    let text = sheet(&rjh, "Instruktioner").concat().join("\n");
    assert!(
        text.contains("\"Förra omgången (2022): bedömning\""),
        "{text}"
    );
    assert!(text.contains("läses inte in"), "{text}");

    // The hidden copy holds what the columns show.
    let copy = sheet(&rjh, "samla-förra");
    assert_eq!(copy[0], ["Mål-id", "Visad bedömning", "Visad kommentar"]);
    let c11 = copy.iter().find(|r| r[0] == "1.1").unwrap();
    assert_eq!(c11[1..], ["E", "Förra året: utredning påbörjad."]);
    assert_eq!(copy.len(), 1 + 43);
    let workbook = entry(&rjh, "xl/workbook.xml");
    assert!(
        workbook.contains("name=\"samla-förra\" sheetId=\"4\" state=\"hidden\""),
        "{workbook}"
    );
    assert!(entry(&rjh, "xl/worksheets/sheet4.xml").contains("<sheetProtection"));
}

/// The `<xf>` elements of `cellXfs`, each as its own text.
fn cell_formats(path: &Path) -> Vec<String> {
    let styles = entry(path, "xl/styles.xml");
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let xfs = &xfs[..xfs.find("</cellXfs>").unwrap()];
    xfs.split("<xf ")
        .skip(1)
        .map(|x| {
            let end = x.find("</xf>").or_else(|| x.find("/>")).unwrap();
            x[..end].to_string()
        })
        .collect()
}

/// The n-th `<tag>…</tag>` (or `<tag/>`) inside `<list>` of styles.xml.
fn style_item(path: &Path, list: &str, tag: &str, n: usize) -> String {
    let styles = entry(path, "xl/styles.xml");
    let part = &styles[styles.find(&format!("<{list}")).unwrap()..];
    let part = &part[..part.find(&format!("</{list}>")).unwrap()];
    // Skips the list's own tag (`<fills …>` starts with `<fill` too).
    let items: Vec<&str> = part
        .split(&format!("<{tag}"))
        .skip(1)
        .filter(|i| i.starts_with('>') || i.starts_with(' ') || i.starts_with('/'))
        .collect();
    items[n].to_string()
}

/// The style index (`s`) of a cell in a sheet's XML.
fn style_of(sheet_xml: &str, a1: &str) -> usize {
    let at = sheet_xml.find(&format!("<c r=\"{a1}\"")).unwrap();
    let tag = &sheet_xml[at..at + sheet_xml[at..].find('>').unwrap()];
    let s = tag.find(" s=\"").unwrap() + 4;
    tag[s..s + tag[s..].find('"').unwrap()].parse().unwrap()
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(tag[i..i + tag[i..].find('"')?].to_string())
}

/// Asserts that cell `a1` of a sheet (its XML) is grey text on grey, as the
/// previous round's columns are; returns its cell format.
fn assert_grey(path: &Path, sheet_xml: &str, a1: &str) -> String {
    let xf = cell_formats(path)[style_of(sheet_xml, a1)].clone();
    let id = |name: &str| -> usize { attr(&format!(" {xf}"), name).unwrap().parse().unwrap() };
    let fill = style_item(path, "fills", "fill", id("fillId"));
    assert!(fill.contains("FFE7E6E6"), "{a1} is grey: {fill}");
    let font = style_item(path, "fonts", "font", id("fontId"));
    assert!(font.contains("FF595959"), "{a1} has grey text: {font}");
    xf
}

#[test]
fn previous_columns_are_locked_grey_without_dropdown_and_print() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    let dir = templates(&w, &prev, "mallar");
    let rjh = dir.join(format!("{PLAN_ID}-RJH.xlsx"));
    let xml = entry(&rjh, "xl/worksheets/sheet2.xml");
    for a1 in ["D5", "E5", "D6", "E6", "D48", "E48"] {
        let xf = assert_grey(&rjh, &xml, a1);
        assert!(!xf.contains("locked=\"0\""), "{a1} is locked: {xf}");
    }
    let xfs = cell_formats(&rjh);
    for a1 in ["F6", "G6", "F48", "G48"] {
        let xf = &xfs[style_of(&xml, a1)];
        assert!(xf.contains("locked=\"0\""), "{a1} is open: {xf}");
    }
    assert!(xml.contains("<sheetProtection"));
    // The dropdown of the scale is on this round's rating column only.
    assert_eq!(xml.matches("<dataValidation ").count(), 1, "{xml}");
    assert!(xml.contains("sqref=\"F6:F48\""), "{xml}");

    // Widths: the answer columns stay wide, the previous comment readable.
    let cols: Vec<f64> = xml
        .split("<col ")
        .skip(1)
        .map(|c| attr(&format!(" {c}"), "width").unwrap().parse().unwrap())
        .collect();
    assert_eq!(cols.len(), 7, "{xml}");
    assert!(
        cols[PREV_COMMENT as usize] >= 40.0 && cols[COMMENT as usize] >= 60.0,
        "{cols:?}"
    );
    // A4 landscape, one page wide, the head repeated, every goal row with a
    // stored height that shows its wrapped text.
    assert_eq!(attr(&xml, "paperSize").as_deref(), Some("9"));
    assert_eq!(attr(&xml, "orientation").as_deref(), Some("landscape"));
    assert!(xml.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{xml}");
    assert!(matches!(
        attr(&xml, "fitToWidth").as_deref(),
        None | Some("1")
    ));
    assert_eq!(attr(&xml, "fitToHeight").as_deref(), Some("0"));
    assert!(entry(&rjh, "xl/workbook.xml").contains("Uppföljning!$5:$5"));
    let stored = xml
        .split("<row ")
        .skip(1)
        .filter(|r| r[..r.find('>').unwrap()].contains("customHeight=\"1\""))
        .count();
    // The header row and the 43 goal rows at least.
    assert!(stored > 43, "{stored} rows with a stored height");
}

/// (code, region, goal, cell) of every discrepancy, sorted.
fn finding_keys(j: &Value) -> Vec<(String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let mut keys: Vec<_> = j["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (s(&d["code"]), s(&d["region"]), s(&d["goal"]), s(&d["cell"])))
        .collect();
    keys.sort();
    keys
}

/// The answers of every goal: ids, ratings and comments.
fn answers(j: &Value) -> Vec<(Value, Value, Value)> {
    j["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["id"].clone(), g["ratings"].clone(), g["comments"].clone()))
        .collect()
}

#[test]
fn filled_previous_templates_merge_from_the_new_columns_only() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    let inbox = filled_inbox(&w, &prev, "inkorg");
    let out = w.join("ut");
    let o = w.merge(&inbox, &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let with = json(&out.join("sammanstallning.json"));
    let plain = json(&w.join("nu/sammanstallning.json"));
    // The same answers as the plain samples: nothing of 2022 was read.
    assert_eq!(answers(&with), answers(&plain));
    assert_ne!(
        goal(&with, "1.1")["comments"]["RJH"],
        "Förra året: utredning påbörjad."
    );
    // The same findings, at this template's rating and comment cells:
    // the previous columns are neither answers nor text outside them.
    let moved = |k: (String, String, String, String)| {
        let (code, region, goal, cell) = k;
        let cell = match (region.as_str(), cell.chars().next()) {
            ("RCC Norr", Some('D')) => cell.replacen('D', "E", 1),
            (_, Some('D')) => cell.replacen('D', "F", 1),
            (_, Some('E')) => cell.replacen('E', "G", 1),
            _ => cell,
        };
        (code, region, goal, cell)
    };
    let mut expected: Vec<_> = finding_keys(&plain).into_iter().map(moved).collect();
    expected.sort();
    assert_eq!(finding_keys(&with), expected);
}

/// Merges the filled `--previous` samples after `change` was made to RJH's
/// return (rebuilt from its cells); returns the JSON and RJH's answer sheet.
fn merged_with_rjh_changed(
    w: &Workdir,
    prev: &Path,
    change: impl FnOnce(&mut Book, &[Vec<String>]),
) -> (Value, Vec<Vec<String>>) {
    let inbox = filled_inbox(w, prev, "inkorg");
    let rjh = inbox.join(format!("{PLAN_ID}-RJH.xlsx"));
    let rows = sheet(&rjh, "Uppföljning");
    let mut book = Book::from_xlsx(&std::fs::read(&rjh).unwrap());
    change(&mut book, &rows);
    std::fs::write(&rjh, book.to_xlsx()).unwrap();
    let out = w.join("ut");
    let o = w.merge(&inbox, &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (json(&out.join("sammanstallning.json")), rows)
}

/// RJH's findings of `code`, in report order.
fn rjh_findings<'a>(j: &'a Value, code: &str) -> Vec<&'a Value> {
    j["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code && d["region"] == "RJH")
        .collect()
}

#[test]
fn an_edited_previous_cell_is_a_finding_and_the_answer_still_counts() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    // Someone unlocks the sheet and types over last year's answers.
    let (j, rows) = merged_with_rjh_changed(&w, &prev, |book, rows| {
        book.answers()
            .set(row_of(rows, "1.1") as u32, PREV_RATING, "U")
            .set(row_of(rows, "1.3") as u32, PREV_RATING, "P")
            .clear(row_of(rows, "1.4") as u32, PREV_COMMENT);
    });
    let (r11, r13, r14) = (
        row_of(&rows, "1.1"),
        row_of(&rows, "1.3"),
        row_of(&rows, "1.4"),
    );
    let edited = rjh_findings(&j, "edited-previous");
    let cells: Vec<(&str, &str)> = edited
        .iter()
        .map(|d| (d["goal"].as_str().unwrap(), d["cell"].as_str().unwrap()))
        .collect();
    assert_eq!(
        cells,
        [
            ("1.1", format!("D{}", r11 + 1).as_str()),
            ("1.3", format!("D{}", r13 + 1).as_str()),
            ("1.4", format!("E{}", r14 + 1).as_str())
        ]
    );
    for d in &edited {
        assert_eq!(d["severity"], "warning");
        assert_eq!(d["sheet"], "Uppföljning");
    }
    let m11 = edited[0]["message"].as_str().unwrap();
    assert!(
        m11.contains(&format!("Cellen D{}", r11 + 1))
            && m11.contains("\"Förra omgången (2022): bedömning\"")
            && m11.contains("mallen visade \"E\", nu står det \"U\"")
            && m11.contains("kolumnen \"Bedömning\""),
        "{m11}"
    );
    let m13 = edited[1]["message"].as_str().unwrap();
    assert!(
        m13.contains("mallen visade en tom cell, nu står det \"P\""),
        "{m13}"
    );
    let m14 = edited[2]["message"].as_str().unwrap();
    let shown = json(&prev);
    let was = goal(&shown, "1.4")["comments"]["RJH"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        m14.contains(&format!("mallen visade \"{was}\", nu är cellen tom"))
            && m14.contains("kolumnen \"Kommentar (nuläge)\""),
        "{m14}"
    );
    // The answers are this round's, as typed in the answer columns.
    assert_eq!(goal(&j, "1.1")["ratings"]["RJH"], "P");
    assert_eq!(goal(&j, "1.3")["ratings"]["RJH"], "P");
    assert!(rjh_findings(&j, "text-outside-answers").is_empty());
}

#[test]
fn text_in_previous_columns_without_the_hidden_copy_is_reported() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    // A copy of the answer sheet without samla's hidden copy: the previous
    // columns are not the template's, so nothing in them may be lost.
    let (j, rows) = merged_with_rjh_changed(&w, &prev, |book, _| {
        book.sheets.retain(|s| s.name != "samla-förra");
    });
    let outside = rjh_findings(&j, "text-outside-answers");
    let r11 = row_of(&rows, "1.1");
    assert!(
        outside.iter().any(|d| d["cell"] == format!("D{}", r11 + 1)
            && d["message"].as_str().unwrap().contains("\"E\"")),
        "{outside:?}"
    );
    assert!(outside.iter().any(|d| d["cell"] == "D5"), "{outside:?}");
    assert!(rjh_findings(&j, "edited-previous").is_empty());
    assert_eq!(goal(&j, "1.1")["ratings"]["RJH"], "P");
}

#[test]
fn an_earlier_round_of_another_plan_is_refused() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    let mut j = json(&prev);
    j["plan"]["id"] = json!("cancerplan-syd-2022-2024");
    std::fs::write(&prev, serde_json::to_vec(&j).unwrap()).unwrap();
    let o = with_previous(&w, "template", &prev, &["--out", "mallar"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("förra omgången gäller planen cancerplan-syd-2022-2024")
            && err.contains("planen här är cancerplan-norr-2022-2024")
            && err.contains("--previous"),
        "{err}"
    );
    assert!(!w.join("mallar").exists() || dir_list(&w.join("mallar")).is_empty());
}

#[test]
fn the_feedback_copy_keeps_the_previous_columns_grey_and_marks_the_edit() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    let inbox = filled_inbox(&w, &prev, "inkorg");
    let rjh = inbox.join(format!("{PLAN_ID}-RJH.xlsx"));
    let r11 = row_of(&sheet(&rjh, "Uppföljning"), "1.1");
    let mut book = Book::from_xlsx(&std::fs::read(&rjh).unwrap());
    book.answers().set(r11 as u32, PREV_RATING, "U");
    std::fs::write(&rjh, book.to_xlsx()).unwrap();
    let plan = plan_path();
    let args = [
        "check",
        "--plan",
        plan.to_str().unwrap(),
        "--feedback",
        "fb",
    ];
    let o = w.run(&[&args[..], &[rjh.to_str().unwrap()]].concat());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("edited-previous"), "{}", stdout(&o));
    let fb = w.join(format!("fb/{PLAN_ID}-RJH-aterkoppling.xlsx"));
    let xml = entry(&fb, "xl/worksheets/sheet2.xml");
    let d = format!("D{}", r11 + 1);
    for a1 in ["D5", "E5", "E6", "D7"] {
        assert_grey(&fb, &xml, a1);
    }
    let notes = entry(&fb, "xl/comments1.xml");
    let at = notes
        .find(&format!("<comment ref=\"{d}\""))
        .expect("a note on the edit");
    let note = &notes[at..at + notes[at..].find("</comment>").unwrap()];
    assert!(
        note.contains("mallen visade &quot;E&quot;") || note.contains("mallen visade \"E\""),
        "{note}"
    );
}

#[test]
fn a_previous_comment_longer_than_a_cell_is_shown_cut_and_says_so() {
    let w = Workdir::new();
    let prev = earlier_round(&w);
    let mut j = json(&prev);
    let long = "Lång kommentar med 𝄞 och å. ".repeat(1_500);
    assert!(long.encode_utf16().count() > 32_767);
    goal_mut(&mut j, "1.1")["comments"]["RJH"] = json!(long);
    std::fs::write(&prev, serde_json::to_vec(&j).unwrap()).unwrap();
    let dir = templates(&w, &prev, "mallar");
    let rjh = dir.join(format!("{PLAN_ID}-RJH.xlsx"));
    let rows = sheet(&rjh, "Uppföljning");
    let shown = cell(&rows, row_of(&rows, "1.1"), PREV_COMMENT).to_string();
    assert!(shown.encode_utf16().count() <= 32_767);
    let kept = shown
        .strip_suffix(samla::template::CUT_NOTE)
        .expect("says it is cut");
    assert!(long.starts_with(kept) && kept.len() > 30_000);
    // The hidden copy holds the same, so the return is not taken as edited.
    let copy = sheet(&rjh, "samla-förra");
    assert_eq!(copy.iter().find(|r| r[0] == "1.1").unwrap()[2], shown);
    let inbox = filled_inbox(&w, &prev, "inkorg");
    let out = w.join("ut");
    let o = w.merge(&inbox, &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j = json(&out.join("sammanstallning.json"));
    assert!(rjh_findings(&j, "edited-previous").is_empty());
}
