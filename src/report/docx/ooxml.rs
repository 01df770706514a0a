//! The few WordprocessingML elements the report uses, written straight to
//! XML text as the document is built.
//!
//! The report was built with docx-rs, which holds the whole document as a
//! tree of large structs and serialises it at the end: at 1,000 regions
//! (55,000 comments) that tree took 350 MB and most of a second. Here each
//! paragraph and table becomes text as soon as it is complete and is
//! compressed into the package while the next is built, so the report's
//! memory no longer grows with the number of answers.
//!
//! Elements are written in the order the schema (ECMA-376 part 1, §17)
//! prescribes, which Word insists on and docx-rs did not always keep.

use std::fmt::Write as _;

/// Paragraph alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Centred (`w:jc="center"`).
    Center,
}

/// A cell or run shading: a solid fill colour, `RRGGBB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shading(pub u32);

/// What a run holds, in order.
#[derive(Debug, Clone)]
enum Content {
    Text(String),
    Break,
    /// A field such as `PAGE`, shown as `1` until Word updates it.
    Field(&'static str),
}

/// A run of text with one set of character properties.
#[derive(Debug, Clone, Default)]
pub struct Run {
    bold: bool,
    size: Option<u32>,
    highlight: Option<&'static str>,
    shading: Option<Shading>,
    content: Vec<Content>,
}

impl Run {
    /// An empty run.
    pub fn new() -> Run {
        Run::default()
    }

    /// Adds text (kept as written, spaces and tabs included).
    pub fn add_text(mut self, text: impl Into<String>) -> Run {
        self.content.push(Content::Text(text.into()));
        self
    }

    /// Adds a line break inside the paragraph.
    pub fn add_break(mut self) -> Run {
        self.content.push(Content::Break);
        self
    }

    /// Adds a field (`PAGE`, `NUMPAGES`).
    pub fn add_field(mut self, instr: &'static str) -> Run {
        self.content.push(Content::Field(instr));
        self
    }

    /// Bold.
    pub fn bold(mut self) -> Run {
        self.bold = true;
        self
    }

    /// Font size in half points.
    pub fn size(mut self, half_points: u32) -> Run {
        self.size = Some(half_points);
        self
    }

    /// Highlighted in a named colour (`yellow`).
    pub fn highlight(mut self, colour: &'static str) -> Run {
        self.highlight = Some(colour);
        self
    }

    /// Shaded with a fill colour.
    pub fn shading(mut self, s: Shading) -> Run {
        self.shading = Some(s);
        self
    }

