//! The one-pass reading of `.xlsx` (the scans read the cells; calamine is
//! not run) gives exactly what the old reading (the scans, then calamine)
//! gives, for every workbook the test suite can build: the samples, the
//! template, the fixtures' generators, and small workbooks made here for
//! the edge cases of calamine's rules. Ordinary files must take the fast
//! way; the odd ones may fall back, but must still read the same.

mod fixtures;

use std::path::{Path, PathBuf};

use fixtures::*;
use samla::reader::{ways, Limits, RawReturn};

/// Reads `bytes` both ways, asserts the results are equal and returns
/// whether the one-pass way was taken, and what was read.
fn both(name: &str, bytes: &[u8]) -> (bool, Option<RawReturn>) {
    let limits = Limits::default();
    let path = Path::new(name);
    let (fast, used) = ways::onepass(bytes, path, &limits);
    let old = ways::old(bytes, path, &limits);
    assert_eq!(fast, old, "{name}: the two ways disagree");
    (used, fast.ok())
}

/// Reads both ways and asserts the one-pass way was taken.
fn fast(name: &str, bytes: &[u8]) -> RawReturn {
    let (used, raw) = both(name, bytes);
    assert!(used, "{name}: not read in one pass");
    raw.unwrap_or_else(|| panic!("{name}: unreadable"))
}

fn xlsx_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("a directory").flatten() {
        let p = e.path();
        if p.is_dir() {
            xlsx_under(&p, out);
        } else if p.extension().is_some_and(|x| x == "xlsx") {
            out.push(p);
        }
    }
}

#[test]
fn samples_and_template_read_the_same_in_one_pass() {
    let mut files = Vec::new();
    xlsx_under(&repo().join("samples"), &mut files);
    xlsx_under(&repo().join("templates"), &mut files);
    assert!(files.len() >= 6, "{files:?}");
    for f in files {
        let raw = fast(&f.display().to_string(), &std::fs::read(&f).unwrap());
        assert!(!raw.sheets.is_empty(), "{}", f.display());
    }
}

fn books() -> Vec<(&'static str, Book)> {
    let mut with_note = Book::genuine("RJH");
    let mut note = Sheet::new("Anteckningar");
    note.set(0, 0, "En anteckning").set(3, 2, Val::Number(2.5));
    with_note.sheets.push(note);
    vec![
        ("RJH", Book::genuine("RJH")),
        ("RN", Book::genuine("RN")),
        ("RV", Book::genuine("RV")),
        ("RVN", Book::genuine("RVN")),
        ("lower_case_ratings", lower_case_ratings()),
        ("word_ratings", word_ratings()),
        ("spaced_ratings", spaced_ratings()),
        ("compound_and_uncertain", compound_and_uncertain()),
        ("resorted", resorted()),
        ("inserted_row_and_column", inserted_row_and_column()),
        ("renamed_sheet", renamed_sheet()),
        ("formulas", formulas()),
        ("merged_cells", merged_cells()),
        ("non_text_values", non_text_values()),
        ("text_outside", text_outside()),
        ("goal_id_lost", goal_id_lost()),
        ("goal_text_edited", goal_text_edited()),
        ("goal_row_deleted", goal_row_deleted()),
        ("duplicate_goal", duplicate_goal()),
        ("invalid_ratings", invalid_ratings()),
        ("unknown_goal", unknown_goal()),
        ("disagreeing", disagreeing((2024, 5, 2), "U", "Klart")),
        ("without_identity", without_identity("RJH")),
        ("long_comment", long_comment()),
        ("other_plan", other_plan()),
        ("older_version", older_version()),
        ("unknown_region", unknown_region()),
        ("anonymous", anonymous()),
        ("coordinator_as_region", coordinator_as_region()),
        ("not_a_template", not_a_template()),
        ("many_sheets", many_sheets(12)),
        ("with_note", with_note),
    ]
}

#[test]
fn the_fixtures_books_read_the_same_in_one_pass() {
    for (name, book) in books() {
        // rust_xlsxwriter refuses the long comment; the raw writer does not.
        if name != "long_comment" {
            fast(&format!("{name}.xlsx"), &book.to_xlsx());
        }
        // Hand-made SpreadsheetML: inline strings, no styles (so no dates).
        if name != "non_text_values" {
            fast(&format!("{name}-raw.xlsm"), &book.to_raw_xlsx());
        }
    }
}

