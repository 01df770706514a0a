//! Broken and hostile files: one test per finding code a file's container
//! can cause (unreadable, over a limit, crashing the reader, not a return),
//! each asserting code, location and message; and one inbox holding every
//! messy, wrong, broken and hostile case, merged by the real binary.

mod common;
mod fixtures;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use fixtures::*;
use samla::reader::{read_bytes, Limits, ReadFailure};
use samla::validate::Submission;
use samla::{Finding, FindingCode as C, Severity};

fn path(name: &str) -> PathBuf {
    Path::new("inkorg").join(name)
}

/// Reads bytes that must be refused; returns the failure.
fn refused(name: &str, bytes: &[u8]) -> ReadFailure {
    match read_bytes(bytes, &path(name), &Limits::default()) {
        Ok(raw) => panic!("{name} was read: {:?}", raw.sheets),
        Err(e) => e,
    }
}

/// The finding a refused file becomes, as the pipeline makes it.
fn finding_of(name: &str, failure: &ReadFailure) -> Finding {
    let sub = Submission::failed(&path(name), failure);
    assert!(!sub.accepted());
    assert_eq!(sub.findings.len(), 1);
    sub.findings[0].clone()
}

/// Asserts a whole-file finding: code, file, no sheet or cell, message.
fn assert_file_finding(f: &Finding, code: C, name: &str, message: &str) {
    assert_eq!(f.code, code, "{f}");
    assert_eq!(f.severity, code.severity());
    let loc = f.location.as_ref().expect("a location");
    assert_eq!(&*loc.file, path(name).display().to_string());
    assert_eq!(
        (loc.sheet.as_deref(), loc.a1().as_deref()),
        (None, None),
        "{f}"
    );
    assert_eq!(f.message, message);
}

fn read_ok(name: &str, bytes: &[u8]) -> Submission {
    let p = path(name);
    let raw = read_bytes(bytes, &p, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    samla::validate::validate(&plan(), &p, &raw)
}

// ---------------------------------------------------------------------------
// unreadable-file
// ---------------------------------------------------------------------------

#[test]
fn empty_file() {
    let e = refused("tom.xlsx", &[]);
    assert_file_finding(
        &finding_of("tom.xlsx", &e),
        C::UnreadableFile,
        "tom.xlsx",
        "filen är tom (0 byte).",
    );
}

#[test]
fn truncated_xlsx() {
    let e = refused("avkortad.xlsx", &truncated());
    assert_file_finding(
        &finding_of("avkortad.xlsx", &e),
        C::UnreadableFile,
        "avkortad.xlsx",
        "filen är trasig eller avkortad (zip-arkivet kan inte läsas: invalid Zip archive: Could not find EOCD).",
    );
}

#[test]
fn a_csv_named_xlsx_is_called_a_csv() {
    let e = refused("ingen-zip.xlsx", &not_a_zip());
    assert_file_finding(
        &finding_of("ingen-zip.xlsx", &e),
        C::UnreadableFile,
        "ingen-zip.xlsx",
        "filen är en CSV-fil (text med värden åtskilda av semikolon, komma eller tabb), inget kalkylblad, fast den heter som ett. Fyll i den utskickade mallen i Excel och spara den som Excel-arbetsbok (.xlsx).",
    );
    let e = refused(
        "anteckning.xlsx",
        "RN ringer tillbaka på måndag.\n".as_bytes(),
    );
    assert_file_finding(
        &finding_of("anteckning.xlsx", &e),
        C::UnreadableFile,
        "anteckning.xlsx",
        "filen är en textfil, inget kalkylblad, fast den heter som ett. Fyll i den utskickade mallen i Excel och spara den som Excel-arbetsbok (.xlsx).",
    );
}

#[test]
fn password_protected_workbook() {
    let expected = "filen är lösenordsskyddad (krypterad). Ta bort lösenordet (Arkiv > Info > Skydda arbetsbok) och skicka igen.";
    let bytes = password_protected();
    let e = refused("losenord.xlsx", &bytes);
    assert_file_finding(
        &finding_of("losenord.xlsx", &e),
        C::UnreadableFile,
        "losenord.xlsx",
        expected,
    );
    // Renamed .xls, it is still recognised by its EncryptionInfo stream.
    let e = refused("losenord.xls", &bytes);
    assert_file_finding(
        &finding_of("losenord.xls", &e),
        C::UnreadableFile,
        "losenord.xls",
        expected,
    );
}

#[test]
fn garbage_named_xls() {
    let e = refused("skrap.xls", &garbage(3000, 3));
    assert_file_finding(
        &finding_of("skrap.xls", &e),
        C::UnreadableFile,
        "skrap.xls",
        "filen är inget kalkylblad (varken .xlsx, .xlsm, .xlsb, .xls eller .ods). Kontrollera att rätt fil skickades.",
    );
    let e = refused("skrap-ole.xls", &garbage_ole());
    let f = finding_of("skrap-ole.xls", &e);
    assert_eq!(f.code, C::UnreadableFile);
    assert!(
        f.message
            .starts_with("filen kunde inte tolkas som kalkylblad (")
            && f.message
                .ends_with("). Spara om den i Excel som .xlsx och skicka igen."),
        "{}",
        f.message
    );
}

#[test]
fn zip_bomb_lying_about_its_size_is_stopped_by_the_parser() {
    let e = refused("bomb-ljuger.xlsx", &zip_bomb_lying());
    assert_file_finding(
        &finding_of("bomb-ljuger.xlsx", &e),
        C::UnreadableFile,
        "bomb-ljuger.xlsx",
        "filen kunde inte tolkas som kalkylblad (Xml error: I/O error: File is larger than its declared uncompressed size). Spara om den i Excel som .xlsx och skicka igen.",
    );
}

// ---------------------------------------------------------------------------
// file-limit-exceeded
// ---------------------------------------------------------------------------

#[test]
fn zip_bomb_refused_on_its_compression_ratio() {
    let bytes = zip_bomb_ratio(4);
    assert!(
        bytes.len() < 20_000,
        "the fixture stays small: {}",
        bytes.len()
    );
    let t = Instant::now();
    let e = refused("bomb-kvot.xlsx", &bytes);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "refused before inflating"
    );
    let f = finding_of("bomb-kvot.xlsx", &e);
    assert_eq!(f.code, C::FileLimitExceeded);
    let ratio = (4u64 << 20) / {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
        let e = z.by_name("xl/worksheets/sheet1.xml").unwrap();
        e.compressed_size()
    };
    assert_file_finding(
        &f,
        C::FileLimitExceeded,
        "bomb-kvot.xlsx",
        &format!("delen xl/worksheets/sheet1.xml packas upp {ratio} gånger (gränsen är 200): möjlig zip-bomb."),
    );
}

