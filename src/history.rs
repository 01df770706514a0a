//! `historik.jsonl`: one line per run, for the nightly job and for whoever
//! asks "when did region X's return arrive?".
//!
//! Each merge adds one JSON line: run id, time, plan, every input with its
//! SHA-256, respondent, outcome and number of findings, and the summary
//! counts. The file is published with the run's other outputs (see
//! [`crate::output`]): the new generation holds the earlier lines byte for
//! byte plus the new one, so a run killed at any moment leaves the history
//! of the previous run or of this one, never half a line. A history whose
//! last line is incomplete anyway (copied while written, or written by
//! another tool) is read without that line, and the next run leaves it out.
//!
//! ```
//! use samla::history::History;
//! let h = History::parse(b"{\"schema\":\"samla-historik/1\"}\n{\"trasig");
//! assert!(h.torn);
//! assert_eq!(h.complete.len(), "{\"schema\":\"samla-historik/1\"}\n".len());
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::merge::{Consolidation, SourceStatus};
use crate::pipeline::Counts;
use crate::plan::Plan;

/// File name of the run history in `--out`.
pub const HISTORY: &str = "historik.jsonl";
/// Schema of each line.
pub const SCHEMA: &str = "samla-historik/1";

/// One run, as one line of the history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunRecord {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The run's id: its time and its number in this history,
    /// e.g. `20240410T120000Z-000003`.
    pub run: String,
    /// When the run started (UTC).
    pub time: String,
    /// The plan merged.
    pub plan: PlanRef,
    /// Every inbox entry and what became of it.
    pub inputs: Vec<Input>,
    /// The run in numbers.
    pub counts: Counts,
}

/// The plan of a run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanRef {
    /// Plan id.
    pub id: String,
    /// Plan version.
    pub version: String,
    /// Follow-up period.
    pub period: String,
}

/// An inbox entry of a run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Input {
    /// Path as displayed.
    pub file: String,
    /// SHA-256 of its bytes; None when it could not be read.
    pub sha256: Option<String>,
    /// Who sent it, when known.
    pub respondent: Option<String>,
    /// What became of it.
    pub status: SourceStatus,
    /// Number of findings about the file.
    pub findings: usize,
}

/// The history as found in an output folder.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The bytes of every complete line (each ends in a newline), exactly
    /// as found: the next run keeps them as they are.
    pub complete: Vec<u8>,
    /// Whether an incomplete last line was found (and left out).
    pub torn: bool,
    /// The runs read from the complete lines; a line that is not a run
    /// record is kept in [`History::complete`] but not read.
    pub runs: Vec<RunRecord>,
}

impl History {
    /// Reads `dir/historik.jsonl`; an absent file is an empty history.
    pub fn load(dir: &Path) -> std::io::Result<History> {
        match std::fs::read(dir.join(HISTORY)) {
            Ok(bytes) => Ok(History::parse(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(History::default()),
            Err(e) => Err(e),
        }
    }

    /// Splits the file into its complete lines and a torn tail.
    pub fn parse(bytes: &[u8]) -> History {
        let end = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let complete = bytes[..end].to_vec();
        let runs = complete
            .split(|b| *b == b'\n')
            .filter_map(|line| serde_json::from_slice::<RunRecord>(line).ok())
            .filter(|r| r.schema == SCHEMA)
            .collect();
        History {
            complete,
            torn: end < bytes.len(),
            runs,
        }
    }

    /// The last run recorded, if any.
    pub fn last(&self) -> Option<&RunRecord> {
        self.runs.last()
    }

    /// SHA-256 → when a run first saw a file with that content.
    pub fn first_seen(&self) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        for r in &self.runs {
            for i in &r.inputs {
                if let Some(sha) = &i.sha256 {
                    m.entry(sha.clone()).or_insert_with(|| r.time.clone());
                }
            }
        }
        m
    }

    /// The history to publish: the complete lines as found, then `run`.
    pub fn with(&self, run: &RunRecord) -> Vec<u8> {
        let mut out = self.complete.clone();
        out.extend(serde_json::to_vec(run).expect("plain data always serialises"));
        out.push(b'\n');
        out
    }
}

/// Number of findings about each file, by the file as displayed.
pub fn findings_per_file(c: &Consolidation) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for f in &c.findings {
        if let Some(l) = &f.location {
            *m.entry(l.file.as_str()).or_default() += 1;
        }
    }
    m
}

