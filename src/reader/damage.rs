//! Cells of an `.xlsx` that calamine would read by guessing, found before it
//! sees them: a shared-string index that is negative, not a number or past
//! the string table (calamine reads the first two as string 0 and refuses
//! the whole file on the third), a cell reference that occurs twice
//! (calamine keeps the last), and formulas (their saved result is what is
//! read). Such cells are blanked in an in-memory copy of the package, so
//! that no value is guessed and the rest of the file is still read; each
//! becomes a [`Doubt`] naming the cell and what it held.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufReader, Cursor, Read, Seek, Write};

use compact_str::CompactString;
use quick_xml::events::{BytesStart, Event};

use super::onepass::{CellAttrs, SheetCells};
use super::prescan::{self, attr};
use super::sst_count;
use super::{Doubt, ReadFailure};
use crate::finding::{CellRef, FindingCode};

/// Where in a part a cell's element is, and what it held.
struct Seen {
    start: u64,
    end: u64,
    value: Value,
}

/// The cells of a part seen so far, by reference. A program writes a
/// sheet's cells in order, so they are kept in a vector, where a cell that
/// comes after all the others cannot repeat any; the first cell out of
/// order moves them into a map. (Hashing every cell's reference was about
/// 3 % of a read.)
enum SeenCells {
    /// Every reference so far greater than the one before.
    Ordered(Vec<(CellRef, Seen)>),
    /// Since a cell came out of order.
    Any(HashMap<CellRef, Seen>),
}

impl Default for SeenCells {
    fn default() -> SeenCells {
        SeenCells::Ordered(Vec::new())
    }
}

impl SeenCells {
    /// The cell last seen at `at`.
    fn get(&self, at: &CellRef) -> Option<&Seen> {
        match self {
            SeenCells::Ordered(cells) => match cells.last() {
                Some((last, _)) if last < at => None,
                _ => cells
                    .binary_search_by(|(c, _)| c.cmp(at))
                    .ok()
                    .map(|i| &cells[i].1),
            },
            SeenCells::Any(cells) => cells.get(at),
        }
    }

    /// Records the cell at `at`, in place of one seen there before.
    fn insert(&mut self, at: CellRef, seen: Seen) {
        if let SeenCells::Ordered(cells) = self {
            if cells.last().is_none_or(|(last, _)| *last < at) {
                cells.push((at, seen));
                return;
            }
            *self = SeenCells::Any(std::mem::take(cells).into_iter().collect());
        }
        if let SeenCells::Any(cells) = self {
            cells.insert(at, seen);
        }
    }
}

/// A cell's value as written in the XML. Every cell's is kept, and most
/// are short (an index, a number): held inline, they allocate nothing.
#[derive(Clone)]
enum Value {
    /// `t="s"`: the index text as written.
    Shared(CompactString),
    /// Anything else: the text of `<v>` or of an inline string.
    Text(CompactString),
}

/// What the scan of one sheet part found.
#[derive(Clone, Default)]
pub(crate) struct PartScan {
    /// Byte ranges of `<c>` elements to blank, with their cells.
    blank: Vec<(u64, u64, CellRef)>,
    /// Problems, each with its cell; values resolved later.
    problems: Vec<(CellRef, Problem)>,
    /// Formula cells: the formula text.
    pub formulas: BTreeMap<CellRef, String>,
    /// The cells' values as calamine would read them, when asked for.
    pub values: Option<SheetCells>,
}

#[derive(Clone)]
enum Problem {
    BadIndex(String),
    Duplicate(Value, Value),
}

/// A `<c>` element being read.
struct Open {
    at: CellRef,
    start: u64,
    shared: bool,
    child: Option<&'static str>,
    v: CompactString,
    inline: CompactString,
    formula: Option<String>,
}

