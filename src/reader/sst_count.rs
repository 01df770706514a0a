//! The number of entries of a shared-string table by a byte scan, for the
//! common table where that scan provably gives quick_xml's answer.
//!
//! [`super::damage::shared_strings`] counts the `si` elements with
//! quick_xml, which stops at the first error. Parsing the whole table only
//! to count it cost about a tenth of a read, so a table is first scanned
//! here: text is skipped with `memchr`, only the tags are looked at. The
//! scan gives up (`None`, and the caller parses as before) on anything
//! where the two could disagree:
//! - a comment, CDATA section, DOCTYPE or processing instruction (`<!`,
//!   `<?` after the XML declaration), where `<si>` may be mere text;
//! - a prefixed element name (`<x:si>` is an `si` to quick_xml);
//! - what quick_xml reports as an error and stops at: bytes that are not
//!   UTF-8, a tag or quote not closed, an end tag that does not match, a
//!   `&` without its `;`;
//! - a count other than the `uniqueCount` the table declares.

use memchr::{memchr2, memchr3, memmem};
use quick_xml::events::BytesStart;

/// The UTF-8 byte order mark, which quick_xml skips.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The number of `si` elements of the table `xml`, or `None` when only a
/// full parse can tell.
pub(crate) fn count(xml: &[u8]) -> Option<u64> {
    let xml = xml.strip_prefix(BOM).unwrap_or(xml);
    // A first byte other than `<`, or a NUL after it, may be UTF-16, which
    // quick_xml detects from these bytes.
    if xml.first() != Some(&b'<') || xml.get(1) == Some(&0) {
        return None;
    }
    // simdutf8 checks the same thing as `str::from_utf8` several times
    // faster on text that is not ASCII: at about 0.8 GB/s the std check was
    // 4 % of a read (Swedish comments are full of å, ä, ö).
    simdutf8::basic::from_utf8(xml).ok()?;
    let body = &xml[declaration_end(xml)?..];
    let (n, root) = count_tags(body)?;
    let declared = match root {
        Some(tag) => declared(tag)?,
        None => None,
    };
    match declared {
        Some(declared) if declared != n => None,
        _ => Some(n),
    }
}

/// Where the XML declaration at the start of `xml` ends (0 without one).
/// It ends, as in quick_xml, at the first `?>`.
fn declaration_end(xml: &[u8]) -> Option<usize> {
    let decl = xml.starts_with(b"<?xml") && xml.get(5).is_some_and(|b| is_space(*b));
    if !decl {
        return Some(0);
    }
    memmem::find(&xml[2..], b"?>").map(|p| 2 + p + 2)
}

/// The `si` elements of `body` and the content of its first start tag
/// (the root, `sst`), following quick_xml's tokenizing: text up to `<` or
/// `&`, a reference up to `;`, a tag up to the first `>` outside quotes.
fn count_tags(body: &[u8]) -> Option<(u64, Option<&[u8]>)> {
    let mut tags = Tags::default();
    let mut at = 0;
    while let Some(p) = memchr2(b'<', b'&', &body[at..]) {
        let p = at + p;
        if body[p] == b'&' {
            // quick_xml refuses a reference not closed before `&` or `<`.
            let close = p + 1 + memchr3(b';', b'&', b'<', &body[p + 1..])?;
            (body[close] == b';').then_some(())?;
            at = close + 1;
        } else {
            let end = tag_end(body, p + 1)?;
            tags.push(&body[p + 1..end])?;
            at = end + 1;
        }
    }
    Some((tags.si, tags.root))
}

/// The tags seen so far.
#[derive(Default)]
struct Tags<'a> {
    /// `si` start and empty tags.
    si: u64,
    /// The content of the first start or empty tag.
    root: Option<&'a [u8]>,
    /// The names of the elements open, innermost last.
    open: Vec<&'a [u8]>,
}

impl<'a> Tags<'a> {
    /// Takes the tag with `content` (between `<` and `>`); `None` where
    /// quick_xml would see more than an element or stop.
    fn push(&mut self, content: &'a [u8]) -> Option<()> {
        match content.first() {
            // Comment, CDATA, DOCTYPE, processing instruction.
            Some(b'!' | b'?') => None,
            Some(b'/') => {
                // quick_xml compares the whole end tag, trailing space trimmed.
                let name = &content[1..];
                let len = name
                    .iter()
                    .rposition(|b| !is_space(*b))
                    .map_or(0, |p| p + 1);
                (self.open.pop()? == &name[..len]).then_some(())
            }
            _ => {
                let empty = content.strip_suffix(b"/");
                let tag = empty.unwrap_or(content);
                let len = tag.iter().position(|b| is_space(*b)).unwrap_or(tag.len());
                let name = &tag[..len];
                if name.contains(&b':') {
                    return None;
                }
                self.si += u64::from(name == b"si");
                self.root = self.root.or(Some(tag));
                if empty.is_none() {
                    self.open.push(name);
                }
                Some(())
            }
        }
    }
}

/// The position of the `>` closing the tag whose content starts at
/// `from`: the first one outside single or double quotes. (Tags are
/// short: a loop is cheaper here than `memchr`.)
fn tag_end(body: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in body[from..].iter().enumerate() {
        match (quote, b) {
            (None, b'>') => return Some(from + i),
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            _ => {}
        }
    }
    None
}

