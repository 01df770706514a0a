//! One run end to end: scan the inbox, read every return in parallel,
//! validate, merge, and write the three outputs atomically under a lock.
//!
//! ```no_run
//! # let plan = samla::Plan::load("templates/cancerplan-norr-2022-2024.toml").unwrap();
//! use samla::pipeline::{run_merge, MergeOptions};
//! let outcome = run_merge(&plan, &MergeOptions::new("samples", "out")).unwrap();
//! assert!(outcome.summary.counts.merged >= 1);
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use serde::Serialize;

use crate::finding::Severity;
use crate::merge::{merge, Consolidation, Received, SourceStatus};
use crate::output::{OutputDir, OutputError, OutputSet};
use crate::plan::Plan;
use crate::reader::{read_return, Limits, RawReturn, ReadFailure};
use crate::report;
use crate::sandbox::{Sandbox, SandboxLimits};
use crate::validate::{validate, Submission};

/// File name of the consolidated workbook (goals × respondents).
pub const CONSOLIDATED: &str = "sammanstallning.xlsx";
/// File name of the discrepancies workbook (the findings to follow up).
pub const DISCREPANCIES: &str = "avvikelser.xlsx";
/// File name of the consolidation as JSON.
pub const JSON: &str = "sammanstallning.json";
/// File name of the Word report (the compiled follow-up as a draft).
pub const REPORT: &str = "rapport.docx";
/// File name of the long table for Excel and BI tools (goal × respondent rows).
pub const ANSWERS_CSV: &str = "svar.csv";

/// Every file a merge writes into `--out`, in the order they are listed in
/// the summary. A new output is one more name here and one more line in
/// [`build_outputs`]; they switch together with the others.
pub const OUTPUTS: [&str; 6] = [
    CONSOLIDATED,
    DISCREPANCIES,
    JSON,
    REPORT,
    ANSWERS_CSV,
    crate::history::HISTORY,
];

/// Where files are parsed.
#[derive(Debug, Clone)]
pub enum ReadMode {
    /// In this process: fast, for trusted files and tests.
    InProcess,
    /// In worker processes started from this executable (see [`crate::sandbox`]).
    Isolated {
        /// The executable workers are started from, normally samla itself.
        exe: PathBuf,
        /// Time and memory limits of each worker.
        limits: SandboxLimits,
    },
}

/// Called after each file is read and validated (for progress bars).
pub type OnFile = Arc<dyn Fn(&Submission) + Send + Sync>;

/// Options of a merge run.
#[derive(Clone)]
pub struct MergeOptions {
    /// Folder holding the returns to merge.
    pub inbox: PathBuf,
    /// Folder the outputs are written into; locked during the run.
    pub out: PathBuf,
    /// Where files are parsed.
    pub mode: ReadMode,
    /// Safety limits (sizes, counts) for reading each file.
    pub limits: Limits,
    /// Called after each file; None for no progress reporting.
    pub on_file: Option<OnFile>,
    /// An earlier round to compare with (`--previous`).
    pub previous: Option<Arc<crate::rounds::PreviousRound>>,
}

impl MergeOptions {
    /// Reads in-process with default limits.
    pub fn new(inbox: impl Into<PathBuf>, out: impl Into<PathBuf>) -> MergeOptions {
        MergeOptions {
            inbox: inbox.into(),
            out: out.into(),
            mode: ReadMode::InProcess,
            limits: Limits::default(),
            on_file: None,
            previous: None,
        }
    }
}

/// Why a run could not be done at all (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The inbox folder could not be listed.
    #[error(
        "{path}: inkorgen kunde inte läsas: {}. Ange en befintlig mapp med --inbox.",
        crate::oserror::swedish(source)
    )]
    Inbox {
        /// The inbox folder.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The outputs could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// `--out` is the inbox or a folder inside it: the outputs would be
    /// read back as returns.
    #[error("{}: utdatamappen ligger i inkorgen {}, så samla skulle läsa sina egna utdata som svar. Välj en --out utanför inkorgen.", out.display(), inbox.display())]
    OutInsideInbox {
        /// The output folder.
        out: PathBuf,
        /// The inbox.
        inbox: PathBuf,
    },
}

/// `path` made absolute with symlinks resolved, as far as it exists (an
/// output folder may not exist yet).
fn resolved(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut tail = Vec::new();
    let mut head = abs.as_path();
    loop {
        if let Ok(c) = head.canonicalize() {
            return tail.iter().rev().fold(c, |p, t| p.join(t));
        }
        match (head.parent(), head.file_name()) {
            (Some(parent), Some(name)) => {
                tail.push(name.to_os_string());
                head = parent;
            }
            _ => return abs,
        }
    }
}

