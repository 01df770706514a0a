//! Issue 9: `rapport.docx`, the compiled follow-up as a Word draft, read
//! back from the document XML and compared with the seed (RCC Norr's
//! compiled 2023 follow-up): headings, the summary's lists, every cell of
//! every area's table; and the same with one region's return missing.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::seed::*;
use common::*;

/// A paragraph or a table of the document body, in order.
#[derive(Debug)]
enum Block {
    Para {
        style: String,
        numbered: bool,
        text: String,
    },
    Table(Vec<Row>),
}

#[derive(Debug)]
struct Row {
    /// Marked to repeat at the top of every page.
    header: bool,
    cells: Vec<Cell>,
}

#[derive(Debug)]
struct Cell {
    /// Paragraphs joined by a blank line, line breaks as `\n`.
    text: String,
    /// Background fill, e.g. `C6EFCE`.
    fill: Option<String>,
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn zip_entry(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
    s
}

fn child<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    n.children().find(|c| c.has_tag_name((W, name)))
}

fn attr(n: roxmltree::Node, name: &str) -> Option<String> {
    n.attribute((W, name)).map(str::to_string)
}

fn para_text(p: roxmltree::Node) -> String {
    let mut s = String::new();
    for n in p.descendants() {
        if n.has_tag_name((W, "t")) {
            s += n.text().unwrap_or("");
        } else if n.has_tag_name((W, "br")) {
            s.push('\n');
        } else if n.has_tag_name((W, "instrText")) {
            s += &format!("{{{}}}", n.text().unwrap_or("").trim());
        }
    }
    s
}

fn blocks(docx: &Path) -> Vec<Block> {
    let xml = zip_entry(docx, "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let body = doc
        .descendants()
        .find(|n| n.has_tag_name((W, "body")))
        .unwrap();
    let mut out = Vec::new();
    for n in body.children().filter(|n| n.is_element()) {
        if n.has_tag_name((W, "p")) {
            let ppr = child(n, "pPr");
            out.push(Block::Para {
                style: ppr
                    .and_then(|p| child(p, "pStyle"))
                    .and_then(|s| attr(s, "val"))
                    .unwrap_or_default(),
                numbered: ppr.and_then(|p| child(p, "numPr")).is_some(),
                text: para_text(n),
            });
        } else if n.has_tag_name((W, "tbl")) {
            let rows = n
                .children()
                .filter(|r| r.has_tag_name((W, "tr")))
                .map(|r| Row {
                    header: child(r, "trPr")
                        .and_then(|p| child(p, "tblHeader"))
                        .is_some(),
                    cells: r
                        .children()
                        .filter(|c| c.has_tag_name((W, "tc")))
                        .map(|c| Cell {
                            text: c
                                .children()
                                .filter(|p| p.has_tag_name((W, "p")))
                                .map(para_text)
                                .collect::<Vec<_>>()
                                .join("\n\n"),
                            fill: child(c, "tcPr")
                                .and_then(|p| child(p, "shd"))
                                .and_then(|s| attr(s, "fill")),
                        })
                        .collect(),
                })
                .collect();
            out.push(Block::Table(rows));
        }
    }
    out
}

fn paras(blocks: &[Block]) -> Vec<(&str, bool, &str)> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Para {
                style,
                numbered,
                text,
            } => Some((style.as_str(), *numbered, text.as_str())),
            Block::Table(_) => None,
        })
        .collect()
}

fn headings<'a>(blocks: &'a [Block], style: &str) -> Vec<&'a str> {
    paras(blocks)
        .into_iter()
        .filter(|(s, _, _)| *s == style)
        .map(|(_, _, t)| t)
        .collect()
}

/// The summary's lists: lead sentence → goal ids of its numbered items.
fn summary_lists(blocks: &[Block]) -> Vec<(String, Vec<String>)> {
    let ps = paras(blocks);
    let start = ps.iter().position(|p| p.2 == "Sammanfattning").unwrap();
    let mut lists: Vec<(String, Vec<String>)> = Vec::new();
    for (style, numbered, text) in &ps[start + 1..] {
        if *style == "Heading1" {
            break;
        }
        if *numbered {
            let id = text.rsplit("(mål ").next().unwrap();
            let id = id.split([';', ')']).next().unwrap();
            lists.last_mut().unwrap().1.push(id.to_string());
        } else {
            lists.push((text.to_string(), Vec::new()));
        }
    }
    lists
}

