//! Reads a returned workbook into [`RawReturn`]: the identity sheet, and the
//! answer table's cells with their positions. Nothing is judged here; that is
//! [`crate::validate`]'s job.
//!
//! Returns come from outside and may be broken or hostile, so reading is
//! bounded: the file's size, its zip entries (declared and actual sizes,
//! compression ratio), the shared-string table, the number of sheets and the
//! number of cells are checked against [`Limits`] before or while parsing.
//! Excel files are streamed cell by cell, never materialised from their
//! declared dimensions. What these checks cannot catch (an allocation that
//! aborts, a parser that loops) is contained by [`crate::sandbox`].
//!
//! ```
//! let raw = samla::reader::read_return(
//!     std::path::Path::new("samples/inkorg/cancerplan-norr-2022-2024-RJH.xlsx"),
//!     &samla::reader::Limits::default(),
//! ).unwrap();
//! assert_eq!(raw.meta.get("kod").map(String::as_str), Some("RJH"));
//! ```

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Seek};
use std::path::Path;

use calamine::{Data, DataRef, Ods, Reader, Xls, Xlsb, Xlsx};
use serde::{Deserialize, Serialize};

mod damage;
mod onepass;
mod prescan;
pub mod props;
mod sniff;
mod sst_count;
pub use props::{DocProperties, PropertyTime, TimeUnreadable, UtcTime};

use crate::contract::{
    classify_header, header::Column, ANSWER_SHEET, INSTRUCTIONS_SHEET, META_SHEET, PREVIOUS_SHEET,
};
use crate::finding::{CellRef, Finding, FindingCode, Location};

/// Safety limits for one return. A real return is about 15 KB with a few
/// hundred cells; the limits are generous multiples of that.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Limits {
    /// Bytes on disk.
    pub max_file_bytes: u64,
    /// Declared uncompressed bytes of one zip entry.
    pub max_entry_bytes: u64,
    /// Declared uncompressed bytes of all zip entries together.
    pub max_total_bytes: u64,
    /// Uncompressed : compressed, for entries over 1 MiB (zip bombs).
    pub max_ratio: u64,
    /// Zip entries.
    pub max_entries: usize,
    /// Sheets in a workbook.
    pub max_sheets: usize,
    /// Declared shared strings.
    pub max_shared_strings: u64,
    /// Non-empty cells read from one sheet.
    pub max_cells: usize,
    /// Bytes of text read from one sheet: what a worker hands to the merge
    /// is bounded too, not only what it parses.
    pub max_text_bytes: usize,
    /// Rows scanned for the answer table's header.
    pub header_scan_rows: u32,
    /// Cells of the grid a parser builds for one `.xls` or `.ods` sheet (its
    /// declared DIMENSIONS, the box around its cells, its repeated rows and
    /// columns): those parsers hold every cell of the box in memory.
    pub max_grid_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 << 20,
            max_entry_bytes: 200 << 20,
            max_total_bytes: 400 << 20,
            max_ratio: 200,
            max_entries: 10_000,
            max_sheets: 256,
            max_shared_strings: 2_000_000,
            max_cells: 1_000_000,
            max_text_bytes: 64 << 20,
            header_scan_rows: 50,
            max_grid_cells: 2_000_000,
        }
    }
}

/// What kind of value a cell held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CellKind {
    /// Text.
    Text,
    /// A number; `text` is its shortest decimal form.
    Number,
    /// A truth value; `text` is `SANT` or `FALSKT`.
    Bool,
    /// A date or time; `text` is ISO, e.g. `2024-03-01` or `2024-03-01 14:30`.
    Date,
    /// A spreadsheet error; `text` is the error, e.g. `#REF!`.
    Error,
}

/// A non-empty cell, zero-based.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawCell {
    /// Zero-based row.
    pub row: u32,
    /// Zero-based column.
    pub col: u32,
    /// The value as text, never empty; see [`CellKind`] for values that are not text.
    #[serde(deserialize_with = "crate::sandbox::checked_text")]
    pub text: String,
    /// What kind of value the cell held.
    pub kind: CellKind,
}

/// Where the answer table's columns are (zero-based), found by header text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Columns {
    /// Column of the area (`Område`); None when not found.
    pub area: Option<u32>,
    /// Column of the goal id (`Mål-id`); None when not found.
    pub goal_id: Option<u32>,
    /// Column of the goal text (`Mål`); None when not found.
    pub goal: Option<u32>,
    /// Column of the rating (`Bedömning`); None when not found.
    pub rating: Option<u32>,
    /// Column of the comment (`Kommentar`); None when not found.
    pub comment: Option<u32>,
}