/// Refuses an output folder that is the inbox or inside it. An inbox
/// inside the output folder is fine: the inbox is not read recursively and
/// samla only touches its own names in `--out`.
pub fn check_folders(inbox: &Path, out: &Path) -> Result<(), RunError> {
    if resolved(out).starts_with(resolved(inbox)) {
        return Err(RunError::OutInsideInbox {
            out: out.to_path_buf(),
            inbox: inbox.to_path_buf(),
        });
    }
    Ok(())
}

/// The run's counts: in the `--json` summary and in every history line.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct Counts {
    /// Inbox entries looked at.
    pub files: usize,
    /// Returns merged.
    pub merged: usize,
    /// Returns not merged because a newer one from the same respondent was.
    pub superseded: usize,
    /// Files refused (wrong plan, unreadable, not a template, …).
    pub refused: usize,
    /// Inbox entries that are not returns, left alone.
    pub skipped: usize,
    /// Respondents with no merged return.
    pub missing: Vec<String>,
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Findings of severity info.
    pub infos: usize,
}

/// The run in numbers: printed on stderr, and as JSON with `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The plan's id, e.g. `cancerplan-norr-2022-2024`.
    pub plan: String,
    /// The plan's version.
    pub plan_version: String,
    /// The run's counts (flattened into the same JSON object).
    #[serde(flatten)]
    pub counts: Counts,
    /// Finding code → count.
    pub by_code: BTreeMap<String, usize>,
    /// Written files.
    pub outputs: Vec<String>,
    /// What changed since the last run into the same folder; null on the first.
    pub since_last_run: Option<crate::history::SinceLastRun>,
}

impl Summary {
    fn new(plan: &Plan, c: &Consolidation, outputs: Vec<String>) -> Summary {
        let count = |s: SourceStatus| c.sources.iter().filter(|x| x.status == s).count();
        let sev = c.severity_counts();
        let mut by_code = BTreeMap::new();
        for f in &c.findings {
            *by_code.entry(f.code.as_str().to_string()).or_default() += 1;
        }
        let all = crate::plan::Respondent::all(plan);
        Summary {
            plan: plan.id.clone(),
            plan_version: plan.version.clone(),
            counts: Counts {
                files: c.sources.len(),
                merged: count(SourceStatus::Merged),
                superseded: count(SourceStatus::Superseded),
                refused: count(SourceStatus::Refused),
                skipped: count(SourceStatus::Skipped),
                missing: all
                    .iter()
                    .map(|w| w.code(plan).0.clone())
                    .filter(|c2| !c.has_reported(c2))
                    .collect(),
                errors: sev.get(&Severity::Error).copied().unwrap_or(0),
                warnings: sev.get(&Severity::Warning).copied().unwrap_or(0),
                infos: sev.get(&Severity::Info).copied().unwrap_or(0),
            },
            by_code,
            outputs,
            since_last_run: c.over_time.since_last_run.clone(),
        }
    }

    /// Whether anything needs following up (for `--strict`).
    pub fn has_discrepancies(&self) -> bool {
        self.counts.errors + self.counts.warnings > 0
    }

    /// One line for stderr.
    pub fn one_line(&self) -> String {
        let missing = if self.counts.missing.is_empty() {
            String::new()
        } else {
            format!(", saknas: {}", self.counts.missing.join(", "))
        };
        format!(
            "samla: {} filer, {} sammanslagna, {} ersatta, {} avvisade, {} överhoppade{missing}; {} avvikelser ({} fel, {} varningar, {} info)",
            self.counts.files,
            self.counts.merged,
            self.counts.superseded,
            self.counts.refused,
            self.counts.skipped,
            self.counts.errors + self.counts.warnings + self.counts.infos,
            self.counts.errors,
            self.counts.warnings,
            self.counts.infos
        )
    }
}

/// What a run produced.
pub struct MergeOutcome {
    /// The merged follow-up.
    pub consolidation: Consolidation,
    /// The run in numbers.
    pub summary: Summary,
}

/// One inbox entry.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A spreadsheet to read.
    Return(PathBuf),
    /// Not a return; the finding says why.
    Skipped(PathBuf, String),
}

