//! `Svar`, the long sheet of `sammanstallning.xlsx` (a row per goal and
//! respondent, 55,000 rows at 1,000 returns), written as sheet XML straight
//! into its compressed zip entry while the other outputs are built.
//!
//! Why not through rust_xlsxwriter like the other sheets: in its
//! constant-memory mode every cell costs a `String`, an `Arc<str>`, two
//! B-tree entries, formatted XML and an escape a character at a time, and
//! the whole sheet is then read back from a temporary file and compressed on
//! one core while the workbook is saved. That was two thirds of the
//! workbook's CPU and the long pole of the run. Here a row is a few appends
//! to a buffer (text without special characters is copied as it is), the
//! rows are compressed as they are made, on a thread of their own
//! ([`super::piped`]), and saving only copies the compressed entry.
//!
//! Everything around the rows still comes from rust_xlsxwriter, so the
//! sheet is exactly what it would write:
//! * the part's head and tail (sheet view, columns, filter, page setup) from
//!   a small workbook holding the same sheet without its rows ([`frame`]);
//! * the sheet's place in the workbook (its name, filter range and print
//!   titles) from a placeholder sheet in the real workbook ([`Placeholder`]),
//!   whose part is swapped for this one when the workbook is saved
//!   ([`assemble`]);
//! * the cell formats: the placeholder registers them first, so their
//!   indices in the workbook's style table are known ([`XfTable`]); the
//!   swap checks them against the placeholder's cells;
//! * the shared-string table: a text that repeats down the sheet is added
//!   to the end of the table rust_xlsxwriter wrote for the other sheets
//!   ([`Rows::share`]), and its cells refer to it, as an ordinary sheet's
//!   do; other text is written in its cell.
//!
//! Cell text is escaped as rust_xlsxwriter escapes it, in a cell or in the
//! table (tests compare them).

use std::io::{Read, Seek, Write};

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::piped::{self, Piped};
use super::print::{self, MAX_ROW_HEIGHT};

/// The columns of a long sheet (A..): one letter each.
const COLUMNS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The formats a long sheet uses, in the order they are registered in the
/// workbook's style table after its default format (index 0): a format's
/// index is its position here.
pub(crate) struct XfTable(Vec<Format>);

impl XfTable {
    /// A table holding the workbook's default format, [`print::base`].
    pub fn new() -> XfTable {
        XfTable(vec![print::base()])
    }

    /// The index of `format`, added at the end if it is new.
    pub fn add(&mut self, format: &Format) -> u32 {
        match self.0.iter().position(|f| f == format) {
            Some(i) => i as u32,
            None => {
                self.0.push(format.clone());
                (self.0.len() - 1) as u32
            }
        }
    }
}

/// The row of the placeholder sheet whose cells carry every format of the
/// [`XfTable`] (cell `i` has format `i + 1`), so the swap can check them.
const SAMPLE_ROW: u32 = 1;

/// The sheet standing in the real workbook for the long sheet until the
/// workbook is saved: a constant-memory sheet, so that the formats it is
/// given first get the first indices of the workbook's style table.
pub(crate) struct Placeholder {
    /// The sheet; give it the long sheet's name, filter and page setup.
    pub sheet: Worksheet,
    /// The formats, as registered.
    pub xf: XfTable,
}

impl Placeholder {
    /// Creates the placeholder in `wb` and registers `formats` (in this
    /// order) before any other sheet can. Call it before the workbook's
    /// other sheets are built.
    pub fn new(wb: &mut Workbook, formats: &[&Format]) -> Result<Placeholder, XlsxError> {
        let mut sheet = print::streamed_worksheet(wb)?;
        let mut xf = XfTable::new();
        for f in formats {
            let known = xf.0.len();
            if xf.add(f) as usize == known {
                sheet.write_blank(SAMPLE_ROW, (known - 1) as u16, f)?;
            }
        }
        Ok(Placeholder { sheet, xf })
    }
}