impl Columns {
    fn contains(&self, col: u32) -> bool {
        [
            self.area,
            self.goal_id,
            self.goal,
            self.rating,
            self.comment,
        ]
        .contains(&Some(col))
    }
}

/// One row of the answer table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawRow {
    /// Zero-based row in the sheet.
    pub row: u32,
    /// The area cell; None when empty.
    pub area: Option<RawCell>,
    /// The goal id cell; None when empty.
    pub goal_id: Option<RawCell>,
    /// The goal text cell; None when empty.
    pub goal: Option<RawCell>,
    /// The rating cell; None when empty.
    pub rating: Option<RawCell>,
    /// The comment cell; None when empty.
    pub comment: Option<RawCell>,
}

/// The answer sheet as found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnswerSheet {
    /// The sheet's name as found, normally `Uppföljning`; a renamed sheet keeps its new name.
    pub name: String,
    /// Zero-based row of the header.
    pub header_row: u32,
    /// Where the answer columns are.
    pub columns: Columns,
    /// The rows below the header that have a cell in an answer column, in sheet order.
    pub rows: Vec<RawRow>,
    /// Non-empty cells outside the answer columns, below the header.
    pub outside: Vec<RawCell>,
    /// The cells above the header (title, "Svarande: …").
    pub preamble: Vec<RawCell>,
}

/// One goal's row of the hidden copy of the previous-round columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShownCells {
    /// The rating shown; None when the cell was empty.
    pub rating: Option<String>,
    /// The comment shown; None when the cell was empty.
    pub comment: Option<String>,
}

/// A sheet a region added, with its non-empty cells.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OtherSheet {
    /// The sheet's name.
    pub name: String,
    /// Its non-empty cells.
    pub cells: Vec<RawCell>,
}

/// A workbook as read, before validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawReturn {
    /// `xlsx`, `xlsm`, `xlsb`, `xls` or `ods`.
    pub format: String,
    /// Names of all sheets, in workbook order.
    pub sheets: Vec<String>,
    /// Key → value from the hidden identity sheet; empty when there is none.
    pub meta: BTreeMap<String, String>,
    /// The answer sheet, found by its header row; None when no sheet has one.
    pub answer: Option<AnswerSheet>,
    /// Sheets that are neither the answer sheet, the instructions nor the
    /// identity sheet, with their cells: a region may add notes there.
    pub other_sheets: Vec<OtherSheet>,
    /// What the template's previous-round columns showed, from its hidden
    /// copy ([`PREVIOUS_SHEET`]): goal id → (rating, comment). None when
    /// the file has no such sheet (a template without `--previous`).
    pub previous_shown: Option<BTreeMap<String, ShownCells>>,
    /// What the file says about itself (title, keywords, save time…), in
    /// every format; see [`DocProperties`].
    pub properties: DocProperties,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// What the reader could not read for certain (a damaged cell, a
    /// formula's saved result, a name that says another format), each a
    /// finding-to-be; the cells concerned are not guessed.
    pub doubts: Vec<Doubt>,
}

/// Why a file could not be read; `code` says which finding it becomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ReadFailure {
    /// The finding it becomes: `unreadable-file`, `file-limit-exceeded` or `reader-failed`.
    pub code: FindingCode,
    /// Swedish, says what is wrong with the file.
    pub message: String,
}

impl ReadFailure {
    fn unreadable(msg: impl Into<String>) -> ReadFailure {
        ReadFailure {
            code: FindingCode::UnreadableFile,
            message: msg.into(),
        }
    }
    fn limit(msg: impl Into<String>) -> ReadFailure {
        ReadFailure {
            code: FindingCode::FileLimitExceeded,
            message: msg.into(),
        }
    }
}

/// Something the reader could not read for certain, and where: it becomes
/// a finding of the return ([`Doubt::finding`]) while the rest is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Doubt {
    /// The finding it becomes, e.g. `duplicate-cell`.
    pub code: FindingCode,
    /// The sheet; None when the doubt is about the whole file.
    pub sheet: Option<String>,
    /// The cell; None when the doubt is about a sheet or the whole file.
    pub cell: Option<CellRef>,
    /// Swedish: what was found, what was done with it, what to do.
    pub message: String,
    /// The goal whose row the cell is on, as written there, when known.
    pub goal: Option<String>,
}

