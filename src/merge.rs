//! Merges validated submissions into one consolidated follow-up: picks one
//! return per respondent (the newest), lists what is missing, and builds the
//! goals × regions table and the summary the reports are written from.
//!
//! ```
//! # let plan = samla::Plan::load("templates/cancerplan-norr-2022-2024.toml").unwrap();
//! let c = samla::merge::merge(&plan, Vec::<samla::validate::Submission>::new());
//! // Nobody sent anything: one missing submission per region and the coordinator.
//! assert_eq!(c.findings.len(), plan.regions.len() + 1);
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::finding::{Finding, FindingCode as C, Location, Severity};
use crate::plan::{GoalId, Meaning, Plan, Respondent};
use crate::rating::Rating;
use crate::reader::UtcTime;
use crate::validate::{Answers, GoalAnswer, Outcome, Submission};

pub mod resubmission;

use resubmission::{decide, return_time, ReturnTime, EARLIEST};

/// What became of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceStatus {
    /// Its answers are in the consolidation.
    Merged,
    /// Accepted, but a newer return from the same respondent was merged instead.
    Superseded,
    /// Not merged (wrong plan, unreadable, not a template, …); the reason is among the findings.
    Refused,
    /// Not a return (lock file, folder, link, other file type); left alone.
    Skipped,
}

impl SourceStatus {
    /// The Swedish phrase shown in reports, e.g. `sammanslagen`.
    pub fn swedish(self) -> &'static str {
        match self {
            SourceStatus::Merged => "sammanslagen",
            SourceStatus::Superseded => "ersatt av nyare",
            SourceStatus::Refused => "avvisad",
            SourceStatus::Skipped => "hoppades över",
        }
    }
}

/// A file of the inbox and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// Path of the file as displayed.
    pub file: String,
    /// Code of the respondent the file is from, e.g. `RJH`; None when that could not be established.
    pub region: Option<String>,
    /// SHA-256 of the file's bytes, lower-case hex; None when the file could not be read.
    pub sha256: Option<String>,
    /// When the file says it was saved, else its modification time (UTC).
    pub time: Option<String>,
    /// When the file says it was saved (`dcterms:modified`, UTC), as the
    /// sender's program wrote it; None when the file does not say.
    pub saved: Option<String>,
    /// The file's modification time in the inbox (UTC): normally when it
    /// arrived there; None when the file system does not tell.
    pub found: Option<String>,
    /// Workbook format: `xlsx`, `xlsm`, `xlsb`, `xls` or `ods`; None when the file could not be read.
    pub format: Option<String>,
    /// What became of the file.
    pub status: SourceStatus,
}

/// The answers of every merged return as validated: one [`Answers`] per
/// respondent, in code order. A return's answers are moved here whole, not
/// copied answer by answer into goal rows: at 5,000 returns such copies
/// (made on the merge's thread, while the returns' memory, freed on the
/// reader threads, could not be reused) added some 70 MB to the peak.
#[derive(Debug, Default)]
pub struct Table {
    /// Respondent codes, sorted.
    codes: Vec<String>,
    /// Each goal's answers (by the goal's position in the plan), in the
    /// order of `codes`, in blocks of `block` respondents.
    ///
    /// Goal by goal, not return by return as they were read: every output
    /// goes through the table goal by goal, each goal through every
    /// respondent. Kept by return, that was a jump of a return's size (7 KB
    /// at 110 goals) from one answer to the next, a cache miss each time
    /// once the table outgrows the cache (at a few thousand returns). In
    /// blocks as large as a return's list of answers (as many respondents
    /// as there are goals), so that the lists freed while the table is made
    /// are used again for it, whole, instead of the process holding both.
    by_goal: Vec<Vec<Vec<Option<GoalAnswer>>>>,
    /// Respondents per block.
    block: usize,
}