const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Lists the inbox (not recursively), sorted by name, without opening
/// anything: a FIFO named `x.xlsx` would block the first `open`.
pub fn scan_inbox(dir: &Path) -> Result<Vec<Entry>, RunError> {
    let err = |source| RunError::Inbox {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = Vec::new();
    for e in std::fs::read_dir(dir).map_err(err)? {
        let e = e.map_err(err)?;
        let path = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        let meta = std::fs::symlink_metadata(&path).map_err(err)?;
        let ft = meta.file_type();
        let ext = path
            .extension()
            .and_then(|x| x.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let skip = if name.starts_with("~$") || name.starts_with(".~lock") {
            Some("en låsfil som Excel eller LibreOffice lämnar medan filen är öppen".to_string())
        } else if ft.is_symlink() {
            Some("en symbolisk länk; länkar följs inte – lägg själva filen i inkorgen".to_string())
        } else if ft.is_dir() {
            Some("en mapp; undermappar läses inte".to_string())
        } else if !ft.is_file() {
            Some("ingen vanlig fil (t.ex. en namngiven rörledning eller enhet)".to_string())
        } else if name.starts_with('.') {
            Some("en dold fil".to_string())
        } else if !EXTENSIONS.contains(&ext.as_str()) {
            Some(format!("inget kalkylblad (filtypen .{ext} läses inte; svar ska vara .xlsx, .xlsm, .xlsb, .xls eller .ods)"))
        } else {
            None
        };
        entries.push(match skip {
            Some(why) => Entry::Skipped(path, why),
            None => Entry::Return(path),
        });
    }
    entries.sort_by(|a, b| entry_path(a).cmp(entry_path(b)));
    Ok(entries)
}

fn entry_path(e: &Entry) -> &Path {
    match e {
        Entry::Return(p) | Entry::Skipped(p, _) => p,
    }
}

/// A time as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_secs(1_712_750_400);
/// assert_eq!(samla::pipeline::utc_timestamp(t).unwrap(), "2024-04-10T12:00:00Z");
/// ```
pub fn utc_timestamp(t: SystemTime) -> Option<String> {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = crate::reader::civil_from_days(days);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    ))
}

/// Sets glibc's allocator up for a merge: one arena per core instead of its
/// default of eight per core, and free memory at the top of a heap given
/// back once it passes 128 KB, always. Call it before any thread is
/// started; elsewhere than glibc it does nothing.
///
/// Arenas: each reading thread would otherwise allocate in an arena of its
/// own, and memory one thread frees (a return's worker message, its raw
/// cells) is reused only by threads of the same arena, so every extra arena
/// keeps its own free memory: at 5,000 returns the run's peak was about
/// 7 MiB (4 %) lower with two arenas on two cores.
///
/// Trimming: by default glibc raises that threshold (and the size from
/// which a block is mapped on its own) each time a large block is freed,
/// up to 32 MiB, so after the outputs' first large buffers came and went,
/// their successors stayed in the heaps and were kept when freed. Set, it
/// stays: at 1,000 returns the tree's peak was 42.7 - 43.7 MiB instead of
/// 43.4 - 48.2 (six runs each), with the same CPU; at 5,000 167 - 174
/// instead of 168 - 195 MiB.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let arenas = i32::try_from(cores).unwrap_or(i32::MAX);
        // SAFETY: mallopt only sets allocator parameters; M_ARENA_MAX takes
        // any positive count, M_TRIM_THRESHOLD any size.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
            libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        }
    }
}

/// See [`limit_malloc_arenas`]: glibc's initial threshold, kept.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: i32 = 128 << 10;

/// Reads and validates every entry, in parallel; order follows `entries`.
pub fn read_all(plan: &Plan, entries: &[Entry], opts: &MergeOptions) -> Vec<Received> {
    let sandbox = match &opts.mode {
        ReadMode::Isolated { exe, limits } => Some(Sandbox::new(
            exe.clone(),
            opts.limits.clone(),
            limits.clone(),
        )),
        ReadMode::InProcess => None,
    };
    match &sandbox {
        Some(sb) => read_isolated(plan, entries, opts, sb),
        None => entries
            .par_iter()
            .map(|entry| match entry {
                Entry::Skipped(path, why) => skipped(path, why, opts),
                Entry::Return(path) => received(plan, path, read_return(path, &opts.limits), opts),
            })
            .collect(),
    }
}

