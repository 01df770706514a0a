//! The `.docx` package: `word/document.xml` compressed while it is written,
//! then the small parts (styles, numbering, footer, properties) that the
//! body refers to. Every part has a fixed date, so the same report gives
//! the same bytes.

use std::fmt::Write as _;
use std::io::{Seek, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::ooxml::escape_into;

/// Namespaces of the document and the footer (no Word 2010 `w14`: its
/// `paraId` is no longer written).
const NS: &str = "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
    xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// A package being written: the body is open until [`Package::finish`].
pub(super) struct Package<W: Write + Seek> {
    zip: ZipWriter<W>,
}

/// What the parts after the body need to know.
pub(super) struct Parts<'a> {
    /// The document's title (core properties).
    pub title: &'a str,
    /// The footer's paragraph, as XML.
    pub footer: &'a str,
    /// How many numbered lists the body has (each restarts at 1).
    pub lists: usize,
    /// The styles part, as XML.
    pub styles: &'a str,
    /// Creation and modification date, W3CDTF.
    pub date: &'a str,
    /// Page size and margin, twips: width, height, margin, header/footer distance.
    pub page: [u32; 4],
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        // Level 1: the body is highly repetitive markup; higher levels
        // cost several times the CPU for a few per cent of size.
        .compression_level(Some(1))
        .last_modified_time(DateTime::default())
}

impl<W: Write + Seek> Package<W> {
    /// Starts the package and its body.
    pub fn new(out: W) -> zip::result::ZipResult<Package<W>> {
        let mut zip = ZipWriter::new(out);
        zip.start_file("word/document.xml", options())?;
        write!(zip, "{XML_HEAD}<w:document {NS}><w:body>")?;
        Ok(Package { zip })
    }

    /// Where the body's text goes: `word/document.xml`, open. Write
    /// complete elements only.
    pub fn body(&mut self) -> &mut ZipWriter<W> {
        &mut self.zip
    }

    /// Ends the body with the page setup and writes the other parts.
    pub fn finish(mut self, p: &Parts) -> zip::result::ZipResult<W> {
        let [w, h, m, hf] = p.page;
        let mut body = String::new();
        let _ = write!(
            body,
            "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter1\"/>\
             <w:pgSz w:w=\"{w}\" w:h=\"{h}\"/><w:pgMar w:top=\"{m}\" w:right=\"{m}\" \
             w:bottom=\"{m}\" w:left=\"{m}\" w:header=\"{hf}\" w:footer=\"{hf}\" w:gutter=\"0\"/>\
             <w:cols w:space=\"425\" w:num=\"1\"/></w:sectPr></w:body></w:document>"
        );
        self.zip.write_all(body.as_bytes())?;
        let footer = format!("{XML_HEAD}<w:ftr {NS}>{}</w:ftr>", p.footer);
        let parts: [(&str, String); 10] = [
            ("[Content_Types].xml", content_types()),
            ("_rels/.rels", package_rels()),
            ("docProps/core.xml", core(p.title, p.date)),
            ("docProps/app.xml", app()),
            ("word/_rels/document.xml.rels", document_rels()),
            ("word/styles.xml", p.styles.to_string()),
            ("word/numbering.xml", numbering(p.lists)),
            ("word/settings.xml", settings()),
            ("word/fontTable.xml", font_table()),
            ("word/footer1.xml", footer),
        ];
        for (name, xml) in parts {
            self.zip.start_file(name, options())?;
            self.zip.write_all(xml.as_bytes())?;
        }
        self.zip.finish()
    }
}

const WML: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml";

fn content_types() -> String {
    let mut s = format!(
        "{XML_HEAD}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
    );
    for (part, kind) in [
        ("document", "document.main"),
        ("styles", "styles"),
        ("numbering", "numbering"),
        ("settings", "settings"),
        ("fontTable", "fontTable"),
        ("footer1", "footer"),
    ] {
        let _ = write!(
            s,
            "<Override PartName=\"/word/{part}.xml\" ContentType=\"{WML}.{kind}+xml\"/>"
        );
    }
    s + "</Types>"
}

const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn rels(items: &[(&str, &str, &str)]) -> String {
    let mut s = format!(
        "{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    );
    for (id, kind, target) in items {
        let _ = write!(
            s,
            "<Relationship Id=\"{id}\" Type=\"{kind}\" Target=\"{target}\"/>"
        );
    }
    s + "</Relationships>"
}

fn package_rels() -> String {
    rels(&[
        (
            "rId1",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
        ),
        (
            "rId2",
            &format!("{REL}/extended-properties"),
            "docProps/app.xml",
        ),
        (
            "rId3",
            &format!("{REL}/officeDocument"),
            "word/document.xml",
        ),
    ])
}

fn document_rels() -> String {
    rels(&[
        ("rId1", &format!("{REL}/styles"), "styles.xml"),
        ("rId2", &format!("{REL}/fontTable"), "fontTable.xml"),
        ("rId3", &format!("{REL}/settings"), "settings.xml"),
        ("rId4", &format!("{REL}/numbering"), "numbering.xml"),
        ("rIdFooter1", &format!("{REL}/footer"), "footer1.xml"),
    ])
}

fn core(title: &str, date: &str) -> String {
    let mut t = String::new();
    escape_into(&mut t, title);
    format!(
        "{XML_HEAD}<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{t}</dc:title>\
         <dc:creator>samla</dc:creator>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:modified>\
         </cp:coreProperties>"
    )
}

fn app() -> String {
    format!(
        "{XML_HEAD}<Properties \
         xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
         <Application>samla</Application></Properties>"
    )
}

/// One numbering definition per list, so that each list starts at 1.
fn numbering(lists: usize) -> String {
    let mut s = format!(
        "{XML_HEAD}<w:numbering \
         xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    );
    for id in 1..=lists {
        let _ = write!(
            s,
            "<w:abstractNum w:abstractNumId=\"{id}\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/>\
             <w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.\"/><w:lvlJc w:val=\"left\"/>\
             <w:pPr><w:ind w:left=\"567\" w:hanging=\"397\"/></w:pPr></w:lvl></w:abstractNum>"
        );
    }
    for id in 1..=lists {
        let _ = write!(
            s,
            "<w:num w:numId=\"{id}\"><w:abstractNumId w:val=\"{id}\"/></w:num>"
        );
    }
    s + "</w:numbering>"
}

fn settings() -> String {
    format!(
        "{XML_HEAD}<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"840\"/><w:compat>\
         <w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/>\
         </w:compat></w:settings>"
    )
}

fn font_table() -> String {
    format!(
        "{XML_HEAD}<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:font w:name=\"Arial\"><w:charset w:val=\"00\"/><w:family w:val=\"swiss\"/>\
         <w:pitch w:val=\"variable\"/></w:font></w:fonts>"
    )
}
