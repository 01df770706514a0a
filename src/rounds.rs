//! Follow-up over rounds: this round compared with an earlier one.
//!
//! A plan is followed up every year. What a coordinator asks of a new round
//! is what changed: which goals moved forward, which went backwards, which
//! are still not started. The earlier round is read from its
//! `sammanstallning.json` ([`PreviousRound::load`]); [`compare`] gives every
//! goal × region a [`Transition`] with a stable code, and lists goals added,
//! removed or re-worded between the rounds' plans (matched by id, never
//! guessed).
//!
//! ```
//! # let plan = samla::Plan::load("templates/cancerplan-norr-2022-2024.toml").unwrap();
//! use samla::rounds::{transition, Transition};
//! assert_eq!(transition(&plan, Some("P"), Some("U")), Some(Transition::Improved));
//! assert_eq!(transition(&plan, Some("E"), Some("E")), Some(Transition::StillNotStarted));
//! assert_eq!(transition(&plan, Some("U"), Some("U/E")), Some(Transition::NotComparable));
//! assert_eq!(transition(&plan, None, None), None);
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::merge::Consolidation;
use crate::plan::{GoalId, Meaning, Plan};
use crate::rating::{self, Parsed, Rating};

/// The schema an earlier round's JSON must have.
pub(crate) const SCHEMA_PREFIX: &str = "samla-sammanstallning/1";

/// An earlier round, as read from its `sammanstallning.json`. Fields added to
/// the schema since are ignored, so any later samla's output can be read.
#[derive(Debug, Clone, Deserialize)]
pub struct PreviousRound {
    /// The file it was read from (set by [`PreviousRound::load`]).
    #[serde(skip)]
    pub source: PathBuf,
    /// The earlier round's plan.
    pub plan: PreviousPlan,
    /// The regions of the earlier round.
    #[serde(default)]
    pub regions: Vec<PreviousRegion>,
    /// Its goals, ratings and comments.
    pub goals: Vec<PreviousGoal>,
    /// Its findings.
    #[serde(default)]
    pub discrepancies: Vec<PreviousFinding>,
}

/// A finding of an earlier run, as far as it is compared.
#[derive(Debug, Clone, Deserialize)]
pub struct PreviousFinding {
    /// The finding code.
    pub code: String,
    /// Respondent code.
    #[serde(default)]
    pub region: Option<String>,
    /// Goal id.
    #[serde(default)]
    pub goal: Option<String>,
    /// File as displayed.
    #[serde(default)]
    pub file: Option<String>,
    /// Cell, A1.
    #[serde(default)]
    pub cell: Option<String>,
}

/// The plan of an earlier round.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PreviousPlan {
    /// Plan id, e.g. `cancerplan-norr-2022-2024`.
    pub id: String,
    /// Plan title.
    #[serde(default)]
    pub title: String,
    /// Plan version.
    pub version: String,
    /// Follow-up period, e.g. `2022`.
    pub period: String,
}

/// A region of an earlier round.
#[derive(Debug, Clone, Deserialize)]
pub struct PreviousRegion {
    /// Region code.
    pub code: String,
    /// Whether its return was merged.
    #[serde(default)]
    pub reported: bool,
}

/// A goal of an earlier round with its answers.
#[derive(Debug, Clone, Deserialize)]
pub struct PreviousGoal {
    /// Goal id.
    pub id: GoalId,
    /// Goal text as in that round's plan.
    pub text: String,
    /// Region → rating in the scale's form; null when blank or not sent.
    #[serde(default)]
    pub ratings: BTreeMap<String, Option<String>>,
    /// Respondent → comment.
    #[serde(default)]
    pub comments: BTreeMap<String, String>,
}