/// Scans one sheet part: every cell's position (as calamine computes it),
/// its shared-string index against `strings` entries, duplicates, formulas.
/// With `refs` (the part's name), also checks its references as
/// [`prescan::xlsx_part`] does, in the same pass: the part is inflated and
/// parsed once for both. With `values`, also reads the cells' values
/// ([`SheetCells`]) in the same pass.
pub(crate) fn scan_part<R: Read>(
    xml: R,
    strings: u64,
    refs: Option<&str>,
    values: Option<SheetCells>,
) -> Result<PartScan, ReadFailure> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(xml));
    prescan::as_calamine_reads(&mut reader);
    scan_events(Streamed(reader), strings, refs, values)
}

/// [`scan_part`] of a part held whole in memory: its events borrow from
/// it rather than being copied into a buffer one by one.
pub(crate) fn scan_slice(
    xml: &[u8],
    strings: u64,
    refs: Option<&str>,
    values: Option<SheetCells>,
) -> Result<PartScan, ReadFailure> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    prescan::as_calamine_reads(&mut reader);
    scan_events(InMemory(reader), strings, refs, values)
}

/// Where a scan's events come from; `'i` is the input's lifetime.
trait XmlEvents<'i> {
    /// The next event; `buf` holds it where it is copied.
    fn next<'s>(&mut self, buf: &'s mut Vec<u8>) -> quick_xml::Result<Event<'s>>
    where
        'i: 's;
    /// The byte the next event begins at.
    fn position(&self) -> u64;
}

/// A part streamed (from the zip).
struct Streamed<R: Read>(quick_xml::Reader<BufReader<R>>);
/// A part in memory.
struct InMemory<'a>(quick_xml::Reader<&'a [u8]>);

impl<'i, R: Read> XmlEvents<'i> for Streamed<R> {
    fn next<'s>(&mut self, buf: &'s mut Vec<u8>) -> quick_xml::Result<Event<'s>>
    where
        'i: 's,
    {
        self.0.read_event_into(buf)
    }
    fn position(&self) -> u64 {
        self.0.buffer_position()
    }
}

impl<'i> XmlEvents<'i> for InMemory<'i> {
    fn next<'s>(&mut self, _: &'s mut Vec<u8>) -> quick_xml::Result<Event<'s>>
    where
        'i: 's,
    {
        self.0.read_event()
    }
    fn position(&self) -> u64 {
        self.0.buffer_position()
    }
}

fn scan_events<'i>(
    mut reader: impl XmlEvents<'i>,
    strings: u64,
    refs: Option<&str>,
    values: Option<SheetCells>,
) -> Result<PartScan, ReadFailure> {
    let mut scan = PartScan {
        values,
        ..PartScan::default()
    };
    let mut seen = SeenCells::default();
    let (mut row, mut col) = (0u32, 0u32);
    let mut open: Option<Open> = None;
    let mut buf = Vec::new();
    loop {
        let start = reader.position();
        let ev = match reader.next(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(ev) => ev,
        };
        // Each element's local name, found once for every check below.
        let name = match &ev {
            Event::Start(e) | Event::Empty(e) => e.name().0,
            Event::End(e) => e.name().0,
            _ => "",
        };
        let local = prescan::local(name);
        if let Some(values) = scan.values.as_mut() {
            values.event(&ev, name, local);
        }
        if let (Some(part), Event::Start(e) | Event::Empty(e)) = (refs, &ev) {
            // A cell's reference is checked by open_cell, which reads it anyway.
            if local != "c" {
                prescan::refs(part, e)?;
            }
        }
        match ev {
            Event::Start(e) | Event::Empty(e) if local == "row" => {
                if let Some(r) = attr(&e, "r").and_then(|r| r.trim().parse::<u32>().ok()) {
                    row = r.saturating_sub(1);
                }
                col = 0;
            }
            Event::Start(ref e) | Event::Empty(ref e) if local == "c" => {
                let empty = matches!(ev, Event::Empty(_));
                let values = scan.values.as_mut();
                let c = open_cell(e, start, CellRef::new(row, col), refs, values, empty)?;
                (row, col) = (c.at.row, c.at.col.saturating_add(1));
                if empty {
                    close(&mut scan, &mut seen, c, reader.position(), strings);
                } else {
                    open = Some(c);
                }
            }
            Event::Start(_) => {
                if let Some(c) = open.as_mut() {
                    c.child = match local {
                        "v" => Some("v"),
                        "t" => Some("t"),
                        "f" => {
                            c.formula.get_or_insert_with(String::new);
                            Some("f")
                        }
                        _ => c.child,
                    };
                }
            }
            Event::Text(t) if open.is_some() => push_text(open.as_mut(), &t.xml10_content()),
            Event::GeneralRef(r) => {
                let ch = r.resolve_char_ref().ok().flatten().map(String::from);
                let text = ch.unwrap_or_else(|| super::props::entity(&r).to_string());
                push_text(open.as_mut(), &text);
            }
            Event::End(_) if local == "c" => {
                if let Some(c) = open.take() {
                    close(&mut scan, &mut seen, c, reader.position(), strings);
                }
            }
            Event::End(_) => {
                if let Some(c) = open.as_mut() {
                    c.child = None;
                }
            }
            _ => {}
        }
        buf.clear();
    }
    if let Some(values) = scan.values.as_mut() {
        values.stopped();
    }
    Ok(scan)
}