/// The record of this run.
pub fn record(
    plan: &Plan,
    c: &Consolidation,
    history: &History,
    time: &str,
    counts: Counts,
) -> RunRecord {
    let per_file = findings_per_file(c);
    let compact: String = time.chars().filter(|ch| *ch != '-' && *ch != ':').collect();
    RunRecord {
        schema: SCHEMA.to_string(),
        run: format!("{compact}-{:06}", history.runs.len() + 1),
        time: time.to_string(),
        plan: PlanRef {
            id: plan.id.clone(),
            version: plan.version.clone(),
            period: plan.period.clone(),
        },
        inputs: c
            .sources
            .iter()
            .map(|s| Input {
                file: s.file.clone(),
                sha256: s.sha256.clone(),
                respondent: s.region.clone(),
                status: s.status,
                findings: per_file.get(s.file.as_str()).copied().unwrap_or(0),
            })
            .collect(),
        counts,
    }
}

/// The time of this run: now, or `SOURCE_DATE_EPOCH` (seconds since 1970,
/// the reproducible-builds convention) when set, so that tests and golden
/// files can fix it.
pub fn run_time() -> String {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| std::time::UNIX_EPOCH + std::time::Duration::from_secs(s))
        .unwrap_or_else(std::time::SystemTime::now);
    crate::pipeline::utc_timestamp(now).unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

/// What changed since the last run into the same output folder.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SinceLastRun {
    /// The last run's id.
    pub last_run: String,
    /// Respondents with a merged return now and none in the last run.
    pub returns_new: Vec<String>,
    /// Respondents whose merged return is another file's content than in the last run.
    pub returns_replaced: Vec<String>,
    /// Respondents with a merged return in the last run and none now.
    pub returns_withdrawn: Vec<String>,
    /// Ratings that differ from the last run's outputs.
    pub ratings_changed: Vec<RatingChanged>,
    /// Findings not in the last run's outputs.
    pub findings_new: usize,
    /// Findings of the last run's outputs that are gone.
    pub findings_resolved: usize,
}

/// A rating that differs from the last run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RatingChanged {
    /// The goal.
    pub goal: String,
    /// The region.
    pub respondent: String,
    /// The rating in the last run; None when blank.
    pub from: Option<String>,
    /// The rating now; None when blank.
    pub to: Option<String>,
}

impl SinceLastRun {
    /// Whether anything changed.
    pub fn is_empty(&self) -> bool {
        self.returns_new.is_empty()
            && self.returns_replaced.is_empty()
            && self.returns_withdrawn.is_empty()
            && self.ratings_changed.is_empty()
            && self.findings_new == 0
            && self.findings_resolved == 0
    }

    /// One line in Swedish, e.g. `sedan förra körningen: nya svar: RN; …`.
    pub fn swedish(&self) -> String {
        let list =
            |what: &str, v: &[String]| (!v.is_empty()).then(|| format!("{what}: {}", v.join(", ")));
        let parts: Vec<String> = [
            list("nya svar", &self.returns_new),
            list("ersatta svar", &self.returns_replaced),
            list("återkallade svar", &self.returns_withdrawn),
            Some(format!(
                "{} ändrade bedömningar",
                self.ratings_changed.len()
            )),
            Some(format!(
                "{} nya och {} åtgärdade avvikelser",
                self.findings_new, self.findings_resolved
            )),
        ]
        .into_iter()
        .flatten()
        .collect();
        format!(
            "sedan förra körningen ({}): {}",
            self.last_run,
            parts.join("; ")
        )
    }
}

/// Respondent → SHA-256 of its merged return.
fn merged_by_respondent<'a>(
    inputs: impl Iterator<Item = (Option<&'a String>, Option<&'a String>, SourceStatus)>,
) -> BTreeMap<&'a str, Option<&'a str>> {
    inputs
        .filter(|(_, _, s)| *s == SourceStatus::Merged)
        .filter_map(|(who, sha, _)| Some((who?.as_str(), sha.map(String::as_str))))
        .collect()
}

/// The key a finding is recognised by across runs.
type FindingKey = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// What a run is compared with in the last run's `sammanstallning.json`:
/// its plan, each goal's ratings and its findings. The comments, most of
/// the file (110 MB at 5,000 returns), are skipped while parsing, not kept:
/// reading the file as a [`crate::rounds::PreviousRound`] held them all and
/// doubled the merge's memory.
#[derive(Deserialize)]
pub struct LastRun {
    schema: String,
    plan: LastPlan,
    #[serde(default)]
    goals: Vec<LastGoal>,
    #[serde(default)]
    discrepancies: Vec<crate::rounds::PreviousFinding>,
}

#[derive(Deserialize)]
struct LastPlan {
    id: String,
}

#[derive(Deserialize)]
struct LastGoal {
    id: String,
    /// Region → rating in the scale's form; null when blank or not sent.
    #[serde(default)]
    ratings: BTreeMap<String, Option<String>>,
}

impl LastRun {
    /// The last run's JSON in the output folder `out`, when it is of `plan`;
    /// None when it is gone, unreadable or of another schema or plan. It
    /// does not depend on this run, so it can be read while the merge runs.
    pub fn load(plan: &Plan, out: &Path) -> Option<LastRun> {
        LastRun::read(&out.join(crate::pipeline::JSON)).filter(|l| l.plan.id == plan.id)
    }

