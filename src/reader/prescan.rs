//! Checks a package's parts before calamine parses them, for what would
//! make calamine abort, panic or allocate without bound: cell references
//! past the sheet's edge in `.xlsx`, repeat counts and space runs in `.ods`,
//! DIMENSIONS records and far-apart cells in `.xls`. What is found here is
//! refused with the part and the value named; nothing is guessed.

use std::borrow::Cow;
use std::io::{BufReader, Cursor, Read, Seek};

use quick_xml::events::{BytesStart, Event};

use super::{Limits, ReadFailure};
use crate::finding::CellRef;

/// Excel's last row and column (1-based): XFD1048576.
pub(crate) const MAX_ROW: u64 = 1_048_576;
pub(crate) const MAX_COL: u64 = 16_384;

/// A 1-based (row, col) from an A1 reference such as `D5`; None when it is
/// not one or lies past XFD1048576. `row_only` accepts a bare row (`5`).
pub(crate) fn parse_a1(s: &str, row_only: bool) -> Option<(u64, u64)> {
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (l, d) = s.split_at(letters);
    if letters > 3 || (letters == 0 && !row_only) || d.is_empty() || d.len() > 7 {
        return None;
    }
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = l.bytes().fold(0u64, |c, b| {
        c * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1
    });
    let row: u64 = d.parse().ok()?;
    ((1..=MAX_ROW).contains(&row) && col <= MAX_COL).then_some((row, col))
}

/// A reference as programs write one, such as `D5`: one to three capital
/// letters, one to seven digits, within XFD1048576. Every reading of a
/// reference here ([`parse_a1`], [`CellRef::parse`]) gives the same cell
/// for it, so a cell's reference is parsed once; None for any other.
pub(crate) fn plain_a1(r: &str) -> Option<CellRef> {
    let b = r.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let digits = &b[letters..];
    if !(1..=3).contains(&letters)
        || !(1..=7).contains(&digits.len())
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let col = b[..letters]
        .iter()
        .fold(0u64, |c, &l| c * 26 + u64::from(l - b'A') + 1);
    let row = digits
        .iter()
        .fold(0u64, |r, &d| r * 10 + u64::from(d - b'0'));
    let cell = CellRef::new(u32::try_from(row.checked_sub(1)?).ok()?, (col - 1) as u32);
    ((1..=MAX_ROW).contains(&row) && col <= MAX_COL).then_some(cell)
}