/// The goals of the seed matrix whose ratings among `regions` satisfy `f`.
fn seed_goals(regions: &[&str], f: impl Fn(&[Option<String>]) -> bool) -> Vec<String> {
    seed_matrix()
        .into_iter()
        .filter(|(_, r)| f(&regions.iter().map(|c| r[*c].clone()).collect::<Vec<_>>()))
        .map(|(id, _)| id)
        .collect()
}

/// Every summary list against the seed's ratings of the answering regions.
fn check_summary(blocks: &[Block], regions: &[&str], note: &str) {
    let lists = summary_lists(blocks);
    assert!(lists[0].0.starts_with(note), "{:?}", lists[0].0);
    let u = |v: &Option<String>| v.as_deref() == Some("U");
    let want = [
        (
            "mål bedöms som uppnått mål (U) av alla regioner som har svarat",
            seed_goals(regions, |r| r.iter().all(u)),
        ),
        (
            "mål bedöms som uppnått mål (U) av alla utom en",
            seed_goals(regions, |r| {
                r.iter().filter(|v| u(v)).count() == r.len() - 1
            }),
        ),
        (
            "mål anger minst en region ej påbörjat arbete (E)",
            seed_goals(regions, |r| r.iter().any(|v| v.as_deref() == Some("E"))),
        ),
        (
            "mål saknas bedömning från minst en region som har svarat",
            seed_goals(regions, |r| r.iter().any(Option::is_none)),
        ),
        (
            "mål har en sammansatt eller osäker bedömning",
            seed_goals(regions, |r| {
                r.iter().flatten().any(|v| v.contains(['/', '?']))
            }),
        ),
    ];
    let paren = format!("({})", note.trim_end_matches('.'));
    for (i, (lead, ids)) in want.iter().enumerate() {
        let (text, got) = &lists[i + 1];
        assert!(text.contains(lead), "list {i}: {text}");
        assert!(
            text.starts_with(&format!("{} ", ids.len()))
                || text.starts_with(&format!("För {} ", ids.len())),
            "list {i}: {text}"
        );
        assert!(text.contains(&paren), "list {i} says who answered: {text}");
        assert_eq!(got, ids, "list {i}: {text}");
    }
}

/// Every area's table against the seed's ratings and the returns' comments.
fn check_tables(blocks: &[Block], regions: &[&str]) {
    let plan = plan();
    let seed = skeleton(&seed_text());
    let matrix = seed_matrix();
    let mut answers: BTreeMap<String, samla::template::Answers> = BTreeMap::new();
    for f in std::fs::read_dir(repo().join("samples/answers")).unwrap() {
        let a = samla::template::Answers::load(&f.unwrap().path()).unwrap();
        answers.insert(a.respondent.clone(), a);
    }
    let order: Vec<&str> = regions.iter().copied().chain(["RCC Norr"]).collect();
    let tables: Vec<&Vec<Row>> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            Block::Para { .. } => None,
        })
        .collect();
    assert_eq!(tables.len(), plan.areas.len());
    let mut n_comments = 0;
    for (area, rows) in plan.areas.iter().zip(tables) {
        let head: Vec<&str> = rows[0].cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(head, ["Mål", "Uppföljning", "Kommentarer"]);
        let codes: Vec<&str> = rows[1].cells.iter().map(|c| c.text.as_str()).collect();
        let mut want = vec![""];
        want.extend(regions);
        want.push("");
        assert_eq!(codes, want, "area {}", area.id);
        assert!(rows[0].header && rows[1].header, "head rows repeat");
        assert_eq!(rows.len(), 2 + area.goals.len());
        for (goal, row) in area.goals.iter().zip(&rows[2..]) {
            assert!(!row.header);
            let id = &goal.id.0;
            assert_eq!(row.cells.len(), regions.len() + 2);
            assert_eq!(row.cells[0].text, goal.text, "goal {id}");
            for (i, r) in regions.iter().enumerate() {
                let cell = &row.cells[1 + i];
                let rating = matrix[id][*r].clone();
                assert_eq!(
                    cell.text,
                    rating.clone().unwrap_or_default(),
                    "goal {id}, {r}"
                );
                let bucket = match rating.as_deref() {
                    None => "blank",
                    Some(v) if v.contains(['/', '?']) => "annat",
                    Some(v) => v,
                };
                let fill = format!("{:06X}", samla::report::rating_fill(&plan, bucket));
                assert_eq!(cell.fill.as_deref(), Some(fill.as_str()), "goal {id}, {r}");
            }
            let want: Vec<String> = order
                .iter()
                .filter_map(|code| {
                    let c = answers[*code].goals.get(id)?.comment.as_ref()?;
                    Some(format!("{code}: {c}"))
                })
                .collect();
            let got = &row.cells[regions.len() + 1].text;
            assert_eq!(got, &want.join("\n\n"), "comments on goal {id}");
            for c in &want {
                let text = c.split_once(": ").unwrap().1;
                assert!(in_seed(text, &seed), "goal {id}: not the seed's: {c}");
            }
            n_comments += want.len();
        }
    }
    assert!(n_comments > 100, "{n_comments} comments");
}

