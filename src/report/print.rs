//! How the workbooks print: page setup shared by every sheet, and the row
//! heights of wrapped text.
//!
//! Neither rust_xlsxwriter nor LibreOffice fits row heights to wrapped text
//! when a file is opened, so every row that wraps gets a stored height
//! computed here. The text is set in Arial (Liberation Sans in LibreOffice,
//! which has the same widths), so one width table serves Excel and
//! LibreOffice alike.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// The font of every cell samla writes: the same widths everywhere.
pub const FONT: &str = "Arial";
/// Body text size, points.
pub const FONT_SIZE: f64 = 10.0;
/// Excel's largest row height, points.
pub const MAX_ROW_HEIGHT: f64 = 409.0;

/// Points per line of text: Arial's line spacing plus Excel's row padding.
const LINE_FACTOR: f64 = 1.275;

/// Air above and below the text, points. It also keeps a one-line row
/// above the default 15 points, so that its height is stored like every
/// other wrapped row's.
const PADDING: f64 = 3.0;

/// Arial advance widths in thousandths of the font size (the standard
/// Helvetica/Arial metrics) for ASCII 32..=126.
const ASCII_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
    278, 278, 584, 584, 584, 556, 1015, // :;<=>?@
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A-M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N-Z
    278, 278, 278, 469, 556, 333, // [\]^_`
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a-m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n-z
    334, 260, 334, 584, // {|}~
];

/// Width of a character in thousandths of the font size.
fn char_width(c: char) -> u32 {
    match LATIN1_WIDTHS.get(c as usize) {
        Some(w) => *w as u32,
        None => width_of(c),
    }
}

/// [`width_of`] for U+0000..=U+00FF, looked up rather than matched: every
/// character of every row is measured.
static LATIN1_WIDTHS: [u16; 256] = {
    let mut table = [0; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = width_of(i as u8 as char) as u16;
        i += 1;
    }
    table
};

/// Width of a character in thousandths of the font size.
const fn width_of(c: char) -> u32 {
    match c {
        ' '..='~' => ASCII_WIDTHS[c as usize - 32] as u32,
        'å' | 'ä' | 'ö' | 'é' | 'è' | 'ü' | 'á' | 'à' => 556,
        'Å' | 'Ä' => 667,
        'Ö' | 'Ø' => 778,
        'É' | 'È' => 667,
        '–' | '€' => 556,
        '—' | '…' | '‰' => 1000,
        '’' | '‘' | '‚' => 222,
        '”' | '“' | '„' => 333,
        '•' => 350,
        // Wide scripts and anything unknown: a full em is on the safe side.
        c if (c as u32) >= 0x2E80 => 1000,
        _ => 667,
    }
}

/// A text in a cell: what it says, the cell's width (Excel character units,
/// merged cells summed), the font size and whether it is bold.
#[derive(Debug, Clone, Copy)]
pub struct Cell<'a> {
    /// The text as written.
    pub text: &'a str,
    /// The cell's width in Excel's character units.
    pub width: f64,
    /// Font size, points.
    pub size: f64,
    /// Bold text is wider.
    pub bold: bool,
}

impl<'a> Cell<'a> {
    /// Body text in a cell `width` characters wide.
    pub fn new(text: &'a str, width: f64) -> Cell<'a> {
        Cell {
            text,
            width,
            size: FONT_SIZE,
            bold: false,
        }
    }

    /// The same text in bold.
    pub fn bold(self) -> Cell<'a> {
        Cell { bold: true, ..self }
    }

