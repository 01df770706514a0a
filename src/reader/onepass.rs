//! The one-pass reading of an ordinary `.xlsx`: the scan of each sheet
//! ([`super::damage::scan_part`]) also reads its cells' values, as
//! calamine 0.38 would, and the workbook, the shared strings and the styles
//! are parsed once here; calamine itself is not run. The scan followed by
//! calamine parsed every sheet and the shared strings twice.
//!
//! Every rule below follows calamine's source (`xlsx/mod.rs`,
//! `xlsx/cells_reader.rs`, `formats.rs`, `utils.rs`) so that a return reads
//! the same either way; `tests/onepass.rs` compares the two on every
//! workbook the test suite can build. Where a file does something these
//! rules do not follow for certain (a value calamine would refuse or read
//! by a rule not copied here, a part name calamine would find another way,
//! a limit reached), the reading is *unsure* and the whole file goes the
//! old way (scans, then calamine): nothing is guessed here.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};

use quick_xml::events::{BytesRef, BytesStart, Event};

use super::damage::PartScan;
use super::{date_text, number_text, CellKind, Limits, RawCell, ReadFailure, Source};

/// calamine's classes of number formats (`formats::CellFormat`).
#[derive(Clone, Copy, PartialEq, Debug)]
enum CellFormat {
    Other,
    DateTime,
    TimeDelta,
}

/// A cell's value as calamine reads it, where the shared strings and the
/// styles are only known after the scan.
#[derive(Clone, Debug)]
enum Pending {
    /// Final text and kind.
    Done(String, CellKind),
    /// Index into the shared strings.
    Shared(usize),
    /// A number with the cell's style index: None when the cell has no `s`
    /// (calamine: never a date), Some even when past the styles (not a date).
    Number(f64, Option<usize>),
}

/// The `t` values calamine knows; any other is kept as `?` and refused
/// where calamine refuses it (when the cell has a `<v>`).
const TYPES: [&str; 8] = ["n", "s", "b", "e", "str", "d", "inlineStr", "is"];

/// The attributes of a `<c>` as calamine reads them (whole names, raw
/// values), gathered in the scan's pass over them.
#[derive(Default)]
pub(crate) struct CellAttrs {
    pos: Option<(u32, u32)>,
    s: Option<usize>,
    t: Option<&'static str>,
    seen: [bool; 3],
    /// Something calamine reads by a rule not copied here.
    odd: bool,
}

impl CellAttrs {
    /// An attribute, in order.
    pub(crate) fn attr(&mut self, key: &str, v: &str) {
        let i = match key {
            "r" => 0,
            "s" => 1,
            "t" => 2,
            // Read by the scan, not by calamine.
            k if k.ends_with(":r") || k.ends_with(":s") || k.ends_with(":t") => {
                self.odd = true;
                return;
            }
            _ => return,
        };
        // A repeated one is read by calamine's own rule; not copied.
        if std::mem::replace(&mut self.seen[i], true) {
            self.odd = true;
            return;
        }
        match i {
            0 => self.pos = get_row_column(v),
            1 if (1..=9).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) => {
                self.s = v.parse().ok();
            }
            1 => {}
            _ => self.t = Some(TYPES.iter().find(|k| **k == v).unwrap_or(&"?")),
        }
        self.odd |= (i == 0 && self.pos.is_none()) || (i == 1 && self.s.is_none());
    }

    /// An attribute that is not well formed (calamine refuses it).
    pub(crate) fn malformed(&mut self) {
        self.odd = true;
    }
}

/// A cell being read, with calamine's view of it.
#[derive(Clone, Copy, Debug)]
struct OpenCell {
    start: u64,
    row: u32,
    col: u32,
    t: Option<&'static str>,
    s: Option<usize>,
    child: Child,
}

/// The child of a `<c>` being read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Child {
    None,
    /// `<v>`, with the number of events read in it so far.
    V(u32),
    /// `<f>`, or `<v>` of an inline string: read as empty.
    Skip,
    /// `<is>`, read by [`SheetCells::string`].
    Is,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Phase {
    /// Before `<sheetData>`.
    #[default]
    Before,
    In,
    /// After `</sheetData>`: calamine reads no further.
    After,
}

/// What the scan of one sheet read of its cells, as calamine would.
#[derive(Clone, Debug, Default)]
pub(crate) struct SheetCells {
    max_cells: usize,
    /// (start of the `<c>` element, row, col, value), non-empty values only.
    cells: Vec<(u64, u32, u32, Pending)>,
    /// Something was met that is not followed here.
    unsure: bool,
    /// A cell without `r` was met (its position is counted).
    rless: bool,
    phase: Phase,
    row: u32,
    col: u32,
    cell: Option<OpenCell>,
    /// The value of the open cell's last child (calamine keeps the last);
    /// None is empty.
    value: Option<Pending>,
    /// The raw text of a `<v>`'s first event, and its whole text with
    /// entities resolved (calamine reads one or the other by type).
    raw: String,
    text: String,
    string: StrReader,
}

impl SheetCells {
    /// Reads at most `limits.max_cells` non-empty cells; more make it unsure.
    pub(crate) fn new(limits: &Limits) -> SheetCells {
        SheetCells {
            max_cells: limits.max_cells,
            ..SheetCells::default()
        }
    }

