//! Validates one read return against the plan: who sent it, which row is
//! which goal, what each rating means. Every judgement becomes a
//! [`Finding`]; nothing a region wrote is dropped without one.
//!
//! ```
//! # let plan = samla::Plan::load("templates/cancerplan-norr-2022-2024.toml").unwrap();
//! let path = std::path::Path::new("samples/inkorg/cancerplan-norr-2022-2024-RJH.xlsx");
//! let raw = samla::reader::read_return(path, &Default::default()).unwrap();
//! let sub = samla::validate::validate(&plan, path, &raw);
//! assert!(sub.accepted());
//! ```

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::contract::{meta, ANSWER_SHEET, FORMAT_TAG};
use crate::finding::{CellRef, Finding, FindingCode as C, Location};
use crate::plan::{GoalId, Plan, Respondent};
use crate::rating::Rating;
use crate::reader::{PropertyTime, RawReturn, ReadFailure};

pub mod identity;
mod previous;
mod rows;

use identity::identify;

/// A goal's answer in one return; the same answer is a cell of the
/// consolidated table (see [`crate::merge::GoalAnswers`]).
///
/// Kept small, as there is one per goal and return (275,000 at 5,000
/// returns): the rating as written is kept only when it is not exactly the
/// rating's code, and both cells are on the answer's row.
///
/// ```
/// use samla::validate::GoalAnswer;
/// use samla::Rating;
/// let a = GoalAnswer::on_row(9)
///     .with_rating(3, "U", Some(Rating::Level("U".into())))
///     .with_comment(4, "Klart.".into());
/// assert_eq!((a.written(), a.comment()), (Some("U"), Some("Klart.")));
/// assert_eq!(a.rating_cell().map(|c| c.to_string()).as_deref(), Some("D10"));
/// assert_eq!(a.comment_cell().map(|c| c.to_string()).as_deref(), Some("E10"));
/// let b = GoalAnswer::on_row(9).with_rating(3, "Ja", None);
/// assert_eq!((b.rating(), b.written(), b.comment_cell()), (None, Some("Ja"), None));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoalAnswer {
    rating: RatingCell,
    comment: Option<Box<str>>,
    /// The row the answer was read from (zero-based).
    row: u32,
    rating_col: Col,
    comment_col: Col,
}

/// The zero-based column of a cell an answer was read from, or none: four
/// bytes, not an `Option<u32>`'s eight (a merge holds an answer for every
/// goal of every return: 550,000 at 5,000 returns).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Col(u32);

impl Col {
    /// No cell. Past Excel's last column (XFD, 16,384), which every reader
    /// refuses to go beyond.
    const NONE: Col = Col(u32::MAX);

    fn get(self) -> Option<u32> {
        (self != Col::NONE).then_some(self.0)
    }
}

impl Default for Col {
    fn default() -> Col {
        Col::NONE
    }
}

/// What a rating cell holds, in the 24 bytes of a [`Rating`]: nearly
/// every cell is a single level written exactly as its code, and what was
/// written is then not kept a second time.
#[derive(Debug, Clone, Default, PartialEq)]
enum RatingCell {
    /// Nothing written.
    #[default]
    Blank,
    /// A single level, written exactly as its code.
    Exact(Rating),
    /// Anything else written (trimmed): understood as a rating in another
    /// form (`u`, `U/E`, `P?`), or not on the scale (None).
    Other(Box<(Option<Rating>, Box<str>)>),
}

impl GoalAnswer {
    /// A blank answer on zero-based `row`.
    pub fn on_row(row: u32) -> GoalAnswer {
        GoalAnswer {
            row,
            ..GoalAnswer::default()
        }
    }

    /// With its rating cell at zero-based `col`, `written` there (trimmed;
    /// blank for none) and understood as `rating` (None when blank or not
    /// on the scale).
    pub fn with_rating(mut self, col: u32, written: &str, rating: Option<Rating>) -> GoalAnswer {
        self.set_rating_cell(col, written, rating);
        self
    }

    /// With `comment` (not blank) in its cell at zero-based `col`.
    pub fn with_comment(mut self, col: u32, comment: String) -> GoalAnswer {
        self.comment_col = Col(col);
        self.comment = Some(comment.into_boxed_str());
        self
    }