impl Table {
    /// The table of these respondents' answers (each code once).
    pub fn new(mut by_code: Vec<(String, Answers)>) -> Table {
        by_code.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let goals = by_code.iter().map(|(_, a)| a.len()).max().unwrap_or(0);
        let block = goals.max(1);
        let mut by_goal: Vec<Vec<Vec<Option<GoalAnswer>>>> = vec![Vec::new(); goals];
        let mut codes = Vec::with_capacity(by_code.len());
        for (i, (code, answers)) in by_code.into_iter().enumerate() {
            let mut answers = answers.into_vec().into_iter();
            for blocks in &mut by_goal {
                if i % block == 0 {
                    blocks.push(Vec::with_capacity(block));
                }
                if let Some(block) = blocks.last_mut() {
                    block.push(answers.next().flatten());
                }
            }
            // The return's list is freed here: the next block takes its place.
            drop(answers);
            codes.push(code);
        }
        Table {
            codes,
            by_goal,
            block,
        }
    }

    /// The answer in row `row` (a respondent's place in `codes`) to the
    /// goal at `goal`.
    fn at(&self, row: usize, goal: usize) -> Option<&GoalAnswer> {
        self.by_goal
            .get(goal)?
            .get(row / self.block)?
            .get(row % self.block)?
            .as_ref()
    }

    /// The answers to the goal at `goal`, in the order of `codes`.
    fn column(&self, goal: usize) -> impl Iterator<Item = &Option<GoalAnswer>> + '_ {
        self.by_goal.get(goal).into_iter().flatten().flatten()
    }
}

/// One goal's column of the [`Table`]: each respondent's answer to the
/// goal, by respondent code, iterated in code order.
///
/// ```
/// use samla::merge::{GoalAnswers, Table};
/// use samla::validate::{Answers, GoalAnswer};
/// let said = |c: &str| Some(GoalAnswer::on_row(9).with_comment(4, c.into()));
/// let table = Table::new(vec![
///     ("RN".into(), Answers::new(vec![said("RN om 1.1"), None])),
///     ("RJH".into(), Answers::new(vec![None, said("RJH om 1.2")])),
/// ]);
/// let second = GoalAnswers::new(std::sync::Arc::new(table), 1);
/// assert_eq!(second.get("RJH").and_then(|a| a.comment()), Some("RJH om 1.2"));
/// assert!(second.get("RN").is_none());
/// assert_eq!(second.iter().map(|(code, _)| code).collect::<Vec<_>>(), ["RJH"]);
/// ```
#[derive(Clone, Default)]
pub struct GoalAnswers {
    table: Arc<Table>,
    /// The goal's position in the plan.
    goal: usize,
}

impl GoalAnswers {
    /// The column of the goal at `goal` (its position in the plan).
    pub fn new(table: Arc<Table>, goal: usize) -> GoalAnswers {
        GoalAnswers { table, goal }
    }

    /// The answer of the respondent `code`; None when it has none.
    pub fn get(&self, code: &str) -> Option<&GoalAnswer> {
        let t = &self.table;
        let i = t.codes.binary_search_by(|c| c.as_str().cmp(code)).ok()?;
        t.at(i, self.goal)
    }

    /// (respondent code, answer), in code order, for those that answered.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &GoalAnswer)> + '_ {
        let t = &self.table;
        (t.codes.iter().zip(t.column(self.goal)))
            .filter_map(|(code, a)| Some((code.as_str(), a.as_ref()?)))
    }

    /// The answers, in respondent code order.
    pub fn values(&self) -> impl Iterator<Item = &GoalAnswer> + '_ {
        self.iter().map(|(_, a)| a)
    }

    /// How many respondents answered the goal.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether nobody answered the goal.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

impl std::fmt::Debug for GoalAnswers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for GoalAnswers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

/// A goal and every respondent's answer.
#[derive(Debug, Clone, Serialize)]
pub struct GoalRow {
    /// The goal's id, e.g. `1.3`.
    pub id: GoalId,
    /// Id of the goal's area, e.g. `1`.
    pub area_id: String,
    /// Title of the goal's area.
    pub area: String,
    /// The goal text, as in the plan.
    pub text: String,
    /// Respondent code → answer, for every respondent whose return is merged.
    pub answers: GoalAnswers,
}