    /// The scan met `ev`. A `<c>` is opened by [`SheetCells::cell`]
    /// instead, from the scan's own pass over its attributes.
    /// `name` and `local` are an element's name and local name.
    pub(crate) fn event(&mut self, ev: &Event<'_>, name: &str, local: &str) {
        if self.unsure || self.phase == Phase::After {
            return;
        }
        if matches!(ev, Event::Start(_) | Event::Empty(_)) && local == "c" {
            return;
        }
        let child = self.cell.map(|c| c.child);
        let ok = match ev {
            Event::Start(e) => self.start(e, local),
            // calamine's reader expands `<a/>` into `<a></a>`.
            Event::Empty(e) => self.start(e, local).and_then(|()| self.end(name, local)),
            Event::End(_) => self.end(name, local),
            Event::Text(t) => match child {
                Some(Child::V(n)) => {
                    if n == 0 {
                        self.raw.push_str(t.as_ref());
                    }
                    self.text.push_str(&t.xml10_content());
                    self.bump()
                }
                Some(Child::Is) => {
                    self.string.text(&t.xml10_content());
                    Some(())
                }
                _ => Some(()),
            },
            Event::GeneralRef(r) => match child {
                // An entity first in a number, index or truth value: calamine
                // reads it as empty; not copied.
                Some(Child::V(0)) => None,
                Some(Child::V(_)) => entity(r).and_then(|ch| {
                    self.text.push_str(&ch);
                    self.bump()
                }),
                Some(Child::Is) => self.string.entity(r),
                _ => Some(()),
            },
            Event::CData(t) => match child {
                Some(Child::Is) => {
                    self.string.text(&t.xml10_content());
                    Some(())
                }
                // calamine reads a value holding one by rules not copied here.
                Some(Child::V(_)) => None,
                _ => Some(()),
            },
            Event::Eof => None,
            // A comment or instruction inside a value: as for CDATA.
            _ => match child {
                Some(Child::V(_)) => None,
                _ => Some(()),
            },
        };
        if ok.is_none() {
            self.unsure = true;
        }
    }

    /// One more event inside a `<v>`.
    fn bump(&mut self) -> Option<()> {
        let cell = self.cell.as_mut()?;
        if let Child::V(n) = &mut cell.child {
            *n += 1;
        }
        Some(())
    }