/// Reads the entries in worker processes. One feeding thread per worker
/// keeps it in files ([`Sandbox::read_in_turn`]: the next request waits in
/// its pipe, so it never waits for a thread of ours between files) and
/// decodes and validates each answer while the worker reads the next
/// file. (When the threads that validated also asked for the next file,
/// each worker waited for a chain of three thread wake-ups between files:
/// about a tenth of the reading time at 1,000 returns. Handing each answer
/// to rayon's threads cost a wake-up per file, in a virtual machine tens of
/// microseconds each.)
fn read_isolated(
    plan: &Plan,
    entries: &[Entry],
    opts: &MergeOptions,
    sandbox: &Sandbox,
) -> Vec<Received> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let returns: Vec<(usize, &Path)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Entry::Return(path) => Some((i, path.as_path())),
            Entry::Skipped(..) => None,
        })
        .collect();
    let next = AtomicUsize::new(0);
    let mut received: Vec<(usize, Received)> = std::thread::scope(|s| {
        let feeders: Vec<_> = (0..rayon::current_num_threads())
            .map(|_| {
                let (next, returns) = (&next, &returns);
                s.spawn(move || {
                    let mut read = Vec::new();
                    sandbox.read_in_turn(
                        || returns.get(next.fetch_add(1, Ordering::Relaxed)).copied(),
                        |i, answer| {
                            let path = entry_path(&entries[i]);
                            read.push((i, received(plan, path, sandbox.decode(answer), opts)));
                        },
                    );
                    read
                })
            })
            .collect();
        let joined = feeders.into_iter().map(|f| f.join());
        // A feeding thread's panic (a bug) is the run's, as on rayon's threads.
        let read = joined.map(|r| r.unwrap_or_else(|p| std::panic::resume_unwind(p)));
        read.flatten().collect()
    });
    received.extend(entries.iter().enumerate().filter_map(|(i, e)| match e {
        Entry::Skipped(path, why) => Some((i, skipped(path, why, opts))),
        Entry::Return(_) => None,
    }));
    received.sort_unstable_by_key(|(i, _)| *i);
    received.into_iter().map(|(_, r)| r).collect()
}

/// A skipped inbox entry, told to `opts.on_file`.
fn skipped(path: &Path, why: &str, opts: &MergeOptions) -> Received {
    told(
        Received {
            submission: skipped_submission(path, why),
            mtime: None,
        },
        opts,
    )
}

/// A return as read (`raw`), validated and told to `opts.on_file`.
fn received(
    plan: &Plan,
    path: &Path,
    raw: Result<RawReturn, ReadFailure>,
    opts: &MergeOptions,
) -> Received {
    let submission = match raw {
        Ok(raw) => validate(plan, path, &raw),
        Err(failure) => Submission::failed(path, &failure),
    };
    let mtime = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(crate::reader::UtcTime::from_system_time);
    told(Received { submission, mtime }, opts)
}

/// Passes `r` to the caller's progress callback, if any.
fn told(r: Received, opts: &MergeOptions) -> Received {
    if let Some(cb) = &opts.on_file {
        cb(&r.submission);
    }
    r
}

/// Reads one file as `opts.mode` says (a fresh worker when isolated).
pub fn read_one(path: &Path, opts: &MergeOptions) -> Result<RawReturn, ReadFailure> {
    match &opts.mode {
        ReadMode::Isolated { exe, limits } => {
            Sandbox::new(exe.clone(), opts.limits.clone(), limits.clone()).read(path)
        }
        ReadMode::InProcess => read_return(path, &opts.limits),
    }
}

/// The submission of an inbox entry that is not a return.
pub fn skipped_submission(path: &Path, why: &str) -> Submission {
    Submission::skipped(path, why)
}