/// Writes the rows of a long sheet as XML into a buffer, handed on in
/// pieces to the thread that compresses them (see [`piped`]).
pub(crate) struct Rows<'a> {
    piped: &'a mut Piped,
    xml: String,
    row: u32,
    /// The current row's number as written (1-based), for its cells.
    row_text: String,
    /// Each format index's text, by index.
    xf_text: Vec<String>,
    /// Each height's text, by height in pixels (heights repeat).
    heights: Vec<Option<String>>,
    /// The texts this sheet's cells share through the workbook's
    /// shared-string table.
    shared: SharedTable,
}

/// A text of a long sheet's in the workbook's shared-string table (see
/// [`Rows::share`]), or an empty text (a blank cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shared(u32);

impl Shared {
    /// The empty text: its cells are blank.
    pub const EMPTY: Shared = Shared(u32::MAX);
}

/// The texts a long sheet's cells share through the workbook's
/// shared-string table (`xl/sharedStrings.xml`), after the strings
/// rust_xlsxwriter put there for the other sheets.
///
/// Why: a text that repeats row after row (an area, a goal id, a
/// respondent, a rating) is written once and each of its cells is a
/// number, as Excel and rust_xlsxwriter's ordinary sheets write text. That
/// is about a third of `Svar`'s bytes, which are compressed and written on
/// every run (compressing was 40 % of the parent's CPU).
struct SharedTable {
    /// How many unique strings come before this table's: the index of its
    /// first.
    base: u32,
    /// This table's texts as `<si>` items, in index order.
    items: String,
    /// Each text's position in this table, by text.
    index: std::collections::HashMap<String, u32>,
    /// Each text's index in the workbook's table, as written in a cell.
    numbers: Vec<String>,
    /// How many cells refer to one of this table's texts.
    refs: u64,
}

impl SharedTable {
    fn new(base: u32) -> SharedTable {
        SharedTable {
            base,
            items: String::new(),
            index: std::collections::HashMap::new(),
            numbers: Vec::new(),
            refs: 0,
        }
    }
}

/// How much row XML is gathered before it is compressed: each piece is a
/// hand-over between two threads ([`piped`]), so not many (see the
/// report's `CHUNK`).
const CHUNK: usize = 1 << 17;

