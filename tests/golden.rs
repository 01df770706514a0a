//! Golden test of what `make demo` writes: every output file of a merge of
//! the bundled samples, as a readable text dump committed under
//! `tests/golden/`. A workbook is dumped from its XML (calamine does not
//! give page setup): per sheet its print setup (orientation, paper, fit,
//! margins, header and footer, print titles, page breaks), frozen panes,
//! column widths, row heights, merged cells, data validations and every
//! cell's value. Text files (JSON, CSV, JSONL) are kept as they are.
//!
//! When an output changes on purpose, run `make golden` (which sets
//! `SAMLA_UPDATE_GOLDEN=1`) and review the diff of `tests/golden/`.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;

use common::*;

/// The bundled samples merged exactly as `make demo` does: the earlier
/// round into `out/forra-omgangen`, then the 2023 samples into `out`
/// compared with it (same working folder and inbox paths, so the paths
/// inside the outputs are the same).
#[test]
fn demo_outputs_match_the_golden_dumps() {
    let w = Dir::new();
    let out = w.join("out");
    demo_merge(&w, &out, &[]);
    let golden = repo().join("tests/golden");
    let update = std::env::var_os("SAMLA_UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap())
        // The earlier round's folder: its own outputs, not this run's.
        .filter(|e| !e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "the merge wrote nothing");
    let mut failures = Vec::new();
    for name in &names {
        // The run's folder is temporary; `make demo` writes to `out`.
        let dump = dump_file(&out.join(name)).replace(out.to_str().unwrap(), "out");
        let dump = without_inbox_times(dump);
        let path = golden.join(format!("{name}.txt"));
        if update {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(&path, &dump).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if want != dump {
            let diff = similar::TextDiff::from_lines(&want, &dump)
                .unified_diff()
                .context_radius(2)
                .header(&format!("tests/golden/{name}.txt"), "now")
                .to_string();
            failures.push(diff);
        }
    }
    let stale: Vec<String> = std::fs::read_dir(&golden)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|g| !names.iter().any(|n| format!("{n}.txt") == *g))
                .collect()
        })
        .unwrap_or_default();
    for g in &stale {
        if update {
            std::fs::remove_file(golden.join(g)).unwrap();
        } else {
            failures.push(format!("tests/golden/{g}: no such output any more\n"));
        }
    }
    assert!(
        failures.is_empty(),
        "the demo's outputs differ from tests/golden/ (run `make golden` if the change is \
         intended, and review the diff):\n{}",
        failures.concat()
    );
}

/// The samples' modification times (when they came into the inbox, shown
/// in `Källor` and the JSON) depend on the checkout: replaced by a marker.
fn without_inbox_times(mut dump: String) -> String {
    for e in std::fs::read_dir(repo().join("samples/inkorg")).unwrap() {
        let modified = e.unwrap().metadata().unwrap().modified().unwrap();
        let iso = samla::pipeline::utc_timestamp(modified).unwrap();
        let readable = format!("{} {} UTC", &iso[..10], &iso[11..16]);
        dump = dump
            .replace(&iso, "<ändrad i inkorgen>")
            .replace(&readable, "<ändrad i inkorgen>");
    }
    dump
}

/// A readable dump of one output file.
fn dump_file(path: &Path) -> String {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "xlsx" => xlsx_dump(path),
        "docx" => docx_dump(path),
        "csv" => csv_dump(path),
        "json" | "jsonl" | "txt" => {
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"))
        }
        _ => panic!(
            "{name}: no golden dump for .{ext} files yet; add one to dump_file in tests/golden.rs"
        ),
    }
}

/// A CSV file as text, with its byte order mark and record-ending
/// carriage returns shown (`<BOM>`, `<CR>`), so that a change of encoding
/// or line ends shows in the diff.
fn csv_dump(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => format!("<BOM>{rest}"),
        None => text,
    };
    text.replace('\r', "<CR>")
}