    /// The scan stopped on an XML error, or at the end of the part.
    pub(crate) fn stopped(&mut self) {
        if self.phase != Phase::After {
            self.unsure = true;
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, local: &str) -> Option<()> {
        if let Some(cell) = self.cell {
            return self.child_start(cell, e, local);
        }
        match (self.phase, local) {
            (Phase::Before, "dimension") => dimension(&raw_attr(e, "ref")??),
            (Phase::Before, "sheetData") => {
                self.phase = Phase::In;
                Some(())
            }
            (Phase::In, "row") => {
                // calamine's raw_attr("r"): the first, or a malformed one before it.
                for a in e.attributes().with_checks(false) {
                    let a = a.ok()?;
                    if a.key.as_ref() == "r" {
                        self.row = row_and_col(&a.value)?.0;
                        break;
                    }
                }
                Some(())
            }
            _ => Some(()),
        }
    }

    /// A `<c>` (`<c/>` when `empty`) begins at byte `at`, with `attrs`.
    pub(crate) fn cell(&mut self, attrs: CellAttrs, at: u64, empty: bool) {
        if self.unsure || self.phase != Phase::In {
            // calamine reads no cell before `<sheetData>`.
            return;
        }
        let ok = match self.cell {
            // Inside a cell, calamine refuses a `<c>`.
            Some(_) => None,
            None => self.open(attrs, at),
        };
        let ok = match (ok, empty) {
            (Some(()), true) => self.end("c", "c"),
            (ok, _) => ok,
        };
        if ok.is_none() {
            self.unsure = true;
        }
    }

    /// A `<c>` opens: its position as calamine counts it, its type and style.
    fn open(&mut self, attrs: CellAttrs, at: u64) -> Option<()> {
        if attrs.odd {
            return None;
        }
        let (row, col) = attrs.pos.unwrap_or_else(|| {
            self.rless = true;
            (self.row, self.col)
        });
        self.cell = Some(OpenCell {
            start: at,
            row,
            col,
            t: attrs.t,
            s: attrs.s,
            child: Child::None,
        });
        self.value = None;
        Some(())
    }

    /// A child of the open `cell` starts.
    fn child_start(&mut self, cell: OpenCell, e: &BytesStart<'_>, local: &str) -> Option<()> {
        let child = match (cell.child, local) {
            (Child::Is, _) => return self.string.start(e),
            (Child::None, "is") => {
                self.string.reset(e.name().as_ref());
                Child::Is
            }
            (Child::None, "v") if matches!(cell.t, Some("inlineStr" | "is")) => Child::Skip,
            (Child::None, "v") => {
                self.raw.clear();
                self.text.clear();
                Child::V(0)
            }
            (Child::None, "f") => Child::Skip,
            // Any other child is an error to calamine; an element inside a
            // value or formula is read by rules not copied here.
            _ => return None,
        };
        self.cell = Some(OpenCell { child, ..cell });
        Some(())
    }

    fn end(&mut self, name: &str, local: &str) -> Option<()> {
        let Some(cell) = self.cell else {
            match (self.phase, local) {
                (Phase::In, "row") => {
                    self.row = self.row.checked_add(1)?;
                    self.col = 0;
                }
                (Phase::In, "sheetData") => self.phase = Phase::After,
                _ => {}
            }
            return Some(());
        };
        let mut child = Child::None;
        match cell.child {
            Child::None if local == "c" => return self.close(cell),
            Child::None => {}
            Child::Skip => self.value = None,
            Child::V(n) => self.value = v(&cell, &self.raw, n, &self.text)?,
            Child::Is => match self.string.end(name, local)? {
                Some(text) if text.is_empty() => self.value = None,
                Some(text) => self.value = Some(Pending::Done(text, CellKind::Text)),
                None => child = Child::Is,
            },
        }
        self.cell = Some(OpenCell { child, ..cell });
        Some(())
    }

    /// The open cell ends: calamine counts the next one after it.
    fn close(&mut self, cell: OpenCell) -> Option<()> {
        self.cell = None;
        self.col = cell.col.saturating_add(1);
        if let Some(v) = self.value.take() {
            self.cells.push((cell.start, cell.row, cell.col, v));
            if self.cells.len() > self.max_cells {
                return None;
            }
        }
        Some(())
    }

    /// The cells of the sheet, with the ones that start at a byte of
    /// `blanked` left out (the scan's doubts: they are not read), strings
    /// and dates resolved; None when unsure or past the limits.
    fn resolve(
        self,
        blanked: &HashSet<u64>,
        strings: &mut Strings,
        formats: &[CellFormat],
        limits: &Limits,
    ) -> Option<Vec<RawCell>> {
        // The old way writes the blanked cell's reference into the file,
        // where calamine counts the position of a cell without one.
        if self.unsure || (self.rless && !blanked.is_empty()) {
            return None;
        }
        let mut out = Vec::with_capacity(self.cells.len());
        let mut bytes = 0usize;
        for (start, row, col, value) in self.cells {
            if blanked.contains(&start) {
                continue;
            }
            let (text, kind) = match value {
                Pending::Done(text, kind) => (text, kind),
                Pending::Shared(i) => match strings.take(i)? {
                    s if s.is_empty() => continue,
                    s => (s, CellKind::Text),
                },
                Pending::Number(f, style) => {
                    let format = style.map_or(Some(&CellFormat::Other), |i| formats.get(i));
                    match format {
                        Some(CellFormat::DateTime | CellFormat::TimeDelta) => {
                            (date_text(f), CellKind::Date)
                        }
                        _ => (number_text(f), CellKind::Number),
                    }
                }
            };
            bytes += text.len();
            if bytes > limits.max_text_bytes || out.len() >= limits.max_cells {
                return None;
            }
            out.push(RawCell {
                row,
                col,
                text,
                kind,
            });
        }
        Some(out)
    }
}

/// The shared strings, each with the number of cells still to show it.
struct Strings {
    texts: Vec<String>,
    uses: Vec<u32>,
}

impl Strings {
    /// String `i` for a cell: moved out for the last cell that shows it
    /// (most strings are shown once), copied for the others.
    fn take(&mut self, i: usize) -> Option<String> {
        let (text, uses) = (self.texts.get_mut(i)?, self.uses.get_mut(i)?);
        *uses = uses.saturating_sub(1);
        Some(match uses {
            0 => std::mem::take(text),
            _ => text.clone(),
        })
    }
}

/// calamine's `read_value` of a `<v>` of `cell` and `read_v`, from the raw
/// text of its first event or its whole text: Some(None) is empty.
fn v(cell: &OpenCell, raw: &str, events: u32, text: &str) -> Option<Option<Pending>> {
    let v = match cell.t {
        // Read from the raw text of the first event only.
        Some("n" | "s" | "b" | "e") | None => match events {
            0 => return Some(None),
            1 => raw,
            _ => return None,
        },
        _ => text,
    };
    let done = |text: String, kind| Some((!text.is_empty()).then_some(Pending::Done(text, kind)));
    match cell.t {
        Some("s") if v.is_empty() => Some(None),
        Some("s") if v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit()) => {
            Some(Some(Pending::Shared(v.parse().ok()?)))
        }
        Some("b") => match v.trim() {
            "" => Some(None),
            b if b == "0" || b.eq_ignore_ascii_case("false") => {
                done("FALSKT".into(), CellKind::Bool)
            }
            b if b == "1" || b.eq_ignore_ascii_case("true") => done("SANT".into(), CellKind::Bool),
            _ => None,
        },
        Some("d") => done(v.to_string(), CellKind::Date),
        Some("e") => {
            let e: calamine::CellErrorType = v.parse().ok()?;
            done(e.to_string(), CellKind::Error)
        }
        Some("str") => done(unescape_xml(v), CellKind::Text),
        Some("n") | None if v.is_empty() => Some(None),
        Some("n") | None if plain_number(v) => Some(Some(Pending::Number(v.parse().ok()?, cell.s))),
        // Text in an untyped value, an unknown type, an odd index.
        _ => None,
    }
}

