//! Document properties: what a workbook says about itself (title, subject,
//! keywords, who saved it and when), for every format samla reads —
//! `docProps/core.xml` and `docProps/custom.xml` in `.xlsx`/`.xlsm`/`.xlsb`,
//! `meta.xml` in `.ods`, the SummaryInformation stream in `.xls`.
//!
//! Values are kept as found. Times are also parsed to [`UtcTime`]; a time
//! that cannot be parsed keeps its text and a Swedish reason
//! ([`PropertyTime::parsed`]), so that the validation can turn it into a
//! finding instead of losing it. Nothing here judges the values (a save
//! time in the future, say): that is the validation's job.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Cursor, Read, Seek};

use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

/// Bytes read of one properties part; real ones are a few KB.
const MAX_PART_BYTES: u64 = 1 << 20;

/// An instant in UTC, to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UtcTime {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub unix_seconds: i64,
}

impl UtcTime {
    /// The time a file-system timestamp means; None before 1970.
    pub fn from_system_time(t: std::time::SystemTime) -> Option<UtcTime> {
        let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        Some(UtcTime {
            unix_seconds: i64::try_from(secs).ok()?,
        })
    }

    /// From a civil date and time in UTC; None when a field is out of range.
    pub fn from_civil(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<UtcTime> {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let month_days = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        let ok = (1..=9999).contains(&y)
            && (1..=12).contains(&mo)
            && d >= 1
            && d <= month_days[mo as usize - 1]
            && h < 24
            && mi < 60
            && s < 61;
        ok.then(|| UtcTime {
            unix_seconds: days_from_civil(y, mo, d) * 86_400
                + i64::from(h * 3600 + mi * 60 + s.min(59)),
        })
    }
}

/// `2024-06-01T10:00:00Z`.
impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.unix_seconds.div_euclid(86_400);
        let rem = self.unix_seconds.rem_euclid(86_400);
        let (y, m, d) = super::civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60
        )
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm, the inverse of [`super::civil_from_days`]).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Why a time property could not be used as a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TimeUnreadable {
    /// The text is not an ISO 8601 / W3CDTF date and time.
    #[error("är ingen tidpunkt (väntat t.ex. 2024-06-01T10:00:00Z)")]
    NotATime,
    /// A date or time field is out of range (month 13, year 0, …).
    #[error("är ingen giltig tidpunkt (ett datum- eller tidsfält är utanför sitt intervall)")]
    OutOfRange,
}

/// A time property as found, and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyTime {
    /// Where it was found, e.g. `docProps/core.xml dcterms:modified`,
    /// `meta.xml dc:date` or `SummaryInformation PIDSI_LASTSAVE_DTM`.
    pub property: String,
    /// The value as found (for `.xls`, a FILETIME written as UTC ISO 8601).
    pub found: String,
    /// True when the value named its time zone (`Z` or `+01:00`); a time
    /// without one (LibreOffice writes local time so) was read as UTC.
    pub zone_given: bool,
    /// The instant, or why the value is none.
    pub parsed: Result<UtcTime, TimeUnreadable>,
}

impl PropertyTime {
    /// Parses `found`, an ISO 8601 / W3CDTF date and time.
    pub fn parse(property: &str, found: &str) -> PropertyTime {
        let (parsed, zone_given) = match parse_iso(found.trim()) {
            Ok((t, z)) => (Ok(t), z),
            Err(e) => (Err(e), false),
        };
        PropertyTime {
            property: property.to_string(),
            found: found.to_string(),
            zone_given,
            parsed,
        }
    }

    /// A Swedish sentence for a finding when the time is unusable, e.g.
    /// `Dokumentegenskapen docProps/core.xml dcterms:modified har värdet "igår", som är ingen tidpunkt …`.
    pub fn problem(&self) -> Option<String> {
        let why = self.parsed.as_ref().err()?;
        Some(format!(
            "Dokumentegenskapen {} har värdet \"{}\", som {why}; den har inte använts som tidpunkt",
            self.property, self.found
        ))
    }
}

