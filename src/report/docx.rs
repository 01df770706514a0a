//! `rapport.docx`: the compiled follow-up as a Word draft, in the order and
//! form of RCC Norr's report (seed 001): title, *Inledning* with what samla
//! knows and a marked place for the analyst's text, *Sammanfattning* with
//! the goal lists as sentences and numbered lists, with `--previous` the
//! section *Förändringar sedan förra omgången* (`docx/changes.rs`), then per area
//! a heading and a table `Mål | Uppföljning <respondents> | Kommentarer`.
//!
//! Headings use the styles `Heading1`/`Heading2` (named `heading 1`/`heading
//! 2`, with outline levels) so Word's navigation pane and table of contents
//! work; the page is A4 with page numbers in the footer; table heads repeat
//! on every page. With more regions than fit across a page
//! ([`WIDE_COLUMNS`]) each area shows the distribution of ratings per goal,
//! and the comments grouped per goal below it.
//!
//! The output is byte-for-byte reproducible: fixed document dates and
//! paragraph ids numbered in document order.

use std::io::{Seek, Write};

use super::piped::{self, Piped};
use ooxml::{Align, Paragraph, Run, Shading, Table, TableCell, TableRow, VMerge};
use package::{Package, Parts};

use super::summary::{self, GoalList, ListKind};
use crate::merge::{bucket, AnswerOrder, Consolidation, GoalRow, SourceStatus};
use crate::plan::{Meaning, Plan};
use crate::validate::GoalAnswer;

mod changes;
mod layout;
mod ooxml;
mod package;

/// Above this many answering regions, an area's table shows each goal's
/// distribution of ratings instead of a column per region: nine columns of
/// ratings leave no width for the goal and the comments on A4.
pub const WIDE_COLUMNS: usize = 8;

/// A4 in twentieths of a point.
const PAGE_W: u32 = 11_906;
const PAGE_H: u32 = 16_838;
/// 2 cm margins.
const MARGIN: u32 = 1_134;
/// Width between the margins.
const TEXT_W: usize = PAGE_W as usize - 2 * MARGIN as usize;
/// The document's fixed creation date, for reproducible output.
const DOC_DATE: &str = "2024-01-01T00:00:00Z";

/// Why the document could not be built (the package writer failed).
pub type DocxError = zip::result::ZipError;

/// Writes the document into `out` as it is built; returns `out`.
pub fn document<W: Write + Seek + Send>(
    plan: &Plan,
    c: &Consolidation,
    out: W,
) -> Result<W, DocxError> {
    let mut pkg = Package::new(out)?;
    // The body is compressed on a thread of its own while it is built.
    let (footer, lists) = piped::pipe(pkg.body(), BUFFER, |sink| body(plan, c, sink))?;
    let parts = Parts {
        title: &plan.title,
        footer: &footer,
        lists,
        styles: &styles(),
        date: DOC_DATE,
        page: [PAGE_W, PAGE_H, MARGIN, 567],
    };
    pkg.finish(&parts)
}

/// Builds the document's body into `sink`; returns the footer's paragraph
/// and how many numbered lists the body has.
fn body(plan: &Plan, c: &Consolidation, sink: &mut Piped) -> std::io::Result<(String, usize)> {
    let mut d = Doc::new(plan, sink);
    d.title(plan);
    d.introduction(plan, c);
    d.summary(plan, c);
    changes::section(&mut d, plan, c);
    let shown = shown_regions(plan, c);
    let mut goals = c.goals.iter().peekable();
    while let Some(first) = goals.peek() {
        let area = first.area_id.clone();
        let mut rows: Vec<&GoalRow> = Vec::new();
        while let Some(g) = goals.next_if(|g| g.area_id == area) {
            rows.push(g);
        }
        d.heading(1, &format!("{}. {}", area, rows[0].area));
        if shown.len() <= WIDE_COLUMNS {
            let t = layout::matrix(&mut d, plan, &shown, &rows);
            d.table(t);
        } else {
            let t = layout::distribution(&mut d, plan, c, &rows);
            d.table(t);
            layout::grouped_comments(&mut d, plan, &rows);
        }
    }
    d.finish()
}

/// The body is handed to the package in pieces of about this size: each
/// piece is a hand-over between two threads (see `piped`), so not many —
/// 128 KB took about a quarter of the run's context switches away at 1,000
/// returns, against 64 KB (256 KB took a third, but held half a MB more at
/// the peak, which at 1,000 returns is within 2 - 3 MB of the fair floor's).
const CHUNK: usize = 1 << 17;

