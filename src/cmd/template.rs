//! `samla template`: writes every region's template, and the coordinator's.

use std::path::PathBuf;

use super::{load_plan, FAILED, OK};

/// Skriv en ifyllnadsmall (xlsx) per region och en för samordnarens kommentarer.
///
/// Exempel: samla template --plan templates/cancerplan-norr-2022-2024.toml
#[derive(clap::Args)]
pub struct Args {
    /// Planen (TOML).
    #[arg(long)]
    plan: PathBuf,
    /// Mapp att skriva mallarna i [standard: en mapp med planens id bredvid planen].
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(a: Args) -> i32 {
    let plan = match load_plan(&a.plan) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let out = a.out.unwrap_or_else(|| {
        a.plan
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join(&plan.id)
    });
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("samla: {}: mappen kunde inte skapas: {e}", out.display());
        return FAILED;
    }
    match samla::template::write_all(&plan, &out) {
        Ok(paths) => {
            for p in &paths {
                println!("{}", p.display());
            }
            eprintln!("samla: {} mallar skrivna i {}", paths.len(), out.display());
            OK
        }
        Err(e) => {
            eprintln!("samla: {e}");
            FAILED
        }
    }
}