/// A Word document: page setup, styles, every paragraph (style, numbering,
/// text, fields) and table (head rows, cells, fills) in order, the footer
/// and the document dates.
fn docx_dump(path: &Path) -> String {
    let mut pkg = Package {
        zip: zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap(),
    };
    let mut out = String::new();
    for part in [
        "docProps/core.xml",
        "word/styles.xml",
        "word/document.xml",
        "word/footer1.xml",
    ] {
        out += &format!("== {part}\n");
        let xml = pkg.part(part).unwrap_or_else(|| panic!("{part} missing"));
        for e in elements(&xml) {
            let line = match e.name.as_str() {
                "created" | "modified" => format!("{} {}", e.name, e.text),
                "style" | "name" | "outlineLvl" | "pgSz" | "pgMar" | "shd" | "gridSpan"
                | "vMerge" => format!("  {}", e.line()),
                "pStyle" => format!("  stil {}", e.get("val").unwrap_or("")),
                "tbl" | "tr" | "tc" | "tblHeader" | "numPr" | "br" => e.name.clone(),
                "t" | "instrText" => format!("  {} {:?}", e.name, e.text),
                _ => continue,
            };
            out += &line;
            out.push('\n');
        }
    }
    out
}

/// The parts of an xlsx package, by name.
struct Package {
    zip: zip::ZipArchive<std::fs::File>,
}

impl Package {
    fn part(&mut self, name: &str) -> Option<String> {
        let mut f = self.zip.by_name(name).ok()?;
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        Some(s)
    }
}

/// One XML element as the dump shows it: its local name, attributes and
/// (for elements holding text) the text.
#[derive(Debug, Default)]
struct Elem {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
}

impl Elem {
    fn get(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }

    /// `name a=1 b=2`, attributes in document order.
    fn line(&self) -> String {
        let mut s = self.name.clone();
        for (k, v) in &self.attrs {
            s.push_str(&format!(" {k}={v}"));
        }
        s
    }
}

