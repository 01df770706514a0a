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
//! The history is read line by line (at 5,000 returns a line is about
//! 0.9 MB, and a nightly job adds one every night): what a run keeps of it
//! is the last run, when this run's files were first seen and where the
//! complete lines end; the next history is copied from the file as it is written.
//!
//! ```
//! use samla::history::History;
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("historik.jsonl"), "{\"schema\":\"samla-historik/1\"}\n{\"trasig").unwrap();
//! let h = History::load(dir.path(), []).unwrap();
//! assert!(h.torn);
//! assert_eq!(h.complete, "{\"schema\":\"samla-historik/1\"}\n".len() as u64);
//! ```

mod last_run;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::merge::{Consolidation, SourceStatus};
use crate::output::{OutputDir, OutputError};
use crate::pipeline::Counts;
use crate::plan::Plan;

pub use last_run::{
    write_basis, Fingerprint, Fingerprinted, LastRun, RatingChanged, SinceLastRun, BASIS,
};

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

/// The history as found in an output folder: what a run needs of it.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The file read; None when there was none.
    file: Option<PathBuf>,
    /// Length in bytes of the complete lines (each ends in a newline) at
    /// the start of the file: the next history keeps them exactly as found.
    pub complete: u64,
    /// Whether an incomplete last line was found (and left out).
    pub torn: bool,
    /// Number of runs read from the complete lines; a line that is not a
    /// run record is kept in the file but not counted.
    pub runs: usize,
    /// The last run recorded.
    last: Option<RunRecord>,
    /// SHA-256 → when a run first saw a file with that content, for the
    /// contents asked for when loading.
    pub first_seen: BTreeMap<String, String>,
}

/// Why the next history could not be written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The earlier lines could not be read again.
    #[error("{}: historikens tidigare rader kunde inte läsas: {}", path.display(), crate::oserror::swedish(source))]
    Read {
        /// The history read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The history to publish could not be written.
    #[error("den nya historiken kunde inte skrivas: {}", crate::oserror::swedish(.0))]
    Write(#[source] std::io::Error),
}

impl History {
    /// Reads `dir/historik.jsonl`; an absent file is an empty history.
    /// When files were first seen is kept for `contents` (SHA-256), this
    /// run's files: a nightly job's history holds every content it ever saw.
    pub fn load<'a>(
        dir: &Path,
        contents: impl IntoIterator<Item = &'a str>,
    ) -> std::io::Result<History> {
        let contents: HashSet<&str> = contents.into_iter().collect();
        History::load_for(dir, Some(&contents))
    }

    /// As [`History::load`], keeping when every content was first seen; a
    /// run reads its history this way while it reads the returns (the
    /// history grows by a line per run, and reading it after the returns
    /// was most of the merge's time), then keeps only its own contents
    /// with [`History::keep_first_seen`].
    pub fn load_all(dir: &Path) -> std::io::Result<History> {
        History::load_for(dir, None)
    }

    /// Keeps when the contents `contents` (SHA-256) were first seen, and
    /// forgets the others.
    pub fn keep_first_seen<'a>(&mut self, contents: impl IntoIterator<Item = &'a str>) {
        let contents: HashSet<&str> = contents.into_iter().collect();
        self.first_seen
            .retain(|sha, _| contents.contains(sha.as_str()));
    }

    /// Reads the history in `dir`, keeping when `contents` (all when None)
    /// were first seen.
    fn load_for(dir: &Path, contents: Option<&HashSet<&str>>) -> std::io::Result<History> {
        let path = dir.join(HISTORY);
        match std::fs::File::open(&path) {
            Ok(f) => {
                let f = std::io::BufReader::with_capacity(1 << 16, f);
                let mut h = History::read(f, contents)?;
                h.file = Some(path);
                Ok(h)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(History::default()),
            Err(e) => Err(e),
        }
    }

    /// Reads the lines one at a time, up to a torn tail.
    fn read(mut r: impl BufRead, contents: Option<&HashSet<&str>>) -> std::io::Result<History> {
        let mut h = History::default();
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = r.read_until(b'\n', &mut line)?;
            if n == 0 {
                break;
            }
            if line.last() != Some(&b'\n') {
                h.torn = true;
                break;
            }
            h.complete += n as u64;
            match serde_json::from_slice::<RunRecord>(&line) {
                Ok(run) if run.schema == SCHEMA => h.add(run, contents),
                _ => {}
            }
        }
        Ok(h)
    }

    fn add(&mut self, run: RunRecord, contents: Option<&HashSet<&str>>) {
        for i in &run.inputs {
            if let Some(sha) = &i.sha256 {
                let wanted = contents.is_none_or(|c| c.contains(sha.as_str()));
                if wanted && !self.first_seen.contains_key(sha) {
                    self.first_seen.insert(sha.clone(), run.time.clone());
                }
            }
        }
        self.runs += 1;
        self.last = Some(run);
    }

    /// The last run recorded, if any.
    pub fn last(&self) -> Option<&RunRecord> {
        self.last.as_ref()
    }

    /// Takes the last run recorded out of the history (what is left
    /// suffices to write the next history).
    pub fn take_last(&mut self) -> Option<RunRecord> {
        self.last.take()
    }

    /// Writes the history to publish into `w`: the complete lines as
    /// found, copied from the file, then `run`.
    pub fn write_with(&self, run: &RunRecord, w: &mut impl Write) -> Result<(), HistoryError> {
        if let Some(path) = self.file.as_ref().filter(|_| self.complete > 0) {
            let read = |source| HistoryError::Read {
                path: path.clone(),
                source,
            };
            let mut earlier = std::fs::File::open(path).map_err(read)?.take(self.complete);
            let mut buf = vec![0; 1 << 16];
            let mut left = self.complete;
            while left > 0 {
                let n = earlier.read(&mut buf).map_err(read)?;
                if n == 0 {
                    // Shorter than when it was read: another program
                    // changed it, and the run's own lock was ignored.
                    return Err(read(std::io::ErrorKind::UnexpectedEof.into()));
                }
                w.write_all(&buf[..n]).map_err(HistoryError::Write)?;
                left -= n as u64;
            }
        }
        serde_json::to_writer(&mut *w, run).map_err(|e| HistoryError::Write(e.into()))?;
        w.write_all(b"\n").map_err(HistoryError::Write)
    }
}

