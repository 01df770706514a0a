//! A run's outputs switch together. Each run writes its whole set into a
//! fresh generation folder and makes it current with one `rename(2)` of a
//! symlink; the names people open are stable symlinks through it:
//!
//! ```text
//! ut/sammanstallning.xlsx -> .samla-aktuell/sammanstallning.xlsx
//! ut/avvikelser.xlsx      -> .samla-aktuell/avvikelser.xlsx
//! ut/.samla-aktuell       -> .samla-gen-000007      (replaced atomically)
//! ut/.samla-gen-000007/   the complete set of the last run
//! ut/.samla.lock          held while a run works in the folder
//! ```
//!
//! Before the rename every name resolves into the previous generation,
//! after it into the new one, so a run killed at any moment leaves the
//! whole previous set or the whole new set. A name the previous set did not
//! have is a dangling link until the switch — absent, as it was. A file
//! that only grows (the run history) is copied into the new generation
//! with the new records added, by its own writer through
//! [`OutputDir::write_staged`], so it switches with the rest. Folders of killed runs are removed under the
//! lock by the next run, and outputs of older samla versions (plain files)
//! are moved under a generation first without a moment where they change.

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::fault::step;
use super::{DirLock, OutputError};

/// The symlink naming the current generation.
pub const CURRENT: &str = ".samla-aktuell";
/// Generation folders are named this and a number.
const GEN_PREFIX: &str = ".samla-gen-";

/// The files of one run, by name, as they should appear in the folder.
#[derive(Debug, Default)]
pub struct OutputSet {
    files: Vec<(String, Vec<u8>)>,
    staged: Vec<String>,
}

impl OutputSet {
    /// An empty set.
    pub fn new() -> OutputSet {
        OutputSet::default()
    }

    /// A file replaced by every run (a workbook, the JSON).
    pub fn file(&mut self, name: &str, bytes: Vec<u8>) -> &mut OutputSet {
        self.files.push((name.to_string(), bytes));
        self
    }

    /// A file its builder already wrote into the new generation with
    /// [`OutputDir::write_staged`] (a large output streamed to disk rather
    /// than held in memory); it switches with the others.
    pub fn staged(&mut self, name: &str) -> &mut OutputSet {
        self.staged.push(name.to_string());
        self
    }

    /// Every name in the set, files first.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let bytes = self.files.iter().map(|(n, _)| n.as_str());
        let staged = self.staged.iter().map(String::as_str);
        bytes.chain(staged)
    }
}

/// An output folder opened for one run: locked, cleaned of what killed
/// runs left, and with an empty generation folder ready, so that a folder
/// that cannot be written is found before any input is read.
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    staging: PathBuf,
    published: bool,
    writeback: Writeback,
    _lock: DirLock,
}

impl OutputDir {
    /// Creates `dir` if needed, takes its lock (failing at once if another
    /// run holds it), removes leftovers and creates the new generation.
    pub fn open(dir: &Path) -> Result<OutputDir, OutputError> {
        let lock = DirLock::acquire(dir)?;
        remove_stale(dir, current(dir).as_deref())?;
        let staging = create_generation(dir)?;
        Ok(OutputDir {
            dir: dir.to_path_buf(),
            staging,
            published: false,
            writeback: Writeback::start(),
            _lock: lock,
        })
    }