#[test]
fn zip_bomb_refused_on_its_declared_size() {
    let e = refused("bomb-storlek.xlsx", &zip_bomb_declared());
    assert_file_finding(
        &finding_of("bomb-storlek.xlsx", &e),
        C::FileLimitExceeded,
        "bomb-storlek.xlsx",
        "delen xl/worksheets/sheet1.xml packas upp till 3072 MB, gränsen är 200 MB (möjlig zip-bomb).",
    );
}

#[test]
fn shared_strings_declaring_four_billion_entries() {
    let e = refused("delade-texter.xlsx", &shared_strings_claim().to_raw_xlsx());
    assert_file_finding(
        &finding_of("delade-texter.xlsx", &e),
        C::FileLimitExceeded,
        "delade-texter.xlsx",
        "tabellen över delade texter anger 4000000000 poster, gränsen är 2000000.",
    );
}

#[test]
fn thousands_of_sheets() {
    let e = refused("tusen-blad.xlsx", &many_sheets(3000).to_raw_xlsx());
    assert_file_finding(
        &finding_of("tusen-blad.xlsx", &e),
        C::FileLimitExceeded,
        "tusen-blad.xlsx",
        "arbetsboken har 3000 blad, gränsen är 256.",
    );
    // Just under the limit is read.
    let sub = read_ok("blad.xlsx", &many_sheets(256).to_raw_xlsx());
    assert_eq!(sub.findings[0].code, C::NotATemplate);
}

#[test]
fn a_file_over_the_size_limit() {
    let limits = Limits {
        max_file_bytes: 1000,
        ..Limits::default()
    };
    let e = read_bytes(&genuine("RJH"), &path("stor.xlsx"), &limits).unwrap_err();
    assert_file_finding(
        &finding_of("stor.xlsx", &e),
        C::FileLimitExceeded,
        "stor.xlsx",
        "filen är för stor.",
    );
    // From disk the message gives the sizes.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("stor.xlsx");
    std::fs::write(&p, vec![b'x'; 3 << 20]).unwrap();
    let limits = Limits {
        max_file_bytes: 1 << 20,
        ..Limits::default()
    };
    let e = samla::reader::read_return(&p, &limits).unwrap_err();
    assert_eq!(e.code, C::FileLimitExceeded);
    assert_eq!(e.message, "filen är 3 MB, gränsen är 1 MB");
}

#[test]
fn ods_row_repeated_99_million_times() {
    let t = Instant::now();
    let e = refused("upprepad-rad.ods", &ods_repeated_row());
    assert!(t.elapsed() < Duration::from_secs(20));
    assert_file_finding(
        &finding_of("upprepad-rad.ods", &e),
        C::FileLimitExceeded,
        "upprepad-rad.ods",
        "bladet \"Blad1\" breder ut sig över 99000000 celler genom upprepade rader eller kolumner, gränsen är 2000000.",
    );
}

// ---------------------------------------------------------------------------
// Hostile, but read: the reader streams instead of trusting declarations
// ---------------------------------------------------------------------------

#[test]
fn a_cell_at_xfd1048576_under_a_full_sheet_dimension_is_streamed() {
    let t = Instant::now();
    let sub = read_ok("rjh-xfd.xlsx", &far_corner().to_raw_xlsx());
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(sub.accepted());
    let f: Vec<&Finding> = sub
        .findings
        .iter()
        .filter(|f| f.code == C::TextOutsideAnswers)
        .collect();
    assert_eq!(f.len(), 1, "{:#?}", sub.findings);
    let loc = f[0].location.as_ref().unwrap();
    assert_eq!(&*loc.file, path("rjh-xfd.xlsx").display().to_string());
    assert_eq!(
        (loc.sheet.as_deref(), loc.a1().as_deref()),
        (Some("Uppföljning"), Some("XFD1048576"))
    );
    assert_eq!(
        f[0].message,
        format!("Text utanför svarskolumnerna har inte förts in i sammanställningen: \"{FAR_CELL_TEXT}\". Flytta den till kolumnen Kommentar på rätt måls rad.")
    );
    // Alone, the two cells are no template.
    let sub = read_ok("xfd-ensam.xlsx", &far_corner_alone().to_raw_xlsx());
    assert_file_finding(
        &sub.findings[0],
        C::NotATemplate,
        "xfd-ensam.xlsx",
        "Filen är ingen uppföljningsmall: inget blad har rubrikraden (Mål-id, Mål, Bedömning, Kommentar). Blad i filen: Blad1.",
    );
}

#[test]
fn ods_cell_repeated_99_million_times() {
    let t = Instant::now();
    let sub = read_ok("upprepad-cell.ods", &ods_repeated_cell());
    assert!(t.elapsed() < Duration::from_secs(20));
    assert_file_finding(
        &sub.findings[0],
        C::NotATemplate,
        "upprepad-cell.ods",
        "Filen är ingen uppföljningsmall: inget blad har rubrikraden (Mål-id, Mål, Bedömning, Kommentar). Blad i filen: Blad1.",
    );
}

// ---------------------------------------------------------------------------
// skipped-entry
// ---------------------------------------------------------------------------

#[test]
fn entries_that_are_not_returns_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inkorg");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::write(inbox.join("~$RJH.xlsx"), lock_file()).unwrap();
    std::fs::write(inbox.join(".~lock.RJH.ods#"), b"Eva Ek,ek;").unwrap();
    std::fs::create_dir(inbox.join("d.xlsx")).unwrap();
    std::os::unix::fs::symlink(sample_path("RJH"), inbox.join("lank.xlsx")).unwrap();
    mkfifo(&inbox.join("ror.xlsx"));
    std::fs::write(inbox.join("anteckningar.txt"), b"RN ringer tillbaka").unwrap();
    std::fs::write(inbox.join(".dold.xlsx"), genuine("RN")).unwrap();
    std::fs::write(inbox.join("RV.xlsx"), genuine("RV")).unwrap();
    let opts = samla::pipeline::MergeOptions::new(&inbox, dir.path().join("ut"));
    let t = Instant::now();
    let out = samla::pipeline::run_merge(&plan(), &opts).expect("the run completes");
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "the FIFO is never opened"
    );
    let c = &out.consolidation;
    let want = [
        ("~$RJH.xlsx", "en låsfil som Excel eller LibreOffice lämnar medan filen är öppen"),
        (".~lock.RJH.ods#", "en låsfil som Excel eller LibreOffice lämnar medan filen är öppen"),
        ("d.xlsx", "en mapp; undermappar läses inte"),
        ("lank.xlsx", "en symbolisk länk; länkar följs inte – lägg själva filen i inkorgen"),
        ("ror.xlsx", "ingen vanlig fil (t.ex. en namngiven rörledning eller enhet)"),
        ("anteckningar.txt", "inget kalkylblad (filtypen .txt läses inte; svar ska vara .xlsx, .xlsm, .xlsb, .xls eller .ods)"),
        (".dold.xlsx", "en dold fil"),
    ];
    for (name, why) in want {
        let file = inbox.join(name).display().to_string();
        let hits: Vec<&Finding> = c
            .findings
            .iter()
            .filter(|f| f.location.as_ref().is_some_and(|l| *l.file == *file))
            .collect();
        assert_eq!(hits.len(), 1, "{name}: {hits:#?}");
        let f = hits[0];
        assert_eq!(f.code, C::SkippedEntry, "{name}");
        assert_eq!(f.severity, Severity::Info);
        let loc = f.location.as_ref().unwrap();
        assert_eq!((loc.sheet.as_deref(), loc.a1().as_deref()), (None, None));
        assert_eq!(f.message, format!("Hoppades över: {why}."), "{name}");
        let src = c.sources.iter().find(|s| s.file == file).unwrap();
        assert_eq!(src.status, samla::merge::SourceStatus::Skipped, "{name}");
    }
    assert_eq!(out.summary.counts.skipped, 7);
    assert_eq!(out.summary.counts.merged, 1);
    assert_eq!(c.reported, vec!["RV"]);
}

