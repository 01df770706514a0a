//! Property tests: random valid returns lose no comment text and no rating
//! on the way through template → reader → validation → merge → outputs;
//! and a fuzz target for the reader: arbitrary and mutated bytes, as
//! .xlsx, .ods and .xls, never make it panic.
//!
//! Case counts are modest so that the suite stays fast on two cores.

mod fixtures;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use fixtures::*;
use proptest::prelude::*;
use samla::plan::Respondent;
use samla::reader::{read_bytes, Limits};
use samla::template::{Answer, Answers};
use samla::Rating;

// ---------------------------------------------------------------------------
// Random valid returns
// ---------------------------------------------------------------------------

const LEVELS: [(&str, &str); 3] = [
    ("U", "Uppnått mål"),
    ("P", "Pågående arbete"),
    ("E", "Ej påbörjat arbete"),
];

/// One level as a region might type it, with the code it means.
fn level_form() -> impl Strategy<Value = (String, String)> {
    (0..3usize, 0..10u8).prop_map(|(i, form)| {
        let (code, label) = LEVELS[i];
        let first = label.rsplit_once(' ').map_or(label, |(head, _)| head);
        let written = match form {
            0 => code.to_lowercase(),
            1 => first.to_string(),
            2 => label.to_string(),
            3 => label.to_uppercase(),
            4 => first.to_lowercase(),
            _ => code.to_string(),
        };
        (written, code.to_string())
    })
}

/// A rating as written, and the rating it must be read as; `None` = blank.
fn rating() -> impl Strategy<Value = Option<(String, Rating)>> {
    let parts = prop::collection::vec(level_form(), 1..=3);
    let rated = (parts, any::<bool>(), 0..4u8, 0..4u8).prop_map(|(parts, uncertain, sep, pad)| {
        let sep = if sep == 0 { " / " } else { "/" };
        let mut written = parts
            .iter()
            .map(|(w, _)| w.as_str())
            .collect::<Vec<_>>()
            .join(sep);
        let codes: Vec<String> = parts.into_iter().map(|(_, c)| c).collect();
        let mut r = if codes.len() == 1 {
            Rating::Level(codes[0].as_str().into())
        } else {
            Rating::Compound(codes.into())
        };
        if uncertain {
            written.push('?');
            r = Rating::Uncertain(Box::new(r));
        }
        if pad == 0 {
            written = format!(" {written} ");
        }
        Some((written, r))
    });
    prop_oneof![1 => Just(None), 4 => rated]
}

/// A piece of comment text, from the kinds of things people paste.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zåäöA-ZÅÄÖé0-9 ,.;:!?()%/-]{1,40}",
        2 => "\\PC{1,12}",
        1 => prop::sample::select(vec![
            "\n", "\r\n", "\n\n", "\t", "  ", "   ", " ",
            "\"citat\"", "'", "”svenska citat”", "«guillemets»",
            "=SUMMA(A1:A3)", "=", "+46 90 123 45", "+", "-", "- punkt", "@RCC Norr", "@",
            "🎗️", "👍🏽", "👩‍⚕️", "Ω≈ç√∫", "\u{a0}", "\u{200b}", "\u{feff}",
            "&amp; <b>fet</b> ]]> &lt;", "_x000D_", "_x0041_", "_x005F_", "\u{b}", "\u{1}",
            "Ålö, Överkalix, Örnsköldsvik", "ÆØÅ æøå",
        ])
        .prop_map(str::to_string),
    ]
}

/// A comment with some text, or none.
fn comment() -> impl Strategy<Value = Option<String>> {
    let text = prop::collection::vec(fragment(), 1..8)
        .prop_map(|v| v.concat())
        .prop_filter("a comment has text", |s| !s.trim().is_empty());
    prop_oneof![1 => Just(None), 3 => text.prop_map(Some)]
}

type RegionAnswers = Vec<(Option<(String, Rating)>, Option<String>)>;

fn region_answers(n: usize) -> impl Strategy<Value = RegionAnswers> {
    prop::collection::vec((rating(), comment()), n)
}

fn to_answers(code: &str, goals: &[String], rows: &RegionAnswers) -> Answers {
    let mut a = Answers {
        respondent: code.to_string(),
        goals: BTreeMap::new(),
    };
    for (id, (r, c)) in goals.iter().zip(rows) {
        if r.is_none() && c.is_none() {
            continue;
        }
        a.goals.insert(
            id.clone(),
            Answer {
                rating: r.as_ref().map(|(w, _)| w.clone()),
                comment: c.clone(),
            },
        );
    }
    a
}

