//! The summary's goal lists and how they are named, shared by the workbook's
//! `Sammanfattning` and the Word report, so both say the same thing.
//!
//! Every list counts the regions that answered ([`Stats::answered`]) and
//! says so: a region that sent nothing is named once as missing, not
//! counted as blank on every goal.
//!
//! ```
//! # let plan = samla::Plan::load("templates/cancerplan-norr-2022-2024.toml").unwrap();
//! let c = samla::merge::merge(&plan, Vec::<samla::validate::Submission>::new());
//! assert_eq!(
//!     samla::report::summary::answered_note(&plan, &c.stats),
//!     "0 av 4 regioner har svarat; RJH, RN, RV och RVN saknas."
//! );
//! ```

use crate::merge::Stats;
use crate::plan::{GoalId, Meaning, Plan};

/// Which list of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// Rated with the first level (achieved) by every answering region.
    AchievedEverywhere,
    /// … by all answering regions but one.
    AchievedAllButOne,
    /// Rated with the last level (not started) by at least one region.
    NotStartedSomewhere,
    /// At least one answering region gave no rating.
    MissingRating,
    /// Compound, uncertain or invalid ratings to follow up.
    OtherRating,
}

/// One goal list of the summary.
#[derive(Debug, Clone)]
pub struct GoalList<'a> {
    /// Which list.
    pub kind: ListKind,
    /// Its heading, e.g. `Mål som alla regioner bedömer som uppnått mål`.
    pub title: String,
    /// The goals, in plan order.
    pub goals: &'a [GoalId],
}

/// The lists in the order the summary shows them.
pub fn lists<'a>(plan: &Plan, st: &'a Stats) -> Vec<GoalList<'a>> {
    let (achieved, not_started) = (
        meaning_label(plan, Meaning::Achieved),
        meaning_label(plan, Meaning::NotStarted),
    );
    let (one, many) = (&plan.noun.singular, &plan.noun.plural);
    // "alla regioner" when everyone answered, else say whom the list counts.
    let who = if st.not_answered.is_empty() {
        ""
    } else {
        " som har svarat"
    };
    let list = |kind, title: String, goals| GoalList { kind, title, goals };
    vec![
        list(
            ListKind::AchievedEverywhere,
            format!("Mål som alla {many}{who} bedömer som {achieved}"),
            &st.achieved_everywhere,
        ),
        list(
            ListKind::AchievedAllButOne,
            format!("Mål som alla {many}{who} utom en bedömer som {achieved}"),
            &st.achieved_all_but_one,
        ),
        list(
            ListKind::NotStartedSomewhere,
            format!("Mål som minst en {one} bedömer som {not_started}"),
            &st.not_started_somewhere,
        ),
        list(
            ListKind::MissingRating,
            format!("Mål där minst en {one}{who} saknar bedömning"),
            &st.missing_some_rating,
        ),
        list(
            ListKind::OtherRating,
            format!(
                "Mål med sammansatt eller osäker bedömning (t.ex. {}) att följa upp",
                examples(plan)
            ),
            &st.other_rating,
        ),
    ]
}

/// The label of the level with this meaning, lower case (`uppnått mål`),
/// or the meaning's own word when the scale has no such level.
pub fn meaning_label(plan: &Plan, m: Meaning) -> String {
    plan.level_meaning(m)
        .map(|l| l.label.to_lowercase())
        .unwrap_or_else(|| m.swedish().to_string())
}

/// A compound and an uncertain rating in the plan's own codes: `U/E, P?`.
pub fn examples(plan: &Plan) -> String {
    format!("{}, {}", plan.compound_example(), plan.uncertain_example())
}

/// Who the lists count: `4 av 4 regioner har svarat.` or
/// `3 av 4 regioner har svarat; RVN saknas.`
pub fn answered_note(plan: &Plan, st: &Stats) -> String {
    let total = plan.regions.len();
    let noun = if total == 1 {
        &plan.noun.singular
    } else {
        &plan.noun.plural
    };
    let head = format!("{} av {total} {noun} har svarat", st.answered.len());
    if st.not_answered.is_empty() {
        format!("{head}.")
    } else {
        format!("{head}; {} saknas.", join_and(&st.not_answered))
    }
}

/// `A`, `A och B`, `A, B och C`.
///
/// ```
/// let v = ["RJH", "RN", "RV"].map(String::from);
/// assert_eq!(samla::report::summary::join_and(&v), "RJH, RN och RV");
/// ```
pub fn join_and(items: &[impl AsRef<str>]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => format!(
            "{} och {}",
            rest.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// A small count as a Swedish word (`fyra`), larger ones as digits; for
/// common-gender nouns such as *region*.
///
/// ```
/// assert_eq!(samla::report::summary::count_word(4), "fyra");
/// assert_eq!(samla::report::summary::count_word(27), "27");
/// ```
pub fn count_word(n: usize) -> String {
    const WORDS: [&str; 13] = [
        "noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva",
        "tolv",
    ];
    WORDS
        .get(n)
        .map(|w| w.to_string())
        .unwrap_or_else(|| n.to_string())
}