    /// See [`GoalAnswer::with_rating`].
    fn set_rating_cell(&mut self, col: u32, written: &str, rating: Option<Rating>) {
        self.rating_col = Col(col);
        self.rating = match rating {
            Some(r) if r.level() == Some(written) => RatingCell::Exact(r),
            None if written.is_empty() => RatingCell::Blank,
            r => RatingCell::Other(Box::new((r, written.into()))),
        };
    }

    /// The rating understood, when it is on the scale.
    pub fn rating(&self) -> Option<&Rating> {
        match &self.rating {
            RatingCell::Blank => None,
            RatingCell::Exact(r) => Some(r),
            RatingCell::Other(other) => other.0.as_ref(),
        }
    }

    /// The rating cell as written (trimmed), when not blank (also when not
    /// on the scale).
    pub fn written(&self) -> Option<&str> {
        match &self.rating {
            RatingCell::Blank => None,
            RatingCell::Exact(r) => r.level(),
            RatingCell::Other(other) => Some(&*other.1).filter(|w| !w.is_empty()),
        }
    }

    /// The comment as written, when not blank.
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }

    /// The rating cell, e.g. `D10`; None when the row has none.
    pub fn rating_cell(&self) -> Option<CellRef> {
        self.rating_col.get().map(|col| CellRef::new(self.row, col))
    }

    /// The comment cell, e.g. `E10`; None when there is no comment.
    pub fn comment_cell(&self) -> Option<CellRef> {
        self.comment_col
            .get()
            .map(|col| CellRef::new(self.row, col))
    }

    /// The rating as shown in the reports: the scale code (`P`, `U/E`,
    /// `P?`), else what was written; None when blank. A single level is
    /// borrowed: the reports ask this for every answer.
    ///
    /// ```
    /// use samla::validate::GoalAnswer;
    /// let a = GoalAnswer::on_row(9).with_rating(3, "Ja", None);
    /// assert_eq!(a.shown().as_deref(), Some("Ja"));
    /// let b = GoalAnswer::on_row(9).with_rating(3, "u", Some(samla::Rating::Level("U".into())));
    /// assert_eq!((b.shown().as_deref(), b.written()), (Some("U"), Some("u")));
    /// ```
    pub fn shown(&self) -> Option<Cow<'_, str>> {
        match self.rating() {
            Some(r) => Some(r.as_code()),
            None => self.written().map(Cow::Borrowed),
        }
    }
}

impl Serialize for GoalAnswer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("GoalAnswer", 5)?;
        m.serialize_field("rating", &self.rating())?;
        m.serialize_field("written", &self.written())?;
        m.serialize_field("comment", &self.comment)?;
        m.serialize_field("rating_cell", &self.rating_cell())?;
        m.serialize_field("comment_cell", &self.comment_cell())?;
        m.end()
    }
}

/// A return's answers: one place per goal of the plan, in plan order,
/// empty where the return has no row for the goal. Kept by position rather
/// than keyed by goal id: no id is copied per answer, and the merge takes
/// the whole vector as it is (see [`crate::merge::GoalAnswers`]).
///
/// ```
/// # let plan = samla::Plan::load("templates/cancerplan-norr-2022-2024.toml").unwrap();
/// let path = std::path::Path::new("samples/inkorg/cancerplan-norr-2022-2024-RJH.xlsx");
/// let raw = samla::reader::read_return(path, &Default::default()).unwrap();
/// let answers = samla::validate::validate(&plan, path, &raw).answers().unwrap().clone();
/// let first = answers.get(&plan, "1.1").expect("goal 1.1 is answered");
/// assert!(first.rating().is_some());
/// assert_eq!(answers.iter(&plan).count(), plan.goal_count());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Answers(Vec<Option<GoalAnswer>>);

impl Answers {
    /// Answers by the plan's goal positions (`None` where there is no row).
    pub fn new(by_goal: Vec<Option<GoalAnswer>>) -> Answers {
        Answers(by_goal)
    }

    /// How many goal positions the answers cover.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no goal positions at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The answers by goal position, taken out.
    pub fn into_vec(self) -> Vec<Option<GoalAnswer>> {
        self.0
    }

    /// The answer to the goal at `position` in the plan's order.
    pub fn at(&self, position: usize) -> Option<&GoalAnswer> {
        self.0.get(position)?.as_ref()
    }