    fn read(path: &Path) -> Option<LastRun> {
        // Parsed as it is read: the whole file in memory would be a
        // transient 110 MB at 5,000 returns.
        let file = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(path).ok()?);
        serde_json::from_reader::<_, LastRun>(file)
            .ok()
            .filter(|l| l.schema == crate::rounds::SCHEMA_PREFIX)
    }
}

/// Compares this run with the last one: returns from the history's last
/// line, ratings and findings from the last run's JSON (`last`). None on
/// the first run into a folder.
fn since_last_run(
    plan: &Plan,
    c: &Consolidation,
    history: &History,
    last: Option<&LastRun>,
) -> Option<SinceLastRun> {
    let prev = history.last()?;
    let before = merged_by_respondent(
        prev.inputs
            .iter()
            .map(|i| (i.respondent.as_ref(), i.sha256.as_ref(), i.status)),
    );
    let now = merged_by_respondent(
        c.sources
            .iter()
            .map(|s| (s.region.as_ref(), s.sha256.as_ref(), s.status)),
    );
    let order = crate::plan::Respondent::all(plan);
    let codes = order.iter().map(|w| w.code(plan).0.as_str());
    let mut d = SinceLastRun {
        last_run: prev.run.clone(),
        ..SinceLastRun::default()
    };
    for code in codes {
        match (before.get(code), now.get(code)) {
            (None, Some(_)) => d.returns_new.push(code.to_string()),
            (Some(a), Some(b)) if a != b => d.returns_replaced.push(code.to_string()),
            (Some(_), None) => d.returns_withdrawn.push(code.to_string()),
            _ => {}
        }
    }
    if let Some(last) = last {
        d.ratings_changed = ratings_changed(plan, c, last);
        let old: std::collections::HashSet<FindingKey> =
            last.discrepancies.iter().map(|f| f.key()).collect();
        let new: std::collections::HashSet<FindingKey> = c
            .findings
            .iter()
            .map(|f| {
                let loc = f.location.as_ref();
                (
                    f.code.as_str().to_string(),
                    f.region.clone(),
                    f.goal.as_ref().map(|g| g.0.clone()),
                    loc.map(|l| l.file.clone()),
                    loc.and_then(|l| l.cell.as_ref()).map(|x| x.to_string()),
                )
            })
            .collect();
        d.findings_new = new.difference(&old).count();
        d.findings_resolved = old.difference(&new).count();
    }
    Some(d)
}

fn ratings_changed(plan: &Plan, c: &Consolidation, last: &LastRun) -> Vec<RatingChanged> {
    let earlier: BTreeMap<&str, &LastGoal> =
        last.goals.iter().map(|g| (g.id.as_str(), g)).collect();
    let mut out = Vec::new();
    for g in &c.goals {
        let Some(p) = earlier.get(g.id.0.as_str()) else {
            continue;
        };
        for r in &plan.regions {
            // Compared as borrowed text: at 5,000 respondents this is done
            // 275,000 times, and nearly every rating is unchanged.
            let from = p.ratings.get(&r.code.0).and_then(Option::as_deref);
            let to = g
                .answers
                .get(&r.code.0)
                .and_then(|a| a.rating.as_ref())
                .map(crate::rating::Rating::as_code);
            if from != to.as_deref() {
                out.push(RatingChanged {
                    goal: g.id.0.clone(),
                    respondent: r.code.0.clone(),
                    from: from.map(str::to_string),
                    to: to.map(Cow::into_owned),
                });
            }
        }
    }
    out
}

/// Reads the output folder's history (the caller holds its lock) and
/// records in `c` what the reports need: when each file was first seen,
/// this run's time and what changed since the last run, whose ratings and
/// findings are `last` (from [`LastRun::load`]).
pub fn prepare(
    plan: &Plan,
    c: &mut Consolidation,
    out: &Path,
    last: Option<LastRun>,
) -> Result<(), crate::output::OutputError> {
    let history = History::load(out).map_err(|source| crate::output::OutputError::Write {
        path: out.join(HISTORY),
        source,
    })?;
    let ot = &mut c.over_time;
    ot.first_seen = history.first_seen();
    ot.run_time = Some(run_time());
    c.over_time.since_last_run = since_last_run(plan, c, &history, last.as_ref());
    c.over_time.history = Some(history);
    Ok(())
}

/// The history to publish with this run's outputs: the earlier complete
/// lines and this run's; None when the run records none.
pub fn next(plan: &Plan, c: &Consolidation, s: &crate::pipeline::Summary) -> Option<Vec<u8>> {
    let history = c.over_time.history.as_ref()?;
    let time = c.over_time.run_time.clone().unwrap_or_else(run_time);
    let counts = s.counts.clone();
    Some(history.with(&record(plan, c, history, &time, counts)))
}
