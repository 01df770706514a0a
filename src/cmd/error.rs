//! One error type for every command, and the one place where a command's
//! result becomes an exit status (ripgrep's `main`, xsv's `CliError`): a
//! closed pipe is a normal, quiet end; everything else is said once, in
//! Swedish, on stderr.

use std::io::{self, Write};
use std::path::PathBuf;

use samla::oserror::swedish;
use samla::output::OutputError;
use samla::pipeline::RunError;
use samla::plan::PlanError;
use samla::template::{AnswersError, TemplateError};

use super::usage;

/// How a command that ran to its end went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Done (`merge`: outputs written; `check`: no problems).
    Done,
    /// Done, with problems: `check` found errors or warnings, `merge
    /// --strict` found discrepancies.
    Problems,
}

/// Exit status: done.
pub const OK: u8 = 0;
/// Exit status: done, but there are problems (or nothing could be merged).
pub const PROBLEMS: u8 = 1;
/// Exit status: could not run.
pub const FAILED: u8 = 2;

impl Status {
    /// The exit status.
    pub fn code(self) -> u8 {
        match self {
            Status::Done => OK,
            Status::Problems => PROBLEMS,
        }
    }
}

/// Why a command did not end as [`Status::Done`] or [`Status::Problems`].
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line was not understood, or asked for help or the version.
    #[error("{}", usage::swedish(.0))]
    Usage(clap::Error),
    /// The plan spec could not be used.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A merge could not run (inbox, lock, outputs).
    #[error(transparent)]
    Run(#[from] RunError),
    /// A file could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The earlier round (`--previous`) could not be read.
    #[error(transparent)]
    Previous(#[from] samla::rounds::PreviousError),
    /// An answers file (`samla fill`) could not be read.
    #[error(transparent)]
    Answers(#[from] AnswersError),
    /// A template could not be filled with the answers.
    #[error("{}: {source}", answers.display())]
    Fill {
        /// The answers file.
        answers: PathBuf,
        /// Why.
        #[source]
        source: TemplateError,
    },
    /// The answers name a respondent the plan does not have.
    #[error("{}: respondenten {code:?} finns inte i planen {plan}. Använd en av planens koder.", answers.display())]
    UnknownRespondent {
        /// The answers file.
        answers: PathBuf,
        /// The code the answers give.
        code: String,
        /// The plan's id.
        plan: String,
    },
    /// A file given on the command line could not be opened.
    #[error("{}: filen kunde inte läsas: {}. Kontrollera sökvägen.", path.display(), swedish(source))]
    Input {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A path given on the command line is a folder, a pipe or a device.
    #[error("{}: är ingen vanlig fil. Ange en Excel- eller LibreOffice-fil.", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// A folder to write into could not be created.
    #[error("{}: mappen kunde inte skapas: {}", path.display(), swedish(source))]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A merge in which not one return could be merged: the outputs are
    /// written (they say why), but a nightly job must notice.
    #[error("inget svar kunde slås samman ({files} filer i inkorgen {}); avvikelserna i {} säger varför.", inbox.display(), report.display())]
    NothingMerged {
        /// Entries in the inbox.
        files: usize,
        /// The inbox.
        inbox: PathBuf,
        /// The discrepancy report written.
        report: PathBuf,
    },
    /// `samla plan new` would overwrite a file.
    #[error("{}: filen finns redan. Välj ett annat namn eller ta bort filen först.", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A plan can only be written as `.xlsx` or `.toml`.
    #[error("{}: en plan skrivs som {allowed}. Ange ett filnamn som slutar på det.", path.display())]
    PlanFormat {
        /// The file.
        path: PathBuf,
        /// The endings allowed, e.g. `.xlsx eller .toml`.
        allowed: &'static str,
    },
    /// Standard output could not be written (a closed pipe ends quietly).
    #[error("standard ut kunde inte skrivas: {}", swedish(.0))]
    Stdout(io::Error),
}

impl CliError {
    /// The exit status of this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(e) if !e.use_stderr() => OK,
            CliError::NothingMerged { .. } => PROBLEMS,
            e if e.is_closed_pipe() => OK,
            _ => FAILED,
        }
    }

    /// Whether this is a closed pipe (`samla codes | head -1`): the reader
    /// has all it wanted, so samla stops without a word.
    fn is_closed_pipe(&self) -> bool {
        match self {
            CliError::Stdout(e) => e.kind() == io::ErrorKind::BrokenPipe,
            CliError::Usage(e) => e.kind() == clap::error::ErrorKind::Io,
            _ => false,
        }
    }

    /// Says what went wrong (help and version on stdout, errors on stderr,
    /// nothing for a closed pipe) and returns the exit status.
    pub fn report(&self) -> u8 {
        if self.is_closed_pipe() {
            return self.exit_code();
        }
        match self {
            CliError::Usage(e) if !e.use_stderr() => {
                let mut out = io::stdout().lock();
                // A help text cut short by a closed pipe is still a normal end.
                let _ = write!(out, "{self}").and_then(|_| out.flush());
            }
            CliError::Usage(_) => note(format_args!("{}", self.to_string().trim_end())),
            _ => note(format_args!("samla: {self}")),
        }
        self.exit_code()
    }
}

impl From<clap::Error> for CliError {
    fn from(e: clap::Error) -> CliError {
        CliError::Usage(e)
    }
}

/// Writes a line on stderr. A message nobody can receive (stderr closed)
/// must not turn into a panic, so a failed write is ignored.
pub fn note(msg: std::fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{msg}");
}

/// Writes a line on stdout; a closed pipe comes back as
/// [`CliError::Stdout`] so the command stops there.
pub fn say(out: &mut impl Write, msg: std::fmt::Arguments<'_>) -> Result<(), CliError> {
    writeln!(out, "{msg}").map_err(CliError::Stdout)
}
