//! `samla plan`: write a new plan workbook, check a plan, convert a plan
//! between TOML and workbook.

use std::path::{Path, PathBuf};

use samla::output::OutputError;
use samla::plan::{workbook, Plan, PlanError};

use super::error::{note, say, CliError, Status};

/// Skriv, kontrollera eller konvertera en plan (arbetsbok .xlsx/.ods eller TOML).
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Skriv en ny plan som arbetsbok, med instruktioner och ett exempel på varje blad.
    ///
    /// Exempel: samla plan new min-plan.xlsx
    New {
        /// Arbetsboken att skriva (.xlsx); en fil som redan finns skrivs inte över.
        #[arg(value_name = "FIL")]
        file: PathBuf,
    },
    /// Kontrollera en plan: varje problem med blad och cell (eller rad i TOML).
    ///
    /// Exempel: samla plan check min-plan.xlsx
    Check {
        /// Planen (.xlsx, .ods eller .toml).
        #[arg(value_name = "FIL")]
        file: PathBuf,
    },
    /// Konvertera en plan mellan TOML och arbetsbok, utan att något går förlorat.
    ///
    /// Exempel: samla plan convert plan.toml plan.xlsx
    Convert {
        /// Planen att läsa (.xlsx, .ods eller .toml).
        #[arg(value_name = "IN")]
        input: PathBuf,
        /// Filen att skriva: .xlsx eller .toml.
        #[arg(value_name = "UT")]
        output: PathBuf,
    },
}

pub fn run(a: Args) -> Result<Status, CliError> {
    match a.command {
        Command::New { file } => new(&file),
        Command::Check { file } => check(&file),
        Command::Convert { input, output } => {
            let plan = Plan::load(&input)?;
            write(&output, &plan)?;
            note(format_args!(
                "samla: planen skriven till {}",
                output.display()
            ));
            Ok(Status::Done)
        }
    }
}

fn extension(file: &Path) -> String {
    file.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn new(file: &Path) -> Result<Status, CliError> {
    if extension(file) != "xlsx" {
        return Err(CliError::PlanFormat {
            path: file.to_path_buf(),
            allowed: ".xlsx",
        });
    }
    if file.exists() {
        return Err(CliError::Exists {
            path: file.to_path_buf(),
        });
    }
    write(file, &workbook::example())?;
    note(format_args!(
        "samla: en ny plan skriven till {}. Fyll i den och kontrollera den med: samla plan check {}",
        file.display(),
        file.display()
    ));
    Ok(Status::Done)
}

/// Every problem of a plan; exit status 1 when there is one.
fn check(file: &Path) -> Result<Status, CliError> {
    let read = if workbook::is_workbook(file) {
        workbook::load_with_infos(file)
    } else {
        Plan::load(file).map(|plan| workbook::ReadPlan {
            plan,
            infos: Vec::new(),
        })
    };
    let r = match read {
        Ok(r) => r,
        Err(e @ PlanError::Io { .. }) => return Err(e.into()),
        Err(e) => {
            note(format_args!("samla: {e}"));
            return Ok(Status::Problems);
        }
    };
    for i in &r.infos {
        note(format_args!("samla: {}: info: {i}", file.display()));
    }
    let p = &r.plan;
    let noun = if p.regions.len() == 1 {
        &p.noun.singular
    } else {
        &p.noun.plural
    };
    say(
        &mut std::io::stdout().lock(),
        format_args!(
            "{}: planen är giltig: {} – {} {noun}, {} nivåer, {} mål i {} områden.",
            file.display(),
            p.title,
            p.regions.len(),
            p.scale.len(),
            p.goal_count(),
            p.areas.len()
        ),
    )?;
    Ok(Status::Done)
}

/// Writes `plan` as a workbook or TOML, chosen by the file's ending.
fn write(file: &Path, plan: &Plan) -> Result<(), CliError> {
    let bytes = match extension(file).as_str() {
        "xlsx" => workbook::write(plan).map_err(|e| OutputError::Build(Box::new(e)))?,
        "toml" => plan.to_toml_string().into_bytes(),
        _ => {
            return Err(CliError::PlanFormat {
                path: file.to_path_buf(),
                allowed: ".xlsx eller .toml",
            })
        }
    };
    samla::output::write_atomic(file, &bytes)?;
    Ok(())
}