fn merge_into(w: &Workdir, inbox: &Path) -> std::path::PathBuf {
    let out = w.join("out");
    let o = w.merge(inbox, &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    out
}

#[test]
fn rapport_follows_the_seed() {
    let w = Workdir::new();
    let out = merge_into(&w, &samples_dir());
    let docx = out.join("rapport.docx");
    let b = blocks(&docx);
    let plan = plan();
    let title = headings(&b, "Title");
    assert_eq!(title, [plan.title.as_str()]);
    assert!(headings(&b, "Subtitle")[0].starts_with("Uppföljning 2023"));
    let mut want = vec!["Inledning".to_string(), "Sammanfattning".to_string()];
    want.extend(plan.areas.iter().map(|a| format!("{}. {}", a.id, a.title)));
    assert_eq!(headings(&b, "Heading1"), want);
    let seed = skeleton(&seed_text());
    for h in &want {
        assert!(seed.contains(&skeleton(h)), "heading {h} is the seed's");
    }
    // The introduction: who was asked and answered, the scale, a marked place.
    let text: Vec<&str> = paras(&b).into_iter().map(|p| p.2).collect();
    let all = text.join("\n");
    assert!(all.contains("Samtliga fyra regioner ombads följa upp målen: Region Jämtland Härjedalen (RJH), Region Norrbotten (RN), Region Västerbotten (RV) och Region Västernorrland (RVN)."));
    assert!(
        all.contains("4 av 4 regioner har svarat: RJH (sparad "),
        "{all}"
    );
    for l in [
        " U  Uppnått mål",
        " P  Pågående arbete",
        " E  Ej påbörjat arbete",
    ] {
        assert!(text.contains(&l), "{l}");
    }
    let marked = headings(&b, "Analytikertext");
    assert_eq!(marked.len(), 2);
    assert!(marked.iter().all(|t| t.starts_with("[Analytikerns text:")));

    // The seven goals achieved in all four regions, and the other lists.
    check_summary(&b, &REGIONS, "4 av 4 regioner har svarat.");
    let lists = summary_lists(&b);
    assert_eq!(
        lists[1].1,
        ["1.2", "1.4", "1.8", "2.4", "4.4", "6.5", "6.6"]
    );
    check_tables(&b, &REGIONS);
}

#[test]
fn rapport_is_a_real_word_document() {
    let w = Workdir::new();
    let out = merge_into(&w, &samples_dir());
    let docx = out.join("rapport.docx");
    // Heading styles Word's navigation pane and table of contents find.
    let styles = zip_entry(&docx, "word/styles.xml");
    let doc = roxmltree::Document::parse(&styles).unwrap();
    for (id, name, level) in [
        ("Heading1", "heading 1", "0"),
        ("Heading2", "heading 2", "1"),
    ] {
        let s = doc
            .descendants()
            .find(|n| n.has_tag_name((W, "style")) && attr(*n, "styleId").as_deref() == Some(id))
            .unwrap_or_else(|| panic!("style {id}"));
        assert_eq!(
            child(s, "name").and_then(|n| attr(n, "val")).as_deref(),
            Some(name)
        );
        let lvl = s
            .descendants()
            .find(|n| n.has_tag_name((W, "outlineLvl")))
            .and_then(|n| attr(n, "val"));
        assert_eq!(lvl.as_deref(), Some(level), "{id}");
    }
    // A4 portrait, page numbers in the footer.
    let body = zip_entry(&docx, "word/document.xml");
    assert!(body.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\""), "A4");
    let footer = zip_entry(&docx, "word/footer1.xml");
    let f = roxmltree::Document::parse(&footer).unwrap();
    let text = para_text(f.descendants().find(|n| n.has_tag_name((W, "p"))).unwrap());
    assert!(text.contains("sida {PAGE}1 av {NUMPAGES}"), "{text}");
    // Fixed document dates, and the same bytes from a second run.
    let core = zip_entry(&docx, "docProps/core.xml");
    assert!(
        core.contains(">2024-01-01T00:00:00Z</dcterms:created>"),
        "{core}"
    );
    let again = w.join("igen");
    assert_eq!(
        w.merge(&samples_dir(), &again, &["--quiet"]).status.code(),
        Some(0)
    );
    assert!(std::fs::read(&docx).unwrap() == std::fs::read(again.join("rapport.docx")).unwrap());
}