/// A sheet read back with calamine: cells as strings.
fn sheet_rows(path: &Path, name: &str) -> Vec<Vec<String>> {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut rows = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); c0 as usize];
        cells.extend(row.iter().map(|d| match d {
            Data::String(s) => s.clone(),
            Data::Empty => String::new(),
            other => other.to_string(),
        }));
        rows.push(cells);
    }
    rows
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 20,
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    })]

    /// Template → read → validate → merge → JSON and workbook: every
    /// comment verbatim, every rating as meant.
    #[test]
    fn random_valid_returns_lose_no_comment_text(
        regions in prop::collection::vec(region_answers(43), 4),
        coordinator in prop::collection::vec(comment(), 43),
    ) {
        let plan = plan();
        let goals: Vec<String> = plan.goals().map(|(_, g)| g.id.0.clone()).collect();
        prop_assume!(goals.len() == 43);
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inkorg");
        std::fs::create_dir(&inbox).unwrap();
        let codes: Vec<String> = plan.regions.iter().map(|r| r.code.0.clone()).collect();
        let mut expected: BTreeMap<String, RegionAnswers> = BTreeMap::new();
        for (code, rows) in codes.iter().zip(&regions) {
            expected.insert(code.clone(), rows.clone());
        }
        let rcc: RegionAnswers = coordinator.iter().map(|c| (None, c.clone())).collect();
        expected.insert(plan.coordinator.code.0.clone(), rcc);
        for (code, rows) in &expected {
            let who = plan.respondent(code).unwrap();
            let bytes = samla::template::workbook(&plan, &who, Some(&to_answers(code, &goals, rows)))
                .expect("a valid return builds");
            let file = inbox.join(samla::template::file_name(&plan, &who));
            // The reader and validation on their own first.
            let raw = read_bytes(&bytes, &file, &Limits::default()).expect("a genuine return reads");
            let sub = samla::validate::validate(&plan, &file, &raw);
            prop_assert!(sub.accepted());
            prop_assert_eq!(sub.respondent(), Some(&who));
            for f in &sub.findings {
                prop_assert!(
                    !matches!(
                        f.code,
                        samla::FindingCode::InvalidRating
                            | samla::FindingCode::TextOutsideAnswers
                            | samla::FindingCode::UnknownGoal
                            | samla::FindingCode::MissingGoalRow
                    ),
                    "{}", f
                );
            }
            std::fs::write(&file, bytes).unwrap();
        }
        let out = dir.path().join("ut");
        let outcome = samla::pipeline::run_merge(&plan, &samla::pipeline::MergeOptions::new(&inbox, &out))
            .expect("the merge runs");
        prop_assert_eq!(outcome.summary.counts.merged, 5);
        let c = &outcome.consolidation;
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("sammanstallning.json")).unwrap()).unwrap();
        // The consolidated workbook's answer sheet: (goal, respondent) → (rating, comment).
        let mut svar: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
        for r in sheet_rows(&out.join("sammanstallning.xlsx"), "Svar").into_iter().skip(1) {
            let who = r[2].split(" (del ").next().unwrap().to_string();
            let e = svar.entry((r[1].clone(), who)).or_default();
            e.0 = r[3].clone();
            e.1.push_str(r.get(4).map(String::as_str).unwrap_or(""));
        }
        for (gi, goal) in goals.iter().enumerate() {
            let row = &c.goals[gi];
            prop_assert_eq!(&row.id.0, goal);
            let jg = &json["goals"][gi];
            for (code, rows) in &expected {
                let (r, comment) = &rows[gi];
                let is_region = code != &plan.coordinator.code.0;
                let cell = row.answers.get(code).expect("every respondent answered every goal");
                prop_assert_eq!(cell.comment(), comment.as_deref(), "{} {} comment", code, goal);
                prop_assert_eq!(jg["comments"][code.as_str()].as_str(), comment.as_deref(), "{} {} JSON comment", code, goal);
                let shown = svar.get(&(goal.clone(), code.clone())).cloned().unwrap_or_default();
                prop_assert_eq!(&shown.1, comment.as_deref().unwrap_or(""), "{} {} workbook comment", code, goal);
                if is_region {
                    let want = r.as_ref().map(|(_, rating)| rating.clone());
                    prop_assert_eq!(cell.rating(), want.as_ref(), "{} {} rating of {:?}", code, goal, r);
                    prop_assert_eq!(cell.written(), r.as_ref().map(|(w, _)| w.trim()));
                    let code_form = want.as_ref().map(Rating::code);
                    prop_assert_eq!(jg["ratings"][code.as_str()].as_str(), code_form.as_deref());
                    prop_assert_eq!(shown.0, code_form.unwrap_or_default(), "{} {} workbook rating", code, goal);
                }
            }
        }
    }
}

