//! Decides a file's format from its bytes, not its name, and checks its
//! container (zip entries, compound-file streams) before any parser sees
//! it: encrypted only when it really is, a CSV or text file called what it
//! is, a name that says another format noted, duplicate zip parts refused.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{Cursor, Read, Seek};

use super::onepass::{self, OnePass, SheetCells};
use super::{damage, prescan, props, DocProperties, Doubt, Format, Limits, ReadFailure};
use crate::finding::{CellRef, FindingCode};

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What the container told before parsing.
pub(crate) struct Sniffed {
    pub format: Format,
    pub properties: DocProperties,
    /// Findings-to-be about the file and its cells.
    pub doubts: Vec<Doubt>,
    /// The package calamine reads when it is not the file's bytes: with
    /// its parts stored uncompressed, and/or with doubtful cells blanked.
    pub patched: Option<Vec<u8>>,
    /// `.xlsx` formulas by sheet and cell.
    pub formulas: BTreeMap<String, BTreeMap<CellRef, String>>,
    /// The `.xlsx` as read by the scans in one pass ([`onepass`]); None when
    /// calamine reads it (`patched` or the file's bytes).
    pub onepass: Option<OnePass>,
}

impl Sniffed {
    fn new(format: Format, properties: DocProperties) -> Sniffed {
        Sniffed {
            format,
            properties,
            doubts: Vec::new(),
            patched: None,
            formulas: BTreeMap::new(),
            onepass: None,
        }
    }
}

const ENCRYPTED: &str = "filen är lösenordsskyddad (krypterad). Ta bort lösenordet (Arkiv > Info > Skydda arbetsbok) och skicka igen";

/// Decides the format and checks the container against the limits; with
/// `onepass`, an ordinary `.xlsx` is also read by the scans ([`onepass`]).
pub(crate) fn sniff(
    bytes: &[u8],
    ext: &str,
    limits: &Limits,
    onepass: bool,
) -> Result<Sniffed, ReadFailure> {
    if bytes.is_empty() {
        return Err(ReadFailure::unreadable("filen är tom (0 byte)"));
    }
    let mut sniffed = if bytes.starts_with(CFB_MAGIC) {
        compound(bytes, limits)?
    } else if bytes.starts_with(ZIP_MAGIC) {
        package(bytes, limits, onepass)?
    } else {
        return Err(not_a_workbook(bytes));
    };
    if let Some(d) = wrong_extension(sniffed.format, ext) {
        sniffed.doubts.insert(0, d);
    }
    Ok(sniffed)
}

/// A compound file: an `.xls`, or an encrypted OOXML package (Excel puts
/// those in an `EncryptedPackage` stream whatever the name says).
fn compound(bytes: &[u8], limits: &Limits) -> Result<Sniffed, ReadFailure> {
    if let Ok(cfb) = cfb::CompoundFile::open(Cursor::new(bytes)) {
        if cfb.is_stream("EncryptedPackage") {
            return Err(ReadFailure::unreadable(ENCRYPTED));
        }
    }
    if prescan::xls(bytes, limits)? {
        return Err(ReadFailure::unreadable(ENCRYPTED));
    }
    Ok(Sniffed::new(Format::Xls, props::from_cfb(bytes)))
}

/// Neither zip nor compound file: says what it is when it can tell.
fn not_a_workbook(bytes: &[u8]) -> ReadFailure {
    let head = &bytes[..bytes.len().min(4096)];
    let text = !head.contains(&0)
        && std::str::from_utf8(head)
            .is_ok_and(|s| !s.chars().any(|c| c.is_control() && !c.is_whitespace()));
    if !text {
        return ReadFailure::unreadable(
            "filen är inget kalkylblad (varken .xlsx, .xlsm, .xlsb, .xls eller .ods). Kontrollera att rätt fil skickades",
        );
    }
    let lines: Vec<&str> = std::str::from_utf8(head)
        .unwrap_or("")
        .lines()
        .take(5)
        .collect();
    let separated = lines.len() > 1
        && [';', ',', '\t']
            .iter()
            .any(|&sep| lines.iter().all(|l| l.contains(sep)));
    if separated {
        ReadFailure::unreadable(
            "filen är en CSV-fil (text med värden åtskilda av semikolon, komma eller tabb), inget kalkylblad, fast den heter som ett. Fyll i den utskickade mallen i Excel och spara den som Excel-arbetsbok (.xlsx)",
        )
    } else {
        ReadFailure::unreadable(
            "filen är en textfil, inget kalkylblad, fast den heter som ett. Fyll i den utskickade mallen i Excel och spara den som Excel-arbetsbok (.xlsx)",
        )
    }
}

