//! Outputs written as streams (rows flushed to a temporary file while they
//! are built) must come out whole and well-formed: every row once, in
//! order, with its height, and every answer of the merge in it.

mod common;

use std::io::Read;

use common::*;

/// The XML of one part of a zip package.
fn part(path: &std::path::Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut xml = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{}: {name}: {e}", path.display()))
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The `r` attribute of every `<row>` element, in document order.
fn row_numbers(xml: &str) -> Vec<u32> {
    xml.match_indices("<row r=\"")
        .map(|(i, m)| {
            let rest = &xml[i + m.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

/// An inbox where every region rated and commented every goal, so that the
/// last row of `Svar` carries a comment and so a custom height (the case
/// rust_xlsxwriter 0.102 gets wrong in constant-memory mode).
fn full_inbox(w: &Dir) -> std::path::PathBuf {
    use samla::plan::Respondent;
    use samla::template::{file_name, workbook, Answer, Answers};
    let plan = plan();
    let inbox = w.mkdir("inkorg");
    for r in &plan.regions {
        let code = r.code.0.clone();
        let goals = plan
            .goals()
            .map(|(_, g)| {
                let answer = Answer {
                    rating: Some(plan.scale[0].code.clone()),
                    comment: Some(format!("{code} om {}:\nrad två", g.id.0)),
                };
                (g.id.0.clone(), answer)
            })
            .collect();
        let answers = Answers {
            respondent: code,
            goals,
        };
        let who = Respondent::Region(r.code.clone());
        let bytes = workbook(&plan, &who, Some(&answers)).unwrap();
        std::fs::write(inbox.join(file_name(&plan, &who)), bytes).unwrap();
    }
    inbox
}

#[test]
fn svar_sheet_streamed_has_every_row_once_in_order_with_all_answers() {
    let w = Dir::new();
    let out = w.join("out");
    w.merge_cmd(&full_inbox(&w), &out).arg("--quiet").output();
    let xlsx = out.join("sammanstallning.xlsx");
    assert_eq!(sheet_names(&xlsx)[1], "Svar");

    // Excel refuses a sheet with a row twice or out of order.
    let xml = part(&xlsx, "xl/worksheets/sheet2.xml");
    let rows = row_numbers(&xml);
    assert!(rows.len() > 100, "Svar has only {} rows", rows.len());
    assert!(
        rows.windows(2).all(|p| p[0] < p[1]),
        "Svar's rows are not strictly increasing: {:?}",
        rows.windows(2).find(|p| p[0] >= p[1])
    );

    // Every goal × region is a row of Svar, comment and all.
    let plan = plan();
    let cells = sheet(&xlsx, "Svar");
    for (_, g) in plan.goals() {
        for r in &plan.regions {
            let comment = format!("{} om {}:\nrad två", r.code.0, g.id.0);
            let found = cells.iter().any(|row| {
                row.get(1).is_some_and(|c| *c == g.id.0)
                    && row.get(2).is_some_and(|c| *c == r.code.0)
                    && row.get(4).is_some_and(|c| *c == comment)
            });
            assert!(found, "Svar lacks {}'s comment on goal {}", r.code, g.id.0);
        }
    }
    // The last answer keeps the height that shows its two lines.
    let last = cells
        .iter()
        .rposition(|r| r.iter().any(|c| !c.is_empty()))
        .unwrap();
    let tag = format!("<row r=\"{}\" ", last + 1);
    let at = xml
        .find(&tag)
        .expect("the last answer's row has attributes");
    let end = at + xml[at..].find('>').unwrap();
    // Two lines of text: at least twice a default row (the exact height is
    // the print layout's, see report::fit_height).
    let ht: f64 = xml[at..end]
        .split("ht=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .and_then(|h| h.parse().ok())
        .unwrap_or(0.0);
    assert!(
        ht >= 2.0 * 12.75 && xml[at..end].contains("customHeight=\"1\""),
        "the last answer lost its row height: {}",
        &xml[at..end]
    );
}