/// Why an earlier round could not be read (the run stops: exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum PreviousError {
    /// The file could not be read.
    #[error("{}: förra omgången kunde inte läsas: {}. Ange förra omgångens utdatamapp eller dess sammanstallning.json med --previous.", path.display(), crate::oserror::swedish(source))]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a samla consolidation.
    #[error("{}: förra omgången är ingen sammanstallning.json från samla ({message}). Ange filen som samla merge skrev för förra omgången.", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong, from the JSON parser or the schema check.
        message: String,
    },
    /// The earlier round followed up another plan.
    #[error("{}: förra omgången gäller planen {found}, men planen här är {expected}. Ange en sammanställning av samma plan (plan-id {expected}) med --previous.", path.display())]
    OtherPlan {
        /// The file.
        path: PathBuf,
        /// The earlier round's plan id.
        found: String,
        /// This plan's id.
        expected: String,
    },
}

#[derive(Deserialize)]
struct SchemaOnly {
    schema: String,
}

impl PreviousRound {
    /// Reads an earlier round: an output folder (its `sammanstallning.json`)
    /// or the JSON file itself.
    pub fn load(path: &Path) -> Result<PreviousRound, PreviousError> {
        let file = if path.is_dir() {
            path.join(crate::pipeline::JSON)
        } else {
            path.to_path_buf()
        };
        let bytes = std::fs::read(&file).map_err(|source| PreviousError::Io {
            path: file.clone(),
            source,
        })?;
        PreviousRound::from_json(&bytes, &file)
    }

    /// Parses an earlier round's JSON; `file` is named in messages.
    pub fn from_json(bytes: &[u8], file: &Path) -> Result<PreviousRound, PreviousError> {
        let format = |message: String| PreviousError::Format {
            path: file.to_path_buf(),
            message,
        };
        let schema: SchemaOnly =
            serde_json::from_slice(bytes).map_err(|e| format(format!("ogiltig JSON: {e}")))?;
        if schema.schema != SCHEMA_PREFIX {
            return Err(format(format!(
                "schemat är {:?}, väntat {SCHEMA_PREFIX:?}",
                schema.schema
            )));
        }
        let mut round: PreviousRound =
            serde_json::from_slice(bytes).map_err(|e| format(e.to_string()))?;
        round.source = file.to_path_buf();
        Ok(round)
    }

    /// The earlier round if it followed up `plan` (same plan id); goals
    /// added, removed or re-worded since are fine, another plan is not.
    pub fn of_plan(self, plan: &Plan) -> Result<PreviousRound, PreviousError> {
        if self.plan.id != plan.id {
            return Err(PreviousError::OtherPlan {
                path: self.source,
                found: self.plan.id,
                expected: plan.id.clone(),
            });
        }
        Ok(self)
    }
}

/// How a region's rating of a goal moved between two rounds. The codes are
/// stable, like finding codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transition {
    /// Moved towards achieved.
    Improved,
    /// Moved away from achieved.
    Regressed,
    /// The same level (not "not started") in both rounds.
    Unchanged,
    /// Not started in both rounds.
    StillNotStarted,
    /// Rated now, blank or absent before.
    NewlyRated,
    /// Rated before, blank or absent now.
    NoLongerRated,
    /// A compound or uncertain rating, or a level without an order, in
    /// either round: a person has to compare.
    NotComparable,
}

impl Transition {
    /// Every kind, in the order reports list them.
    pub const ALL: [Transition; 7] = [
        Transition::Regressed,
        Transition::StillNotStarted,
        Transition::Improved,
        Transition::NewlyRated,
        Transition::NoLongerRated,
        Transition::NotComparable,
        Transition::Unchanged,
    ];

    /// The stable code, e.g. `still-not-started`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Improved => "improved",
            Transition::Regressed => "regressed",
            Transition::Unchanged => "unchanged",
            Transition::StillNotStarted => "still-not-started",
            Transition::NewlyRated => "newly-rated",
            Transition::NoLongerRated => "no-longer-rated",
            Transition::NotComparable => "not-comparable",
        }
    }

    /// What reports show, in Swedish.
    pub fn swedish(self) -> &'static str {
        match self {
            Transition::Improved => "förbättrad",
            Transition::Regressed => "försämrad",
            Transition::Unchanged => "oförändrad",
            Transition::StillNotStarted => "fortsatt ej påbörjad",
            Transition::NewlyRated => "ny bedömning",
            Transition::NoLongerRated => "bedömning saknas nu",
            Transition::NotComparable => "kan inte jämföras",
        }
    }
}