/// The `uniqueCount` the root tag `tag` declares: `Some(None)` when it
/// declares none, `None` when it is not a number or the tag unreadable.
fn declared(tag: &[u8]) -> Option<Option<u64>> {
    let tag = std::str::from_utf8(tag).ok()?;
    let len = tag.bytes().position(is_space).unwrap_or(tag.len());
    let start = BytesStart::from_content(tag, len);
    match start.try_get_attribute("uniqueCount").ok()? {
        None => Some(None),
        Some(a) => a.value.parse().ok().map(Some),
    }
}

/// XML white space, as quick_xml defines it.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;

    /// quick_xml's count, as `damage::shared_strings` makes it.
    fn parsed(xml: &[u8]) -> u64 {
        let mut reader = quick_xml::Reader::from_reader(xml);
        let (mut n, mut buf) = (0, Vec::new());
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "si" => n += 1,
                Ok(Event::Eof) | Err(_) => break,
                _ => {}
            }
            buf.clear();
        }
        n
    }

    fn table(items: &str, unique: Option<usize>) -> String {
        let unique = unique
            .map(|u| format!(" uniqueCount=\"{u}\""))
            .unwrap_or_default();
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"9\"{unique}>{items}</sst>"
        )
    }

    #[test]
    fn a_plain_table_is_counted_as_quick_xml_counts_it() {
        let items = "<si><t>Ja</t></si><si><t xml:space=\"preserve\"> a &amp; b </t></si><si/><si ><r><rPr><b/></rPr><t>c&gt;d</t></r></si>";
        for xml in [
            table(items, Some(4)),
            table(items, None),
            format!("\u{feff}{}", table(items, None)),
        ] {
            assert_eq!(count(xml.as_bytes()), Some(4), "{xml}");
            assert_eq!(parsed(xml.as_bytes()), 4);
        }
        assert_eq!(count(table("", Some(0)).as_bytes()), Some(0));
    }

    #[test]
    fn markup_that_can_hide_or_add_entries_is_left_to_the_parser() {
        let cases = [
            "<!-- <si><t>x</t></si> --><si><t>a</t></si>",
            "<si><t><![CDATA[<si>]]></t></si>",
            "<?pi <si>?><si><t>a</t></si>",
            "<x:si xmlns:x=\"urn:x\"><x:t>a</x:t></x:si>",
        ];
        for items in cases {
            let xml = table(items, None);
            assert_eq!(count(xml.as_bytes()), None, "{items}");
        }
        let doctype = b"<?xml version=\"1.0\"?><!DOCTYPE sst><sst><si/></sst>";
        assert_eq!(count(doctype), None);
    }

    #[test]
    fn a_count_other_than_the_declared_unique_count_is_left_to_the_parser() {
        let items = "<si><t>a</t></si><si><t>b</t></si>";
        assert_eq!(count(table(items, Some(3)).as_bytes()), None);
        assert_eq!(count(table(items, Some(1)).as_bytes()), None);
        assert_eq!(count(table(items, Some(2)).as_bytes()), Some(2));
        let bad = table(items, None).replace("count=\"9\"", "uniqueCount=\"två\"");
        assert_eq!(count(bad.as_bytes()), None);
    }

    #[test]
    fn what_quick_xml_stops_at_is_left_to_the_parser() {
        let cases = [
            "<si><t>a</x></si><si><t>b</t></si>",
            "</si><si><t>b</t></si>",
            "<si><t>a & b</t></si><si/>",
            "<si><t>a &amp b</t></si><si/>",
            "<si><t q=\"a>b</t></si>",
            "<si><t>a</t></si><si/ >",
        ];
        for items in cases {
            let xml = table(items, None);
            assert_eq!(count(xml.as_bytes()), None, "{items}");
        }
        let unclosed = "<sst><si><t>a</t></si><si";
        assert_eq!(count(unclosed.as_bytes()), None);
        let mut latin1 = table("<si><t>a</t></si>", None).into_bytes();
        latin1.extend_from_slice(b"\xE5");
        assert_eq!(count(&latin1), None);
        let utf16: Vec<u8> = table("<si/>", None).bytes().flat_map(|b| [b, 0]).collect();
        assert_eq!(count(&utf16), None);
    }

    #[test]
    fn quotes_and_tags_that_quick_xml_reads_alike_are_counted() {
        let items = "<si><t a='x>\"y' q=\"<si>\">p</t></si><si\t/><si><t>q</t ></si><si/>";
        let xml = table(items, None);
        assert_eq!(count(xml.as_bytes()), Some(parsed(xml.as_bytes())));
        assert_eq!(count(xml.as_bytes()), Some(4));
    }

    /// A package holding only `xl/sharedStrings.xml` with `xml`.
    fn package(xml: &str) -> zip::ZipArchive<std::io::Cursor<Vec<u8>>> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("xl/sharedStrings.xml", options)
            .expect("entry");
        std::io::Write::write_all(&mut zip, xml.as_bytes()).expect("written");
        let bytes = zip.finish().expect("finished").into_inner();
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("readable")
    }

    #[test]
    fn the_reader_counts_what_the_scan_leaves_by_parsing() {
        let none = std::collections::BTreeSet::new();
        let cases = [
            ("<!-- <si><t>x</t></si> --><si><t>a</t></si>", None, 1),
            ("<si><t><![CDATA[</t></si><si><t>]]></t></si>", None, 1),
            ("<x:si xmlns:x=\"urn:x\"/><si/>", None, 2),
            ("<si/><si/>", Some(5), 2),
            ("<si/><si/><si/>", Some(3), 3),
        ];
        for (items, unique, n) in cases {
            let mut zip = package(&table(items, unique));
            let (counted, _) = super::super::damage::shared_strings(&mut zip, &none);
            assert_eq!(counted, n, "{items}");
        }
    }
}
