//! `samla check`: what a region runs before sending its file.

use std::path::PathBuf;

use samla::pipeline::{read_all, Entry, MergeOptions};
use samla::Severity;

use super::{load_plan, OK, PROBLEMS};

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
    let entries: Vec<Entry> = a
        .files
        .iter()
        .map(|f| match std::fs::symlink_metadata(f) {
            Ok(m)
                if m.is_file()
                    || m.file_type().is_symlink()
                        && std::fs::metadata(f).is_ok_and(|m| m.is_file()) =>
            {
                Entry::Return(f.clone())
            }
            Ok(_) => Entry::Skipped(f.clone(), "ingen vanlig fil".into()),
            Err(e) => Entry::Skipped(
                f.clone(),
                format!("filen finns inte eller kan inte läsas ({e})"),
            ),
        })
        .collect();
    let received = read_all(&plan, &entries, &opts);
    let mut problems = 0;
    let mut all = Vec::new();
    for r in &received {
        let s = &r.submission;
        let who = s
            .respondent
            .as_ref()
            .map(|w| format!(" ({} – {})", w.code(&plan), w.name(&plan)))
            .unwrap_or_default();
        if !a.json {
            println!("{}{who}", s.file.display());
        }
        let mut findings = s.findings.clone();
        findings.sort_by(|x, y| x.sort_key().cmp(&y.sort_key()));
        for f in &findings {
            if f.code == samla::FindingCode::SkippedEntry {
                problems += 1;
            }
            if f.severity != Severity::Info {
                problems += 1;
            }
            if !a.json {
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
        }
        if !a.json {
            let n = findings
                .iter()
                .filter(|f| f.severity != Severity::Info)
                .count();
            if s.accepted() && n == 0 {
                println!("  Inga problem hittades. Filen kan skickas.");
            } else if s.accepted() {
                println!("  {n} att rätta eller bekräfta innan filen skickas.");
            } else {
                println!("  Filen kan inte tas emot. Rätta felet ovan och kontrollera igen.");
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