/// The merged follow-up.
#[derive(Debug, Clone, Serialize)]
pub struct Consolidation {
    /// One row per goal of the plan, in plan order.
    pub goals: Vec<GoalRow>,
    /// Every inbox entry looked at and what became of it.
    pub sources: Vec<Source>,
    /// Sorted for stable output.
    pub findings: Vec<Finding>,
    /// Respondent codes whose return was merged, in plan order.
    pub reported: Vec<String>,
    #[serde(skip)]
    reported_set: std::collections::HashSet<String>,
    /// Counts and goal lists for the summaries.
    pub stats: Stats,
    /// This round over time: compared with an earlier round, and with the last run.
    #[serde(skip)]
    pub over_time: crate::rounds::OverTime,
}

/// A submission plus its file's modification time, for ordering duplicates.
pub struct Received {
    /// The validated return.
    pub submission: Submission,
    /// The file's modification time, when known; orders returns whose files
    /// carry no usable save time.
    pub mtime: Option<UtcTime>,
}

impl From<Submission> for Received {
    fn from(submission: Submission) -> Received {
        Received {
            submission,
            mtime: None,
        }
    }
}

/// Merges submissions, judging times against the present. `inbox` order
/// does not matter: the output is sorted.
pub fn merge(plan: &Plan, inbox: Vec<impl Into<Received>>) -> Consolidation {
    let now = UtcTime::from_system_time(std::time::SystemTime::now()).unwrap_or(EARLIEST);
    merge_at(plan, inbox, now)
}

/// As [`merge`], with times judged against `now` (a time more than a day
/// after it is not trusted).
pub fn merge_at(plan: &Plan, inbox: Vec<impl Into<Received>>, now: UtcTime) -> Consolidation {
    let mut received: Vec<Received> = inbox.into_iter().map(Into::into).collect();
    received.sort_by(|a, b| a.submission.file.cmp(&b.submission.file));
    // Every return's findings, and room for the merge's own (commonly at
    // most one per file and one per respondent): grown by doubling, this
    // vector (some 6 MB at 5,000 returns) cost twice that and more.
    let theirs: usize = received.iter().map(|r| r.submission.findings.len()).sum();
    let mut findings = Vec::with_capacity(theirs + received.len() + plan.regions.len() + 1);
    let mut sources = Vec::new();
    let mut by_who: BTreeMap<Respondent, Vec<Received>> = BTreeMap::new();
    for r in received {
        let status = match &r.submission.outcome {
            Outcome::Accepted { respondent, .. } => {
                by_who.entry(respondent.clone()).or_default().push(r);
                continue;
            }
            Outcome::Refused => SourceStatus::Refused,
            Outcome::Skipped => SourceStatus::Skipped,
        };
        sources.push(source(&r, status, plan));
        findings.extend(r.submission.findings);
    }
    let mut chosen: BTreeMap<Respondent, Submission> = BTreeMap::new();
    let mut undecided: Vec<Respondent> = Vec::new();
    for (who, subs) in by_who {
        let mut group = Group {
            plan,
            code: who.code(plan).0.clone(),
            findings: &mut findings,
            sources: &mut sources,
        };
        match group.choose(subs, now) {
            Some(winner) => {
                chosen.insert(who, winner);
            }
            None => undecided.push(who),
        }
    }
    let reported = reported(plan, &chosen, &undecided, &mut findings);
    let goals = table(plan, chosen);
    // The room left for the merge's own findings is given back (in place:
    // the reports that follow can use it).
    findings.shrink_to_fit();
    crate::finding::sort(&mut findings);
    sources.sort_by(|a, b| a.file.cmp(&b.file));
    let reported_set = reported.iter().cloned().collect();
    let mut c = Consolidation {
        goals,
        sources,
        findings,
        reported,
        reported_set,
        stats: Stats::default(),
        over_time: Default::default(),
    };
    c.stats = c.compute_stats(plan);
    c
}