    /// The same text at another size.
    pub fn size(self, size: f64) -> Cell<'a> {
        Cell { size, ..self }
    }

    /// Room for text on one line, in thousandths of the font size.
    fn room(&self) -> f64 {
        // A column of width w is 7w + 5 pixels (Calibri's 7-pixel digit
        // in the default style); keep 3 pixels each side for padding and
        // grid lines, and 5 % in case a renderer's kerning differs.
        let px = (self.width * 7.0 + 5.0 - 6.0).max(7.0);
        let pt = px * 0.75 * 0.95;
        let bold = if self.bold { 1.1 } else { 1.0 };
        pt / self.size * 1000.0 / bold
    }

    /// How many lines the text takes when wrapped at spaces (a word longer
    /// than a line is broken anywhere, as spreadsheets do).
    pub fn lines(&self) -> usize {
        wrap_lines(self.text, self.room())
    }

    /// The height in points that shows all of the text.
    pub fn height(&self) -> f64 {
        self.height_of(self.lines())
    }

    /// The height in points of `lines` lines of this cell's font.
    fn height_of(&self, lines: usize) -> f64 {
        lines as f64 * self.size * LINE_FACTOR + PADDING
    }
}

/// [`MEASURE`]'s mark of a space: the end of a word.
const SPACE: u16 = u16::MAX - 1;
/// [`MEASURE`]'s mark of a byte measured apart: a line break, or the first
/// byte of a character that is neither ASCII nor in U+00C0..=U+00FF.
const APART: u16 = u16::MAX;

/// Per byte: a width, or [`SPACE`], or [`APART`]. ASCII characters have
/// their own widths. U+00C0..=U+00FF (å, ä, ö, é, ü …: most of the letters
/// that are not ASCII in Swedish text) are the byte 0xC3 and a second byte
/// 0x80..=0xBF: 0xC3 is 0 wide and the second byte carries the width. A
/// second byte never comes to the table after another first byte, since
/// every other character is measured apart, all of its bytes at once.
static MEASURE: [u16; 256] = {
    let mut table = [APART; 256];
    let mut i = 0;
    while i < 128 {
        table[i] = LATIN1_WIDTHS[i];
        i += 1;
    }
    table[0xC3] = 0;
    let mut k = 0;
    while k < 64 {
        table[0x80 + k] = LATIN1_WIDTHS[0xC0 + k];
        k += 1;
    }
    table[b' ' as usize] = SPACE;
    table[b'\n' as usize] = APART;
    table
};

/// Lines a text takes in a line `room` thousandths wide: each paragraph
/// (`\n`) starts a line, words wrap at spaces, and a word wider than the
/// line is broken character by character.
///
/// This runs for every row of every sheet, so a word is measured by a
/// table lookup and an addition per byte ([`MEASURE`]), in whole
/// thousandths, and placed once; only characters outside ASCII and
/// U+00C0..=U+00FF are measured apart.
fn wrap_lines(text: &str, room: f64) -> usize {
    // Widths are whole thousandths: one fits exactly when it is at most ⌊room⌋.
    let mut line = Line {
        room: room.floor().max(0.0) as u64,
        lines: 1,
        used: 0,
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        let (start, mut word) = (i, 0u64);
        loop {
            while let Some(&b) = bytes.get(i) {
                let w = MEASURE[usize::from(b)];
                if w >= SPACE {
                    break;
                }
                word += u64::from(w);
                i += 1;
            }
            match bytes.get(i) {
                Some(b' ' | b'\n') | None => break,
                Some(_) => {
                    // `i` is on a character's first byte: it is measured whole.
                    let c = text[i..].chars().next().unwrap_or(' ');
                    word += u64::from(char_width(c));
                    i += c.len_utf8();
                }
            }
        }
        line.place(&text[start..i], word);
        match bytes.get(i) {
            None => return line.lines,
            Some(b'\n') => {
                line.lines += 1;
                line.used = 0;
            }
            Some(_) => {}
        }
        i += 1;
    }
}

/// The state of [`wrap_lines`]: lines so far and the width used on the
/// last one, in thousandths of the font size.
struct Line {
    /// The line's width, whole thousandths.
    room: u64,
    lines: usize,
    used: u64,
}

impl Line {
    fn fits(&self, width: u64) -> bool {
        width <= self.room
    }

