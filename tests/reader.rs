//! What the reader hands on besides the cells: the document properties of
//! every format (title, keywords, save time), as found and parsed.

mod fixtures;

use std::path::Path;

use fixtures::*;
use samla::reader::{read_bytes, Limits, RawReturn, TimeUnreadable};

fn read(name: &str, bytes: &[u8]) -> RawReturn {
    read_bytes(bytes, Path::new(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// RJH's return saved on 2024-06-01, with a title and keywords.
fn titled() -> Book {
    let mut b = Book::genuine("RJH");
    b.saved = Some((2024, 6, 1));
    b.title = Some("Uppföljning Region Jämtland Härjedalen".into());
    b.keywords = Some("cancerplan; RJH".into());
    b
}

#[test]
fn properties_of_every_format() {
    let b = titled();
    let cases = [
        (
            "rjh.xlsx",
            b.to_xlsx(),
            "docProps/core.xml dcterms:modified",
            "2024-06-01T00:00:00Z",
        ),
        (
            "rjh-raw.xlsx",
            b.to_raw_xlsx(),
            "docProps/core.xml dcterms:modified",
            "2024-06-01T00:00:00Z",
        ),
        (
            "rjh.ods",
            b.to_ods(),
            "meta.xml dc:date",
            "2024-06-01T00:00:00Z",
        ),
        (
            "rjh.xls",
            b.to_xls(),
            "SummaryInformation PIDSI_LASTSAVE_DTM",
            "2024-06-01T00:00:00Z",
        ),
    ];
    for (name, bytes, property, found) in cases {
        let p = read(name, &bytes).properties;
        let saved = p
            .saved
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no save time"));
        assert_eq!(saved.property, property, "{name}");
        assert_eq!(saved.found, found, "{name}");
        assert!(saved.zone_given, "{name}");
        assert_eq!(
            saved.parsed.as_ref().map(|t| t.to_string()),
            Ok("2024-06-01T00:00:00Z".to_string()),
            "{name}"
        );
        assert_eq!(saved.problem(), None);
        assert_eq!(
            p.title.as_deref(),
            Some("Uppföljning Region Jämtland Härjedalen"),
            "{name}"
        );
        assert_eq!(p.keywords.as_deref(), Some("cancerplan; RJH"), "{name}");
    }
}

#[test]
fn an_ods_save_time_without_a_zone_and_its_custom_properties() {
    let mut b = titled();
    b.saved_text = Some("2024-06-01T12:30:15.123456789".into());
    let p = read("rjh.ods", &b.to_ods()).properties;
    let saved = p.saved.unwrap();
    assert_eq!(saved.found, "2024-06-01T12:30:15.123456789");
    assert!(!saved.zone_given);
    assert_eq!(saved.parsed.unwrap().to_string(), "2024-06-01T12:30:15Z");
    assert_eq!(p.custom.get("Region").map(String::as_str), Some("RJH & co"));
}

#[test]
fn an_unparsable_save_time_is_kept_with_its_reason() {
    let mut b = titled();
    b.saved_text = Some("den 1 juni".into());
    let p = read("rjh.xlsx", &b.to_raw_xlsx()).properties;
    let saved = p.saved.unwrap();
    assert_eq!(saved.found, "den 1 juni");
    assert_eq!(saved.parsed, Err(TimeUnreadable::NotATime));
    assert_eq!(
        saved.problem().unwrap(),
        "Dokumentegenskapen docProps/core.xml dcterms:modified har värdet \"den 1 juni\", som är ingen tidpunkt (väntat t.ex. 2024-06-01T10:00:00Z); den har inte använts som tidpunkt"
    );
    b.saved_text = Some("2024-02-30T00:00:00Z".into());
    let p = read("rjh.ods", &b.to_ods()).properties;
    assert_eq!(p.saved.unwrap().parsed, Err(TimeUnreadable::OutOfRange));
}

#[test]
fn a_file_without_properties_has_none() {
    let mut b = Book::genuine("RJH");
    b.saved = None;
    for (name, bytes) in [
        ("rjh.xlsx", b.to_raw_xlsx()),
        ("rjh.ods", b.to_ods()),
        ("rjh.xls", b.to_xls()),
    ] {
        let p = read(name, &bytes).properties;
        assert_eq!(p, samla::reader::DocProperties::default(), "{name}");
    }
}