/// Codes of the respondents whose return is merged, in plan order; a
/// finding for each that sent nothing usable. (An undecided respondent did
/// send: its own finding says why nothing of it is merged.)
fn reported(
    plan: &Plan,
    chosen: &BTreeMap<Respondent, Submission>,
    undecided: &[Respondent],
    findings: &mut Vec<Finding>,
) -> Vec<String> {
    let mut reported = Vec::new();
    for who in Respondent::all(plan) {
        if chosen.contains_key(&who) {
            reported.push(who.code(plan).0.clone());
        } else if !undecided.contains(&who) {
            let what = if who.rates() {
                "bedömningar och kommentarer"
            } else {
                "kommentarer"
            };
            findings.push(
                Finding::new(C::MissingSubmission, format!(
                    "Inget giltigt svar från {} ({}): dess {what} saknas i sammanställningen. Påminn {} om att skicka in sin mall.",
                    who.code(plan),
                    who.name(plan),
                    who.code(plan)
                ))
                .region(who.code(plan).0.clone()),
            );
        }
    }
    reported
}

/// The goals × respondents table: each chosen return's answers moved in
/// whole, each goal row a column of it.
fn table(plan: &Plan, chosen: BTreeMap<Respondent, Submission>) -> Vec<GoalRow> {
    let by_code = chosen
        .into_iter()
        .filter_map(|(who, sub)| match sub.outcome {
            Outcome::Accepted { answers, .. } => Some((who.code(plan).0.clone(), answers)),
            _ => None,
        })
        .collect();
    // Made on a thread other than the main one, as the returns' lists
    // were: glibc's allocator keeps what those threads freed for their
    // arena, which the main thread does not allocate from, so the table
    // takes the lists' place only when it is made from that arena (at 1,000
    // returns the peak was 1 - 1.5 MB higher when the main thread made it).
    let table = std::thread::scope(|s| s.spawn(|| Table::new(by_code)).join());
    let table = Arc::new(table.unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
    plan.goals()
        .enumerate()
        .map(|(i, (area, goal))| GoalRow {
            id: goal.id.clone(),
            area_id: area.id.clone(),
            area: area.title.clone(),
            text: goal.text.clone(),
            answers: GoalAnswers::new(table.clone(), i),
        })
        .collect()
}

/// One respondent's returns, and where to report what became of them.
struct Group<'a> {
    plan: &'a Plan,
    code: String,
    findings: &'a mut Vec<Finding>,
    sources: &'a mut Vec<Source>,
}

impl Group<'_> {
    /// The return to merge, by [`resubmission`]'s rule; None when the newest
    /// cannot be told.
    fn choose(&mut self, mut subs: Vec<Received>, now: UtcTime) -> Option<Submission> {
        let mut times = Vec::new();
        for r in &subs {
            let (time, untrusted) = return_time(&r.submission, r.mtime, now, &self.code);
            self.findings.extend(untrusted);
            times.push(time);
        }
        let timed: Option<Vec<&ReturnTime>> = times.iter().map(Option::as_ref).collect();
        let newest = match subs.len() {
            1 => Ok(0),
            _ => decide(timed.as_deref()),
        };
        let newest = match newest {
            Ok(i) => i,
            Err(why) => {
                let all: Vec<(&Submission, Option<&ReturnTime>)> = subs
                    .iter()
                    .map(|r| &r.submission)
                    .zip(times.iter().map(Option::as_ref))
                    .collect();
                for r in &subs {
                    let f = resubmission::undecided(&self.code, why, &r.submission, &all);
                    self.findings.push(f);
                    self.sources
                        .push(source(r, SourceStatus::Refused, self.plan));
                }
                return None;
            }
        };
        // Decided among several: every return has a time.
        for (i, old_t) in timed.iter().flatten().enumerate() {
            let Some(new_t) = timed.as_ref().map(|t| t[newest]).filter(|_| i != newest) else {
                continue;
            };
            let (old_s, new_s) = (&subs[i].submission, &subs[newest].submission);
            let f = resubmission::superseded(&self.code, (old_s, old_t), (new_s, new_t));
            self.findings.push(f);
            self.findings
                .extend(conflicts(self.plan, &self.code, new_s, old_s));
            self.sources
                .push(source(&subs[i], SourceStatus::Superseded, self.plan));
        }
        let mut winner = subs.swap_remove(newest);
        self.sources
            .push(source(&winner, SourceStatus::Merged, self.plan));
        self.findings.append(&mut winner.submission.findings);
        Some(winner.submission)
    }
}