    fn write(&self, out: &mut String) {
        out.push_str("<w:r>");
        // No properties, no `w:rPr`: most runs are plain text.
        let plain =
            !self.bold && self.size.is_none() && self.highlight.is_none() && self.shading.is_none();
        if !plain {
            out.push_str("<w:rPr>");
        }
        if self.bold {
            out.push_str("<w:b/><w:bCs/>");
        }
        if let Some(sz) = self.size {
            let _ = write!(out, "<w:sz w:val=\"{sz}\"/><w:szCs w:val=\"{sz}\"/>");
        }
        if let Some(h) = self.highlight {
            let _ = write!(out, "<w:highlight w:val=\"{h}\"/>");
        }
        if let Some(s) = self.shading {
            shd(out, s);
        }
        if !plain {
            out.push_str("</w:rPr>");
        }
        for c in &self.content {
            match c {
                Content::Text(t) => text_element(out, t),
                Content::Break => out.push_str("<w:br/>"),
                Content::Field(instr) => {
                    let _ = write!(
                        out,
                        "<w:fldChar w:fldCharType=\"begin\"/><w:instrText>{instr}</w:instrText>\
                         <w:fldChar w:fldCharType=\"separate\"/><w:t>1</w:t>\
                         <w:fldChar w:fldCharType=\"end\"/>"
                    );
                }
            }
        }
        out.push_str("</w:r>");
    }
}

/// A run's text, kept as written: `xml:space="preserve"` only where a
/// reader would otherwise change it (see [`keeps_space`]), as Word itself
/// writes it. On every run it was 21 bytes of each comment's ~440, and the
/// report's bytes are what deflating it costs. Empty text writes nothing:
/// it shows nothing.
fn text_element(out: &mut String, t: &str) {
    if t.is_empty() {
        return;
    }
    if keeps_space(t.as_bytes()) {
        out.push_str("<w:t xml:space=\"preserve\">");
    } else {
        out.push_str("<w:t>");
    }
    escape_into(out, t);
    out.push_str("</w:t>");
}

/// Whether `t` needs `xml:space="preserve"` to be shown as written: a
/// space at either end, or a tab or line break anywhere (XML's other
/// whitespace). Without the attribute Word and LibreOffice drop whitespace
/// at either end, and LibreOffice (7.x, tried) shows a tab inside as a
/// space; spaces inside, one or several, and non-XML spaces such as U+00A0
/// anywhere, are kept.
fn keeps_space(t: &[u8]) -> bool {
    t.first() == Some(&b' ')
        || t.last() == Some(&b' ')
        || memchr::memchr3(b'\t', b'\n', b'\r', t).is_some()
}

/// Writes a paragraph of style `style` holding `lead` in bold (when given)
/// and then `text`, its line breaks kept, as one plain run: what a
/// [`Paragraph`] with those runs writes, without building one (the report
/// has one such paragraph for every comment: 55,000 at 1,000 returns).
pub fn text_paragraph(out: &mut String, style: &str, lead: Option<&str>, text: &str) {
    out.push_str("<w:p><w:pPr>");
    style_element(out, style);
    out.push_str("</w:pPr>");
    if let Some(lead) = lead {
        out.push_str("<w:r><w:rPr><w:b/><w:bCs/></w:rPr>");
        text_element(out, lead);
        out.push_str("</w:r>");
    }
    out.push_str("<w:r>");
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        text_element(out, &text[start..end]);
        out.push_str("<w:br/>");
        start = end + 1;
    }
    text_element(out, &text[start..]);
    out.push_str("</w:r></w:p>");
}

/// `<w:pStyle>` of style id `style`.
fn style_element(out: &mut String, style: &str) {
    out.push_str("<w:pStyle w:val=\"");
    escape_into(out, style);
    out.push_str("\"/>");
}

/// A paragraph: its properties and runs.
#[derive(Debug, Clone, Default)]
pub struct Paragraph {
    style: Option<String>,
    keep_next: bool,
    numbering: Option<usize>,
    indent_left: Option<u32>,
    align: Option<Align>,
    mark_size: Option<u32>,
    runs: Vec<Run>,
}

impl Paragraph {
    /// An empty paragraph. It has no `w14:paraId`: nothing refers to one,
    /// Word does not need it, and it was 22 bytes of every paragraph.
    pub fn new() -> Paragraph {
        Paragraph::default()
    }

    /// The paragraph style's id.
    pub fn style(mut self, style: &str) -> Paragraph {
        self.style = Some(style.to_string());
        self
    }

    /// Kept on the page with the next paragraph (headings).
    pub fn keep_next(mut self, keep: bool) -> Paragraph {
        self.keep_next = keep;
        self
    }

    /// An item of numbered list `num` (level 0).
    pub fn numbering(mut self, num: usize) -> Paragraph {
        self.numbering = Some(num);
        self
    }

    /// Indented from the left by `twips`.
    pub fn indent_left(mut self, twips: u32) -> Paragraph {
        self.indent_left = Some(twips);
        self
    }

    /// Aligned.
    pub fn align(mut self, a: Align) -> Paragraph {
        self.align = Some(a);
        self
    }

    /// Font size of the paragraph mark, in half points (give the runs
    /// theirs with [`Run::size`]).
    pub fn size(mut self, half_points: u32) -> Paragraph {
        self.mark_size = Some(half_points);
        self
    }

