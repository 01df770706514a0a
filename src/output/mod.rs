//! Safe output. A run's set of outputs is published as one generation
//! ([`OutputDir`], [`OutputSet`]; see `generation.rs`): under the folder's
//! lock, switched in by one rename, so a run killed at any moment leaves the
//! whole previous set or the whole new set. A single file (a template, a
//! feedback workbook) is written to a temporary file beside its target and
//! renamed into place ([`write_atomic`]).
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("a.txt");
//! samla::output::write_atomic(&path, b"hej").unwrap();
//! assert_eq!(std::fs::read(&path).unwrap(), b"hej");
//! ```

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

mod fault;
mod generation;

pub use generation::{OutputDir, OutputSet, CURRENT};

/// Why output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file (or the lock file) could not be written.
    #[error("{path}: kunde inte skrivas: {}. Kontrollera att mappen finns och är skrivbar och att filen inte är öppen i Excel.", crate::oserror::swedish(source))]
    Write {
        /// The file that could not be written.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Another run holds the output folder's lock.
    #[error("{path}: en annan körning av samla skriver redan i mappen (låsfilen {lock} är tagen). Vänta tills den är klar.")]
    Locked {
        /// The output folder.
        path: PathBuf,
        /// The lock file the other run holds.
        lock: PathBuf,
    },
    /// The library writing an output stopped with a panic, e.g. on an I/O
    /// error it did not expect.
    #[error("{path}: skrivningen avbröts ({reason}). Oftast är disken full: kontrollera att det finns ledigt utrymme där utdata och temporära filer skrivs, och kör igen. Förra körningens filer finns kvar.")]
    Aborted {
        /// The file being written.
        path: PathBuf,
        /// What the writer said.
        reason: String,
    },
    /// An output could not be built (a workbook writer's error).
    #[error("utdata kunde inte byggas: {0}")]
    Build(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    stage(path, bytes)?
        .persist(path)
        .map(|_| ())
        .map_err(|e| OutputError::Write {
            path: path.to_path_buf(),
            source: e.error,
        })
}

fn stage(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, OutputError> {
    let err = |source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".samla-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    // tempfile creates 0600; an output is a document to share, so keep the
    // existing file's mode, or use the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode & 0o777))
            .map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    Ok(tmp)
}

/// An exclusive lock on an output folder, released on drop.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

/// Name of the lock file samla keeps in an output folder.
pub const LOCK_FILE: &str = ".samla.lock";

impl DirLock {
    /// Creates `dir` if needed and takes its lock, failing at once if another
    /// run holds it: a nightly job should fail loudly, not queue up.
    pub fn acquire(dir: &Path) -> Result<DirLock, OutputError> {
        std::fs::create_dir_all(dir).map_err(|source| OutputError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let lock = dir.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock)
            .map_err(|source| OutputError::Write {
                path: lock.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(DirLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(OutputError::Locked {
                path: dir.to_path_buf(),
                lock,
            }),
            Err(std::fs::TryLockError::Error(source)) => {
                Err(OutputError::Write { path: lock, source })
            }
        }
    }
}
