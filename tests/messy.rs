//! Messy but honest returns, and wrong ones: one test per finding code that
//! a return's content (not its container) can cause, each asserting the
//! code, the location (file, sheet, cell) and the Swedish message. Mostly
//! through the library; a few through the real binary.
//!
//! The returns are built by `fixtures` from a genuine filled return.

mod common;
mod fixtures;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fixtures::*;
use samla::merge::{merge, merge_at, Consolidation, Received, SourceStatus};
use samla::reader::UtcTime;
use samla::validate::Submission;
use samla::{Finding, FindingCode as C, Rating, Severity};

/// Files are read as if from this inbox folder.
const INBOX: &str = "inkorg";

fn path(name: &str) -> PathBuf {
    Path::new(INBOX).join(name)
}

fn file(name: &str) -> String {
    path(name).display().to_string()
}

/// Reads and validates bytes as the file `inkorg/<name>`.
fn read(name: &str, bytes: &[u8]) -> Submission {
    let plan = plan();
    let p = path(name);
    let raw = samla::reader::read_bytes(bytes, &p, &Default::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    samla::validate::validate(&plan, &p, &raw)
}

fn read_xlsx(name: &str, book: &Book) -> Submission {
    read(name, &book.to_xlsx())
}

/// The one finding of `code` (for `goal`, when given).
fn only<'a>(sub: &'a Submission, code: C, goal: Option<&str>) -> &'a Finding {
    only_in(&sub.findings, code, goal)
}

fn only_in<'a>(findings: &'a [Finding], code: C, goal: Option<&str>) -> &'a Finding {
    let hits: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            f.code == code && (goal.is_none() || f.goal.as_ref().map(|g| g.0.as_str()) == goal)
        })
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one {code} (goal {goal:?}); all findings: {findings:#?}"
    );
    hits[0]
}

fn none_of(sub: &Submission, code: C) {
    let hits: Vec<&Finding> = sub.findings.iter().filter(|f| f.code == code).collect();
    assert!(hits.is_empty(), "unexpected {code}: {hits:#?}");
}

/// Asserts the finding's location and message, and that its severity is its code's.
fn assert_finding(f: &Finding, file: &str, sheet: Option<&str>, cell: Option<&str>, message: &str) {
    let loc = f.location.as_ref().expect("the finding has a location");
    assert_eq!(&*loc.file, file, "file of {f}");
    assert_eq!(loc.sheet.as_deref(), sheet, "sheet of {f}");
    assert_eq!(loc.a1().as_deref(), cell, "cell of {f}");
    assert_eq!(f.message, message, "message of {f}");
    assert_eq!(f.severity, f.code.severity());
}

/// Goal id → (rating in the scale's form, comment), for every answered goal.
fn essence(sub: &Submission) -> BTreeMap<String, (Option<String>, Option<String>)> {
    sub.answers()
        .expect("the return is accepted")
        .iter(&plan())
        .map(|(g, a)| {
            (
                g.0.clone(),
                (
                    a.rating().map(Rating::code),
                    a.comment().map(str::to_string),
                ),
            )
        })
        .collect()
}

/// What a sample's answers file says, for every goal of the plan.
fn expected(code: &str) -> BTreeMap<String, (Option<String>, Option<String>)> {
    let a = answers(code);
    plan()
        .goals()
        .map(|(_, g)| {
            let ans = a.goals.get(&g.id.0);
            (
                g.id.0.clone(),
                (
                    ans.and_then(|x| x.rating.clone()),
                    ans.and_then(|x| x.comment.clone()),
                ),
            )
        })
        .collect()
}

fn rating(sub: &Submission, goal: &str) -> Option<Rating> {
    let answers = sub.answers().expect("accepted");
    answers
        .get(&plan(), goal)
        .expect("answered")
        .rating()
        .cloned()
}

fn level(c: &str) -> Rating {
    Rating::Level(c.into())
}

fn compound(parts: &[&str]) -> Rating {
    Rating::Compound(parts.iter().map(|p| p.to_string()).collect())
}

const SCALE: &str = "U = Uppnått mål, P = Pågående arbete, E = Ej påbörjat arbete";

// ---------------------------------------------------------------------------
// Genuine returns
// ---------------------------------------------------------------------------

#[test]
fn the_samples_read_as_their_answers() {
    for code in ["RJH", "RN", "RV", "RVN", "RCC Norr"] {
        let sub = read(&format!("{code}.xlsx"), &genuine(code));
        assert!(sub.accepted(), "{code}: {:#?}", sub.findings);
        let mut want = expected(code);
        if code == "RCC Norr" {
            for v in want.values_mut() {
                v.0 = None;
            }
        }
        assert_eq!(essence(&sub), want, "{code}");
    }
}

#[test]
fn missing_rating() {
    // The bundled sample on disk: RJH left goal 1.5 blank.
    let plan = plan();
    let p = sample_path("RJH");
    let raw = samla::reader::read_return(&p, &Default::default()).unwrap();
    let sub = samla::validate::validate(&plan, &p, &raw);
    let f = only(&sub, C::MissingRating, Some("1.5"));
    assert_finding(
        f,
        &p.display().to_string(),
        Some("Uppföljning"),
        Some("D10"),
        "Bedömning saknas för mål 1.5. Ange U, P eller E; lämna cellen blank bara om RJH inte kan bedöma målet.",
    );
    assert_eq!(f.region.as_deref(), Some("RJH"));
    assert_eq!(f.severity, Severity::Warning);
    // Blank, and no comment either: nothing else is said about 1.5.
    assert!(sub.findings.iter().all(
        |x| x.goal.as_ref().map(|g| g.0.as_str()) != Some("1.5") || x.code == C::MissingRating
    ));
}

#[test]
fn missing_rating_when_the_rating_column_is_deleted() {
    let mut b = Book::genuine("RV");
    let s = b.answers();
    s.cells.retain(|(_, c), _| *c != RATING_COL);
    s.cells = std::mem::take(&mut s.cells)
        .into_iter()
        .map(|((r, c), v)| {
            if c > RATING_COL {
                ((r, c - 1), v)
            } else {
                ((r, c), v)
            }
        })
        .collect();
    let sub = read_xlsx("rv-utan-bedomning.xlsx", &b);
    assert!(sub.accepted());
    let missing: Vec<&Finding> = sub
        .findings
        .iter()
        .filter(|f| f.code == C::MissingRating)
        .collect();
    assert_eq!(missing.len(), plan().goal_count());
    let f = only(&sub, C::MissingRating, Some("1.1"));
    assert_eq!(
        f.message,
        "Bedömning saknas för mål 1.1 (kolumnen Bedömning saknas i filen). Ange U, P eller E; lämna cellen blank bara om RV inte kan bedöma målet."
    );
    let loc = f.location.as_ref().unwrap();
    assert_eq!(
        (&*loc.file, loc.sheet.as_deref()),
        (file("rv-utan-bedomning.xlsx").as_str(), Some("Uppföljning"))
    );
    // The comments, now in column D, are all still read.
    let got = essence(&sub);
    for (goal, (_, comment)) in expected("RV") {
        assert_eq!(got[&goal].1, comment, "comment of {goal}");
    }
}

#[test]
fn a_returns_findings_share_its_file_sheet_and_respondent() {
    // Issue 10: thousands of findings are held until the end of reading;
    // the names they repeat are one allocation per return, not per finding.
    let mut book = Book::genuine("RJH");
    for goal in ["1.1", "1.2"] {
        let row = book.answers().row_of(goal);
        book.answers().clear(row, 3);
    }
    let sub = read_xlsx("rjh-tva-blanka.xlsx", &book);
    let (a, b) = (
        only(&sub, C::MissingRating, Some("1.1")),
        only(&sub, C::MissingRating, Some("1.2")),
    );
    let (la, lb) = (a.location.as_ref().unwrap(), b.location.as_ref().unwrap());
    assert_eq!(&*la.file, file("rjh-tva-blanka.xlsx"));
    assert_eq!(la.sheet.as_deref(), Some("Uppföljning"));
    assert_ne!(la.cell, lb.cell);
    assert!(std::sync::Arc::ptr_eq(&la.file, &lb.file));
    assert!(std::sync::Arc::ptr_eq(
        la.sheet.as_ref().unwrap(),
        lb.sheet.as_ref().unwrap()
    ));
    assert_eq!(a.region.as_deref(), Some("RJH"));
    assert!(std::sync::Arc::ptr_eq(
        a.region.as_ref().unwrap(),
        b.region.as_ref().unwrap()
    ));
}

#[test]
fn comment_without_rating() {
    let sub = read("rjh.xlsx", &genuine("RJH"));
    let f = only(&sub, C::CommentWithoutRating, Some("5.5"));
    assert_finding(
        f,
        &file("rjh.xlsx"),
        Some("Uppföljning"),
        Some("D36"),
        "Mål 5.5 har en kommentar men ingen bedömning. Ange U, P eller E om RJH kan bedöma målet.",
    );
    // The comment itself is kept.
    assert_eq!(essence(&sub)["5.5"].1, expected("RJH")["5.5"].1);
    assert!(essence(&sub)["5.5"].1.is_some());
}

// ---------------------------------------------------------------------------
// Ratings
// ---------------------------------------------------------------------------

