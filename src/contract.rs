//! The template's format contract: what a samla template looks like, in one
//! place. The template writer ([`crate::template`]) writes it, the reader
//! ([`crate::reader`]) finds it again in a returned workbook and the
//! validator ([`crate::validate`]) judges a return against it, so none of
//! them depends on another for these names.
//!
//! ```
//! use samla::contract::{header, ANSWER_SHEET, HEADER_ROW};
//! assert_eq!(ANSWER_SHEET, "Uppföljning");
//! assert_eq!(HEADER_ROW, 4);
//! assert_eq!(samla::contract::classify_header("Bedömning (U/P/E)"), Some(header::Column::Rating));
//! ```

use rust_xlsxwriter::ExcelDateTime;

use crate::plan::{Plan, Respondent};

/// Name of the sheet respondents fill in.
pub const ANSWER_SHEET: &str = "Uppföljning";
/// Name of the instructions sheet.
pub const INSTRUCTIONS_SHEET: &str = "Instruktioner";
/// Name of the hidden identity sheet.
pub const META_SHEET: &str = "samla";
/// Name of the hidden, protected sheet that keeps what the previous-round
/// columns showed (only in a template written with `--previous`): the
/// evidence a returned file is checked against, since a person may unlock
/// the sheet and type over those columns.
pub const PREVIOUS_SHEET: &str = "samla-förra";
/// Value of the `format` key in the identity sheet.
pub const FORMAT_TAG: &str = "samla-mall/1";
/// Zero-based row of the answer table's header.
pub const HEADER_ROW: u32 = 4;
/// Excel's limit for one cell, in UTF-16 code units.
pub const CELL_LIMIT: usize = 32_767;

/// The fixed creation time that makes every written workbook byte-for-byte
/// reproducible.
pub fn fixed_datetime() -> ExcelDateTime {
    ExcelDateTime::from_ymd(2024, 1, 1).expect("a valid constant date")
}

/// Column headers of the answer sheet, as written and as recognised.
pub mod header {
    /// Header of the area column.
    pub const AREA: &str = "Område";
    /// Header of the goal id column.
    pub const GOAL_ID: &str = "Mål-id";
    /// Header of the goal text column.
    pub const GOAL: &str = "Mål";
    /// Header of the read-only column of who is responsible (when the plan says).
    pub const RESPONSIBLE: &str = "Ansvarig";
    /// Header of the read-only column of the schedule (when the plan says).
    pub const SCHEDULE: &str = "Tidplan";
    /// Header of the rating column.
    pub const RATING: &str = "Bedömning";
    /// Header of the comment column.
    pub const COMMENT: &str = "Kommentar (nuläge)";
    /// How the headers of the previous round's read-only columns begin.
    pub const PREVIOUS: &str = "Förra omgången";

    /// Header of the read-only column of the previous round's rating,
    /// e.g. `Förra omgången (2022): bedömning`.
    pub fn previous_rating(period: &str) -> String {
        format!("{PREVIOUS} ({period}): bedömning")
    }

    /// Header of the read-only column of the previous round's comment.
    pub fn previous_comment(period: &str) -> String {
        format!("{PREVIOUS} ({period}): kommentar")
    }

    /// The answer table's columns that carry meaning.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Column {
        /// The area (`Område`).
        Area,
        /// The goal id (`Mål-id`).
        GoalId,
        /// The goal text (`Mål`).
        Goal,
        /// Who is responsible (`Ansvarig`): the plan's, read-only.
        Responsible,
        /// The schedule (`Tidplan`): the plan's, read-only.
        Schedule,
        /// The rating (`Bedömning`).
        Rating,
        /// The comment (`Kommentar (nuläge)`).
        Comment,
        /// The previous round's rating, read-only: never an answer.
        PreviousRating,
        /// The previous round's comment, read-only: never an answer.
        PreviousComment,
    }
}

/// Keys of the identity sheet.
pub mod meta {
    /// Key of the template format; its value is [`FORMAT_TAG`](super::FORMAT_TAG).
    pub const FORMAT: &str = "format";
    /// Key of the plan's id.
    pub const PLAN_ID: &str = "plan-id";
    /// Key of the plan's version.
    pub const PLAN_VERSION: &str = "plan-version";
    /// Key of the plan's title.
    pub const PLAN_TITLE: &str = "plan-titel";
    /// Key of the follow-up period.
    pub const PERIOD: &str = "period";
    /// Key of the role: [`ROLE_REGION`] or [`ROLE_COORDINATOR`].
    pub const ROLE: &str = "roll";
    /// Key of the respondent's code, e.g. `RJH`.
    pub const CODE: &str = "kod";
    /// Key of the respondent's name.
    pub const NAME: &str = "namn";
    /// Key of the number of goals in the plan.
    pub const GOALS: &str = "antal-mal";
    /// Value of [`ROLE`] in a rating respondent's template.
    pub const ROLE_REGION: &str = "region";
    /// Value of [`ROLE`] in the coordinator's template.
    pub const ROLE_COORDINATOR: &str = "samordnare";
}

