//! `samla fill`: fills a respondent's template with answers from a TOML
//! file. Used to build the bundled samples and the benchmark's returns from
//! the real template.

use std::path::PathBuf;

use samla::template::{self, Answers};

use super::error::{CliError, Status};
use super::load_plan;

/// Fyll i en regions mall med svar från en TOML-fil (för exempel och tester).
///
/// Exempel: samla fill --plan templates/cancerplan-norr-2022-2024.toml --answers samples/answers/RJH.toml --out RJH.xlsx
#[derive(clap::Args)]
pub struct Args {
    /// Planen: TOML (.toml) eller arbetsbok (.xlsx, .ods).
    #[arg(long, value_name = "PLAN")]
    plan: PathBuf,
    /// Svaren (TOML: respondent = "RJH", [goals."1.1"] rating = "P", comment = "…").
    #[arg(long, value_name = "SVAR")]
    answers: PathBuf,
    /// Filen att skriva.
    #[arg(long, value_name = "FIL")]
    out: PathBuf,
    /// Förra omgången (som för samla template --previous): fyll i en mall med
    /// förra omgångens kolumner.
    #[arg(long, value_name = "FÖRRA")]
    previous: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<Status, CliError> {
    let plan = load_plan(&a.plan)?;
    let previous = super::previous_round(a.previous.as_deref(), &plan)?;
    let answers = Answers::load(&a.answers)?;
    let Some(who) = plan.respondent(&answers.respondent) else {
        return Err(CliError::UnknownRespondent {
            answers: a.answers,
            code: answers.respondent,
            plan: plan.id.clone(),
        });
    };
    let shown = previous.map(|p| template::Previous::of(&p, &plan, &who));
    let bytes =
        template::workbook_with(&plan, &who, Some(&answers), shown.as_ref()).map_err(|source| {
            CliError::Fill {
                answers: a.answers.clone(),
                source,
            }
        })?;
    samla::output::write_atomic(&a.out, &bytes)?;
    Ok(Status::Done)
}