/// Parses `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]`; returns the instant
/// and whether a zone was given.
fn parse_iso(s: &str) -> Result<(UtcTime, bool), TimeUnreadable> {
    use TimeUnreadable::*;
    let num = |t: &str| -> Result<i64, TimeUnreadable> {
        if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NotATime);
        }
        t.parse().map_err(|_| NotATime)
    };
    let (date, rest) = s.split_at(s.find(['T', 't', ' ']).unwrap_or(s.len()));
    let dparts: Vec<&str> = date.split('-').collect();
    let [y, mo, d] = dparts[..] else {
        return Err(NotATime);
    };
    let (y, mo, d) = (num(y)?, num(mo)?, num(d)?);
    let rest = rest.get(1..).unwrap_or("");
    let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(zone_at);
    let offset = match zone {
        "" => None,
        "Z" | "z" => Some(0),
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (h, m) = z[1..].split_once(':').ok_or(NotATime)?;
            let (h, m) = (num(h)?, num(m)?);
            if h > 14 || m > 59 {
                return Err(OutOfRange);
            }
            Some(sign * (h * 3600 + m * 60))
        }
    };
    let time = time.split('.').next().unwrap_or("");
    let mut hms = [0i64; 3];
    if !time.is_empty() {
        let t: Vec<&str> = time.split(':').collect();
        if !(2..=3).contains(&t.len()) {
            return Err(NotATime);
        }
        for (slot, v) in hms.iter_mut().zip(&t) {
            *slot = num(v)?;
        }
    } else if !rest.is_empty() && offset.is_none() {
        return Err(NotATime);
    }
    let field = |v: i64| u32::try_from(v).map_err(|_| OutOfRange);
    let t = UtcTime::from_civil(
        y,
        field(mo)?,
        field(d)?,
        field(hms[0])?,
        field(hms[1])?,
        field(hms[2])?,
    )
    .ok_or(OutOfRange)?;
    Ok((
        UtcTime {
            unix_seconds: t.unix_seconds - offset.unwrap_or(0),
        },
        offset.is_some(),
    ))
}

/// What a workbook says about itself. Every field is None/empty when the
/// file has no such property.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocProperties {
    /// When the file was last saved, as the saving program wrote it:
    /// `dcterms:modified` (xlsx/xlsm/xlsb), `dc:date` (ods),
    /// `PIDSI_LASTSAVE_DTM` (xls). The resubmission rule compares these.
    pub saved: Option<PropertyTime>,
    /// When the file was created: `dcterms:created`, `meta:creation-date`,
    /// `PIDSI_CREATE_DTM`.
    pub created: Option<PropertyTime>,
    /// Title (`dc:title`, PIDSI_TITLE).
    pub title: Option<String>,
    /// Subject (`dc:subject`, PIDSI_SUBJECT).
    pub subject: Option<String>,
    /// Keywords (`cp:keywords`; ods `meta:keyword`s joined with `; `; PIDSI_KEYWORDS).
    pub keywords: Option<String>,
    /// Description / comments (`dc:description`, PIDSI_COMMENTS).
    pub description: Option<String>,
    /// Author (`dc:creator`, ods `meta:initial-creator`, PIDSI_AUTHOR).
    pub creator: Option<String>,
    /// Who saved it last (`cp:lastModifiedBy`, ods `dc:creator`, PIDSI_LASTAUTHOR).
    pub last_saved_by: Option<String>,
    /// Custom properties by name (`docProps/custom.xml`, ods `meta:user-defined`).
    pub custom: BTreeMap<String, String>,
}

/// Which properties part a zip package has.
#[derive(Clone, Copy)]
pub(crate) enum PartKind {
    /// OOXML `docProps/core.xml`.
    Core,
    /// OOXML `docProps/custom.xml`.
    Custom,
    /// ODF `meta.xml`.
    OdsMeta,
}

impl PartKind {
    fn part(self) -> &'static str {
        match self {
            PartKind::Core => "docProps/core.xml",
            PartKind::Custom => "docProps/custom.xml",
            PartKind::OdsMeta => "meta.xml",
        }
    }
}

/// Reads the properties of an OOXML (`ods == false`) or ODF package;
/// `copy` as for [`super::onepass::in_copy`].
pub(crate) fn from_zip<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    ods: bool,
    copy: Option<&[u8]>,
) -> DocProperties {
    let mut props = DocProperties::default();
    let parts: &[PartKind] = if ods {
        &[PartKind::OdsMeta]
    } else {
        &[PartKind::Core, PartKind::Custom]
    };
    for &kind in parts {
        let Ok(entry) = zip.by_name(kind.part()) else {
            continue;
        };
        if let Some(xml) = super::onepass::in_copy(&entry, copy) {
            apply_xml(
                &mut props,
                kind,
                &xml[..xml.len().min(MAX_PART_BYTES as usize)],
            );
            continue;
        }
        let mut buf = Vec::new();
        if entry.take(MAX_PART_BYTES).read_to_end(&mut buf).is_ok() {
            apply_xml(&mut props, kind, &buf);
        }
    }
    props
}