/// A `<c>` element opens at byte `start`: its reference (`next` when it has
/// none, as calamine counts) and whether it holds a shared string, read in
/// one pass over its attributes (the first of each name counts, as in
/// [`attr`]). With `refs`, the reference is checked as [`prescan::refs`] does.
/// With `values`, the same pass gathers the attributes as calamine reads
/// them, and the cell (`empty` when it is `<c/>`) is opened there.
fn open_cell(
    e: &BytesStart<'_>,
    start: u64,
    next: CellRef,
    refs: Option<&str>,
    values: Option<&mut SheetCells>,
    empty: bool,
) -> Result<Open, ReadFailure> {
    let mut raw = values.is_some().then(CellAttrs::default);
    let (r, t) = cell_attrs(e, raw.as_mut());
    let plain = r.as_deref().and_then(prescan::plain_a1);
    if let (Some(part), None) = (refs, plain) {
        prescan::cell_ref(part, r.as_deref())?;
    }
    if let (Some(values), Some(raw)) = (values, raw) {
        values.cell(raw, start, empty);
    }
    Ok(Open {
        at: plain
            .or_else(|| r.and_then(|r| CellRef::parse(&r)))
            .unwrap_or(next),
        start,
        shared: t.as_deref() == Some("s"),
        child: None,
        v: CompactString::default(),
        inline: CompactString::default(),
        formula: None,
    })
}

/// The `r` and `t` of a `<c>` (the first of each local name, normalised),
/// its attributes handed to `raw` in order as they are read.
fn cell_attrs<'e>(
    e: &'e BytesStart<'_>,
    mut raw: Option<&mut CellAttrs>,
) -> (Option<Cow<'e, str>>, Option<Cow<'e, str>>) {
    let (mut r, mut t) = (None, None);
    if let Some((attrs, n)) = plain_attrs(e.attributes_raw()) {
        for &(key, value) in &attrs[..n] {
            if let Some(raw) = raw.as_deref_mut() {
                raw.attr(key, value);
            }
            let slot = match key {
                "r" => &mut r,
                "t" => &mut t,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(Some(Cow::Borrowed(value)));
            }
        }
        return (r.flatten(), t.flatten());
    }
    for a in e.attributes().with_checks(false) {
        let Ok(a) = a else {
            raw.as_deref_mut().map(CellAttrs::malformed);
            continue;
        };
        if let Some(raw) = raw.as_deref_mut() {
            raw.attr(a.key.as_ref(), &a.value);
        }
        let slot = match prescan::local(a.key.0) {
            "r" => &mut r,
            "t" => &mut t,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok());
        }
    }
    (r.flatten(), t.flatten())
}