impl Doubt {
    pub(crate) fn cell(code: FindingCode, sheet: &str, at: CellRef, message: String) -> Doubt {
        Doubt {
            code,
            sheet: Some(sheet.to_string()),
            cell: Some(at),
            message,
            goal: None,
        }
    }

    pub(crate) fn file(code: FindingCode, message: String) -> Doubt {
        Doubt {
            code,
            sheet: None,
            cell: None,
            message,
            goal: None,
        }
    }

    /// The same doubt, on the row of goal `id` (as written in the file).
    pub(crate) fn on_goal(mut self, id: Option<&str>) -> Doubt {
        self.goal = id.map(|g| g.trim().to_string()).filter(|g| !g.is_empty());
        self
    }

    /// The finding for the return read from `file`.
    pub fn finding(&self, file: &Path) -> Finding {
        let at = match (&self.sheet, self.cell) {
            (Some(s), Some(c)) => Location::at(file, s, c),
            (Some(s), None) => Location::sheet(file, s),
            _ => Location::file(file),
        };
        let f = Finding::new(self.code, format!("{}.", self.message)).at(at);
        match &self.goal {
            Some(g) => f.goal(g.clone()),
            None => f,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

/// Reads and extracts a return; bounded by `limits`.
pub fn read_return(path: &Path, limits: &Limits) -> Result<RawReturn, ReadFailure> {
    let meta = std::fs::metadata(path)
        .map_err(|e| ReadFailure::unreadable(format!("filen kunde inte öppnas: {e}")))?;
    if !meta.is_file() {
        return Err(ReadFailure::unreadable("det är ingen vanlig fil"));
    }
    if meta.len() > limits.max_file_bytes {
        return Err(ReadFailure::limit(format!(
            "filen är {} MB, gränsen är {} MB",
            meta.len() >> 20,
            limits.max_file_bytes >> 20
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(limits.max_file_bytes + 1).read_to_end(&mut bytes))
        .map_err(|e| ReadFailure::unreadable(format!("filen kunde inte läsas: {e}")))?;
    read_bytes(&bytes, path, limits)
}

/// Reads a return held in memory; `path` gives the extension and messages.
///
/// A panic inside a parser becomes a `reader-failed` failure. An allocation
/// failure aborts the process and cannot be caught: read untrusted `.xls`
/// and `.ods` files through [`crate::sandbox`], as `samla` does.
pub fn read_bytes(bytes: &[u8], path: &Path, limits: &Limits) -> Result<RawReturn, ReadFailure> {
    guarded(|| read_bytes_unguarded(bytes, path, limits, true).map(|(raw, _)| raw))
}

/// The two ways an `.xlsx` is read, for the tests that compare them; not
/// part of the library's interface.
#[doc(hidden)]
pub mod ways {
    use super::*;

    /// [`read_bytes`], and whether the file was read the one-pass way.
    pub fn onepass(
        bytes: &[u8],
        path: &Path,
        limits: &Limits,
    ) -> (Result<RawReturn, ReadFailure>, bool) {
        let mut used = false;
        let raw = guarded(|| {
            read_bytes_unguarded(bytes, path, limits, true).map(|(raw, fast)| {
                used = fast;
                raw
            })
        });
        (raw, used)
    }

    /// [`read_bytes`] as it read every file before the one-pass reading:
    /// the scans, then calamine.
    pub fn old(bytes: &[u8], path: &Path, limits: &Limits) -> Result<RawReturn, ReadFailure> {
        guarded(|| read_bytes_unguarded(bytes, path, limits, false).map(|(raw, _)| raw))
    }
}

/// Runs a reading; a panic inside a parser becomes a `reader-failed` failure.
fn guarded(
    read: impl FnOnce() -> Result<RawReturn, ReadFailure>,
) -> Result<RawReturn, ReadFailure> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|p| {
        let what = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(ReadFailure {
            code: FindingCode::ReaderFailed,
            message: format!("läsaren stötte på ett internt fel i filen ({what})"),
        })
    })
}

/// Reads a return; with `onepass`, an ordinary `.xlsx` is read by the
/// scans in one pass ([`onepass`]). Also says whether it was.
fn read_bytes_unguarded(
    bytes: &[u8],
    path: &Path,
    limits: &Limits,
    onepass: bool,
) -> Result<(RawReturn, bool), ReadFailure> {
    use sha2::Digest;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadFailure::limit("filen är för stor"));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut sniffed = sniff::sniff(bytes, &ext, limits, onepass)?;
    let format = sniffed.format;
    let fast = sniffed.onepass.take();
    let used = fast.is_some();
    let cursor = Cursor::new(sniffed.patched.as_deref().unwrap_or(bytes));
    let (mut raw, formulas) = match (format, fast) {
        (Format::Xlsx, Some(mut fast)) => extract(&mut fast, limits)?,
        (Format::Xlsx, None) => {
            let mut wb = Xlsx::new(cursor).map_err(|e| parse_error(&e.to_string()))?;
            extract(&mut XlsxSource(&mut wb), limits)?
        }
        (Format::Xlsb, _) => {
            let mut wb = Xlsb::new(cursor).map_err(|e| parse_error(&e.to_string()))?;
            extract(&mut XlsbSource(&mut wb), limits)?
        }
        (Format::Xls, _) => {
            let mut wb = Xls::new(cursor).map_err(|e| parse_error(&e.to_string()))?;
            extract(&mut RangeSource(&mut wb, std::marker::PhantomData), limits)?
        }
        (Format::Ods, _) => {
            let mut wb = Ods::new(cursor).map_err(|e| parse_error(&e.to_string()))?;
            extract(&mut RangeSource(&mut wb, std::marker::PhantomData), limits)?
        }
    };
    raw.format = match (format, ext.as_str()) {
        (Format::Xlsx, "xlsm") => "xlsm".into(),
        (Format::Xlsx, _) => "xlsx".into(),
        (Format::Xlsb, _) => "xlsb".into(),
        (Format::Xls, _) => "xls".into(),
        (Format::Ods, _) => "ods".into(),
    };
    raw.doubts = sniffed.doubts;
    let mut formulas = formulas;
    if let Some(f) = raw
        .answer
        .as_ref()
        .and_then(|a| sniffed.formulas.get(&a.name))
    {
        formulas.extend(f.clone());
    }
    raw.doubts.extend(formula_doubts(&raw, formulas));
    raw.properties = sniffed.properties;
    raw.sha256 = hex(&sha2::Sha256::digest(bytes));
    Ok((raw, used))
}

/// A doubt for each rating or comment of the answer table computed by a
/// formula: its saved result is what was read, and a person should check it.
fn formula_doubts(raw: &RawReturn, formulas: BTreeMap<CellRef, String>) -> Vec<Doubt> {
    let Some(sheet) = &raw.answer else {
        return Vec::new();
    };
    let cells = sheet.rows.iter().flat_map(|r| {
        let goal = r.goal_id.as_ref().map(|g| g.text.as_str());
        [(&r.rating, "Bedömningen"), (&r.comment, "Kommentaren")]
            .into_iter()
            .filter_map(move |(c, what)| Some((c.as_ref()?, what, goal)))
    });
    cells
        .filter_map(|(c, what, goal)| {
            let at = CellRef::new(c.row, c.col);
            // ODF writes `of:=…`; show every formula as Excel does, `=…`.
            let f = formulas.get(&at)?;
            let f = f.trim_start_matches("of:").trim_start_matches('=');
            Some(Doubt::cell(
                FindingCode::FormulaValue,
                &sheet.name,
                at,
                format!(
                    "{what} i cellen {at} räknas fram med formeln ={f}; det sparade resultatet \"{}\" har förts in. Kontrollera det och skriv in värdet som text i stället för en formel",
                    c.text
                ),
            )
            .on_goal(goal))
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_error(detail: &str) -> ReadFailure {
    ReadFailure::unreadable(format!(
        "filen kunde inte tolkas som kalkylblad ({detail}). Spara om den i Excel som .xlsx och skicka igen."
    ))
}

/// A workbook whose sheets can be read cell by cell.
trait Source {
    fn sheet_names(&self) -> Vec<String>;
    /// Calls `f` for each non-empty cell of `sheet` until it returns false.
    fn cells(&mut self, sheet: &str, f: &mut dyn FnMut(RawCell) -> bool)
        -> Result<(), ReadFailure>;
    /// The formulas of `sheet` by cell, where the format gives them
    /// without building the sheet's grid (`.xlsx` ones come from the scan).
    fn formulas(&mut self, _sheet: &str) -> BTreeMap<CellRef, String> {
        BTreeMap::new()
    }
}

struct XlsxSource<'a, RS: Read + Seek>(&'a mut Xlsx<RS>);
struct XlsbSource<'a, RS: Read + Seek>(&'a mut Xlsb<RS>);
struct RangeSource<'a, R, RS>(&'a mut R, std::marker::PhantomData<RS>);

/// Xlsx and Xlsb both stream cells through a reader of their own type.
macro_rules! streamed_source {
    ($source:ident) => {
        impl<RS: Read + Seek> Source for $source<'_, RS> {
            fn sheet_names(&self) -> Vec<String> {
                self.0.sheet_names()
            }
            fn cells(
                &mut self,
                sheet: &str,
                f: &mut dyn FnMut(RawCell) -> bool,
            ) -> Result<(), ReadFailure> {
                let mut reader = self
                    .0
                    .worksheet_cells_reader(sheet)
                    .map_err(|e| parse_error(&e.to_string()))?;
                while let Some(cell) = reader
                    .next_cell()
                    .map_err(|e| parse_error(&e.to_string()))?
                {
                    let (row, col) = cell.get_position();
                    if !emit(f, row, col, text_of_ref(cell.get_value())) {
                        break;
                    }
                }
                Ok(())
            }
        }
    };
}

streamed_source!(XlsxSource);
streamed_source!(XlsbSource);

impl<R, RS> Source for RangeSource<'_, R, RS>
where
    RS: Read + Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    fn sheet_names(&self) -> Vec<String> {
        self.0.sheet_names()
    }
    fn cells(
        &mut self,
        sheet: &str,
        f: &mut dyn FnMut(RawCell) -> bool,
    ) -> Result<(), ReadFailure> {
        let range = self
            .0
            .worksheet_range(sheet)
            .map_err(|e| parse_error(&e.to_string()))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, v) in range.used_cells() {
            if !emit(f, r0 + r as u32, c0 + c as u32, text_of(v)) {
                break;
            }
        }
        Ok(())
    }
    fn formulas(&mut self, sheet: &str) -> BTreeMap<CellRef, String> {
        let Ok(range) = self.0.worksheet_formula(sheet) else {
            return BTreeMap::new();
        };
        let (r0, c0) = range.start().unwrap_or((0, 0));
        range
            .used_cells()
            .filter(|(_, _, f)| !f.is_empty())
            .map(|(r, c, f)| (CellRef::new(r0 + r as u32, c0 + c as u32), f.clone()))
            .collect()
    }
}