    /// The answer to the plan's goal `id`.
    pub fn get(&self, plan: &Plan, id: &str) -> Option<&GoalAnswer> {
        self.at(plan.goals().position(|(_, g)| g.id.0 == id)?)
    }

    /// Every answer with its goal, in plan order.
    pub fn iter<'a>(
        &'a self,
        plan: &'a Plan,
    ) -> impl Iterator<Item = (&'a GoalId, &'a GoalAnswer)> + 'a {
        plan.goals()
            .zip(&self.0)
            .filter_map(|((_, g), a)| Some((&g.id, a.as_ref()?)))
    }
}

/// What a file amounts to: exactly one of these, so that a file cannot be
/// both refused and answered, or skipped and read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum Outcome {
    /// A return of this respondent: merged unless a newer one of the same
    /// respondent is.
    Accepted {
        /// Who sent it, as every witness in the file agrees.
        respondent: Respondent,
        /// The answer of every goal that has a row.
        answers: Answers,
    },
    /// Read, or tried, and not merged; the reason is among the findings.
    Refused,
    /// Not a return (lock file, folder, link, other file type); left alone.
    Skipped,
}

/// What one file amounted to.
#[derive(Debug, Clone, Serialize)]
pub struct Submission {
    /// Path of the file as given.
    pub file: PathBuf,
    /// Accepted (with respondent and answers), refused or skipped.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Name of the answer sheet; None when none was found.
    pub sheet: Option<String>,
    /// Everything found about the file, including why it was refused.
    pub findings: Vec<Finding>,
    /// When the file says it was saved (`dcterms:modified`, ods `dc:date`,
    /// xls `PIDSI_LASTSAVE_DTM`), as found; judged by the merge.
    pub saved: Option<PropertyTime>,
    /// SHA-256 of the file's bytes, lower-case hex; None when it could not be read.
    pub sha256: Option<String>,
    /// Workbook format: `xlsx`, `xlsm`, `xlsb`, `xls` or `ods`; None when it could not be read.
    pub format: Option<String>,
}

impl Submission {
    /// A file with no outcome yet beyond "refused", and no findings.
    fn new(file: &Path, outcome: Outcome) -> Submission {
        Submission {
            file: file.to_path_buf(),
            outcome,
            sheet: None,
            findings: Vec::new(),
            saved: None,
            sha256: None,
            format: None,
        }
    }

    /// Whether the file's answers are merged (unless superseded).
    pub fn accepted(&self) -> bool {
        matches!(self.outcome, Outcome::Accepted { .. })
    }

    /// Who sent the file, when it was accepted.
    pub fn respondent(&self) -> Option<&Respondent> {
        match &self.outcome {
            Outcome::Accepted { respondent, .. } => Some(respondent),
            _ => None,
        }
    }

    /// The answers, when the file was accepted.
    pub fn answers(&self) -> Option<&Answers> {
        match &self.outcome {
            Outcome::Accepted { answers, .. } => Some(answers),
            _ => None,
        }
    }

    /// A file that could not be read at all.
    pub fn failed(file: &Path, failure: &ReadFailure) -> Submission {
        let mut sub = Submission::new(file, Outcome::Refused);
        sub.findings.push(
            Finding::new(
                failure.code,
                format!("{}.", failure.message.trim_end_matches('.')),
            )
            .at(Location::file(file)),
        );
        sub
    }

    /// An inbox entry that is not a return, and why (e.g. `ingen vanlig fil`).
    pub fn skipped(file: &Path, why: &str) -> Submission {
        let mut sub = Submission::new(file, Outcome::Skipped);
        sub.findings.push(
            Finding::new(
                C::SkippedEntry,
                format!("Hoppades över: {}.", why.trim_end_matches('.')),
            )
            .at(Location::file(file)),
        );
        sub
    }
}

fn fold(s: &str) -> String {
    let mut joined = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    // Every file folds its goal texts and the plan's: most are ASCII, and
    // lower-casing those in place saves a copy.
    if joined.is_ascii() {
        joined.make_ascii_lowercase();
        joined
    } else {
        joined.to_lowercase()
    }
}

/// Whether `s` takes more than `limit` UTF-16 units, as Excel counts. A
/// character never takes more UTF-16 units than UTF-8 bytes, so a text of
/// at most `limit` bytes (nearly every one) is not counted.
fn over_utf16(s: &str, limit: usize) -> bool {
    s.len() > limit && s.encode_utf16().count() > limit
}