/// At most this many attributes are read the plain way ([`plain_attrs`]);
/// a `<c>` has up to six (r, s, t, cm, vm, ph).
const PLAIN_ATTRS: usize = 6;

/// The attributes of a start tag (after its name) written plainly, as
/// (name, value), when there are at most [`PLAIN_ATTRS`]; None for any
/// other tag, which quick_xml reads ([`each_plain_attr`]).
fn plain_attrs(raw: &str) -> Option<([(&str, &str); PLAIN_ATTRS], usize)> {
    let (mut out, mut n, mut room) = ([("", ""); PLAIN_ATTRS], 0, true);
    let plain = each_plain_attr(raw, |key, value| match out.get_mut(n) {
        Some(slot) => {
            *slot = (key, value);
            n += 1;
        }
        None => room = false,
    });
    (plain && room).then_some((out, n))
}

/// Whether the attributes of a start tag (after its name) are written
/// plainly ([`each_plain_attr`]): then they are well formed and hold no `&`.
pub(crate) fn plain(raw: &str) -> bool {
    each_plain_attr(raw, |_, _| {})
}

/// Calls `f` with each attribute (name, value) of a start tag (after its
/// name) while it is written plainly: each a space or more, a name of ASCII
/// letters, `="`, a value of printable ASCII without quotes, `&` or `<`,
/// and `"`; spaces may end the tag. quick_xml's reader gives the same names
/// and values for these, and none needs normalising or unescaping. Returns
/// whether the whole tag is plain; for any other, quick_xml reads it. Its
/// reader was about 3 % of a read.
fn each_plain_attr<'r>(raw: &'r str, mut f: impl FnMut(&'r str, &'r str)) -> bool {
    let b = raw.as_bytes();
    let mut i = 0;
    loop {
        let spaces = i;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        if i == b.len() {
            return true;
        }
        let key = i;
        while b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
        if key == spaces || i == key || b.get(i..i + 2) != Some(b"=\"") {
            return false;
        }
        let value = i + 2;
        i = value;
        while let Some(&c) = b.get(i).filter(|&&c| c != b'"') {
            if !c.is_ascii_graphic() || matches!(c, b'&' | b'<' | b'\'') {
                return false;
            }
            i += 1;
        }
        if i == b.len() {
            return false;
        }
        f(&raw[key..value - 2], &raw[value..i]);
        i += 1;
    }
}

fn push_text(open: Option<&mut Open>, text: &str) {
    if let Some(c) = open {
        match c.child {
            Some("v") => c.v.push_str(text),
            Some("t") => c.inline.push_str(text),
            Some("f") => c.formula.get_or_insert_with(String::new).push_str(text),
            _ => {}
        }
    }
}

/// A cell element ends: checks its index, its position, its formula.
fn close(scan: &mut PartScan, seen: &mut SeenCells, c: Open, end: u64, strings: u64) {
    if c.shared && c.v.trim().parse::<u64>().map_or(true, |i| i >= strings) {
        scan.problems
            .push((c.at, Problem::BadIndex(c.v.trim().to_string())));
        scan.blank.push((c.start, end, c.at));
    }
    // Every cell's value is kept (moved, not copied) in case a later cell
    // repeats its reference and the finding quotes both.
    let value = if c.shared {
        Value::Shared(trimmed(c.v))
    } else if c.inline.is_empty() {
        Value::Text(c.v)
    } else {
        Value::Text(c.inline)
    };
    if let Some(f) = c.formula {
        scan.formulas.insert(c.at, f);
    }
    let this = Seen {
        start: c.start,
        end,
        value,
    };
    if let Some(first) = seen.get(&c.at) {
        scan.problems.push((
            c.at,
            Problem::Duplicate(first.value.clone(), this.value.clone()),
        ));
        scan.blank.push((first.start, first.end, c.at));
        scan.blank.push((this.start, this.end, c.at));
    }
    seen.insert(c.at, this);
}

