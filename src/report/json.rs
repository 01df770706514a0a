//! `sammanstallning.json`: the consolidated follow-up for machines. The
//! schema is documented in README.md (`samla-sammanstallning/1`).
//!
//! Values are exactly what regions wrote (comments word for word, ratings
//! in the scale's form); nothing is escaped or shortened, because a program
//! reading this file needs the data, not a spreadsheet-safe rendering of it.

use serde::{Serialize, Serializer};

use crate::finding::Finding;
use crate::merge::{AnswerOrder, Consolidation, GoalRow, Source, Stats};
use crate::pipeline::Summary;
use crate::plan::{Coordinator, Plan};
use crate::rounds::{Change, GoalChange, PreviousInfo};
use crate::validate::GoalAnswer;

/// Schema identifier written into the file.
pub const SCHEMA: &str = "samla-sammanstallning/1";

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    plan: PlanInfo<'a>,
    regions: Vec<RegionInfo<'a>>,
    goals: Vec<GoalOut<'a>>,
    discrepancies: &'a [Finding],
    sources: &'a [Source],
    stats: &'a Stats,
    summary: &'a Summary,
    /// The earlier round compared with (`--previous`); null without one.
    previous: Option<&'a PreviousInfo>,
    /// Every goal × region rated in either round: `{goal, respondent, from, to, kind}`.
    changes: &'a [Change],
    /// Goals added, removed or re-worded between the rounds' plans.
    plan_changes: &'a [GoalChange],
}

#[derive(Serialize)]
struct PlanInfo<'a> {
    id: &'a str,
    title: &'a str,
    version: &'a str,
    period: &'a str,
    /// The respondents' noun, `region/regioner`.
    noun: String,
    coordinator: &'a Coordinator,
    scale: &'a [crate::plan::ScaleLevel],
}

#[derive(Serialize)]
struct RegionInfo<'a> {
    code: &'a str,
    name: &'a str,
    reported: bool,
}

#[derive(Serialize)]
struct GoalOut<'a> {
    id: &'a str,
    area: &'a str,
    area_title: &'a str,
    text: &'a str,
    /// Who is responsible for the goal (`Ansvarig`), when the plan says.
    #[serde(skip_serializing_if = "Option::is_none")]
    responsible: Option<&'a str>,
    /// The goal's schedule (`Tidplan`), when the plan says.
    #[serde(skip_serializing_if = "Option::is_none")]
    schedule: Option<&'a str>,
    /// Every region of the plan: the rating in the scale's form, `null` when
    /// blank, not on the scale or not sent (see `discrepancies`).
    ratings: Ratings<'a>,
    /// Region or coordinator code → comment, for those who commented.
    comments: Comments<'a>,
}

/// A goal's `ratings`, by region code in code order (as a map keeps them),
/// made while they are written rather than held for every goal at once.
/// The next run's comparison basis writes them too
/// ([`crate::history::write_basis`]), so they are the same.
pub(crate) struct Ratings<'a> {
    goal: &'a GoalRow,
    /// The plan's region codes, sorted, and their lookup.
    codes: &'a [&'a str],
    order: &'a AnswerOrder<'a>,
}

impl<'a> Ratings<'a> {
    /// `goal`'s ratings by `codes` (from [`region_codes`]), found with
    /// `order` (an [`AnswerOrder`] of the same codes).
    pub(crate) fn new(goal: &'a GoalRow, codes: &'a [&'a str], order: &'a AnswerOrder<'a>) -> Self {
        Ratings { goal, codes, order }
    }
}

/// The plan's region codes as `ratings` lists them: sorted, each once.
pub(crate) fn region_codes(plan: &Plan) -> Vec<&str> {
    let mut codes: Vec<&str> = plan.regions.iter().map(|r| r.code.0.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

impl Serialize for Ratings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let answers = self.order.answers(self.goal);
        s.collect_map(self.codes.iter().zip(answers).map(|(code, a)| {
            // The scale's form: a rating's code, not what was written.
            let rating = a
                .filter(|a| a.rating().is_some())
                .and_then(GoalAnswer::shown);
            (code, rating)
        }))
    }
}

/// A goal's `comments`, by code in code order, made while written.
struct Comments<'a>(&'a GoalRow);

impl Serialize for Comments<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            self.0
                .answers
                .iter()
                .filter_map(|(code, a)| Some((code, a.comment()?))),
        )
    }
}

/// Serialises the consolidation into `out`, as it goes (at 5,000 returns
/// the text is over 100 MB; it is never held whole).
pub fn write_json(
    plan: &Plan,
    c: &Consolidation,
    summary: &Summary,
    mut out: impl std::io::Write,
) -> serde_json::Result<()> {
    let cmp = c.over_time.comparison.as_ref();
    let codes = region_codes(plan);
    let order = AnswerOrder::new(codes.iter().copied());
    let goals = c
        .goals
        .iter()
        .zip(plan.goals())
        .map(|(g, (_, pg))| GoalOut {
            id: &g.id.0,
            area: &g.area_id,
            area_title: &g.area,
            text: &g.text,
            responsible: pg.responsible.as_deref(),
            schedule: pg.schedule.as_deref(),
            ratings: Ratings::new(g, &codes, &order),
            comments: Comments(g),
        })
        .collect();
    let doc = Doc {
        schema: SCHEMA,
        plan: PlanInfo {
            id: &plan.id,
            title: &plan.title,
            version: &plan.version,
            period: &plan.period,
            noun: plan.noun.to_string(),
            coordinator: &plan.coordinator,
            scale: &plan.scale,
        },
        regions: plan
            .regions
            .iter()
            .map(|r| RegionInfo {
                code: &r.code.0,
                name: &r.name,
                reported: c.has_reported(&r.code.0),
            })
            .collect(),
        goals,
        discrepancies: &c.findings,
        sources: &c.sources,
        stats: &c.stats,
        summary,
        previous: cmp.map(|x| &x.previous),
        changes: cmp.map_or(&[], |x| &x.changes),
        plan_changes: cmp.map_or(&[], |x| &x.goal_changes),
    };
    serde_json::to_writer_pretty(&mut out, &doc)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}