/// An info doubt when the name says another format than the content.
fn wrong_extension(format: Format, ext: &str) -> Option<Doubt> {
    let named = match ext {
        "xlsx" | "xlsm" => Format::Xlsx,
        "xlsb" => Format::Xlsb,
        "xls" => Format::Xls,
        "ods" => Format::Ods,
        _ => return None,
    };
    let what = match format {
        Format::Xlsx => "en Excel-arbetsbok (.xlsx)",
        Format::Xlsb => "en binär Excel-arbetsbok (.xlsb)",
        Format::Xls => "en Excel 97–2003-arbetsbok (.xls)",
        Format::Ods => "ett OpenDocument-kalkylblad (.ods)",
    };
    (named != format).then(|| {
        Doubt::file(
            FindingCode::WrongExtension,
            format!("Filen heter .{ext} men är {what}; den lästes som det den är. Inget behöver göras, men spara gärna med rätt filändelse nästa gång"),
        )
    })
}

/// A zip package: limits, duplicate parts, the format, then the checks of
/// its parts.
fn package(bytes: &[u8], limits: &Limits, onepass: bool) -> Result<Sniffed, ReadFailure> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ReadFailure::unreadable(format!(
            "filen är trasig eller avkortad (zip-arkivet kan inte läsas: {e})"
        ))
    })?;
    if let Some(name) = duplicate_name(bytes) {
        return Err(ReadFailure::unreadable(format!(
            "filen är skadad: arkivet har två delar med samma namn ({name}), så det går inte att veta vilken som gäller. Öppna filen i Excel, spara om den och skicka igen"
        )));
    }
    let (format, total) = entries(&mut zip, limits)?;
    // The checks below and calamine each read the parts again; a small,
    // sound package is inflated once, and all of them read the copy.
    if let Some(stored) = stored_copy(&mut zip, bytes, total) {
        let copy = zip::ZipArchive::new(Cursor::new(stored.as_slice()));
        if let Ok(mut copy) = copy {
            let mut sniffed = parts(&mut copy, &stored, true, format, limits, onepass)?;
            if sniffed.patched.is_none() && sniffed.onepass.is_none() {
                sniffed.patched = Some(stored);
            }
            return Ok(sniffed);
        }
    }
    // A damaged or large package is read the old way only.
    parts(&mut zip, bytes, false, format, limits, false)
}

/// The checks of a package's parts, by format; `bytes` is the package
/// `zip` reads, `copy` whether it is the stored copy ([`stored_copy`]:
/// its parts are then borrowed where they lie).
fn parts<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    bytes: &[u8],
    copy: bool,
    format: Format,
    limits: &Limits,
    onepass: bool,
) -> Result<Sniffed, ReadFailure> {
    let copy = copy.then_some(bytes);
    if let Ok(i) = zip.index_for_name("xl/sharedStrings.xml").ok_or(()) {
        let declared = declared_shared_strings(zip, i, copy);
        if declared > limits.max_shared_strings {
            return Err(ReadFailure::limit(format!(
                "tabellen över delade texter anger {declared} poster, gränsen är {}",
                limits.max_shared_strings
            )));
        }
    }
    let mut sniffed = Sniffed::new(format, props::from_zip(zip, format == Format::Ods, copy));
    match format {
        Format::Xlsx => xlsx_cells(zip, bytes, copy, &mut sniffed, onepass.then_some(limits))?,
        Format::Ods => prescan::ods(zip, limits)?,
        Format::Xlsb | Format::Xls => {}
    }
    Ok(sniffed)
}

/// Declared unpacked bytes of a package up to which it is inflated once
/// into memory ([`stored_copy`]); a real return is about 70 KB.
const STORED_COPY_MAX: u64 = 8 << 20;