    /// Adds a run.
    pub fn add_run(mut self, r: Run) -> Paragraph {
        self.runs.push(r);
        self
    }

    /// Writes the paragraph's XML to `out`.
    pub fn write(&self, out: &mut String) {
        out.push_str("<w:p>");
        // No properties, no `w:pPr`.
        let plain = self.style.is_none()
            && !self.keep_next
            && self.numbering.is_none()
            && self.indent_left.is_none()
            && self.align.is_none()
            && self.mark_size.is_none();
        if !plain {
            out.push_str("<w:pPr>");
        }
        if let Some(s) = &self.style {
            style_element(out, s);
        }
        if self.keep_next {
            out.push_str("<w:keepNext/>");
        }
        if let Some(n) = self.numbering {
            let _ = write!(
                out,
                "<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"{n}\"/></w:numPr>"
            );
        }
        if let Some(l) = self.indent_left {
            let _ = write!(out, "<w:ind w:left=\"{l}\"/>");
        }
        if self.align == Some(Align::Center) {
            out.push_str("<w:jc w:val=\"center\"/>");
        }
        if let Some(sz) = self.mark_size {
            let _ = write!(
                out,
                "<w:rPr><w:sz w:val=\"{sz}\"/><w:szCs w:val=\"{sz}\"/></w:rPr>"
            );
        }
        if !plain {
            out.push_str("</w:pPr>");
        }
        for r in &self.runs {
            r.write(out);
        }
        out.push_str("</w:p>");
    }
}

/// How a cell takes part in a vertical merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VMerge {
    /// The first cell of the merged block.
    Restart,
    /// A cell merged into the one above.
    Continue,
}

/// A table cell: width, spans, shading and paragraphs (at least one).
#[derive(Debug, Clone, Default)]
pub struct TableCell {
    width: usize,
    span: usize,
    vmerge: Option<VMerge>,
    shading: Option<Shading>,
    paragraphs: Vec<Paragraph>,
}

impl TableCell {
    /// An empty, top-aligned cell `width` twips wide.
    pub fn new(width: usize) -> TableCell {
        TableCell {
            width,
            span: 1,
            ..TableCell::default()
        }
    }

    /// Spans `n` grid columns.
    pub fn grid_span(mut self, n: usize) -> TableCell {
        self.span = n;
        self
    }

    /// Takes part in a vertical merge.
    pub fn vertical_merge(mut self, m: VMerge) -> TableCell {
        self.vmerge = Some(m);
        self
    }

    /// Shaded.
    pub fn shading(mut self, s: Shading) -> TableCell {
        self.shading = Some(s);
        self
    }

    /// Adds a paragraph.
    pub fn add_paragraph(mut self, p: Paragraph) -> TableCell {
        self.paragraphs.push(p);
        self
    }

    fn write(&self, out: &mut String) {
        let _ = write!(
            out,
            "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/>",
            self.width
        );
        if self.span > 1 {
            let _ = write!(out, "<w:gridSpan w:val=\"{}\"/>", self.span);
        }
        match self.vmerge {
            Some(VMerge::Restart) => out.push_str("<w:vMerge w:val=\"restart\"/>"),
            Some(VMerge::Continue) => out.push_str("<w:vMerge w:val=\"continue\"/>"),
            None => {}
        }
        if let Some(s) = self.shading {
            shd(out, s);
        }
        out.push_str("<w:vAlign w:val=\"top\"/></w:tcPr>");
        for p in &self.paragraphs {
            p.write(out);
        }
        out.push_str("</w:tc>");
    }
}

/// A table row; a head row repeats on every page and is never split.
#[derive(Debug, Clone, Default)]
pub struct TableRow {
    head: bool,
    cells: Vec<TableCell>,
}

impl TableRow {
    /// A body row.
    pub fn new(cells: Vec<TableCell>) -> TableRow {
        TableRow { head: false, cells }
    }