/// `A1` or `A1:B2`, its start not after its end.
fn valid_range(s: &str) -> bool {
    let mut parts = s.split(':');
    let (Some(a), b, None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    match (parse_a1(a, false), b.map(|b| parse_a1(b, false))) {
        (Some(_), None) => true,
        (Some(a), Some(Some(b))) => a.0 <= b.0 && a.1 <= b.1,
        _ => false,
    }
}

fn damaged(part: &str, what: &str, value: &str) -> ReadFailure {
    ReadFailure::unreadable(format!(
        "filen är skadad: {what} \"{}\" i delen {part} ligger utanför ett kalkylblad (A1 till XFD1048576) eller är ingen cellreferens. Öppna filen i Excel, spara om den och skicka igen",
        value.chars().take(40).collect::<String>()
    ))
}

/// The local part of a qualified name: after its first `:`, as quick_xml's
/// `local_name` gives it. A byte loop: `str::find(char)` for quick_xml's
/// names of one to a dozen bytes, several times per element of every
/// sheet, was about 3 % of a read.
pub(crate) fn local(name: &str) -> &str {
    match name.bytes().position(|b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The value of attribute `name` (local name) of `e`: its first
/// occurrence, borrowed from the event where it needs no unescaping.
pub(crate) fn attr<'e>(e: &'e BytesStart<'_>, name: &str) -> Option<Cow<'e, str>> {
    e.attributes()
        // Only the first occurrence is looked at, so the check that a
        // later one repeats an earlier one (a vector per element) is not needed.
        .with_checks(false)
        .flatten()
        .find(|a| local(a.key.0) == name)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
}

/// Whether the references of a package part are checked: the
/// SpreadsheetML parts calamine may parse (the shared strings have none).
pub(crate) fn has_refs(part: &str) -> bool {
    part.starts_with("xl/") && part.ends_with(".xml") && part != "xl/sharedStrings.xml"
}

/// Sets `reader` to go on where calamine's reader goes on: past an end tag
/// that does not close the open element (calamine does not check end
/// names). A check that stopped there left the rest of the part unchecked
/// for calamine to read: a cell reference past u32 in it made calamine
/// panic (found by `reader_never_panics_on_mutated_xml`).
pub(crate) fn as_calamine_reads<R>(reader: &mut quick_xml::Reader<R>) {
    reader.config_mut().check_end_names = false;
}

/// Checks every cell reference of one SpreadsheetML part that calamine
/// parses (`<row r>`, `<c r>`, and `ref` of dimension, mergeCell, shared
/// formula, hyperlink and table): its parser overflows past u32.
pub(crate) fn xlsx_part<R: Read>(part: &str, xml: R) -> Result<(), ReadFailure> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(xml));
    as_calamine_reads(&mut reader);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => refs(part, &e)?,
            Ok(Event::Eof) | Err(_) => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// Checks the reference `r` of a cell (`<c r>`) of `part`.
pub(crate) fn cell_ref(part: &str, r: Option<&str>) -> Result<(), ReadFailure> {
    match r {
        Some(r) if parse_a1(r, false).is_none() => Err(damaged(part, "cellreferensen", r)),
        _ => Ok(()),
    }
}

/// Parts up to this size are read whole by [`xlsx_entry`] and parsed only
/// when they may hold an element whose references are checked.
const SMALL_PART: u64 = 1 << 20;

/// Checks the references of entry `index`, named `part` ([`xlsx_part`]).
/// A small part (styles, theme, workbook) is read whole first and not
/// parsed when it cannot hold an element [`refs`] checks. A part that
/// cannot be read whole, or reads past its declared size, is streamed as
/// before, so what is found in it stays the same.
pub(crate) fn xlsx_entry<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    index: usize,
    part: &str,
    copy: Option<&[u8]>,
) -> Result<(), ReadFailure> {
    if let Ok(entry) = zip.by_index(index) {
        let whole = super::onepass::in_copy(&entry, copy);
        if let Some(xml) = whole.filter(|x| x.len() as u64 <= SMALL_PART) {
            return match may_have_checked(xml) {
                true => xlsx_part(part, xml),
                false => Ok(()),
            };
        }
    }
    if let Ok(entry) = zip.by_index(index) {
        let size = entry.size();
        let mut data = Vec::new();
        if size <= SMALL_PART
            && entry.take(size + 1).read_to_end(&mut data).is_ok()
            && data.len() as u64 <= size
        {
            return match may_have_checked(&data) {
                true => xlsx_part(part, data.as_slice()),
                false => Ok(()),
            };
        }
    }
    match zip.by_index(index) {
        Ok(entry) => xlsx_part(part, entry),
        Err(_) => Ok(()),
    }
}

/// Whether `xml` may hold an element whose references [`refs`] checks:
/// one of their names right after `<` (or a prefix's `:`) and not going on.
/// Every element's name starts right after its `<`, and text cannot hold a
/// `<`, so a part without such a name has no such element.
fn may_have_checked(xml: &[u8]) -> bool {
    const CHECKED: [&[u8]; 7] = [
        b"row",
        b"c",
        b"dimension",
        b"mergeCell",
        b"f",
        b"hyperlink",
        b"table",
    ];
    let name_char = |b: u8| b.is_ascii_alphanumeric() || b".-_:".contains(&b) || b >= 0x80;
    memchr::memchr2_iter(b'<', b':', xml).any(|i| {
        let rest = &xml[i + 1..];
        // Most names start with another letter than the checked ones do.
        if !rest.first().is_some_and(|b| b"rcdmfht".contains(b)) {
            return false;
        }
        CHECKED
            .iter()
            .any(|n| rest.starts_with(n) && rest.get(n.len()).is_none_or(|&b| !name_char(b)))
    })
}

/// Checks the references of one element of `part` (see [`xlsx_part`]).
pub(crate) fn refs(part: &str, e: &BytesStart<'_>) -> Result<(), ReadFailure> {
    match local(e.name().0) {
        "row" => {
            if let Some(r) = attr(e, "r").filter(|r| parse_a1(r, true).is_none()) {
                return Err(damaged(part, "radnumret", &r));
            }
        }
        "c" => cell_ref(part, attr(e, "r").as_deref())?,
        "dimension" | "mergeCell" | "f" | "hyperlink" | "table" => {
            if let Some(r) = attr(e, "ref").filter(|r| !valid_range(r)) {
                return Err(damaged(part, "området", &r));
            }
        }
        _ => {}
    }
    Ok(())
}

/// One `table:table-row` of an `.ods`, as calamine will hold it.
#[derive(Default)]
struct OdsRow {
    repeats: u64,
    /// Cells calamine pushes for this row (up to the last non-empty one).
    width: u64,
    /// First and last non-empty column, zero-based.
    span: Option<(u64, u64)>,
}

/// An `.ods` table being scanned.
#[derive(Default)]
struct OdsTable {
    name: String,
    rows: Vec<OdsRow>,
    /// Cells calamine reads before building the range.
    raw_cells: u64,
    /// Bytes of text, counting each repeat of a cell and of its row.
    text_bytes: u64,
}

impl OdsTable {
    /// The cells of the range calamine builds: the rows from the first to the
    /// last non-empty one (with their repeats) times the non-empty width.
    fn grid_cells(&self) -> u64 {
        let spans = || {
            self.rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| Some((i, r.span?)))
        };
        let (Some((first, _)), Some((last, _))) = (spans().next(), spans().next_back()) else {
            return 0;
        };
        let lo = spans().map(|(_, s)| s.0).min().unwrap_or(0);
        let hi = spans().map(|(_, s)| s.1).max().unwrap_or(0);
        let rows: u64 = self.rows[first..=last]
            .iter()
            .map(|r| r.repeats)
            .fold(0, u64::saturating_add);
        rows.saturating_mul(hi - lo + 1)
    }

    fn check(&self, limits: &Limits) -> Result<(), ReadFailure> {
        let grid = self.grid_cells().max(self.raw_cells);
        if grid > limits.max_grid_cells {
            return Err(ReadFailure::limit(format!(
                "bladet \"{}\" breder ut sig över {grid} celler genom upprepade rader eller kolumner, gränsen är {}",
                self.name, limits.max_grid_cells
            )));
        }
        if self.text_bytes > limits.max_text_bytes as u64 {
            return Err(ReadFailure::limit(format!(
                "bladet \"{}\" har {} MB text när upprepade celler och mellanslag räknas, gränsen är {} MB",
                self.name,
                self.text_bytes >> 20,
                limits.max_text_bytes >> 20
            )));
        }
        Ok(())
    }
}