fn source(r: &Received, status: SourceStatus, plan: &Plan) -> Source {
    let s = &r.submission;
    let saved = s.saved.as_ref().and_then(|t| t.parsed.as_ref().ok());
    Source {
        file: s.file.display().to_string(),
        region: s.respondent().map(|w| w.code(plan).0.clone()),
        sha256: s.sha256.clone(),
        time: saved.or(r.mtime.as_ref()).map(ToString::to_string),
        // Shown as found when it could not be read: nothing is hidden.
        saved: s.saved.as_ref().map(|t| {
            t.parsed
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|_| t.found.clone())
        }),
        found: r.mtime.as_ref().map(ToString::to_string),
        format: s.format.clone(),
        status,
    }
}

fn show(a: Option<&GoalAnswer>, f: impl Fn(&GoalAnswer) -> Option<String>) -> String {
    a.and_then(f)
        .map(|s| format!("\"{s}\""))
        .unwrap_or_else(|| "blank".to_string())
}

/// Where two returns from the same respondent disagree, goal by goal.
fn conflicts(plan: &Plan, code: &str, new: &Submission, old: &Submission) -> Vec<Finding> {
    let (Some(na), Some(oa)) = (new.answers(), old.answers()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, (_, goal)) in plan.goals().enumerate() {
        let (n, o) = (na.at(i), oa.at(i));
        for (what, get) in [
            (
                "bedömning",
                (|a: &GoalAnswer| a.written().map(str::to_string))
                    as fn(&GoalAnswer) -> Option<String>,
            ),
            ("kommentar", |a: &GoalAnswer| {
                a.comment().map(str::to_string)
            }),
        ] {
            let (nv, ov) = (n.and_then(get), o.and_then(get));
            if nv != ov {
                out.push(
                    Finding::new(C::ConflictingSubmission, format!(
                        "Mål {}: {what} skiljer sig mellan {} ({}, inte införd) och {} ({}, införd).",
                        goal.id,
                        old.file.display(),
                        show(o, get),
                        new.file.display(),
                        show(n, get),
                    ))
                    .region(code)
                    .goal(goal.id.0.clone())
                    .at(Location::file(&old.file)),
                );
            }
        }
    }
    out
}

/// Counts and lists the summary is built from.
///
/// Everything here counts the regions that answered: a region that sent no
/// return is listed once in `not_answered` (and is a `missing-submission`
/// finding), not counted as blank on every goal. Otherwise one silent
/// region empties "achieved by all" and puts every goal under "missing a
/// rating".
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Regions whose return was merged, in plan order: the ones counted.
    pub answered: Vec<String>,
    /// Regions that sent no usable return, in plan order: not counted.
    pub not_answered: Vec<String>,
    /// Answering region → level code (or `annat`, `blank`) → count.
    pub per_region: BTreeMap<String, BTreeMap<String, usize>>,
    /// Area id → level code (or `annat`, `blank`) → count over answering regions.
    pub per_area: BTreeMap<String, BTreeMap<String, usize>>,
    /// Goals rated achieved by every answering region it applies to (a
    /// level meaning "ej aktuellt" leaves the region out).
    pub achieved_everywhere: Vec<GoalId>,
    /// … by all answering regions it applies to but one.
    pub achieved_all_but_one: Vec<GoalId>,
    /// Goals rated with a level meaning not started by at least one region.
    pub not_started_somewhere: Vec<GoalId>,
    /// Goals that at least one answering region left without a rating.
    pub missing_some_rating: Vec<GoalId>,
    /// Goals with a compound (`U/E`), uncertain (`P?`) or invalid rating
    /// from at least one region: to follow up.
    pub other_rating: Vec<GoalId>,
}