#[test]
fn invalid_rating_is_refused_but_kept_as_written() {
    let sub = read_xlsx("rvn-ogiltig.xlsx", &invalid_ratings());
    assert!(sub.accepted());
    let f = only(&sub, C::InvalidRating, Some("1.1"));
    assert_finding(
        f,
        &file("rvn-ogiltig.xlsx"),
        Some("Uppföljning"),
        Some("D6"),
        &format!("Bedömningen \"X\" för mål 1.1 finns inte i skalan ({SCALE}). Skriv en av koderna, t.ex. U, P eller E."),
    );
    assert_eq!(f.severity, Severity::Error);
    let f = only(&sub, C::InvalidRating, Some("1.2"));
    assert_finding(
        f,
        &file("rvn-ogiltig.xlsx"),
        Some("Uppföljning"),
        Some("D7"),
        &format!("Bedömningen \"Ja\" för mål 1.2 finns inte i skalan ({SCALE}). Skriv en av koderna, t.ex. U, P eller E."),
    );
    let a = sub.answers().unwrap().get(&plan(), "1.1").unwrap();
    assert_eq!((a.rating(), a.written()), (None, Some("X")));
    // Not a missing rating: something was written.
    assert!(!sub
        .findings
        .iter()
        .any(|x| x.code == C::MissingRating && x.goal.as_ref().is_some_and(|g| g.0 == "1.1")));
    // The merge keeps it as written, outside the scale.
    let c = merge(&plan(), vec![sub]);
    let cell = c.goals[0].answers.get("RVN").expect("RVN's answer to 1.1");
    assert_eq!((cell.rating(), cell.written()), (None, Some("X")));
    assert_eq!(samla::merge::bucket(Some(cell)), "annat");
}

#[test]
fn compound_rating_is_merged_as_written() {
    let sub = read_xlsx("rjh-sammansatt.xlsx", &compound_and_uncertain());
    let f = only(&sub, C::CompoundRating, Some("1.1"));
    assert_finding(
        f,
        &file("rjh-sammansatt.xlsx"),
        Some("Uppföljning"),
        Some("D6"),
        "Mål 1.1 har den sammansatta bedömningen E/P: målet har flera delar med olika status. Den redovisas som den är skriven; följ upp vilken del som gäller vad.",
    );
    assert_eq!(f.region.as_deref(), Some("RJH"));
    assert_eq!(rating(&sub, "1.1"), Some(compound(&["E", "P"])));
    none_of(&sub, C::NormalisedRating);
}

#[test]
fn uncertain_rating_is_merged_as_written() {
    let sub = read_xlsx("rjh-sammansatt.xlsx", &compound_and_uncertain());
    let f = only(&sub, C::UncertainRating, Some("1.2"));
    assert_finding(
        f,
        &file("rjh-sammansatt.xlsx"),
        Some("Uppföljning"),
        Some("D7"),
        "Bedömningen U? för mål 1.2 är osäker (frågetecken). Den redovisas som den är skriven; bekräfta den med RJH.",
    );
    assert_eq!(
        rating(&sub, "1.2"),
        Some(Rating::Uncertain(Box::new(level("U"))))
    );
    // U/E? is both uncertain and compound, at the same cell.
    let u = only(&sub, C::UncertainRating, Some("1.3"));
    let c = only(&sub, C::CompoundRating, Some("1.3"));
    assert_finding(
        u,
        &file("rjh-sammansatt.xlsx"),
        Some("Uppföljning"),
        Some("D8"),
        "Bedömningen U/E? för mål 1.3 är osäker (frågetecken). Den redovisas som den är skriven; bekräfta den med RJH.",
    );
    assert_finding(
        c,
        &file("rjh-sammansatt.xlsx"),
        Some("Uppföljning"),
        Some("D8"),
        "Mål 1.3 har den sammansatta bedömningen U/E: målet har flera delar med olika status. Den redovisas som den är skriven; följ upp vilken del som gäller vad.",
    );
    assert_eq!(
        rating(&sub, "1.3"),
        Some(Rating::Uncertain(Box::new(compound(&["U", "E"]))))
    );
}

#[test]
fn normalised_rating_in_lower_case() {
    let sub = read_xlsx("rjh-gemener.xlsx", &lower_case_ratings());
    for (goal, written, code, cell) in [
        ("1.1", "p", "P", "D6"),
        ("1.2", "u", "U", "D7"),
        ("2.2", "p", "P", "D15"),
    ] {
        let f = only(&sub, C::NormalisedRating, Some(goal));
        assert_finding(
            f,
            &file("rjh-gemener.xlsx"),
            Some("Uppföljning"),
            Some(cell),
            &format!("Bedömningen \"{written}\" för mål {goal} har lästs som {code}."),
        );
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(rating(&sub, goal), Some(level(code)));
    }
}

#[test]
fn normalised_rating_from_full_words() {
    let sub = read_xlsx("rn-hela-ord.xlsx", &word_ratings());
    for (goal, written, code, cell) in [
        ("1.1", "Pågående", "P", "D6"),
        ("1.2", "Uppnått", "U", "D7"),
        ("1.3", "Ej påbörjat", "E", "D8"),
        ("1.4", "pågående arbete", "P", "D9"),
    ] {
        let f = only(&sub, C::NormalisedRating, Some(goal));
        assert_finding(
            f,
            &file("rn-hela-ord.xlsx"),
            Some("Uppföljning"),
            Some(cell),
            &format!("Bedömningen \"{written}\" för mål {goal} har lästs som {code}."),
        );
        assert_eq!(rating(&sub, goal), Some(level(code)));
    }
}

#[test]
fn normalised_rating_with_inner_spaces() {
    let sub = read_xlsx("rv-mellanslag.xlsx", &spaced_ratings());
    let f = only(&sub, C::NormalisedRating, Some("1.2"));
    assert_finding(
        f,
        &file("rv-mellanslag.xlsx"),
        Some("Uppföljning"),
        Some("D7"),
        "Bedömningen \"U / E\" för mål 1.2 har lästs som U/E.",
    );
    assert_eq!(rating(&sub, "1.2"), Some(compound(&["U", "E"])));
    let f = only(&sub, C::NormalisedRating, Some("1.3"));
    assert_finding(
        f,
        &file("rv-mellanslag.xlsx"),
        Some("Uppföljning"),
        Some("D8"),
        "Bedömningen \"P ?\" för mål 1.3 har lästs som P?.",
    );
    // " P " is read as P either way.
    assert_eq!(rating(&sub, "1.1"), Some(level("P")));
}

#[test]
fn normalised_rating_with_outer_spaces() {
    let sub = read_xlsx("rv-mellanslag.xlsx", &spaced_ratings());
    let f = only(&sub, C::NormalisedRating, Some("1.1"));
    assert_finding(
        f,
        &file("rv-mellanslag.xlsx"),
        Some("Uppföljning"),
        Some("D6"),
        "Bedömningen \" P \" för mål 1.1 har lästs som P.",
    );
}

// ---------------------------------------------------------------------------
// Rows and goals
// ---------------------------------------------------------------------------

#[test]
fn missing_goal_row() {
    let sub = read_xlsx("rn-raderad-rad.xlsx", &goal_row_deleted());
    let f = only(&sub, C::MissingGoalRow, Some("1.5"));
    assert_finding(
        f,
        &file("rn-raderad-rad.xlsx"),
        Some("Uppföljning"),
        None,
        "Mål 1.5 (Prevention och tidig diagnostik) har ingen rad i filen. Lägg tillbaka raden eller använd den utskickade mallen.",
    );
    assert_eq!(f.region.as_deref(), Some("RN"));
    // Every other goal is still read, under its own id.
    let mut want = expected("RN");
    want.remove("1.5");
    assert_eq!(essence(&sub), want);
}

#[test]
fn goal_matched_by_text() {
    let sub = read_xlsx("rvn-mal-id.xlsx", &goal_id_lost());
    let f = only(&sub, C::GoalMatchedByText, Some("1.1"));
    assert_finding(
        f,
        &file("rvn-mal-id.xlsx"),
        Some("Uppföljning"),
        Some("B6"),
        "Mål-id saknas på rad 6; raden har kopplats till mål 1.1 genom måltexten. Ändra inte mål-id.",
    );
    let f = only(&sub, C::GoalMatchedByText, Some("1.2"));
    assert_finding(
        f,
        &file("rvn-mal-id.xlsx"),
        Some("Uppföljning"),
        Some("B7"),
        "Mål-id är \"1.99\" på rad 7; raden har kopplats till mål 1.2 genom måltexten. Ändra inte mål-id.",
    );
    assert_eq!(essence(&sub), expected("RVN"));
    none_of(&sub, C::UnknownGoal);
    none_of(&sub, C::MissingGoalRow);
}

#[test]
fn goal_text_changed() {
    let sub = read_xlsx("rjh-maltext.xlsx", &goal_text_edited());
    let f = only(&sub, C::GoalTextChanged, Some("1.2"));
    let shown: String = EDITED_TEXT.chars().take(80).collect();
    assert_finding(
        f,
        &file("rjh-maltext.xlsx"),
        Some("Uppföljning"),
        Some("C7"),
        &format!(
            "Måltexten för mål 1.2 har ändrats (i filen: \"{shown}…\" ({} tecken)). Svaret har förts till mål 1.2 enligt mål-id; kontrollera att det gäller det målet.",
            EDITED_TEXT.chars().count()
        ),
    );
    // The answer is merged under the id.
    assert_eq!(essence(&sub), expected("RJH"));
}