#[test]
fn damaged_and_hostile_files_read_the_same() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated.xlsx", truncated()),
        ("not_a_zip.xlsx", not_a_zip()),
        ("password.xlsx", password_protected()),
        ("lock.xlsx", lock_file()),
        ("garbage.xlsx", garbage(5000, 7)),
        ("bomb.xlsx", zip_bomb_ratio(2)),
        ("declared.xlsx", zip_bomb_declared()),
        ("lying.xlsx", zip_bomb_lying()),
        ("overflow.xlsx", overflowing_cell_reference()),
        ("sst-neg.xlsx", shared_string_index("-1")),
        ("sst-x.xlsx", shared_string_index("x")),
        ("sst-999.xlsx", shared_string_index("999")),
        ("sst-spaced.xlsx", shared_string_index(" 3 ")),
        ("sst-empty.xlsx", shared_string_index("")),
        ("duplicated.xlsx", duplicated_cell()),
        ("duplicate_part.xlsx", duplicate_part()),
        ("far_corner.xlsx", far_corner().to_raw_xlsx()),
        ("far_corner_alone.xlsx", far_corner_alone().to_raw_xlsx()),
        ("sst_claim.xlsx", shared_strings_claim().to_raw_xlsx()),
        ("ods-named.xlsx", Book::genuine("RJH").to_ods()),
        ("xlsx-named.xls", Book::genuine("RJH").to_xlsx()),
    ];
    for (name, bytes) in cases {
        both(name, &bytes);
    }
    // A repeated cell and a bad index are left out the fast way too.
    assert!(both("dup.xlsx", &duplicated_cell()).0);
    assert!(both("bad.xlsx", &shared_string_index("999")).0);
}

/// RJH's return with `row` (SpreadsheetML) added at the end of its answer
/// sheet, and `edit` applied to the whole sheet after.
fn with_row(row: &str) -> Vec<u8> {
    genuine_with_sheet("RJH", |xml| {
        xml.replace("</sheetData>", &format!("{row}</sheetData>"))
    })
}

#[test]
fn values_of_every_kind_read_the_same_in_one_pass() {
    let fast_cases = [
        // Rich text, a phonetic run, kept and trimmed white space.
        r#"<row r="90"><c r="A90" t="inlineStr"><is><r><t>rik </t></r><r><rPr><b/></rPr><t xml:space="preserve"> text </t></r><rPh sb="0" eb="1"><t>fon</t></rPh></is></c><c r="B90" t="inlineStr"><is><t>  trimmad
 </t></is></c><c r="C90" t="inlineStr"><is><t xml:space="preserve">  kvar  </t></is></c></row>"#,
        // Excel's escapes, entities, character references, CDATA.
        r#"<row r="91"><c r="A91" t="inlineStr"><is><t>a_x000D_b_x005F_x000D_c_xD83D__xDE00_d_xD800_</t></is></c><c r="B91" t="inlineStr"><is><t>&lt;&amp;&gt;&#229;&#xe5;</t></is></c><c r="C91" t="inlineStr"><is><t><![CDATA[<cdata>]]></t></is></c></row>"#,
        // A formula's text result, truth values, errors, ISO dates.
        r#"<row r="92"><c r="A92" t="str"><f>"a"&amp;"b"</f><v>a&amp;b_x000D_</v></c><c r="B92" t="b"><v>1</v></c><c r="C92" t="b"><v>false</v></c><c r="D92" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="E92" t="e"><v>#N/A</v></c><c r="F92" t="d"><v>2024-01-02T03:04:05</v></c></row>"#,
        // Numbers, with and without a style; styles past the table.
        r#"<row r="93"><c r="A93"><v>1.5E3</v></c><c r="B93" t="n"><v>-0.25</v></c><c r="C93" s="0"><v>45383.5</v></c><c r="D93" s="999"><v>7</v></c><c r="E93"><v>123456789012345678</v></c><c r="F93"><v></v></c><c r="G93" t="s"><v></v></c><c r="H93"/></row>"#,
        // Cells and rows without references, counted as calamine counts.
        r#"<row r="94"><c t="inlineStr"><is><t>utan r</t></is></c><c><v>2</v></c><c r="F94"><v>3</v></c><c><v>4</v></c></row><row r="96"><c r="C96"><v>1</v></c></row><row><c><v>5</v></c></row>"#,
        // An inline string whose value element is ignored, a formula after
        // the value (calamine keeps the last child: empty).
        r#"<row r="98"><c r="A98" t="inlineStr"><v>0</v><is><t>is</t></is></c><c r="B98" t="inlineStr"><is><t>is</t></is><v>0</v></c><c r="C98"><v>9</v><f>1+1</f></c><c r="D98" t="inlineStr"><is/></c></row>"#,
    ];
    for (i, row) in fast_cases.iter().enumerate() {
        let raw = fast(&format!("kind{i}.xlsx"), &with_row(row));
        assert!(raw.answer.is_some(), "{row}");
    }
    let doubtful = [
        // Text in an untyped value, an unknown type or error, a bad truth value.
        r#"<row r="90"><c r="A90"><v>abc</v></c></row>"#,
        r#"<row r="90"><c r="A90" t="x"><v>1</v></c></row>"#,
        r#"<row r="90"><c r="A90" t="e"><v>#FEL!</v></c></row>"#,
        r#"<row r="90"><c r="A90" t="b"><v>2</v></c></row>"#,
        r#"<row r="90"><c r="A90" t="n"><v>1e</v></c></row>"#,
        // An unknown child, an entity first in a number.
        r#"<row r="90"><c r="A90"><x/></c></row>"#,
        r#"<row r="90"><c r="A90" t="str"><v>&amp;</v></c><c r="B90"><v>&#49;</v></c></row>"#,
        // A repeated reference among cells without one.
        r#"<row r="90"><c r="A90"><v>1</v></c><c><v>2</v></c><c r="A90"><v>3</v></c></row>"#,
        // Prefixed or repeated attributes, an unescaped style.
        r#"<row r="90"><c x:r="B90" r="A90" xmlns:x="urn:x"><v>1</v></c></row>"#,
        r#"<row r="90"><c r="A90" s="1x"><v>1</v></c></row>"#,
        // A row without a column, a reference in lower case.
        r#"<row r="90"><c r="a90"><v>1</v></c></row>"#,
    ];
    for (i, row) in doubtful.iter().enumerate() {
        both(&format!("doubt{i}.xlsx"), &with_row(row));
    }
}

