//! What a person sees on paper and reads: every sheet of every workbook
//! samla writes prints on A4 with header, footer and repeated heads, every
//! wrapped row carries a stored height, the chart survives a greyscale
//! print, and the code meanings are Swedish. Read back from the files' XML.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;

/// The text of a zip entry of an xlsx file, None when absent.
fn entry(path: &Path, name: &str) -> Option<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    let mut f = zip.by_name(name).ok()?;
    std::io::Read::read_to_string(&mut f, &mut s).unwrap();
    Some(s)
}

/// The value of `attr` in the first `<tag …>` of `xml`.
fn attr(xml: &str, tag: &str, attr: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag} "))?;
    let end = start + xml[start..].find('>')?;
    attr_in(&xml[start..end], attr)
}

/// The value of `attr` in one element's opening tag.
fn attr_in(tag: &str, attr: &str) -> Option<String> {
    let key = format!(" {attr}=\"");
    let i = tag.find(&key)? + key.len();
    Some(tag[i..i + tag[i..].find('"')?].to_string())
}

/// Indices of the cell formats (`s="N"`) that wrap text.
fn wrapping_styles(path: &Path) -> BTreeSet<usize> {
    let styles = entry(path, "xl/styles.xml").unwrap();
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let xfs = &xfs[..xfs.find("</cellXfs>").unwrap()];
    let mut wrapping = BTreeSet::new();
    // Each <xf …/> or <xf …>…</xf>, in order.
    for (i, xf) in xfs.split("<xf ").skip(1).enumerate() {
        let own = xf.split("</xf>").next().unwrap();
        let own = if own.starts_with('/') || !own.contains("<alignment") {
            own.split("/>").next().unwrap()
        } else {
            own
        };
        if own.contains("wrapText=\"1\"") {
            wrapping.insert(i);
        }
    }
    wrapping
}

/// How a sheet prints, from its XML.
#[derive(Debug)]
struct Print {
    name: String,
    paper: Option<String>,
    orientation: Option<String>,
    fit_width: Option<String>,
    fit_height: Option<String>,
    header: String,
    footer: String,
    print_titles: Option<String>,
    /// Rows with a wrapping cell but no stored height.
    unfitted: Vec<String>,
    /// Stored row heights, points.
    heights: Vec<f64>,
}

fn prints(path: &Path) -> Vec<Print> {
    let workbook = entry(path, "xl/workbook.xml").unwrap();
    let wrapping = wrapping_styles(path);
    let mut out = Vec::new();
    for (i, sheet) in workbook.split("<sheet ").skip(1).enumerate() {
        let name = attr_in(&format!(" {sheet}"), "name").unwrap();
        if sheet.contains("state=\"hidden\"") {
            continue;
        }
        let xml = entry(path, &format!("xl/worksheets/sheet{}.xml", i + 1)).unwrap();
        let titles = workbook
            .split("<definedName ")
            .skip(1)
            .find(|d| {
                d.contains("name=\"_xlnm.Print_Titles\"")
                    && d.contains(&format!("localSheetId=\"{i}\""))
            })
            .map(|d| d[d.find('>').unwrap() + 1..d.find('<').unwrap()].to_string());
        let mut unfitted = Vec::new();
        let mut heights = Vec::new();
        for row in xml.split("<row ").skip(1) {
            let row = row.split("</row>").next().unwrap();
            let head = &row[..row.find('>').unwrap()];
            let wraps = row.split("<c ").skip(1).any(|c| {
                attr_in(&format!(" {}", &c[..c.find('>').unwrap()]), "s")
                    .is_some_and(|s| wrapping.contains(&s.parse().unwrap()))
            });
            match attr_in(&format!(" {head}"), "ht") {
                Some(ht) if head.contains("customHeight=\"1\"") => {
                    heights.push(ht.parse().unwrap())
                }
                _ if wraps => unfitted.push(attr_in(&format!(" {head}"), "r").unwrap()),
                _ => {}
            }
        }
        let hf = |tag: &str| {
            xml.find(&format!("<{tag}>"))
                .map(|i| {
                    let rest = &xml[i + tag.len() + 2..];
                    rest[..rest.find('<').unwrap()].to_string()
                })
                .unwrap_or_default()
        };
        out.push(Print {
            paper: attr(&xml, "pageSetup", "paperSize"),
            orientation: attr(&xml, "pageSetup", "orientation"),
            fit_width: attr(&xml, "pageSetup", "fitToWidth"),
            fit_height: attr(&xml, "pageSetup", "fitToHeight"),
            header: hf("oddHeader"),
            footer: hf("oddFooter"),
            print_titles: titles,
            unfitted,
            heights,
            name,
        });
        assert!(
            xml.contains("<pageSetUpPr fitToPage=\"1\"/>"),
            "{}: {} is not fitted to the page",
            path.display(),
            out.last().unwrap().name
        );
    }
    out
}