    /// A head row, repeated at the top of every page the table runs onto.
    pub fn head(cells: Vec<TableCell>) -> TableRow {
        TableRow { head: true, cells }
    }

    fn write(&self, out: &mut String) {
        out.push_str("<w:tr>");
        if self.head {
            out.push_str("<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        }
        for c in &self.cells {
            c.write(out);
        }
        out.push_str("</w:tr>");
    }
}

/// A table of fixed column widths (twips) with thin borders.
#[derive(Debug, Clone)]
pub struct Table {
    /// Column widths.
    pub grid: Vec<usize>,
    /// Rows, head rows first.
    pub rows: Vec<TableRow>,
}

impl Table {
    /// Writes the table's XML to `out`; `width` is the whole table's.
    pub fn write(&self, width: usize, out: &mut String) {
        let _ = write!(
            out,
            "<w:tbl><w:tblPr><w:tblW w:w=\"{width}\" w:type=\"dxa\"/><w:jc w:val=\"left\"/>\
             <w:tblBorders>"
        );
        for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
            let _ = write!(
                out,
                "<w:{side} w:val=\"single\" w:sz=\"2\" w:space=\"0\" w:color=\"000000\"/>"
            );
        }
        out.push_str(
            "</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar>\
             <w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"57\" w:type=\"dxa\"/>\
             <w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/>\
             </w:tblCellMar></w:tblPr><w:tblGrid>",
        );
        for w in &self.grid {
            let _ = write!(out, "<w:gridCol w:w=\"{w}\"/>");
        }
        out.push_str("</w:tblGrid>");
        for r in &self.rows {
            r.write(out);
        }
        out.push_str("</w:tbl>");
    }
}

fn shd(out: &mut String, s: Shading) {
    let _ = write!(
        out,
        "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{:06X}\"/>",
        s.0
    );
}

/// Appends `text` escaped for XML. Characters XML 1.0 cannot carry (control
/// characters other than tab and line breaks, which no respondent can see
/// either) are written as U+FFFD, so one such character cannot make the
/// whole report unreadable.
pub fn escape_into(out: &mut String, text: &str) {
    // Byte by byte, copying the runs between replacements whole: every
    // character to replace is one ASCII byte, or U+FFFE/U+FFFF (EF BF BE,
    // EF BF BF), and a lead byte is always a character boundary.
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        // The plain bytes of a run, by table.
        i += crate::report::plain_prefix(&bytes[i..], &SPECIAL);
        let Some(&b) = bytes.get(i) else {
            break;
        };
        let (len, with) = match b {
            b'&' => (1, "&amp;"),
            b'<' => (1, "&lt;"),
            b'>' => (1, "&gt;"),
            b'"' => (1, "&quot;"),
            0..=0x1F => (1, "\u{FFFD}"),
            _ if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => (3, "\u{FFFD}"),
            _ => (0, ""),
        };
        if len == 0 {
            i += 1;
            continue;
        }
        out.push_str(&text[start..i]);
        out.push_str(with);
        i += len;
        start = i;
    }
    out.push_str(&text[start..]);
}