/// Respondent codes in the order a report lists them, made once so that
/// each goal's answers are found in that order in one pass over the goal's
/// map rather than by a search per respondent (thousands per goal).
///
/// ```
/// # let plan = samla::Plan::load("templates/cancerplan-norr-2022-2024.toml").unwrap();
/// use samla::validate::{Answers, GoalAnswer};
/// let order = samla::merge::AnswerOrder::new(["RN", "RJH", "SAKNAS"]);
/// let said = |c: &str| Answers::new(vec![Some(GoalAnswer::on_row(9).with_comment(4, c.into()))]);
/// let table = samla::merge::Table::new(["RJH", "RN", "RV"].map(|c| (c.to_string(), said(c))).to_vec());
/// let g = samla::merge::GoalRow {
///     id: samla::plan::GoalId("1.1".into()),
///     area_id: "1".into(),
///     area: "Område".into(),
///     text: "Mål".into(),
///     answers: samla::merge::GoalAnswers::new(std::sync::Arc::new(table), 0),
/// };
/// let found: Vec<_> = order.answers(&g).iter().map(|a| a.and_then(|a| a.comment())).collect();
/// assert_eq!(found, [Some("RN"), Some("RJH"), None]);
/// ```
pub struct AnswerOrder<'a> {
    /// (code, position in the order), sorted by code as the goal's map is.
    by_code: Vec<(&'a str, usize)>,
    /// The table the goals' answers are in (all goals of a merge share
    /// one) and, for each position of the order, the row of its code in
    /// that table: found once, so that a goal's answers are then taken by
    /// position. (Found by comparing codes for every goal, it was 550,000
    /// string comparisons per output at 5,000 returns.)
    rows: std::sync::OnceLock<(Arc<Table>, Vec<Option<usize>>)>,
}

impl<'a> AnswerOrder<'a> {
    /// The order of `codes` (each code once).
    pub fn new(codes: impl IntoIterator<Item = &'a str>) -> AnswerOrder<'a> {
        let mut by_code: Vec<(&str, usize)> = codes.into_iter().zip(0..).collect();
        by_code.sort_unstable();
        AnswerOrder {
            by_code,
            rows: std::sync::OnceLock::new(),
        }
    }

    /// Each code's answer to `g`, in the order's order; None where the
    /// respondent has none.
    pub fn answers<'g>(&self, g: &'g GoalRow) -> Vec<Option<&'g GoalAnswer>> {
        let t = &g.answers.table;
        let (table, rows) = self.rows.get_or_init(|| (Arc::clone(t), self.rows_in(t)));
        let goal = g.answers.goal;
        if Arc::ptr_eq(table, t) {
            rows.iter()
                .map(|row| row.and_then(|r| t.at(r, goal)))
                .collect()
        } else {
            // A goal of another merge's table: found by code.
            self.rows_in(t)
                .iter()
                .map(|row| row.and_then(|r| t.at(r, goal)))
                .collect()
        }
    }

    /// For each position of the order, the row of its code in `t`.
    fn rows_in(&self, t: &Table) -> Vec<Option<usize>> {
        let mut out = vec![None; self.by_code.len()];
        let mut codes = t.codes.iter().enumerate().peekable();
        // Both sorted by code: one walk, one comparison per step.
        for &(code, at) in &self.by_code {
            while let Some((row, k)) = codes.peek() {
                match k.as_str().cmp(code) {
                    std::cmp::Ordering::Less => {}
                    std::cmp::Ordering::Equal => {
                        out[at] = Some(*row);
                        codes.next();
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
                codes.next();
            }
        }
        out
    }
}

/// The key a rating is counted under: its level, or `annat` (compound,
/// uncertain, invalid), or `blank`.
pub fn bucket(cell: Option<&GoalAnswer>) -> &str {
    match cell.map(|a| (a.rating(), a.written())) {
        Some((Some(Rating::Level(l)), _)) => l,
        Some((_, Some(_))) => "annat",
        _ => "blank",
    }
}

/// The buckets answers are counted under ([`bucket`]), numbered: the
/// scale's levels, `annat`, `blank`, then any other level met; and what
/// each bucket's level means, looked up once, not per count.
struct Buckets<'a> {
    plan: &'a Plan,
    names: Vec<&'a str>,
    meanings: Vec<Option<Meaning>>,
}