    /// The width the line would take with a word `width` wide added.
    fn need(&self, width: u64) -> u64 {
        if self.used > 0 {
            self.used + u64::from(LATIN1_WIDTHS[usize::from(b' ')]) + width
        } else {
            width
        }
    }

    /// [`Line::add_word`] with its common cases first: the word fits on
    /// the line, or it is no wider than a line and starts the next.
    fn place(&mut self, word: &str, width: u64) {
        let need = self.need(width);
        if self.fits(need) {
            self.used = need;
        } else if self.used > 0 && self.fits(width) {
            self.lines += 1;
            self.used = width;
        } else {
            self.add_word(word, width);
        }
    }

    /// Adds a word `width` wide after the text so far, on a new line if it
    /// does not fit, broken anywhere if it is wider than a line.
    fn add_word(&mut self, word: &str, width: u64) {
        let need = self.need(width);
        if self.fits(need) {
            self.used = need;
            return;
        }
        if self.used > 0 {
            self.lines += 1;
        }
        self.used = 0;
        for c in word.chars() {
            let cw = u64::from(char_width(c));
            if !self.fits(self.used + cw) && self.used > 0 {
                self.lines += 1;
                self.used = 0;
            }
            self.used += cw;
        }
    }
}

/// A row height (points) that shows all of each wrapped text in its column,
/// at most Excel's 409 points. `cells` holds (text, column width in
/// characters), in the body font.
///
/// ```
/// let one = samla::report::fit_height(&[("kort", 10.0)]);
/// let three = samla::report::fit_height(&[("a\nb\nc", 10.0)]);
/// assert!(one >= 12.75 && three >= 3.0 * 12.75);
/// // A long text in a narrow column takes more lines than in a wide one.
/// let text = "ord ".repeat(50);
/// assert!(samla::report::fit_height(&[(&text, 10.0)]) > samla::report::fit_height(&[(&text, 80.0)]));
/// ```
pub fn fit_height(cells: &[(&str, f64)]) -> f64 {
    fit(&cells
        .iter()
        .map(|(t, w)| Cell::new(t, *w))
        .collect::<Vec<_>>())
}

/// The height (points, at most 409) that shows every one of `cells`.
pub fn fit(cells: &[Cell]) -> f64 {
    cells
        .iter()
        .map(Cell::height)
        .fold(FONT_SIZE * LINE_FACTOR + PADDING, f64::max)
        .min(MAX_ROW_HEIGHT)
}

/// Splits a text into pieces that each print whole in one row of a column
/// `width` characters wide (at most 409 points high), breaking between
/// paragraphs where it can, else between sentences, else between words.
/// Every piece also fits one Excel cell. The pieces joined give the text.
pub fn split_for_print(text: &str, width: f64) -> Vec<&str> {
    print_pieces(text, width)
        .into_iter()
        .map(|(piece, _)| piece)
        .collect()
}

/// [`split_for_print`]'s pieces, each with the row height (points) that
/// shows it, as [`fit_height`] gives: the text is measured once, not once
/// to split it and again for its row.
pub fn print_pieces(text: &str, width: f64) -> Vec<(&str, f64)> {
    let height = |t: &str| {
        let h = Cell::new(t, width).height();
        // UTF-8 never has fewer bytes than UTF-16 has units.
        let fits = h <= MAX_ROW_HEIGHT
            && (t.len() <= crate::contract::CELL_LIMIT
                || t.encode_utf16().count() <= crate::contract::CELL_LIMIT);
        fits.then_some(h)
    };
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        if let Some(h) = height(rest) {
            parts.push((rest, h));
            return parts;
        }
        let cut = best_cut(rest, &|t| height(t).is_some());
        let piece = &rest[..cut];
        parts.push((piece, fit(&[Cell::new(piece, width)])));
        rest = &rest[cut..];
    }
}