/// The package with every part inflated once and stored uncompressed, in
/// the same order and with the same names, so that the scans and calamine
/// read parts without inflating them again. Only for a package whose
/// declared total is small (checked by [`entries`] and against
/// [`STORED_COPY_MAX`] before anything is allocated) and whose every part
/// inflates to exactly its declared size with a correct checksum, under a
/// plain ASCII name. None otherwise: such a file is read as it is, so what
/// is said about a damaged or hostile file does not change.
fn stored_copy(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    bytes: &[u8],
    total: u64,
) -> Option<Vec<u8>> {
    if total > STORED_COPY_MAX || zip.len() > usize::from(u16::MAX) {
        return None;
    }
    // Each entry adds two headers with its name: about 100 bytes.
    let mut out = StoredZip::new(total as usize + 128 * zip.len() + 64);
    // One inflater for all parts.
    let mut inflater = libdeflater::Decompressor::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).ok()?;
        let name = entry.name().ok()?.into_owned();
        if !name.is_ascii() || entry.encrypted() {
            return None;
        }
        let at = usize::try_from(entry.data_start()?).ok()?;
        let len = usize::try_from(entry.compressed_size()).ok()?;
        let packed = bytes.get(at..at.checked_add(len)?)?;
        let (method, size, crc) = (entry.compression(), entry.size(), entry.crc32());
        out.add(&name, size, crc, |out| {
            unpack(&mut inflater, method, packed, size, out)
        })?;
    }
    Some(out.finish())
}

/// Appends to `out` the bytes of a part stored as `packed` by `method`
/// (`size` bytes declared), inflated straight into place, when the
/// compressed stream ends within `size` bytes; None otherwise, or for a
/// method other than stored or deflated. libdeflate inflates a whole
/// buffer about twice as fast as zlib-rs streaming (inflating was a
/// quarter of a read).
fn unpack(
    inflater: &mut libdeflater::Decompressor,
    method: zip::CompressionMethod,
    packed: &[u8],
    size: u64,
    out: &mut Vec<u8>,
) -> Option<()> {
    match method {
        zip::CompressionMethod::Stored => out.extend_from_slice(packed),
        zip::CompressionMethod::Deflated => {
            let from = out.len();
            out.resize(from.checked_add(usize::try_from(size).ok()?)?, 0);
            // A part that inflates past its size fails for want of room.
            let n = inflater.deflate_decompress(packed, &mut out[from..]).ok()?;
            out.truncate(from + n);
        }
        _ => return None,
    }
    Some(())
}

/// A zip package of stored (uncompressed) parts, written in memory. zip's
/// own writer computed each part's checksum again and set up a part in
/// about 6,000 instructions, 3 % of a read; here a part is inflated
/// straight into place, its checksum computed once, and its headers are
/// written around it.
struct StoredZip {
    out: Vec<u8>,
    /// The central directory's entries, written after the parts.
    directory: Vec<u8>,
    entries: u16,
}

impl StoredZip {
    fn new(room: usize) -> StoredZip {
        StoredZip {
            out: Vec::with_capacity(room),
            directory: Vec::new(),
            entries: 0,
        }
    }