fn number_text(f: f64) -> String {
    // Integers arrive as floats; show 3 as "3", not "3.0".
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's algorithm).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn date_text(serial: f64) -> String {
    // Excel's 1900 date system, days since 1899-12-30 (after the leap bug).
    let days = serial.floor() as i64;
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    let (y, m, d) = civil_from_days(days - 25_569);
    if secs == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}",
            secs / 3600,
            (secs / 60) % 60
        )
    }
}

/// Hands a cell that holds something to `f`; returns whether `f` wants
/// more cells (an empty cell is skipped and reading goes on).
fn emit(
    f: &mut dyn FnMut(RawCell) -> bool,
    row: u32,
    col: u32,
    value: Option<(String, CellKind)>,
) -> bool {
    match value {
        Some((text, kind)) => f(RawCell {
            row,
            col,
            text,
            kind,
        }),
        None => true,
    }
}

fn text_of_ref(v: &DataRef<'_>) -> Option<(String, CellKind)> {
    match v {
        DataRef::Empty => None,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) if s.is_empty() => {
            None
        }
        DataRef::SharedString("") => None,
        DataRef::String(s) => Some((s.clone(), CellKind::Text)),
        DataRef::SharedString(s) => Some((s.to_string(), CellKind::Text)),
        DataRef::Int(i) => Some((i.to_string(), CellKind::Number)),
        DataRef::Float(f) => Some((number_text(*f), CellKind::Number)),
        DataRef::Bool(b) => Some((
            (if *b { "SANT" } else { "FALSKT" }).to_string(),
            CellKind::Bool,
        )),
        DataRef::DateTime(d) => Some((date_text(d.as_f64()), CellKind::Date)),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Some((s.clone(), CellKind::Date)),
        DataRef::Error(e) => Some((e.to_string(), CellKind::Error)),
    }
}

