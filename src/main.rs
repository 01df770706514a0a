//! The `samla` command: a thin layer over the library. One module per
//! command under `cmd/`, each with its usage text beside its code; every
//! command returns `Result<Status, CliError>`, and `main` turns that into
//! the exit status in one place (`cmd/error.rs`).

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod cmd;

use cmd::error::{CliError, Status};

/// samla – sammanställer regionernas uppföljningsmallar (Excel) till en
/// gemensam uppföljning.
#[derive(Parser)]
#[command(name = "samla", version, after_help = cmd::EXIT_HELP)]
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
    Plan(cmd::plan::Args),
    Status(cmd::status::Args),
    #[command(name = "__read-worker", hide = true)]
    ReadWorker,
}

fn main() -> ExitCode {
    samla::pipeline::limit_malloc_arenas();
    let status = match parse().and_then(run) {
        Ok(status) => status.code(),
        Err(e) => e.report(),
    };
    ExitCode::from(status)
}

fn parse() -> Result<Cli, CliError> {
    let matches = cmd::usage::swedish_command(Cli::command()).try_get_matches()?;
    Ok(Cli::from_arg_matches(&matches)?)
}

fn run(cli: Cli) -> Result<Status, CliError> {
    match cli.command {
        Command::Template(a) => cmd::template::run(a),
        Command::Merge(a) => cmd::merge::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Fill(a) => cmd::fill::run(a),
        Command::Codes(a) => cmd::codes::run(a),
        Command::Plan(a) => cmd::plan::run(a),
        Command::Status(a) => cmd::status::run(a),
        // The sandbox worker speaks its own protocol to its parent, exit
        // status included (see samla::sandbox); it is no command for people.
        Command::ReadWorker => std::process::exit(samla::sandbox::worker_main()),
    }
}
