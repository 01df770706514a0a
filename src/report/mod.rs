//! The report writers: the consolidated workbook ([`consolidated`]), the
//! discrepancy report ([`discrepancies`]) and the JSON for machines
//! ([`json`]). Each returns bytes; [`crate::output`] puts them in place.

pub mod consolidated;
pub mod discrepancies;
pub mod feedback;
pub mod json;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::contract::CELL_LIMIT;

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
    // UTF-8 never has fewer bytes than UTF-16 has units: short text fits.
    if text.len() <= CELL_LIMIT {
        return vec![text];
    }
    let mut parts = Vec::new();
    let mut start = 0;
    let mut units = 0;
    for (i, ch) in text.char_indices() {
        let n = ch.len_utf16();
        if units + n > CELL_LIMIT {
            parts.push(&text[start..i]);
            start = i;
            units = 0;
        }
        units += n;
    }
    parts.push(&text[start..]);
    parts
}

/// A row height (points) that shows all of each wrapped text in its column.
///
/// Neither rust_xlsxwriter nor LibreOffice fits row heights to wrapped text
/// when a file is opened, so without this a printed report shows one line
/// per goal. `cells` holds (text, column width in characters).
///
/// ```
/// assert_eq!(samla::report::fit_height(&[("kort", 10.0)]), 15.0);
/// assert_eq!(samla::report::fit_height(&[("a\nb\nc", 10.0)]), 45.0);
/// ```
pub fn fit_height(cells: &[(&str, f64)]) -> f64 {
    let lines = cells
        .iter()
        .map(|(text, width)| {
            // Proportional fonts fit a little more than one character per
            // width unit; stay on the safe side.
            let per_line = (width * 1.1).max(1.0) as usize;
            text.split('\n')
                .map(|p| p.chars().count().div_ceil(per_line).max(1))
                .sum::<usize>()
        })
        .max()
        .unwrap_or(1);
    (lines as f64 * 15.0).min(409.0)
}

/// Shared formats of the reports.
pub(crate) struct Styles {
    pub title: Format,
    pub header: Format,
    pub text: Format,
    pub wrap: Format,
    pub center: Format,
    pub bold: Format,
}

impl Styles {
    pub fn new() -> Styles {
        let cell = Format::new()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border(FormatBorder::Thin),
            text: cell.clone(),
            wrap: cell.clone().set_text_wrap(),
            center: cell.clone().set_align(FormatAlign::Center),
            bold: Format::new().set_bold(),
        }
    }
}

/// Writes a header row.
pub(crate) fn header_row(
    ws: &mut Worksheet,
    row: u32,
    names: &[&str],
    f: &Format,
) -> Result<(), XlsxError> {
    for (c, n) in names.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *n, f)?;
    }
    Ok(())
}

/// Common print setup: A4 landscape, one page wide, header rows repeated.
pub(crate) fn print_setup(
    ws: &mut Worksheet,
    header_row: u32,
    title: &str,
) -> Result<(), XlsxError> {
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(header_row, header_row)?;
    ws.set_header(format!("&L{}", title.replace('&', "&&")));
    ws.set_footer("&CSida &P av &N");
    Ok(())
}