#[test]
fn unknown_goal_row() {
    let book = unknown_goal();
    let row = book.sheet(ANSWERS).row_of("9.9");
    let sub = read_xlsx("rv-okant-mal.xlsx", &book);
    let f = only(&sub, C::UnknownGoal, None);
    assert_finding(
        f,
        &file("rv-okant-mal.xlsx"),
        Some("Uppföljning"),
        Some(&a1(row, ID_COL)),
        &format!(
            "Rad {} hör inte till något mål i planen. Radens innehåll: mål-id \"9.9\", mål \"Ett mål som inte finns i planen\", bedömning \"U\", kommentar \"Klart\". Flytta svaret till rätt måls rad.",
            row + 1
        ),
    );
    assert_eq!(f.severity, Severity::Error);
    // The return itself is still merged.
    assert_eq!(essence(&sub), expected("RV"));
}

#[test]
fn duplicate_goal_row() {
    let sub = read_xlsx("rv-dubbel.xlsx", &duplicate_goal());
    let f = only(&sub, C::DuplicateGoal, Some("1.2"));
    assert_finding(
        f,
        &file("rv-dubbel.xlsx"),
        Some("Uppföljning"),
        Some("B8"),
        &format!(
            "Mål 1.2 besvaras på flera rader; rad 8 har inte förts in. Radens innehåll: mål-id \"1.2\", mål \"{}\", bedömning \"E\", kommentar \"Andra raden för samma mål\". Slå ihop svaren på en rad.",
            goal_text("1.2")
        ),
    );
    // The first row is merged; the rows after the copy keep their goals.
    assert_eq!(essence(&sub), expected("RV"));
}

#[test]
fn resorted_rows_merge_the_same() {
    let sub = read_xlsx("rvn-omsorterad.xlsx", &resorted());
    assert_eq!(essence(&sub), expected("RVN"));
    for code in [
        C::GoalMatchedByText,
        C::MissingGoalRow,
        C::UnknownGoal,
        C::DuplicateGoal,
    ] {
        none_of(&sub, code);
    }
    // Findings point at the rows where the goals now are: 1.5 is 9th from the end.
    let last = resorted().sheet(ANSWERS).last_row();
    let f = only(&sub, C::MissingRating, Some("1.5"));
    let first = HEADER + 1;
    let row = last - (goal_row("1.5") - first);
    assert_eq!(
        f.location.as_ref().unwrap().a1().as_deref(),
        Some(a1(row, RATING_COL).as_str())
    );
}

#[test]
fn inserted_row_and_column_are_found_by_their_headers() {
    let sub = read_xlsx("rjh-infogad.xlsx", &inserted_row_and_column());
    assert_eq!(essence(&sub), expected("RJH"));
    // The new column is text outside the answers: its header and its entry.
    let outside: Vec<&Finding> = sub
        .findings
        .iter()
        .filter(|f| f.code == C::TextOutsideAnswers)
        .collect();
    assert_eq!(outside.len(), 2, "{outside:#?}");
    assert_finding(
        outside[0],
        &file("rjh-infogad.xlsx"),
        Some("Uppföljning"),
        Some("D5"),
        "Text utanför svarskolumnerna har inte förts in i sammanställningen: \"Ansvarig\". Flytta den till kolumnen Kommentar på rätt måls rad.",
    );
    assert_finding(
        outside[1],
        &file("rjh-infogad.xlsx"),
        Some("Uppföljning"),
        Some("D6"),
        "Text utanför svarskolumnerna har inte förts in i sammanställningen: \"Anna Andersson\". Flytta den till kolumnen Kommentar på rätt måls rad.",
    );
    // Ratings moved one column right: 1.5's blank rating is now E10.
    let f = only(&sub, C::MissingRating, Some("1.5"));
    assert_eq!(f.location.as_ref().unwrap().a1().as_deref(), Some("E10"));
    // Below the inserted row, rows are one further down: 5.5 at E37.
    let f = only(&sub, C::CommentWithoutRating, Some("5.5"));
    assert_eq!(f.location.as_ref().unwrap().a1().as_deref(), Some("E37"));
}

#[test]
fn merged_cells_are_read() {
    let sub = read_xlsx("rjh-sammanfogade.xlsx", &merged_cells());
    let got = essence(&sub);
    let want = expected("RJH");
    // 1.1's comment, merged over E:G, is read whole and nothing is outside.
    assert_eq!(got["1.1"], want["1.1"]);
    none_of(&sub, C::TextOutsideAnswers);
    // 1.2 and 1.3 share one merged rating cell: 1.2 gets it, 1.3 has none.
    assert_eq!(got["1.2"].0.as_deref(), Some("U"));
    assert_eq!(got["1.3"].0, None);
    let f = only(&sub, C::MissingRating, Some("1.3"));
    assert_eq!(f.location.as_ref().unwrap().a1().as_deref(), Some("D8"));
    let f = only(&sub, C::CommentWithoutRating, Some("1.3"));
    assert_eq!(f.location.as_ref().unwrap().a1().as_deref(), Some("D8"));
}

// ---------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------

#[test]
fn text_outside_answers() {
    let book = text_outside();
    let sub = read_xlsx("rv-text-utanfor.xlsx", &book);
    // The note below the table is the next test's; this one is the note beside it.
    let beside: Vec<Finding> = sub
        .findings
        .iter()
        .filter(|f| !f.message.contains(BELOW_NOTE))
        .cloned()
        .collect();
    let f = only_in(&beside, C::TextOutsideAnswers, None);
    assert_finding(
        f,
        &file("rv-text-utanfor.xlsx"),
        Some("Uppföljning"),
        Some(&a1(goal_row("1.4"), COMMENT_COL + 2)),
        &format!("Text utanför svarskolumnerna har inte förts in i sammanställningen: \"{OUTSIDE_NOTE}\". Flytta den till kolumnen Kommentar på rätt måls rad."),
    );
    assert_eq!(f.region.as_deref(), Some("RV"));
    assert_eq!(essence(&sub), expected("RV"));
}

#[test]
fn text_in_the_area_column_below_the_table_is_reported() {
    let book = text_outside();
    let below = book.sheet(ANSWERS).last_row();
    assert_eq!(
        book.sheet(ANSWERS).text(below, 0).as_deref(),
        Some(BELOW_NOTE)
    );
    let sub = read_xlsx("rv-text-utanfor.xlsx", &book);
    let f = sub
        .findings
        .iter()
        .find(|f| f.message.contains(BELOW_NOTE))
        .unwrap_or_else(|| panic!("{BELOW_NOTE:?} was dropped silently: {:#?}", sub.findings));
    assert_eq!(f.code, C::TextOutsideAnswers);
    assert_eq!(
        f.location.as_ref().unwrap().a1().as_deref(),
        Some(a1(below, 0).as_str())
    );
}

#[test]
fn text_above_the_header_is_reported() {
    let mut b = Book::genuine("RV");
    b.answers().set(
        1,
        COMMENT_COL,
        "Preliminära svar, beslut i ledningsgruppen 15 maj",
    );
    let sub = read_xlsx("rv.xlsx", &b);
    let f = sub
        .findings
        .iter()
        .find(|f| f.message.contains("Preliminära svar"))
        .unwrap_or_else(|| {
            panic!(
                "the note above the header was dropped silently: {:#?}",
                sub.findings
            )
        });
    assert_eq!(f.code, C::TextOutsideAnswers);
    assert_eq!(f.location.as_ref().unwrap().a1().as_deref(), Some("E2"));
}

#[test]
fn an_added_sheet_of_notes_is_reported() {
    let mut b = Book::genuine("RV");
    let mut notes = Sheet::new("Övrigt");
    notes.set(
        0,
        0,
        "Bemanningen av kontaktsjuksköterskor är vår största risk 2024.",
    );
    b.sheets.insert(2, notes);
    let sub = read_xlsx("rv.xlsx", &b);
    let f = sub
        .findings
        .iter()
        .find(|f| f.message.contains("Bemanningen"))
        .unwrap_or_else(|| panic!("the added sheet was dropped silently: {:#?}", sub.findings));
    let loc = f.location.as_ref().unwrap();
    assert_eq!(
        (loc.sheet.as_deref(), loc.a1().as_deref()),
        (Some("Övrigt"), Some("A1"))
    );
}

#[test]
fn ratings_in_the_coordinators_return_are_reported() {
    let mut b = Book::genuine("RCC Norr");
    let s = b.answers();
    s.insert_col(3);
    s.set(HEADER, 3, "Bedömning");
    s.set(goal_row("1.1"), 3, "U");
    let sub = read_xlsx("rcc.xlsx", &b);
    assert!(sub.accepted());
    assert!(
        sub.findings
            .iter()
            .any(|f| f.location.as_ref().and_then(|l| l.a1()).as_deref() == Some("D6")),
        "the coordinator's rating U in D6 was dropped silently: {:#?}",
        sub.findings
    );
}

#[test]
fn non_text_value() {
    let sub = read_xlsx("rn-tal.xlsx", &non_text_values());
    for (goal, cell, what, text) in [
        ("1.1", "E6", "ett tal", "42"),
        ("1.2", "E7", "ett sanningsvärde", "SANT"),
        ("1.3", "E8", "ett datum", "2024-03-15"),
    ] {
        let f = only(&sub, C::NonTextValue, Some(goal));
        assert_finding(
            f,
            &file("rn-tal.xlsx"),
            Some("Uppföljning"),
            Some(cell),
            &format!("Cellen för mål {goal} innehåller {what} ({text}); det har lästs som text."),
        );
        assert_eq!(essence(&sub)[goal].1.as_deref(), Some(text));
    }
}