/// Columns of the answer sheet for this respondent, in order, with their
/// headers: the goal, the plan's `Ansvarig` and `Tidplan` when any goal has
/// them, the previous round's rating and comment when the template starts
/// from an earlier round (`previous` is its period), then the answer (no
/// rating for the coordinator, nor a previous rating).
pub fn columns(
    plan: &Plan,
    who: &Respondent,
    previous: Option<&str>,
) -> Vec<(header::Column, String)> {
    use header::Column as H;
    let mut cols = vec![
        (H::Area, header::AREA.to_string()),
        (H::GoalId, header::GOAL_ID.to_string()),
        (H::Goal, header::GOAL.to_string()),
    ];
    if plan.goals().any(|(_, g)| g.responsible.is_some()) {
        cols.push((H::Responsible, header::RESPONSIBLE.to_string()));
    }
    if plan.goals().any(|(_, g)| g.schedule.is_some()) {
        cols.push((H::Schedule, header::SCHEDULE.to_string()));
    }
    if let Some(period) = previous {
        if who.rates() {
            cols.push((H::PreviousRating, header::previous_rating(period)));
        }
        cols.push((H::PreviousComment, header::previous_comment(period)));
    }
    if who.rates() {
        cols.push((H::Rating, header::RATING.to_string()));
    }
    cols.push((H::Comment, header::COMMENT.to_string()));
    cols
}

/// The hidden copy of what the previous-round columns showed
/// ([`PREVIOUS_SHEET`]): a header row, then one row per goal of the plan
/// with the goal id, the rating shown and the comment shown (blank cells
/// where nothing was shown).
pub mod previous {
    /// Zero-based column of the goal id.
    pub const GOAL_ID: u16 = 0;
    /// Zero-based column of the rating shown.
    pub const RATING: u16 = 1;
    /// Zero-based column of the comment shown.
    pub const COMMENT: u16 = 2;
    /// The header row's texts (row 1).
    pub const HEADERS: [&str; 3] = ["Mål-id", "Visad bedömning", "Visad kommentar"];
}

/// Folds a header for matching: lower case, letters and digits only.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Other names a hand-made copy of the template may use, folded: whole
/// names of the goal id and goal columns, beginnings of the rating and
/// comment columns.
const GOAL_ID_ALIASES: [&str; 3] = ["id", "målnr", "nr"];
const GOAL_ALIASES: [&str; 1] = ["måltext"];
const RATING_PREFIXES: [&str; 2] = ["uppföljning", "nivå"];
const COMMENT_PREFIXES: [&str; 2] = ["kommentar", "nuläge"];

/// The folded forms of the constant header names [`classify_header`]
/// compares with, folded once: it runs for every short text cell near the
/// top of every sheet of every return.
struct Folded {
    previous: String,
    previous_rating: String,
    previous_comment: String,
    goal_id: String,
    goal: String,
    rating: String,
    responsible: String,
    schedule: String,
    area: String,
    /// The first characters of every name a header may equal or begin
    /// with; `None` if one folds to nothing (then anything may match).
    firsts: Option<Vec<char>>,
}

static FOLDED: std::sync::LazyLock<Folded> = std::sync::LazyLock::new(|| {
    let mut k = Folded {
        previous: fold(header::PREVIOUS),
        previous_rating: fold("bedömning"),
        previous_comment: fold("kommentar"),
        goal_id: fold(header::GOAL_ID),
        goal: fold(header::GOAL),
        rating: fold(header::RATING),
        responsible: fold(header::RESPONSIBLE),
        schedule: fold(header::SCHEDULE),
        area: fold(header::AREA),
        firsts: None,
    };
    let names = [
        &k.previous,
        &k.goal_id,
        &k.goal,
        &k.rating,
        &k.responsible,
        &k.schedule,
        &k.area,
    ];
    let aliases = [
        &GOAL_ID_ALIASES[..],
        &GOAL_ALIASES,
        &RATING_PREFIXES,
        &COMMENT_PREFIXES,
    ];
    let all = names
        .into_iter()
        .map(String::as_str)
        .chain(aliases.into_iter().flatten().copied());
    k.firsts = all.map(|n| n.chars().next()).collect();
    k
});

/// Whether `text` may fold to a known header name: its first letter or
/// digit, lower-cased, begins one. Most cells fail this, and are not
/// folded (an allocation per cell) at all.
fn may_be_header(text: &str, k: &Folded) -> bool {
    let Some(firsts) = &k.firsts else {
        return true;
    };
    let first = text.chars().find(|c| c.is_alphanumeric());
    first
        .and_then(|c| c.to_lowercase().next())
        .is_some_and(|c| firsts.contains(&c))
}