fn text_of(v: &Data) -> Option<(String, CellKind)> {
    match v {
        Data::Empty => None,
        Data::String(s) if s.is_empty() => None,
        Data::String(s) => Some((s.clone(), CellKind::Text)),
        Data::Int(i) => Some((i.to_string(), CellKind::Number)),
        Data::Float(f) => Some((number_text(*f), CellKind::Number)),
        Data::Bool(b) => Some((
            (if *b { "SANT" } else { "FALSKT" }).to_string(),
            CellKind::Bool,
        )),
        Data::DateTime(d) => Some((date_text(d.as_f64()), CellKind::Date)),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some((s.clone(), CellKind::Date)),
        Data::Error(e) => Some((e.to_string(), CellKind::Error)),
    }
}

/// Finds the header row in the first rows: the row naming the most answer
/// columns, with at least a goal (id or text) and an answer (rating or comment).
fn find_header(cells: &[RawCell], scan: u32) -> Option<(u32, Columns)> {
    let mut best: Option<(u32, Columns, usize)> = None;
    let mut rows: BTreeMap<u32, Vec<&RawCell>> = BTreeMap::new();
    for c in cells
        .iter()
        .filter(|c| c.row < scan && c.kind == CellKind::Text && c.text.len() <= 60)
    {
        rows.entry(c.row).or_default().push(c);
    }
    for (row, cs) in rows {
        let mut cols = Columns::default();
        let mut n = 0;
        for c in cs {
            let slot = match classify_header(&c.text) {
                Some(Column::Area) => &mut cols.area,
                Some(Column::GoalId) => &mut cols.goal_id,
                Some(Column::Goal) => &mut cols.goal,
                Some(Column::Rating) => &mut cols.rating,
                Some(Column::Comment) => &mut cols.comment,
                // The template's own read-only columns, never answers; the
                // validator knows them.
                Some(
                    Column::Responsible
                    | Column::Schedule
                    | Column::PreviousRating
                    | Column::PreviousComment,
                )
                | None => continue,
            };
            if slot.is_none() {
                *slot = Some(c.col);
                n += 1;
            }
        }
        let usable = (cols.goal_id.is_some() || cols.goal.is_some())
            && (cols.rating.is_some() || cols.comment.is_some());
        if usable && best.as_ref().is_none_or(|b| n > b.2) {
            best = Some((row, cols, n));
        }
    }
    best.map(|(r, c, _)| (r, c))
}