/// A level's place on the way to achieved: 0 = not started, higher =
/// further on; None for a level without an order (`ej aktuellt`, or a code
/// not on the scale).
///
/// This is the one place the order of the scale is decided: by the levels'
/// declared meanings (a plan that declares none gets them by position).
pub fn rank(plan: &Plan, code: &str) -> Option<usize> {
    match plan.meaning_of(code)? {
        Meaning::NotStarted => Some(0),
        Meaning::InProgress => Some(1),
        Meaning::Achieved => Some(2),
        Meaning::NotApplicable => None,
    }
}

/// The rank of a rating as written; None when compound, uncertain, not on
/// the scale or a level without an order.
fn rank_of(plan: &Plan, written: &str) -> Option<usize> {
    let scale: Vec<(String, String)> = plan
        .scale
        .iter()
        .map(|l| (l.code.clone(), l.label.clone()))
        .collect();
    match rating::parse(written, &scale) {
        Parsed::Exact(Rating::Level(c)) | Parsed::Normalised(Rating::Level(c)) => rank(plan, &c),
        _ => None,
    }
}

/// The transition from `before` to `after` (ratings as written; None when
/// blank or absent). None when both are blank: nothing to compare.
pub fn transition(plan: &Plan, before: Option<&str>, after: Option<&str>) -> Option<Transition> {
    let (before, after) = match (before, after) {
        (None, None) => return None,
        (None, Some(_)) => return Some(Transition::NewlyRated),
        (Some(_), None) => return Some(Transition::NoLongerRated),
        (Some(b), Some(a)) => (b, a),
    };
    Some(match (rank_of(plan, before), rank_of(plan, after)) {
        (Some(0), Some(0)) => Transition::StillNotStarted,
        (Some(b), Some(a)) if a > b => Transition::Improved,
        (Some(b), Some(a)) if a < b => Transition::Regressed,
        (Some(_), Some(_)) => Transition::Unchanged,
        _ => Transition::NotComparable,
    })
}

/// One goal × region between two rounds.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The goal's id.
    pub goal: GoalId,
    /// The region's code.
    pub respondent: String,
    /// The earlier rating as written; None when blank or absent.
    pub from: Option<String>,
    /// This round's rating as written; None when blank or absent.
    pub to: Option<String>,
    /// How it moved.
    pub kind: Transition,
    /// The goal's position in this round's consolidation and in the
    /// earlier round, where [`Comparison::comments`] finds the comments.
    #[serde(skip)]
    at: (usize, usize),
}

/// How a goal of the plan changed between the rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GoalChangeKind {
    /// In this round's plan only.
    Added,
    /// In the earlier round's plan only.
    Removed,
    /// In both, with different texts: compared under its id, but check that
    /// it still means the same.
    Reworded,
}

impl GoalChangeKind {
    /// What reports show, in Swedish.
    pub fn swedish(self) -> &'static str {
        match self {
            GoalChangeKind::Added => "nytt mål",
            GoalChangeKind::Removed => "borttaget mål",
            GoalChangeKind::Reworded => "omformulerat mål",
        }
    }
}

/// A goal added, removed or re-worded between the rounds' plans.
#[derive(Debug, Clone, Serialize)]
pub struct GoalChange {
    /// The goal's id.
    pub goal: GoalId,
    /// What changed.
    pub kind: GoalChangeKind,
    /// The text in the earlier round's plan.
    pub before: Option<String>,
    /// The text in this round's plan.
    pub after: Option<String>,
}