// ---------------------------------------------------------------------------
// Damaged packages: named, not guessed
// ---------------------------------------------------------------------------

/// The rating of `goal` as written, from an accepted return.
fn written(sub: &Submission, goal: &str) -> Option<String> {
    let answers = sub.answers().expect("the return is accepted");
    answers
        .get(&plan(), goal)
        .and_then(|a| a.written().map(str::to_string))
}

/// The findings of `code`.
fn with_code(sub: &Submission, code: C) -> Vec<&Finding> {
    sub.findings.iter().filter(|f| f.code == code).collect()
}

/// Asserts a finding at a cell of the answer sheet.
fn assert_cell_finding(f: &Finding, code: C, name: &str, cell: &str, message: &str) {
    assert_eq!(f.code, code, "{f}");
    assert_eq!(f.severity, code.severity());
    let loc = f.location.as_ref().expect("a location");
    assert_eq!(&*loc.file, path(name).display().to_string());
    assert_eq!(loc.sheet.as_deref(), Some("Uppföljning"));
    assert_eq!(loc.a1().as_deref(), Some(cell));
    assert_eq!(f.message, message);
}

/// Every goal but `except` has the rating RJH's genuine return has.
fn other_ratings_intact(sub: &Submission, except: &str) {
    let book = Book::genuine("RJH");
    for (_, g) in plan().goals() {
        let id = g.id.0.as_str();
        if id != except {
            let want = book.sheet(ANSWERS).text(goal_row(id), RATING_COL);
            assert_eq!(written(sub, id), want, "goal {id}");
        }
    }
}

#[test]
fn duplicate_part_names_refuse_the_file() {
    let e = refused("dubbeldel.xlsx", &duplicate_part());
    assert_file_finding(
        &finding_of("dubbeldel.xlsx", &e),
        C::UnreadableFile,
        "dubbeldel.xlsx",
        "filen är skadad: arkivet har två delar med samma namn (xl/worksheets/sheet2.xml), så det går inte att veta vilken som gäller. Öppna filen i Excel, spara om den och skicka igen.",
    );
}

#[test]
fn a_bad_shared_string_index_is_a_finding_at_its_cell() {
    let cell = a1(goal_row("1.1"), RATING_COL);
    let strings = unzip(&genuine("RJH"))
        .into_iter()
        .find(|(n, _)| n == "xl/sharedStrings.xml")
        .map(|(_, d)| String::from_utf8_lossy(&d).matches("<si>").count())
        .unwrap();
    for index in ["-1", "x", "999999"] {
        let name = format!("index{index}.xlsx");
        let sub = read_ok(&name, &shared_string_index(index));
        let f = with_code(&sub, C::UnreadableCell);
        assert_eq!(f.len(), 1, "{index}: {:#?}", sub.findings);
        assert_cell_finding(
            f[0],
            C::UnreadableCell,
            &name,
            &cell,
            &format!("Cellen {cell} kunde inte läsas: den pekar på delad text nr \"{index}\", men filens texttabell har {strings} texter (nr 0–{}). Filen är skadad; cellens värde har inte förts in. Skriv in värdet igen i Excel och skicka filen på nytt.", strings - 1),
        );
        // Not guessed (string 0 would be the sheet's title), and said so.
        assert_eq!(written(&sub, "1.1"), None, "{index}");
        let before = read_ok("rjh.xlsx", &genuine("RJH"));
        assert_eq!(
            with_code(&sub, C::MissingRating).len(),
            with_code(&before, C::MissingRating).len() + 1,
            "{index}"
        );
        other_ratings_intact(&sub, "1.1");
    }
}

#[test]
fn a_duplicated_cell_is_a_finding_quoting_both_values() {
    let cell = a1(goal_row("1.1"), RATING_COL);
    let first = Book::genuine("RJH")
        .sheet(ANSWERS)
        .text(goal_row("1.1"), RATING_COL)
        .unwrap();
    let sub = read_ok("dubbelcell.xlsx", &duplicated_cell());
    let f = with_code(&sub, C::DuplicateCell);
    assert_eq!(f.len(), 1, "{:#?}", sub.findings);
    assert_cell_finding(
        f[0],
        C::DuplicateCell,
        "dubbelcell.xlsx",
        &cell,
        &format!("Cellen {cell} finns två gånger i filen, med \"{first}\" och \"E\"; ingen av dem har förts in. Filen är skadad: öppna den i Excel, kontrollera cellen, spara och skicka igen."),
    );
    assert_eq!(written(&sub, "1.1"), None);
    other_ratings_intact(&sub, "1.1");
}