impl Rows<'_> {
    /// Starts row `row` (0-based) with a height in points.
    pub fn start_row(&mut self, row: u32, height: f64) {
        self.end_row();
        self.begin(row);
        // As rust_xlsxwriter stores a height: whole pixels, written in points.
        let px = (height.min(MAX_ROW_HEIGHT) * 4.0 / 3.0).round() as usize;
        if self.heights.len() <= px {
            self.heights.resize(px + 1, None);
        }
        let ht = self.heights[px].get_or_insert_with(|| (px as f64 * 0.75).to_string());
        self.xml.push_str("\" ht=\"");
        self.xml.push_str(ht);
        self.xml.push_str("\" customHeight=\"1\">");
    }

    /// Starts row `row` with the sheet's default height.
    pub fn start_plain_row(&mut self, row: u32) {
        self.end_row();
        self.begin(row);
        self.xml.push_str("\">");
    }

    /// `<row r="n` for row `row` (0-based).
    fn begin(&mut self, row: u32) {
        self.row = row + 1;
        self.row_text.clear();
        let _ = std::fmt::Write::write_fmt(&mut self.row_text, format_args!("{}", self.row));
        self.xml.push_str("<row r=\"");
        self.xml.push_str(&self.row_text);
    }

    fn end_row(&mut self) {
        if self.row > 0 {
            self.xml.push_str("</row>");
            self.row = 0;
        }
    }

    /// A cell of the current row in column `col` (A = 0, at most Z): `text`
    /// with format `xf`, or a blank cell with it when the text is empty (as
    /// rust_xlsxwriter writes them). For a text that repeats down the sheet,
    /// see [`Rows::shared_cell`].
    pub fn cell(&mut self, col: usize, text: &str, xf: u32) {
        self.open_cell(col, xf);
        if text.is_empty() {
            self.xml.push_str("/>");
            return;
        }
        self.xml.push_str(" t=\"inlineStr\"><is>");
        text_element(&mut self.xml, text);
        self.xml.push_str("</is></c>");
    }

    /// `text`'s place in the workbook's shared-string table, added at its
    /// end if it is new: ask once per text, not per cell (a text is looked
    /// up by hashing it).
    pub fn share(&mut self, text: &str) -> Shared {
        if text.is_empty() {
            return Shared::EMPTY;
        }
        let table = &mut self.shared;
        if let Some(&k) = table.index.get(text) {
            return Shared(k);
        }
        let k = table.numbers.len() as u32;
        table
            .numbers
            .push((u64::from(table.base) + u64::from(k)).to_string());
        table.items.push_str("<si>");
        text_element(&mut table.items, text);
        table.items.push_str("</si>");
        table.index.insert(text.to_string(), k);
        Shared(k)
    }

    /// A cell of the current row in column `col` showing the shared text
    /// `text` (see [`Rows::share`]) with format `xf`: what [`Rows::cell`]
    /// shows with that text, in fewer bytes.
    pub fn shared_cell(&mut self, col: usize, text: Shared, xf: u32) {
        self.open_cell(col, xf);
        let Some(number) = self.shared.numbers.get(text.0 as usize) else {
            self.xml.push_str("/>");
            return;
        };
        self.xml.push_str(" t=\"s\"><v>");
        self.xml.push_str(number);
        self.xml.push_str("</v></c>");
        self.shared.refs += 1;
    }

    /// `<c r="A1" s="xf"`: a cell's start, up to its type.
    fn open_cell(&mut self, col: usize, xf: u32) {
        self.xml.push_str("<c r=\"");
        self.xml.push(char::from(COLUMNS[col]));
        self.xml.push_str(&self.row_text);
        self.xml.push('"');
        if xf > 0 {
            let xf = xf as usize;
            if self.xf_text.len() <= xf {
                self.xf_text.resize(xf + 1, String::new());
            }
            if self.xf_text[xf].is_empty() {
                self.xf_text[xf] = format!(" s=\"{xf}\"");
            }
            self.xml.push_str(&self.xf_text[xf]);
        }
    }

    /// The head row (row 0): `names` in bold with format `xf`, as high as
    /// the longest needs in its column of `widths`.
    pub fn head_row(&mut self, names: &[&str], widths: &[f64], xf: u32) {
        let cells: Vec<print::Cell> = (names.iter().zip(widths))
            .map(|(n, w)| print::Cell::new(n, *w).bold())
            .collect();
        self.start_row(0, print::fit(&cells));
        for (col, n) in names.iter().enumerate() {
            self.cell(col, n, xf);
        }
    }

    /// Ends the sheet at row `row` (the row after the last) with a blank
    /// cell of format `xf` (see [`end_format`]).
    pub fn end_sheet(&mut self, row: u32, xf: u32) {
        self.start_plain_row(row);
        self.cell(0, "", xf);
    }

    /// Hands the rows gathered so far on to be compressed once there are
    /// enough of them.
    pub fn flush(&mut self) -> std::io::Result<()> {
        if self.xml.len() >= CHUNK {
            self.piped.send(&mut self.xml)?;
        }
        Ok(())
    }

    /// Ends the last row and hands everything left, with `tail`, on;
    /// returns the texts the rows shared.
    fn finish(mut self, tail: &str) -> std::io::Result<SharedTable> {
        self.end_row();
        self.xml.push_str(tail);
        self.piped.send(&mut self.xml)?;
        Ok(self.shared)
    }
}

/// The format of the blank cell on the row after a long sheet's last: the
/// sheets have always ended so (rust_xlsxwriter's constant-memory mode
/// needed it), and it shows nothing.
pub(crate) fn end_format() -> Format {
    print::base().set_align(rust_xlsxwriter::FormatAlign::Top)
}

/// Bytes after which text needs rust_xlsxwriter's escaping: `&`, `<`, `>`,
/// control characters but tab and line feed, `_` (a literal `_xHHHH_` is
/// escaped) and 0xEF (the first byte of U+FFFE and U+FFFF).
const SPECIAL: super::Special<2, 5> = super::Special {
    free: *b"\t\n",
    more: *b"&<>_\xEF",
};

/// `<t>text</t>`, escaped, with `xml:space="preserve"` when the text starts
/// or ends with white space (as rust_xlsxwriter writes a text, inline or
/// shared).
fn text_element(out: &mut String, text: &str) {
    out.push_str("<t");
    let ws = ['\t', '\n', ' '];
    if text.starts_with(ws) || text.ends_with(ws) {
        out.push_str(" xml:space=\"preserve\"");
    }
    out.push('>');
    escape_into(out, text);
    out.push_str("</t>");
}