/// Runs a whole merge and writes its outputs into `opts.out`. The output
/// folder is locked (and its leftovers removed) before the inbox is read,
/// so a second run, or an output folder that cannot be written, fails at
/// once.
pub fn run_merge(plan: &Plan, opts: &MergeOptions) -> Result<MergeOutcome, RunError> {
    // SAMLA_TIMING=1 prints each phase's wall time and the process's peak
    // memory so far on stderr (for profiling; see bench/PROFILE.md).
    let timing = std::env::var_os("SAMLA_TIMING").is_some();
    let start = std::time::Instant::now();
    let phase = |name: &str| {
        if timing {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let peak = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .map_or("?", str::trim);
            let s = start.elapsed().as_secs_f64();
            eprintln!("samla: {name}: {s:.3} s, topp {peak}");
        }
    };
    check_folders(&opts.inbox, &opts.out)?;
    let out = OutputDir::open(&opts.out)?;
    let entries = scan_inbox(&opts.inbox)?;
    // The run history and the last run's JSON (the largest output, for the
    // comparison with it) are read while the returns are: after them, they
    // were most of the merge's time, on one core. A last run that is gone
    // or unreadable only means nothing is compared; a history that cannot
    // be read stops the run before anything is written (as it did when it
    // was read after the returns).
    let (received, (history, last)) = std::thread::scope(|s| {
        let last = s.spawn(|| {
            let history = crate::history::History::load_all(&opts.out);
            (history, crate::history::LastRun::load(plan, &opts.out))
        });
        let received = read_all(plan, &entries, opts);
        let earlier = last.join().unwrap_or_else(|_| {
            // Reading them again here gives the same result or error.
            (crate::history::History::load_all(&opts.out), None)
        });
        (received, earlier)
    });
    phase("läst och validerat");
    let mut consolidation = merge(plan, received);
    if let Some(prev) = &opts.previous {
        consolidation.over_time.comparison =
            Some(crate::rounds::compare(plan, &consolidation, prev));
    }
    crate::history::prepare(plan, &mut consolidation, &opts.out, history, last)?;
    phase("sammanslaget");
    let outputs = OUTPUTS.iter().map(|n| out.path(n).display().to_string());
    let summary = Summary::new(plan, &consolidation, outputs.collect());
    let set = build_outputs(plan, &consolidation, &summary, &out)?;
    phase("rapporter byggda");
    out.publish(&set)?;
    phase("skrivet");
    Ok(MergeOutcome {
        consolidation,
        summary,
    })
}

/// Writes the JSON, then beside it the next run's comparison basis with
/// the JSON's fingerprint ([`crate::history::write_basis`]; not linked into
/// the folder, so not in [`OUTPUTS`]).
fn json_and_basis(
    plan: &Plan,
    c: &Consolidation,
    summary: &Summary,
    out: &OutputDir,
) -> Result<(), crate::output::OutputError> {
    let mut json = None;
    out.write_staged(JSON, |w| {
        let mut w = crate::history::Fingerprinted::new(w);
        report::json::write_json(plan, c, summary, &mut w)?;
        json = Some(w.fingerprint());
        Ok::<_, serde_json::Error>(())
    })?;
    let Some(json) = json else {
        return Ok(());
    };
    out.write_staged(crate::history::BASIS, |w| {
        crate::history::write_basis(plan, c, json, w)
    })
}

/// Builds every output of a run (names in [`OUTPUTS`]) into the new
/// generation of `out`, before anything visible changes, so a failure
/// leaves the previous outputs as they were. The outputs are independent:
/// each is built on its own core and streamed into its file, so none is
/// held whole in memory. The run history is copied into the new generation
/// with this run's line added ([`crate::history::write_next`]).
pub fn build_outputs(
    plan: &Plan,
    consolidation: &Consolidation,
    summary: &Summary,
    out: &OutputDir,
) -> Result<OutputSet, RunError> {
    let c = consolidation;
    // The report is the longest output built on one thread: it starts at
    // once, here. The other thread takes the workbook, whose long sheet's
    // measuring runs on any idle thread, and whichever thread is free takes
    // the short outputs. (With the report last, it was a tail of 60 ms on
    // one core at 1,000 returns.)
    let (docx, (xlsx, ((csv, json), disc))) = rayon::join(
        || out.write_staged(REPORT, |w| report::docx::document(plan, c, w).map(drop)),
        || {
            rayon::join(
                || out.write_staged(CONSOLIDATED, |w| report::consolidated::workbook(plan, c, w)),
                || {
                    rayon::join(
                        || {
                            rayon::join(
                                || {
                                    out.write_staged(ANSWERS_CSV, |w| {
                                        report::csv::write(plan, c, w).map(drop)
                                    })
                                },
                                || json_and_basis(plan, c, summary, out),
                            )
                        },
                        || {
                            out.write_staged(DISCREPANCIES, |w| {
                                report::discrepancies::workbook(plan, &c.findings, w)
                            })
                        },
                    )
                },
            )
        },
    );
    for built in [xlsx, docx, disc, json, csv] {
        built.map_err(RunError::Output)?;
    }
    let mut set = OutputSet::new();
    set.staged(CONSOLIDATED)
        .staged(DISCREPANCIES)
        .staged(JSON)
        .staged(REPORT)
        .staged(ANSWERS_CSV);
    if crate::history::write_next(plan, c, summary, out).map_err(RunError::Output)? {
        set.staged(crate::history::HISTORY);
    }
    Ok(set)
}