/// A number as Excel writes one: sign, digits, decimals, exponent. calamine
/// parses with fast-float2 and Rust's parser is as exact, for these; other
/// spellings (`inf`, `.5`, `1e`) are left to calamine.
fn plain_number(v: &str) -> bool {
    let b = v.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    if v.len() > 64 || !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// calamine's `read_string_with_bufs`: the text of an `<si>` or `<is>`,
/// rich-text runs joined, phonetic runs left out, white space trimmed
/// unless `xml:space="preserve"`, `_xHHHH_` escapes resolved. One reader
/// is reused for every string of a part (its buffers with it).
#[derive(Clone, Debug, Default)]
struct StrReader {
    closing: String,
    rich: Option<String>,
    phonetic: bool,
    /// The `<t>` being read: its name, whether it keeps its spaces, its text.
    in_t: bool,
    t: String,
    preserve: bool,
    value: String,
}

impl StrReader {
    /// Starts reading a string whose element is named `closing`.
    fn reset(&mut self, closing: &str) {
        self.closing.clear();
        self.closing.push_str(closing);
        self.rich = None;
        self.phonetic = false;
        self.in_t = false;
    }

    fn start(&mut self, e: &BytesStart<'_>) -> Option<()> {
        let name = e.name().0;
        let local = super::prescan::local(name);
        // The same element inside itself ends where calamine's reader and
        // the scan's would not agree.
        if name == self.closing || (self.in_t && local == "t") {
            return None;
        }
        if self.in_t {
            return Some(());
        }
        match local {
            "r" if self.rich.is_none() => self.rich = Some(String::new()),
            "rPh" => self.phonetic = true,
            "t" if !self.phonetic => {
                self.preserve = false;
                for a in e.attributes().with_checks(false) {
                    let a = a.ok()?;
                    if a.key.as_ref() == "xml:space" {
                        self.preserve = a.value == "preserve";
                        break;
                    }
                }
                self.in_t = true;
                self.t.clear();
                self.t.push_str(name);
                self.value.clear();
            }
            _ => {}
        }
        Some(())
    }

    /// An element ends; Some(Some(text)) when it is the string's own.
    fn end(&mut self, name: &str, local: &str) -> Option<Option<String>> {
        if self.in_t {
            if name == self.t {
                let value = if self.preserve {
                    unescape_xml(&self.value)
                } else {
                    unescape_xml(self.value.trim_matches([' ', '\t', '\r', '\n']))
                };
                match &mut self.rich {
                    Some(s) => s.push_str(&value),
                    None => self.rich = Some(value),
                }
                self.in_t = false;
            }
            return Some(None);
        }
        if name == self.closing {
            return Some(Some(self.rich.take().unwrap_or_default()));
        }
        if local == "rPh" {
            self.phonetic = false;
        }
        Some(None)
    }

    fn text(&mut self, text: &str) {
        if self.in_t {
            self.value.push_str(text);
        }
    }

    fn entity(&mut self, r: &BytesRef<'_>) -> Option<()> {
        if self.in_t {
            self.value.push_str(&entity(r)?);
        }
        Some(())
    }
}

/// calamine's `unescape_entity_to_buffer`: the five XML entities and
/// character references; None for any other (calamine refuses the file).
fn entity(r: &BytesRef<'_>) -> Option<String> {
    match r.as_ref() {
        "lt" => Some("<".into()),
        "gt" => Some(">".into()),
        "amp" => Some("&".into()),
        "apos" => Some("'".into()),
        "quot" => Some("\"".into()),
        _ => r.resolve_char_ref().ok()?.map(String::from),
    }
}

/// calamine's `unescape_xml`: Excel's `_xHHHH_` escapes (UTF-16 code
/// units) resolved, an unpaired surrogate read as U+FFFD.
fn unescape_xml(s: &str) -> String {
    let escape = |i: usize| -> Option<u16> {
        let b = s.as_bytes().get(i..i + 7)?;
        if b[0] != b'_'
            || b[1] != b'x'
            || b[6] != b'_'
            || !b[2..6].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
    };
    let mut out = String::with_capacity(s.len());
    let (mut i, mut copied) = (0, 0);
    while let Some(off) = memchr::memchr(b'_', &s.as_bytes()[i..]) {
        let at = i + off;
        let Some(unit) = escape(at) else {
            i = at + 1;
            continue;
        };
        out.push_str(&s[copied..at]);
        i = at + 7;
        let ch = match unit {
            0xD800..=0xDBFF => match escape(i) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    i += 7;
                    let cp =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    char::from_u32(cp)
                }
                _ => None,
            },
            0xDC00..=0xDFFF => None,
            u => char::from_u32(u32::from(u)),
        };
        out.push(ch.unwrap_or(char::REPLACEMENT_CHARACTER));
        copied = i;
    }
    out.push_str(&s[copied..]);
    out
}

/// calamine's `get_row_and_optional_column`: a zero-based row and
/// column, the column None when `r` has no letters; None where calamine
/// refuses the reference (or its arithmetic would overflow).
fn row_and_col(r: &str) -> Option<(u32, Option<u32>)> {
    let b = r.as_bytes();
    let (mut i, mut col, mut row) = (0, 0u32, 0u32);
    while i < b.len() {
        let letter = match b[i] {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'a'..=b'z' => c - b'a',
            c @ b'0'..=b'9' => {
                row = u32::from(c - b'0');
                i += 1;
                break;
            }
            _ => return None,
        };
        col = col.checked_mul(26)?.checked_add(u32::from(letter) + 1)?;
        i += 1;
    }
    while i < b.len() {
        match b[i] {
            c @ b'0'..=b'9' => row = row.checked_mul(10)?.checked_add(u32::from(c - b'0'))?,
            _ => return None,
        }
        i += 1;
    }
    Some((row.checked_sub(1)?, col.checked_sub(1)))
}

/// calamine's `get_row_column`: a cell reference with both parts.
fn get_row_column(r: &str) -> Option<(u32, u32)> {
    match row_and_col(r)? {
        (row, Some(col)) => Some((row, col)),
        (_, None) => None,
    }
}

/// calamine's `get_dimension`, where it can neither fail nor overflow.
fn dimension(r: &str) -> Option<()> {
    let parts: Vec<(u32, u32)> = r.split(':').map(get_row_column).collect::<Option<_>>()?;
    match parts.as_slice() {
        [_] => Some(()),
        [a, b] if a.0 <= b.0 && a.1 <= b.1 => Some(()),
        _ => None,
    }
}

/// The raw value of attribute `key` (the whole name, as calamine matches
/// it, first occurrence); Some(None) when absent, None when an attribute
/// before it is malformed (calamine fails there too).
fn raw_attr(e: &BytesStart<'_>, key: &str) -> Option<Option<String>> {
    for a in e.attributes().with_checks(false) {
        let a = a.ok()?;
        if a.key.as_ref() == key {
            return Some(Some(a.value.into_owned()));
        }
    }
    Some(None)
}