/// Appends `text` escaped for a cell as rust_xlsxwriter escapes it: a
/// literal `_xHHHH_` gets its underscore escaped as `_x005F`, control
/// characters and U+FFFE/U+FFFF become `_xHHHH_`, and `&`, `<`, `>` their
/// entities. Most text has none of these and is copied as it is.
fn escape_into(out: &mut String, text: &str) {
    if super::plain_prefix(text.as_bytes(), &SPECIAL) == text.len() {
        out.push_str(text);
        return;
    }
    let bytes = text.as_bytes();
    for (i, ch) in text.char_indices() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' => out.push(ch),
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => {
                let _ = std::fmt::Write::write_fmt(out, format_args!("_x{:04X}_", ch as u32));
            }
            '_' if is_escape_at(bytes, i) => out.push_str("_x005F_"),
            _ => out.push(ch),
        }
    }
}

/// Whether `_xHHHH_` (four hex digits) starts at byte `i`.
fn is_escape_at(bytes: &[u8], i: usize) -> bool {
    bytes.len() >= i + 7
        && bytes[i + 1] == b'x'
        && bytes[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit)
        && bytes[i + 6] == b'_'
}

/// Gives a long sheet (the placeholder, or the sheet its part's frame is
/// taken from) its name, a filter over the head row and the rows up to
/// `next_row`, a frozen head row and `page`'s print setup.
pub(crate) fn setup_table(
    ws: &mut Worksheet,
    name: &str,
    next_row: u32,
    page: &print::Page,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let last_col = page.widths.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, next_row.saturating_sub(1), last_col)?;
    ws.set_freeze_panes(1, 0)?;
    print::setup(ws, page)
}

/// The head and tail of a long sheet's part (everything before and after
/// its rows).
pub(crate) struct Frame {
    head: String,
    tail: String,
}

/// The [`Frame`] of the long sheet's part, as rust_xlsxwriter writes it for
/// a sheet set up by `setup` whose cells reach row `last_row` (0-based).
pub(crate) fn frame(
    setup: &dyn Fn(&mut Worksheet) -> Result<(), XlsxError>,
    position: usize,
    last_row: u32,
    last_col: u16,
) -> Result<Frame, XlsxError> {
    let mut wb = print::workbook();
    // At its place in the workbook: the first sheet is the selected one.
    for _ in 1..position {
        wb.add_worksheet();
    }
    let mut ws = print::streamed_worksheet(&mut wb)?;
    setup(&mut ws)?;
    // Cells at both corners, so that the sheet's dimension is the real one.
    ws.write_blank(0, 0, &print::base().set_bold())?;
    ws.write_blank(last_row, last_col, &print::base().set_bold())?;
    wb.push_worksheet(ws);
    let mut bytes = std::io::Cursor::new(Vec::new());
    wb.save_to_writer(&mut bytes)?;
    let xml = read_part(bytes.into_inner(), &part_name(position))?;
    let (Some(open), Some(close)) = (xml.find("<sheetData>"), xml.find("</sheetData>")) else {
        return Err(unexpected("sheetData saknas"));
    };
    let head = &xml[..open + "<sheetData>".len()];
    Ok(Frame {
        head: head.to_string(),
        tail: xml[close..].to_string(),
    })
}

/// The part of the sheet at `position` (1-based) in a workbook.
fn part_name(position: usize) -> String {
    format!("xl/worksheets/sheet{position}.xml")
}

/// One part of a zip package, as text.
fn read_part(zip: Vec<u8>, name: &str) -> Result<String, XlsxError> {
    let mut archive = ZipArchive::new(std::io::Cursor::new(zip))?;
    let mut xml = String::new();
    archive
        .by_name(name)?
        .read_to_string(&mut xml)
        .map_err(XlsxError::IoError)?;
    Ok(xml)
}

/// rust_xlsxwriter wrote something this module does not expect (a newer
/// version): a bug to report, not a user's error.
fn unexpected(what: &str) -> XlsxError {
    XlsxError::ParameterError(format!(
        "fel i samla: bladet Svar kunde inte sättas in i arbetsboken ({what}); rapportera felet"
    ))
}

