//! The report writers: the consolidated workbook ([`consolidated`]), the
//! discrepancy report ([`discrepancies`]) and the JSON for machines
//! ([`json`]). Each returns bytes; [`crate::output`] puts them in place.

pub mod changes;
pub mod consolidated;
pub mod csv;
pub mod discrepancies;
pub mod docx;
pub mod feedback;
pub mod json;
mod long_sheet;
mod piped;
pub mod print;
pub mod submissions;

pub use print::fit_height;
pub mod summary;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::contract::CELL_LIMIT;
use crate::plan::Plan;

/// Fill colour (0xRRGGBB) of table heads in every report.
pub const HEADER_FILL: u32 = 0xD9E1F2;

/// Fill colour (0xRRGGBB) of a rating bucket (see [`crate::merge::bucket`]),
/// the same in every report, by what its level means: achieved green, in
/// progress yellow, not started red, not applicable white; compound,
/// uncertain and invalid blue; blank grey.
///
/// ```
/// # let plan = samla::Plan::load("templates/cancerplan-norr-2022-2024.toml").unwrap();
/// assert_eq!(samla::report::rating_fill(&plan, "U"), 0xC6EFCE);
/// assert_eq!(samla::report::rating_fill(&plan, "annat"), 0xBDD7EE);
/// ```
pub fn rating_fill(plan: &Plan, bucket: &str) -> u32 {
    use crate::plan::Meaning as M;
    match plan.meaning_of(bucket) {
        Some(M::Achieved) => 0xC6EFCE,
        Some(M::InProgress) => 0xFFEB9C,
        Some(M::NotStarted) => 0xFFC7CE,
        Some(M::NotApplicable) => 0xFFFFFF,
        None if bucket == "blank" => 0xEDEDED,
        None => 0xBDD7EE,
    }
}

/// Fill colour of a finding's severity, the same in every workbook that
/// lists findings: errors red, warnings yellow, infos blue.
pub(crate) fn severity_fill(sev: crate::finding::Severity) -> Color {
    use crate::finding::Severity;
    match sev {
        Severity::Error => Color::RGB(0xFFC7CE),
        Severity::Warning => Color::RGB(0xFFEB9C),
        Severity::Info => Color::RGB(0xDDEBF7),
    }
}

/// Splits text into pieces that each fit one Excel cell (32,767 UTF-16
/// units), at character boundaries, so that nothing is cut.
///
/// ```
/// let long = "å".repeat(40_000);
/// let parts = samla::report::split_for_cells(&long);
/// assert_eq!(parts.len(), 2);
/// assert_eq!(parts.concat(), long);
/// ```
pub fn split_for_cells(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let part = first_cell(rest);
        parts.push(part);
        rest = &rest[part.len()..];
        if rest.is_empty() {
            return parts;
        }
    }
}

/// The first of [`split_for_cells`]'s pieces, without a vector for them
/// (this runs for cells of every row).
///
/// ```
/// let long = "å".repeat(40_000);
/// assert_eq!(samla::report::first_cell(&long).chars().count(), 32_767);
/// assert_eq!(samla::report::first_cell("kort"), "kort");
/// ```
pub fn first_cell(text: &str) -> &str {
    // UTF-8 never has fewer bytes than UTF-16 has units: short text fits.
    if text.len() <= CELL_LIMIT {
        return text;
    }
    let mut units = 0;
    for (i, ch) in text.char_indices() {
        units += ch.len_utf16();
        if units > CELL_LIMIT {
            return &text[..i];
        }
    }
    text
}

/// The bytes an escaper replaces: the control characters (below 0x20) but
/// those in `free`, and the bytes in `more`.
///
/// A set of comparisons rather than a table, so that [`plain_prefix`] tests
/// a block of bytes in a few vector instructions: it runs over every
/// comment of several outputs, and most comments have nothing to replace.
pub(crate) struct Special<const F: usize, const M: usize> {
    /// Control characters that are not special (tab, line feed …).
    pub free: [u8; F],
    /// Other special bytes.
    pub more: [u8; M],
}