/// What `previous` in the JSON says about the earlier round.
#[derive(Debug, Clone, Serialize)]
pub struct PreviousInfo {
    /// Its plan id.
    pub plan: String,
    /// Its plan version.
    pub version: String,
    /// Its period.
    pub period: String,
    /// The file it was read from.
    pub file: String,
}

/// This round compared with an earlier one.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The earlier round.
    pub previous: PreviousInfo,
    /// Every goal × region rated in either round, in plan and region order.
    pub changes: Vec<Change>,
    /// Goals added, removed or re-worded, in plan order (removed last).
    pub goal_changes: Vec<GoalChange>,
    /// The earlier round, shared: its comments are looked up, not copied.
    #[serde(skip)]
    round: Arc<PreviousRound>,
}

impl Comparison {
    /// The earlier comment and this round's of `ch`, a change of this
    /// comparison of `c`. Looked up where they are: copied into every
    /// change, both rounds' comments were some 200 MB at 5,000 regions.
    pub fn comments<'a>(
        &'a self,
        c: &'a Consolidation,
        ch: &Change,
    ) -> (Option<&'a str>, Option<&'a str>) {
        let (now, before) = ch.at;
        let from = self.round.goals.get(before);
        let from = from.and_then(|p| p.comments.get(&ch.respondent));
        let to = c.goals.get(now).and_then(|g| g.answers.get(&ch.respondent));
        (from.map(String::as_str), to.and_then(|a| a.comment()))
    }

    /// Number of changes of each kind (every kind present, zeros included).
    pub fn counts(&self) -> BTreeMap<Transition, usize> {
        let mut m: BTreeMap<Transition, usize> = Transition::ALL.iter().map(|k| (*k, 0)).collect();
        for c in &self.changes {
            *m.entry(c.kind).or_default() += 1;
        }
        m
    }

    /// Goals with at least one change of `kind`, in plan order, each with
    /// its changes of that kind.
    pub fn goals_with(&self, kind: Transition) -> Vec<(&GoalId, Vec<&Change>)> {
        let mut out: Vec<(&GoalId, Vec<&Change>)> = Vec::new();
        for c in self.changes.iter().filter(|c| c.kind == kind) {
            match out.last_mut() {
                Some((g, list)) if *g == &c.goal => list.push(c),
                _ => out.push((&c.goal, vec![c])),
            }
        }
        out
    }
}

/// Compares this round's consolidation with an earlier round.
pub fn compare(plan: &Plan, c: &Consolidation, prev: &Arc<PreviousRound>) -> Comparison {
    // A goal listed twice counts as its last listing.
    let earlier: HashMap<&GoalId, usize> = prev.goals.iter().map(|g| &g.id).zip(0..).collect();
    let mut changes = Vec::new();
    let mut goal_changes = Vec::new();
    for (at_now, g) in c.goals.iter().enumerate() {
        let Some(&at_before) = earlier.get(&g.id) else {
            goal_changes.push(GoalChange {
                goal: g.id.clone(),
                kind: GoalChangeKind::Added,
                before: None,
                after: Some(g.text.clone()),
            });
            continue;
        };
        let p = &prev.goals[at_before];
        if p.text.trim() != g.text.trim() {
            goal_changes.push(GoalChange {
                goal: g.id.clone(),
                kind: GoalChangeKind::Reworded,
                before: Some(p.text.clone()),
                after: Some(g.text.clone()),
            });
        }
        for r in &plan.regions {
            let code = &r.code.0;
            let from = p.ratings.get(code).cloned().flatten();
            let now = g.answers.get(code);
            let to = now.and_then(|a| {
                a.rating()
                    .map(Rating::code)
                    .or(a.written().map(str::to_string))
            });
            let Some(kind) = transition(plan, from.as_deref(), to.as_deref()) else {
                continue;
            };
            changes.push(Change {
                goal: g.id.clone(),
                respondent: code.clone(),
                from,
                to,
                kind,
                at: (at_now, at_before),
            });
        }
    }
    let current: std::collections::HashSet<&GoalId> = c.goals.iter().map(|g| &g.id).collect();
    for p in prev.goals.iter().filter(|p| !current.contains(&p.id)) {
        goal_changes.push(GoalChange {
            goal: p.id.clone(),
            kind: GoalChangeKind::Removed,
            before: Some(p.text.clone()),
            after: None,
        });
    }
    Comparison {
        previous: PreviousInfo {
            plan: prev.plan.id.clone(),
            version: prev.plan.version.clone(),
            period: prev.plan.period.clone(),
            file: prev.source.display().to_string(),
        },
        changes,
        goal_changes,
        round: Arc::clone(prev),
    }
}