/// Options of the long sheet's zip entry: as rust_xlsxwriter writes its
/// parts at level 1.
fn entry_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .unix_permissions(0o600)
        .last_modified_time(DateTime::default())
}

/// Writes a long sheet's part into `zip` as entry `name`: `frame`'s head,
/// the rows `rows` writes, `frame`'s tail; the rows are compressed on a
/// thread of their own while they are written (see [`piped`]). The texts
/// the rows share are numbered from `shared_base` on; returns them.
fn write_part<W: Write + Seek + Send>(
    zip: &mut ZipWriter<W>,
    name: &str,
    frame: &Frame,
    shared_base: u32,
    rows: impl FnOnce(&mut Rows<'_>) -> std::io::Result<()>,
) -> Result<SharedTable, XlsxError> {
    zip.start_file(name, entry_options())?;
    zip.write_all(frame.head.as_bytes())
        .map_err(XlsxError::IoError)?;
    // A row is appended whole, so a buffer may pass CHUNK by one row.
    let capacity = CHUNK + 4096;
    piped::pipe(zip, capacity, |piped| {
        let mut r = Rows {
            piped,
            xml: String::with_capacity(capacity),
            row: 0,
            row_text: String::new(),
            xf_text: Vec::new(),
            heights: Vec::new(),
            shared: SharedTable::new(shared_base),
        };
        rows(&mut r)?;
        r.finish(&frame.tail)
    })
    .map_err(XlsxError::IoError)
}

/// Saves `wb` (with the placeholder) to a temporary file, for [`assemble`]:
/// not in memory, where the other sheets' compressed parts would add to
/// the run's peak.
pub(crate) fn save_apart(wb: &mut Workbook) -> Result<std::fs::File, XlsxError> {
    let mut saved = std::io::BufWriter::new(tempfile::tempfile().map_err(XlsxError::IoError)?);
    wb.save_to_writer(&mut saved)?;
    let mut file = saved
        .into_inner()
        .map_err(|e| XlsxError::IoError(e.into_error()))?;
    file.rewind().map_err(XlsxError::IoError)?;
    Ok(file)
}

/// Writes the package `saved` (a workbook as rust_xlsxwriter saved it) to
/// `out` with the part of the sheet at `position` — the placeholder's —
/// replaced by the long sheet's: `frame` around the rows `rows` writes,
/// compressed straight into `out` (not into a file of its own and then
/// copied: that copy was the last step of the workbook, on one core). The
/// texts the rows share are added to the end of the workbook's
/// shared-string table. First checks that the placeholder's cells have the
/// formats `xf` says.
pub(crate) fn assemble<W: Write + Seek + Send>(
    saved: impl Read + Seek,
    position: usize,
    xf: &XfTable,
    frame: &Frame,
    rows: impl FnOnce(&mut Rows<'_>) -> std::io::Result<()>,
    out: W,
) -> Result<(), XlsxError> {
    let mut archive = ZipArchive::new(std::io::BufReader::with_capacity(1 << 16, saved))?;
    let name = part_name(position);
    check_formats(&mut archive, &name, xf)?;
    let strings = SharedStrings::read(&mut archive)?;
    let mut zip = ZipWriter::new(out);
    let mut rows = Some(rows);
    let mut ours = None;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i)?;
        let entry_name = entry.name()?;
        if entry_name == SHARED_STRINGS && strings.is_some() {
            // Written last, with the long sheet's texts.
            continue;
        }
        if entry_name != name.as_str() {
            zip.raw_copy_file(entry)?;
            continue;
        }
        drop(entry);
        let rows = rows
            .take()
            .ok_or_else(|| unexpected("delen finns två gånger"))?;
        let base = strings.as_ref().map_or(0, |s| s.unique);
        ours = Some(write_part(&mut zip, &name, frame, base, rows)?);
    }
    let ours = ours.ok_or_else(|| unexpected("delen saknas"))?;
    match strings {
        Some(theirs) => theirs.write_with(&ours, &mut zip)?,
        // rust_xlsxwriter wrote no table: the other sheets hold no text.
        None if ours.numbers.is_empty() => {}
        None => return Err(unexpected("sharedStrings.xml saknas")),
    }
    zip.finish()?;
    Ok(())
}

