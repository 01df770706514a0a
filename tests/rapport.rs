//! Issue 9: `rapport.docx`, the compiled follow-up as a Word draft, read
//! back from the document XML and compared with the seed (RCC Norr's
//! compiled 2023 follow-up): headings, the summary's lists, every cell of
//! every area's table; and the same with one region's return missing.
//! With `--previous` (issue 11), the section *Förändringar sedan förra
//! omgången* row by row for a constructed earlier round.

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

/// Checks the markup of every text in `part` of `docx`: no `w14:paraId`
/// (nothing refers to it), no empty `w:t`, and `xml:space="preserve"`
/// exactly where Word or LibreOffice would otherwise change the text (a
/// space at either end, a tab or line break anywhere). Returns how many
/// texts have it.
fn check_text_markup(docx: &Path, part: &str) -> usize {
    const XML: &str = "http://www.w3.org/XML/1998/namespace";
    let xml = zip_entry(docx, part);
    assert!(!xml.contains("paraId"), "{part} has paragraph ids");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let mut preserved = 0;
    for t in doc.descendants().filter(|n| n.has_tag_name((W, "t"))) {
        let text = t.text().unwrap_or("");
        assert!(!text.is_empty(), "empty w:t in {part}");
        let needed =
            text.starts_with(' ') || text.ends_with(' ') || text.contains(['\t', '\n', '\r']);
        let space = t.attribute((XML, "space"));
        assert_eq!(
            space,
            needed.then_some("preserve"),
            "xml:space of {text:?} in {part}"
        );
        preserved += usize::from(needed);
    }
    preserved
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
    merge_with(w, inbox, "out", &[])
}

/// `inbox` merged into `out` with `extra` arguments; the run must succeed.
fn merge_with(w: &Workdir, inbox: &Path, out: &str, extra: &[&str]) -> std::path::PathBuf {
    let out = w.join(out);
    let o = w.merge(inbox, &out, &[&["--quiet"], extra].concat());
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
    // Texts keep their spaces with as little markup as will do (the
    // codes before comments end with a space).
    assert!(check_text_markup(&docx, "word/document.xml") > 0);
    assert!(check_text_markup(&docx, "word/footer1.xml") > 0);
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

/// An earlier round made from this round's JSON (`now`): three regressions
/// (two on goal 2.2), two goals newly rated, goal 1.2 re-worded and a goal
/// 7.6 since removed. Returns the earlier round's JSON file.
fn constructed_earlier_round(w: &Workdir, now: &Path) -> std::path::PathBuf {
    let mut j = json(&now.join("sammanstallning.json"));
    j["plan"]["period"] = serde_json::json!("2022");
    let goals = j["goals"].as_array_mut().unwrap();
    let mut set = |goal: &str, key: &str, region: &str, v: serde_json::Value| {
        let g = goals.iter_mut().find(|g| g["id"] == goal).unwrap();
        g[key][region] = v;
    };
    use serde_json::json;
    set("1.1", "ratings", "RJH", json!("U"));
    set("2.2", "ratings", "RJH", json!("U"));
    set("2.2", "ratings", "RN", json!("U"));
    set("2.2", "comments", "RN", json!("Förra årets kommentar."));
    set("1.5", "ratings", "RV", serde_json::Value::Null);
    set("6.2", "ratings", "RVN", serde_json::Value::Null);
    let g = goals.iter_mut().find(|g| g["id"] == "1.2").unwrap();
    g["text"] = json!("Screening för tjocktarmscancer ska införas.");
    goals.push(json!({"id": "7.6", "text": "Ett mål som strukits.", "ratings": {"RJH": "P"}}));
    let path = w.join("forra.json");
    std::fs::write(&path, serde_json::to_vec(&j).unwrap()).unwrap();
    path
}

/// The blocks of the section from its heading to the next `Heading1`.
fn change_section(b: &[Block]) -> &[Block] {
    let is_h1 = |x: &Block, t: Option<&str>| {
        matches!(x, Block::Para { style, text, .. }
            if style == "Heading1" && t.is_none_or(|t| text == t))
    };
    let start = b
        .iter()
        .position(|x| is_h1(x, Some("Förändringar sedan förra omgången")))
        .expect("the section's heading");
    let len = b[start + 1..].iter().position(|x| is_h1(x, None)).unwrap();
    &b[start..start + 1 + len]
}

/// After the `Heading2` `title`: its lead paragraph and its numbered items.
fn change_list<'a>(section: &'a [Block], title: &str) -> (&'a str, Vec<&'a str>) {
    let ps = paras(section);
    let at = ps
        .iter()
        .position(|p| p.0 == "Heading2" && p.2 == title)
        .unwrap_or_else(|| panic!("no heading {title}"));
    let items = ps[at + 2..]
        .iter()
        .take_while(|p| p.1)
        .map(|p| p.2)
        .collect();
    (ps[at + 1].2, items)
}

