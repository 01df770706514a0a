//! What changed since the last run into the same output folder: returns
//! from the history's last line, ratings and findings from the last run's
//! `sammanstallning.json`.
//!
//! That file is the largest output (110 MB at 5,000 returns) and a nightly
//! job compares with it every run. So each run also writes what the next
//! one compares with, its *comparison basis* ([`BASIS`]: the ratings and
//! findings without the comments, 5 % of the JSON), beside the JSON in its
//! generation, with the JSON's length and CRC-32: the basis is used only
//! while the JSON is byte for byte the one it was written with, and the
//! JSON is parsed otherwise (an edited file, or a folder an older samla
//! wrote). Either way only what the comparison needs is kept, compactly,
//! while it is parsed: each rating as a number at its
//! goal × region position in this run's plan (the rating codes interned),
//! each finding's key as five interned numbers. Ratings of goals or regions
//! this plan no longer has are skipped while parsing: the comparison is
//! over this plan's goals and regions (a goal the plan has gone without is
//! the business of `--previous`, see [`crate::rounds`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::merge::{AnswerOrder, Consolidation, SourceStatus};
use crate::output::CURRENT;
use crate::plan::Plan;
use crate::rating::Rating;
use crate::rounds::PreviousFinding;

use super::RunRecord;

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

/// Texts numbered as they are first met: 0 stands for none, so a number
/// is `Option<&str>` in four bytes.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
}

impl Interner {
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = u32::try_from(self.ids.len() + 1).expect("fewer texts than bytes in memory");
        self.ids.insert(text.into(), id);
        id
    }

    fn intern_opt(&mut self, text: Option<&str>) -> u32 {
        text.map_or(0, |t| self.intern(t))
    }

    /// The texts by number (index 0, none, is empty).
    fn texts(&self) -> Vec<&str> {
        let mut out = vec![""; self.ids.len() + 1];
        for (text, id) in &self.ids {
            out[*id as usize] = &**text;
        }
        out
    }
}

/// Positions of this plan's goals and regions: the first of a code that
/// occurs twice stands for both, as a lookup by code did.
struct Slots<'p> {
    goals: HashMap<&'p str, usize>,
    regions: HashMap<&'p str, usize>,
}

impl<'p> Slots<'p> {
    fn new(plan: &'p Plan) -> Slots<'p> {
        fn first<'a>(codes: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
            let mut m = HashMap::new();
            for (i, c) in codes.enumerate() {
                m.entry(c).or_insert(i);
            }
            m
        }
        Slots {
            goals: first(plan.goals().map(|(_, g)| g.id.0.as_str())),
            regions: first(plan.regions.iter().map(|r| r.code.0.as_str())),
        }
    }
}

/// A finding as recognised across runs: code, respondent, goal, file and
/// cell, each interned (0 when absent).
type FindingKey = [u32; 5];

/// What this run is compared with in the last run's `sammanstallning.json`:
/// each goal's ratings and the findings' keys, kept compactly (see the
/// module's text); the comments, most of the file, are skipped while
/// parsing.
#[derive(Debug)]
pub struct LastRun {
    /// Whether the last run had the plan's goal at this position.
    had_goal: Vec<bool>,
    /// Number of region positions of the plan (a row of `ratings`).
    regions: usize,
    /// Goal × region (goal-major) → interned rating; 0 when blank or not sent.
    ratings: Vec<u32>,
    rating_codes: Interner,
    /// The last run's findings.
    findings: HashSet<FindingKey>,
    /// The texts of the findings' keys.
    words: Interner,
}

impl LastRun {
    /// The last run's ratings and findings in the output folder `out`, when
    /// they are of `plan`: from its comparison basis when that was written
    /// beside the JSON as it is now, else from the JSON; None when the JSON
    /// is gone, unreadable or of another schema or plan. It does not depend
    /// on this run, so it can be read while the returns are.
    pub fn load(plan: &Plan, out: &Path) -> Option<LastRun> {
        let (started, cpu) = (std::time::Instant::now(), thread_cpu());
        let json = out.join(crate::pipeline::JSON);
        let last = LastRun::from_basis(plan, &out.join(CURRENT).join(BASIS), &json).or_else(|| {
            // Parsed as it is read: the whole file in memory (22 MB at
            // 1,000 returns, 110 MB at 5,000) would be held while the
            // workers read, and raised the run's peak.
            let file = std::fs::File::open(&json).ok()?;
            LastRun::from_reader(plan, std::io::BufReader::with_capacity(1 << 16, file))
        });
        // SAMLA_TIMING=1 (see pipeline::run_merge): it runs beside the reading.
        if std::env::var_os("SAMLA_TIMING").is_some() {
            let (s, cpu) = (started.elapsed().as_secs_f64(), thread_cpu() - cpu);
            eprintln!("samla:   förra körningen läst: {s:.3} s (CPU {cpu:.3} s)");
        }
        last
    }