/// The shared-string table's part.
const SHARED_STRINGS: &str = "xl/sharedStrings.xml";

/// `tag` (a start tag without its `>`) without its attribute `name`.
fn without_attr(tag: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    let Some(at) = tag.find(&key) else {
        return tag.to_string();
    };
    let value = at + key.len();
    let end = tag[value..].find('"').map_or(tag.len(), |e| value + e + 1);
    format!("{}{}", &tag[..at], &tag[end..])
}

/// The workbook's shared-string table as rust_xlsxwriter wrote it.
struct SharedStrings {
    /// The part's XML up to the end of the `<sst …>` start tag (without
    /// its counts) and the items after it.
    head: String,
    items: String,
    /// Cells referring to a string (`count`), and strings (`uniqueCount`).
    count: u64,
    unique: u32,
}

impl SharedStrings {
    /// The table in `archive`, if it has one.
    fn read<R: Read + Seek>(archive: &mut ZipArchive<R>) -> Result<Option<Self>, XlsxError> {
        let mut xml = String::new();
        match archive.by_name(SHARED_STRINGS) {
            Ok(mut part) => part.read_to_string(&mut xml).map_err(XlsxError::IoError)?,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let start = xml
            .find("<sst ")
            .ok_or_else(|| unexpected("<sst> saknas"))?;
        let open_end = start
            + xml[start..]
                .find('>')
                .ok_or_else(|| unexpected("<sst> slutar inte"))?;
        let close = xml
            .rfind("</sst>")
            .ok_or_else(|| unexpected("</sst> saknas"))?;
        let tag = &xml[start..open_end];
        let attr = |name: &str| -> Result<u64, XlsxError> {
            let at = tag
                .find(&format!(" {name}=\""))
                .ok_or_else(|| unexpected(&format!("{name} saknas")))?;
            let value = &tag[at + name.len() + 3..];
            let end = value.find('"').unwrap_or(value.len());
            value[..end]
                .parse()
                .map_err(|_| unexpected(&format!("{name} är inget tal")))
        };
        let (count, unique) = (attr("count")?, attr("uniqueCount")?);
        let unique = u32::try_from(unique).map_err(|_| unexpected("för många texter"))?;
        // The start tag without its counts, wherever they stand: they are
        // written anew at its end.
        let head =
            xml[..start].to_string() + &without_attr(&without_attr(tag, "count"), "uniqueCount");
        Ok(Some(SharedStrings {
            head,
            items: xml[open_end + 1..close].to_string(),
            count,
            unique,
        }))
    }

    /// Writes the table with `ours` (numbered after this table's strings)
    /// at its end.
    fn write_with<W: Write + Seek>(
        self,
        ours: &SharedTable,
        zip: &mut ZipWriter<W>,
    ) -> Result<(), XlsxError> {
        let count = self.count + ours.refs;
        let unique = u64::from(self.unique) + ours.numbers.len() as u64;
        zip.start_file(SHARED_STRINGS, entry_options())?;
        let head = format!("{} count=\"{count}\" uniqueCount=\"{unique}\">", self.head);
        for piece in [&head, &self.items, &ours.items, "</sst>"] {
            zip.write_all(piece.as_bytes())
                .map_err(XlsxError::IoError)?;
        }
        Ok(())
    }
}

/// Checks that cell `i` of the placeholder's sample row has format `i + 1`.
fn check_formats<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
    xf: &XfTable,
) -> Result<(), XlsxError> {
    let mut xml = String::new();
    archive
        .by_name(name)?
        .read_to_string(&mut xml)
        .map_err(XlsxError::IoError)?;
    for i in 1..xf.0.len() {
        let at = crate::finding::CellRef::new(SAMPLE_ROW, i as u32 - 1);
        let cell = format!("<c r=\"{at}\" s=\"{i}\"/>");
        if !xml.contains(&cell) {
            return Err(unexpected(&format!("formatet för {cell} stämmer inte")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `<c>` elements of a part's rows.
    fn cells(xml: &str) -> Vec<String> {
        xml.split("<c r=")
            .skip(1)
            .map(|c| {
                let end = c
                    .find("</c>")
                    .map_or_else(|| c.find("/>").unwrap() + 2, |e| e + 4);
                c[..end].to_string()
            })
            .collect()
    }

    /// Writes `texts` in column A, one a row, with rust_xlsxwriter's
    /// constant-memory sheet and with [`Rows`]; both cells' XML.
    fn both(texts: &[String]) -> (Vec<String>, Vec<String>) {
        let bold = print::base().set_bold();
        let mut wb = print::workbook();
        let mut ws = print::streamed_worksheet(&mut wb).unwrap();
        for (i, t) in texts.iter().enumerate() {
            ws.write_string_with_format(i as u32, 0, t, &bold).unwrap();
        }
        wb.push_worksheet(ws);
        let mut bytes = std::io::Cursor::new(Vec::new());
        wb.save_to_writer(&mut bytes).unwrap();
        let theirs = read_part(bytes.into_inner(), "xl/worksheets/sheet1.xml").unwrap();
        let ours = written("<sheetData>", "</sheetData>", |r| {
            for (i, t) in texts.iter().enumerate() {
                r.start_plain_row(i as u32);
                r.cell(0, t, 1);
            }
            Ok(())
        });
        (cells(&theirs), cells(&ours))
    }

    /// The XML of a part written by [`write_part`] with `head`, `rows`
    /// and `tail`, read back from its zip entry.
    fn written(
        head: &str,
        tail: &str,
        rows: impl FnOnce(&mut Rows<'_>) -> std::io::Result<()>,
    ) -> String {
        let frame = Frame {
            head: head.to_string(),
            tail: tail.to_string(),
        };
        let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        write_part(&mut zip, "sheet.xml", &frame, 0, rows).unwrap();
        read_part(zip.finish().unwrap().into_inner(), "sheet.xml").unwrap()
    }

    #[test]
    fn cells_are_escaped_as_rust_xlsxwriter_escapes_them() {
        let texts: Vec<String> = [
            "vanlig text",
            " inledande",
            "avslutande\n",
            "a & b < c > d",
            "_x0041_ och _x00zz_ och _x004",
            "styr\u{1}tecken\u{1F}\u{B}",
            "icke-tecken \u{FFFE}\u{FFFF} ï",
            "flik\there",
        ]
        .map(String::from)
        .to_vec();
        let (theirs, ours) = both(&texts);
        assert_eq!(theirs, ours);
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_escaped_as_rust_xlsxwriter_escapes_it(
            texts in proptest::collection::vec("[a-zå_xX0-9A-F&<>\"' \t\n\u{1}\u{1F}\u{FFFE}\u{FFFF}]{1,30}", 1..8),
        ) {
            let (theirs, ours) = both(&texts);
            proptest::prop_assert_eq!(theirs, ours);
        }
    }

    /// The `<si>` items of `texts` as rust_xlsxwriter's shared-string
    /// table holds them, and as [`Rows::share`] writes them.
    fn both_shared(texts: &[String]) -> (Vec<String>, Vec<String>) {
        let mut wb = print::workbook();
        let ws = wb.add_worksheet();
        for (i, t) in texts.iter().enumerate() {
            ws.write_string(i as u32, 0, t).unwrap();
        }
        let mut bytes = std::io::Cursor::new(Vec::new());
        wb.save_to_writer(&mut bytes).unwrap();
        let theirs = read_part(bytes.into_inner(), SHARED_STRINGS).unwrap();
        let mut ours = String::new();
        written("", "", |r| {
            for t in texts {
                r.share(t);
            }
            ours = r.shared.items.clone();
            Ok(())
        });
        let items = |xml: &str| -> Vec<String> {
            xml.split("<si>")
                .skip(1)
                .map(|i| i[..i.find("</si>").unwrap()].to_string())
                .collect()
        };
        (items(&theirs), items(&ours))
    }

    #[test]
    fn shared_texts_are_escaped_as_rust_xlsxwriter_escapes_them() {
        let texts: Vec<String> = [
            "1 Prevention och tidig diagnostik",
            " inledande",
            "avslutande\n",
            "a & b < c > d",
            "_x0041_ och _x00zz_",
            "styr\u{1}tecken",
            "icke-tecken \u{FFFE}",
        ]
        .map(String::from)
        .to_vec();
        let (theirs, ours) = both_shared(&texts);
        assert_eq!(theirs, ours);
    }

    proptest::proptest! {
        #[test]
        fn any_shared_text_is_escaped_as_rust_xlsxwriter_escapes_it(
            texts in proptest::collection::hash_set("[a-zå_xX0-9A-F&<>\"' \t\n\u{1}\u{FFFF}]{1,30}", 1..8),
        ) {
            let texts: Vec<String> = texts.into_iter().collect();
            let (theirs, ours) = both_shared(&texts);
            proptest::prop_assert_eq!(theirs, ours);
        }
    }

    #[test]
    fn a_shared_text_is_numbered_after_the_workbooks_and_counted_per_cell() {
        let frame = Frame {
            head: String::new(),
            tail: String::new(),
        };
        let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        // The workbook's own table holds 5 texts.
        let table = write_part(&mut zip, "sheet.xml", &frame, 5, |r| {
            r.start_plain_row(0);
            let (a, b) = (r.share("område"), r.share("mål"));
            assert_eq!(r.share("område"), a, "a text is shared once");
            assert_eq!(r.share(""), Shared::EMPTY);
            r.shared_cell(0, a, 0);
            r.shared_cell(1, b, 2);
            r.shared_cell(2, a, 0);
            r.shared_cell(3, Shared::EMPTY, 2);
            Ok(())
        })
        .unwrap();
        let xml = read_part(zip.finish().unwrap().into_inner(), "sheet.xml").unwrap();
        assert_eq!(
            xml,
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>5</v></c><c r=\"B1\" s=\"2\" t=\"s\"><v>6</v></c>\
             <c r=\"C1\" t=\"s\"><v>5</v></c><c r=\"D1\" s=\"2\"/></row>"
        );
        assert_eq!(table.items, "<si><t>område</t></si><si><t>mål</t></si>");
        assert_eq!(table.refs, 3);
    }

    #[test]
    fn the_workbooks_table_gets_the_sheets_texts_and_both_counts_once() {
        // Counts in either order, and after another attribute.
        let sst = "<?xml version=\"1.0\"?>\n<sst uniqueCount=\"2\" xmlns=\"x\" count=\"3\">\
                   <si><t>a</t></si><si><t>b</t></si></sst>";
        let mut saved = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        saved.start_file(SHARED_STRINGS, entry_options()).unwrap();
        saved.write_all(sst.as_bytes()).unwrap();
        let mut archive = ZipArchive::new(saved.finish().unwrap()).unwrap();
        let theirs = SharedStrings::read(&mut archive).unwrap().unwrap();
        assert_eq!((theirs.count, theirs.unique), (3, 2));

        let frame = Frame {
            head: String::new(),
            tail: String::new(),
        };
        let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let ours = write_part(&mut zip, "sheet.xml", &frame, theirs.unique, |r| {
            r.start_plain_row(0);
            let c = r.share("c");
            r.shared_cell(0, c, 0);
            r.shared_cell(1, c, 0);
            Ok(())
        })
        .unwrap();
        theirs.write_with(&ours, &mut zip).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert_eq!(
            read_part(bytes.clone(), "sheet.xml").unwrap(),
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>2</v></c><c r=\"B1\" t=\"s\"><v>2</v></c></row>"
        );
        assert_eq!(
            read_part(bytes, SHARED_STRINGS).unwrap(),
            "<?xml version=\"1.0\"?>\n<sst xmlns=\"x\" count=\"5\" uniqueCount=\"3\">\
             <si><t>a</t></si><si><t>b</t></si><si><t>c</t></si></sst>"
        );
    }

    #[test]
    fn heights_are_whole_pixels_in_points() {
        let xml = written("", "", |r| {
            r.start_row(0, 25.4);
            r.start_row(1, 500.0);
            Ok(())
        });
        assert_eq!(
            xml,
            "<row r=\"1\" ht=\"25.5\" customHeight=\"1\"></row>\
             <row r=\"2\" ht=\"408.75\" customHeight=\"1\"></row>"
        );
    }
}