#[test]
fn cell_error_and_formulas_with_cached_results() {
    let sub = read_xlsx("rvn-formler.xlsx", &formulas());
    let f = only(&sub, C::CellError, Some("1.3"));
    assert_finding(
        f,
        &file("rvn-formler.xlsx"),
        Some("Uppföljning"),
        Some("D8"),
        "Cellen för mål 1.3 innehåller felvärdet #REF!. Skriv in värdet som text i stället för en formel.",
    );
    // The error is no rating: it is missing, and said so.
    let f = only(&sub, C::MissingRating, Some("1.3"));
    assert_eq!(f.location.as_ref().unwrap().a1().as_deref(), Some("D8"));
    // Formulas are read by their cached results; the only finding on those
    // goals says a formula computed them (formula-value, tests/hostile.rs).
    let got = essence(&sub);
    assert_eq!(got["1.1"].0.as_deref(), Some("U"));
    assert_eq!(
        got["1.2"].1.as_deref(),
        Some("Screening införd för två årskullar")
    );
    assert!(sub.findings.iter().all(|f| f.code == C::FormulaValue
        || !matches!(f.goal.as_ref().map(|g| g.0.as_str()), Some("1.1" | "1.2"))));
}

#[test]
fn long_comment_is_kept_whole() {
    let sub = read("rn-lang-kommentar.xlsx", &long_comment().to_raw_xlsx());
    let f = only(&sub, C::LongComment, Some("1.1"));
    assert_finding(
        f,
        &file("rn-lang-kommentar.xlsx"),
        Some("Uppföljning"),
        Some("E6"),
        "Kommentaren till mål 1.1 är 40000 tecken, mer än en Excel-cell rymmer (32767). Den förs in hel i JSON och delas på flera celler i sammanställningen.",
    );
    assert_eq!(essence(&sub)["1.1"].1, Some(long_comment_text()));
}

// ---------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------

#[test]
fn answer_sheet_renamed() {
    let sub = read_xlsx("rn-omdopat-blad.xlsx", &renamed_sheet());
    let f = only(&sub, C::AnswerSheetRenamed, None);
    assert_finding(
        f,
        &file("rn-omdopat-blad.xlsx"),
        Some("Svar 2023"),
        None,
        "Svarsbladet heter \"Svar 2023\" i stället för \"Uppföljning\"; det hittades genom rubrikraden.",
    );
    assert_eq!(essence(&sub), expected("RN"));
    // Cells are located on the renamed sheet.
    let f = only(&sub, C::MissingRating, Some("1.5"));
    assert_eq!(
        f.location.as_ref().unwrap().sheet.as_deref(),
        Some("Svar 2023")
    );
}

#[test]
fn a_renamed_file_keeps_its_identity() {
    let sub = read("slutversion (2).xlsx", &genuine("RV"));
    assert_eq!(sub.respondent().cloned(), Some(who(&plan(), "RV")));
    none_of(&sub, C::IdentityFromFileName);
    assert_eq!(essence(&sub), expected("RV"));
}

#[test]
fn identity_from_file_name() {
    let sub = read_xlsx("RV utan identitet.xlsx", &without_identity("RV"));
    let f = only(&sub, C::IdentityFromFileName, None);
    assert_finding(
        f,
        &file("RV utan identitet.xlsx"),
        None,
        None,
        "Filen saknar samlas identitetsblad; den antas gälla RV (Region Västerbotten) utifrån bladets text och filnamnet. Använd den utskickade mallen nästa gång.",
    );
    assert_eq!(f.region.as_deref(), Some("RV"));
    assert_eq!(essence(&sub), expected("RV"));
}

#[test]
fn wrong_plan() {
    let sub = read_xlsx("annan-plan.xlsx", &other_plan());
    assert!(!sub.accepted());
    let f = only(&sub, C::WrongPlan, None);
    assert_finding(
        f,
        &file("annan-plan.xlsx"),
        None,
        None,
        "Filen är en mall för planen \"cancerplan-syd-2022-2024\", inte för \"cancerplan-norr-2022-2024\". Fyll i mallen för Cancerplan för norra sjukvårdsregionen 2022–2024 och skicka den i stället.",
    );
    assert_eq!(sub.findings.len(), 1);
}

#[test]
fn wrong_plan_version() {
    let sub = read_xlsx("gammal-version.xlsx", &older_version());
    assert!(!sub.accepted());
    let f = only(&sub, C::WrongPlanVersion, None);
    assert_finding(
        f,
        &file("gammal-version.xlsx"),
        None,
        None,
        "Filen är gjord för version 0 av planen, men uppföljningen gäller version 1. Flytta svaren till den nya mallen och skicka den.",
    );
}

#[test]
fn unknown_region_in_the_identity_sheet() {
    let sub = read_xlsx("okand-region.xlsx", &unknown_region());
    assert!(!sub.accepted());
    let f = only(&sub, C::UnknownRegion, None);
    assert_finding(
        f,
        &file("okand-region.xlsx"),
        None,
        None,
        "Filen gäller \"RS\", som inte rapporterar i planen (regioner: RJH, RN, RV, RVN).",
    );
}

#[test]
fn unknown_region_without_identity() {
    let sub = read_xlsx("utan-namn.xlsx", &anonymous());
    assert!(!sub.accepted());
    let f = only(&sub, C::UnknownRegion, None);
    assert_finding(
        f,
        &file("utan-namn.xlsx"),
        None,
        None,
        "Det går inte att avgöra vilken region filen gäller: den saknar samlas identitetsblad och varken bladet eller filnamnet nämner någon av RJH, RN, RV, RVN, RCC Norr. Använd den utskickade mallen.",
    );
    // Two regions named in the file name, no identity sheet: the witnesses
    // disagree, so it is refused as a conflict (before: unknown-region).
    let sub = read_xlsx("RJH och RN.xlsx", &anonymous());
    let f = only(&sub, C::ConflictingIdentity, None);
    assert_eq!(
        f.message,
        "Filen anger olika svarande: RJH (Region Jämtland Härjedalen) enligt filnamnet; RN (Region Norrbotten) enligt filnamnet. Den har inte förts in och ersätter inget annat svar. Ta reda på vem som skickade filen: är den rätt, be avsändaren fylla i sin egen utskickade mall och skicka den igen."
    );
}

#[test]
fn role_mismatch() {
    let sub = read_xlsx("cancerplan-RJH.xlsx", &coordinator_as_region());
    assert!(!sub.accepted());
    let f = only(&sub, C::RoleMismatch, None);
    assert_finding(
        f,
        &file("cancerplan-RJH.xlsx"),
        None,
        None,
        "Filen är RCC Norrs mall (Regionalt cancercentrum norr), men skickades som RJHs svar. Varje region ska fylla i sin egen mall, som har en kolumn för bedömning.",
    );
    // The same file under a neutral name is the coordinator's own return.
    let sub = read_xlsx("rcc-norr.xlsx", &coordinator_as_region());
    assert!(sub.accepted());
    assert_eq!(
        sub.respondent().cloned(),
        Some(samla::plan::Respondent::Coordinator)
    );
}

#[test]
fn not_a_template_is_refused() {
    let sub = read_xlsx("budget-2023.xlsx", &not_a_template());
    assert!(!sub.accepted());
    let f = only(&sub, C::NotATemplate, None);
    assert_finding(
        f,
        &file("budget-2023.xlsx"),
        None,
        None,
        "Filen är ingen uppföljningsmall: inget blad har rubrikraden (Mål-id, Mål, Bedömning, Kommentar). Blad i filen: Budget.",
    );
    // A samla template whose answer table lost its header row.
    let mut b = Book::genuine("RJH");
    for c in 0..5 {
        b.answers().clear(HEADER, c);
    }
    let sub = read_xlsx("rjh-utan-rubriker.xlsx", &b);
    let f = only(&sub, C::NotATemplate, None);
    assert_finding(
        f,
        &file("rjh-utan-rubriker.xlsx"),
        None,
        None,
        "Filen är en samla-mall, men bladet \"Uppföljning\" med rubrikraden (Mål-id, Mål, Bedömning, Kommentar) saknas. Använd den utskickade mallen och ändra inte rubrikerna.",
    );
}

// ---------------------------------------------------------------------------
// Identity from every witness
// ---------------------------------------------------------------------------

/// RJH's genuine return whose identity sheet was changed to name RN, saved
/// later than RN's own return: before, it was merged as RN's and RN's real
/// return was marked superseded.
fn rjh_claiming_rn() -> Book {
    let mut b = Book::genuine("RJH");
    b.set_meta("kod", "RN");
    b.set_meta("namn", "Region Norrbotten");
    b.saved = Some((2025, 1, 1));
    b
}

const CONFLICT_TAIL: &str = "Den har inte förts in och ersätter inget annat svar. Ta reda på vem som skickade filen: är den rätt, be avsändaren fylla i sin egen utskickade mall och skicka den igen.";