/// Quotes a value in full: text outside the answers survives only here.
fn quote_full(s: &str) -> String {
    format!("\"{s}\"")
}

/// Shortens a value quoted in a message; the full value is elsewhere.
fn quote(s: &str) -> String {
    let n = s.chars().count();
    if n <= 80 {
        format!("\"{s}\"")
    } else {
        format!(
            "\"{}…\" ({n} tecken)",
            s.chars().take(80).collect::<String>()
        )
    }
}

/// Validates a read return against the plan.
pub fn validate(plan: &Plan, file: &Path, raw: &RawReturn) -> Submission {
    let mut sub = check(plan, file, raw);
    // Every return's findings are held until the end of reading: room
    // kept for more is the parent's peak.
    sub.findings.shrink_to_fit();
    sub
}

/// [`validate`], the findings as they were collected.
fn check(plan: &Plan, file: &Path, raw: &RawReturn) -> Submission {
    let mut sub = Submission::new(file, Outcome::Refused);
    sub.saved = raw.properties.saved.clone();
    sub.sha256 = Some(raw.sha256.clone());
    sub.findings
        .extend(raw.doubts.iter().map(|d| d.finding(file)));
    sub.format = Some(raw.format.clone());
    let Some(sheet) = &raw.answer else {
        let msg = if raw.meta.get(meta::FORMAT).map(String::as_str) == Some(FORMAT_TAG) {
            format!("Filen är en samla-mall, men bladet \"{ANSWER_SHEET}\" med rubrikraden (Mål-id, Mål, Bedömning, Kommentar) saknas. Använd den utskickade mallen och ändra inte rubrikerna.")
        } else {
            format!("Filen är ingen uppföljningsmall: inget blad har rubrikraden (Mål-id, Mål, Bedömning, Kommentar). Blad i filen: {}.", raw.sheets.join(", "))
        };
        sub.findings
            .push(Finding::new(C::NotATemplate, msg).at(Location::file(file)));
        return sub;
    };
    sub.sheet = Some(sheet.name.clone());
    let Some(who) = identify(plan, file, raw, &mut sub.findings) else {
        return sub;
    };
    let (answers, findings) = rows::Check::run(plan, file, raw, sheet, &who);
    sub.findings.extend(findings);
    sub.outcome = Outcome::Accepted {
        respondent: who,
        answers,
    };
    sub
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_joins_words_and_lowers_case_in_any_script() {
        for (text, folded) in [
            ("  Mål  1 \n Cancer ", "mål 1 cancer"),
            ("RJH", "rjh"),
            ("ÅTGÄRD\tKLAR", "åtgärd klar"),
            ("ΟΔΟΣ", "οδος"),
            ("", ""),
        ] {
            assert_eq!(fold(text), folded, "{text:?}");
            let old = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(fold(text), old.to_lowercase(), "{text:?}");
        }
    }

    #[test]
    fn an_answer_is_kept_in_seven_words() {
        // One per goal and return is held until the reports are written.
        let words = std::mem::size_of::<usize>();
        assert_eq!(std::mem::size_of::<RatingCell>(), 3 * words);
        #[cfg(target_pointer_width = "64")]
        assert_eq!(std::mem::size_of::<Option<GoalAnswer>>(), 56);
    }

    #[test]
    fn a_rating_cell_gives_back_what_was_written() {
        let level = |c: &str| Some(Rating::Level(c.into()));
        let compound = Some(Rating::Compound(["U".into(), "E".into()].into()));
        for (written, rating, shown) in [
            ("", None, None),
            ("U", level("U"), Some("U")),
            ("u", level("U"), Some("U")),
            ("Uppnått", level("U"), Some("U")),
            ("U/E", compound.clone(), Some("U/E")),
            ("U / E", compound, Some("U/E")),
            ("Ja", None, Some("Ja")),
        ] {
            let a = GoalAnswer::on_row(4).with_rating(3, written, rating.clone());
            let want = (!written.is_empty()).then_some(written);
            assert_eq!(a.written(), want, "{written}");
            assert_eq!(a.rating(), rating.as_ref(), "{written}");
            assert_eq!(a.shown().as_deref(), shown, "{written}");
            assert_eq!(a.rating_cell(), Some(CellRef::new(4, 3)));
        }
    }
}