    /// The visible path of output `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes output `name` straight into the new generation: `write` gets
    /// a buffered file, which is then flushed and synced. Several outputs
    /// may be written at once from different threads. Register the name
    /// with [`OutputSet::staged`] so that it is published with the set; a
    /// run that does not publish removes it with the generation.
    pub fn write_staged<E>(
        &self,
        name: &str,
        write: impl FnOnce(&mut std::io::BufWriter<Written>) -> Result<(), E>,
    ) -> Result<(), OutputError>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let started = std::time::Instant::now();
        let path = self.staging.join(name);
        let err = |e| write_err(&path, e);
        step("skriv", &path);
        let file = File::create(&path).map_err(err)?;
        let file = Written::new(file, self.writeback.clone());
        let mut buf = std::io::BufWriter::with_capacity(1 << 16, file);
        // A writer library may panic on an I/O error (rust_xlsxwriter 0.102
        // unwraps the rewind of a constant-memory sheet's temporary file,
        // so a full disk panicked the whole run): it becomes this output's
        // error, and the previous set stays.
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write(&mut buf)))
            .map_err(|panic| OutputError::Aborted {
                path: path.clone(),
                reason: panic_text(panic.as_ref()),
            })?;
        built.map_err(|e| OutputError::Build(e.into()))?;
        let file = buf.into_inner().map_err(|e| err(e.into_error()))?.file;
        step("fsync", &path);
        let file = &*file;
        file.sync_all().map_err(err)?;
        // SAMLA_TIMING=1 (see pipeline::run_merge) also times each output.
        if std::env::var_os("SAMLA_TIMING").is_some() {
            let s = started.elapsed().as_secs_f64();
            eprintln!("samla:   {name}: {s:.3} s");
        }
        Ok(())
    }

    /// Writes `set` into the new generation and switches to it; then the
    /// previous generation is removed. Returns the visible paths.
    pub fn publish(mut self, set: &OutputSet) -> Result<Vec<PathBuf>, OutputError> {
        for name in set.names() {
            refuse_folder(&self.path(name))?;
        }
        migrate_plain_files(&self.dir, set)?;
        self.fill(set)?;
        for name in set.names() {
            stable_link(&self.dir, name)?;
        }
        switch(&self.dir, &self.staging)?;
        self.published = true;
        remove_stale(&self.dir, current(&self.dir).as_deref())?;
        Ok(set.names().map(|n| self.path(n)).collect())
    }

    /// Writes every file of the set into the staging generation, synced.
    fn fill(&self, set: &OutputSet) -> Result<(), OutputError> {
        for (name, bytes) in &set.files {
            write_synced(&self.staging.join(name), &[bytes])?;
        }
        sync_dir(&self.staging)
    }
}

impl Drop for OutputDir {
    /// A run that ends without publishing removes its staging folder.
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// An output file as [`OutputDir::write_staged`] hands it to a writer.
/// Every [`WRITEBACK_STEP`] bytes it hands what was written since to the
/// folder's [`Writeback`] thread, which asks the kernel to start writing it
/// to disk, so that the fsync at the end waits for the last step only. (A
/// thread waiting in fsync builds nothing: at 5,000 returns the outputs'
/// fsyncs took about 0.2 s when each waited for its whole file. Asking on
/// the writing thread itself blocked it as long: the request waits while
/// the disk's queue is full.)
#[derive(Debug)]
pub struct Written {
    file: Arc<File>,
    /// Where the next write goes.
    at: u64,
    /// Up to where writeback was asked for.
    handed: u64,
    writeback: Writeback,
}

/// Bytes written between two requests to start writeback.
const WRITEBACK_STEP: u64 = 4 << 20;

impl Written {
    fn new(file: File, writeback: Writeback) -> Written {
        Written {
            file: Arc::new(file),
            at: 0,
            handed: 0,
            writeback,
        }
    }
}

impl Write for Written {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = (&*self.file).write(buf)?;
        self.at += n as u64;
        if self.at >= self.handed + WRITEBACK_STEP {
            self.writeback
                .hand_on(&self.file, self.handed, self.at - self.handed);
            self.handed = self.at;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        (&*self.file).flush()
    }
}

impl std::io::Seek for Written {
    /// Writers that patch what they wrote (a zip's local headers) seek
    /// back; writeback goes on from the highest point written.
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        let at = (&*self.file).seek(pos)?;
        self.at = at;
        self.handed = self.handed.min(at);
        Ok(at)
    }
}

