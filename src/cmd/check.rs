//! `samla check`: what a region runs before sending its file.

use std::io::Write;
use std::path::{Path, PathBuf};

use samla::output::OutputError;
use samla::pipeline::{read_one, MergeOptions};
use samla::reader::RawReturn;
use samla::validate::{validate, Submission};
use samla::{Finding, FindingCode, Plan, Severity};

use super::error::{note, say, CliError, Status};
use super::load_plan;

/// Kontrollera en eller flera ifyllda mallar innan de skickas: varje problem
/// visas med blad och cell.
///
/// Exempel: samla check --plan templates/cancerplan-norr-2022-2024.toml RJH.xlsx
#[derive(clap::Args)]
pub struct Args {
    /// Planen: TOML (.toml) eller arbetsbok (.xlsx, .ods).
    #[arg(long, value_name = "PLAN")]
    plan: PathBuf,
    /// Filerna att kontrollera.
    #[arg(required = true, value_name = "FIL")]
    files: Vec<PathBuf>,
    /// Skriv en återkopplingsfil per kontrollerad fil i den här mappen:
    /// problemcellerna markerade och kommenterade, och en lista först.
    #[arg(long, value_name = "MAPP")]
    feedback: Option<PathBuf>,
    /// Skriv fynden som JSON på stdout.
    #[arg(long)]
    json: bool,
    /// Längsta tid för att läsa en fil, i sekunder.
    #[arg(long, default_value_t = 30, value_name = "SEKUNDER")]
    file_timeout: u64,
}

pub fn run(a: Args) -> Result<Status, CliError> {
    let plan = load_plan(&a.plan)?;
    // Every file must be there before anything is read or printed: a typo
    // in a path is a mistake on the command line, not a finding.
    for file in &a.files {
        let meta = std::fs::metadata(file).map_err(|source| CliError::Input {
            path: file.clone(),
            source,
        })?;
        if !meta.is_file() {
            return Err(CliError::NotAFile { path: file.clone() });
        }
    }
    let mut opts = MergeOptions::new(".", ".");
    opts.mode = super::read_mode(a.file_timeout);
    let mut out = std::io::stdout().lock();
    let mut problems = 0;
    let mut all = Vec::new();
    for file in &a.files {
        let (sub, raw): (Submission, _) = match read_one(file, &opts) {
            Ok(raw) => (validate(&plan, file, &raw), Some(raw)),
            Err(failure) => (Submission::failed(file, &failure), None),
        };
        let mut findings = sub.findings.clone();
        samla::finding::sort(&mut findings);
        let n = findings
            .iter()
            .filter(|f| f.severity != Severity::Info || f.code == FindingCode::SkippedEntry)
            .count();
        problems += n;
        if !a.json {
            print_file(&mut out, &plan, &sub, &findings, n)?;
        }
        if let Some(dir) = &a.feedback {
            write_feedback(&plan, dir, file, &sub, raw.as_ref())?;
        }
        all.extend(findings);
    }
    if a.json {
        let json = serde_json::to_string_pretty(&all).unwrap_or_default();
        say(&mut out, format_args!("{json}"))?;
    }
    Ok(if problems > 0 {
        Status::Problems
    } else {
        Status::Done
    })
}

/// The findings of one file, for a person.
fn print_file(
    out: &mut impl Write,
    plan: &Plan,
    sub: &Submission,
    findings: &[Finding],
    n: usize,
) -> Result<(), CliError> {
    let who = sub
        .respondent()
        .map(|w| format!(" ({} – {})", w.code(plan), w.name(plan)))
        .unwrap_or_default();
    say(out, format_args!("{}{who}", sub.file.display()))?;
    for f in findings {
        let place = f
            .location
            .as_ref()
            .map(|l| match (&l.sheet, &l.cell) {
                (Some(sh), Some(c)) => format!("{sh}!{c}"),
                (Some(sh), None) => sh.to_string(),
                _ => "filen".to_string(),
            })
            .unwrap_or_else(|| "filen".into());
        say(
            out,
            format_args!(
                "  {place:<16} {:<8} {:<24} {}",
                f.severity.swedish(),
                f.code.as_str(),
                f.message
            ),
        )?;
    }
    let verdict = if sub.accepted() && n == 0 {
        "Inga problem hittades. Filen kan skickas.".to_string()
    } else if sub.accepted() {
        format!("{n} att rätta eller bekräfta innan filen skickas.")
    } else {
        "Filen kan inte tas emot. Rätta felet ovan och kontrollera igen.".to_string()
    };
    say(out, format_args!("  {verdict}"))
}

/// Writes the feedback workbook of one checked file into `dir`.
fn write_feedback(
    plan: &Plan,
    dir: &Path,
    file: &Path,
    sub: &Submission,
    raw: Option<&RawReturn>,
) -> Result<(), CliError> {
    let path = samla::report::feedback::path_for(dir, file);
    std::fs::create_dir_all(dir).map_err(|source| CliError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let bytes = samla::report::feedback::workbook(plan, sub, raw)
        .map_err(|e| OutputError::Build(e.into()))?;
    samla::output::write_atomic(&path, &bytes)?;
    note(format_args!(
        "samla: återkoppling skriven till {}",
        path.display()
    ));
    Ok(())
}