/// The capacity of a buffer of body text: a chunk and the paragraph that
/// passes it (a longer one grows its buffer for a while).
const BUFFER: usize = CHUNK + CHUNK / 4;

/// The regions with a column: those that answered, in plan order. A region
/// that sent nothing is named once in the introduction and the summary,
/// not shown blank on every goal.
fn shown_regions<'a>(plan: &'a Plan, c: &Consolidation) -> Vec<&'a str> {
    plan.regions
        .iter()
        .map(|r| r.code.0.as_str())
        .filter(|r| c.has_reported(r))
        .collect()
}

/// The document being built: the package with its open body, the list
/// counter, and the first write error (reported by
/// [`Doc::finish`], so that building code need not handle it per paragraph).
pub(super) struct Doc<'a> {
    sink: &'a mut Piped,
    body: String,
    footer: String,
    next_list: usize,
    failed: Option<std::io::Error>,
}

impl<'a> Doc<'a> {
    fn new(plan: &Plan, sink: &'a mut Piped) -> Doc<'a> {
        let mut d = Doc {
            sink,
            body: String::with_capacity(BUFFER),
            footer: String::new(),
            next_list: 0,
            failed: None,
        };
        let small = |r: Run| r.size(16);
        let footer = d
            .p()
            .align(Align::Center)
            .size(16)
            .add_run(small(Run::new().add_text(format!(
                "{} – uppföljning {} – sida ",
                plan.title, plan.period
            ))))
            .add_run(small(Run::new().add_field("PAGE")))
            .add_run(small(Run::new().add_text(" av ")))
            .add_run(small(Run::new().add_field("NUMPAGES")));
        footer.write(&mut d.footer);
        d
    }

    /// A new paragraph.
    pub(super) fn p(&self) -> Paragraph {
        Paragraph::new()
    }

    /// A paragraph of plain text in `style`.
    pub(super) fn text(&mut self, style: &str, text: &str) -> Paragraph {
        self.p().style(style).add_run(Run::new().add_text(text))
    }

    pub(super) fn push(&mut self, p: Paragraph) {
        p.write(&mut self.body);
        self.flush(CHUNK);
    }

    fn table(&mut self, t: Table) {
        t.write(TEXT_W, &mut self.body);
        self.flush(CHUNK);
    }

    /// Hands the body text to the package once it holds `at_least` bytes.
    fn flush(&mut self, at_least: usize) {
        if self.body.len() >= at_least && self.failed.is_none() {
            if let Err(e) = self.sink.send(&mut self.body) {
                self.failed = Some(e);
            }
            self.body.clear();
        }
    }

    pub(super) fn heading(&mut self, level: usize, text: &str) {
        let p = self.text(&format!("Heading{level}"), text).keep_next(true);
        self.push(p);
    }

    fn para(&mut self, text: &str) {
        let p = self.text("Normal", text);
        self.push(p);
    }

    /// A clearly marked place for the analyst's own text.
    fn placeholder(&mut self, what: &str) {
        let p = self.p().style("Analytikertext").add_run(
            Run::new()
                .highlight("yellow")
                .add_text(format!("[Analytikerns text: {what}]")),
        );
        self.push(p);
    }

    /// A numbered list starting at 1.
    fn numbered(&mut self, items: &[String]) {
        // Each list has its own numbering definition (package.rs), so
        // each starts at 1.
        self.next_list += 1;
        let id = self.next_list;
        for item in items {
            let p = self.text("Listtext", item).numbering(id);
            self.push(p);
        }
    }

    fn title(&mut self, plan: &Plan) {
        let t = self.text("Title", &plan.title);
        self.push(t);
        let sub = format!(
            "Uppföljning {} – sammanställning av bedömningar och kommentarer",
            plan.period
        );
        let s = self.text("Subtitle", &sub);
        self.push(s);
    }

    fn introduction(&mut self, plan: &Plan, c: &Consolidation) {
        self.heading(1, "Inledning");
        self.para(&format!(
            "I denna rapport redovisas en sammanställning av uppföljningen {} av {}. \
             Sammanställningen är gjord av {} ({}).",
            plan.period, plan.title, plan.coordinator.name, plan.coordinator.code
        ));
        let asked: Vec<String> = plan
            .regions
            .iter()
            .map(|r| format!("{} ({})", r.name, r.code))
            .collect();
        self.para(&format!(
            "Samtliga {} {} ombads följa upp målen: {}.",
            summary::count_word(plan.regions.len()),
            plural(plan, plan.regions.len()),
            summary::join_and(&asked)
        ));
        self.para(&answers_sentence(plan, c));
        self.scale(plan);
        self.para(&format!(
            "Kommentarerna återges ordagrant med den svarandes kod först: {} i planens \
             ordning och {} sist.",
            plan.noun.plural, plan.coordinator.code
        ));
        self.placeholder(
            "beskriv planens bakgrund, hur uppföljningen gjordes och hur kommentarerna \
             har bearbetats.",
        );
    }

    /// The scale with its labels, each code shaded as in the tables.
    fn scale(&mut self, plan: &Plan) {
        self.para(&format!(
            "För respektive mål anges en av {} nivåer:",
            summary::count_word(plan.scale.len())
        ));
        for l in &plan.scale {
            let p = self
                .p()
                .style("Listtext")
                .indent_left(567)
                .add_run(shaded(
                    Run::new().bold().add_text(format!(" {} ", l.code)),
                    plan,
                    &l.code,
                ))
                .add_run(Run::new().add_text(format!(" {}", l.label)));
            self.push(p);
        }
        self.para(&format!(
            "Nivåerna är de svarandes egna bedömningar. Har en {} inte angett någon nivå \
             lämnas rutan blank (grå). Sammansatta bedömningar för mål med flera delar (t.ex. \
             {}) och osäkra bedömningar (t.ex. {}) redovisas som de skrevs (blå).",
            plan.noun.singular,
            plan.compound_example(),
            plan.uncertain_example()
        ));
    }

    fn summary(&mut self, plan: &Plan, c: &Consolidation) {
        self.heading(1, "Sammanfattning");
        let note = summary::answered_note(plan, &c.stats);
        let mut head = note.clone();
        if !c.stats.not_answered.is_empty() {
            let n = c.stats.answered.len();
            head += &format!(
                " Listorna nedan räknar de {} {} som har svarat.",
                summary::count_word(n),
                plural(plan, n)
            );
        }
        self.para(&head);
        let note = note.trim_end_matches('.');
        let order = AnswerOrder::new(c.stats.answered.iter().map(String::as_str));
        for list in summary::lists(plan, &c.stats) {
            if list.goals.is_empty() {
                self.para(&format!("{} ({note}): inga.", list.title));
                continue;
            }
            self.para(&lead_sentence(plan, &list, note));
            let items: Vec<String> = list
                .goals
                .iter()
                .filter_map(|id| c.goals.iter().find(|g| &g.id == id))
                .map(|g| {
                    let answers = order.answers(g);
                    let answered: Vec<_> = c.stats.answered.iter().zip(answers).collect();
                    format!(
                        "{} (mål {}{})",
                        g.text.trim(),
                        g.id,
                        detail(plan, &list, &answered)
                    )
                })
                .collect();
            self.numbered(&items);
        }
        self.placeholder(
            "sammanfatta resultaten: vad som gått framåt, vad som är svårt och vad som \
             behöver följas upp.",
        );
    }

    /// Writes what is left of the body; returns the footer's XML and the
    /// number of numbered lists, for the parts after the body.
    fn finish(mut self) -> std::io::Result<(String, usize)> {
        self.flush(0);
        match self.failed {
            Some(e) => Err(e),
            None => Ok((self.footer, self.next_list)),
        }
    }
}

/// Who answered and when: `RJH (sparad 2024-04-10), …`; who did not.
fn answers_sentence(plan: &Plan, c: &Consolidation) -> String {
    // Save times of the merged returns, gathered once (not a scan of every
    // source per respondent: quadratic with thousands of them).
    let mut times: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for s in c
        .sources
        .iter()
        .filter(|s| s.status == SourceStatus::Merged)
    {
        if let (Some(r), Some(t)) = (s.region.as_deref(), s.time.as_deref()) {
            times.entry(r).or_insert(t);
        }
    }
    let saved = |code: &str| {
        times
            .get(code)
            .map(|t| format!(" (sparad {})", t.get(..10).unwrap_or(t)))
            .unwrap_or_default()
    };
    let answered: Vec<String> = c
        .stats
        .answered
        .iter()
        .map(|r| format!("{r}{}", saved(r)))
        .collect();
    let mut s = summary::answered_note(plan, &c.stats);
    if !answered.is_empty() {
        s = format!(
            "{}: {}.",
            s.split(';').next().unwrap_or("").trim_end_matches('.'),
            summary::join_and(&answered)
        );
    }
    if !c.stats.not_answered.is_empty() {
        s += &format!(
            " {} har inte skickat in något svar och redovisas därför inte i tabellerna.",
            summary::join_and(&c.stats.not_answered)
        );
    }
    let coord = &plan.coordinator.code.0;
    if c.has_reported(coord) {
        s += &format!(" {coord} har lämnat kommentarer{}.", saved(coord));
    } else if plan.coordinator.responds {
        s += &format!(" Kommentarer från {coord} saknas.");
    }
    s
}

/// `region` or `regioner`, as the plan calls its respondents.
fn plural(plan: &Plan, n: usize) -> &str {
    if n == 1 {
        &plan.noun.singular
    } else {
        &plan.noun.plural
    }
}

/// The sentence that leads a summary list, saying whom it counts.
fn lead_sentence(plan: &Plan, list: &GoalList, note: &str) -> String {
    let level = |m: Meaning| {
        let label = summary::meaning_label(plan, m);
        match plan.level_meaning(m) {
            Some(l) => format!("{label} ({})", l.code),
            None => label,
        }
    };
    let (achieved, not_started) = (level(Meaning::Achieved), level(Meaning::NotStarted));
    let (one, many) = (&plan.noun.singular, &plan.noun.plural);
    let k = list.goals.len();
    match list.kind {
        ListKind::AchievedEverywhere => {
            format!("{k} mål bedöms som {achieved} av alla {many} som har svarat ({note}):")
        }
        ListKind::AchievedAllButOne => format!(
            "{k} mål bedöms som {achieved} av alla utom en av de {many} som har svarat \
             ({note}); inom parentes den som avviker och dess bedömning:"
        ),
        ListKind::NotStartedSomewhere => {
            format!("För {k} mål anger minst en {one} {not_started} ({note}); inom parentes vilka:")
        }
        ListKind::MissingRating => format!(
            "För {k} mål saknas bedömning från minst en {one} som har svarat ({note}); \
             inom parentes vilka:"
        ),
        ListKind::OtherRating => format!(
            "{k} mål har en sammansatt eller osäker bedömning som bör följas upp ({note}); \
             inom parentes vem och vilken bedömning:"
        ),
    }
}

/// What a list item adds after the goal id: who differs, who has not started, …
/// `answered` is the goal's answers of `c.stats.answered`, in that order.
fn detail(plan: &Plan, list: &GoalList, answered: &[(&String, Option<&GoalAnswer>)]) -> String {
    let means = |a: Option<&GoalAnswer>, m: Meaning| plan.meaning_of(bucket(a)) == Some(m);
    let keep = |a: Option<&GoalAnswer>| match list.kind {
        ListKind::AchievedEverywhere => false,
        ListKind::AchievedAllButOne => {
            !means(a, Meaning::Achieved) && !means(a, Meaning::NotApplicable)
        }
        ListKind::NotStartedSomewhere => means(a, Meaning::NotStarted),
        ListKind::MissingRating => bucket(a) == "blank",
        ListKind::OtherRating => bucket(a) == "annat",
    };
    let with_rating = match list.kind {
        ListKind::AchievedEverywhere => return String::new(),
        ListKind::AchievedAllButOne | ListKind::OtherRating => true,
        ListKind::NotStartedSomewhere | ListKind::MissingRating => false,
    };
    let parts: Vec<String> = answered
        .iter()
        .filter(|(_, a)| keep(*a))
        .map(|(r, a)| match a.and_then(GoalAnswer::shown) {
            _ if !with_rating => r.to_string(),
            Some(shown) => format!("{r}: {shown}"),
            None => format!("{r}: ingen bedömning"),
        })
        .collect();
    format!("; {}", summary::join_and(&parts))
}

/// `run` shaded with the fill of rating bucket `b`, as in the workbook.
pub(super) fn shaded(run: Run, plan: &Plan, b: &str) -> Run {
    run.shading(fill(plan, b))
}

/// The cell shading of rating bucket `b`.
pub(super) fn fill(plan: &Plan, b: &str) -> Shading {
    Shading(super::rating_fill(plan, b))
}

/// A paragraph style of the report.
struct StyleDef {
    id: &'static str,
    name: &'static str,
    /// Space before and after, twips.
    spacing: (u32, u32),
    /// Outline level (headings), for the navigation pane.
    outline: Option<u8>,
    /// Run properties, as XML.
    run: &'static str,
}

const STYLES: [StyleDef; 7] = [
    StyleDef {
        id: "Title",
        name: "Title",
        spacing: (0, 120),
        outline: None,
        run: "<w:b/><w:bCs/><w:color w:val=\"1F3864\"/><w:sz w:val=\"40\"/><w:szCs w:val=\"40\"/>",
    },
    StyleDef {
        id: "Subtitle",
        name: "Subtitle",
        spacing: (0, 360),
        outline: None,
        run: "<w:i/><w:iCs/><w:color w:val=\"595959\"/><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>",
    },
    StyleDef {
        id: "Heading1",
        name: "heading 1",
        spacing: (360, 120),
        outline: Some(0),
        run: "<w:b/><w:bCs/><w:color w:val=\"1F3864\"/><w:sz w:val=\"30\"/><w:szCs w:val=\"30\"/>",
    },
    StyleDef {
        id: "Heading2",
        name: "heading 2",
        spacing: (240, 80),
        outline: Some(1),
        run: "<w:b/><w:bCs/><w:color w:val=\"1F3864\"/><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>",
    },
    StyleDef {
        id: "Listtext",
        name: "List Paragraph",
        spacing: (0, 60),
        outline: None,
        run: "",
    },
    StyleDef {
        id: "Tabelltext",
        name: "Tabelltext",
        spacing: (0, 60),
        outline: None,
        run: "<w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>",
    },
    StyleDef {
        id: "Analytikertext",
        name: "Analytikertext",
        spacing: (120, 240),
        outline: None,
        run: "<w:i/><w:iCs/>",
    },
];

/// The document's styles: real heading styles with outline levels, so the
/// navigation pane and a table of contents find them; Arial 10.5 pt.
fn styles() -> String {
    use std::fmt::Write as _;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:docDefaults><w:rPrDefault><w:rPr>\
         <w:rFonts w:ascii=\"Arial\" w:hAnsi=\"Arial\" w:cs=\"Arial\"/>\
         <w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:spacing w:before=\"0\" w:after=\"120\"/></w:pPr></w:pPrDefault>\
         </w:docDefaults>\
         <w:style w:type=\"paragraph\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>",
    );
    for st in STYLES {
        let (before, after) = st.spacing;
        let _ = write!(
            s,
            "<w:style w:type=\"paragraph\" w:styleId=\"{}\"><w:name w:val=\"{}\"/>\
             <w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr>\
             <w:spacing w:before=\"{before}\" w:after=\"{after}\"/>",
            st.id, st.name
        );
        if let Some(l) = st.outline {
            let _ = write!(s, "<w:outlineLvl w:val=\"{l}\"/>");
        }
        let _ = write!(s, "</w:pPr><w:rPr>{}</w:rPr></w:style>", st.run);
    }
    s + "</w:styles>"
}

