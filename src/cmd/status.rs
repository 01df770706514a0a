//! `samla status`: who has sent what, on the terminal, without writing
//! anything — the `Inlämningar` sheet as a table, for sending reminders.

use std::path::PathBuf;

use samla::history::History;
use samla::merge::merge;
use samla::pipeline::{read_all, scan_inbox, MergeOptions};
use samla::report::submissions::{cells, rows, SubmissionStatus, HEADERS};

use super::error::{say, CliError, Status};
use super::load_plan;

/// Visa vilka som har skickat in, vilka som saknas och vilka svar som
/// avvisats – utan att skriva några filer.
///
/// Exempel: samla status --plan templates/cancerplan-norr-2022-2024.toml --inbox inkorg --out ut
#[derive(clap::Args)]
pub struct Args {
    /// Planen: TOML (.toml) eller arbetsbok (.xlsx, .ods).
    #[arg(long, value_name = "PLAN")]
    plan: PathBuf,
    /// Mappen med de ifyllda mallarna.
    #[arg(long, value_name = "MAPP")]
    inbox: PathBuf,
    /// Utdatamappen för samla merge: dess historik (historik.jsonl) säger
    /// när varje svar först sågs. Läses bara.
    #[arg(long, value_name = "MAPP")]
    out: Option<PathBuf>,
    /// Längsta tid för att läsa en fil, i sekunder.
    #[arg(long, default_value_t = 30, value_name = "SEKUNDER")]
    file_timeout: u64,
}

pub fn run(a: Args) -> Result<Status, CliError> {
    let plan = load_plan(&a.plan)?;
    let mut opts = MergeOptions::new(&a.inbox, a.out.clone().unwrap_or_default());
    opts.mode = super::read_mode(a.file_timeout);
    let entries = scan_inbox(&a.inbox)?;
    let mut c = merge(&plan, read_all(&plan, &entries, &opts));
    if let Some(out) = &a.out {
        let contents = c.sources.iter().filter_map(|s| s.sha256.as_deref());
        let history = History::load(out, contents).map_err(|source| CliError::Input {
            path: out.join(samla::history::HISTORY),
            source,
        })?;
        c.over_time.first_seen = history.first_seen;
    }
    let mut table: Vec<[String; 7]> = vec![HEADERS.map(str::to_string)];
    for r in rows(&plan, &c) {
        let mut cells = cells(&r);
        if r.file.is_some() && r.first_seen.is_none() {
            // Not in the history: the next merge records it.
            cells[3] = "ny".to_string();
        }
        table.push(cells);
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| {
            table
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    for r in &table {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v}{}", " ".repeat(w - v.chars().count())))
            .collect();
        say(&mut out, format_args!("{}", line.join("  ").trim_end()))?;
    }
    let all = samla::plan::Respondent::all(&plan);
    let missing: Vec<&str> = all
        .iter()
        .map(|w| w.code(&plan).0.as_str())
        .filter(|code| !c.has_reported(code))
        .collect();
    let refused = rows(&plan, &c)
        .iter()
        .filter(|r| r.status == SubmissionStatus::Refused)
        .count();
    say(
        &mut out,
        format_args!(
            "\n{} av {} har ett godtaget svar{}; {refused} avvisade filer.",
            all.len() - missing.len(),
            all.len(),
            if missing.is_empty() {
                String::new()
            } else {
                format!(" (saknas: {})", missing.join(", "))
            }
        ),
    )?;
    Ok(Status::Done)
}
