//! `samla-worker`: the reader worker as an executable of its own, holding
//! only the reader (about a third of `samla`'s code). `samla merge` starts
//! one per core when this file lies beside `samla` and answers its version
//! to `--version` (see `samla::sandbox::worker_exe`), else
//! `samla __read-worker`: the same
//! protocol and the same reader, in the whole program. Less code in the
//! process that parses untrusted files, and each worker maps less of it
//! (about 4.6 MB resident instead of 7.8 MB).

use std::process::ExitCode;

// mimalloc, set up small (see samla::allocator).
samla::use_mimalloc!();

fn main() -> ExitCode {
    // samla asks this before it uses the file (sandbox::worker_exe).
    if std::env::args_os().nth(1).as_deref() == Some(std::ffi::OsStr::new("--version")) {
        println!("{}", samla::sandbox::WORKER_IDENTITY);
        return ExitCode::SUCCESS;
    }
    let mut args = std::env::args_os().skip(1);
    let started_by_samla = args.next().as_deref()
        == Some(std::ffi::OsStr::new(samla::sandbox::WORKER_COMMAND))
        && args.next().is_none();
    if !started_by_samla {
        eprintln!(
            "samla-worker: läsprocessen startas av samla och talar samlas eget protokoll. \
             Kör samla i stället, t.ex. `samla merge --help`."
        );
        return ExitCode::from(2);
    }
    // The worker's exit status is part of its protocol with the parent.
    std::process::exit(samla::sandbox::worker_main())
}