#[test]
fn an_identity_sheet_naming_another_region_is_refused_and_supersedes_nothing() {
    let name = "cancerplan-norr-2022-2024-RJH (2).xlsx";
    let bytes = rjh_claiming_rn().to_xlsx();
    let sub = read(name, &bytes);
    assert!(!sub.accepted());
    assert_eq!(sub.respondent(), None);
    let f = only(&sub, C::ConflictingIdentity, None);
    assert_finding(
        f,
        &file(name),
        None,
        None,
        &format!("Filen anger olika svarande: RN (Region Norrbotten) enligt identitetsbladet \"samla\"; RJH (Region Jämtland Härjedalen) enligt raden ovanför tabellen (Uppföljning!A2) och filnamnet. {CONFLICT_TAIL}"),
    );
    assert_eq!(f.region, None, "who sent it is what is unclear");
    assert_eq!(sub.findings.len(), 1, "{:#?}", sub.findings);

    // Merged with every genuine return: RN's and RJH's own are merged, the
    // mixed-up file is refused and supersedes nothing.
    let mut inbox = samples_except(&[]);
    inbox.push(sub);
    let c = merge(&plan(), inbox);
    assert!(
        c.findings
            .iter()
            .all(|f| f.code != C::SupersededSubmission && f.code != C::MissingSubmission),
        "{:#?}",
        c.findings
    );
    assert_eq!(c.reported, ["RJH", "RN", "RV", "RVN", "RCC Norr"]);
    assert_eq!(merged_essence(&c, "RN"), expected("RN"));
    assert_eq!(merged_essence(&c, "RJH"), expected("RJH"));
    let status = |f: &str| c.sources.iter().find(|s| s.file == file(f)).unwrap().status;
    assert_eq!(status(name), samla::merge::SourceStatus::Refused);
    assert_eq!(status("RN.xlsx"), samla::merge::SourceStatus::Merged);
    assert_eq!(status("RJH.xlsx"), samla::merge::SourceStatus::Merged);
}

#[test]
fn each_witness_that_disagrees_is_named() {
    // Only the line above the table disagrees (the file name names nobody).
    let sub = read("svar.xlsx", &rjh_claiming_rn().to_xlsx());
    assert_eq!(
        only(&sub, C::ConflictingIdentity, None).message,
        format!("Filen anger olika svarande: RN (Region Norrbotten) enligt identitetsbladet \"samla\"; RJH (Region Jämtland Härjedalen) enligt raden ovanför tabellen (Uppföljning!A2). {CONFLICT_TAIL}")
    );
    // Only the file name disagrees: RV's genuine return named as RVN's.
    let sub = read("cancerplan-norr-2022-2024-RVN.xlsx", &genuine("RV"));
    assert!(!sub.accepted());
    assert_eq!(
        only(&sub, C::ConflictingIdentity, None).message,
        format!("Filen anger olika svarande: RV (Region Västerbotten) enligt identitetsbladet \"samla\", raden ovanför tabellen (Uppföljning!A2) och dokumentegenskaperna samla-respondent, titel och ämne; RVN (Region Västernorrland) enligt filnamnet. {CONFLICT_TAIL}")
    );
    // Only a document property disagrees: keywords naming RN in RV's return.
    let mut b = Book::genuine("RV");
    b.keywords = Some("cancerplan; RN".into());
    for (name, bytes) in [
        ("rv.xlsx", b.to_xlsx()),
        ("rv.ods", b.to_ods()),
        ("rv.xls", b.to_xls()),
    ] {
        let sub = read(name, &bytes);
        assert!(!sub.accepted(), "{name}");
        assert_eq!(
            only(&sub, C::ConflictingIdentity, None).message,
            format!("Filen anger olika svarande: RV (Region Västerbotten) enligt identitetsbladet \"samla\", raden ovanför tabellen (Uppföljning!A2) och filnamnet; RN (Region Norrbotten) enligt dokumentegenskapen nyckelord. {CONFLICT_TAIL}"),
            "{name}"
        );
    }
    // The respondent line names another region than the file, and there is
    // no identity sheet.
    let mut b = without_identity("RV");
    b.answers().set(1, 0, "Svarande: RN – Region Norrbotten");
    let sub = read_xlsx("Region Västerbotten.xlsx", &b);
    let f = only(&sub, C::ConflictingIdentity, None);
    assert_finding(
        f,
        &file("Region Västerbotten.xlsx"),
        None,
        None,
        &format!("Filen anger olika svarande: RN (Region Norrbotten) enligt raden ovanför tabellen (Uppföljning!A2); RV (Region Västerbotten) enligt filnamnet. {CONFLICT_TAIL}"),
    );
    none_of(&sub, C::IdentityFromFileName);
}

#[test]
fn witnesses_that_agree_or_are_silent_accept_the_return() {
    // Every witness agrees, by code or by full name, or names nobody. A
    // file name that names the coordinator, to whom returns are sent, says
    // nothing against a region.
    for name in [
        "RV.xlsx",
        "Region Västerbotten svar.xlsx",
        "slutversion (2).xlsx",
        "Svar från RV till RCC Norr.xlsx",
        "Till RCC Norr.xlsx",
    ] {
        let sub = read(name, &genuine("RV"));
        assert_eq!(sub.respondent(), Some(&who(&plan(), "RV")), "{name}");
        assert!(
            sub.findings.iter().all(|f| f.code != C::ConflictingIdentity
                && f.code != C::RoleMismatch
                && f.code != C::IdentityFromFileName),
            "{name}: {:#?}",
            sub.findings
        );
    }
    // Without the identity sheet too.
    let sub = read_xlsx("RV till RCC Norr.xlsx", &without_identity("RV"));
    assert_eq!(sub.respondent(), Some(&who(&plan(), "RV")));
    only(&sub, C::IdentityFromFileName, None);
}

#[test]
fn a_return_is_never_merged_as_another_respondent() {
    // Every genuine return under a file name naming every respondent.
    let codes = ["RJH", "RN", "RV", "RVN", "RCC Norr"];
    for sender in codes {
        let bytes = genuine(sender);
        for named in codes {
            let name = format!("svar {named}.xlsx");
            let sub = read(&name, &bytes);
            let refused_as = sub
                .findings
                .iter()
                .find(|f| f.severity == Severity::Error)
                .map(|f| f.code);
            let (want_accepted, want_refusal) = match (sender, named) {
                _ if sender == named => (true, None),
                // Sent to the coordinator: the name says nothing against the region.
                (_, "RCC Norr") => (true, None),
                ("RCC Norr", _) => (false, Some(C::RoleMismatch)),
                _ => (false, Some(C::ConflictingIdentity)),
            };
            assert_eq!(sub.accepted(), want_accepted, "{sender} as {name}");
            assert_eq!(refused_as, want_refusal, "{sender} as {name}");
            if want_accepted {
                assert_eq!(
                    sub.respondent(),
                    Some(&who(&plan(), sender)),
                    "{sender} as {name}"
                );
            }
        }
    }
}

/// The plan, retitled so that its title names the coordinator and a region.
fn plan_naming_respondents() -> samla::Plan {
    let mut p = plan();
    p.title = "Cancerplan RCC Norr och Region Norrbotten 2022–2024".into();
    p
}

#[test]
fn a_plan_title_naming_respondents_is_no_evidence() {
    let p = plan_naming_respondents();
    let rjh = who(&p, "RJH");
    let bytes = samla::template::workbook(&p, &rjh, Some(&answers("RJH"))).unwrap();
    let validate = |name: &str, bytes: &[u8]| {
        let path = path(name);
        let raw = samla::reader::read_bytes(bytes, &path, &Default::default()).unwrap();
        samla::validate::validate(&p, &path, &raw)
    };
    // With the identity sheet, and a file name that holds the plan's title.
    let name = "Cancerplan RCC Norr och Region Norrbotten 2022–2024 RJH.xlsx";
    let sub = validate(name, &bytes);
    assert_eq!(sub.respondent(), Some(&rjh), "{:#?}", sub.findings);
    assert!(sub
        .findings
        .iter()
        .all(|f| f.code != C::ConflictingIdentity && f.code != C::TextOutsideAnswers));
    // Without it: the title line above the table names RCC Norr and RN, and
    // is the plan's own; the respondent line and the file name say RJH.
    let mut b = Book::from_xlsx(&bytes);
    b.without_meta();
    let sub = validate("rjh.xlsx", &b.to_xlsx());
    let f = only(&sub, C::IdentityFromFileName, None);
    assert_eq!(f.message, "Filen saknar samlas identitetsblad; den antas gälla RJH (Region Jämtland Härjedalen) utifrån bladets text och filnamnet. Använd den utskickade mallen nästa gång.");
    assert_eq!(sub.respondent(), Some(&rjh));
    none_of(&sub, C::UnknownRegion);
    none_of(&sub, C::ConflictingIdentity);
    // The coordinator's own return of that plan is the coordinator's.
    let rcc = samla::plan::Respondent::Coordinator;
    let bytes = samla::template::workbook(&p, &rcc, Some(&answers("RCC Norr"))).unwrap();
    let sub = validate("samordnaren.xlsx", &bytes);
    assert_eq!(sub.respondent(), Some(&rcc), "{:#?}", sub.findings);
}

// ---------------------------------------------------------------------------
// Other formats
// ---------------------------------------------------------------------------

#[test]
fn an_ods_return_reads_like_the_xlsx() {
    for code in ["RJH", "RCC Norr"] {
        let sub = read(&format!("{code}.ods"), &Book::genuine(code).to_ods());
        let xlsx = read(&format!("{code}.xlsx"), &genuine(code));
        assert_eq!(sub.format.as_deref(), Some("ods"));
        assert_eq!(essence(&sub), essence(&xlsx), "{code}");
        let codes = |s: &Submission| {
            s.findings
                .iter()
                .map(|f| (f.code, f.location.as_ref().and_then(|l| l.a1())))
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(&sub), codes(&xlsx), "{code}");
    }
}

