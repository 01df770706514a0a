//! `svar.csv`: the long table for Excel and BI tools — one row per goal ×
//! respondent of the plan, also for a respondent that sent nothing (its
//! rating is empty and `svarsläge` says why), so a BI report sees the gaps.
//!
//! The form is chosen for Swedish Excel first, since that is where most
//! people will open it, and read as easily by Power BI, pandas and R:
//! UTF-8 with a byte order mark (Excel reads a file without one in the
//! local 8-bit code page and garbles å, ä, ö), `;` between fields (Swedish
//! Excel's list separator, because `,` is the decimal comma) and CRLF line
//! ends (RFC 4180). Fields are quoted by the `csv` crate where needed, so a
//! comment with newlines, `;` or quotes comes back whole. A field that a
//! spreadsheet would run as a formula is guarded (see [`guard`]); the JSON
//! keeps every text unchanged.
//!
//! The rows stream through the `csv` writer's buffer into the bytes: no
//! row is built as a string of its own.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;

use crate::merge::{AnswerOrder, Consolidation, SourceStatus};
use crate::plan::{Plan, Respondent};
use crate::rating::Rating;
use crate::validate::GoalAnswer;

/// The byte order mark that tells Excel the file is UTF-8.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// The field separator: Swedish Excel's list separator.
pub const SEPARATOR: u8 = b';';

/// The header row. The names are stable: BI reports refer to them. Each is
/// explained in README.md (*svar.csv*).
pub const HEADER: [&str; 17] = [
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

/// Text that a spreadsheet would take for a formula — it begins with `=`,
/// `+`, `-`, `@`, a tab or a carriage return — gets an apostrophe in front
/// (OWASP's advice against CSV injection); other text is unchanged.
///
/// ```
/// use samla::report::csv::guard;
/// assert_eq!(guard("=SUMMA(A1)"), "'=SUMMA(A1)");
/// assert_eq!(guard("-2 %"), "'-2 %");
/// assert_eq!(guard("Klart; se \"bilaga\""), "Klart; se \"bilaga\"");
/// ```
pub fn guard(text: &str) -> Cow<'_, str> {
    // Each is one ASCII byte: the first byte decides (this runs for every field).
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Writes `svar.csv` to `out` as it goes (BOM, header, one row per goal ×
/// respondent) and returns `out`.
pub fn write<W: Write>(plan: &Plan, c: &Consolidation, mut out: W) -> std::io::Result<W> {
    out.write_all(BOM)?;
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(SEPARATOR)
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(HEADER)?;
    let files: HashMap<&str, &str> = c
        .sources
        .iter()
        .filter(|s| s.status == SourceStatus::Merged)
        .filter_map(|s| Some((s.region.as_deref()?, s.file.as_str())))
        .collect();
    // What a row says of its respondent, the same for every goal.
    let all = Respondent::all(plan);
    let who: Vec<Who> = all
        .iter()
        .map(|r| {
            let code = r.code(plan).0.as_str();
            Who {
                code,
                name: r.name(plan),
                rates: r.rates(),
                reported: c.has_reported(code),
                file: files.get(code).copied().unwrap_or(""),
            }
        })
        .collect();
    let order = AnswerOrder::new(who.iter().map(|r| r.code));
    // The cell references are written into these, not a new string per row.
    let (mut rating_cell, mut comment_cell) = (String::new(), String::new());
    for g in &c.goals {
        for (r, answer) in who.iter().zip(order.answers(g)) {
            let rating = answer.and_then(|a| a.rating());
            let (label, meaning) = rating
                .map(|x| (label(plan, x), meaning(plan, x)))
                .unwrap_or_default();
            cell_ref(&mut rating_cell, answer.and_then(GoalAnswer::rating_cell));
            cell_ref(&mut comment_cell, answer.and_then(GoalAnswer::comment_cell));
            let row: [&str; 17] = [
                &plan.id,
                &plan.period,
                &g.area_id,
                &g.area,
                &g.id.0,
                &g.text,
                r.code,
                r.name,
                state(r.rates, r.reported, answer),
                answer.and_then(|a| a.written()).unwrap_or(""),
                // The scale code: a rating's, not what was written.
                &answer
                    .filter(|_| rating.is_some())
                    .and_then(GoalAnswer::shown)
                    .unwrap_or_default(),
                &label,
                &meaning,
                answer.and_then(|a| a.comment()).unwrap_or(""),
                r.file,
                &rating_cell,
                &comment_cell,
            ];
            w.write_record(row.iter().map(|f| match guard(f) {
                Cow::Borrowed(f) => Cow::Borrowed(f.as_bytes()),
                Cow::Owned(f) => Cow::Owned(f.into_bytes()),
            }))?;
        }
    }
    w.into_inner().map_err(|e| e.into_error())
}

/// `out` becomes the cell's reference (`D12`), or empty without one.
fn cell_ref(out: &mut String, cell: Option<crate::finding::CellRef>) {
    use std::fmt::Write as _;
    out.clear();
    if let Some(cell) = cell {
        let _ = write!(out, "{cell}");
    }
}

/// A respondent as every one of its rows shows it.
struct Who<'a> {
    code: &'a str,
    name: &'a str,
    /// Whether it rates goals (the coordinator only comments).
    rates: bool,
    /// Whether its return was merged.
    reported: bool,
    /// The merged return's file, else empty.
    file: &'a str,
}

/// `svarsläge`: what the row holds, so a gap is told from a blank.
fn state(rates: bool, reported: bool, answer: Option<&GoalAnswer>) -> &'static str {
    match (reported, answer) {
        (false, _) => "inget svar",
        (true, None) => "rad saknas",
        (true, Some(_)) if !rates => "bedömer ej",
        (true, Some(a)) => match (a.rating(), a.written()) {
            (Some(Rating::Level(_)), _) => "bedömd",
            (Some(Rating::Compound(_)), _) => "sammansatt",
            (Some(Rating::Uncertain(_)), _) => "osäker",
            (None, Some(_)) => "ej på skalan",
            (None, None) => "blank",
        },
    }
}

/// The scale's label of a rating: `Pågående arbete`; each part of a
/// compound one (`Uppnått mål / Ej påbörjat arbete`); `?` after an
/// uncertain one.
fn label<'a>(plan: &'a Plan, r: &'a Rating) -> Cow<'a, str> {
    describe(r, " / ", &|code| {
        plan.scale
            .iter()
            .find(|l| l.code == code)
            .map_or(Cow::Borrowed(code), |l| Cow::Borrowed(l.label.as_str()))
    })
}

/// What a rating means by the scale: `pågående`, `uppnått/ej påbörjat`,
/// `pågående?`.
fn meaning<'a>(plan: &'a Plan, r: &'a Rating) -> Cow<'a, str> {
    describe(r, "/", &|code| {
        Cow::Borrowed(plan.meaning_of(code).map_or("", |m| m.swedish()))
    })
}

/// A rating spelt out level by level, in the shape it is written; a single
/// level as `level` gives it, without a copy (this runs for every row).
fn describe<'a>(
    r: &'a Rating,
    join: &str,
    level: &dyn Fn(&'a str) -> Cow<'a, str>,
) -> Cow<'a, str> {
    match r {
        Rating::Level(code) => level(code),
        Rating::Compound(parts) => Cow::Owned(
            parts
                .iter()
                .map(|p| level(p))
                .collect::<Vec<_>>()
                .join(join),
        ),
        Rating::Uncertain(inner) => Cow::Owned(format!("{}?", describe(inner, join, level))),
    }
}