/// What a run knows about the follow-up over time, beside this round's
/// answers; empty when there is no earlier round.
#[derive(Debug, Clone, Default)]
pub struct OverTime {
    /// This round compared with an earlier one (`--previous`).
    pub comparison: Option<Comparison>,
    /// The run history found in the output folder; None when the run
    /// writes no history (`samla status`).
    pub history: Option<crate::history::History>,
    /// SHA-256 → when a run first saw a file with that content.
    pub first_seen: BTreeMap<String, String>,
    /// When this run started (UTC); None when it records nothing.
    pub run_time: Option<String>,
    /// What changed since the last run into the same output folder.
    pub since_last_run: Option<crate::history::SinceLastRun>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        crate::plan::bundled()
    }

    #[test]
    fn every_transition_kind() {
        let p = plan();
        let t = |b, a| transition(&p, b, a);
        assert_eq!(t(Some("E"), Some("P")), Some(Transition::Improved));
        assert_eq!(t(Some("P"), Some("U")), Some(Transition::Improved));
        assert_eq!(t(Some("U"), Some("P")), Some(Transition::Regressed));
        assert_eq!(t(Some("P"), Some("P")), Some(Transition::Unchanged));
        assert_eq!(t(Some("U"), Some("U")), Some(Transition::Unchanged));
        assert_eq!(t(Some("E"), Some("E")), Some(Transition::StillNotStarted));
        assert_eq!(t(None, Some("P")), Some(Transition::NewlyRated));
        assert_eq!(t(Some("P"), None), Some(Transition::NoLongerRated));
        assert_eq!(t(Some("U/E"), Some("U")), Some(Transition::NotComparable));
        assert_eq!(t(Some("P"), Some("P?")), Some(Transition::NotComparable));
        assert_eq!(t(Some("P"), Some("X")), Some(Transition::NotComparable));
        assert_eq!(t(Some("p"), Some("U")), Some(Transition::Improved));
        assert_eq!(t(None, None), None);
    }

    #[test]
    fn rank_runs_from_not_started() {
        let p = plan();
        assert_eq!(rank(&p, "E"), Some(0));
        assert_eq!(rank(&p, "P"), Some(1));
        assert_eq!(rank(&p, "U"), Some(2));
        assert_eq!(rank(&p, "X"), None);
    }

    #[test]
    fn a_level_that_does_not_apply_is_not_comparable() {
        let mut p = plan();
        p.scale.push(crate::plan::ScaleLevel {
            code: "EA".into(),
            label: "Ej aktuellt".into(),
            meaning: Some(Meaning::NotApplicable),
        });
        assert_eq!(rank(&p, "EA"), None);
        assert_eq!(
            transition(&p, Some("EA"), Some("U")),
            Some(Transition::NotComparable)
        );
        assert_eq!(
            transition(&p, Some("P"), Some("EA")),
            Some(Transition::NotComparable)
        );
    }

    #[test]
    fn refuses_what_is_not_a_consolidation() {
        let f = Path::new("x.json");
        let e = PreviousRound::from_json(b"{\"schema\":\"annat/1\"}", f).unwrap_err();
        assert!(e.to_string().contains("annat/1"), "{e}");
        let e = PreviousRound::from_json(b"inte json", f).unwrap_err();
        assert!(e.to_string().contains("ogiltig JSON"), "{e}");
    }
}