fn collect(
    src: &mut dyn Source,
    sheet: &str,
    limits: &Limits,
    until_row: Option<u32>,
) -> Result<Vec<RawCell>, ReadFailure> {
    let mut cells = Vec::new();
    let mut bytes = 0usize;
    let mut over = None;
    src.cells(sheet, &mut |c| {
        if until_row.is_some_and(|r| c.row >= r) {
            return false;
        }
        bytes += c.text.len();
        if cells.len() >= limits.max_cells {
            over = Some(format!(
                "bladet {sheet:?} har fler än {} ifyllda celler",
                limits.max_cells
            ));
            return false;
        }
        if bytes > limits.max_text_bytes {
            over = Some(format!(
                "bladet {sheet:?} har mer än {} MB text",
                limits.max_text_bytes >> 20
            ));
            return false;
        }
        cells.push(c);
        true
    })?;
    match over {
        Some(why) => Err(ReadFailure::limit(why)),
        None => Ok(cells),
    }
}

/// Reads the identity sheet, the answer sheet and other sheets; also
/// returns the answer sheet's formulas where the source gives them.
fn extract(
    src: &mut dyn Source,
    limits: &Limits,
) -> Result<(RawReturn, BTreeMap<CellRef, String>), ReadFailure> {
    let sheets = src.sheet_names();
    if sheets.len() > limits.max_sheets {
        return Err(ReadFailure::limit(format!(
            "arbetsboken har {} blad, gränsen är {}",
            sheets.len(),
            limits.max_sheets
        )));
    }
    let mut raw = RawReturn {
        sheets: sheets.clone(),
        ..RawReturn::default()
    };
    if let Some(name) = sheets.iter().find(|s| s.as_str() == META_SHEET) {
        let mut rows: BTreeMap<u32, (Option<String>, Option<String>)> = BTreeMap::new();
        for c in collect(src, name, limits, Some(100))? {
            let entry = rows.entry(c.row).or_default();
            match c.col {
                0 => entry.0 = Some(c.text.trim().to_string()),
                1 => entry.1 = Some(c.text.trim().to_string()),
                _ => {}
            }
        }
        raw.meta = rows
            .into_values()
            .filter_map(|(k, v)| Some((k?, v?)))
            .collect();
    }
    if sheets.iter().any(|s| s.as_str() == PREVIOUS_SHEET) {
        raw.previous_shown = Some(previous_shown(src, limits)?);
    }
    // The template's own sheet first, then any other sheet with a header row.
    let mut order: Vec<&String> = sheets
        .iter()
        .filter(|s| s.as_str() == ANSWER_SHEET)
        .collect();
    order.extend(sheets.iter().filter(|s| {
        s.as_str() != ANSWER_SHEET && s.as_str() != META_SHEET && s.as_str() != PREVIOUS_SHEET
    }));
    for name in order {
        // The instructions are the template's own, protected text.
        if name == INSTRUCTIONS_SHEET && raw.answer.is_some() {
            continue;
        }
        let cells = collect(src, name, limits, None)?;
        if raw.answer.is_none() {
            if let Some((header_row, columns)) = find_header(&cells, limits.header_scan_rows) {
                raw.answer = Some(build_answer(name, header_row, columns, cells));
                continue;
            }
        }
        if name != INSTRUCTIONS_SHEET && !cells.is_empty() {
            raw.other_sheets.push(OtherSheet {
                name: name.clone(),
                cells,
            });
        }
    }
    let formulas = match &raw.answer {
        Some(a) => src.formulas(&a.name),
        None => BTreeMap::new(),
    };
    Ok((raw, formulas))
}