/// Whether every attribute of `e` is well formed and unescapes; calamine
/// refuses the file on one that is not, where it reads it.
fn sound_attrs(e: &BytesStart<'_>) -> bool {
    // Plainly written attributes hold no `&` and are well formed.
    if super::damage::plain(e.attributes_raw()) {
        return true;
    }
    e.attributes().with_checks(false).all(|a| {
        a.is_ok_and(|a| !a.value.contains('&') || quick_xml::escape::unescape(&a.value).is_ok())
    })
}

/// An `.xlsx` read the one-pass way: calamine's sheet names in its order,
/// and each sheet's cells.
pub(crate) struct OnePass {
    sheets: Vec<String>,
    cells: HashMap<String, Vec<RawCell>>,
}

impl Source for OnePass {
    fn sheet_names(&self) -> Vec<String> {
        self.sheets.clone()
    }

    fn cells(
        &mut self,
        sheet: &str,
        f: &mut dyn FnMut(RawCell) -> bool,
    ) -> Result<(), ReadFailure> {
        // `extract` reads each sheet once (the names are unique), so the
        // cells are handed over rather than copied.
        for c in self.cells.remove(sheet).unwrap_or_default() {
            if !f(c) {
                break;
            }
        }
        Ok(())
    }
}

/// Reads the workbook, the shared strings and the styles of `zip` (the
/// package the scans read, `bytes`) as calamine does, and resolves the
/// cells the scans read; `sheets` are the scans' (name, part), `plain` the
/// shared strings when [`plain_table`] read them, `strings` the number
/// of shared strings the scans counted. None when anything is not followed
/// for certain: the file is then read the old way.
pub(crate) fn assemble<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    sheets: &[(String, String)],
    bytes: &[u8],
    plain: Option<Vec<String>>,
    scans: &mut HashMap<String, PartScan>,
    strings: u64,
    limits: &Limits,
) -> Option<OnePass> {
    // calamine finds parts by a name with `\` read as `/`.
    if zip
        .file_names()
        .any(|n| n.map_or(true, |n| n.contains('\\')))
    {
        return None;
    }
    let target = office_document(&part(zip, bytes, "_rels/.rels")??)?;
    if target != "xl/workbook.xml" && target != "/xl/workbook.xml" {
        return None;
    }
    let rels = relationships(&part(zip, bytes, "xl/_rels/workbook.xml.rels")??)?;
    let listed = workbook_sheets(&part(zip, bytes, "xl/workbook.xml")??, &rels)?;
    let names: HashSet<&str> = listed.iter().map(|(n, _)| n.as_str()).collect();
    if listed != sheets || names.len() != listed.len() {
        return None;
    }
    let strings_read = match (plain, part(zip, bytes, "xl/sharedStrings.xml")?) {
        (Some(plain), _) => plain,
        (None, Some(xml)) => shared_strings(&xml)?,
        (None, None) => Vec::new(),
    };
    if strings_read.len() as u64 != strings {
        return None;
    }
    let formats = match part(zip, bytes, "xl/styles.xml")? {
        Some(xml) => formats(&xml)?,
        None => Vec::new(),
    };
    // How many cells show each shared string: the last one takes it.
    let mut uses = vec![0u32; strings_read.len()];
    for scan in scans.values() {
        for (.., value) in scan.values.iter().flat_map(|v| &v.cells) {
            if let Some(n) = match value {
                Pending::Shared(i) => uses.get_mut(*i),
                _ => None,
            } {
                *n += 1;
            }
        }
    }
    let mut strings = Strings {
        texts: strings_read,
        uses,
    };
    let mut cells = HashMap::new();
    for (name, part) in listed {
        let scan = scans.get_mut(&part)?;
        let blanked: HashSet<u64> = scan.blanks().iter().map(|b| b.0).collect();
        let values = scan.values.take()?;
        cells.insert(
            name,
            values.resolve(&blanked, &mut strings, &formats, limits)?,
        );
    }
    Some(OnePass {
        sheets: sheets.iter().map(|(n, _)| n.clone()).collect(),
        cells,
    })
}

/// The shared strings of a package whose table is plain ([`plain_strings`]);
/// None for any other (or none). Their number is then what the scans'
/// count ([`super::damage::shared_strings`]) would be: a plain table has
/// one `<si>` per entry and nothing else quick_xml or its byte scan could
/// count, so the package's table is not read a second time to count it.
pub(crate) fn plain_table<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    bytes: &[u8],
) -> Option<Vec<String>> {
    plain_strings(&part(zip, bytes, "xl/sharedStrings.xml")??)
}

/// The bytes of a part of the package `bytes` that `zip` reads: Some(None)
/// when there is no such part, None when calamine would find it by another
/// spelling, or it starts with a byte-order mark. A stored part (as in the
/// stored copy, whose checksums were checked as it was made) is borrowed.
fn part<'b, R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    bytes: &'b [u8],
    name: &str,
) -> Option<Option<Cow<'b, [u8]>>> {
    if zip.index_for_name(name).is_none() {
        // calamine finds a part whatever the case of its name.
        let other = zip
            .file_names()
            .any(|n| n.map_or(true, |n| n.eq_ignore_ascii_case(name)));
        return (!other).then_some(None);
    }
    let mut entry = zip.by_name(name).ok()?;
    let xml = match stored(&entry, bytes) {
        Some(xml) => Cow::Borrowed(xml),
        None => {
            let mut xml = Vec::new();
            entry.read_to_end(&mut xml).ok()?;
            Cow::Owned(xml)
        }
    };
    plain_utf8(&xml).then_some(Some(xml))
}

