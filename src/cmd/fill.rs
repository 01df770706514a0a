//! `samla fill`: fills a respondent's template with answers from a TOML
//! file. Used to build the bundled samples and the benchmark's returns from
//! the real template.

use std::path::PathBuf;

use samla::template::{self, Answers};

use super::{load_plan, FAILED, OK};

/// Fyll i en regions mall med svar från en TOML-fil (för exempel och tester).
///
/// Exempel: samla fill --plan templates/cancerplan-norr-2022-2024.toml --answers samples/answers/RJH.toml --out RJH.xlsx
#[derive(clap::Args)]
pub struct Args {
    /// Planen (TOML).
    #[arg(long)]
    plan: PathBuf,
    /// Svaren (TOML: respondent = "RJH", [goals."1.1"] rating = "P", comment = "…").
    #[arg(long)]
    answers: PathBuf,
    /// Filen att skriva.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: Args) -> i32 {
    let plan = match load_plan(&a.plan) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let answers = match Answers::load(&a.answers) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("samla: {e}");
            return FAILED;
        }
    };
    let Some(who) = plan.respondent(&answers.respondent) else {
        eprintln!(
            "samla: {}: respondenten {:?} finns inte i planen {}",
            a.answers.display(),
            answers.respondent,
            plan.id
        );
        return FAILED;
    };
    let bytes = match template::workbook(&plan, &who, Some(&answers)) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("samla: {}: {e}", a.answers.display());
            return FAILED;
        }
    };
    match samla::output::write_atomic(&a.out, &bytes) {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("samla: {e}");
            FAILED
        }
    }
}