/// `s` without surrounding white space, reusing it when it has none.
fn trimmed(s: CompactString) -> CompactString {
    if s.trim().len() == s.len() {
        s
    } else {
        CompactString::from(s.trim())
    }
}

/// The number of entries of `xl/sharedStrings.xml`, and the text of the
/// entries in `wanted`.
pub(crate) fn shared_strings<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    wanted: &BTreeSet<u64>,
) -> (u64, BTreeMap<u64, String>) {
    if wanted.is_empty() {
        if let Some(n) = quick_count(zip) {
            return (n, BTreeMap::new());
        }
    }
    let Ok(entry) = zip.by_name("xl/sharedStrings.xml") else {
        return (0, BTreeMap::new());
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(entry));
    let (mut n, mut texts, mut in_t) = (0u64, BTreeMap::new(), false);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "si" => n += 1,
            Ok(Event::Empty(e)) if e.local_name().as_ref() == "si" => n += 1,
            Ok(Event::Start(e)) => in_t = e.local_name().as_ref() == "t",
            Ok(Event::End(_)) => in_t = false,
            Ok(Event::Text(t)) if in_t && n > 0 && wanted.contains(&(n - 1)) => {
                let s: &mut String = texts.entry(n - 1).or_default();
                s.push_str(&t.xml10_content());
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    (n, texts)
}

/// Tables larger than this are only parsed, never read whole into memory.
const QUICK_COUNT_MAX: u64 = 8 << 20;

/// The number of entries of `xl/sharedStrings.xml` by [`sst_count`], when
/// the table is small and inflates to exactly its declared size; `None`
/// when it must be parsed.
fn quick_count<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Option<u64> {
    let entry = zip.by_name("xl/sharedStrings.xml").ok()?;
    let size = entry.size();
    if size > QUICK_COUNT_MAX {
        return None;
    }
    let mut xml = Vec::with_capacity(usize::try_from(size).ok()?);
    entry.take(size + 1).read_to_end(&mut xml).ok()?;
    if xml.len() as u64 != size {
        return None;
    }
    sst_count::count(&xml)
}

impl PartScan {
    /// Shared-string indices whose text the findings quote.
    pub(crate) fn wanted(&self) -> BTreeSet<u64> {
        let idx = |v: &Value| match v {
            Value::Shared(i) => i.parse().ok(),
            Value::Text(_) => None,
        };
        self.problems
            .iter()
            .filter_map(|(_, p)| match p {
                Problem::Duplicate(a, b) => Some([idx(a), idx(b)]),
                Problem::BadIndex(_) => None,
            })
            .flatten()
            .flatten()
            .collect()
    }

    /// The problems as doubts on `sheet`, values quoted.
    pub(crate) fn doubts(
        &self,
        sheet: &str,
        strings: u64,
        texts: &BTreeMap<u64, String>,
    ) -> Vec<Doubt> {
        let show = |v: &Value| match v {
            Value::Text(t) => format!("\"{t}\""),
            Value::Shared(i) => match i.parse::<u64>().ok().and_then(|i| texts.get(&i)) {
                Some(t) => format!("\"{t}\""),
                None => format!("delad text nr {i}, som inte finns"),
            },
        };
        self.problems
            .iter()
            .map(|(at, p)| match p {
                Problem::BadIndex(i) => Doubt::cell(
                    FindingCode::UnreadableCell,
                    sheet,
                    *at,
                    format!(
                        "Cellen {at} kunde inte läsas: den pekar på delad text nr \"{i}\", men filens texttabell har {strings} texter (nr 0–{}). Filen är skadad; cellens värde har inte förts in. Skriv in värdet igen i Excel och skicka filen på nytt",
                        strings.saturating_sub(1)
                    ),
                ),
                Problem::Duplicate(a, b) => Doubt::cell(
                    FindingCode::DuplicateCell,
                    sheet,
                    *at,
                    format!(
                        "Cellen {at} finns två gånger i filen, med {} och {}; ingen av dem har förts in. Filen är skadad: öppna den i Excel, kontrollera cellen, spara och skicka igen",
                        show(a),
                        show(b)
                    ),
                ),
            })
            .collect()
    }
}

/// The package with the cells of `blank` (part → ranges) emptied: each
/// `<c>` element becomes `<c r="…"/>`, keeping the position of the cells
/// after it. Other parts are copied as they are.
pub(crate) fn blank_cells(
    bytes: &[u8],
    blank: &BTreeMap<String, Vec<(u64, u64, CellRef)>>,
) -> Result<Vec<u8>, ReadFailure> {
    let failed =
        |e: &dyn std::fmt::Display| ReadFailure::unreadable(format!("filen är trasig ({e})"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| failed(&e))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| failed(&e))?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let Some(ranges) = blank.get(&name) else {
            drop(entry);
            let raw = zip.by_index_raw(i).map_err(|e| failed(&e))?;
            out.raw_copy_file(raw).map_err(|e| failed(&e))?;
            continue;
        };
        let mut xml = Vec::new();
        entry.read_to_end(&mut xml).map_err(|e| failed(&e))?;
        let mut ranges = ranges.clone();
        ranges.sort();
        ranges.dedup();
        let mut patched = Vec::with_capacity(xml.len());
        let mut at = 0usize;
        for (start, end, cell) in ranges {
            let (start, end) = (start as usize, end as usize);
            if start < at || end > xml.len() {
                continue;
            }
            patched.extend_from_slice(&xml[at..start]);
            patched.extend_from_slice(format!("<c r=\"{cell}\"/>").as_bytes());
            at = end;
        }
        patched.extend_from_slice(&xml[at..]);
        // As the part was: deflated in the file, stored in a stored copy.
        let opts = zip::write::SimpleFileOptions::default().compression_method(entry.compression());
        out.start_file(name.as_str(), opts)
            .map_err(|e| failed(&e))?;
        out.write_all(&patched).map_err(|e| failed(&e))?;
    }
    Ok(out.finish().map_err(|e| failed(&e))?.into_inner())
}