/// Every element of `xml` in document order, each with the text directly
/// inside it (entities resolved).
fn elements(xml: &str) -> Vec<Elem> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out: Vec<Elem> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let start = |e: &BytesStart| Elem {
        name: e.local_name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                let k = a.key.local_name().as_ref().to_string();
                (
                    k,
                    a.normalized_value(XmlVersion::Explicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect(),
        text: String::new(),
    };
    loop {
        match r.read_event().unwrap() {
            Event::Start(e) => {
                open.push(out.len());
                out.push(start(&e));
            }
            Event::Empty(e) => out.push(start(&e)),
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    out[i].text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(g) => {
                if let Some(&i) = open.last() {
                    let c = match g.resolve_char_ref().unwrap() {
                        Some(c) => c.to_string(),
                        None => quick_xml::escape::resolve_predefined_entity(&g.xml10_content())
                            .unwrap_or("\u{fffd}")
                            .to_string(),
                    };
                    out[i].text.push_str(&c);
                }
            }
            Event::CData(t) => {
                if let Some(&i) = open.last() {
                    out[i].text.push_str(&t.xml10_content());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The shared strings of a workbook, in index order (rich-text runs joined).
fn shared_strings(pkg: &mut Package) -> Vec<String> {
    let Some(xml) = pkg.part("xl/sharedStrings.xml") else {
        return Vec::new();
    };
    let mut strings = Vec::new();
    for e in elements(&xml) {
        match e.name.as_str() {
            "si" => strings.push(String::new()),
            // Phonetic runs (`rPh`) are not part of the value; samla writes none.
            "t" => strings.last_mut().unwrap().push_str(&e.text),
            _ => {}
        }
    }
    strings
}

/// A sheet of the workbook: name, part path, visibility.
type SheetEntry = (String, String, String);

/// The sheets in workbook order, and the defined names (print titles,
/// filters) by sheet index (`usize::MAX` for workbook-wide names).
fn sheets(pkg: &mut Package) -> (Vec<SheetEntry>, BTreeMap<usize, Vec<String>>) {
    let rels: BTreeMap<String, String> = elements(&pkg.part("xl/_rels/workbook.xml.rels").unwrap())
        .into_iter()
        .filter(|e| e.name == "Relationship")
        .map(|e| {
            (
                e.get("Id").unwrap().to_string(),
                e.get("Target").unwrap().to_string(),
            )
        })
        .collect();
    let mut list = Vec::new();
    let mut names: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for e in elements(&pkg.part("xl/workbook.xml").unwrap()) {
        match e.name.as_str() {
            "sheet" => {
                let target = &rels[e.get("id").unwrap()];
                let part = target.strip_prefix('/').map(str::to_string);
                let state = e.get("state").unwrap_or("visible").to_string();
                list.push((
                    e.get("name").unwrap().to_string(),
                    part.unwrap_or_else(|| format!("xl/{target}")),
                    state,
                ));
            }
            "definedName" => {
                let i = e
                    .get("localSheetId")
                    .map_or(usize::MAX, |s| s.parse().unwrap());
                names.entry(i).or_default().push(format!(
                    "{} = {}",
                    e.get("name").unwrap(),
                    e.text
                ));
            }
            _ => {}
        }
    }
    (list, names)
}

/// The dump of a workbook.
fn xlsx_dump(path: &Path) -> String {
    let mut pkg = Package {
        zip: zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap(),
    };
    let strings = shared_strings(&mut pkg);
    let (list, names) = sheets(&mut pkg);
    let mut s = format!("# {}\n", path.file_name().unwrap().to_string_lossy());
    for n in names.get(&usize::MAX).into_iter().flatten() {
        s.push_str(&format!("namn: {n}\n"));
    }
    for (i, (name, part, state)) in list.iter().enumerate() {
        s.push_str(&format!("\n## blad {}: {name} ({state})\n", i + 1));
        for n in names.get(&i).into_iter().flatten() {
            s.push_str(&format!("namn: {n}\n"));
        }
        let xml = pkg.part(part).unwrap_or_else(|| panic!("{part} missing"));
        s.push_str(&sheet_dump(&elements(&xml), &strings));
    }
    s
}

/// Layout elements shown with all their attributes.
const LAYOUT: [&str; 13] = [
    "sheetView",
    "pageSetUpPr",
    "pane",
    "col",
    "mergeCell",
    "autoFilter",
    "pageMargins",
    "pageSetup",
    "printOptions",
    "sheetProtection",
    "brk",
    "hyperlink",
    "drawing",
];

/// A cell being read: reference, type, value and formula.
#[derive(Default)]
struct Cell {
    r: String,
    t: String,
    v: String,
    f: Option<String>,
}

impl Cell {
    /// `A1 "text"`, `B2 5`, `C3 bool 1`; None for a cell holding only a
    /// style (formatting, not content).
    fn line(&self, strings: &[String]) -> Option<String> {
        let v = &self.v;
        let shown = match self.t.as_str() {
            "str" | "inlineStr" => format!("{v:?}"),
            _ if v.is_empty() && self.f.is_none() => return None,
            "s" => match v.parse::<usize>().ok().and_then(|i| strings.get(i)) {
                Some(text) => format!("{text:?}"),
                None => format!("ogiltigt strängindex {v}"),
            },
            "b" => format!("bool {v}"),
            "e" => format!("fel {v}"),
            _ => v.clone(),
        };
        let f = self
            .f
            .as_ref()
            .map(|f| format!(" (formel ={f})"))
            .unwrap_or_default();
        Some(format!("  {} {shown}{f}\n", self.r))
    }
}

/// The dump of one worksheet: layout lines, then rows and cells.
fn sheet_dump(elems: &[Elem], strings: &[String]) -> String {
    let mut layout = String::new();
    let mut cells = String::new();
    let mut cell: Option<Cell> = None;
    let flush = |cell: &mut Option<Cell>, cells: &mut String| {
        if let Some(line) = cell.take().and_then(|c| c.line(strings)) {
            cells.push_str(&line);
        }
    };
    for e in elems {
        match e.name.as_str() {
            n if LAYOUT.contains(&n) || n == "dataValidation" => {
                layout.push_str(&format!("{}\n", e.line()))
            }
            "oddHeader" | "oddFooter" | "evenHeader" | "evenFooter" | "firstHeader"
            | "firstFooter" => layout.push_str(&format!("{} {:?}\n", e.name, e.text)),
            "formula1" | "formula2" => layout.push_str(&format!("  {} {}\n", e.name, e.text)),
            "row" => {
                flush(&mut cell, &mut cells);
                let mut line = format!("rad {}", e.get("r").unwrap_or("?"));
                for k in ["ht", "customHeight", "hidden", "outlineLevel"] {
                    if let Some(v) = e.get(k) {
                        line.push_str(&format!(" {k}={v}"));
                    }
                }
                cells.push_str(&line);
                cells.push('\n');
            }
            "c" => {
                flush(&mut cell, &mut cells);
                cell = Some(Cell {
                    r: e.get("r").unwrap_or("?").to_string(),
                    t: e.get("t").unwrap_or("n").to_string(),
                    ..Cell::default()
                });
            }
            "v" | "t" => {
                if let Some(c) = cell.as_mut() {
                    c.v.push_str(&e.text);
                }
            }
            "f" => {
                if let Some(c) = cell.as_mut() {
                    c.f = Some(e.text.clone());
                }
            }
            _ => {}
        }
    }
    flush(&mut cell, &mut cells);
    format!("{layout}{cells}")
}