/// The hidden copy of what the previous-round columns showed, by goal id.
fn previous_shown(
    src: &mut dyn Source,
    limits: &Limits,
) -> Result<BTreeMap<String, ShownCells>, ReadFailure> {
    use crate::contract::previous as p;
    let mut rows: BTreeMap<u32, (Option<String>, ShownCells)> = BTreeMap::new();
    // Row 1 is the copy's own header.
    for c in collect(src, PREVIOUS_SHEET, limits, None)?
        .into_iter()
        .filter(|c| c.row > 0)
    {
        let (id, shown) = rows.entry(c.row).or_default();
        match u16::try_from(c.col) {
            Ok(p::GOAL_ID) => *id = Some(c.text.trim().to_string()),
            Ok(p::RATING) => shown.rating = Some(c.text),
            Ok(p::COMMENT) => shown.comment = Some(c.text),
            _ => {}
        }
    }
    Ok(rows
        .into_values()
        .filter_map(|(id, shown)| Some((id?, shown)))
        .collect())
}

fn build_answer(name: &str, header_row: u32, columns: Columns, cells: Vec<RawCell>) -> AnswerSheet {
    let mut sheet = AnswerSheet {
        name: name.to_string(),
        header_row,
        columns,
        ..AnswerSheet::default()
    };
    let mut rows: BTreeMap<u32, RawRow> = BTreeMap::new();
    for c in cells {
        if c.row < header_row {
            sheet.preamble.push(c);
            continue;
        }
        if c.row == header_row {
            if !sheet.columns.contains(c.col) {
                sheet.outside.push(c);
            }
            continue;
        }
        let cols = &sheet.columns;
        let entry = rows.entry(c.row).or_insert_with(|| RawRow {
            row: c.row,
            ..RawRow::default()
        });
        let slot = if Some(c.col) == cols.goal_id {
            &mut entry.goal_id
        } else if Some(c.col) == cols.goal {
            &mut entry.goal
        } else if Some(c.col) == cols.rating {
            &mut entry.rating
        } else if Some(c.col) == cols.comment {
            &mut entry.comment
        } else if Some(c.col) == cols.area {
            &mut entry.area
        } else {
            sheet.outside.push(c);
            continue;
        };
        *slot = Some(c);
    }
    sheet.rows = rows
        .into_values()
        .filter(|r| {
            r.area.is_some()
                || r.goal_id.is_some()
                || r.goal.is_some()
                || r.rating.is_some()
                || r.comment.is_some()
        })
        .collect();
    sheet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_serials() {
        assert_eq!(date_text(45_383.0), "2024-04-01");
        assert_eq!(date_text(45_383.5), "2024-04-01 12:00");
    }
}