/// Fills `props` from one properties part. Leaf elements are read by
/// their qualified name; a broken part keeps what was read before the break.
fn apply_xml(props: &mut DocProperties, kind: PartKind, xml: &[u8]) {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut open: Option<(String, Option<String>)> = None;
    let mut custom_name: Option<String> = None;
    let mut text = String::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let qname = e.name().as_ref().to_string();
                let name_attr = e
                    .attributes()
                    .flatten()
                    .find(|a| matches!(a.key.as_ref(), "name" | "meta:name"))
                    .and_then(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .ok()
                            .map(|v| v.into_owned())
                    });
                if qname == "property" {
                    custom_name = name_attr.clone();
                }
                open = Some((qname, name_attr));
                text.clear();
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) => match r.resolve_char_ref() {
                Ok(Some(c)) => text.push(c),
                _ => text.push_str(entity(&r)),
            },
            Ok(Event::End(_)) => {
                if let Some((qname, attr)) = open.take() {
                    let value = std::mem::take(&mut text);
                    set(
                        props,
                        kind,
                        &qname,
                        attr.or_else(|| custom_name.clone()),
                        value,
                    );
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
}

/// The text of a predefined XML entity (`amp` → `&`); others are dropped.
pub(crate) fn entity(name: &str) -> &'static str {
    match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
}

/// Stores one leaf element's value under the property it names.
fn set(
    props: &mut DocProperties,
    kind: PartKind,
    qname: &str,
    name: Option<String>,
    value: String,
) {
    let time = |prop: &str| {
        Some(PropertyTime::parse(
            &format!("{} {prop}", kind.part()),
            &value,
        ))
    };
    let text = || Some(value.clone()).filter(|v| !v.trim().is_empty());
    match (kind, qname) {
        (PartKind::Core, "dcterms:modified") | (PartKind::OdsMeta, "dc:date") => {
            props.saved = time(qname)
        }
        (PartKind::Core, "dcterms:created") | (PartKind::OdsMeta, "meta:creation-date") => {
            props.created = time(qname)
        }
        (_, "dc:title") => props.title = text(),
        (_, "dc:subject") => props.subject = text(),
        (_, "dc:description") => props.description = text(),
        (PartKind::Core, "cp:keywords") => props.keywords = text(),
        (PartKind::OdsMeta, "meta:keyword") => {
            if let Some(v) = text() {
                props.keywords = Some(match props.keywords.take() {
                    Some(k) => format!("{k}; {v}"),
                    None => v,
                });
            }
        }
        (PartKind::Core, "dc:creator") | (PartKind::OdsMeta, "meta:initial-creator") => {
            props.creator = text()
        }
        (PartKind::Core, "cp:lastModifiedBy") | (PartKind::OdsMeta, "dc:creator") => {
            props.last_saved_by = text()
        }
        (PartKind::OdsMeta, "meta:user-defined") | (PartKind::Custom, _) => {
            if let Some(name) = name {
                props.custom.insert(name, value);
            }
        }
        _ => {}
    }
}

/// Reads the SummaryInformation stream of an `.xls` (a compound file).
pub(crate) fn from_cfb(bytes: &[u8]) -> DocProperties {
    let mut props = DocProperties::default();
    let Ok(mut cfb) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return props;
    };
    let Ok(stream) = cfb.open_stream("\u{5}SummaryInformation") else {
        return props;
    };
    let mut data = Vec::new();
    if stream.take(MAX_PART_BYTES).read_to_end(&mut data).is_ok() {
        summary_information(&mut props, &data);
    }
    props
}

const VT_I2: u16 = 0x02;
const VT_LPSTR: u16 = 0x1E;
const VT_LPWSTR: u16 = 0x1F;
const VT_FILETIME: u16 = 0x40;