/// The longest prefix of `text` that `fits`, ending at the best boundary.
fn best_cut(text: &str, fits: &dyn Fn(&str) -> bool) -> usize {
    // The longest prefix that fits, by bisection over char boundaries.
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).skip(1).collect();
    if bounds.is_empty() {
        return text.len();
    }
    let (mut lo, mut hi) = (0usize, bounds.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(&text[..bounds[mid - 1]]) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let max = if lo == 0 { bounds[0] } else { bounds[lo - 1] };
    let head = &text[..max];
    // Prefer a paragraph, then a sentence, then a word, in the last half.
    for sep in ["\n\n", "\n", ". ", " "] {
        if let Some(i) = head.rfind(sep) {
            if i + sep.len() > max / 2 {
                return i + sep.len();
            }
        }
    }
    max
}

/// The width of merged columns in character units: the columns' widths
/// and the padding between them.
pub fn merged(widths: &[f64]) -> f64 {
    (pixels(widths) - 5.0) / 7.0
}

/// Column widths in pixels, as Excel lays them out.
fn pixels(widths: &[f64]) -> f64 {
    widths.iter().map(|w| w * 7.0 + 5.0).sum()
}

/// A4 width inside 0.5-inch side margins, pixels: portrait, landscape.
const PORTRAIT_PX: f64 = (8.27 - 1.0) * 96.0;

/// Font of page headers and footers: the cells' font, a little smaller.
const HF_FONT: &str = "&\"Arial,Regular\"&9";

/// How a sheet prints.
pub struct Page<'a> {
    /// Column widths (character units) from column A; they are set too.
    pub widths: &'a [f64],
    /// Rows repeated at the top of every page (print titles), if any.
    pub repeat: Option<(u32, u32)>,
    /// The page header's left part: the plan and period.
    pub plan: &'a str,
    /// The page header's right part: what the sheet is.
    pub what: &'a str,
}

/// Sets column widths and the print setup of a sheet: A4, portrait when the
/// columns fit a portrait page and landscape otherwise, one page wide, the
/// head rows repeated, plan and sheet in the page header and `Sida n av m`
/// in the footer.
pub fn setup(ws: &mut Worksheet, page: &Page) -> Result<(), XlsxError> {
    for (c, w) in page.widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_paper_size(9);
    if pixels(page.widths) <= PORTRAIT_PX {
        ws.set_portrait();
    } else {
        ws.set_landscape();
    }
    ws.set_margins(0.5, 0.5, 0.75, 0.7, 0.3, 0.3);
    ws.set_print_fit_to_pages(1, 0);
    if let Some((first, last)) = page.repeat {
        ws.set_repeat_rows(first, last)?;
    }
    ws.set_header(format!(
        "&L{HF_FONT}{}&R{HF_FONT}{}",
        escape(page.plan),
        escape(page.what)
    ));
    ws.set_footer(format!("&C{HF_FONT}Sida &P av &N"));
    Ok(())
}

/// `&` is a code in page headers; a literal one is doubled.
pub fn escape(s: &str) -> String {
    s.replace('&', "&&")
}

/// The base of every cell format: Arial at the body size.
pub fn base() -> Format {
    Format::new().set_font_name(FONT).set_font_size(FONT_SIZE)
}

/// Arial 10's default row height, pixels.
pub const DEFAULT_ROW_PX: u32 = 17;
/// Arial 10's default column width, pixels.
const DEFAULT_COL_PX: u32 = 64;

/// A workbook whose default style is [`base`]. Column widths are counted
/// in the default font's digits, so with Calibri as default LibreOffice
/// (which has no Calibri) would make every column wider than Excel does;
/// with Arial both agree.
pub fn workbook() -> Workbook {
    let mut wb = Workbook::new();
    wb.set_default_format(&base(), DEFAULT_ROW_PX, DEFAULT_COL_PX)
        .expect("64 pixels is a supported default column width");
    wb
}