impl PartScan {
    /// The ranges to blank, when any.
    pub(crate) fn blanks(&self) -> &[(u64, u64, CellRef)] {
        &self.blank
    }
}

/// The workbook's sheets as (name, part), from `xl/workbook.xml` and its
/// relationships; sheets whose part cannot be found are left out.
/// `copy` as for [`super::onepass::in_copy`].
pub(crate) fn sheet_parts<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    copy: Option<&[u8]>,
) -> Vec<(String, String)> {
    let mut rels: HashMap<String, String> = HashMap::new();
    each_element(zip, copy, "xl/_rels/workbook.xml.rels", |e| {
        if let (Some(id), Some(target)) = (attr(e, "Id"), attr(e, "Target")) {
            let part = match target.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("xl/{target}"),
            };
            rels.insert(id.into_owned(), part);
        }
    });
    let mut sheets = Vec::new();
    each_element(zip, copy, "xl/workbook.xml", |e| {
        if e.local_name().as_ref() == "sheet" {
            if let (Some(name), Some(id)) = (attr(e, "name"), attr(e, "id")) {
                if let Some(part) = rels.get(id.as_ref()) {
                    sheets.push((name.into_owned(), part.clone()));
                }
            }
        }
    });
    sheets
}

/// Calls `f` with each start or empty element of a part (its first MiB).
fn each_element<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    copy: Option<&[u8]>,
    part: &str,
    mut f: impl FnMut(&BytesStart<'_>),
) {
    let Ok(entry) = zip.by_name(part) else { return };
    if let Some(xml) = super::onepass::in_copy(&entry, copy) {
        let xml = &xml[..xml.len().min(1 << 20)];
        return elements(quick_xml::Reader::from_reader(xml), &mut f);
    }
    let reader = quick_xml::Reader::from_reader(BufReader::new(entry.take(1 << 20)));
    elements(reader, &mut f);
}