/// A workbook of formatted values written by rust_xlsxwriter: built-in and
/// custom date, time and duration formats, and ones that are not dates.
fn formatted() -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Tider").unwrap();
    let formats = [
        Format::new().set_num_format_index(14),
        Format::new().set_num_format_index(22),
        Format::new().set_num_format_index(46),
        Format::new().set_num_format_index(4),
        Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        Format::new().set_num_format("[h]:mm:ss"),
        Format::new().set_num_format("hh:mm AM/PM"),
        Format::new().set_num_format("#,##0 \"kr\""),
        Format::new().set_num_format("0.00;[Red]-0.00"),
        Format::new().set_num_format("\\d\\a\\g 0"),
        Format::new().set_num_format("[$-41D]d mmmm yyyy;@"),
        Format::new().set_num_format("@"),
    ];
    for (i, f) in formats.iter().enumerate() {
        let r = i as u32;
        ws.write_number_with_format(r, 0, 45383.25, f).unwrap();
        ws.write_number_with_format(r, 1, 0.5, f).unwrap();
        ws.write_string(r, 2, format!("format {i}")).unwrap();
    }
    ws.write_boolean(20, 0, false).unwrap();
    ws.write_string(21, 0, "a_x000D_b\r\nc").unwrap();
    ws.write_string(22, 0, "  spaced  ").unwrap();
    let bold = Format::new().set_bold();
    ws.write_rich_string(23, 0, &[(&bold, "fet "), (&Format::default(), "vanlig")])
        .unwrap();
    wb.add_worksheet().set_name("Tom").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn dates_times_and_formats_read_the_same_in_one_pass() {
    let raw = fast("tider.xlsx", &formatted());
    let cells = &raw.other_sheets[0].cells;
    let kind = |row: u32, col: u32| {
        cells
            .iter()
            .find(|c| (c.row, c.col) == (row, col))
            .map(|c| (c.text.clone(), c.kind))
    };
    use samla::reader::CellKind::{Date, Number};
    assert_eq!(kind(0, 0), Some(("2024-04-01 06:00".into(), Date)));
    assert_eq!(kind(3, 0), Some(("45383.25".into(), Number)));
    assert_eq!(kind(7, 1), Some(("0.5".into(), Number)));
}

mod random {
    //! Rows of random cells (references, types, styles, children, values
    //! drawn from the tricky ones) read the same both ways.

    use super::*;
    use proptest::prelude::*;

    const TOKENS: [&str; 16] = [
        "0",
        "1",
        "2.5",
        "-1e3",
        "abc",
        " 7 ",
        "true",
        "#N/A",
        "#REF!",
        "2024-01-01",
        "a_x000D_b",
        "&amp;x",
        "3",
        "999",
        "",
        "45383.5",
    ];

    fn child() -> impl Strategy<Value = String> {
        (0usize..6, 0usize..TOKENS.len()).prop_map(|(kind, token)| {
            let t = TOKENS[token];
            match kind {
                0 | 1 => format!("<v>{t}</v>"),
                2 => "<f>1+1</f>".to_string(),
                3 => format!("<is><t>{t}</t></is>"),
                4 => {
                    format!(r#"<is><r><t>{t}</t></r><r><t xml:space="preserve"> {t} </t></r></is>"#)
                }
                _ => "<v/>".to_string(),
            }
        })
    }

    fn cell() -> impl Strategy<Value = String> {
        let types = ["", "s", "n", "b", "e", "str", "d", "inlineStr", "x"];
        let styles = ["", "0", "1", "2", "3", "99"];
        (
            proptest::option::of(0u8..6),
            0..types.len(),
            0..styles.len(),
            proptest::collection::vec(child(), 0..3),
        )
            .prop_map(move |(col, t, s, children)| {
                let r = col.map_or(String::new(), |c| {
                    format!(r#" r="{}90""#, (b'A' + c) as char)
                });
                let t = match types[t] {
                    "" => String::new(),
                    t => format!(r#" t="{t}""#),
                };
                let s = match styles[s] {
                    "" => String::new(),
                    s => format!(r#" s="{s}""#),
                };
                format!("<c{r}{t}{s}>{}</c>", children.concat())
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_rows_read_the_same(cells in proptest::collection::vec(cell(), 1..6)) {
            both("random.xlsx", &with_row(&format!(r#"<row r="90">{}</row>"#, cells.concat())));
        }
    }
}