#[test]
fn the_rating_strategy_means_what_the_parser_reads() {
    // A check of the generator itself against rating::parse, on fixed cases.
    let scale: Vec<(String, String)> = LEVELS
        .iter()
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .collect();
    for (w, r) in [
        ("Ej påbörjat / u?", "E/U?"),
        (" PÅGÅENDE ARBETE ", "P"),
        ("uppnått/Pågående/E", "U/P/E"),
    ] {
        match samla::rating::parse(w, &scale) {
            samla::rating::Parsed::Normalised(x) | samla::rating::Parsed::Exact(x) => {
                assert_eq!(x.code(), r, "{w}")
            }
            other => panic!("{w}: {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Fuzzing the reader
// ---------------------------------------------------------------------------

const EXTS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "ods", "xls"];

/// Bytes of the genuine RJH return in the three formats samla reads.
fn corpus() -> &'static [(Vec<u8>, &'static str)] {
    static CORPUS: std::sync::OnceLock<Vec<(Vec<u8>, &'static str)>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(|| {
        let book = Book::genuine("RJH");
        vec![
            (genuine("RJH"), "xlsx"),
            (book.to_raw_xlsx(), "xlsx"),
            (book.to_ods(), "ods"),
        ]
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(prop::sample::Index, u8),
    Flip(prop::sample::Index, u8),
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, Vec<u8>),
    /// Copies a run of bytes elsewhere (XML tags, digits, records).
    Splice(prop::sample::Index, prop::sample::Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let idx = any::<prop::sample::Index>;
    prop_oneof![
        (idx(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (idx(), 0..8u8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (idx(), 1..64usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (idx(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (idx(), idx(), 1..256usize).prop_map(|(a, b, n)| Mutation::Splice(a, b, n)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, muts: &[Mutation]) {
    for m in muts {
        if bytes.is_empty() {
            return;
        }
        let len = bytes.len();
        match m {
            Mutation::Set(i, b) => bytes[i.index(len)] = *b,
            Mutation::Flip(i, bit) => bytes[i.index(len)] ^= 1 << bit,
            Mutation::Delete(i, n) => {
                let at = i.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            Mutation::Insert(i, v) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, v.iter().copied());
            }
            Mutation::Splice(a, b, n) => {
                let from = a.index(len);
                let run: Vec<u8> = bytes[from..(from + n).min(len)].to_vec();
                let to = b.index(len + 1);
                bytes.splice(to..to, run);
            }
        }
    }
}

thread_local! {
    /// Where and why this thread last panicked.
    static LAST_PANIC: std::cell::RefCell<Option<(String, String)>> = const { std::cell::RefCell::new(None) };
}

/// Records each panic's location.
fn install_panic_recorder() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let payload = info.payload();
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some((location, message)));
            previous(info);
        }));
    });
}

/// Reads in this process: Ok, or Err naming the file unreadable or over a
/// limit, are fine; a panic (even one read_bytes contains) fails the property.
fn read_here(bytes: &[u8], ext: &str) -> Result<(), TestCaseError> {
    install_panic_recorder();
    LAST_PANIC.with(|p| p.borrow_mut().take());
    let path = PathBuf::from(format!("fuzz.{ext}"));
    let r = std::panic::catch_unwind(|| read_bytes(bytes, &path, &Limits::default()));
    match r {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => {
            prop_assert!(
                matches!(
                    e.code,
                    samla::FindingCode::UnreadableFile | samla::FindingCode::FileLimitExceeded
                ),
                "read_bytes failed with {}: {} (panic: {:?})",
                e.code,
                e.message,
                LAST_PANIC.with(|p| p.borrow_mut().take())
            );
            Ok(())
        }
        Err(_) => {
            let (location, message) = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_default();
            Err(TestCaseError::fail(format!(
                "read_bytes panicked at {location}: {message}"
            )))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    })]

    /// Arbitrary bytes, alone or behind a zip or compound-file signature.
    #[test]
    fn reader_never_panics_on_arbitrary_bytes(
        magic in prop::sample::select(vec![
            &b""[..],
            b"PK\x03\x04",
            b"PK\x05\x06",
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
        ]),
        body in prop::collection::vec(any::<u8>(), 0..2048),
        ext in prop::sample::select(EXTS.to_vec()),
    ) {
        let bytes = [magic, body.as_slice()].concat();
        read_here(&bytes, ext)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        max_shrink_iters: 500,
        ..ProptestConfig::default()
    })]

    /// A real return with a few bytes changed (the container breaks first).
    #[test]
    fn reader_never_panics_on_mutated_sample_bytes(
        which in 0..3usize,
        muts in prop::collection::vec(mutation(), 1..6),
        truncate in prop::option::of(any::<prop::sample::Index>()),
        ext in prop::sample::select(vec!["xlsx", "ods"]),
    ) {
        let mut bytes = corpus()[which].0.clone();
        mutate(&mut bytes, &muts);
        if let Some(t) = truncate {
            bytes.truncate(t.index(bytes.len() + 1));
        }
        read_here(&bytes, ext)?;
    }

    /// A real return with its XML parts mutated and re-zipped with valid
    /// checksums, so that the mutations reach the XML parsers.
    #[test]
    fn reader_never_panics_on_mutated_xml(
        which in 0..3usize,
        part in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..8),
    ) {
        let (bytes, ext) = &corpus()[which];
        let mut parts = unzip(bytes);
        let n = parts.len();
        // Mostly the sheets and content, sometimes any part.
        let i = part.index(n);
        let target = parts
            .iter()
            .position(|(name, _)| name.contains("worksheets/sheet2") || name == "content.xml")
            .filter(|_| i % 2 == 0)
            .unwrap_or(i);
        mutate(&mut parts[target].1, &muts);
        read_here(&zip_of(&parts), ext)?;
    }
}

