//! `samla check`: what a region runs before sending its file.

use std::path::PathBuf;

use samla::pipeline::{read_one, skipped_submission, MergeOptions};
use samla::validate::{validate, Submission};
use samla::{FindingCode, Severity};

use super::{load_plan, FAILED, OK, PROBLEMS};

/// Kontrollera en eller flera ifyllda mallar innan de skickas: varje problem
/// visas med blad och cell.
///
/// Exempel: samla check --plan templates/cancerplan-norr-2022-2024.toml RJH.xlsx
#[derive(clap::Args)]
pub struct Args {
    /// Planen (TOML).
    #[arg(long)]
    plan: PathBuf,
    /// Filerna att kontrollera.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Skriv en återkopplingsfil per kontrollerad fil i den här mappen:
    /// problemcellerna markerade och kommenterade, och en lista först.
    #[arg(long)]
    feedback: Option<PathBuf>,
    /// Skriv fynden som JSON på stdout.
    #[arg(long)]
    json: bool,
    /// Längsta tid för att läsa en fil, i sekunder.
    #[arg(long, default_value_t = 30)]
    file_timeout: u64,
}

pub fn run(a: Args) -> i32 {
    let plan = match load_plan(&a.plan) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut opts = MergeOptions::new(".", ".");
    opts.mode = super::read_mode(a.file_timeout);
    let mut problems = 0;
    let mut all = Vec::new();
    for file in &a.files {
        let is_file = std::fs::metadata(file).map(|m| m.is_file());
        let (sub, raw): (Submission, _) = match is_file {
            Ok(true) => match read_one(file, &opts) {
                Ok(raw) => (validate(&plan, file, &raw), Some(raw)),
                Err(failure) => (Submission::failed(file, &failure), None),
            },
            Ok(false) => (skipped_submission(file, "ingen vanlig fil"), None),
            Err(e) => (
                skipped_submission(
                    file,
                    &format!("filen finns inte eller kan inte läsas ({e})"),
                ),
                None,
            ),
        };
        let mut findings = sub.findings.clone();
        samla::finding::sort(&mut findings);
        let n = findings
            .iter()
            .filter(|f| f.severity != Severity::Info || f.code == FindingCode::SkippedEntry)
            .count();
        problems += n;
        if !a.json {
            let who = sub
                .respondent()
                .map(|w| format!(" ({} – {})", w.code(&plan), w.name(&plan)))
                .unwrap_or_default();
            println!("{}{who}", sub.file.display());
            for f in &findings {
                let place = f
                    .location
                    .as_ref()
                    .map(|l| match (&l.sheet, &l.cell) {
                        (Some(sh), Some(c)) => format!("{sh}!{c}"),
                        (Some(sh), None) => sh.clone(),
                        _ => "filen".to_string(),
                    })
                    .unwrap_or_else(|| "filen".into());
                println!(
                    "  {place:<16} {:<8} {:<24} {}",
                    f.severity.swedish(),
                    f.code.as_str(),
                    f.message
                );
            }
            if sub.accepted() && n == 0 {
                println!("  Inga problem hittades. Filen kan skickas.");
            } else if sub.accepted() {
                println!("  {n} att rätta eller bekräfta innan filen skickas.");
            } else {
                println!("  Filen kan inte tas emot. Rätta felet ovan och kontrollera igen.");
            }
        }
        if let Some(dir) = &a.feedback {
            let path = samla::report::feedback::path_for(dir, file);
            let written = std::fs::create_dir_all(dir)
                .map_err(|e| format!("{}: {e}", dir.display()))
                .and_then(|_| {
                    samla::report::feedback::workbook(&plan, &sub, raw.as_ref())
                        .map_err(|e| e.to_string())
                })
                .and_then(|bytes| {
                    samla::output::write_atomic(&path, &bytes).map_err(|e| e.to_string())
                });
            match written {
                Ok(()) => eprintln!("samla: återkoppling skriven till {}", path.display()),
                Err(e) => {
                    eprintln!("samla: återkopplingen kunde inte skrivas: {e}");
                    return FAILED;
                }
            }
        }
        all.extend(findings);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
    }
    if problems > 0 {
        PROBLEMS
    } else {
        OK
    }
}