    /// Adds part `name` (ASCII; a directory when it ends with `/`) of
    /// `size` bytes with checksum `crc`, whose bytes `data` appends to the
    /// package; None when they are not exactly that, or past the format's
    /// 32-bit sizes.
    fn add(
        &mut self,
        name: &str,
        size: u64,
        crc: u32,
        data: impl FnOnce(&mut Vec<u8>) -> Option<()>,
    ) -> Option<()> {
        let offset = u32::try_from(self.out.len()).ok()?;
        let size32 = u32::try_from(size).ok()?;
        let name_len = u16::try_from(name.len()).ok()?;
        // Version 1.0, no flags, stored, 1980-01-01 00:00.
        let common = |h: &mut Vec<u8>| {
            for v in [10u16, 0, 0, 0, 0x21] {
                h.extend_from_slice(&v.to_le_bytes());
            }
            for v in [crc, size32, size32] {
                h.extend_from_slice(&v.to_le_bytes());
            }
            h.extend_from_slice(&name_len.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
        };
        self.out.extend_from_slice(b"PK\x03\x04");
        common(&mut self.out);
        self.out.extend_from_slice(name.as_bytes());
        let from = self.out.len();
        data(&mut self.out)?;
        let part = &self.out[from..];
        if part.len() as u64 != size || crc32fast::hash(part) != crc {
            return None;
        }
        let d = &mut self.directory;
        d.extend_from_slice(b"PK\x01\x02");
        // Made by version 2.0 (MS-DOS attributes).
        d.extend_from_slice(&20u16.to_le_bytes());
        common(d);
        // No comment, disk 0, no internal attributes; MS-DOS directory bit.
        for v in [0u16, 0, 0] {
            d.extend_from_slice(&v.to_le_bytes());
        }
        let external: u32 = if name.ends_with('/') { 0x10 } else { 0 };
        d.extend_from_slice(&external.to_le_bytes());
        d.extend_from_slice(&offset.to_le_bytes());
        d.extend_from_slice(name.as_bytes());
        self.entries = self.entries.checked_add(1)?;
        Some(())
    }

    /// The package: the parts, the central directory, its end record.
    fn finish(mut self) -> Vec<u8> {
        let at = self.out.len() as u32;
        let len = self.directory.len() as u32;
        self.out.extend_from_slice(&self.directory);
        self.out.extend_from_slice(b"PK\x05\x06");
        for v in [0u16, 0, self.entries, self.entries] {
            self.out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [len, at] {
            self.out.extend_from_slice(&v.to_le_bytes());
        }
        self.out.extend_from_slice(&0u16.to_le_bytes());
        self.out
    }
}

/// A name that two entries of the zip's central directory share. The zip
/// crate keeps one entry per name, so the directory is read here.
fn duplicate_name(bytes: &[u8]) -> Option<String> {
    let u16_at = |i: usize| {
        bytes
            .get(i..i + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u32_at = |i: usize| {
        bytes
            .get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let eocd = bytes.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let (count, mut p) = (u16_at(eocd + 10)?, u32_at(eocd + 16)?);
    let mut names = HashSet::new();
    for _ in 0..count {
        if bytes.get(p..p + 4)? != b"PK\x01\x02" {
            return None;
        }
        let (n, extra, comment) = (u16_at(p + 28)?, u16_at(p + 30)?, u16_at(p + 32)?);
        let name = String::from_utf8_lossy(bytes.get(p + 46..p + 46 + n)?).into_owned();
        if !names.insert(name.to_ascii_lowercase()) {
            return Some(name);
        }
        p += 46 + n + extra + comment;
    }
    None
}

/// Checks every entry's sizes and names; returns the package's format and
/// the declared unpacked size of all its entries.
fn entries<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<(Format, u64), ReadFailure> {
    if zip.len() > limits.max_entries {
        return Err(ReadFailure::limit(format!(
            "arkivet har {} delar, gränsen är {}",
            zip.len(),
            limits.max_entries
        )));
    }
    let (mut total, mut sheets, mut format) = (0u64, 0usize, None);
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| ReadFailure::unreadable(format!("trasigt zip-arkiv: {e}")))?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        if size > limits.max_entry_bytes {
            return Err(ReadFailure::limit(format!(
                "delen {name} packas upp till {} MB, gränsen är {} MB (möjlig zip-bomb)",
                size >> 20,
                limits.max_entry_bytes >> 20
            )));
        }
        if size > (1 << 20) && size / packed > limits.max_ratio {
            return Err(ReadFailure::limit(format!(
                "delen {name} packas upp {} gånger (gränsen är {}): möjlig zip-bomb",
                size / packed,
                limits.max_ratio
            )));
        }
        total = total.saturating_add(size);
        match name.as_str() {
            "xl/workbook.xml" => format = Some(Format::Xlsx),
            "xl/workbook.bin" => format = Some(Format::Xlsb),
            "content.xml" if format.is_none() => format = Some(Format::Ods),
            _ => {}
        }
        if name.starts_with("xl/worksheets/sheet") || name.starts_with("xl/chartsheets/") {
            sheets += 1;
        }
    }
    if total > limits.max_total_bytes {
        return Err(ReadFailure::limit(format!(
            "arkivet packas upp till {} MB, gränsen är {} MB",
            total >> 20,
            limits.max_total_bytes >> 20
        )));
    }
    if sheets > limits.max_sheets {
        return Err(ReadFailure::limit(format!(
            "arbetsboken har {sheets} blad, gränsen är {}",
            limits.max_sheets
        )));
    }
    let format = format.ok_or_else(|| {
        ReadFailure::unreadable(
            "zip-filen är inget kalkylblad (ingen arbetsbok i arkivet). Kontrollera att rätt fil skickades",
        )
    })?;
    Ok((format, total))
}

/// Checks the references of an `.xlsx`'s parts, scans its sheets for
/// cells calamine would guess about and records them as doubts. With
/// `onepass` (the limits), the scans also read the cells: such cells are
/// then left out; otherwise they are blanked in a copy of the package for
/// calamine.
fn xlsx_cells<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    bytes: &[u8],
    copy: Option<&[u8]>,
    sniffed: &mut Sniffed,
    onepass: Option<&Limits>,
) -> Result<(), ReadFailure> {
    let plain = onepass.and_then(|_| onepass::plain_table(zip, bytes));
    let strings = match &plain {
        Some(plain) => plain.len() as u64,
        None => damage::shared_strings(zip, &BTreeSet::new()).0,
    };
    let sheets = damage::sheet_parts(zip, copy);
    let mut scanned = scan_parts(zip, bytes, copy, &sheets, strings, onepass)?;
    let read = onepass
        .and_then(|l| onepass::assemble(zip, &sheets, bytes, plain, &mut scanned, strings, l));
    let scans: Vec<(String, String, &damage::PartScan)> = sheets
        .into_iter()
        .filter_map(|(name, part)| {
            let scan = scanned.get(&part)?;
            Some((name, part, scan))
        })
        .collect();
    let wanted: BTreeSet<u64> = scans.iter().flat_map(|(_, _, s)| s.wanted()).collect();
    let texts = if wanted.is_empty() {
        BTreeMap::new()
    } else {
        damage::shared_strings(zip, &wanted).1
    };
    let mut blank = BTreeMap::new();
    for (name, part, scan) in scans {
        sniffed.doubts.extend(scan.doubts(&name, strings, &texts));
        if !scan.blanks().is_empty() {
            blank.insert(part, scan.blanks().to_vec());
        }
        sniffed.formulas.insert(name, scan.formulas.clone());
    }
    if read.is_some() {
        sniffed.onepass = read;
        return Ok(());
    }
    if !blank.is_empty() {
        sniffed.patched = Some(damage::blank_cells(bytes, &blank)?);
    }
    Ok(())
}

/// Reads every part once, in the package's order (`bytes` is the package
/// `zip` reads): checks the references of the SpreadsheetML parts
/// ([`prescan`]; the first bad one refuses the file) and scans the sheet
/// parts among `sheets` ([`damage`]), both in one pass where a part is
/// both; with `values`, the scans also read the cells ([`onepass`]).
/// Returns the scans by part.
fn scan_parts<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    bytes: &[u8],
    copy: Option<&[u8]>,
    sheets: &[(String, String)],
    strings: u64,
    values: Option<&Limits>,
) -> Result<HashMap<String, damage::PartScan>, ReadFailure> {
    let sheet_parts: HashSet<&str> = sheets.iter().map(|(_, p)| p.as_str()).collect();
    let mut scans = HashMap::new();
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index(i) else { continue };
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let refs = prescan::has_refs(&name).then_some(name.as_str());
        if sheet_parts.contains(name.as_str()) {
            let cells = values.map(SheetCells::new);
            // Read the one-pass way, the stored copy's part is parsed where
            // it lies.
            let scan = match onepass::stored(&entry, bytes).filter(|_| cells.is_some()) {
                Some(xml) if onepass::plain_utf8(xml) => {
                    damage::scan_slice(xml, strings, refs, cells)?
                }
                _ => damage::scan_part(entry, strings, refs, cells)?,
            };
            scans.insert(name, scan);
        } else if refs.is_some() {
            drop(entry);
            prescan::xlsx_entry(zip, i, &name, copy)?;
        }
    }
    Ok(scans)
}