/// The bytes of `entry` of the package `bytes` when it is stored
/// uncompressed (as in the stored copy, whose checksums were checked as it
/// was made); None when it must be read through the zip.
pub(crate) fn stored<'b, R: Read>(
    entry: &zip::read::ZipFile<'_, R>,
    bytes: &'b [u8],
) -> Option<&'b [u8]> {
    if entry.compression() != zip::CompressionMethod::Stored {
        return None;
    }
    let at = usize::try_from(entry.data_start()?).ok()?;
    let size = usize::try_from(entry.size()).ok()?;
    bytes.get(at..at.checked_add(size)?)
}

/// The bytes of `entry` where they lie in `copy`, the stored copy's bytes
/// when the zip reads it (its checksums were checked as it was made, so
/// reading the part through zip again checks nothing new); None when the
/// zip reads the file as it is, or the part is not stored.
pub(crate) fn in_copy<'b, R: Read>(
    entry: &zip::read::ZipFile<'_, R>,
    copy: Option<&'b [u8]>,
) -> Option<&'b [u8]> {
    stored(entry, copy?)
}

/// Whether `xml` starts without a byte-order mark and declares no encoding
/// but UTF-8: quick_xml decodes others, as calamine's reader would.
pub(crate) fn plain_utf8(xml: &[u8]) -> bool {
    let bom = [&b"\xEF\xBB\xBF"[..], b"\xFE\xFF", b"\xFF\xFE"];
    !bom.iter().any(|b| xml.starts_with(b)) && utf8_declared(xml)
}

/// Whether `xml` declares no encoding or UTF-8: quick_xml decodes any
/// other it knows, as calamine's reader would.
fn utf8_declared(xml: &[u8]) -> bool {
    if !xml.starts_with(b"<?xml") {
        return true;
    }
    let Some(end) = memchr::memmem::find(xml, b"?>") else {
        return false;
    };
    let decl = &xml[..end];
    let Some(at) = memchr::memmem::find(decl, b"encoding") else {
        return true;
    };
    let value: Vec<u8> = decl[at + 8..]
        .iter()
        .copied()
        .skip_while(|b| matches!(b, b' ' | b'=' | b'"' | b'\''))
        .take_while(|b| !matches!(b, b'"' | b'\''))
        .collect();
    value.eq_ignore_ascii_case(b"utf-8")
}

/// An event of [`walk`], `<a/>` given as a start and an end.
enum Ev<'a, 'b> {
    Start(&'a BytesStart<'b>),
    /// Name and local name.
    End(&'a str, &'a str),
    /// Text or CDATA, line ends normalised.
    Text(&'a str),
    Ref(&'a BytesRef<'b>),
}

/// Calls `f` with each event of `xml` until it returns Some(true); None on
/// any XML error, a malformed attribute, the end of the part before that,
/// or when `f` returns None.
fn walk(xml: &[u8], mut f: impl FnMut(Ev<'_, '_>) -> Option<bool>) -> Option<()> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    loop {
        let done = match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if !sound_attrs(&e) => return None,
            Event::Start(e) => f(Ev::Start(&e))?,
            Event::Empty(e) => {
                f(Ev::Start(&e))? || f(Ev::End(e.name().as_ref(), e.local_name().as_ref()))?
            }
            Event::End(e) => f(Ev::End(e.name().as_ref(), e.local_name().as_ref()))?,
            Event::Text(t) => f(Ev::Text(&t.xml10_content()))?,
            Event::CData(t) => f(Ev::Text(&t.xml10_content()))?,
            Event::GeneralRef(r) => f(Ev::Ref(&r))?,
            Event::Eof => return None,
            _ => false,
        };
        if done {
            return Some(());
        }
    }
}

/// The raw value of attribute `key` (whole name, first occurrence).
fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.into_owned())
}

/// calamine's `decode_attr`.
fn decoded(raw: &str) -> Option<String> {
    quick_xml::escape::unescape(raw)
        .ok()
        .map(|s| s.into_owned())
}

/// calamine's `read_package_relationships`: the workbook's part.
fn office_document(xml: &[u8]) -> Option<String> {
    let (mut started, mut target) = (false, None);
    walk(xml, |ev| {
        match ev {
            Ev::Start(e) if !started => started = e.local_name().as_ref() == "Relationships",
            Ev::Start(e) if e.local_name().as_ref() == "Relationship" => {
                let office =
                    attr(e, "Type").is_some_and(|t| t.ends_with("/relationships/officeDocument"));
                if let (true, Some(t)) = (office, attr(e, "Target")) {
                    target = Some(decoded(&t)?);
                }
            }
            Ev::End(_, "Relationships") if started => return Some(true),
            _ => {}
        }
        Some(false)
    })?;
    target
}

/// calamine's `read_relationships`: id → (target, type), raw.
fn relationships(xml: &[u8]) -> Option<HashMap<String, (String, String)>> {
    let mut rels = HashMap::new();
    walk(xml, |ev| {
        match ev {
            Ev::Start(e) if e.local_name().as_ref() == "Relationship" => {
                if let Some(id) = attr(e, "Id") {
                    let target = attr(e, "Target").unwrap_or_default();
                    rels.insert(id, (target, attr(e, "Type").unwrap_or_default()));
                }
            }
            Ev::End(_, "Relationships") => return Some(true),
            _ => {}
        }
        Some(false)
    })?;
    Some(rels)
}