/// Checks what every printed sheet must have; returns the sheets by name.
fn check_every_sheet(path: &Path) -> BTreeMap<String, Print> {
    let mut by_name = BTreeMap::new();
    for p in prints(path) {
        let at = format!("{}: sheet {}", path.display(), p.name);
        assert_eq!(p.paper.as_deref(), Some("9"), "{at}: A4");
        assert!(p.orientation.is_some(), "{at}: orientation chosen");
        // One page wide (fitToWidth defaults to 1), as many pages tall as needed.
        assert!(matches!(p.fit_width.as_deref(), None | Some("1")), "{at}");
        assert_eq!(p.fit_height.as_deref(), Some("0"), "{at}");
        assert!(
            p.header.contains("Cancerplan för norra sjukvårdsregionen"),
            "{at}: {}",
            p.header
        );
        assert!(
            p.footer.contains("Sida &amp;P av &amp;N"),
            "{at}: {}",
            p.footer
        );
        assert!(
            p.unfitted.is_empty(),
            "{at}: wrapped rows without height: {:?}",
            p.unfitted
        );
        assert!(
            p.heights.iter().all(|h| *h > 0.0 && *h <= 409.0),
            "{at}: {:?}",
            p.heights
        );
        by_name.insert(p.name.clone(), p);
    }
    by_name
}