fn count(e: &BytesStart<'_>, name: &str) -> u64 {
    attr(e, name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
}

/// Checks an `.ods` `content.xml` for repeat counts and space runs that
/// calamine would expand past the limits (it builds every repeated cell).
pub(crate) fn ods<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<(), ReadFailure> {
    let Ok(entry) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(entry));
    let mut buf = Vec::new();
    let mut table = OdsTable::default();
    let mut row = OdsRow::default();
    // The open cell: its column repeats and the text bytes seen so far.
    let mut cell: Option<(u64, u64, bool)> = None;
    loop {
        let ev = reader.read_event_into(&mut buf);
        let (e, empty) = match ev {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::Text(t)) => {
                if let Some(c) = cell.as_mut() {
                    c.1 = c.1.saturating_add(t.len() as u64);
                    c.2 |= !t.trim().is_empty();
                }
                buf.clear();
                continue;
            }
            Ok(Event::End(e)) => {
                match e.name().as_ref() {
                    "table:table-cell" | "table:covered-table-cell" => {
                        if let Some((reps, text, filled)) = cell.take() {
                            end_cell(&mut table, &mut row, reps, text, filled);
                        }
                    }
                    "table:table-row" => end_row(&mut table, &mut row, limits)?,
                    "table:table" => {
                        table.check(limits)?;
                        table = OdsTable::default();
                    }
                    _ => {}
                }
                buf.clear();
                continue;
            }
            Ok(Event::Eof) | Err(_) => return Ok(()),
            _ => {
                buf.clear();
                continue;
            }
        };
        match e.name().as_ref() {
            "table:table" => table.name = attr(&e, "name").unwrap_or_default().into_owned(),
            "table:table-row" => {
                row = OdsRow {
                    repeats: count(&e, "number-rows-repeated"),
                    ..OdsRow::default()
                };
                if empty {
                    end_row(&mut table, &mut row, limits)?;
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let reps = count(&e, "number-columns-repeated");
                let valued = attr(&e, "value-type").is_some() || attr(&e, "formula").is_some();
                if empty {
                    end_cell(&mut table, &mut row, reps, 0, valued);
                } else {
                    cell = Some((reps, 0, valued));
                }
            }
            "text:s" => {
                if let Some(c) = cell.as_mut() {
                    c.1 = c.1.saturating_add(count(&e, "c"));
                    c.2 = true;
                }
            }
            _ => {}
        }
        buf.clear();
    }
}