/// calamine's `read_workbook`: the sheets as (name, part), worksheets only.
fn workbook_sheets(
    xml: &[u8],
    rels: &HashMap<String, (String, String)>,
) -> Option<Vec<(String, String)>> {
    let mut sheets = Vec::new();
    // A defined name's value is read to its end; an unknown entity in it
    // fails calamine.
    let mut defined: Option<String> = None;
    walk(xml, |ev| {
        if let Some(open) = &defined {
            match ev {
                Ev::Ref(r) => drop(entity(r)?),
                Ev::End(name, _) if name == open => defined = None,
                _ => {}
            }
            return Some(false);
        }
        match ev {
            Ev::Start(e) if e.local_name().as_ref() == "sheet" => sheets.push(sheet(e, rels)?),
            Ev::Start(e)
                if e.local_name().as_ref() == "definedName" && attr(e, "name").is_some() =>
            {
                defined = Some(e.name().as_ref().to_string());
            }
            Ev::End(_, "workbook") => return Some(true),
            _ => {}
        }
        Some(false)
    })?;
    Some(sheets)
}

/// One `<sheet>` of the workbook as calamine reads it: (name, part).
fn sheet(e: &BytesStart<'_>, rels: &HashMap<String, (String, String)>) -> Option<(String, String)> {
    let (mut name, mut id) = (String::new(), String::new());
    for a in e.attributes() {
        let a = a.ok()?;
        match a.key.as_ref() {
            "name" => name = decoded(&a.value)?,
            "state" if !matches!(a.value.as_ref(), "visible" | "hidden" | "veryHidden") => {
                return None
            }
            k if k == "id" || k.ends_with(":id") => id = a.value.into_owned(),
            _ => {}
        }
    }
    let (target, typ) = rels.get(&id)?;
    // Chart and dialog sheets are listed by calamine but have no cells.
    if typ.rsplit('/').next() != Some("worksheet") {
        return None;
    }
    let part = match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("xl/{target}"),
    };
    Some((name, part))
}

/// calamine's `read_shared_strings`: by [`plain_strings`] where the table
/// is a plain one, else by quick_xml events.
fn shared_strings(xml: &[u8]) -> Option<Vec<String>> {
    plain_strings(xml).or_else(|| walked_strings(xml))
}

/// calamine's `read_shared_strings` by quick_xml events.
fn walked_strings(xml: &[u8]) -> Option<Vec<String>> {
    let (mut in_sst, mut in_si, mut out) = (false, false, Vec::new());
    let mut si = StrReader::default();
    walk(xml, |ev| {
        if in_si {
            match ev {
                Ev::Start(e) => si.start(e)?,
                Ev::End(name, local) => {
                    if let Some(text) = si.end(name, local)? {
                        out.push(text);
                        in_si = false;
                    }
                }
                Ev::Text(t) => si.text(t),
                Ev::Ref(r) => si.entity(r)?,
            }
            return Some(false);
        }
        match ev {
            Ev::Start(e) if !in_sst => in_sst = e.local_name().as_ref() == "sst",
            Ev::Start(e) if e.local_name().as_ref() == "si" => {
                si.reset(e.name().as_ref());
                in_si = true;
            }
            Ev::End(_, "sst") if in_sst => return Some(true),
            _ => {}
        }
        Some(false)
    })?;
    Some(out)
}

/// A table of plain strings only, as Excel and rust_xlsxwriter write most:
/// after `<sst …>`, each entry exactly `<si><t>text</t></si>` (or with
/// `xml:space="preserve"`) whose text is plain ([`plain_text`]), then
/// `</sst>`. Such text reads as it is (trimmed, `_xHHHH_` resolved), so it
/// is taken with `memchr`; quick_xml's events cost about a tenth of a read
/// here. None for any other table, which [`shared_strings`] parses.
fn plain_strings(xml: &[u8]) -> Option<Vec<String>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    loop {
        match reader.read_event().ok()? {
            Event::Decl(_) => {}
            Event::Text(t) if t.as_ref().bytes().all(|b| b.is_ascii_whitespace()) => {}
            Event::Start(e) if e.name().as_ref() == "sst" && sound_attrs(&e) => break,
            _ => return None,
        }
    }
    let at = usize::try_from(reader.buffer_position()).ok()?;
    // simdutf8: the std check is slow on Swedish text (a few % of a read).
    let mut rest = simdutf8::basic::from_utf8(xml.get(at..)?).ok()?;
    let mut out = Vec::new();
    loop {
        if let Some(end) = rest.strip_prefix("</sst>") {
            return end.bytes().all(|b| b.is_ascii_whitespace()).then_some(out);
        }
        let (preserve, body) = match rest.strip_prefix("<si><t") {
            Some(r) => match (
                r.strip_prefix('>'),
                r.strip_prefix(" xml:space=\"preserve\">"),
            ) {
                (Some(body), _) => (false, body),
                (None, Some(body)) => (true, body),
                _ => return None,
            },
            None => return None,
        };
        // memchr's search: the standard one is slow on long texts.
        let end = memchr::memchr(b'<', body.as_bytes())?;
        let text = plain_text(&body[..end])?;
        out.push(match preserve {
            true => unescape_xml(&text),
            false => unescape_xml(text.trim_matches([' ', '\t', '\r', '\n'])),
        });
        rest = body[end..].strip_prefix("</t></si>")?;
    }
}

/// The text of a `<t>` as quick_xml gives it to calamine, where it has no
/// CR (line ends are normalised), no `]]>` and no entity but the five
/// named ones; None otherwise.
fn plain_text(raw: &str) -> Option<Cow<'_, str>> {
    // Most texts have none of these: one pass of memchr tells.
    if memchr::memchr3(b'\r', b']', b'&', raw.as_bytes()).is_none() {
        return Some(Cow::Borrowed(raw));
    }
    if raw.contains('\r') || raw.contains("]]>") {
        return None;
    }
    if !raw.contains('&') {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut parts = raw.split('&');
    out.push_str(parts.next()?);
    for part in parts {
        let (name, after) = part.split_once(';')?;
        out.push_str(match name {
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "apos" => "'",
            "quot" => "\"",
            _ => return None,
        });
        out.push_str(after);
    }
    Some(Cow::Owned(out))
}