impl<'a> Buckets<'a> {
    fn new(plan: &'a Plan) -> Buckets<'a> {
        let mut b = Buckets {
            plan,
            names: Vec::new(),
            meanings: Vec::new(),
        };
        for name in plan.scale.iter().map(|l| l.code.as_str()) {
            b.id(name);
        }
        b.id("annat");
        b.id("blank");
        b
    }

    /// The number of bucket `name`, numbered now if it is new.
    fn id(&mut self, name: &'a str) -> usize {
        if let Some(i) = self.names.iter().position(|n| *n == name) {
            return i;
        }
        self.names.push(name);
        self.meanings.push(self.plan.meaning_of(name));
        self.names.len() - 1
    }

    /// One more in bucket `id` of `counts`.
    fn tally(counts: &mut Vec<usize>, id: usize) {
        if counts.len() <= id {
            counts.resize(id + 1, 0);
        }
        counts[id] += 1;
    }

    /// Counts by bucket number as counts by name (the buckets counted).
    fn counts(&self, counts: &[usize]) -> BTreeMap<String, usize> {
        let counted = counts.iter().enumerate().filter(|(_, n)| **n > 0);
        counted
            .map(|(i, n)| (self.names[i].to_string(), *n))
            .collect()
    }

    /// Adds goal `g` to the summary's goal lists its answers' buckets
    /// `ids` put it in.
    fn goal_lists(&self, s: &mut Stats, g: &GoalRow, ids: &[usize]) {
        let count = |m: Meaning| ids.iter().filter(|&&b| self.meanings[b] == Some(m)).count();
        // Respondents for whom the goal is not applicable are left out.
        let applicable = ids.len() - count(Meaning::NotApplicable);
        let achieved = count(Meaning::Achieved);
        if applicable > 0 && achieved == applicable {
            s.achieved_everywhere.push(g.id.clone());
        } else if applicable > 1 && achieved == applicable - 1 {
            s.achieved_all_but_one.push(g.id.clone());
        }
        let has = |name: &str| ids.iter().any(|&b| self.names[b] == name);
        let mut lists = [
            (count(Meaning::NotStarted) > 0, &mut s.not_started_somewhere),
            (has("blank"), &mut s.missing_some_rating),
            (has("annat"), &mut s.other_rating),
        ];
        for (hit, list) in &mut lists {
            if *hit {
                list.push(g.id.clone());
            }
        }
    }
}

impl Consolidation {
    /// Counts per answering region and area, and the goal lists of the summary.
    fn compute_stats(&self, plan: &Plan) -> Stats {
        let (answered, not_answered): (Vec<String>, Vec<String>) = plan
            .regions
            .iter()
            .map(|r| r.code.0.clone())
            .partition(|r| self.has_reported(r));
        let mut s = Stats::default();
        // Each goal's answers found in one pass, and counted per region by
        // position and per bucket by number: a key (or a search by it) per
        // goal and region was 275,000 of each at 5,000 returns.
        let order = AnswerOrder::new(answered.iter().map(String::as_str));
        let mut buckets = Buckets::new(plan);
        let mut per_region: Vec<Vec<usize>> = vec![Vec::new(); answered.len()];
        let mut per_area: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut ids = Vec::new();
        for g in &self.goals {
            ids.clear();
            ids.extend(order.answers(g).into_iter().map(|a| buckets.id(bucket(a))));
            if !ids.is_empty() {
                let area = per_area.entry(g.area_id.as_str()).or_default();
                for (counts, &b) in per_region.iter_mut().zip(&ids) {
                    Buckets::tally(counts, b);
                    Buckets::tally(area, b);
                }
            }
            buckets.goal_lists(&mut s, g, &ids);
        }
        if !self.goals.is_empty() {
            let counted = per_region.iter().map(|c| buckets.counts(c));
            s.per_region = answered.iter().cloned().zip(counted).collect();
        }
        let areas = per_area
            .iter()
            .map(|(a, c)| (a.to_string(), buckets.counts(c)));
        s.per_area = areas.collect();
        Stats {
            answered,
            not_answered,
            ..s
        }
    }

    /// Whether this respondent's return was merged.
    pub fn has_reported(&self, code: &str) -> bool {
        self.reported_set.contains(code)
    }