#[test]
fn rapport_with_one_region_silent_names_it_once() {
    let w = Workdir::new();
    let inbox = w.copy_samples("inkorg");
    std::fs::remove_file(inbox.join("cancerplan-norr-2022-2024-RVN.xlsx")).unwrap();
    let out = merge_into(&w, &inbox);
    let b = blocks(&out.join("rapport.docx"));
    let three = ["RJH", "RN", "RV"];
    let note = "3 av 4 regioner har svarat; RVN saknas.";
    check_summary(&b, &three, note);
    let lists = summary_lists(&b);
    // RVN's silence neither empties "achieved by all" nor marks every goal.
    assert_eq!(
        lists[1].1,
        ["1.2", "1.4", "1.8", "2.4", "3.6", "4.4", "6.5", "6.6"]
    );
    assert!(lists[4].1.len() < 15, "{:?}", lists[4].1);
    check_tables(&b, &three);
    let all: Vec<&str> = paras(&b).into_iter().map(|p| p.2).collect();
    let silent = all
        .iter()
        .filter(|t| t.contains("RVN har inte skickat in något svar"))
        .count();
    assert_eq!(silent, 1, "named once as missing in the introduction");

    // The workbook and the JSON count the same way and say so.
    let j = json(&out.join("sammanstallning.json"));
    assert_eq!(
        j["stats"]["answered"],
        serde_json::json!(["RJH", "RN", "RV"])
    );
    assert_eq!(j["stats"]["not_answered"], serde_json::json!(["RVN"]));
    assert_eq!(
        j["stats"]["achieved_everywhere"].as_array().unwrap().len(),
        8
    );
    assert!(j["stats"]["per_region"].get("RVN").is_none());
    let summary = sheet(&out.join("sammanstallning.xlsx"), "Sammanfattning");
    let flat: Vec<&String> = summary.iter().flatten().collect();
    assert!(flat.iter().any(|c| *c == note), "{flat:?}");
    let head = flat
        .iter()
        .find(|c| c.starts_with("Mål som alla regioner som har svarat bedömer som uppnått mål"))
        .unwrap();
    assert!(head.ends_with("(8 st)"), "{head}");
    assert!(flat
        .iter()
        .any(|c| *c == "RVN – Region Västernorrland (inget svar)"));
}