/// The bytes [`escape_into`] looks at: `& < > "`, control characters but
/// tab and line breaks, and 0xEF (the lead byte of U+FFFE and U+FFFF).
const SPECIAL: crate::report::Special<3, 5> = crate::report::Special {
    free: *b"\t\n\r",
    more: *b"&<>\"\xEF",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_are_marked() {
        let mut s = String::new();
        escape_into(&mut s, "a<b & \"c\"\u{1}");
        assert_eq!(s, "a&lt;b &amp; &quot;c&quot;\u{FFFD}");
        s.clear();
        escape_into(
            &mut s,
            "å\u{FFFE}ä\u{FFFF}\u{FFFD}\t\n\r\u{1F}>ö\u{FF01}\u{EFFF}",
        );
        assert_eq!(
            s,
            "å\u{FFFD}ä\u{FFFD}\u{FFFD}\t\n\r\u{FFFD}&gt;ö\u{FF01}\u{EFFF}"
        );
    }

    #[test]
    fn paragraph_properties_follow_the_schema_order() {
        let mut s = String::new();
        Paragraph::new()
            .style("Listtext")
            .keep_next(true)
            .numbering(2)
            .align(Align::Center)
            .add_run(Run::new().bold().add_text("x").add_break().add_text("y"))
            .write(&mut s);
        assert_eq!(
            s,
            "<w:p><w:pPr><w:pStyle w:val=\"Listtext\"/><w:keepNext/>\
             <w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"2\"/></w:numPr>\
             <w:jc w:val=\"center\"/></w:pPr><w:r><w:rPr><w:b/><w:bCs/></w:rPr>\
             <w:t>x</w:t><w:br/><w:t>y</w:t></w:r></w:p>"
        );
    }

    #[test]
    fn a_text_paragraph_is_the_paragraph_it_stands_for() {
        for (lead, text) in [
            (Some("RN: "), "a\nb & c\n"),
            (Some("RV: "), " indrag\n\tflik\n\nslut  "),
            (None, ""),
            (None, "x"),
        ] {
            let mut run = Run::new();
            let lines: Vec<&str> = text.split('\n').collect();
            for (i, line) in lines.iter().enumerate() {
                run = run.add_text(*line);
                if i + 1 < lines.len() {
                    run = run.add_break();
                }
            }
            let mut p = Paragraph::new().style("Tabelltext");
            if let Some(lead) = lead {
                p = p.add_run(Run::new().bold().add_text(lead));
            }
            let (mut built, mut direct) = (String::new(), String::new());
            p.add_run(run).write(&mut built);
            text_paragraph(&mut direct, "Tabelltext", lead, text);
            assert_eq!(built, direct);
        }
    }

    #[test]
    fn a_comment_paragraph_has_no_id_and_preserve_only_where_needed() {
        let mut s = String::new();
        text_paragraph(
            &mut s,
            "Tabelltext",
            Some("U0931: "),
            "Två  ord & mer\n\n slut\n\tflik i\tmitten\nsista ",
        );
        assert_eq!(
            s,
            "<w:p><w:pPr><w:pStyle w:val=\"Tabelltext\"/></w:pPr>\
             <w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:t xml:space=\"preserve\">U0931: </w:t></w:r>\
             <w:r><w:t>Två  ord &amp; mer</w:t><w:br/><w:br/>\
             <w:t xml:space=\"preserve\"> slut</w:t><w:br/>\
             <w:t xml:space=\"preserve\">\tflik i\tmitten</w:t><w:br/>\
             <w:t xml:space=\"preserve\">sista </w:t></w:r></w:p>"
        );
    }

    #[test]
    fn preserve_is_written_exactly_when_a_reader_would_change_the_text() {
        for (text, keep) in [
            ("ord", false),
            ("två ord", false),
            ("två  ord", false),
            ("\u{A0}hårt\u{A0}", false),
            (" före", true),
            ("efter ", true),
            (" ", true),
            ("\tflik", true),
            ("flik\t", true),
            ("in\tuti", true),
            ("vagn\rretur", true),
        ] {
            let mut s = String::new();
            text_element(&mut s, text);
            let head = if keep {
                "<w:t xml:space=\"preserve\">"
            } else {
                "<w:t>"
            };
            assert_eq!(s, format!("{head}{text}</w:t>"), "{text:?}");
        }
        let mut s = String::new();
        text_element(&mut s, "");
        assert_eq!(s, "", "empty text writes no element");
    }

    #[test]
    fn plain_runs_and_paragraphs_have_no_properties() {
        let mut s = String::new();
        Paragraph::new()
            .add_run(Run::new().add_text("två ord"))
            .write(&mut s);
        assert_eq!(s, "<w:p><w:r><w:t>två ord</w:t></w:r></w:p>");
    }
}