/// A thread that asks the kernel to start writing ranges of output files
/// to disk (Linux's `sync_file_range`); elsewhere it does nothing and the
/// final fsync writes everything. It ends when the last handle is dropped.
#[derive(Debug, Clone)]
struct Writeback(Option<std::sync::mpsc::Sender<(Arc<File>, u64, u64)>>);

impl Writeback {
    fn start() -> Writeback {
        #[cfg(target_os = "linux")]
        {
            let (tx, rx) = std::sync::mpsc::channel::<(Arc<File>, u64, u64)>();
            let started = std::thread::Builder::new()
                .name("samla-writeback".into())
                .spawn(move || {
                    for (file, from, len) in rx {
                        start_writeback(&file, from, len);
                    }
                });
            if started.is_ok() {
                return Writeback(Some(tx));
            }
        }
        Writeback(None)
    }

    fn hand_on(&self, file: &Arc<File>, from: u64, len: u64) {
        if let Some(tx) = &self.0 {
            let _ = tx.send((Arc::clone(file), from, len));
        }
    }
}

/// Asks the kernel to start writing `len` bytes of `file` from `from`,
/// without waiting for them. A failure only means the final fsync does
/// all the writing.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, from: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(from), Ok(len)) = (i64::try_from(from), i64::try_from(len)) else {
        return;
    };
    // SAFETY: a plain syscall on an open descriptor; no memory is passed.
    unsafe { libc::sync_file_range(file.as_raw_fd(), from, len, libc::SYNC_FILE_RANGE_WRITE) };
}

/// What a caught panic said, when it said it as text.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("okänt fel")
        .to_string()
}

fn write_err(path: &Path, source: std::io::Error) -> OutputError {
    OutputError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// The name of the current generation folder, if there is one.
fn current(dir: &Path) -> Option<String> {
    let target = std::fs::read_link(dir.join(CURRENT)).ok()?;
    let name = target.file_name()?.to_string_lossy().into_owned();
    name.starts_with(GEN_PREFIX).then_some(name)
}

/// Removes generation folders other than `keep` and temporary files and
/// links (`.samla-*.tmp`): what killed runs, and the previous generation
/// of a finished one, leave behind.
fn remove_stale(dir: &Path, keep: Option<&str>) -> Result<(), OutputError> {
    let entries = std::fs::read_dir(dir).map_err(|e| write_err(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| write_err(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let stale_gen = name.starts_with(GEN_PREFIX) && Some(name.as_str()) != keep;
        let stale_tmp = name.starts_with(".samla-") && name.ends_with(".tmp");
        if !(stale_gen || stale_tmp) {
            continue;
        }
        step("ta bort", &path);
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let removed = if is_dir {
            remove_folder(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| write_err(&path, e))?;
    }
    Ok(())
}

/// Removes a generation folder. Its files are unlinked in parallel first:
/// freeing a large file's pages is the kernel's work on the unlinking core,
/// and removing the previous set (about 75 MB at 1,000 returns, 370 MB at
/// 5,000) is the last step of a run, when the other cores are idle.
fn remove_folder(path: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let files: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .collect();
    files
        .par_iter()
        .try_for_each(|f| match std::fs::remove_file(f) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        })?;
    std::fs::remove_dir_all(path)
}

/// Creates a generation folder numbered above every existing one.
fn create_generation(dir: &Path) -> Result<PathBuf, OutputError> {
    let highest = std::fs::read_dir(dir)
        .map_err(|e| write_err(dir, e))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix(GEN_PREFIX)?.parse::<u64>().ok()
        })
        .max()
        .unwrap_or(0);
    let path = dir.join(format!("{GEN_PREFIX}{:06}", highest + 1));
    step("skapa mapp", &path);
    std::fs::create_dir(&path).map_err(|e| write_err(&path, e))?;
    Ok(path)
}

/// A folder where an output belongs cannot be replaced: say so before
/// anything is written.
fn refuse_folder(path: &Path) -> Result<(), OutputError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Err(write_err(path, ErrorKind::IsADirectory.into())),
        _ => Ok(()),
    }
}