fn merged(w: &Workdir, inbox: &Path) -> PathBuf {
    let out = w.join("ut");
    let o = w.merge(inbox, &out, &["--quiet"]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    out
}

#[test]
fn every_sheet_of_the_consolidated_workbook_prints() {
    let w = Workdir::new();
    let out = merged(&w, &samples_dir());
    let xlsx = out.join("sammanstallning.xlsx");
    let sheets = check_every_sheet(&xlsx);
    let names: Vec<&str> = sheets.keys().map(String::as_str).collect();
    assert_eq!(names.len(), 5, "{names:?}");
    let titles = |n: &str| sheets[n].print_titles.clone();
    assert_eq!(titles("Inlämningar").as_deref(), Some("Inlämningar!$3:$3"));
    assert_eq!(
        titles("Sammanställning").as_deref(),
        Some("Sammanställning!$4:$4")
    );
    assert_eq!(titles("Svar").as_deref(), Some("Svar!$1:$1"));
    assert_eq!(titles("Källor").as_deref(), Some("Källor!$4:$4"));
    // The wide tables landscape, the summary portrait at a readable scale.
    assert_eq!(
        sheets["Sammanställning"].orientation.as_deref(),
        Some("landscape")
    );
    assert_eq!(
        sheets["Sammanfattning"].orientation.as_deref(),
        Some("portrait")
    );
    // The summary's two-line table heads have room for two lines.
    let summary = entry(&xlsx, "xl/worksheets/sheet3.xml").unwrap();
    let head = summary
        .split("<row ")
        .find(|r| r.starts_with("r=\"4\""))
        .unwrap();
    let ht: f64 = attr_in(&format!(" {head}"), "ht").unwrap().parse().unwrap();
    assert!(ht >= 2.0 * 12.75, "head row of the counts: {ht} pt");
    // Every goal row of the matrix is fitted, goal text and comments alike.
    assert!(sheets["Sammanställning"].heights.len() >= 43 + 7);
}

#[test]
fn the_chart_reads_in_greyscale() {
    let w = Workdir::new();
    let out = merged(&w, &samples_dir());
    let chart = entry(&out.join("sammanstallning.xlsx"), "xl/charts/chart1.xml").unwrap();
    // Patterns (not just colours) for the levels, and distinct ones.
    let patterns: BTreeSet<String> = chart
        .split("<a:pattFill prst=\"")
        .skip(1)
        .map(|p| p[..p.find('"').unwrap()].to_string())
        .collect();
    assert!(patterns.len() >= 3, "{patterns:?}");
    assert!(chart.contains("<a:solidFill>"), "the first level is solid");
}

#[test]
fn every_sheet_of_the_discrepancy_report_prints_and_koder_is_one_landscape_page_wide() {
    let w = Workdir::new();
    let out = merged(&w, &samples_dir());
    let sheets = check_every_sheet(&out.join("avvikelser.xlsx"));
    assert_eq!(sheets.len(), 2);
    let koder = &sheets["Koder"];
    assert_eq!(koder.orientation.as_deref(), Some("landscape"));
    assert_eq!(koder.print_titles.as_deref(), Some("Koder!$1:$1"));
    assert_eq!(
        sheets["Avvikelser"].print_titles.as_deref(),
        Some("Avvikelser!$1:$1")
    );
}

#[test]
fn templates_print_and_instructions_say_how_to_return_without_a_command_line() {
    let w = Workdir::new();
    let plan = plan_path();
    let o = w.run(&[
        "template",
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        "mallar",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in ["RJH", "RCC-Norr"] {
        let path = w.join(format!("mallar/cancerplan-norr-2022-2024-{name}.xlsx"));
        let sheets = check_every_sheet(&path);
        assert_eq!(
            sheets["Instruktioner"].orientation.as_deref(),
            Some("portrait")
        );
        assert_eq!(
            sheets["Uppföljning"].print_titles.as_deref(),
            Some("Uppföljning!$5:$5")
        );
        let text = sheet(&path, "Instruktioner").concat().join("\n");
        for said in [
            "Så fyller du i mallen",
            "Så lämnar du in",
            "Vad händer sedan",
            ".xlsx",
        ] {
            assert!(text.contains(said), "{name}: {said}");
        }
        assert!(
            text.contains("Regionalt cancercentrum norr"),
            "{name}: to whom"
        );
        for never in ["samla check", "--plan", ".toml"] {
            assert!(
                !text.contains(never),
                "{name}: instructions mention {never}"
            );
        }
    }
}

/// A return of RJH whose comment on 1.1 is far too long for one printed row.
fn long_comment_return(w: &Workdir) -> (PathBuf, String) {
    let plan = plan();
    let long: String = (1..=300)
        .map(|i| format!("Del {i}: arbetet med målet fortskrider enligt plan i regionen."))
        .collect::<Vec<_>>()
        .join(" ");
    let mut answers =
        samla::template::Answers::load(&repo().join("samples/answers/RJH.toml")).unwrap();
    answers.goals.get_mut("1.1").unwrap().comment = Some(long.clone());
    let who = plan.respondent("RJH").unwrap();
    let bytes = samla::template::workbook(&plan, &who, Some(&answers)).unwrap();
    let inbox = w.mkdir("inkorg");
    for e in std::fs::read_dir(samples_dir()).unwrap() {
        let e = e.unwrap();
        if !e.file_name().to_string_lossy().contains("RJH") {
            std::fs::copy(e.path(), inbox.join(e.file_name())).unwrap();
        }
    }
    let path = inbox.join("cancerplan-norr-2022-2024-RJH.xlsx");
    std::fs::write(&path, bytes).unwrap();
    (path, long)
}

#[test]
fn a_long_comment_prints_whole_in_pieces_that_fit_a_row() {
    let w = Workdir::new();
    let (file, long) = long_comment_return(&w);
    // The filled template: wrapped, at most Excel's highest row.
    check_every_sheet(&file);
    let out = merged(&w, file.parent().unwrap());
    let xlsx = out.join("sammanstallning.xlsx");
    check_every_sheet(&xlsx);
    // In `Svar` the comment continues over rows, each printable, whole when joined.
    let svar = sheet(&xlsx, "Svar");
    let parts: Vec<&Vec<String>> = svar
        .iter()
        .filter(|r| r[1] == "1.1" && r[2].starts_with("RJH (del "))
        .collect();
    assert!(parts.len() > 1, "split into {} rows", parts.len());
    assert!(parts.iter().map(|r| r[4].as_str()).collect::<String>() == long);
    assert!(parts[0][4].ends_with(". "), "cut between sentences");
    // In `Sammanställning` the goal's comments continue on `1.1 forts.` rows.
    let matrix = sheet(&xlsx, "Sammanställning");
    let text: String = matrix
        .iter()
        .filter(|r| r[0] == "1.1" || r[0] == "1.1 forts.")
        .map(|r| r[6].as_str())
        .collect();
    assert!(text.contains(&format!("RJH: {long}")));
    // The feedback copy keeps the cell whole and prints the rest under the table.
    let o = w.run(&[
        "check",
        "--plan",
        plan_path().to_str().unwrap(),
        "--feedback",
        "tillbaka",
        file.to_str().unwrap(),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let fb = w.join("tillbaka/cancerplan-norr-2022-2024-RJH-aterkoppling.xlsx");
    check_every_sheet(&fb);
    let copy = sheet(&fb, "Uppföljning");
    assert!(copy[5][4] == long, "E6 whole at its address");
    let below: String = copy[48..]
        .iter()
        .filter(|r| !r[0].starts_with("E6, del ") && !r[0].starts_with("Långa texter"))
        .map(|r| r[0].as_str())
        .collect();
    assert!(below == long, "printed whole under the table");
}

#[test]
fn the_feedback_copy_prints_like_the_template() {
    let w = Workdir::new();
    let rn = samples_dir().join("cancerplan-norr-2022-2024-RN.xlsx");
    let o = w.run(&[
        "check",
        "--plan",
        plan_path().to_str().unwrap(),
        "--feedback",
        "tillbaka",
        rn.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let fb = w.join("tillbaka/cancerplan-norr-2022-2024-RN-aterkoppling.xlsx");
    let sheets = check_every_sheet(&fb);
    assert_eq!(sheets.len(), 2);
    assert_eq!(
        sheets["Att rätta"].print_titles.as_deref(),
        Some("'Att rätta'!$4:$4")
    );
    // Every goal row of the copy has its height, as in the template.
    assert!(sheets["Uppföljning"].heights.len() >= 43);
}

#[test]
fn code_meanings_are_swedish() {
    let english = [
        " the ", " is ", " was ", " and ", " not ", " of ", " file ", " which ", "The ", "A ",
    ];
    for code in samla::FindingCode::ALL {
        let m = code.meaning();
        assert!(m.len() > 20, "{code}: {m}");
        for word in english {
            assert!(!m.contains(word), "{code}: English in {m:?}");
        }
    }
    let w = Workdir::new();
    let o = w.run(&["codes"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for code in samla::FindingCode::ALL {
        assert!(out.contains(code.meaning()), "samla codes lacks {code}");
    }
    assert!(out.contains("En svarande lämnade bedömningen av ett mål blank."));
    // The discrepancy report's `Koder` sheet has the same words.
    let out_dir = merged(&w, &samples_dir());
    let koder = sheet(&out_dir.join("avvikelser.xlsx"), "Koder");
    assert_eq!(koder.len(), 1 + samla::FindingCode::ALL.len());
    for (row, code) in koder[1..].iter().zip(samla::FindingCode::ALL) {
        assert_eq!(row[3], code.meaning());
    }
}