#[test]
fn a_rating_or_comment_computed_by_a_formula_is_a_finding() {
    let book = formulas();
    let rating = a1(goal_row("1.1"), RATING_COL);
    let comment = a1(goal_row("1.2"), COMMENT_COL);
    let sub = read_ok("rvn-formler.xlsx", &book.to_xlsx());
    let f = with_code(&sub, C::FormulaValue);
    assert_eq!(f.len(), 3, "{:#?}", sub.findings);
    assert_cell_finding(
        f[0],
        C::FormulaValue,
        "rvn-formler.xlsx",
        &rating,
        &format!("Bedömningen i cellen {rating} räknas fram med formeln =IF(TRUE,\"U\",\"P\"); det sparade resultatet \"U\" har förts in. Kontrollera det och skriv in värdet som text i stället för en formel."),
    );
    assert_cell_finding(
        f[1],
        C::FormulaValue,
        "rvn-formler.xlsx",
        &comment,
        &format!("Kommentaren i cellen {comment} räknas fram med formeln =\"Screening införd \"&\"för två årskullar\"; det sparade resultatet \"Screening införd för två årskullar\" har förts in. Kontrollera det och skriv in värdet som text i stället för en formel."),
    );
    // Each names the goal of its row.
    let goals: Vec<Option<&str>> = f
        .iter()
        .map(|x| x.goal.as_ref().map(|g| g.0.as_str()))
        .collect();
    assert_eq!(&goals[..2], [Some("1.1"), Some("1.2")]);
    assert_eq!(written(&sub, "1.1").as_deref(), Some("U"));
    // The same from LibreOffice's format.
    let sub = read_ok("rvn-formler.ods", &book.to_ods());
    let cells: Vec<Option<String>> = with_code(&sub, C::FormulaValue)
        .iter()
        .map(|f| f.location.as_ref().unwrap().a1())
        .collect();
    assert_eq!(cells.len(), 3, "{:#?}", sub.findings);
    assert_eq!(cells[0].as_deref(), Some(rating.as_str()));
    assert_eq!(cells[1].as_deref(), Some(comment.as_str()));
}

#[test]
fn an_xls_or_ods_named_xlsx_is_read_with_an_info_finding() {
    for (name, bytes, what) in [
        (
            "rn-xls.xlsx",
            Book::genuine("RN").to_xls(),
            "en Excel 97–2003-arbetsbok (.xls)",
        ),
        (
            "rn-ods.xlsx",
            Book::genuine("RN").to_ods(),
            "ett OpenDocument-kalkylblad (.ods)",
        ),
    ] {
        let sub = read_ok(name, &bytes);
        assert!(sub.accepted(), "{name}: {:#?}", sub.findings);
        let f = with_code(&sub, C::WrongExtension);
        assert_eq!(f.len(), 1, "{name}");
        assert_file_finding(
            f[0],
            C::WrongExtension,
            name,
            &format!("Filen heter .xlsx men är {what}; den lästes som det den är. Inget behöver göras, men spara gärna med rätt filändelse nästa gång."),
        );
    }
    // A real .xlsx under its own name has no such finding.
    let sub = read_ok("rn.xlsx", &genuine("RN"));
    assert!(with_code(&sub, C::WrongExtension).is_empty());
}

// ---------------------------------------------------------------------------
// reader-failed
// ---------------------------------------------------------------------------

/// Writes an executable script; the sandbox starts it as `script __read-worker`.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// Reads `file` in a sandbox whose worker is `exe`; retries while the
/// freshly written script is still busy (ETXTBSY from a concurrent fork).
fn sandbox_read(exe: &Path, file: &Path, timeout: Duration) -> ReadFailure {
    for _ in 0..20 {
        let sb = samla::sandbox::Sandbox::new(
            exe.to_path_buf(),
            Limits::default(),
            samla::sandbox::SandboxLimits {
                timeout,
                memory_bytes: 2 << 30,
                ..Default::default()
            },
        );
        let e = sb.read(file).expect_err("the worker never answers");
        if e.message.contains("läsprocessen kunde inte startas") {
            std::thread::sleep(Duration::from_millis(100));
            continue;
        }
        return e;
    }
    panic!("the worker script could not be started");
}

#[test]
fn reader_failed_when_the_reader_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let exe = script(dir.path(), "haenger", "exec sleep 60");
    let file = dir.path().join("rjh.xlsx");
    std::fs::write(&file, genuine("RJH")).unwrap();
    let t = Instant::now();
    let e = sandbox_read(&exe, &file, Duration::from_secs(1));
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    let sub = Submission::failed(&file, &e);
    let f = &sub.findings[0];
    assert_eq!(f.code, C::ReaderFailed);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.location, Some(samla::Location::file(&file)));
    assert_eq!(
        f.message,
        "läsningen avbröts efter 1 s (filen kan vara skadad eller konstruerad för att låsa läsaren)."
    );
}

#[test]
fn reader_failed_when_the_reader_crashes() {
    let dir = tempfile::tempdir().unwrap();
    // It takes the request, says it is reading, complains and crashes.
    let exe = script(
        dir.path(),
        "kraschar",
        "head -c 4 >/dev/null\nprintf R\necho 'memory allocation of 4294967296 bytes failed' >&2\nkill -SEGV $$",
    );
    let file = dir.path().join("rjh.xlsx");
    std::fs::write(&file, genuine("RJH")).unwrap();
    let e = sandbox_read(&exe, &file, Duration::from_secs(20));
    let f = &Submission::failed(&file, &e).findings[0];
    assert_eq!(f.code, C::ReaderFailed);
    assert_eq!(f.location, Some(samla::Location::file(&file)));
    assert!(
        f.message
            .starts_with("läsprocessen kraschade eller fick slut på minne (gräns 2048 MB; ")
            && f.message.contains("SIGSEGV")
            && f.message.ends_with(
                "; filen kan vara skadad eller konstruerad för att krascha läsaren. Läsprocessen skrev till sist: \"memory allocation of 4294967296 bytes failed\"."
            ),
        "{}",
        f.message
    );
}

/// Reads `file` in a sandbox whose worker is `exe`, retrying while a
/// freshly written script cannot be started yet (ETXTBSY).
fn sandbox_result(
    exe: &Path,
    file: &Path,
    limits: samla::sandbox::SandboxLimits,
) -> Result<samla::reader::RawReturn, ReadFailure> {
    for _ in 0..20 {
        let sb = samla::sandbox::Sandbox::new(exe.to_path_buf(), Limits::default(), limits.clone());
        match sb.read(file) {
            Err(e) if e.message.contains("läsprocessen kunde inte startas") => {
                std::thread::sleep(Duration::from_millis(100));
            }
            other => return other,
        }
    }
    panic!("the worker could not be started");
}

const SAMLA: &str = env!("CARGO_BIN_EXE_samla");

#[test]
fn the_small_worker_reads_a_return_as_samla_itself_does() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rjh.xlsx");
    std::fs::write(&file, genuine("RJH")).unwrap();
    let small = Path::new(env!("CARGO_BIN_EXE_samla-worker"));
    // Cargo puts both executables in one folder: samla picks the small one.
    assert_eq!(samla::sandbox::worker_exe(Path::new(SAMLA)), small);
    let by_small = sandbox_result(small, &file, Default::default()).unwrap();
    let by_samla = sandbox_result(Path::new(SAMLA), &file, Default::default()).unwrap();
    let in_process = samla::reader::read_return(&file, &Limits::default()).unwrap();
    assert_eq!(by_small, in_process);
    assert_eq!(by_samla, in_process);
    // Started by hand it says what it is, instead of waiting on its input.
    let out = std::process::Command::new(small)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("startas av samla"));
}