// calamine's .xls reader allocates what DIMENSIONS records and far-apart
// cells claim (samla checks both first), and the .xls and .xlsb readers
// panic on some broken records, so these formats are read in a child
// process (this test binary, filtered to `fuzz_child`): an abort there
// fails the property instead of the whole test run.

const CHILD_ENV: &str = "SAMLA_FUZZ_FILE";
const CHILD_GUARDED_ENV: &str = "SAMLA_FUZZ_GUARDED";

/// In a child: reads the file `SAMLA_FUZZ_FILE` names, with `read_bytes`
/// or, when `SAMLA_FUZZ_GUARDED` is set, as the pipeline does
/// (`read_return`). Does nothing otherwise.
#[test]
fn fuzz_child() {
    let Ok(p) = std::env::var(CHILD_ENV) else {
        return;
    };
    if std::env::var(CHILD_GUARDED_ENV).is_ok() {
        let _ = samla::reader::read_return(Path::new(&p), &Limits::default());
    } else {
        let bytes = std::fs::read(&p).unwrap();
        let _ = read_bytes(&bytes, Path::new(&p), &Limits::default());
    }
}

/// How a child reading one input ended.
#[derive(Debug, PartialEq)]
enum ChildEnd {
    Done,
    /// Aborted on a failed allocation (the known .xls bug).
    AllocationAbort,
    Failed(String),
}

fn read_in_child(bytes: &[u8], ext: &str, guarded: bool) -> ChildEnd {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let p: PathBuf = dir.path().join(format!("fuzz.{ext}"));
    std::fs::write(&p, bytes).unwrap();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "fuzz_child",
        "--nocapture",
        "--test-threads",
        "1",
    ])
    .env(CHILD_ENV, &p)
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::piped());
    if guarded {
        cmd.env(CHILD_GUARDED_ENV, "1");
    }
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 2 << 30,
                rlim_max: 2 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("the test binary starts");
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let err = reader.join().unwrap_or_default();
    match status {
        None => ChildEnd::Failed("the reader hung for 30 s".into()),
        Some(s) if s.success() => ChildEnd::Done,
        Some(s) => {
            use std::os::unix::process::ExitStatusExt;
            if s.signal() == Some(libc::SIGABRT) && err.contains("memory allocation of") {
                ChildEnd::AllocationAbort
            } else {
                ChildEnd::Failed(format!("{s:?}: {err}"))
            }
        }
    }
}