    /// Parses a last run's JSON for `plan`; None when it is not valid JSON
    /// of samla's schema and of the same plan.
    pub fn from_reader(plan: &Plan, json: impl std::io::Read) -> Option<LastRun> {
        let de = serde_json::Deserializer::from_reader(json);
        parse(plan, de, crate::rounds::SCHEMA_PREFIX).map(|p| p.last)
    }

    /// The comparison basis at `basis`, when it is of `plan` and was written
    /// beside the file at `json` as that file is now (same length and
    /// CRC-32; the JSON is read once, not parsed).
    fn from_basis(plan: &Plan, basis: &Path, json: &Path) -> Option<LastRun> {
        let bytes = std::fs::read(basis).ok()?;
        let parsed = parse(
            plan,
            serde_json::Deserializer::from_slice(&bytes),
            BASIS_SCHEMA,
        )?;
        let written = parsed.json?;
        let now = std::fs::File::open(json).and_then(|f| Fingerprint::of(f, written.bytes));
        (now.ok()? == written).then_some(parsed.last)
    }

    /// The last run's ratings of the goal at `slot`; None when it did not
    /// have the goal.
    fn row(&self, slot: usize) -> Option<&[u32]> {
        let had = *self.had_goal.get(slot)?;
        had.then(|| &self.ratings[slot * self.regions..(slot + 1) * self.regions])
    }
}

/// The key of a finding of this run; texts not seen before are interned.
fn finding_key(words: &mut Interner, cell: &mut String, f: &Finding) -> FindingKey {
    use std::fmt::Write;
    let loc = f.location.as_ref();
    cell.clear();
    let has_cell = loc
        .and_then(|l| l.cell.as_ref())
        .map(|c| write!(cell, "{c}"));
    [
        words.intern(f.code.as_str()),
        words.intern_opt(f.region.as_deref()),
        words.intern_opt(f.goal.as_ref().map(|g| g.0.as_str())),
        words.intern_opt(loc.map(|l| &*l.file)),
        words.intern_opt(has_cell.map(|_| cell.as_str())),
    ]
}

/// The last run's JSON, parsed for the slots of this plan.
struct FileSeed<'s, 'p> {
    slots: &'s Slots<'p>,
}

/// What [`FileSeed`] finds.
struct Parsed {
    schema: String,
    plan: String,
    /// The JSON a comparison basis was written beside; None in the JSON.
    json: Option<Fingerprint>,
    last: LastRun,
}

/// Parses a last run's JSON or comparison basis of schema `schema` for
/// `plan`; None when it is not valid JSON of that schema and plan.
fn parse<'de, R: serde_json::de::Read<'de>>(
    plan: &Plan,
    mut de: serde_json::Deserializer<R>,
    schema: &str,
) -> Option<Parsed> {
    let slots = Slots::new(plan);
    let parsed = FileSeed { slots: &slots }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    (parsed.schema == schema && parsed.plan == plan.id).then_some(parsed)
}

#[derive(Deserialize)]
struct LastPlan {
    id: String,
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_, '_> {
    type Value = Parsed;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Parsed, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FileSeed<'_, '_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a samla consolidation")
    }

    /// The fields a derived `Deserialize` of them would accept, with the
    /// same errors: `schema` and `plan` required, no field twice.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let (goals, regions) = (self.slots.goals.len(), self.slots.regions.len());
        let mut last = LastRun {
            had_goal: vec![false; goals],
            regions,
            ratings: vec![0; goals * regions],
            rating_codes: Interner::default(),
            findings: HashSet::new(),
            words: Interner::default(),
        };
        let (mut schema, mut plan, mut json) = (None, None, None);
        let mut seen = Vec::new();
        while let Some(key) = map.next_key::<Cow<'_, str>>()? {
            if ["schema", "plan", "json", "goals", "discrepancies"].contains(&&*key) {
                if seen.contains(&key) {
                    return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
                }
                seen.push(key.clone());
            }
            match &*key {
                "schema" => schema = Some(map.next_value::<String>()?),
                "plan" => plan = Some(map.next_value::<LastPlan>()?.id),
                "json" => json = Some(map.next_value::<Fingerprint>()?),
                "goals" => map.next_value_seed(GoalsSeed {
                    slots: self.slots,
                    last: &mut last,
                })?,
                "discrepancies" => map.next_value_seed(FindingsSeed(&mut last))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Parsed {
            schema: schema.ok_or_else(|| de::Error::missing_field("schema"))?,
            plan: plan.ok_or_else(|| de::Error::missing_field("plan"))?,
            json,
            last,
        })
    }
}