/// A worksheet built apart from its workbook (in parallel), with the same
/// default style as [`workbook`]'s sheets.
pub fn worksheet() -> Worksheet {
    let mut ws = Worksheet::new();
    ws.set_default_format(&base(), DEFAULT_ROW_PX, DEFAULT_COL_PX)
        .expect("a new sheet has no formats yet");
    ws
}

/// A worksheet of `wb` written as a stream: rust_xlsxwriter's constant-memory
/// mode flushes each row to a temporary file (inline strings) once a later
/// row is written, and the formats it is given first get the first indices
/// of the workbook's style table (see `long_sheet`). It has the same default
/// style as [`workbook`]'s sheets (the library gives such a sheet its own
/// defaults).
pub fn streamed_worksheet(wb: &mut Workbook) -> Result<Worksheet, XlsxError> {
    let mut ws = wb.new_worksheet_with_constant_memory()?;
    ws.set_default_format(&base(), DEFAULT_ROW_PX, DEFAULT_COL_PX)?;
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`wrap_lines`] as first written, a character and a branch at a time:
    /// the measure the fast one must agree with.
    fn wrap_lines_plain(text: &str, room: f64) -> usize {
        let room = room.floor().max(0.0) as u64;
        let mut line = Line {
            room,
            lines: 1,
            used: 0,
        };
        let (mut start, mut word) = (0, 0u64);
        for (i, c) in text.char_indices() {
            match c {
                ' ' | '\n' => {
                    line.add_word(&text[start..i], word);
                    (start, word) = (i + 1, 0);
                    if c == '\n' {
                        line.lines += 1;
                        line.used = 0;
                    }
                }
                c => word += u64::from(char_width(c)),
            }
        }
        line.add_word(&text[start..], word);
        line.lines
    }

    proptest::proptest! {
        #[test]
        fn fast_measure_agrees_with_the_plain_one(
            text in "([a-zåäöÅÄÖéü×§\u{a0}–—…€漢 ]{0,12}[ \n]{0,3}){0,40}",
            width in 0.5f64..120.0,
        ) {
            let room = Cell::new(&text, width).room();
            proptest::prop_assert_eq!(wrap_lines(&text, room), wrap_lines_plain(&text, room));
        }
    }

    #[test]
    fn words_wrap_and_long_words_break() {
        // A 10-wide column (75 pixels) holds about 49 points of text:
        // nine x's of 5 points each, or three short words.
        assert_eq!(Cell::new("kort", 10.0).lines(), 1);
        assert_eq!(Cell::new("ett två tre fyra fem sex sju", 10.0).lines(), 3);
        assert_eq!(Cell::new(&"x".repeat(60), 10.0).lines(), 7);
        assert_eq!(Cell::new(&"x".repeat(9), 10.0).lines(), 1);
        assert_eq!(Cell::new(&"x".repeat(10), 10.0).lines(), 2);
        assert_eq!(Cell::new("a\n\nb", 10.0).lines(), 3);
        assert!(Cell::new("RUBRIK", 10.0).bold().size(14.0).height() > 14.0 * LINE_FACTOR);
    }

    #[test]
    fn print_pieces_join_to_the_text_and_each_fits() {
        let text = (0..400)
            .map(|i| format!("Mening nummer {i} om läget i regionen."))
            .collect::<Vec<_>>()
            .join(" ");
        let parts = split_for_print(&text, 80.0);
        assert!(parts.len() > 1);
        assert_eq!(parts.concat(), text);
        for p in &parts {
            assert!(Cell::new(p, 80.0).height() <= MAX_ROW_HEIGHT);
        }
        // Cut after a sentence, not inside a word.
        assert!(
            parts[0].ends_with(". "),
            "{:?}",
            &parts[0][parts[0].len() - 20..]
        );
        let short = "Kort.";
        assert_eq!(split_for_print(short, 80.0), vec![short]);
    }
}