    /// Number of findings of each severity.
    pub fn severity_counts(&self) -> BTreeMap<Severity, usize> {
        let mut m = BTreeMap::new();
        for f in &self.findings {
            *m.entry(f.severity).or_default() += 1;
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Answers;

    /// A goal row of a table of `codes`, each answering every one of
    /// `goals` goals with the comment `code goal`.
    fn rows(codes: &[&str], goals: usize) -> Vec<GoalRow> {
        let said =
            |c: &str, g: usize| Some(GoalAnswer::on_row(9).with_comment(4, format!("{c} {g}")));
        let by_code = codes
            .iter()
            .map(|c| {
                (
                    c.to_string(),
                    Answers::new((0..goals).map(|g| said(c, g)).collect()),
                )
            })
            .collect();
        let table = Arc::new(Table::new(by_code));
        (0..goals)
            .map(|g| GoalRow {
                id: GoalId(format!("1.{g}")),
                area_id: "1".into(),
                area: "Område".into(),
                text: "Mål".into(),
                answers: GoalAnswers::new(Arc::clone(&table), g),
            })
            .collect()
    }

    #[test]
    fn an_order_finds_each_goals_answers_in_any_table() {
        let order = AnswerOrder::new(["RV", "SAKNAS", "RJH", "RN"]);
        let comments = |g: &GoalRow| -> Vec<Option<String>> {
            let found = order.answers(g);
            found
                .iter()
                .map(|a| a.and_then(|a| a.comment()).map(str::to_string))
                .collect()
        };
        let first = rows(&["RN", "RJH", "RV"], 3);
        for (i, g) in first.iter().enumerate() {
            let want = ["RV", "SAKNAS", "RJH", "RN"].map(|c| {
                g.answers
                    .get(c)
                    .and_then(|a| a.comment())
                    .map(str::to_string)
            });
            assert_eq!(comments(g), want);
            assert_eq!(want[0], Some(format!("RV {i}")));
        }
        // A goal of another table (other respondents) after the first's.
        let other = rows(&["RN", "SAKNAS"], 2);
        assert_eq!(
            comments(&other[1]),
            [None, Some("SAKNAS 1".into()), None, Some("RN 1".into())]
        );
        assert_eq!(comments(&first[2])[2], Some("RJH 2".into()));
    }

    #[test]
    fn a_table_of_more_respondents_than_a_block_keeps_every_answer_in_its_place() {
        // 3 goals: blocks of 3 respondents; 8 respondents fill 3 blocks, the
        // last one in part. One answer missing, one return shorter.
        let codes = ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"];
        let said =
            |c: &str, g: usize| Some(GoalAnswer::on_row(9).with_comment(4, format!("{c} {g}")));
        let by_code = codes
            .iter()
            .rev()
            .map(|&c| {
                let goals = if c == "R8" { 2 } else { 3 };
                let answers = (0..goals)
                    .map(|g| {
                        if (c, g) == ("R5", 1) {
                            None
                        } else {
                            said(c, g)
                        }
                    })
                    .collect();
                (c.to_string(), Answers::new(answers))
            })
            .collect();
        let table = Arc::new(Table::new(by_code));
        for g in 0..3 {
            let column = GoalAnswers::new(Arc::clone(&table), g);
            let got: Vec<(String, String)> = column
                .iter()
                .map(|(c, a)| (c.to_string(), a.comment().unwrap_or_default().to_string()))
                .collect();
            let want: Vec<(String, String)> = codes
                .iter()
                .filter(|&&c| (c, g) != ("R5", 1) && (c, g) != ("R8", 2))
                .map(|c| (c.to_string(), format!("{c} {g}")))
                .collect();
            assert_eq!(got, want, "goal {g}");
            for c in codes {
                let found = column.get(c).and_then(|a| a.comment()).map(str::to_string);
                let expected = want.iter().find(|(w, _)| w == c).map(|(_, t)| t.clone());
                assert_eq!(found, expected, "{c} on goal {g}");
            }
        }
        assert!(
            GoalAnswers::new(table, 3).iter().next().is_none(),
            "no goal 4"
        );
    }
}