impl<const F: usize, const M: usize> Special<F, M> {
    /// Whether `b` is in the set.
    #[inline(always)]
    pub fn has(&self, b: u8) -> bool {
        let mut special = b < 0x20;
        for &f in &self.free {
            special &= b != f;
        }
        for &m in &self.more {
            special |= b == m;
        }
        special
    }
}

/// How many bytes at the start of `bytes` are not in `special`: 32 at a
/// time, with no branch inside a block (the compiler makes the block's
/// comparisons vector instructions), then byte by byte.
#[inline]
pub(crate) fn plain_prefix<const F: usize, const M: usize>(
    bytes: &[u8],
    special: &Special<F, M>,
) -> usize {
    let (blocks, _) = bytes.as_chunks::<32>();
    let mut i = 0;
    for block in blocks {
        if block.iter().fold(false, |any, &b| any | special.has(b)) {
            break;
        }
        i += 32;
    }
    i + bytes[i..]
        .iter()
        .position(|&b| special.has(b))
        .unwrap_or(bytes.len() - i)
}

/// Shared formats of the reports.
pub(crate) struct Styles {
    pub title: Format,
    pub header: Format,
    pub text: Format,
    pub wrap: Format,
    pub center: Format,
    pub bold: Format,
    /// An area's heading row in a table.
    pub heading: Format,
    /// Wrapped text without borders (lines above and below tables).
    pub note: Format,
}

impl Styles {
    pub fn new() -> Styles {
        let cell = print::base()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        Styles {
            title: print::base().set_bold().set_font_size(14).set_text_wrap(),
            header: print::base()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(HEADER_FILL))
                .set_border(FormatBorder::Thin),
            text: cell.clone(),
            wrap: cell.clone().set_text_wrap(),
            center: cell.clone().set_align(FormatAlign::Center),
            bold: print::base().set_bold(),
            heading: print::base()
                .set_bold()
                .set_font_size(11)
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xE7E6E6))
                .set_border(FormatBorder::Thin),
            note: print::base().set_text_wrap().set_align(FormatAlign::Top),
        }
    }

    /// A table cell coloured by a finding's severity (see [`severity_fill`]).
    pub fn severity(&self, sev: crate::finding::Severity) -> Format {
        self.text.clone().set_background_color(severity_fill(sev))
    }
}

/// Writes a header row (bold, wrapped) and stores the height its longest
/// name needs in its column of `widths`.
pub(crate) fn header_row(
    ws: &mut Worksheet,
    row: u32,
    names: &[&str],
    widths: &[f64],
    f: &Format,
) -> Result<(), XlsxError> {
    let mut cells = Vec::new();
    for (c, n) in names.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *n, f)?;
        cells.push(print::Cell::new(n, widths.get(c).copied().unwrap_or(8.43)).bold());
    }
    ws.set_row_height(row, print::fit(&cells))?;
    Ok(())
}

/// Writes a line of text across columns `0..widths.len()` (merged), wrapped,
/// with the height it needs.
pub(crate) fn text_line(
    ws: &mut Worksheet,
    row: u32,
    text: &str,
    widths: &[f64],
    f: &Format,
    cell: print::Cell,
) -> Result<(), XlsxError> {
    let last = widths.len().saturating_sub(1) as u16;
    let width = print::merged(widths);
    if last == 0 {
        ws.write_string_with_format(row, 0, text, f)?;
    } else {
        ws.merge_range(row, 0, row, last, text, f)?;
    }
    ws.set_row_height(
        row,
        print::fit(&[print::Cell {
            text,
            width,
            ..cell
        }]),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn the_plain_prefix_ends_at_the_first_special_byte(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
            free in proptest::collection::vec(0u8..0x20, 2),
            more in proptest::collection::vec(proptest::num::u8::ANY, 3),
        ) {
            let special = super::Special {
                free: [free[0], free[1]],
                more: [more[0], more[1], more[2]],
            };
            let marked = |b: u8| (b < 0x20 && !free.contains(&b)) || more.contains(&b);
            let first = bytes.iter().position(|&b| marked(b));
            proptest::prop_assert_eq!(
                super::plain_prefix(&bytes, &special),
                first.unwrap_or(bytes.len())
            );
        }
    }
}
