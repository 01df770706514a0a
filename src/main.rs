//! The `samla` command: a thin layer over the library. One module per
//! command under `cmd/`, each with its usage text beside its code.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// samla – sammanställer regionernas uppföljningsmallar (Excel) till en
/// gemensam uppföljning.
#[derive(Parser)]
#[command(name = "samla", version, about, long_about = None, after_help = cmd::EXIT_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Template(cmd::template::Args),
    Merge(cmd::merge::Args),
    Check(cmd::check::Args),
    Fill(cmd::fill::Args),
    Codes(cmd::codes::Args),
    #[command(name = "__read-worker", hide = true)]
    ReadWorker,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Template(a) => cmd::template::run(a),
        Command::Merge(a) => cmd::merge::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Fill(a) => cmd::fill::run(a),
        Command::Codes(a) => cmd::codes::run(a),
        Command::ReadWorker => samla::sandbox::worker_main(),
    };
    ExitCode::from(code as u8)
}