/// Calls `f` with each start or empty element `reader` reads, to the end
/// or the first error.
fn elements<R: std::io::BufRead>(
    mut reader: quick_xml::Reader<R>,
    f: &mut impl FnMut(&BytesStart<'_>),
) {
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => f(&e),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The references the scan reports as repeated, in the order found.
    fn repeated(rows: &[&[(&str, &str)]]) -> Vec<String> {
        let rows: String = rows
            .iter()
            .enumerate()
            .map(|(i, cells)| {
                let cells: String = cells
                    .iter()
                    .map(|(at, v)| format!(r#"<c r="{at}"><v>{v}</v></c>"#))
                    .collect();
                format!(r#"<row r="{}">{cells}</row>"#, i + 1)
            })
            .collect();
        let xml = format!("<worksheet><sheetData>{rows}</sheetData></worksheet>");
        let scan = scan_part(xml.as_bytes(), 0, None, None).expect("a readable part");
        scan.problems
            .iter()
            .filter(|(_, p)| matches!(p, Problem::Duplicate(..)))
            .map(|(at, _)| at.to_string())
            .collect()
    }

    #[test]
    fn plain_attributes_read_as_quick_xml_reads_them() {
        for tag in [
            r#"<c r="A1" s="3" t="s">"#,
            r#"<c r="B2"/>"#,
            r#"<c  r="C3"   t="" >"#,
            r#"<c>"#,
            r#"<c r="A1" r="A2" t="n" s="1" cm="1" vm="2"/>"#,
        ] {
            let mut reader = quick_xml::Reader::from_str(tag);
            let (Ok(Event::Start(e)) | Ok(Event::Empty(e))) = reader.read_event() else {
                panic!("{tag}: a start tag");
            };
            let (plain, n) = plain_attrs(e.attributes_raw()).expect(tag);
            let read: Vec<(String, String)> = e
                .attributes()
                .with_checks(false)
                .map(|a| a.expect("well formed"))
                .map(|a| (a.key.0.to_string(), a.value.to_string()))
                .collect();
            let plain: Vec<(String, String)> = plain[..n]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert_eq!(plain, read, "{tag}");
        }
        for raw in [
            r#" r="A&amp;1""#,
            r#" x:r="A1""#,
            r#" r='A1'"#,
            r#" r = "A1""#,
            r#"	r="A1""#,
            r#" r="A 1""#,
            r#" r="A1"s="1""#,
            r#" r="A1"#,
            r#" a="1" b="2" c="3" d="4" e="5" f="6" g="7""#,
        ] {
            assert!(plain_attrs(raw).is_none(), "{raw}");
        }
        // Plain, but more than a cell's attributes: only checked.
        let seven = r#" a="1" b="2" c="3" d="4" e="5" f="6" g="7""#;
        assert!(plain(seven) && plain_attrs(seven).is_none());
        assert!(!plain(r#" a="1&amp;""#));
    }

    #[test]
    fn repeated_references_are_found_in_and_out_of_order() {
        assert!(repeated(&[&[("A1", "1"), ("B1", "2")], &[("A2", "3")]]).is_empty());
        // Right after the first, and after cells in between (out of order).
        assert_eq!(repeated(&[&[("A1", "1"), ("A1", "2")]]), ["A1"]);
        assert_eq!(
            repeated(&[
                &[("A1", "1"), ("B1", "2"), ("C1", "3")],
                &[("A2", "4"), ("B1", "5"), ("A2", "6"), ("D2", "7")],
            ]),
            ["B1", "A2"]
        );
        // A third occurrence is compared with the second.
        assert_eq!(
            repeated(&[&[("A1", "1"), ("A1", "2"), ("A1", "3")]]),
            ["A1", "A1"]
        );
        // Out of order but no repeat.
        assert!(repeated(&[&[("B1", "1"), ("A1", "2"), ("C1", "3")]]).is_empty());
    }
}