#[test]
fn an_xls_return_reads_like_the_xlsx() {
    let sub = read("rn.xls", &Book::genuine("RN").to_xls());
    assert_eq!(sub.format.as_deref(), Some("xls"));
    assert_eq!(essence(&sub), expected("RN"));
    let f = only(&sub, C::MissingRating, Some("1.5"));
    assert_finding(
        f,
        &file("rn.xls"),
        Some("Uppföljning"),
        Some("D10"),
        "Bedömning saknas för mål 1.5. Ange U, P eller E; lämna cellen blank bara om RN inte kan bedöma målet.",
    );
}

// ---------------------------------------------------------------------------
// Merging
// ---------------------------------------------------------------------------

fn samples_except(skip: &[&str]) -> Vec<Submission> {
    ["RJH", "RN", "RV", "RVN", "RCC Norr"]
        .into_iter()
        .filter(|c| !skip.contains(c))
        .map(|c| read(&format!("{c}.xlsx"), &genuine(c)))
        .collect()
}

fn merged_essence(
    c: &Consolidation,
    code: &str,
) -> BTreeMap<String, (Option<String>, Option<String>)> {
    c.goals
        .iter()
        .map(|g| {
            let a = g.answers.get(code);
            (
                g.id.0.clone(),
                (
                    a.and_then(|a| a.rating().map(Rating::code)),
                    a.and_then(|a| a.comment().map(str::to_string)),
                ),
            )
        })
        .collect()
}

#[test]
fn superseded_and_conflicting_submissions() {
    let older = read_xlsx(
        "rjh-forsta.xlsx",
        &disagreeing((2023, 3, 1), "E", "Första versionen"),
    );
    let newer = read_xlsx(
        "rjh-andra.xlsx",
        &disagreeing((2023, 4, 1), "U", "Andra versionen"),
    );
    let mut inbox = samples_except(&["RJH"]);
    // Inbox order must not matter: the newer file is listed first.
    inbox.insert(0, newer);
    inbox.push(older);
    let c = merge(&plan(), inbox);
    let f = only_in(&c.findings, C::SupersededSubmission, None);
    assert_finding(
        f,
        &file("rjh-forsta.xlsx"),
        None,
        None,
        &format!(
            "RJH har skickat flera svar. Den här filen (sparad 2023-03-01T00:00:00Z enligt dokumentegenskapen docProps/core.xml dcterms:modified) har ersatts av den nyare {} (sparad 2023-04-01T00:00:00Z enligt dokumentegenskapen docProps/core.xml dcterms:modified) och har inte förts in.",
            file("rjh-andra.xlsx")
        ),
    );
    assert_eq!(f.region.as_deref(), Some("RJH"));
    let conflicts: Vec<&Finding> = c
        .findings
        .iter()
        .filter(|f| f.code == C::ConflictingSubmission)
        .collect();
    assert_eq!(conflicts.len(), 2, "{conflicts:#?}");
    let msgs: Vec<&str> = conflicts.iter().map(|f| f.message.as_str()).collect();
    assert!(
        msgs.contains(
            &format!(
        "Mål 1.1: bedömning skiljer sig mellan {} (\"E\", inte införd) och {} (\"U\", införd).",
        file("rjh-forsta.xlsx"),
        file("rjh-andra.xlsx")
    )
            .as_str()
        ),
        "{msgs:#?}"
    );
    assert!(msgs.contains(&format!(
        "Mål 1.1: kommentar skiljer sig mellan {} (\"Första versionen\", inte införd) och {} (\"Andra versionen\", införd).",
        file("rjh-forsta.xlsx"),
        file("rjh-andra.xlsx")
    ).as_str()), "{msgs:#?}");
    for f in conflicts {
        assert_finding(f, &file("rjh-forsta.xlsx"), None, None, &f.message.clone());
        assert_eq!(f.goal.as_ref().map(|g| g.0.as_str()), Some("1.1"));
    }
    // The newer return is merged.
    let rjh = merged_essence(&c, "RJH");
    assert_eq!(
        rjh["1.1"],
        (Some("U".into()), Some("Andra versionen".into()))
    );
    let status: Vec<(String, samla::merge::SourceStatus)> = c
        .sources
        .iter()
        .map(|s| (s.file.clone(), s.status))
        .collect();
    assert!(status.contains(&(
        file("rjh-forsta.xlsx"),
        samla::merge::SourceStatus::Superseded
    )));
    assert!(status.contains(&(file("rjh-andra.xlsx"), samla::merge::SourceStatus::Merged)));
}

// ---------------------------------------------------------------------------
// One resubmission rule for every format
// ---------------------------------------------------------------------------

/// The time the resubmission tests merge "at".
fn now() -> UtcTime {
    UtcTime::from_civil(2026, 11, 26, 6, 0, 0).unwrap()
}

fn day(y: i64, m: u32, d: u32) -> UtcTime {
    UtcTime::from_civil(y, m, d, 0, 0, 0).unwrap()
}

/// A file of the inbox, read, with its modification time.
fn received(name: &str, bytes: &[u8], mtime: Option<UtcTime>) -> Received {
    Received {
        submission: read(name, bytes),
        mtime,
    }
}

/// Merges `extra` with every sample but RJH's, at [`now`].
fn merge_with(extra: Vec<Received>) -> Consolidation {
    let mut inbox: Vec<Received> = samples_except(&["RJH"])
        .into_iter()
        .map(Into::into)
        .collect();
    inbox.extend(extra);
    merge_at(&plan(), inbox, now())
}

fn status_of(c: &Consolidation, name: &str) -> SourceStatus {
    c.sources
        .iter()
        .find(|s| s.file == file(name))
        .unwrap()
        .status
}

const CORE: &str = "dokumentegenskapen docProps/core.xml dcterms:modified";

#[test]
fn a_newer_ods_xls_or_xlsb_return_supersedes_an_older_xlsx() {
    let older = disagreeing((2023, 3, 1), "E", "Första versionen");
    let newer = disagreeing((2023, 4, 1), "U", "Andra versionen");
    for (name, bytes, property) in [
        ("rjh-rattad.ods", newer.to_ods(), "meta.xml dc:date"),
        (
            "rjh-rattad.xls",
            newer.to_xls(),
            "SummaryInformation PIDSI_LASTSAVE_DTM",
        ),
        (
            "rjh-rattad.xlsb",
            newer.to_xlsb(),
            "docProps/core.xml dcterms:modified",
        ),
    ] {
        // The older file was touched last: the save times decide.
        let c = merge_with(vec![
            received("rjh.xlsx", &older.to_xlsx(), Some(day(2023, 5, 1))),
            received(name, &bytes, Some(day(2023, 4, 1))),
        ]);
        let f = only_in(&c.findings, C::SupersededSubmission, None);
        assert_finding(f, &file("rjh.xlsx"), None, None, &format!(
            "RJH har skickat flera svar. Den här filen (sparad 2023-03-01T00:00:00Z enligt {CORE}) har ersatts av den nyare {} (sparad 2023-04-01T00:00:00Z enligt dokumentegenskapen {property}) och har inte förts in.",
            file(name)
        ));
        assert_eq!(
            merged_essence(&c, "RJH")["1.1"],
            (Some("U".into()), Some("Andra versionen".into())),
            "{name}"
        );
        assert_eq!(status_of(&c, name), SourceStatus::Merged);
        assert_eq!(status_of(&c, "rjh.xlsx"), SourceStatus::Superseded);
        assert!(c
            .findings
            .iter()
            .all(|f| f.code != C::UndecidedResubmission && f.code != C::UntrustedTime));
    }
}

#[test]
fn returns_saved_at_the_same_time_are_both_held_back() {
    let a = disagreeing((2023, 4, 1), "E", "Första versionen").to_xlsx();
    let b = disagreeing((2023, 4, 1), "U", "Andra versionen").to_ods();
    // Different file times do not decide when the files say when they were saved.
    let c = merge_with(vec![
        received("rjh-a.xlsx", &a, Some(day(2023, 4, 2))),
        received("rjh-b.ods", &b, Some(day(2023, 4, 3))),
    ]);
    let message = format!(
        "RJH har skickat flera svar och det går inte att avgöra vilket som är nyast (de senast sparade har samma tidpunkt): {}, sparad 2023-04-01T00:00:00Z enligt {CORE}; {}, sparad 2023-04-01T00:00:00Z enligt dokumentegenskapen meta.xml dc:date. Inget av dem har förts in, så RJHs svar saknas i sammanställningen. Ta bort de svar som inte gäller ur inkorgen och kör igen.",
        file("rjh-a.xlsx"),
        file("rjh-b.ods")
    );
    let held: Vec<&Finding> = c
        .findings
        .iter()
        .filter(|f| f.code == C::UndecidedResubmission)
        .collect();
    assert_eq!(held.len(), 2, "{held:#?}");
    for (f, name) in held.iter().zip(["rjh-a.xlsx", "rjh-b.ods"]) {
        assert_finding(f, &file(name), None, None, &message);
        assert_eq!(f.region.as_deref(), Some("RJH"));
        assert_eq!(status_of(&c, name), SourceStatus::Refused);
    }
    // Nothing of RJH is merged, nothing is called newer, and RJH is not
    // told to send a return it sent.
    assert!(merged_essence(&c, "RJH")
        .values()
        .all(|v| *v == (None, None)));
    assert!(!c.has_reported("RJH"));
    for code in [
        C::SupersededSubmission,
        C::MissingSubmission,
        C::ConflictingSubmission,
    ] {
        assert!(
            c.findings.iter().all(|f| f.code != code),
            "{code}: {:#?}",
            c.findings
        );
    }
}