fn xls_sample() -> &'static [u8] {
    static XLS: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    XLS.get_or_init(|| Book::genuine("RJH").to_xls())
}

fn xlsb_sample() -> &'static [u8] {
    static XLSB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    XLSB.get_or_init(|| Book::genuine("RJH").to_xlsb())
}

/// Mutates a genuine binary workbook where its records are — the .xls
/// Workbook stream (after header, FAT and directory), or an .xlsb part
/// (re-zipped) — and reads it in a child.
fn fuzz_binary(
    xlsb: bool,
    part: prop::sample::Index,
    muts: &[Mutation],
    guarded: bool,
) -> Result<(), TestCaseError> {
    let (bytes, ext) = if xlsb {
        let mut parts = unzip(xlsb_sample());
        let bins: Vec<usize> = (0..parts.len())
            .filter(|&i| parts[i].0.ends_with(".bin"))
            .collect();
        let i = bins[part.index(bins.len())];
        mutate(&mut parts[i].1, muts);
        (zip_of(&parts), "xlsb")
    } else {
        let bytes = xls_sample();
        let (head, stream) = bytes.split_at(3 * 512);
        let mut s = stream.to_vec();
        mutate(&mut s, muts);
        ([head, s.as_slice()].concat(), "xls")
    };
    match read_in_child(&bytes, ext, guarded) {
        ChildEnd::Done => Ok(()),
        other => Err(TestCaseError::fail(format!("{other:?}"))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        max_shrink_iters: 100,
        // Known failures of the strict forms below must not be replayed here.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Mutated .xls and .xlsb records, read as the pipeline reads them
    /// in-process (`read_return`): a panic becomes `reader-failed`, and
    /// nothing crashes, aborts or hangs.
    #[test]
    fn binary_reader_failures_are_contained_on_mutated_records(
        xlsb in any::<bool>(),
        part in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..6),
    ) {
        fuzz_binary(xlsb, part, &muts, true)?;
    }

    /// The fuzz target proper for the binary formats: `read_bytes` neither
    /// panics nor aborts on an allocation.
    #[test]
    fn binary_reader_never_aborts_on_mutated_records(
        xlsb in any::<bool>(),
        part in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..6),
    ) {
        fuzz_binary(xlsb, part, &muts, false)?;
    }
}

#[test]
fn the_fuzz_child_reads_and_reports() {
    // The harness itself: a good file is read, the known abort is seen as
    // one, and a parser panic is contained by read_bytes.
    assert_eq!(read_in_child(xls_sample(), "xls", false), ChildEnd::Done);
    assert_eq!(
        read_in_child(&garbage(100, 1), "xlsx", false),
        ChildEnd::Done
    );
    assert_eq!(
        read_in_child(&xls_dimension_claim(), "xls", false),
        ChildEnd::Done
    );
    assert_eq!(
        read_in_child(&xls_short_merge_record(), "xls", true),
        ChildEnd::Done
    );
    // read_bytes itself turns calamine's panic into a reader-failed error.
    assert_eq!(
        read_in_child(&xls_short_merge_record(), "xls", false),
        ChildEnd::Done
    );
}

#[test]
fn the_fuzz_inputs_are_what_they_claim() {
    // The corpus reads as RJH's return in every format.
    for (bytes, ext) in corpus() {
        let raw = read_bytes(bytes, Path::new(&format!("rjh.{ext}")), &Limits::default()).unwrap();
        let sub = samla::validate::validate(&plan(), Path::new("rjh"), &raw);
        assert_eq!(
            sub.respondent().cloned(),
            Some(Respondent::Region(samla::RegionCode("RJH".into())))
        );
    }
    let raw = read_bytes(xls_sample(), Path::new("rjh.xls"), &Limits::default()).unwrap();
    assert_eq!(raw.format, "xls");
    let raw = read_bytes(xlsb_sample(), Path::new("rjh.xlsb"), &Limits::default()).unwrap();
    assert_eq!(raw.format, "xlsb");
}