#[test]
fn a_samla_worker_of_another_version_beside_samla_is_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let samla_exe = dir.path().join("samla");
    std::fs::write(&samla_exe, b"").unwrap();
    // Postcard is not self-describing: an older worker could answer with
    // something that decodes as something else. It is left alone.
    script(dir.path(), "samla-worker", "echo 'samla-worker 0.0.1'");
    assert_eq!(samla::sandbox::worker_exe(&samla_exe), samla_exe);
    // One that does not answer at all is left alone too.
    script(dir.path(), "samla-worker", "exit 1");
    assert_eq!(samla::sandbox::worker_exe(&samla_exe), samla_exe);
    // Of this version, it is used.
    let ok = format!("echo '{}'", samla::sandbox::WORKER_IDENTITY);
    let worker = script(dir.path(), "samla-worker", &ok);
    // A script just written may be busy for a moment (ETXTBSY while
    // another test thread forks): asked again, it answers.
    let chosen = (0..20)
        .map(|_| samla::sandbox::worker_exe(&samla_exe))
        .find(|exe| {
            std::thread::sleep(Duration::from_millis(20));
            *exe == worker
        });
    assert_eq!(chosen, Some(worker));
}

#[test]
fn a_file_name_that_is_not_utf8_is_read_in_a_worker() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"rjh-\xe5\xe4\xf6.xlsx"));
    std::fs::write(&file, genuine("RJH")).unwrap();
    let raw = sandbox_result(Path::new(SAMLA), &file, Default::default()).unwrap();
    assert_eq!(raw.meta.get("kod").map(String::as_str), Some("RJH"));
    let sub = samla::validate::validate(&plan(), &file, &raw);
    assert!(sub.accepted(), "{:#?}", sub.findings);
}

#[test]
fn a_worker_that_dies_before_reading_costs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("forsta");
    // The first worker dies at once, before it takes the file (as one
    // that died while idle); the second is a real one.
    let body = format!(
        "if mkdir '{}' 2>/dev/null; then echo 'dog i väntan' >&2; exit 3; fi\nexec '{SAMLA}' \"$@\"",
        flag.display()
    );
    let exe = script(dir.path(), "dor-forst", &body);
    let file = dir.path().join("rjh.xlsx");
    std::fs::write(&file, genuine("RJH")).unwrap();
    let raw = sandbox_result(&exe, &file, Default::default()).expect("read on the second worker");
    assert_eq!(raw.meta.get("kod").map(String::as_str), Some("RJH"));
    // One that always dies before reading is tried twice, then named.
    let exe = script(dir.path(), "dor-alltid", "echo 'dog i väntan' >&2\nexit 3");
    let e = sandbox_result(&exe, &file, Default::default()).unwrap_err();
    let f = &Submission::failed(&file, &e).findings[0];
    assert_eq!(f.code, C::ReaderFailed);
    assert_eq!(
        f.message,
        "läsprocessen avslutades två gånger innan den hann börja läsa filen (exit status: 3). Läsprocessen skrev till sist: \"dog i väntan\"."
    );
}

/// `code`'s genuine return with a comment of 2 MB: its answer is over a
/// cap of 1 MB.
fn over_the_cap(code: &str) -> Vec<u8> {
    let mut b = Book::genuine(code);
    b.answers()
        .set(goal_row("1.1"), COMMENT_COL, "å".repeat(1 << 20).as_str());
    b.to_raw_xlsx()
}

#[test]
fn an_answer_over_the_cap_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rjh.xlsx");
    std::fs::write(&file, over_the_cap("RJH")).unwrap();
    let limits = samla::sandbox::SandboxLimits {
        max_answer_bytes: 1 << 20,
        ..Default::default()
    };
    let e = sandbox_result(Path::new(SAMLA), &file, limits).unwrap_err();
    assert_eq!(e.code, C::FileLimitExceeded);
    assert_eq!(
        e.message,
        "det som lästes ur filen är 2 MB, gränsen är 1 MB"
    );
}

#[test]
fn reader_failed_when_the_parser_panics() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sammanfogning.xls");
    std::fs::write(&file, xls_short_merge_record()).unwrap();
    let e = samla::reader::read_return(&file, &Limits::default()).unwrap_err();
    let f = &Submission::failed(&file, &e).findings[0];
    assert_eq!(f.code, C::ReaderFailed);
    assert_eq!(f.location, Some(samla::Location::file(&file)));
    assert!(
        f.message
            .starts_with("läsaren stötte på ett internt fel i filen (")
            && f.message.ends_with(")."),
        "{}",
        f.message
    );
    // The binary's worker says the same, and goes on to the next file.
    let w = common::Workdir::new();
    std::fs::write(w.join("sammanfogning.xls"), xls_short_merge_record()).unwrap();
    std::fs::write(w.join("rn.xls"), Book::genuine("RN").to_xls()).unwrap();
    let out = check(&w, &["sammanfogning.xls", "rn.xls"], &["--json"]);
    let all = check_json(&out);
    let bad: Vec<&serde_json::Value> = all
        .iter()
        .filter(|f| f["file"] == "sammanfogning.xls")
        .collect();
    assert_eq!(bad.len(), 1, "{all:#?}");
    assert_eq!(bad[0]["code"], "reader-failed");
    assert_eq!(bad[0]["message"].as_str(), Some(f.message.as_str()));
    assert!(all
        .iter()
        .any(|f| f["file"] == "rn.xls" && f["code"] == "missing-rating"));
}

#[test]
fn reader_failed_when_the_xlsb_parser_panics() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("saknad-relation.xlsb", xlsb_missing_relationship()),
        ("delad-text.xlsb", xlsb_shared_string_out_of_range()),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let e = samla::reader::read_return(&file, &Limits::default()).unwrap_err();
        let f = &Submission::failed(&file, &e).findings[0];
        assert_eq!(f.code, C::ReaderFailed, "{name}");
        assert_eq!(f.location, Some(samla::Location::file(&file)));
        assert!(
            f.message
                .starts_with("läsaren stötte på ett internt fel i filen (")
                && f.message.ends_with(")."),
            "{name}: {}",
            f.message
        );
    }
}

#[test]
fn read_bytes_does_not_panic_on_broken_xlsb() {
    for (name, bytes) in [
        ("saknad-relation.xlsb", xlsb_missing_relationship()),
        ("delad-text.xlsb", xlsb_shared_string_out_of_range()),
    ] {
        let r = std::panic::catch_unwind(|| read_bytes(&bytes, &path(name), &Limits::default()));
        let r = r.unwrap_or_else(|_| panic!("{name}: read_bytes panicked"));
        assert_eq!(r.expect_err(name).code, C::ReaderFailed, "{name}");
    }
}