/// `goals`: each goal's ratings into [`LastRun::ratings`].
struct GoalsSeed<'a, 's, 'p> {
    slots: &'s Slots<'p>,
    last: &'a mut LastRun,
}

impl<'de> DeserializeSeed<'de> for GoalsSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for GoalsSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of goals")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // One goal's ratings at a time: the goal's id may come after them.
        let mut row = Vec::new();
        while let Some(id) = seq.next_element_seed(GoalSeed {
            slots: self.slots,
            codes: &mut self.last.rating_codes,
            row: &mut row,
        })? {
            // A goal listed twice counts as its last listing, as when the
            // goals were collected into a map.
            let Some(&slot) = self.slots.goals.get(id.as_str()) else {
                continue;
            };
            let n = self.last.regions;
            let ratings = &mut self.last.ratings[slot * n..(slot + 1) * n];
            ratings.fill(0);
            for &(region, rating) in &row {
                ratings[region] = rating;
            }
            self.last.had_goal[slot] = true;
        }
        Ok(())
    }
}

/// One goal: its id, its ratings of this plan's regions into `row` as
/// (region position, interned rating), later ones overriding earlier.
struct GoalSeed<'a, 's, 'p> {
    slots: &'s Slots<'p>,
    codes: &'a mut Interner,
    row: &'a mut Vec<(usize, u32)>,
}

impl<'de> DeserializeSeed<'de> for GoalSeed<'_, '_, '_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for GoalSeed<'_, '_, '_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a goal")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        self.row.clear();
        let (mut id, mut rated) = (None, false);
        while let Some(key) = map.next_key::<Cow<'_, str>>()? {
            match &*key {
                "id" if id.is_some() => return Err(de::Error::duplicate_field("id")),
                "id" => id = Some(map.next_value::<String>()?),
                "ratings" if rated => return Err(de::Error::duplicate_field("ratings")),
                "ratings" => {
                    rated = true;
                    map.next_value_seed(RatingsSeed {
                        slots: self.slots,
                        codes: &mut *self.codes,
                        row: &mut *self.row,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        id.ok_or_else(|| de::Error::missing_field("id"))
    }
}

/// A goal's `ratings`: region code → rating or null.
struct RatingsSeed<'a, 's, 'p> {
    slots: &'s Slots<'p>,
    codes: &'a mut Interner,
    row: &'a mut Vec<(usize, u32)>,
}

impl<'de> DeserializeSeed<'de> for RatingsSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RatingsSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("ratings by region")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(code) = map.next_key::<Cow<'_, str>>()? {
            let rating = map.next_value::<Option<Cow<'_, str>>>()?;
            // A region this plan no longer has is not compared.
            if let Some(&region) = self.slots.regions.get(&*code) {
                let id = self.codes.intern_opt(rating.as_deref());
                self.row.push((region, id));
            }
        }
        Ok(())
    }
}

/// `discrepancies`: each finding's key into [`LastRun::findings`].
struct FindingsSeed<'a>(&'a mut LastRun);

impl<'de> DeserializeSeed<'de> for FindingsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FindingsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of findings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let w = &mut self.0.words;
        while let Some(f) = seq.next_element::<PreviousFinding>()? {
            let key = [
                w.intern(&f.code),
                w.intern_opt(f.region.as_deref()),
                w.intern_opt(f.goal.as_deref()),
                w.intern_opt(f.file.as_deref()),
                w.intern_opt(f.cell.as_deref()),
            ];
            self.0.findings.insert(key);
        }
        Ok(())
    }
}

/// The calling thread's CPU time in seconds (for `SAMLA_TIMING`: the
/// loading runs beside the reading, so its wall time says little).
fn thread_cpu() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes the calling thread's CPU time into `t`.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// File name of the comparison basis, kept beside the JSON in each
/// generation of the output folder (not linked into the folder: it is for
/// the next run, not for people).
pub const BASIS: &str = ".samla-jamforelse.json";

