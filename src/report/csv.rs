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
///
/// A row repeats its goal's fields (plan to goal text, about half of its
/// bytes) and its respondent's: those are encoded once per goal and per
/// respondent and copied into each row; the fields that change are encoded
/// per row by the `csv` writer's own engine with the same settings.
pub fn write<W: Write>(plan: &Plan, c: &Consolidation, mut out: W) -> std::io::Result<W> {
    out.write_all(BOM)?;
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(SEPARATOR)
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(HEADER)?;
    let mut out = w.into_inner().map_err(|e| e.into_error())?;
    let mut enc = Encoder::new();
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
            let file = files.get(code).copied().unwrap_or("");
            Who {
                code,
                head: enc.fields(&[code, r.name(plan)]),
                rates: r.rates(),
                reported: c.has_reported(code),
                file: enc.fields(&[file]),
            }
        })
        .collect();
    let order = AnswerOrder::new(who.iter().map(|r| r.code));
    let mut row = Vec::new();
    for g in &c.goals {
        let goal = enc.fields(&[
            &plan.id,
            &plan.period,
            &g.area_id,
            &g.area,
            &g.id.0,
            &g.text,
        ]);
        for (r, answer) in who.iter().zip(order.answers(g)) {
            row.clear();
            row.extend_from_slice(&goal);
            row.push(SEPARATOR);
            row.extend_from_slice(&r.head);
            answer_fields(&mut enc, &mut row, plan, r, answer);
            row.extend_from_slice(b"\r\n");
            out.write_all(&row)?;
        }
    }
    Ok(out)
}

/// A row's fields from `svarsläge` on (after the respondent's code and
/// name), each after a `;`, encoded into `row`.
fn answer_fields(
    enc: &mut Encoder,
    row: &mut Vec<u8>,
    plan: &Plan,
    r: &Who,
    answer: Option<&GoalAnswer>,
) {
    let rating = answer.and_then(|a| a.rating());
    let (label, meaning) = rating
        .map(|x| (label(plan, x), meaning(plan, x)))
        .unwrap_or_default();
    // The scale code: a rating's, not what was written.
    let code = answer
        .filter(|_| rating.is_some())
        .and_then(GoalAnswer::shown)
        .unwrap_or_default();
    for f in [
        state(r.rates, r.reported, answer),
        answer.and_then(|a| a.written()).unwrap_or(""),
        &code,
        &label,
        &meaning,
        answer.and_then(|a| a.comment()).unwrap_or(""),
    ] {
        row.push(SEPARATOR);
        enc.field(row, f);
    }
    row.push(SEPARATOR);
    row.extend_from_slice(&r.file);
    for cell in [
        answer.and_then(GoalAnswer::rating_cell),
        answer.and_then(GoalAnswer::comment_cell),
    ] {
        row.push(SEPARATOR);
        if let Some(cell) = cell {
            // Letters and digits: nothing to guard or quote.
            row.extend_from_slice(cell.a1().as_str().as_bytes());
        }
    }
}

/// Encodes fields as the `csv` writer does, with its engine (`csv_core`)
/// and the same settings: quoted only where needed (a `;`, a quote or a
/// line break), a quote doubled; each field [`guard`]ed first.
struct Encoder {
    core: ::csv_core::Writer,
    /// The bytes the engine quotes a field for (`\n`, `\r`, `"`, `;`),
    /// looked for in a long field with memchr: the engine's own check, a
    /// byte at a time, was most of the cost of a comment.
    special: Option<[u8; 4]>,
    /// Room for a quoted field as the engine writes it.
    scratch: Vec<u8>,
}

impl Encoder {
    fn new() -> Encoder {
        // Quoted only where needed (csv_core's default quote style): a
        // field is quoted when it holds one of the engine's special bytes.
        let core = ::csv_core::WriterBuilder::new()
            .delimiter(SEPARATOR)
            .terminator(::csv_core::Terminator::CRLF)
            .build();
        let special: Vec<u8> = (0..=u8::MAX).filter(|&b| core.is_special_byte(b)).collect();
        Encoder {
            special: special.try_into().ok(),
            core,
            scratch: Vec::new(),
        }
    }

    /// Whether the engine quotes `bytes`.
    fn quoted(&self, bytes: &[u8]) -> bool {
        match self.special {
            // memchr's set-up costs more than the engine's check of a short field.
            Some([a, b, c, d]) if bytes.len() >= 64 => {
                memchr::memchr3(a, b, c, bytes).is_some() || memchr::memchr(d, bytes).is_some()
            }
            _ => self.core.should_quote(bytes),
        }
    }

    /// `fields` encoded, between `;`.
    fn fields(&mut self, fields: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(SEPARATOR);
            }
            self.field(&mut out, f);
        }
        out
    }

    /// Appends `text`, guarded and encoded, to `out`.
    fn field(&mut self, out: &mut Vec<u8>, text: &str) {
        let text = guard(text);
        let bytes = text.as_bytes();
        if !self.quoted(bytes) {
            out.extend_from_slice(bytes);
            return;
        }
        // Each quote doubled at most: twice the bytes always suffice.
        self.scratch.clear();
        self.scratch.resize(2 * bytes.len(), 0);
        let q = self.core.get_quote();
        let (_, _, n) = ::csv_core::quote(
            bytes,
            &mut self.scratch,
            q,
            self.core.get_escape(),
            self.core.get_double_quote(),
        );
        out.push(q);
        out.extend_from_slice(&self.scratch[..n]);
        out.push(q);
    }
}

/// A respondent as every one of its rows shows it.
struct Who<'a> {
    code: &'a str,
    /// Its code and name, encoded.
    head: Vec<u8>,
    /// Whether it rates goals (the coordinator only comments).
    rates: bool,
    /// Whether its return was merged.
    reported: bool,
    /// The merged return's file, else empty; encoded.
    file: Vec<u8>,
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The encoder quotes and guards as the `csv` writer with
        /// [`guard`]ed fields does (a row always has several fields).
        #[test]
        fn fields_are_encoded_as_the_csv_writer_does(
            fields in proptest::collection::vec("([a-zå =+@\t'-]{0,70}[;\"\r\n]?){0,2}", 2..6),
        ) {
            let mut w = ::csv::WriterBuilder::new()
                .delimiter(SEPARATOR)
                .terminator(::csv::Terminator::CRLF)
                .from_writer(Vec::new());
            w.write_record(fields.iter().map(|f| guard(f).into_owned())).unwrap();
            let mut want = w.into_inner().unwrap();
            want.truncate(want.len() - 2);
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(Encoder::new().fields(&fields), want);
        }
    }

    #[test]
    fn the_engine_quotes_for_four_bytes() {
        assert_eq!(Encoder::new().special, Some(*b"\n\r\";"));
    }
}