#[test]
fn a_save_time_in_the_future_is_not_trusted() {
    let future = disagreeing((2099, 1, 1), "E", "Framtida datum").to_xlsx();
    let real = disagreeing((2023, 4, 1), "U", "Andra versionen").to_xlsx();
    let untrusted = "Dokumentegenskapen docProps/core.xml dcterms:modified säger att filen sparades 2099-01-01T00:00:00Z, som ligger mer än ett dygn efter körningens tid (2026-11-26T06:00:00Z). Den används inte för att avgöra vilket svar som är nyast.";
    // With a file time, the future file is ordered by it, and is older.
    let c = merge_with(vec![
        received("rjh-framtid.xlsx", &future, Some(day(2023, 3, 1))),
        received("rjh-andra.xlsx", &real, Some(day(2023, 4, 1))),
    ]);
    let f = only_in(&c.findings, C::UntrustedTime, None);
    assert_finding(f, &file("rjh-framtid.xlsx"), None, None, untrusted);
    assert_eq!(f.region.as_deref(), Some("RJH"));
    let f = only_in(&c.findings, C::SupersededSubmission, None);
    assert_finding(f, &file("rjh-framtid.xlsx"), None, None, &format!(
        "RJH har skickat flera svar. Den här filen (sparad 2023-03-01T00:00:00Z enligt filens ändringstid) har ersatts av den nyare {} (sparad 2023-04-01T00:00:00Z enligt {CORE}) och har inte förts in.",
        file("rjh-andra.xlsx")
    ));
    assert_eq!(
        merged_essence(&c, "RJH")["1.1"],
        (Some("U".into()), Some("Andra versionen".into()))
    );
    // Without one it has no time to trust: nothing wins.
    let c = merge_with(vec![
        received("rjh-framtid.xlsx", &future, None),
        received("rjh-andra.xlsx", &real, Some(day(2023, 4, 1))),
    ]);
    let held: Vec<&Finding> = c
        .findings
        .iter()
        .filter(|f| f.code == C::UndecidedResubmission)
        .collect();
    assert_eq!(held.len(), 2);
    assert_eq!(held[0].message, format!(
        "RJH har skickat flera svar och det går inte att avgöra vilket som är nyast (alla har inte en tidpunkt som går att lita på): {}, sparad 2023-04-01T00:00:00Z enligt {CORE}; {}, utan tidpunkt som går att lita på. Inget av dem har förts in, så RJHs svar saknas i sammanställningen. Ta bort de svar som inte gäller ur inkorgen och kör igen.",
        file("rjh-andra.xlsx"), file("rjh-framtid.xlsx")
    ));
    assert!(merged_essence(&c, "RJH")
        .values()
        .all(|v| *v == (None, None)));
}

#[test]
fn impossible_times_are_findings() {
    // A save time that is no time, and one before 1990: the file times decide.
    let mut garbled = disagreeing((2023, 4, 1), "U", "Andra versionen");
    garbled.saved_text = Some("den 1 juni".into());
    let old = disagreeing((1980, 1, 1), "E", "Första versionen");
    let c = merge_with(vec![
        received("rjh-1980.xlsx", &old.to_xlsx(), Some(day(2023, 3, 1))),
        received(
            "rjh-juni.xlsx",
            &garbled.to_raw_xlsx(),
            Some(day(2023, 6, 1)),
        ),
    ]);
    let times: Vec<&Finding> = c
        .findings
        .iter()
        .filter(|f| f.code == C::UntrustedTime)
        .collect();
    assert_eq!(times.len(), 2, "{times:#?}");
    assert_finding(times[0], &file("rjh-1980.xlsx"), None, None, "Dokumentegenskapen docProps/core.xml dcterms:modified säger att filen sparades 1980-01-01T00:00:00Z, som ligger före 1990-01-01T00:00:00Z. Den används inte för att avgöra vilket svar som är nyast.");
    assert_finding(times[1], &file("rjh-juni.xlsx"), None, None, "Dokumentegenskapen docProps/core.xml dcterms:modified har värdet \"den 1 juni\", som är ingen tidpunkt (väntat t.ex. 2024-06-01T10:00:00Z); den har inte använts som tidpunkt. Den används inte för att avgöra vilket svar som är nyast.");
    assert_eq!(status_of(&c, "rjh-juni.xlsx"), SourceStatus::Merged);
    assert_eq!(
        merged_essence(&c, "RJH")["1.1"],
        (Some("U".into()), Some("Andra versionen".into()))
    );
    // A file time in the future is not trusted either; a lone return is
    // still merged.
    let mut unsaved = disagreeing((2023, 4, 1), "U", "Andra versionen");
    unsaved.saved = None;
    let c = merge_with(vec![received(
        "rjh.xlsx",
        &unsaved.to_raw_xlsx(),
        Some(day(2100, 1, 1)),
    )]);
    let f = only_in(&c.findings, C::UntrustedTime, None);
    assert_finding(f, &file("rjh.xlsx"), None, None, "Filens ändringstid är 2100-01-01T00:00:00Z, som ligger mer än ett dygn efter körningens tid (2026-11-26T06:00:00Z). Den används inte för att avgöra vilket svar som är nyast.");
    assert_eq!(status_of(&c, "rjh.xlsx"), SourceStatus::Merged);
}

#[test]
fn missing_submission() {
    let c = merge(&plan(), samples_except(&["RVN", "RCC Norr"]));
    let f = only_in(
        &c.findings
            .iter()
            .filter(|f| f.region.as_deref() == Some("RVN"))
            .cloned()
            .collect::<Vec<_>>(),
        C::MissingSubmission,
        None,
    )
    .clone();
    assert_eq!(f.location, None, "a missing return has no file");
    assert_eq!(
        f.message,
        "Inget giltigt svar från RVN (Region Västernorrland): dess bedömningar och kommentarer saknas i sammanställningen. Påminn RVN om att skicka in sin mall."
    );
    assert_eq!(f.severity, Severity::Error);
    let coord: Vec<&Finding> = c
        .findings
        .iter()
        .filter(|f| f.code == C::MissingSubmission && f.region.as_deref() == Some("RCC Norr"))
        .collect();
    assert_eq!(coord.len(), 1);
    assert_eq!(
        coord[0].message,
        "Inget giltigt svar från RCC Norr (Regionalt cancercentrum norr): dess kommentarer saknas i sammanställningen. Påminn RCC Norr om att skicka in sin mall."
    );
    assert_eq!(c.reported, vec!["RJH", "RN", "RV"]);
    // A refused file does not count as a return.
    let mut inbox = samples_except(&["RJH"]);
    inbox.push(read_xlsx("annan-plan.xlsx", &other_plan()));
    let c = merge(&plan(), inbox);
    assert!(c
        .findings
        .iter()
        .any(|f| f.code == C::MissingSubmission && f.region.as_deref() == Some("RJH")));
}

#[test]
fn merged_messy_returns_equal_their_answers() {
    // One messy return per respondent; all of them merge to what was meant.
    let inbox = vec![
        read_xlsx("rjh-infogad.xlsx", &inserted_row_and_column()),
        read_xlsx("rn-omdopat-blad.xlsx", &renamed_sheet()),
        read_xlsx("RV utan identitet.xlsx", &without_identity("RV")),
        read_xlsx("rvn-omsorterad.xlsx", &resorted()),
        read("rcc.ods", &Book::genuine("RCC Norr").to_ods()),
    ];
    let c = merge(&plan(), inbox);
    for code in ["RJH", "RN", "RV", "RVN"] {
        assert_eq!(merged_essence(&c, code), expected(code), "{code}");
    }
    let rcc = merged_essence(&c, "RCC Norr");
    for (goal, (_, comment)) in expected("RCC Norr") {
        assert_eq!(rcc[&goal], (None, comment), "RCC Norr {goal}");
    }
    assert!(c.findings.iter().all(|f| f.code != C::MissingSubmission));
}

// ---------------------------------------------------------------------------
// Through the binary
// ---------------------------------------------------------------------------

#[test]
fn check_shows_sheet_cell_code_and_message() {
    let w = common::Workdir::new();
    let f = w.join("rjh-gemener.xlsx");
    std::fs::write(&f, lower_case_ratings().to_xlsx()).unwrap();
    let plan = common::plan_path();
    let out = w.run(&[
        "check",
        "--plan",
        plan.to_str().unwrap(),
        "rjh-gemener.xlsx",
    ]);
    let stdout = common::stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        common::stderr(&out)
    );
    assert!(
        stdout.starts_with("rjh-gemener.xlsx (RJH – Region Jämtland Härjedalen)\n"),
        "{stdout}"
    );
    let line = stdout
        .lines()
        .find(|l| l.contains("normalised-rating") && l.contains("D6"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("Uppföljning!D6"), "{line}");
    assert!(line.contains(" info "), "{line}");
    assert!(
        line.ends_with("Bedömningen \"p\" för mål 1.1 har lästs som P."),
        "{line}"
    );
    // --json gives the same finding with its location fields.
    let out = w.run(&[
        "check",
        "--plan",
        plan.to_str().unwrap(),
        "--json",
        "rjh-gemener.xlsx",
    ]);
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = all
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "normalised-rating" && f["goal"] == "1.1")
        .unwrap();
    assert_eq!(f["file"], "rjh-gemener.xlsx");
    assert_eq!(f["sheet"], "Uppföljning");
    assert_eq!(f["cell"], "D6");
    assert_eq!(f["severity"], "info");
    assert_eq!(f["region"], "RJH");
}