/// Schema of the comparison basis.
const BASIS_SCHEMA: &str = "samla-jamforelse/1";

/// The length and CRC-32 of a file as written: a comparison basis stands
/// for the JSON it was written beside only while that file is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    bytes: u64,
    crc32: u32,
}

impl Fingerprint {
    /// The fingerprint of what `file` holds, when it holds `bytes` bytes
    /// (else only its length is right: the file was changed).
    fn of(mut file: std::fs::File, bytes: u64) -> std::io::Result<Fingerprint> {
        let len = file.metadata()?.len();
        let mut crc = crc32fast::Hasher::new();
        // Read in large pieces: 110 MB at 5,000 returns.
        let mut buf = vec![0; 1 << 20];
        // Another length: the file was changed, and is not read.
        let mut n = if len == bytes { usize::MAX } else { 0 };
        while n > 0 {
            n = match file.read(&mut buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                read => read?,
            };
            crc.update(&buf[..n]);
        }
        Ok(Fingerprint {
            bytes: len,
            crc32: crc.finalize(),
        })
    }
}

/// A writer that takes the [`Fingerprint`] of what passes through it to
/// `W`: the JSON is fingerprinted as it is written.
#[derive(Debug)]
pub struct Fingerprinted<W> {
    inner: W,
    bytes: u64,
    crc: crc32fast::Hasher,
}

impl<W: Write> Fingerprinted<W> {
    /// Passes writes on to `inner`.
    pub fn new(inner: W) -> Fingerprinted<W> {
        Fingerprinted {
            inner,
            bytes: 0,
            crc: crc32fast::Hasher::new(),
        }
    }

    /// The fingerprint of everything written so far.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            bytes: self.bytes,
            crc32: self.crc.clone().finalize(),
        }
    }
}

impl<W: Write> Write for Fingerprinted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The comparison basis: the parts of the JSON the next run compares with,
/// in the JSON's own form (the same [`Ratings`](crate::report::json) and
/// findings), parsed by the same code.
#[derive(Serialize)]
struct Basis<'a> {
    schema: &'static str,
    plan: BasisPlan<'a>,
    json: Fingerprint,
    goals: Vec<BasisGoal<'a>>,
    discrepancies: Vec<BasisFinding<'a>>,
}

#[derive(Serialize)]
struct BasisPlan<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct BasisGoal<'a> {
    id: &'a str,
    ratings: crate::report::json::Ratings<'a>,
}

/// A finding's key (see [`FindingKey`]), each part as the JSON has it;
/// the message, most of a finding's text, is not compared.
#[derive(Serialize)]
struct BasisFinding<'a> {
    code: crate::finding::FindingCode,
    region: Option<&'a str>,
    goal: Option<&'a crate::plan::GoalId>,
    file: Option<&'a str>,
    cell: Option<crate::finding::CellRef>,
}