/// Writes `parts` one after the other into a new file and syncs it.
fn write_synced(path: &Path, parts: &[&[u8]]) -> Result<(), OutputError> {
    let err = |e| write_err(path, e);
    step("skriv", path);
    let mut f = File::create(path).map_err(err)?;
    for p in parts {
        f.write_all(p).map_err(err)?;
    }
    step("fsync", path);
    f.sync_all().map_err(err)
}

/// Makes a folder's entries (new names, renames) durable.
fn sync_dir(dir: &Path) -> Result<(), OutputError> {
    step("fsync mapp", dir);
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| write_err(dir, e))
}

/// Puts a symlink `link -> target` in place with one rename.
fn replace_with_link(link: &Path, target: &Path) -> Result<(), OutputError> {
    let name = link.file_name().unwrap_or_default().to_string_lossy();
    let tmp = link.with_file_name(format!(".samla-{name}.tmp"));
    let _ = std::fs::remove_file(&tmp);
    step("symlänk", &tmp);
    symlink(target, &tmp).map_err(|e| write_err(link, e))?;
    step("byt namn", link);
    std::fs::rename(&tmp, link).map_err(|e| write_err(link, e))
}

/// Makes `gen` the current generation: one atomic rename.
fn switch(dir: &Path, gen: &Path) -> Result<(), OutputError> {
    let name = gen.file_name().unwrap_or_default();
    replace_with_link(&dir.join(CURRENT), Path::new(name))?;
    sync_dir(dir)
}

/// Makes `name` a link through the current generation, if it is not yet.
fn stable_link(dir: &Path, name: &str) -> Result<(), OutputError> {
    let link = dir.join(name);
    let target = Path::new(CURRENT).join(name);
    if std::fs::read_link(&link).is_ok_and(|t| t == target) {
        return Ok(());
    }
    replace_with_link(&link, &target)?;
    sync_dir(dir)
}

/// Outputs of an older samla are plain files. They move under a generation
/// without changing what any name shows: a generation of hard links to
/// them (and to the current generation's other files) is made current,
/// then each plain file is replaced by its link to the same content.
fn migrate_plain_files(dir: &Path, set: &OutputSet) -> Result<(), OutputError> {
    let plain: Vec<&str> = set
        .names()
        .filter(|n| std::fs::symlink_metadata(dir.join(n)).is_ok_and(|m| m.is_file()))
        .collect();
    if plain.is_empty() {
        return Ok(());
    }
    let gen = create_generation(dir)?;
    for name in &plain {
        let to = gen.join(name);
        step("hårdlänk", &to);
        std::fs::hard_link(dir.join(name), &to).map_err(|e| write_err(&to, e))?;
    }
    if let Some(cur) = current(dir) {
        let entries = std::fs::read_dir(dir.join(&cur)).map_err(|e| write_err(dir, e))?;
        for entry in entries.filter_map(|e| e.ok()) {
            let to = gen.join(entry.file_name());
            if !to.exists() {
                step("hårdlänk", &to);
                std::fs::hard_link(entry.path(), &to).map_err(|e| write_err(&to, e))?;
            }
        }
    }
    sync_dir(&gen)?;
    switch(dir, &gen)?;
    for name in plain {
        stable_link(dir, name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_that_panics_is_an_error_naming_the_file_and_the_old_set_stays() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("ut");
        let dir = OutputDir::open(&out).unwrap();
        let r = dir.write_staged("sammanstallning.xlsx", |_w| -> Result<(), std::io::Error> {
            panic!("called `Result::unwrap()` on an `Err` value: StorageFull")
        });
        let Err(e @ OutputError::Aborted { .. }) = r else {
            panic!("not an aborted output: {r:?}");
        };
        let text = e.to_string();
        assert!(text.contains("sammanstallning.xlsx"), "{text}");
        assert!(text.contains("StorageFull"), "{text}");
        assert!(text.contains("disken"), "{text}");
        drop(dir);
        assert!(!out.join("sammanstallning.xlsx").exists());
    }
}