#[test]
fn check_refuses_a_wrong_file_with_its_reason() {
    let w = common::Workdir::new();
    std::fs::write(w.join("annan-plan.xlsx"), other_plan().to_xlsx()).unwrap();
    let plan = common::plan_path();
    let out = w.run(&["check", "--plan", plan.to_str().unwrap(), "annan-plan.xlsx"]);
    let stdout = common::stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("wrong-plan"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.trim_start().starts_with("filen"), "{line}");
    assert!(line.contains(" fel "), "{line}");
    assert!(
        line.contains("Filen är en mall för planen \"cancerplan-syd-2022-2024\""),
        "{line}"
    );
}

#[test]
fn merge_uses_the_newest_return_and_reports_its_findings() {
    let w = common::Workdir::new();
    let inbox = w.copy_samples("inkorg");
    // A newer RJH return with ratings in lower case and a renamed file.
    let mut b = lower_case_ratings();
    b.saved = Some((2024, 6, 1));
    std::fs::write(inbox.join("RJH reviderad.xlsx"), b.to_xlsx()).unwrap();
    let out = w.merge(&inbox, &w.join("ut"), &["--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let j = common::json(&w.join("ut/sammanstallning.json"));
    let goal = |id: &str| common::goal(&j, id);
    assert_eq!(goal("1.1")["ratings"]["RJH"], "P");
    assert_eq!(goal("1.2")["ratings"]["RJH"], "U");
    let rows = common::sheet(&w.join("ut/avvikelser.xlsx"), "Avvikelser");
    let revised = inbox.join("RJH reviderad.xlsx").display().to_string();
    let row = rows
        .iter()
        .find(|r| r[0] == "normalised-rating" && r[3] == "1.1")
        .unwrap_or_else(|| panic!("{rows:#?}"));
    assert_eq!(
        &row[1..8],
        [
            "info",
            "RJH",
            "1.1",
            revised.as_str(),
            "Uppföljning",
            "D6",
            "Bedömningen \"p\" för mål 1.1 har lästs som P."
        ]
    );
    let sample = inbox
        .join("cancerplan-norr-2022-2024-RJH.xlsx")
        .display()
        .to_string();
    assert!(
        rows.iter()
            .any(|r| r[0] == "superseded-submission" && r[4] == sample),
        "{rows:#?}"
    );
}

#[test]
fn merge_refuses_a_mixed_up_identity_and_holds_back_undecidable_returns() {
    let w = common::Workdir::new();
    let inbox = w.copy_samples("inkorg");
    // RJH's return claiming to be RN's (identity sheet), saved after RN's.
    let mixed = inbox.join("cancerplan-norr-2022-2024-RJH (2).xlsx");
    std::fs::write(&mixed, rjh_claiming_rn().to_xlsx()).unwrap();
    // RV twice, both saved at the samples' own time (2024-01-01): undecidable.
    let rv_copy = inbox.join("RV kopia.ods");
    std::fs::write(&rv_copy, {
        let mut b = Book::genuine("RV");
        b.saved = Some((2024, 1, 1));
        b.to_ods()
    })
    .unwrap();
    let out = w.merge(&inbox, &w.join("ut"), &["--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let j = common::json(&w.join("ut/sammanstallning.json"));
    let status = |f: &Path| {
        j["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["file"] == f.display().to_string())
            .unwrap_or_else(|| panic!("{}", f.display()))["status"]
            .clone()
    };
    let sample = |code: &str| inbox.join(sample_path(code).file_name().unwrap());
    assert_eq!(status(&mixed), "refused");
    assert_eq!(status(&sample("RN")), "merged");
    assert_eq!(status(&sample("RJH")), "merged");
    assert_eq!(status(&sample("RV")), "refused");
    assert_eq!(status(&rv_copy), "refused");
    // RN's column holds RN's own answers; RV's is empty.
    let want = answers("RN");
    for (_, g) in plan().goals() {
        let rating = want.goals.get(&g.id.0).and_then(|a| a.rating.clone());
        assert_eq!(
            common::goal(&j, &g.id.0)["ratings"]["RN"].as_str(),
            rating.as_deref(),
            "RN {}",
            g.id
        );
        assert!(
            common::goal(&j, &g.id.0)["ratings"]["RV"].is_null(),
            "RV {}",
            g.id
        );
    }
    let rows = common::sheet(&w.join("ut/avvikelser.xlsx"), "Avvikelser");
    let codes_of = |f: &Path| -> Vec<String> {
        rows.iter()
            .filter(|r| r[4] == f.display().to_string())
            .map(|r| r[0].clone())
            .collect()
    };
    assert_eq!(codes_of(&mixed), ["conflicting-identity"]);
    assert_eq!(codes_of(&rv_copy), ["undecided-resubmission"]);
    assert_eq!(codes_of(&sample("RV")), ["undecided-resubmission"]);
    assert!(
        rows.iter()
            .all(|r| r[0] != "superseded-submission" && r[0] != "missing-submission"),
        "{rows:#?}"
    );
}

#[test]
fn an_xlsb_return_reads_like_the_xlsx() {
    let sub = read("rv.xlsb", &Book::genuine("RV").to_xlsb());
    assert_eq!(sub.format.as_deref(), Some("xlsb"));
    assert_eq!(essence(&sub), expected("RV"));
    let f = only(&sub, C::UncertainRating, Some("5.6"));
    assert_finding(
        f,
        &file("rv.xlsb"),
        Some("Uppföljning"),
        Some("D37"),
        "Bedömningen P? för mål 5.6 är osäker (frågetecken). Den redovisas som den är skriven; bekräfta den med RV.",
    );
}

#[test]
fn every_finding_code_has_a_test() {
    // Where each code is tested; a new code needs a test and a line here.
    let tested: BTreeMap<C, &str> = [
        (C::MissingRating, "messy::missing_rating"),
        (C::MissingSubmission, "messy::missing_submission"),
        (
            C::InvalidRating,
            "messy::invalid_rating_is_refused_but_kept_as_written",
        ),
        (
            C::CompoundRating,
            "messy::compound_rating_is_merged_as_written",
        ),
        (
            C::UncertainRating,
            "messy::uncertain_rating_is_merged_as_written",
        ),
        (C::CommentWithoutRating, "messy::comment_without_rating"),
        (C::NormalisedRating, "messy::normalised_rating_*"),
        (C::MissingGoalRow, "messy::missing_goal_row"),
        (C::GoalMatchedByText, "messy::goal_matched_by_text"),
        (C::GoalTextChanged, "messy::goal_text_changed"),
        (C::UnknownGoal, "messy::unknown_goal_row"),
        (C::DuplicateGoal, "messy::duplicate_goal_row"),
        (C::TextOutsideAnswers, "messy::text_outside_answers"),
        (C::NonTextValue, "messy::non_text_value"),
        (
            C::CellError,
            "messy::cell_error_and_formulas_with_cached_results",
        ),
        (C::LongComment, "messy::long_comment_is_kept_whole"),
        (C::AnswerSheetRenamed, "messy::answer_sheet_renamed"),
        (C::IdentityFromFileName, "messy::identity_from_file_name"),
        (C::WrongPlan, "messy::wrong_plan"),
        (C::WrongPlanVersion, "messy::wrong_plan_version"),
        (C::UnknownRegion, "messy::unknown_region_*"),
        (
            C::ConflictingIdentity,
            "messy::an_identity_sheet_naming_another_region_is_refused_and_supersedes_nothing",
        ),
        (C::RoleMismatch, "messy::role_mismatch"),
        (
            C::UndecidedResubmission,
            "messy::returns_saved_at_the_same_time_are_both_held_back",
        ),
        (
            C::UntrustedTime,
            "messy::a_save_time_in_the_future_is_not_trusted",
        ),
        (
            C::SupersededSubmission,
            "messy::superseded_and_conflicting_submissions",
        ),
        (
            C::ConflictingSubmission,
            "messy::superseded_and_conflicting_submissions",
        ),
        (C::NotATemplate, "messy::not_a_template_is_refused"),
        (
            C::EditedPrevious,
            "prevtpl::an_edited_previous_cell_is_a_finding_and_the_answer_still_counts",
        ),
        (
            C::UnreadableCell,
            "hostile::a_bad_shared_string_index_is_a_finding_at_its_cell",
        ),
        (
            C::DuplicateCell,
            "hostile::a_duplicated_cell_is_a_finding_quoting_both_values",
        ),
        (
            C::FormulaValue,
            "hostile::a_rating_or_comment_computed_by_a_formula_is_a_finding",
        ),
        (
            C::WrongExtension,
            "hostile::an_xls_or_ods_named_xlsx_is_read_with_an_info_finding",
        ),
        (C::UnreadableFile, "hostile::empty_file and others"),
        (C::FileLimitExceeded, "hostile::zip_bomb_* and others"),
        (C::ReaderFailed, "hostile::reader_failed_*"),
        (
            C::SkippedEntry,
            "hostile::entries_that_are_not_returns_are_left_alone",
        ),
    ]
    .into_iter()
    .collect();
    let all: Vec<C> = C::ALL.to_vec();
    let untested: Vec<&C> = all.iter().filter(|c| !tested.contains_key(c)).collect();
    assert!(untested.is_empty(), "codes without a test: {untested:?}");
    assert_eq!(tested.len(), all.len());
}