impl<'a> BasisFinding<'a> {
    fn of(f: &'a Finding) -> BasisFinding<'a> {
        let loc = f.location.as_ref();
        BasisFinding {
            code: f.code,
            region: f.region.as_deref(),
            goal: f.goal.as_ref(),
            file: loc.map(|l| &*l.file),
            cell: loc.and_then(|l| l.cell),
        }
    }
}

/// Writes the comparison basis of `c` into `out`, for the JSON whose
/// fingerprint is `json` (written beside it, in the same generation).
pub fn write_basis(
    plan: &Plan,
    c: &Consolidation,
    json: Fingerprint,
    out: impl Write,
) -> serde_json::Result<()> {
    let codes = crate::report::json::region_codes(plan);
    let order = AnswerOrder::new(codes.iter().copied());
    let goals = c
        .goals
        .iter()
        .map(|g| BasisGoal {
            id: &g.id.0,
            ratings: crate::report::json::Ratings::new(g, &codes, &order),
        })
        .collect();
    let basis = Basis {
        schema: BASIS_SCHEMA,
        plan: BasisPlan { id: &plan.id },
        json,
        goals,
        discrepancies: c.findings.iter().map(BasisFinding::of).collect(),
    };
    serde_json::to_writer(out, &basis)
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

/// Compares this run with the last one: returns from the history's last
/// line (`prev`), ratings and findings from the last run's JSON (`last`). None on
/// the first run into a folder.
pub(super) fn since_last_run(
    plan: &Plan,
    c: &Consolidation,
    prev: Option<&RunRecord>,
    last: Option<LastRun>,
) -> Option<SinceLastRun> {
    let prev = prev?;
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
    if let Some(mut last) = last {
        // Two independent walks (goals × regions, and every finding): on
        // two cores, the merge phase's one-core stretch is shorter.
        let mut words = std::mem::take(&mut last.words);
        let (changed, findings) = rayon::join(
            || ratings_changed(plan, c, &last),
            || findings_changed(c, &mut words, &last.findings),
        );
        d.ratings_changed = changed;
        (d.findings_new, d.findings_resolved) = findings;
    }
    Some(d)
}

/// Findings new and resolved: keys of this run not in the last run's, and
/// the other way round (each key counted once). `words` are the texts of
/// the last run's keys, `last` the keys.
fn findings_changed(
    c: &Consolidation,
    words: &mut Interner,
    last: &HashSet<FindingKey>,
) -> (usize, usize) {
    let mut cell = String::new();
    let now: HashSet<FindingKey> = c
        .findings
        .iter()
        .map(|f| finding_key(words, &mut cell, f))
        .collect();
    let new = now.iter().filter(|k| !last.contains(*k)).count();
    let resolved = last.iter().filter(|k| !now.contains(*k)).count();
    (new, resolved)
}

fn ratings_changed(plan: &Plan, c: &Consolidation, last: &LastRun) -> Vec<RatingChanged> {
    let slots = Slots::new(plan);
    // This run's ratings are found per goal in one walk in code order, not
    // looked up per region: 275,000 look-ups at 5,000 regions were a
    // quarter of a second of cache misses.
    let mut codes: Vec<&str> = plan.regions.iter().map(|r| r.code.0.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let order = AnswerOrder::new(codes.iter().copied());
    let regions: Vec<(&str, usize, usize)> = plan
        .regions
        .iter()
        .filter_map(|r| {
            let code = r.code.0.as_str();
            Some((code, slots.regions[code], codes.binary_search(&code).ok()?))
        })
        .collect();
    let texts = last.rating_codes.texts();
    let mut out = Vec::new();
    for g in &c.goals {
        let Some(row) = slots.goals.get(g.id.0.as_str()).and_then(|s| last.row(*s)) else {
            continue;
        };
        let answers = order.answers(g);
        for &(code, slot, at) in &regions {
            // Compared as borrowed text: nearly every rating is unchanged.
            let from = (row[slot] != 0).then(|| texts[row[slot] as usize]);
            let to = answers[at].and_then(|a| a.rating()).map(Rating::as_code);
            if from != to.as_deref() {
                out.push(RatingChanged {
                    goal: g.id.0.clone(),
                    respondent: code.to_string(),
                    from: from.map(str::to_string),
                    to: to.map(Cow::into_owned),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Submission;

    fn plan() -> Plan {
        crate::plan::bundled()
    }

    /// A last run's JSON of the bundled plan with `goals` and `discrepancies`.
    fn last(plan: &Plan, goals: &str, discrepancies: &str) -> Option<LastRun> {
        let json = format!(
            r#"{{"schema":"samla-sammanstallning/1","plan":{{"id":"{}","version":"1"}},
            "goals":[{goals}],"discrepancies":[{discrepancies}],"sources":[]}}"#,
            plan.id
        );
        LastRun::from_reader(plan, json.as_bytes())
    }

    /// A consolidation with no returns: every rating blank, and one
    /// `missing-submission` (no file, no cell) per respondent.
    fn nothing_returned(plan: &Plan) -> Consolidation {
        crate::merge::merge(plan, Vec::<Submission>::new())
    }

    #[test]
    fn ratings_of_goals_and_regions_the_plan_does_not_have_are_not_compared() {
        let p = plan();
        let l = last(
            &p,
            r#"{"ratings":{"RJH":"U","ZZ":"U"},"comments":{"RJH":"x"},"id":"1.1"},
               {"id":"1.3","ratings":{"RN":"P"}},
               {"id":"1.3","ratings":{"RV":"E/P","RV":"E"}},
               {"id":"1.4","ratings":{"RN":null}},
               {"id":"9.9","ratings":{"RJH":"U"}}"#,
            "",
        )
        .unwrap();
        let changed = ratings_changed(&p, &nothing_returned(&p), &l);
        let got: Vec<(&str, &str, Option<&str>, Option<&str>)> = changed
            .iter()
            .map(|c| {
                let (from, to) = (c.from.as_deref(), c.to.as_deref());
                (c.goal.as_str(), c.respondent.as_str(), from, to)
            })
            .collect();
        // 1.3 is listed twice: the last listing counts, as does a region's
        // last rating; ZZ and 9.9 are not in the plan, 1.4's RN was blank.
        assert_eq!(
            got,
            [
                ("1.1", "RJH", Some("U"), None),
                ("1.3", "RV", Some("E"), None)
            ]
        );
    }

    #[test]
    fn a_finding_without_file_or_cell_is_its_own_key() {
        let p = plan();
        let c = nothing_returned(&p);
        let missing = |who: &str, file: &str| {
            format!(
                r#"{{"code":"missing-submission","severity":"error","region":"{who}",
                "goal":null,"file":{file},"sheet":null,"cell":null,"message":"m"}}"#
            )
        };
        let gone = r#"{"code":"uncertain-rating","region":"RJH","goal":"1.1",
            "file":"inkorg/a.xlsx","cell":"D5"}"#;
        let disc = [
            missing("RJH", "null"),
            missing("RJH", "null"),
            missing("RN", "\"\""),
            missing("RV", "null"),
            gone.to_string(),
        ]
        .join(",");
        let mut l = last(&p, "", &disc).unwrap();
        assert_eq!(l.findings.len(), 4, "the same key twice is one finding");
        assert_eq!(c.findings.len(), 5);
        // New: RN (a file named "" is not no file), RVN, RCC Norr.
        // Resolved: RN's with the empty file name, and the uncertain rating.
        assert_eq!(findings_changed(&c, &mut l.words, &l.findings), (3, 2));
    }

    #[test]
    fn a_last_run_that_is_not_a_consolidation_of_this_plan_is_none() {
        let p = plan();
        let ok =
            r#"{"schema":"samla-sammanstallning/1","plan":{"id":"cancerplan-norr-2022-2024"}}"#;
        assert!(LastRun::from_reader(&p, ok.as_bytes()).is_some());
        let bad = [
            "",
            "[]",
            &ok[..ok.len() - 1],
            &format!("{ok} x"),
            r#"{"schema":"samla-sammanstallning/2","plan":{"id":"cancerplan-norr-2022-2024"}}"#,
            r#"{"schema":"samla-sammanstallning/1","plan":{"id":"annan-plan"}}"#,
            r#"{"schema":"samla-sammanstallning/1"}"#,
            r#"{"plan":{"id":"cancerplan-norr-2022-2024"}}"#,
            r#"{"schema":"samla-sammanstallning/1","plan":{"id":"cancerplan-norr-2022-2024"},"goals":null}"#,
            r#"{"schema":"samla-sammanstallning/1","plan":{"id":"cancerplan-norr-2022-2024"},"goals":[],"goals":[]}"#,
            r#"{"schema":"samla-sammanstallning/1","plan":{"id":"cancerplan-norr-2022-2024"},"goals":[{"id":"1.1","ratings":{"RJH":5}}]}"#,
            r#"{"schema":"samla-sammanstallning/1","plan":{"id":"cancerplan-norr-2022-2024"},"goals":[{"ratings":{}}]}"#,
            r#"{"schema":"samla-sammanstallning/1","plan":{"id":"cancerplan-norr-2022-2024"},"discrepancies":[{"region":"RJH"}]}"#,
        ];
        for json in bad {
            assert!(
                LastRun::from_reader(&p, json.as_bytes()).is_none(),
                "{json}"
            );
        }
    }

    #[test]
    fn a_file_has_the_fingerprint_it_was_written_with_until_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let text = "{\"å\": 1}\n".repeat(100_000);
        let mut w = Fingerprinted::new(std::fs::File::create(&path).unwrap());
        for piece in text.as_bytes().chunks(7_001) {
            w.write_all(piece).unwrap();
        }
        let written = w.fingerprint();
        assert_eq!(written.bytes, text.len() as u64);
        let now = |path: &Path| Fingerprint::of(std::fs::File::open(path).unwrap(), written.bytes);
        assert_eq!(now(&path).unwrap(), written);
        // One byte changed, the length kept: the CRC tells.
        std::fs::write(&path, text.replacen('1', "2", 1)).unwrap();
        let changed = now(&path).unwrap();
        assert_eq!(changed.bytes, written.bytes);
        assert_ne!(changed, written);
        std::fs::write(&path, &text[1..]).unwrap();
        assert_ne!(now(&path).unwrap(), written);
    }
}