/// Which answer column a header names, if any. Recognised loosely, so a
/// hand-made copy of the template (`Målnr`, `Nuläge`) is still read.
pub fn classify_header(text: &str) -> Option<header::Column> {
    if !may_be_header(text, &FOLDED) {
        return None;
    }
    classify_folded(&fold(text))
}

/// [`classify_header`] of a header already folded.
fn classify_folded(f: &str) -> Option<header::Column> {
    use header::Column as H;
    let k = &*FOLDED;
    if f.starts_with(&k.previous) {
        // Before the rating and comment: "Förra omgången (2022): bedömning"
        // must never be taken for this round's rating.
        if f.ends_with(&k.previous_rating) {
            Some(H::PreviousRating)
        } else if f.ends_with(&k.previous_comment) {
            Some(H::PreviousComment)
        } else {
            None
        }
    } else if f == k.goal_id || GOAL_ID_ALIASES.contains(&f) {
        Some(H::GoalId)
    } else if f == k.goal || GOAL_ALIASES.contains(&f) {
        Some(H::Goal)
    } else if f.starts_with(&k.rating) || RATING_PREFIXES.iter().any(|p| f.starts_with(p)) {
        Some(H::Rating)
    } else if COMMENT_PREFIXES.iter().any(|p| f.starts_with(p)) {
        Some(H::Comment)
    } else if f == k.responsible {
        Some(H::Responsible)
    } else if f == k.schedule {
        Some(H::Schedule)
    } else if f.starts_with(&k.area) {
        Some(H::Area)
    } else {
        None
    }
}

/// The first line above the answer table: the plan's title and period,
/// the same in every respondent's template.
pub fn title_line(plan: &Plan) -> String {
    format!("{} – uppföljning {}", plan.title, plan.period)
}

/// The three lines above the answer table (column A, rows 1–3): title,
/// respondent, scale. The validator knows them, so anything else typed
/// above the table is reported rather than ignored.
pub fn preamble(plan: &Plan, who: &Respondent) -> [String; 3] {
    let hint = if who.rates() {
        format!(
            "Skala: {}. Lämna blankt om ingen bedömning görs.",
            plan.scale_legend()
        )
    } else {
        format!(
            "Samordnarens kommentarer. Bedömningar görs av varje {} i sin egen mall.",
            plan.noun.singular
        )
    };
    [
        title_line(plan),
        format!("Svarande: {} – {}", who.code(plan), who.name(plan)),
        hint,
    ]
}

#[cfg(test)]
mod tests {
    use super::header::Column as H;
    use super::*;

    #[test]
    fn headers_are_recognised_loosely() {
        assert_eq!(classify_header("Mål-id"), Some(H::GoalId));
        assert_eq!(classify_header(" mål id "), Some(H::GoalId));
        assert_eq!(classify_header("Bedömning (U/P/E)"), Some(H::Rating));
        assert_eq!(classify_header("Kommentar (nuläge)"), Some(H::Comment));
        assert_eq!(classify_header("Mål"), Some(H::Goal));
        assert_eq!(classify_header("Övrigt"), None);
    }

    #[test]
    fn texts_passed_over_unfolded_are_classified_as_folded() {
        let texts = [
            "",
            " ",
            "–",
            "1.1",
            "Mål-id",
            "(mål) id",
            "ID",
            "Nr",
            "NR.",
            "Målnr",
            "Måltext",
            "MÅL",
            "Ansvarig",
            "Tidplan",
            "Område 3",
            "Uppföljning 2023",
            "Nivå",
            "Nuläge",
            "Kommentar",
            "Förra omgången (2022): bedömning",
            "Förra omgången: kommentar",
            "Förra omgången",
            "İd",
            "Övrigt",
            "Delvis",
            "Uppfyllt",
            "Ja",
            "E",
            "x",
            "ﬁ",
        ];
        for t in texts {
            assert_eq!(classify_header(t), classify_folded(&fold(t)), "{t}");
        }
        // The pre-check is on, and passes over a cell that is no header.
        assert!(FOLDED.firsts.is_some(), "a header name folds to nothing");
        assert!(!may_be_header("Delvis", &FOLDED));
        assert!(may_be_header(" (Mål)", &FOLDED));
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_classified_as_folded(t in "\\PC{0,12}") {
            proptest::prop_assert_eq!(classify_header(&t), classify_folded(&fold(&t)));
        }
    }

    #[test]
    fn every_written_header_is_recognised() {
        for h in [
            header::AREA,
            header::GOAL_ID,
            header::GOAL,
            header::RESPONSIBLE,
            header::SCHEDULE,
            header::RATING,
            header::COMMENT,
        ] {
            assert!(classify_header(h).is_some(), "{h}");
        }
        assert_eq!(
            classify_header(&header::previous_rating("2022")),
            Some(H::PreviousRating)
        );
        assert_eq!(
            classify_header(&header::previous_comment("2022/23")),
            Some(H::PreviousComment)
        );
    }
}