/// A table cell of `width` twentieths of a point, top-aligned.
pub(super) fn cell(width: usize) -> TableCell {
    TableCell::new(width)
}

/// A table of fixed column widths across the text width.
pub(super) fn table(rows: Vec<TableRow>, grid: Vec<usize>) -> Table {
    Table { grid, rows }
}

/// A head cell: bold text on the workbook's head colour.
pub(super) fn head_cell(d: &mut Doc, width: usize, text: &str) -> TableCell {
    let p = d
        .p()
        .style("Tabelltext")
        .add_run(Run::new().bold().add_text(text));
    cell(width)
        .shading(Shading(super::HEADER_FILL))
        .add_paragraph(p)
}

/// [`table_text`] written straight into the body: `lead` is the bold
/// prefix (a respondent's code) without its `: `.
pub(super) fn push_table_text(d: &mut Doc, lead: &str, text: &str) {
    let lead = format!("{lead}: ");
    ooxml::text_paragraph(&mut d.body, "Tabelltext", Some(&lead), text);
    d.flush(CHUNK);
}

/// A paragraph of table text; line breaks inside `text` are kept.
pub(super) fn table_text(d: &mut Doc, lead: Option<&str>, text: &str) -> Paragraph {
    let mut p = d.p().style("Tabelltext");
    if let Some(lead) = lead {
        p = p.add_run(Run::new().bold().add_text(format!("{lead}: ")));
    }
    let mut run = Run::new();
    // The line breaks found with `memchr` (SIMD): `str::split` looks for
    // them a word at a time, a tenth of the report's time.
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        run = run.add_text(&text[start..end]).add_break();
        start = end + 1;
    }
    p.add_run(run.add_text(&text[start..]))
}

/// Vertical merge of the two head rows, for `Mål` and `Kommentarer`.
pub(super) fn merged(c: TableCell, first: bool) -> TableCell {
    c.vertical_merge(if first {
        VMerge::Restart
    } else {
        VMerge::Continue
    })
}
