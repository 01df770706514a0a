//! `samla merge`: the analyst's and the nightly job's command.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use samla::pipeline::{run_merge, MergeOptions};

use super::error::{note, say, CliError, Status};
use super::load_plan;

/// Läs alla svar i inkorgen parallellt, validera mot planen och skriv
/// sammanställning, avvikelserapport och JSON.
///
/// Exempel: samla merge --plan templates/cancerplan-norr-2022-2024.toml --inbox samples --out out
#[derive(clap::Args)]
pub struct Args {
    /// Planen: TOML (.toml) eller arbetsbok (.xlsx, .ods).
    #[arg(long, value_name = "PLAN")]
    plan: PathBuf,
    /// Mappen med regionernas ifyllda mallar.
    #[arg(long, value_name = "MAPP")]
    inbox: PathBuf,
    /// Mappen att skriva sammanstallning.xlsx, avvikelser.xlsx och sammanstallning.json i.
    #[arg(long, value_name = "MAPP")]
    out: PathBuf,
    /// Avsluta med status 1 om det finns fel eller varningar.
    #[arg(long)]
    strict: bool,
    /// Skriv sammanfattningen som JSON på stdout (för schemalagda jobb).
    #[arg(long)]
    json: bool,
    /// Ingen förloppsindikator.
    #[arg(long, short)]
    quiet: bool,
    /// Jämför med en tidigare omgång: dess utdatamapp eller sammanstallning.json.
    #[arg(long, value_name = "MAPP_ELLER_JSON")]
    previous: Option<PathBuf>,
    /// Längsta tid för att läsa en fil, i sekunder.
    #[arg(long, default_value_t = 30, value_name = "SEKUNDER")]
    file_timeout: u64,
}

pub fn run(a: Args) -> Result<Status, CliError> {
    // Which executable reads the returns is asked of `samla-worker` (a
    // process started and waited for): beside the plan's loading, not after.
    let (plan, mode) = std::thread::scope(|s| {
        let mode = s.spawn(|| super::read_mode(a.file_timeout));
        (load_plan(&a.plan), mode.join())
    });
    let plan = plan?;
    let mut opts = MergeOptions::new(&a.inbox, &a.out);
    if let Some(p) = &a.previous {
        // Goals are matched by id, which means nothing across two plans:
        // an earlier round of another plan is refused, as for templates.
        let prev = samla::rounds::PreviousRound::load(p)?.of_plan(&plan)?;
        opts.previous = Some(Arc::new(prev));
    }
    opts.mode = mode.unwrap_or_else(|_| super::read_mode(a.file_timeout));
    let bar = if !a.quiet && std::io::stderr().is_terminal() {
        let total = std::fs::read_dir(&a.inbox).map(|d| d.count()).unwrap_or(0);
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} filer, {msg} [{elapsed}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    if let Some(bar) = bar.clone() {
        let findings = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        opts.on_file = Some(Arc::new(move |s| {
            let n = findings.fetch_add(s.findings.len(), std::sync::atomic::Ordering::Relaxed)
                + s.findings.len();
            bar.set_message(format!("{n} avvikelser"));
            bar.inc(1);
        }));
    }
    let outcome = run_merge(&plan, &opts);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    // Never freed: the process ends right after, and freeing every answer
    // of a large run one by one is a serial tail (about 3 % of the CPU of a
    // run of 5,000 returns).
    let outcome = std::mem::ManuallyDrop::new(outcome?);
    let s = &outcome.summary;
    note(format_args!("{}", s.one_line()));
    if let Some(d) = &s.since_last_run {
        note(format_args!("samla: {}", d.swedish()));
    }
    if !a.quiet {
        note(format_args!("samla: skrev {}", s.outputs.join(", ")));
    }
    if a.json {
        let json = serde_json::to_string(s).unwrap_or_default();
        say(&mut std::io::stdout().lock(), format_args!("{json}"))?;
    }
    if s.counts.merged == 0 {
        return Err(CliError::NothingMerged {
            files: s.counts.files,
            inbox: a.inbox,
            report: a.out.join(samla::pipeline::DISCREPANCIES),
        });
    }
    Ok(if a.strict && s.has_discrepancies() {
        Status::Problems
    } else {
        Status::Done
    })
}
