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
/// rust_xlsxwriter 0.102 gets wrong in constant-memory mode, which wrote
/// `Svar` before samla wrote its rows itself; see `report::long_sheet`).
fn full_inbox(w: &Dir) -> std::path::PathBuf {
    inbox_with(w, &|code, goal| format!("{code} om {goal}:\nrad två"))
}

/// An inbox where every region rated every goal and wrote
/// `comment(region, goal)` on it.
fn inbox_with(w: &Dir, comment: &dyn Fn(&str, &str) -> String) -> std::path::PathBuf {
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
                    comment: Some(comment(&code, &g.id.0)),
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

/// A comment of about 2,400 characters, its words unlike any other
/// comment's (so that it is found only where it belongs), short enough
/// for one row of `Svar`.
fn long_comment(code: &str, goal: &str) -> String {
    let words: Vec<String> = (0..200).map(|i| format!("{code}-{goal}-{i}")).collect();
    words.join(" ")
}

/// `Svar` and the report's body, many times longer than the buffers they
/// are handed in to the thread that compresses them (report/piped.rs),
/// come out whole: each read back through the zip crate (which checks the
/// entry's CRC-32 and size) and `Svar` through calamine too, every comment
/// in its place.
#[test]
fn long_parts_compressed_beside_their_writing_read_back_whole() {
    let w = Dir::new();
    let out = w.join("out");
    let inbox = inbox_with(&w, &long_comment);
    w.merge_cmd(&inbox, &out).arg("--quiet").output();
    let xlsx = out.join("sammanstallning.xlsx");
    let svar = part(&xlsx, "xl/worksheets/sheet2.xml");
    assert!(svar.len() > 400_000, "Svar is only {} bytes", svar.len());
    let body = part(&out.join("rapport.docx"), "word/document.xml");
    assert!(
        body.len() > 400_000,
        "the body is only {} bytes",
        body.len()
    );
    let cells = sheet(&xlsx, "Svar");
    let plan = plan();
    for (_, g) in plan.goals() {
        for r in &plan.regions {
            let comment = long_comment(&r.code.0, &g.id.0);
            let row = cells
                .iter()
                .find(|row| row[1] == g.id.0 && row[2] == r.code.0)
                .unwrap_or_else(|| panic!("Svar has no row of {} on {}", r.code, g.id.0));
            assert_eq!(row[4], comment, "{} on {}", r.code, g.id.0);
            assert!(
                body.contains(&comment),
                "the report lacks {} on {}",
                r.code,
                g.id.0
            );
        }
    }
}

/// Each `<row>`'s number and stored height (`ht` with `customHeight="1"`),
/// in document order.
fn row_heights(xml: &str) -> Vec<(u32, Option<f64>)> {
    xml.match_indices("<row r=\"")
        .map(|(i, _)| {
            let tag = &xml[i..i + xml[i..].find('>').unwrap()];
            let attr = |name: &str| {
                let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
                Some(&tag[at..at + tag[at..].find('"')?])
            };
            let r = attr("r").unwrap().parse().unwrap();
            let ht = attr("ht").filter(|_| attr("customHeight") == Some("1"));
            (r, ht.map(|h| h.parse().unwrap()))
        })
        .collect()
}

/// Checks a streamed sheet's rows against the heights their cells need
/// (`need(cells)`, from row 2 on): every row once, in order, each with its
/// own height (not a neighbour's), then the blank row that flushes the
/// last one, at the default height, which the sheet keeps.
fn assert_streamed_heights(
    xlsx: &std::path::Path,
    part_name: &str,
    sheet_name: &str,
    need: &dyn Fn(&[String]) -> f64,
) {
    let xml = part(xlsx, part_name);
    let rows = row_heights(&xml);
    let cells = sheet(xlsx, sheet_name);
    let data = cells.iter().filter(|r| r.iter().any(|c| !c.is_empty()));
    assert_eq!(
        rows.len(),
        data.count() + 1,
        "{sheet_name}: one row per line and the blank one"
    );
    for (i, (r, ht)) in rows.iter().enumerate() {
        assert_eq!(*r as usize, i + 1, "{sheet_name}: rows out of order");
        if i == 0 || i + 1 == rows.len() {
            continue;
        }
        let want = (need(&cells[i]) * 4.0 / 3.0).round() * 0.75;
        assert_eq!(*ht, Some(want), "{sheet_name}: row {r}: {:?}", cells[i]);
    }
    assert_eq!(
        rows.last().unwrap().1,
        None,
        "{sheet_name}: the blank row has a height"
    );
    let format_pr = &xml[xml.find("<sheetFormatPr").unwrap()..];
    let format_pr = &format_pr[..format_pr.find('>').unwrap()];
    assert!(
        format_pr.contains("defaultRowHeight=\"12.75\"") && !format_pr.contains("customHeight"),
        "{sheet_name}: the default row height is not restored: {format_pr}"
    );
}

#[test]
fn streamed_rows_of_svar_and_avvikelser_each_keep_their_own_height() {
    use samla::report::print::{fit, Cell};
    let w = Dir::new();
    let out = w.join("out");
    let done = demo_merge(&w, &out, &[]);
    assert!(out.join("avvikelser.xlsx").exists(), "{done:?}");
    assert_streamed_heights(
        &out.join("sammanstallning.xlsx"),
        "xl/worksheets/sheet2.xml",
        "Svar",
        &|c| samla::report::fit_height(&[(&c[0], 18.0), (&c[4], 90.0)]),
    );
    let widths = [22.0, 11.0, 9.0, 6.0, 28.0, 12.0, 6.0, 66.0];
    assert_streamed_heights(
        &out.join("avvikelser.xlsx"),
        "xl/worksheets/sheet1.xml",
        "Avvikelser",
        &|c| {
            fit(&c
                .iter()
                .zip(widths)
                .map(|(t, w)| Cell::new(t, w))
                .collect::<Vec<_>>())
        },
    );
}

/// The `cellXfs` of a workbook's styles: per index, (border id, wrapped,
/// horizontal alignment).
fn cell_xfs(xlsx: &std::path::Path) -> Vec<(String, bool, String)> {
    let xml = part(xlsx, "xl/styles.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let xfs = doc
        .descendants()
        .find(|n| n.has_tag_name("cellXfs"))
        .unwrap();
    xfs.children()
        .filter(|n| n.has_tag_name("xf"))
        .map(|xf| {
            let align = xf.children().find(|n| n.has_tag_name("alignment"));
            let get = |name| align.and_then(|a| a.attribute(name)).unwrap_or("");
            (
                xf.attribute("borderId").unwrap_or("0").to_string(),
                get("wrapText") == "1",
                get("horizontal").to_string(),
            )
        })
        .collect()
}

/// Checks that every cell of a streamed sheet's data rows carries its own
/// bordered format (`wanted(column)`: wrapped, and the horizontal
/// alignment), and that no column has a format (which would draw the
/// borders down the whole sheet).
fn assert_cell_formats(
    xlsx: &std::path::Path,
    part_name: &str,
    wanted: &dyn Fn(usize) -> (bool, &'static str),
) {
    let xfs = cell_xfs(xlsx);
    let xml = part(xlsx, part_name);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let node = |name| {
        doc.descendants()
            .filter(move |n: &roxmltree::Node| n.has_tag_name(name))
    };
    for col in node("col") {
        assert_eq!(
            col.attribute("style"),
            None,
            "{part_name}: a column has a format"
        );
    }
    let rows: Vec<_> = node("row").collect();
    // The head row has its own format, the last row is the blank one.
    for row in &rows[1..rows.len() - 1] {
        let cells: Vec<_> = row.children().filter(|n| n.has_tag_name("c")).collect();
        assert!(!cells.is_empty());
        for (i, c) in cells.iter().enumerate() {
            let s: usize = c
                .attribute("s")
                .expect("a cell without format")
                .parse()
                .unwrap();
            let (border, wrap, horizontal) = &xfs[s];
            let (want_wrap, want_horizontal) = wanted(i);
            assert!(
                border != "0" && *wrap == want_wrap && horizontal == want_horizontal,
                "{part_name}: cell {:?} has format {s}: {:?}",
                c.attribute("r"),
                xfs[s]
            );
        }
    }
}

#[test]
fn streamed_cells_of_svar_and_avvikelser_keep_their_formats_and_columns_have_none() {
    let w = Dir::new();
    let out = w.join("out");
    let done = demo_merge(&w, &out, &[]);
    assert!(out.join("avvikelser.xlsx").exists(), "{done:?}");
    // Svar: Område, Mål-id (centred), who, rating (centred), comment.
    assert_cell_formats(
        &out.join("sammanstallning.xlsx"),
        "xl/worksheets/sheet2.xml",
        &|col| match col {
            1 | 3 => (false, "center"),
            _ => (true, ""),
        },
    );
    // Avvikelser: the severity's cell is coloured, not wrapped.
    assert_cell_formats(
        &out.join("avvikelser.xlsx"),
        "xl/worksheets/sheet1.xml",
        &|col| (col != 1, ""),
    );
}

/// The values of attribute `name` in the start tags `<tag …>` of `xml`.
fn attr_values(xml: &str, tag: &str, name: &str) -> Vec<String> {
    let open = format!("<{tag} ");
    let key = format!(" {name}=\"");
    xml.match_indices(&open)
        .filter_map(|(i, _)| {
            let tag = &xml[i..i + xml[i..].find('>').unwrap()];
            let at = tag.find(&key)? + key.len();
            Some(tag[at..at + tag[at..].find('"').unwrap()].to_string())
        })
        .collect()
}

#[test]
fn svar_shares_its_repeated_texts_through_a_table_whose_counts_add_up() {
    let w = Dir::new();
    let out = w.join("out");
    w.merge_cmd(&full_inbox(&w), &out).arg("--quiet").output();
    let xlsx = out.join("sammanstallning.xlsx");
    let sst = part(&xlsx, "xl/sharedStrings.xml");
    let unique: usize = attr_values(&sst, "sst", "uniqueCount")[0].parse().unwrap();
    let count: usize = attr_values(&sst, "sst", "count")[0].parse().unwrap();
    assert_eq!(
        sst.matches("<si>").count(),
        unique,
        "uniqueCount is the items'"
    );

    // Every shared cell of every sheet points into the table, and `count`
    // is how many there are.
    let sheets: Vec<String> = (1..=sheet_names(&xlsx).len())
        .map(|i| part(&xlsx, &format!("xl/worksheets/sheet{i}.xml")))
        .collect();
    let shared: Vec<usize> = sheets
        .iter()
        .flat_map(|xml| {
            xml.match_indices("t=\"s\"><v>").map(|(i, m)| {
                let rest = &xml[i + m.len()..];
                rest[..rest.find('<').unwrap()].parse::<usize>().unwrap()
            })
        })
        .collect();
    assert_eq!(shared.len(), count, "count is the shared cells'");
    assert!(
        shared.iter().all(|&i| i < unique),
        "an index past the table"
    );

    // In Svar, area, goal, region and rating are shared; a comment is not.
    let svar = &sheets[1];
    let row = &svar[svar.find("<row r=\"2\"").unwrap()..svar.find("<row r=\"3\"").unwrap()];
    for col in ["A2", "B2", "C2", "D2"] {
        assert!(
            row.contains(&format!("<c r=\"{col}\" s="))
                && row
                    .split(&format!("r=\"{col}\""))
                    .nth(1)
                    .unwrap()
                    .split("</c>")
                    .next()
                    .unwrap()
                    .contains("t=\"s\""),
            "{col} is not shared: {row}"
        );
    }
    assert!(
        row.contains("t=\"inlineStr\"><is><t>"),
        "the comment: {row}"
    );
}