fn tables(blocks: &[Block]) -> Vec<&Vec<Row>> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            Block::Para { .. } => None,
        })
        .collect()
}

fn texts(row: &Row) -> Vec<&str> {
    row.cells.iter().map(|c| c.text.as_str()).collect()
}

/// The samples merged into `out` with `--previous prev`.
fn compared_with(w: &Workdir, prev: &Path, out: &str) -> std::path::PathBuf {
    merge_with(
        w,
        &samples_dir(),
        out,
        &["--previous", prev.to_str().unwrap()],
    )
}

#[test]
fn rapport_has_the_changes_since_the_previous_round() {
    let w = Workdir::new();
    let now = merge_into(&w, &samples_dir());
    let prev = constructed_earlier_round(&w, &now);
    let out = compared_with(&w, &prev, "jamford");
    let b = blocks(&out.join("rapport.docx"));
    let plan = plan();
    let text_of = |id: &str| {
        plan.goals()
            .find(|(_, g)| g.id.0 == id)
            .unwrap()
            .1
            .text
            .clone()
    };
    let h1 = headings(&b, "Heading1");
    assert_eq!(
        h1[..3],
        [
            "Inledning",
            "Sammanfattning",
            "Förändringar sedan förra omgången"
        ]
    );
    let s = change_section(&b);
    let intro = paras(s)[1].2;
    assert!(intro.starts_with("Bedömningarna i uppföljningen 2023 jämförs här med uppföljningen 2022 (plan cancerplan-norr-2022-2024, version 1)"), "{intro}");

    // The counts, every kind, as the JSON counts them.
    let j = json(&out.join("sammanstallning.json"));
    let count = |kind: &str| {
        j["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == kind)
            .count()
    };
    let t = tables(s);
    assert_eq!(t.len(), 2, "counts and regressed goals");
    assert_eq!(texts(&t[0][0]), ["Förändring", "Antal", "Vad det betyder"]);
    assert!(t[0][0].header);
    let want: Vec<(String, String)> = samla::rounds::Transition::ALL
        .iter()
        .map(|k| {
            let sw = k.swedish();
            let label = sw[..1].to_uppercase() + &sw[1..];
            (label, count(k.as_str()).to_string())
        })
        .chain([(
            "Totalt".into(),
            j["changes"].as_array().unwrap().len().to_string(),
        )])
        .collect();
    let got: Vec<(String, String)> = t[0][1..]
        .iter()
        .map(|r| (r.cells[0].text.clone(), r.cells[1].text.clone()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(got[0], ("Försämrad".into(), "3".into()));

    // The regressed goals: goal (once per goal), region, both ratings shaded, this round's comment whole.
    let answers = |who: &str| {
        samla::template::Answers::load(&repo().join(format!("samples/answers/{who}.toml"))).unwrap()
    };
    let comment = |who: &str, id: &str| answers(who).goals[id].comment.clone().unwrap_or_default();
    assert_eq!(
        texts(&t[1][0]),
        ["Mål", "Region", "Förra", "Nu", "Kommentar 2023"]
    );
    let rows: Vec<Vec<&str>> = t[1][1..].iter().map(texts).collect();
    let (g11, g22) = (
        format!("1.1 {}", text_of("1.1")),
        format!("2.2 {}", text_of("2.2")),
    );
    let (c11, c22j, c22n) = (
        comment("RJH", "1.1"),
        comment("RJH", "2.2"),
        comment("RN", "2.2"),
    );
    assert_eq!(
        rows,
        [
            vec![g11.as_str(), "RJH", "U", "P", c11.as_str()],
            vec![g22.as_str(), "RJH", "U", "P", c22j.as_str()],
            vec!["", "RN", "U", "P", c22n.as_str()],
        ]
    );
    assert!(c22n.len() > 40, "a whole comment: {c22n}");
    let fill = |b: &str| Some(format!("{:06X}", samla::report::rating_fill(&plan, b)));
    for r in &t[1][1..] {
        assert_eq!(
            (r.cells[2].fill.clone(), r.cells[3].fill.clone()),
            (fill("U"), fill("P"))
        );
    }

    // Still not started: the seed's E ratings, every one (the earlier round had them too).
    let (lead, items) = change_list(s, "Fortsatt ej påbörjade mål");
    let mut want = Vec::new();
    for (id, by) in seed_matrix() {
        let who: Vec<&str> = REGIONS
            .iter()
            .copied()
            .filter(|r| by[*r].as_deref() == Some("E"))
            .collect();
        if !who.is_empty() {
            let who = who.join(" och ");
            want.push(format!("{} (mål {id}; {who})", text_of(&id)));
        }
    }
    assert_eq!(items, want);
    assert_eq!(lead, format!("För {} mål anger minst en region ej påbörjat arbete (E) i båda omgångarna; inom parentes vilka:", want.len()));

    // Newly rated.
    let (lead, items) = change_list(s, "Mål med ny bedömning");
    assert!(
        lead.starts_with("2 mål har nu en bedömning från minst en region"),
        "{lead}"
    );
    assert_eq!(
        items,
        [
            format!("{} (mål 1.5; RV: P)", text_of("1.5")),
            format!("{} (mål 6.2; RVN: P)", text_of("6.2"))
        ]
    );

    // The plans' differences, both texts whole.
    let (_, items) = change_list(s, "Mål som ändrats i planen");
    assert_eq!(
        items,
        [
            format!("Mål 1.2 (omformulerat mål): förut ”Screening för tjocktarmscancer ska införas.”, nu ”{}”", text_of("1.2")),
            "Mål 7.6 (borttaget mål): Ett mål som strukits.".to_string(),
        ]
    );
    let last = paras(s);
    assert!(last[last.len() - 2].2.contains("bladet Förändringar"));
    assert_eq!(last[last.len() - 1].0, "Analytikertext");

    // Apart from the section, the same document as without --previous.
    let plain = blocks(&now.join("rapport.docx"));
    let start = b.iter().position(|x| std::ptr::eq(x, &s[0])).unwrap();
    let mut rest: Vec<&Block> = b[..start].iter().collect();
    rest.extend(&b[start + s.len()..]);
    assert_eq!(
        format!("{rest:?}"),
        format!("{:?}", plain.iter().collect::<Vec<_>>())
    );
}

#[test]
fn rapport_says_so_when_nothing_went_backwards() {
    let w = Workdir::new();
    let now = merge_into(&w, &samples_dir());
    // The same round as the earlier one: every rating unchanged or still not started.
    let out = compared_with(&w, &now, "igen");
    let b = blocks(&out.join("rapport.docx"));
    let s = change_section(&b);
    let all: Vec<&str> = paras(s).into_iter().map(|p| p.2).collect();
    assert!(
        all.contains(&"Ingen bedömning har gått bakåt sedan förra omgången."),
        "{all:?}"
    );
    assert!(all.contains(&"Inget mål har fått en ny bedömning sedan förra omgången."));
    assert!(
        !all.contains(&"Mål som ändrats i planen"),
        "same plan: no such list"
    );
    assert_eq!(tables(s).len(), 1, "only the counts");
}

/// Unit `u`'s rating of the `i`-th goal ("" = blank) and its comment;
/// every fourth comment with spaces at either end, a tab, a blank line
/// and spaces in a row, which the report must show as written.
fn wide_answer(u: usize, i: usize) -> (&'static str, Option<String>) {
    let r = ["U", "P", "E", "U/E", ""][(u + i) % 5];
    let c = (!u.is_multiple_of(3)).then(|| {
        if u.is_multiple_of(4) {
            format!("  Enhet {u} om mål nr {i}:\n\nrad\ttvå  & <tre>.\n\tfyra\nfem \n")
        } else {
            format!("Enhet {u} om mål nr {i}:\nrad två & <tre>.")
        }
    });
    (r, c)
}

#[test]
fn rapport_with_many_units_shows_distributions_and_every_comment() {
    use samla::plan::Respondent;
    use samla::template::{Answer, Answers};
    let w = Workdir::new();
    // Twelve units: more than fit across a page; two areas of three goals.
    std::fs::write(w.join("plan.toml"), units_plan("bred", 12, 2, 2, 3)).unwrap();
    let plan_path = w.join("plan.toml");
    let plan = samla::Plan::load(&plan_path).unwrap();
    let inbox = w.mkdir("inkorg");
    for u in 1..=12 {
        let goals = plan
            .goals()
            .enumerate()
            .map(|(i, (_, g))| {
                let (r, comment) = wide_answer(u, i);
                let rating = (!r.is_empty()).then(|| r.to_string());
                (g.id.0.clone(), Answer { rating, comment })
            })
            .collect();
        let a = Answers {
            respondent: format!("E{u:02}"),
            goals,
        };
        let who = Respondent::Region(samla::RegionCode(a.respondent.clone()));
        let bytes = samla::template::workbook(&plan, &who, Some(&a)).unwrap();
        std::fs::write(inbox.join(format!("e{u:02}.xlsx")), bytes).unwrap();
    }
    let out = w.join("ut");
    let o = w.run(&[
        "merge",
        "--plan",
        plan_path.to_str().unwrap(),
        "--inbox",
        inbox.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let docx = out.join("rapport.docx");
    // The comments' spaces, tabs and blank lines are checked as read below.
    assert!(check_text_markup(&docx, "word/document.xml") > 0);
    let b = blocks(&docx);
    let tables: Vec<&Vec<Row>> = b
        .iter()
        .filter_map(|x| match x {
            Block::Table(rows) => Some(rows),
            Block::Para { .. } => None,
        })
        .collect();
    assert_eq!(tables.len(), 2, "one distribution table per area");
    for (a, rows) in tables.iter().enumerate() {
        let head: Vec<Vec<&str>> = rows[..2]
            .iter()
            .map(|r| r.cells.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(
            head,
            [
                vec!["Mål", "Antal regioner per bedömning (av 12 som har svarat)"],
                vec!["", "U", "P", "E", "Annat", "Ingen"],
            ]
        );
        assert!(rows[0].header && rows[1].header && !rows[2].header);
        for (k, row) in rows[2..].iter().enumerate() {
            let i = a * 3 + k;
            let count = |want: &str| {
                (1..=12)
                    .filter(|u| wide_answer(*u, i).0 == want)
                    .count()
                    .to_string()
            };
            let cells: Vec<&str> = row.cells.iter().map(|c| c.text.as_str()).collect();
            let goal = format!("{}.{} Mål {}.{} ska nås.", a + 1, k + 1, a + 1, k + 1);
            assert_eq!(
                cells,
                [
                    goal.as_str(),
                    &count("U"),
                    &count("P"),
                    &count("E"),
                    &count("U/E"),
                    &count("")
                ],
                "goal {goal}"
            );
        }
    }
    // Every comment, whole and in unit order, under its goal.
    let texts: Vec<&str> = paras(&b).into_iter().map(|(_, _, t)| t).collect();
    for i in 0..6 {
        let goal = format!(
            "{}.{} Mål {}.{} ska nås.",
            i / 3 + 1,
            i % 3 + 1,
            i / 3 + 1,
            i % 3 + 1
        );
        let at = texts.iter().position(|t| *t == goal).expect("goal heading");
        let want: Vec<String> = (1..=12)
            .filter_map(|u| Some(format!("E{u:02}: {}", wide_answer(u, i).1?)))
            .collect();
        let got: Vec<&str> = texts[at + 2..at + 2 + want.len()].to_vec();
        assert_eq!(got, want, "comments of {goal}");
        assert!(
            texts[at + 1].starts_with("Bedömningar: "),
            "{}",
            texts[at + 1]
        );
    }
}