/// A cell ends: calamine pushes it `reps` times (capped at the sheet's
/// width), and the empty cells before it when it is not empty.
fn end_cell(table: &mut OdsTable, row: &mut OdsRow, reps: u64, text: u64, filled: bool) {
    let at = row.width;
    let reps = reps.min(MAX_COL);
    if filled {
        let last = (at + reps).min(MAX_COL).saturating_sub(1);
        row.span = Some(row.span.map_or((at, last), |(lo, _)| (lo, last)));
        let copies = reps.saturating_mul(row.repeats.max(1));
        table.text_bytes = table.text_bytes.saturating_add(text.saturating_mul(copies));
    }
    row.width = (at + reps).min(MAX_COL);
}

fn end_row(table: &mut OdsTable, row: &mut OdsRow, limits: &Limits) -> Result<(), ReadFailure> {
    let row = std::mem::take(row);
    let pushed = row.span.map_or(0, |(_, hi)| hi + 1);
    table.raw_cells = table.raw_cells.saturating_add(pushed);
    table.rows.push(row);
    table.check(limits)
}

/// Cell records of BIFF8 whose first two fields are row and column.
const XLS_CELLS: [u16; 8] = [
    0x0006, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6, 0x00BD,
];

/// One sheet substream of an `.xls`: its DIMENSIONS and its cells' extent.
#[derive(Default)]
struct XlsSheet {
    dims: Option<(u64, u64, u64, u64)>,
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl XlsSheet {
    fn cell(&mut self, row: u64, c1: u64, c2: u64) {
        let grow = |v: &mut Option<(u64, u64)>, lo: u64, hi: u64| {
            *v = Some(v.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        };
        grow(&mut self.rows, row, row);
        grow(&mut self.cols, c1, c2);
    }

    /// What calamine allocates: DIMENSIONS rows × cols (a reservation), and
    /// the box around the cells (the range it builds).
    fn check(&self, n: &str, limits: &Limits) -> Result<(), ReadFailure> {
        if let Some((rf, rl, cf, cl)) = self.dims {
            let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
            let (end_r, end_c) = if rl >= 1 && cl >= 1 {
                (rl - 1, cl - 1)
            } else {
                (rf, cf)
            };
            if end_r < rf || end_c < cf {
                return Err(ReadFailure::unreadable(format!(
                    "filen är skadad: bladet \"{n}\" anger ett område (DIMENSIONS) som slutar före sin början. Öppna filen i Excel, spara om den som .xlsx och skicka igen"
                )));
            }
            let (rows, cols) = (end_r - rf + 1, end_c - cf + 1);
            over_grid(rows, cols, limits, || {
                format!(
                    "bladet \"{n}\" anger att det har {rows} rader × {cols} kolumner (DIMENSIONS)"
                )
            })?;
        }
        if let (Some((r0, r1)), Some((c0, c1))) = (self.rows, self.cols) {
            let (rows, cols) = (r1 - r0 + 1, c1 - c0 + 1);
            over_grid(rows, cols, limits, || {
                format!(
                    "cellerna i bladet \"{n}\" är utspridda över {rows} rader × {cols} kolumner"
                )
            })?;
        }
        Ok(())
    }
}

/// Refuses a grid of `rows` × `cols` over the limit; `what` says whose.
fn over_grid(
    rows: u64,
    cols: u64,
    limits: &Limits,
    what: impl Fn() -> String,
) -> Result<(), ReadFailure> {
    if rows.saturating_mul(cols) > limits.max_grid_cells {
        return Err(ReadFailure::limit(format!(
            "{}, gränsen är {} celler",
            what(),
            limits.max_grid_cells
        )));
    }
    Ok(())
}

/// Checks the Workbook stream of an `.xls`: each sheet's DIMENSIONS record
/// and the extent of its cells, which calamine allocates as a grid.
/// Returns true when the workbook is encrypted (a FILEPASS record).
pub(crate) fn xls(bytes: &[u8], limits: &Limits) -> Result<bool, ReadFailure> {
    let Ok(mut cfb) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return Ok(false);
    };
    let name = ["Workbook", "Book"].into_iter().find(|n| cfb.is_stream(n));
    let Some(mut stream) = name.and_then(|n| cfb.open_stream(n).ok()) else {
        return Ok(false);
    };
    let mut data = Vec::new();
    if stream
        .by_ref()
        .take(limits.max_file_bytes)
        .read_to_end(&mut data)
        .is_err()
    {
        return Ok(false);
    }
    let (sheets, encrypted) = xls_boundsheets(&data);
    if encrypted {
        return Ok(true);
    }
    for (pos, name) in sheets {
        xls_sheet(&data, pos, &name, limits)?;
    }
    Ok(false)
}

fn u16_at(d: &[u8], o: usize) -> Option<u64> {
    d.get(o..o + 2)
        .map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(d: &[u8], o: usize) -> Option<u64> {
    d.get(o..o + 4)
        .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// The records from `pos` on: (type, data, position after it).
fn records(data: &[u8], mut pos: usize) -> impl Iterator<Item = (u64, &[u8])> {
    std::iter::from_fn(move || {
        let (typ, len) = (u16_at(data, pos)?, u16_at(data, pos + 2)? as usize);
        let rec = data.get(pos + 4..pos + 4 + len)?;
        pos += 4 + len;
        Some((typ, rec))
    })
}

/// The sheets the globals substream lists (BOUNDSHEET): position and
/// name; and whether it has a FILEPASS record (the workbook is encrypted).
fn xls_boundsheets(data: &[u8]) -> (Vec<(usize, String)>, bool) {
    let mut out = Vec::new();
    for (typ, rec) in records(data, 0) {
        match typ {
            0x000A => break,
            0x002F => return (out, true),
            0x0085 => {
                let Some(pos) = u32_at(rec, 0) else { continue };
                let cch = rec.get(6).copied().unwrap_or(0) as usize;
                let name = match rec.get(7) {
                    Some(1) => {
                        let units: Vec<u16> = rec
                            .get(8..8 + 2 * cch)
                            .unwrap_or(&[])
                            .chunks_exact(2)
                            .map(|c| u16::from_le_bytes([c[0], c[1]]))
                            .collect();
                        String::from_utf16_lossy(&units)
                    }
                    _ => String::from_utf8_lossy(rec.get(8..8 + cch).unwrap_or(&[])).into_owned(),
                };
                out.push((pos as usize, name));
            }
            _ => {}
        }
    }
    (out, false)
}

/// Scans one sheet substream (nested substreams such as charts skipped).
fn xls_sheet(data: &[u8], pos: usize, name: &str, limits: &Limits) -> Result<(), ReadFailure> {
    let mut sheet = XlsSheet::default();
    let mut depth = 0usize;
    for (typ, rec) in records(data, pos) {
        match typ {
            0x0809 => depth += 1,
            0x000A => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            _ if depth > 1 => {}
            0x0200 => {
                sheet.dims = match rec.len() {
                    10 => (|| {
                        Some((
                            u16_at(rec, 0)?,
                            u16_at(rec, 2)?,
                            u16_at(rec, 4)?,
                            u16_at(rec, 6)?,
                        ))
                    })(),
                    14 | 16 => (|| {
                        Some((
                            u32_at(rec, 0)?,
                            u32_at(rec, 4)?,
                            u16_at(rec, 8)?,
                            u16_at(rec, 10)?,
                        ))
                    })(),
                    _ => None,
                };
            }
            t if XLS_CELLS.contains(&(t as u16)) => {
                if let (Some(r), Some(c)) = (u16_at(rec, 0), u16_at(rec, 2)) {
                    // MULRK: the last column closes the record.
                    let last = if t == 0x00BD {
                        u16_at(rec, rec.len().saturating_sub(2)).unwrap_or(c)
                    } else {
                        c
                    };
                    sheet.cell(r, c.min(last), c.max(last));
                }
            }
            _ => {}
        }
    }
    sheet.check(name, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(parse_a1("A1", false), Some((1, 1)));
        assert_eq!(parse_a1("XFD1048576", false), Some((1_048_576, 16_384)));
        assert_eq!(parse_a1("XFE1", false), None);
        assert_eq!(parse_a1("A1048577", false), None);
        assert_eq!(parse_a1("A99999999999", false), None);
        assert_eq!(parse_a1("A0", false), None);
        assert_eq!(parse_a1("5", true), Some((5, 0)));
        assert_eq!(parse_a1("5", false), None);
        assert!(valid_range("A1:XFD1048576"));
        assert!(!valid_range("B5:A1"));
        assert!(!valid_range("A1:B2:C3"));
    }

    #[test]
    fn a_plain_reference_reads_as_every_other_reading_reads_it() {
        for r in ["A1", "D5", "AB12", "XFD1048576", "Z0100", "XFD1"] {
            let cell = plain_a1(r).unwrap_or_else(|| panic!("{r} is plain"));
            assert_eq!(Some(cell), CellRef::parse(r), "{r}");
            let (row, col) = parse_a1(r, false).expect("a reference");
            assert_eq!(
                (u64::from(cell.row) + 1, u64::from(cell.col) + 1),
                (row, col)
            );
        }
        // Left to the other readings, which tell these apart.
        for r in [
            "",
            "A",
            "1",
            "a1",
            "A0",
            "XFE1",
            "A1048577",
            "AAAA1",
            "A12345678",
            "A1B",
            "$A$1",
            " A1",
        ] {
            assert_eq!(plain_a1(r), None, "{r}");
        }
    }

    #[test]
    fn parts_that_may_hold_checked_elements() {
        for xml in [
            r#"<row r="1">"#,
            r#"<x:c r="A1"/>"#,
            "<f>",
            "<dimension\tref='A1'/>",
            "<!-- <table> -->",
        ] {
            assert!(may_have_checked(xml.as_bytes()), "{xml}");
        }
        for xml in [
            r#"<a:fillToRect l="1" r="2"/>"#,
            "<cols><col/></cols><fonts><font/></fonts>",
            "<rows/><c2/><x:tables/>",
            "row c f table",
        ] {
            assert!(!may_have_checked(xml.as_bytes()), "{xml}");
        }
    }
}