/// calamine's `read_styles`, as far as dates need: the number format class
/// of each cell format (`cellXfs`), by index.
fn formats(xml: &[u8]) -> Option<Vec<CellFormat>> {
    let mut custom: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    // calamine reads each of these sections to the first end of its name;
    // an element inside one of its own name would end it early.
    let mut open: Vec<String> = Vec::new();
    let mut section: Option<&'static str> = None;
    walk(xml, |ev| {
        match ev {
            Ev::Start(e) => {
                let local = e.local_name();
                let local = local.as_ref();
                if open.iter().any(|o| o == local) {
                    return None;
                }
                open.push(local.to_string());
                match (section, local) {
                    (None, "numFmts") => section = Some("numFmts"),
                    (None, "cellXfs") => section = Some("cellXfs"),
                    (None, "fonts") => section = Some("fonts"),
                    (None, "fills") => section = Some("fills"),
                    (None, "borders") => section = Some("borders"),
                    (Some("numFmts"), "numFmt") => {
                        if let (Some(id), Some(code)) = (attr(e, "numFmtId"), attr(e, "formatCode"))
                        {
                            custom.insert(id, decoded(&code)?);
                        }
                    }
                    (Some("cellXfs"), "xf") => {
                        out.push(match attr(e, "numFmtId") {
                            None => CellFormat::Other,
                            Some(id) => match custom.get(&id) {
                                Some(code) => custom_format(code)?,
                                None => builtin_format(&id),
                            },
                        });
                        section = Some("xf");
                    }
                    _ => {}
                }
            }
            Ev::End(_, local) => {
                open.pop();
                match (section, local) {
                    (Some("xf"), "xf") => section = Some("cellXfs"),
                    (Some(s), l) if s == l => section = None,
                    (None, "styleSheet") => return Some(true),
                    _ => {}
                }
            }
            _ => {}
        }
        Some(false)
    })?;
    Some(out)
}

/// calamine's `detect_custom_number_format` (formats.rs), as it is; None
/// where its bracket count would overflow.
fn custom_format(format: &str) -> Option<CellFormat> {
    let (mut escaped, mut is_quote, mut brackets) = (false, false, 0u8);
    let (mut prev, mut hms, mut ap) = (' ', false, false);
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return Some(CellFormat::Other),
            ('[', ..) => brackets = brackets.checked_add(1)?,
            (']', .., 1) if hms => return Some(CellFormat::TimeDelta),
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return Some(CellFormat::DateTime),
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return Some(CellFormat::DateTime)
            }
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    Some(CellFormat::Other)
}

/// calamine's `builtin_format_by_id`.
fn builtin_format(id: &str) -> CellFormat {
    match id {
        "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21" | "22" | "45" | "47" | "27"
        | "28" | "29" | "30" | "31" | "32" | "33" | "34" | "35" | "36" | "50" | "51" | "52"
        | "53" | "54" | "55" | "56" | "57" | "58" => CellFormat::DateTime,
        "46" => CellFormat::TimeDelta,
        _ => CellFormat::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &str) -> String {
        let n = entries.matches("<si>").count();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="9" uniqueCount="{n}">{entries}</sst>"#
        )
    }

    #[test]
    fn plain_tables_read_as_by_events() {
        let plain = [
            "<si><t>a</t></si><si><t></t></si>",
            "<si><t> trimmed\n</t></si><si><t xml:space=\"preserve\"> kept </t></si>",
            "<si><t>&lt;&amp;&gt;&quot;&apos; x_x000D_y_x005F_x000D_</t></si>",
            "<si><t>Arkiv &gt; Info</t></si><si><t>&amp;amp;</t></si>",
        ];
        for entries in plain {
            let xml = table(entries);
            let quick = plain_strings(xml.as_bytes());
            assert!(quick.is_some(), "{entries}");
            assert_eq!(quick, walked_strings(xml.as_bytes()), "{entries}");
            // The scans' count, which a plain table's length stands for.
            let n = quick.map(|q| q.len() as u64);
            let counted = super::super::sst_count::count(xml.as_bytes());
            assert_eq!(counted, n, "{entries}");
        }
        let other = [
            "<si><r><t>rik</t></r><r><t>text</t></r></si>",
            "<si><t>&#229;</t></si>",
            "<si><t>a\r\nb</t></si>",
            "<si><t>a</t><rPh><t>fon</t></rPh></si>",
            " <si><t>space between</t></si>",
            "<si><t>&nbsp;</t></si>",
        ];
        for entries in other {
            let xml = table(entries);
            assert_eq!(plain_strings(xml.as_bytes()), None, "{entries}");
            assert_eq!(
                shared_strings(xml.as_bytes()),
                walked_strings(xml.as_bytes()),
                "{entries}"
            );
        }
    }

    #[test]
    fn custom_formats_are_classed_as_calamine_does() {
        let cases = [
            ("yyyy-mm-dd", CellFormat::DateTime),
            ("[h]:mm:ss", CellFormat::TimeDelta),
            ("#,##0 \"kr\"", CellFormat::Other),
            ("0.00;[Red]-0.00", CellFormat::Other),
            ("\\d\\a\\g 0", CellFormat::Other),
            ("[$-41D]d mmmm yyyy;@", CellFormat::DateTime),
            ("hh:mm AM/PM", CellFormat::DateTime),
        ];
        for (code, class) in cases {
            assert_eq!(custom_format(code), Some(class), "{code}");
        }
    }
}