#[test]
fn read_bytes_does_not_panic_on_a_short_merge_cells_record() {
    let bytes = xls_short_merge_record();
    let r = std::panic::catch_unwind(|| {
        read_bytes(&bytes, &path("sammanfogning.xls"), &Limits::default())
    });
    let r = r.expect("read_bytes returns instead of panicking");
    let e = r.expect_err("the file is refused");
    assert_eq!(e.code, C::ReaderFailed);
}

#[test]
fn read_bytes_refuses_an_overflowing_cell_reference() {
    assert_reference_refused(&overflowing_cell_reference(), "radnumret \"99999999999\"");
}

/// `bytes` (RJH's return) are read without a panic and refused as damaged
/// for `what` (e.g. `cellreferensen "X1"`) in its answer sheet.
fn assert_reference_refused(bytes: &[u8], what: &str) {
    let r = std::panic::catch_unwind(|| read_bytes(bytes, &path("rjh.xlsx"), &Limits::default()));
    let r = r.expect("read_bytes returns instead of panicking");
    let e = r.expect_err("a reference beyond XFD1048576 is refused");
    assert_file_finding(
        &finding_of("rjh.xlsx", &e),
        C::UnreadableFile,
        "rjh.xlsx",
        &format!("filen är skadad: {what} i delen xl/worksheets/sheet2.xml ligger utanför ett kalkylblad (A1 till XFD1048576) eller är ingen cellreferens. Öppna filen i Excel, spara om den och skicka igen."),
    );
}

/// calamine reads on past an end tag that closes nothing open; the check
/// of the cell references stopped there, and a reference past u32 after it
/// made calamine panic (found by `reader_never_panics_on_mutated_xml`).
#[test]
fn a_reference_after_an_end_tag_that_closes_nothing_open_is_still_checked() {
    let bad = r#"</row></is><row r="1000"><c r="ABCDEFGHIJ1000" t="inlineStr"><is><t>x</t></is></c></row>"#;
    let bytes = rjh_with_answer_sheet(|xml| xml.replacen("</row>", bad, 1));
    assert_reference_refused(&bytes, "cellreferensen \"ABCDEFGHIJ1000\"");
}

#[test]
fn a_range_past_the_sheet_in_a_part_that_is_no_sheet_is_refused() {
    let mut parts = Book::genuine("RJH").raw_xlsx_entries();
    parts.push((
        "xl/tables/table1.xml".to_string(),
        br#"<?xml version="1.0" encoding="UTF-8"?><x:table xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="1" ref="A1:B99999999"/>"#.to_vec(),
    ));
    let e = read_bytes(&zip_of(&parts), &path("rjh.xlsx"), &Limits::default())
        .expect_err("a range beyond XFD1048576 is refused");
    assert_file_finding(
        &finding_of("rjh.xlsx", &e),
        C::UnreadableFile,
        "rjh.xlsx",
        "filen är skadad: området \"A1:B99999999\" i delen xl/tables/table1.xml ligger utanför ett kalkylblad (A1 till XFD1048576) eller är ingen cellreferens. Öppna filen i Excel, spara om den och skicka igen.",
    );
}

fn check(w: &common::Workdir, files: &[&str], extra: &[&str]) -> Output {
    let plan = common::plan_path();
    let mut args = vec!["check", "--plan", plan.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend_from_slice(files);
    w.run(&args)
}

/// The findings `samla check --json` prints.
fn check_json(out: &Output) -> Vec<serde_json::Value> {
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", common::stdout(out), common::stderr(out)))
        .as_array()
        .unwrap()
        .clone()
}

const DIMENSION_CLAIM: &str = "bladet \"Blad1\" anger att det har 4294967295 rader × 16384 kolumner (DIMENSIONS), gränsen är 2000000 celler.";
const SPACE_BOMB: &str = "bladet \"Blad1\" har 1907 MB text när upprepade celler och mellanslag räknas, gränsen är 64 MB.";

#[test]
fn an_xls_dimension_claim_costs_one_file_in_the_workers() {
    let w = common::Workdir::new();
    std::fs::write(w.join("dimension.xls"), xls_dimension_claim()).unwrap();
    std::fs::write(w.join("rn.xls"), Book::genuine("RN").to_xls()).unwrap();
    let out = check(&w, &["dimension.xls", "rn.xls"], &["--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let all = check_json(&out);
    let f: Vec<&serde_json::Value> = all
        .iter()
        .filter(|f| f["file"] == "dimension.xls")
        .collect();
    assert_eq!(f.len(), 1, "{all:#?}");
    assert_eq!(f[0]["code"], "file-limit-exceeded");
    assert_eq!(f[0]["sheet"], serde_json::Value::Null);
    assert_eq!(f[0]["message"], DIMENSION_CLAIM);
    // The next file is read.
    assert!(all
        .iter()
        .any(|f| f["file"] == "rn.xls" && f["code"] == "missing-rating"));
    assert!(all
        .iter()
        .all(|f| f["file"] != "rn.xls" || f["code"] != "reader-failed"));
}

#[test]
fn an_ods_space_bomb_is_refused_before_it_is_expanded() {
    let w = common::Workdir::new();
    std::fs::write(w.join("mellanslag.ods"), ods_space_bomb(2_000_000_000)).unwrap();
    let out = check(&w, &["mellanslag.ods"], &["--json", "--file-timeout", "30"]);
    assert_eq!(out.status.code(), Some(1));
    let all = check_json(&out);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["code"], "file-limit-exceeded");
    assert_eq!(all[0]["message"], SPACE_BOMB);
}

/// `samla check` reading in-process (`SAMLA_IN_PROCESS=1`), its address
/// space limited so that a runaway allocation fails fast.
fn check_in_process(w: &common::Workdir, file: &str, memory: u64) -> Output {
    use std::os::unix::process::CommandExt;
    let plan = common::plan_path();
    let mut cmd: Command = w.command(&["check", "--plan", plan.to_str().unwrap(), "--json", file]);
    cmd.env("SAMLA_IN_PROCESS", "1");
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: memory as libc::rlim_t,
                rlim_max: memory as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.output().expect("samla runs")
}

/// The findings of `samla check` in-process in 512 MiB, the worker's
/// limit: it must exit normally (1: the file was refused).
fn in_process_findings(w: &common::Workdir, file: &str) -> Vec<serde_json::Value> {
    let out = check_in_process(w, file, 512 << 20);
    assert_eq!(
        out.status.code(),
        Some(1),
        "samla check died: {:?}\n{}",
        out.status,
        common::stderr(&out)
    );
    check_json(&out)
}

#[test]
fn an_xls_dimension_claim_is_refused_in_process() {
    let w = common::Workdir::new();
    std::fs::write(w.join("dimension.xls"), xls_dimension_claim()).unwrap();
    let all = in_process_findings(&w, "dimension.xls");
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["code"], "file-limit-exceeded");
    assert_eq!(all[0]["message"], DIMENSION_CLAIM);
}

#[test]
fn an_xls_with_far_apart_cells_is_refused_in_process() {
    let w = common::Workdir::new();
    let mut s = Sheet::new("Blad1");
    s.set(0, 0, "a").set(65_535, 16_383, "b");
    let bytes = Book::new(vec![s]).to_xls_with(|_| Some((0, 2, 0, 2)));
    std::fs::write(w.join("glest.xls"), bytes).unwrap();
    let all = in_process_findings(&w, "glest.xls");
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["code"], "file-limit-exceeded");
    assert_eq!(
        all[0]["message"],
        "cellerna i bladet \"Blad1\" är utspridda över 65536 rader × 16384 kolumner, gränsen är 2000000 celler."
    );
}