/// Number of findings about each file, by the file as displayed.
pub fn findings_per_file(c: &Consolidation) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for f in &c.findings {
        if let Some(l) = &f.location {
            *m.entry(&*l.file).or_default() += 1;
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
        run: format!("{compact}-{:06}", history.runs + 1),
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

/// Records in `c` what the reports need from the output folder's history
/// (`history`, from [`History::load_all`] while the caller held the
/// folder's lock): when each file was first seen, this run's time and what
/// changed since the last run, whose ratings and findings are `last` (from
/// [`LastRun::load`]).
pub fn prepare(
    plan: &Plan,
    c: &mut Consolidation,
    out: &Path,
    history: std::io::Result<History>,
    last: Option<LastRun>,
) -> Result<(), OutputError> {
    let mut history = history.map_err(|source| OutputError::Write {
        path: out.join(HISTORY),
        source,
    })?;
    history.keep_first_seen(c.sources.iter().filter_map(|s| s.sha256.as_deref()));
    let ot = &mut c.over_time;
    // Moved, not copied: the reports read it from the consolidation.
    ot.first_seen = std::mem::take(&mut history.first_seen);
    ot.run_time = Some(run_time());
    // The last run's record (1 MB at 5,000 returns) is only compared
    // with, not kept while the reports are built.
    let prev = history.take_last();
    c.over_time.since_last_run = last_run::since_last_run(plan, c, prev.as_ref(), last);
    c.over_time.history = Some(history);
    Ok(())
}

/// Writes the history to publish with this run's outputs into the new
/// generation of `out` (the earlier complete lines and this run's), as it
/// is copied; false when the run records none. Register it with
/// [`crate::output::OutputSet::staged`].
pub fn write_next(
    plan: &Plan,
    c: &Consolidation,
    s: &crate::pipeline::Summary,
    out: &OutputDir,
) -> Result<bool, OutputError> {
    let Some(history) = c.over_time.history.as_ref() else {
        return Ok(false);
    };
    let time = c.over_time.run_time.clone().unwrap_or_else(run_time);
    let run = record(plan, c, history, &time, s.counts.clone());
    out.write_staged(HISTORY, |w| history.write_with(&run, w))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(time: &str, shas: &[&str]) -> String {
        let run = RunRecord {
            schema: SCHEMA.to_string(),
            run: format!("{time}-000001"),
            time: time.to_string(),
            plan: PlanRef {
                id: "p".into(),
                version: "1".into(),
                period: "2023".into(),
            },
            inputs: shas
                .iter()
                .map(|s| Input {
                    file: format!("{s}.xlsx"),
                    sha256: Some(s.to_string()),
                    respondent: None,
                    status: SourceStatus::Merged,
                    findings: 0,
                })
                .collect(),
            counts: Counts::default(),
        };
        serde_json::to_string(&run).unwrap() + "\n"
    }

    #[test]
    fn all_first_seen_then_kept_is_what_loading_for_the_contents_keeps() {
        let dir = tempfile::tempdir().unwrap();
        let text = line("T1", &["a", "b"]) + &line("T2", &["b", "c"]) + &line("T3", &["d"]);
        std::fs::write(dir.path().join(HISTORY), text).unwrap();
        let wanted = ["b", "c", "x"];
        let mut all = History::load_all(dir.path()).unwrap();
        assert_eq!(all.first_seen.len(), 4, "{:?}", all.first_seen);
        all.keep_first_seen(wanted);
        let some = History::load(dir.path(), wanted).unwrap();
        assert_eq!(all.first_seen, some.first_seen);
        assert_eq!(
            all.first_seen.into_iter().collect::<Vec<_>>(),
            [("b".into(), "T1".into()), ("c".into(), "T2".into())]
        );
        assert_eq!((all.runs, all.complete), (some.runs, some.complete));
        assert_eq!(all.runs, 3);
    }
}