/// Parses a property set stream ([MS-OLEPS]): the first property set's
/// title, subject, author, keywords, comments, last author and times.
fn summary_information(props: &mut DocProperties, data: &[u8]) {
    let u16_at = |o: usize| data.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |o: usize| {
        data.get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let Some(set) = u32_at(44) else { return };
    let Some(count) = u32_at(set + 4) else { return };
    let mut codepage = 1252u16;
    let mut values = Vec::new();
    for i in 0..count.min(256) {
        let (Some(pid), Some(off)) = (u32_at(set + 8 + i * 8), u32_at(set + 12 + i * 8)) else {
            break;
        };
        let at = set.saturating_add(off);
        let Some(vt) = u16_at(at) else { continue };
        match vt {
            VT_I2 if pid == 1 => codepage = u16_at(at + 4).unwrap_or(1252),
            _ => values.push((pid, vt, at + 4)),
        }
    }
    for (pid, vt, at) in values {
        let text = || -> Option<String> {
            let n = u32_at(at)?;
            match vt {
                VT_LPSTR => {
                    let raw = data.get(at + 4..at + 4 + n.min(data.len()))?;
                    let raw = raw.split(|&b| b == 0).next().unwrap_or(raw);
                    let enc = codepage::to_encoding(codepage).unwrap_or(encoding_rs::WINDOWS_1252);
                    Some(enc.decode(raw).0.into_owned())
                }
                VT_LPWSTR => {
                    let raw = data.get(at + 4..at + 4 + n.saturating_mul(2).min(data.len()))?;
                    let units: Vec<u16> = raw
                        .chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]))
                        .collect();
                    let s = String::from_utf16_lossy(&units);
                    Some(s.trim_end_matches('\0').to_string())
                }
                _ => None,
            }
            .filter(|s| !s.trim().is_empty())
        };
        let time = |name: &str| -> Option<PropertyTime> {
            let b = data.get(at..at + 8)?;
            let ft = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            (vt == VT_FILETIME && ft != 0).then(|| filetime(name, ft))
        };
        match pid {
            2 => props.title = text(),
            3 => props.subject = text(),
            4 => props.creator = text(),
            5 => props.keywords = text(),
            6 => props.description = text(),
            8 => props.last_saved_by = text(),
            12 => props.created = time("PIDSI_CREATE_DTM"),
            13 => props.saved = time("PIDSI_LASTSAVE_DTM"),
            _ => {}
        }
    }
}

/// A FILETIME (100 ns intervals since 1601-01-01 UTC) as a property time.
fn filetime(name: &str, ft: u64) -> PropertyTime {
    const UNIX_FROM_1601: i64 = 11_644_473_600;
    let secs = (ft / 10_000_000) as i64 - UNIX_FROM_1601;
    let t = UtcTime { unix_seconds: secs };
    let property = format!("SummaryInformation {name}");
    let in_range = (UtcTime::from_civil(1, 1, 1, 0, 0, 0).map(|t| t.unix_seconds)
        ..UtcTime::from_civil(9999, 12, 31, 23, 59, 59).map(|t| t.unix_seconds))
        .contains(&Some(secs));
    PropertyTime {
        property,
        found: if in_range {
            t.to_string()
        } else {
            format!("FILETIME {ft}")
        },
        zone_given: true,
        parsed: if in_range {
            Ok(t)
        } else {
            Err(TimeUnreadable::OutOfRange)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times() {
        let p = |s| PropertyTime::parse("p", s);
        assert_eq!(
            p("2024-06-01T10:00:00Z").parsed.unwrap().to_string(),
            "2024-06-01T10:00:00Z"
        );
        let t = p("2024-06-01T12:00:00+02:00");
        assert_eq!(t.parsed.unwrap().to_string(), "2024-06-01T10:00:00Z");
        assert!(t.zone_given);
        let t = p("2024-06-01T10:00:00.123456789");
        assert_eq!(t.parsed.unwrap().to_string(), "2024-06-01T10:00:00Z");
        assert!(!t.zone_given);
        assert_eq!(
            p("2024-06-01").parsed.unwrap().to_string(),
            "2024-06-01T00:00:00Z"
        );
        assert_eq!(p("igår").parsed, Err(TimeUnreadable::NotATime));
        assert_eq!(
            p("2024-13-01T00:00:00Z").parsed,
            Err(TimeUnreadable::OutOfRange)
        );
        assert_eq!(
            p("2023-02-29T00:00:00Z").parsed,
            Err(TimeUnreadable::OutOfRange)
        );
        assert_eq!(
            p("igår").problem().unwrap(),
            "Dokumentegenskapen p har värdet \"igår\", som är ingen tidpunkt (väntat t.ex. 2024-06-01T10:00:00Z); den har inte använts som tidpunkt"
        );
    }

    #[test]
    fn civil_round_trip() {
        for days in [-719_468, -1, 0, 1, 19_000, 2_932_896] {
            let (y, m, d) = crate::reader::civil_from_days(days);
            assert_eq!(days_from_civil(y, m as u32, d as u32), days);
        }
    }

    #[test]
    fn filetimes() {
        // 2024-06-01T10:00:00Z
        let ft = (1_717_236_000 + 11_644_473_600u64) * 10_000_000;
        let t = filetime("PIDSI_LASTSAVE_DTM", ft);
        assert_eq!(t.found, "2024-06-01T10:00:00Z");
        assert_eq!(t.property, "SummaryInformation PIDSI_LASTSAVE_DTM");
        assert!(filetime("x", u64::MAX).parsed.is_err());
    }
}