#[test]
fn an_ods_space_bomb_is_refused_in_process() {
    let w = common::Workdir::new();
    std::fs::write(w.join("mellanslag.ods"), ods_space_bomb(2_000_000_000)).unwrap();
    let all = in_process_findings(&w, "mellanslag.ods");
    assert_eq!(all[0]["code"], "file-limit-exceeded", "{all:#?}");
    assert_eq!(all[0]["message"], SPACE_BOMB);
}

#[test]
fn ods_repeat_bombs_are_refused_in_process() {
    let w = common::Workdir::new();
    std::fs::write(w.join("rad.ods"), ods_repeated_row()).unwrap();
    let all = in_process_findings(&w, "rad.ods");
    assert_eq!(all[0]["code"], "file-limit-exceeded", "{all:#?}");
    std::fs::write(w.join("cell.ods"), ods_repeated_cell()).unwrap();
    let all = in_process_findings(&w, "cell.ods");
    assert_eq!(all[0]["code"], "not-a-template", "{all:#?}");
}

// ---------------------------------------------------------------------------
// Big content through the binary
// ---------------------------------------------------------------------------

#[test]
fn a_comment_longer_than_a_cell_survives_the_merge() {
    let w = common::Workdir::new();
    let inbox = w.copy_samples("inkorg");
    let mut b = long_comment();
    b.saved = Some((2024, 6, 1));
    std::fs::write(inbox.join("rn-lang.xlsx"), b.to_raw_xlsx()).unwrap();
    let out = w.merge(&inbox, &w.join("ut"), &["--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let j = common::json(&w.join("ut/sammanstallning.json"));
    let g = &j["goals"][0];
    assert_eq!(g["id"], "1.1");
    assert_eq!(
        g["comments"]["RN"].as_str(),
        Some(long_comment_text().as_str())
    );
    let d = j["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "long-comment")
        .unwrap();
    assert_eq!(d["cell"], "E6");
    assert_eq!(d["file"], inbox.join("rn-lang.xlsx").display().to_string());
    // In the workbook, the comment continues across cells (each short
    // enough to print in one row), nothing cut.
    let rows = common::sheet(&w.join("ut/sammanstallning.xlsx"), "Svar");
    let parts: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r.get(1).map(String::as_str) == Some("1.1") && r[2].starts_with("RN"))
        .collect();
    assert!(
        parts.len() >= 2,
        "{:?}",
        parts.iter().map(|r| &r[2]).collect::<Vec<_>>()
    );
    assert_eq!(parts[0][2], format!("RN (del 1/{})", parts.len()));
    let joined: String = parts.iter().map(|r| r[4].as_str()).collect();
    assert_eq!(joined, long_comment_text());
}

// ---------------------------------------------------------------------------
// Every case in one inbox
// ---------------------------------------------------------------------------

/// What samla in-process says of a file that must be refused: its message.
fn in_process_reason(path: &Path, code: C) -> String {
    let sub = match samla::reader::read_return(path, &Limits::default()) {
        Ok(raw) => samla::validate::validate(&plan(), path, &raw),
        Err(e) => Submission::failed(path, &e),
    };
    sub.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("{}: no {code}: {:#?}", path.display(), sub.findings))
        .message
        .clone()
}

#[test]
fn an_inbox_of_every_case_merges_the_good_returns_and_names_every_other_file() {
    let w = common::Workdir::new();
    let inbox = w.copy_samples("inkorg");
    let cases = write_inbox(&inbox);
    assert!(cases.len() > 50);
    let t = Instant::now();
    let (normal, strict) = std::thread::scope(|s| {
        let a = s.spawn(|| w.merge(&inbox, &w.join("ut"), &["--file-timeout", "10", "--quiet"]));
        let b = s.spawn(|| {
            w.merge(
                &inbox,
                &w.join("ut-strikt"),
                &["--file-timeout", "10", "--quiet", "--strict"],
            )
        });
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(t.elapsed() < Duration::from_secs(120), "{:?}", t.elapsed());
    assert_eq!(normal.status.code(), Some(0), "{}", common::stderr(&normal));
    assert_eq!(strict.status.code(), Some(1), "{}", common::stderr(&strict));

    // Every good return merged exactly.
    let j = common::json(&w.join("ut/sammanstallning.json"));
    assert_eq!(j["summary"]["merged"], 5, "{}", j["summary"]);
    assert_eq!(j["summary"]["missing"], serde_json::json!([]));
    let goals: BTreeMap<String, &serde_json::Value> = j["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["id"].as_str().unwrap().to_string(), g))
        .collect();
    assert_eq!(goals.len(), plan().goal_count());
    for code in ["RJH", "RN", "RV", "RVN", "RCC Norr"] {
        let a = answers(code);
        for (id, g) in &goals {
            let ans = a.goals.get(id);
            if code != "RCC Norr" {
                let want = ans.and_then(|x| x.rating.clone());
                assert_eq!(
                    g["ratings"][code].as_str(),
                    want.as_deref(),
                    "{code} {id} rating"
                );
            }
            let want = ans.and_then(|x| x.comment.clone());
            assert_eq!(
                g["comments"][code].as_str(),
                want.as_deref(),
                "{code} {id} comment"
            );
        }
    }
    let sources: BTreeMap<String, String> = j["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["file"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for code in ["RJH", "RN", "RV", "RVN", "RCC Norr"] {
        let f = inbox
            .join(sample_path(code).file_name().unwrap())
            .display()
            .to_string();
        assert_eq!(sources.get(&f).map(String::as_str), Some("merged"), "{f}");
    }

    // Every other file named in avvikelser.xlsx, with its reason.
    let rows = common::sheet(&w.join("ut/avvikelser.xlsx"), "Avvikelser");
    assert_eq!(
        rows[0],
        [
            "Kod",
            "Allvarlighet",
            "Region",
            "Mål",
            "Fil",
            "Blad",
            "Cell",
            "Meddelande"
        ]
    );
    for case in &cases {
        let p = inbox.join(&case.name);
        let file = p.display().to_string();
        let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r.get(4) == Some(&file)).collect();
        let status = sources.get(&file).map(String::as_str);
        match &case.expect {
            Expect::Accepted(region) => {
                assert_eq!(status, Some("superseded"), "{} ({})", case.name, case.what);
                let row = mine
                    .iter()
                    .find(|r| r[0] == "superseded-submission")
                    .unwrap_or_else(|| panic!("{} ({}): {mine:#?}", case.name, case.what));
                assert_eq!(row[2], *region, "{}", case.name);
                assert!(
                    row[7].starts_with(&format!("{region} har skickat flera svar.")),
                    "{}",
                    row[7]
                );
            }
            Expect::Refused(code) => {
                assert_eq!(status, Some("refused"), "{} ({})", case.name, case.what);
                let row = mine
                    .iter()
                    .find(|r| r[0] == code.as_str())
                    .unwrap_or_else(|| {
                        panic!(
                            "{} ({}): expected {code}, got {mine:#?}",
                            case.name, case.what
                        )
                    });
                if *code == C::ReaderFailed {
                    assert!(row[7].starts_with("läs"), "{}: {}", case.name, row[7]);
                } else {
                    assert_eq!(
                        row[7],
                        in_process_reason(&p, *code),
                        "{} ({})",
                        case.name,
                        case.what
                    );
                }
                assert_eq!(row[1], "fel", "{}", case.name);
            }
            Expect::Skipped => {
                assert_eq!(status, Some("skipped"), "{} ({})", case.name, case.what);
                assert_eq!(mine.len(), 1, "{}: {mine:#?}", case.name);
                assert_eq!(mine[0][0], "skipped-entry");
                assert!(mine[0][7].starts_with("Hoppades över: "), "{}", mine[0][7]);
            }
        }
    }
    // Nothing else: every row names a case, a sample, or no file (missing).
    let known: Vec<String> = cases
        .iter()
        .map(|c| inbox.join(&c.name).display().to_string())
        .collect();
    for r in &rows[1..] {
        if r[4].is_empty() {
            continue;
        }
        assert!(
            known.contains(&r[4]) || r[4].contains("cancerplan-norr-2022-2024-"),
            "{r:?}"
        );
    }
    // The strict run wrote the same consolidation.
    let js = common::json(&w.join("ut-strikt/sammanstallning.json"));
    assert_eq!(js["goals"], j["goals"]);
}

/// Reads `files` with [`samla::sandbox::Sandbox::read_in_turn`] in one
/// worker started from `exe` (the next file's request waiting in its pipe);
/// the answers decoded, with the index each came with. Retried while a
/// freshly written script cannot be started yet (ETXTBSY).
fn read_in_turn(
    exe: &Path,
    files: &[PathBuf],
    limits: samla::sandbox::SandboxLimits,
) -> Vec<(usize, Result<samla::reader::RawReturn, ReadFailure>)> {
    for _ in 0..20 {
        let sb = samla::sandbox::Sandbox::new(exe.to_path_buf(), Limits::default(), limits.clone());
        let mut next = files.iter().enumerate();
        let mut got = Vec::new();
        sb.read_in_turn(
            || next.next().map(|(i, f)| (i, f.as_path())),
            |i, answer| got.push((i, sb.decode(answer))),
        );
        let busy = |r: &Result<_, ReadFailure>| {
            r.as_ref()
                .is_err_and(|e| e.message.contains("läsprocessen kunde inte startas"))
        };
        if !got.iter().any(|(_, r)| busy(r)) {
            return got;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the worker could not be started");
}

fn code_of(raw: &Result<samla::reader::RawReturn, ReadFailure>) -> Result<String, C> {
    match raw {
        Ok(raw) => Ok(raw.meta.get("kod").cloned().unwrap_or_default()),
        Err(e) => Err(e.code),
    }
}

#[test]
fn files_read_in_turn_keep_their_order_and_a_failure_costs_its_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, bytes) in [
        ("rjh.xlsx", genuine("RJH")),
        ("stor.xlsx", over_the_cap("RV")),
        ("rn.xlsx", genuine("RN")),
        ("rvn.xlsx", genuine("RVN")),
    ] {
        files.push(dir.path().join(name));
        std::fs::write(files.last().unwrap(), bytes).unwrap();
    }
    let limits = samla::sandbox::SandboxLimits {
        max_answer_bytes: 1 << 20,
        ..Default::default()
    };
    // The answer over the cap kills the worker while RN's request waits in
    // its pipe: RN is read again in a fresh worker, and RVN after it.
    let got = read_in_turn(Path::new(SAMLA), &files, limits);
    let codes: Vec<(usize, Result<String, C>)> =
        got.iter().map(|(i, r)| (*i, code_of(r))).collect();
    assert_eq!(
        codes,
        [
            (0, Ok("RJH".into())),
            (1, Err(C::FileLimitExceeded)),
            (2, Ok("RN".into())),
            (3, Ok("RVN".into()))
        ]
    );
    // A worker that dies before it reads: its files are read by the next.
    let flag = dir.path().join("forsta");
    let body = format!(
        "if mkdir '{}' 2>/dev/null; then exit 3; fi\nexec '{SAMLA}' \"$@\"",
        flag.display()
    );
    let exe = script(dir.path(), "dor-forst", &body);
    let got = read_in_turn(
        &exe,
        &[files[0].clone(), files[2].clone()],
        Default::default(),
    );
    let codes: Vec<_> = got.iter().map(|(i, r)| (*i, code_of(r))).collect();
    assert_eq!(codes, [(0, Ok("RJH".into())), (1, Ok("RN".into()))]);
}

#[test]
fn files_read_in_turn_by_a_hanging_reader_each_time_out() {
    let dir = tempfile::tempdir().unwrap();
    let exe = script(dir.path(), "haenger", "exec sleep 60");
    let files: Vec<PathBuf> = ["RJH", "RN", "RV"]
        .iter()
        .map(|c| {
            let f = dir.path().join(format!("{c}.xlsx"));
            std::fs::write(&f, genuine(c)).unwrap();
            f
        })
        .collect();
    let limits = samla::sandbox::SandboxLimits {
        timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let t = Instant::now();
    let got = read_in_turn(&exe, &files, limits);
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    let indices: Vec<usize> = got.iter().map(|(i, _)| *i).collect();
    assert_eq!(indices, [0, 1, 2]);
    for (_, r) in &got {
        let e = r.as_ref().unwrap_err();
        assert_eq!(e.code, C::ReaderFailed);
        assert!(
            e.message.starts_with("läsningen avbröts efter 1 s"),
            "{}",
            e.message
        );
    }
}