/// The `count`/`uniqueCount` a shared-string table declares: calamine
/// reserves that many entries up front, so a lie of billions would abort.
fn declared_shared_strings<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    index: usize,
    copy: Option<&[u8]>,
) -> u64 {
    let Ok(entry) = zip.by_index(index) else {
        return 0;
    };
    let mut buf = Vec::new();
    let head = match onepass::in_copy(&entry, copy) {
        Some(xml) => &xml[..xml.len().min(4096)],
        None if entry.take(4096).read_to_end(&mut buf).is_err() => return 0,
        None => &buf,
    };
    // The attributes are ASCII: found in the bytes, with no text made of them.
    let mut max = 0u64;
    for attr in [&b"uniqueCount=\""[..], b"count=\""] {
        for p in memchr::memmem::find_iter(head, attr) {
            let digits = &head[p + attr.len()..];
            let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
            let value = std::str::from_utf8(&digits[..n]).unwrap_or_default();
            max = max.max(value.parse::<u64>().unwrap_or(u64::MAX));
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn archive(bytes: &[u8]) -> zip::ZipArchive<Cursor<&[u8]>> {
        zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip")
    }

    fn stored(bytes: &[u8]) -> Option<Vec<u8>> {
        let mut zip = archive(bytes);
        let (_, total) = entries(&mut zip, &Limits::default()).expect("sound entries");
        stored_copy(&mut zip, bytes, total)
    }

    fn parts_of(bytes: &[u8]) -> Vec<(String, zip::CompressionMethod, Vec<u8>)> {
        let mut zip = archive(bytes);
        (0..zip.len())
            .map(|i| {
                let mut e = zip.by_index(i).expect("an entry");
                let mut data = Vec::new();
                e.read_to_end(&mut data).expect("readable");
                let name = e.name().expect("a name").into_owned();
                (name, e.compression(), data)
            })
            .collect()
    }

    #[test]
    fn the_stored_copy_has_the_same_parts_uncompressed() {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/inkorg/cancerplan-norr-2022-2024-RJH.xlsx");
        let bytes = std::fs::read(file).expect("the sample");
        let copy = stored(&bytes).expect("a real return is copied");
        let (orig, copied) = (parts_of(&bytes), parts_of(&copy));
        assert_eq!(orig.len(), copied.len());
        for ((n1, _, d1), (n2, m2, d2)) in orig.iter().zip(&copied) {
            assert_eq!((n1, d1), (n2, d2));
            assert_eq!(*m2, zip::CompressionMethod::Stored, "{n2}");
        }
    }

    fn one_part(name: &str, data: &[u8]) -> Vec<u8> {
        one_part_by(zip::CompressionMethod::Stored, name, data)
    }

    fn one_part_by(method: zip::CompressionMethod, name: &str, data: &[u8]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        out.start_file("xl/workbook.xml", opts).unwrap();
        out.start_file(name, opts).unwrap();
        out.write_all(data).unwrap();
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_damaged_or_large_package_is_read_as_it_is() {
        let good = one_part("xl/a.xml", b"<a>hello</a>");
        assert!(stored(&good).is_some());
        // The same bytes with one letter changed: its checksum fails.
        let mut bad = good.clone();
        let at = bad.windows(5).position(|w| w == b"hello").unwrap();
        bad[at] = b'j';
        assert!(stored(&bad).is_none());
        let big = one_part("xl/a.xml", &vec![b' '; STORED_COPY_MAX as usize + 1]);
        assert!(stored(&big).is_none());
        assert!(stored(&one_part("xl/å.xml", b"<a/>")).is_none());
    }

    #[test]
    fn a_deflated_part_is_copied_only_when_it_inflates_to_what_it_declares() {
        let text = "<a>hello hello hello hello hello</a>".repeat(50);
        let good = one_part_by(
            zip::CompressionMethod::Deflated,
            "xl/a.xml",
            text.as_bytes(),
        );
        let copy = stored(&good).expect("a sound deflated part is copied");
        let parts = parts_of(&copy);
        assert_eq!(parts[1].0, "xl/a.xml");
        assert_eq!(parts[1].2, text.as_bytes());
        // Every byte of the compressed stream changed in turn: the part no
        // longer inflates, or not to its size, or its checksum fails.
        let mut zip = archive(&good);
        let entry = zip.by_index_raw(1).unwrap();
        let at = entry.data_start().unwrap() as usize;
        let len = entry.compressed_size() as usize;
        drop(entry);
        for i in at..at + len {
            let mut bad = good.clone();
            bad[i] ^= 0x55;
            assert!(stored(&bad).is_none(), "byte {i} changed");
        }
    }

    #[test]
    fn a_directory_stays_a_directory_in_the_stored_copy() {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        out.start_file("xl/workbook.xml", opts).unwrap();
        out.write_all(b"<workbook/>").unwrap();
        out.add_directory("xl/media/", opts).unwrap();
        let bytes = out.finish().unwrap().into_inner();
        let copy = stored(&bytes).expect("copied");
        let mut zip = archive(&copy);
        assert_eq!(zip.len(), 2);
        assert!(zip.by_index(1).unwrap().is_dir());
        assert_eq!(parts_of(&copy)[0].2, b"<workbook/>");
    }
}
