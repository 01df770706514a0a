//! Validates one read return against the plan: who sent it, which row is
//! which goal, what each rating means. Every judgement becomes a
//! [`Finding`]; nothing a region wrote is dropped without one.
//!
//! ```
//! # let plan = samla::Plan::load("templates/cancerplan-norr-2022-2024.toml").unwrap();
//! let path = std::path::Path::new("samples/inkorg/cancerplan-norr-2022-2024-RJH.xlsx");
//! let raw = samla::reader::read_return(path, &Default::default()).unwrap();
//! let sub = samla::validate::validate(&plan, path, &raw);
//! assert!(sub.accepted());
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::contract::{meta, preamble, ANSWER_SHEET, CELL_LIMIT, FORMAT_TAG};
use crate::finding::{a1, Finding, FindingCode as C, Location};
use crate::plan::{GoalId, Plan, Respondent};
use crate::rating::{self, Parsed, Rating};
use crate::reader::{CellKind, RawCell, RawReturn, ReadFailure};

/// A goal's answer in one return.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GoalAnswer {
    /// The rating understood, when it is on the scale.
    pub rating: Option<Rating>,
    /// The rating cell as written (trimmed), when not blank.
    pub written: Option<String>,
    /// The comment as written, when not blank.
    pub comment: Option<String>,
    /// A1 reference of the rating cell, e.g. `D10`; None when the row has none.
    pub rating_cell: Option<String>,
    /// A1 reference of the comment cell, e.g. `E10`; None when the row has none.
    pub comment_cell: Option<String>,
}

/// What one file amounted to.
#[derive(Debug, Clone, Serialize)]
pub struct Submission {
    /// Path of the file as given.
    pub file: PathBuf,
    /// Who sent it, when that could be established.
    pub respondent: Option<Respondent>,
    /// `None` when refused; the reason is among the findings.
    pub answers: Option<BTreeMap<GoalId, GoalAnswer>>,
    /// Name of the answer sheet; None when none was found.
    pub sheet: Option<String>,
    /// Everything found about the file, including why it was refused.
    pub findings: Vec<Finding>,
    /// When the file says it was saved (`dcterms:modified`), when present.
    pub modified: Option<String>,
    /// SHA-256 of the file's bytes, lower-case hex; None when it could not be read.
    pub sha256: Option<String>,
    /// Workbook format: `xlsx`, `xlsm`, `xlsb`, `xls` or `ods`; None when it could not be read.
    pub format: Option<String>,
}

impl Submission {
    /// Whether the file's answers are merged (unless superseded).
    pub fn accepted(&self) -> bool {
        self.answers.is_some()
    }

    /// A file that could not be read at all.
    pub fn failed(file: &Path, failure: &ReadFailure) -> Submission {
        let finding = Finding::new(
            failure.code,
            format!("{}.", failure.message.trim_end_matches('.')),
        )
        .at(Location::file(file));
        Submission {
            file: file.to_path_buf(),
            respondent: None,
            answers: None,
            sheet: None,
            findings: vec![finding],
            modified: None,
            sha256: None,
            format: None,
        }
    }
}

fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Shortens a value quoted in a message; the full value is elsewhere.
fn quote(s: &str) -> String {
    let n = s.chars().count();
    if n <= 80 {
        format!("\"{s}\"")
    } else {
        format!(
            "\"{}…\" ({n} tecken)",
            s.chars().take(80).collect::<String>()
        )
    }
}

/// Establishes who sent the file, or says why it is refused.
fn identify(
    plan: &Plan,
    file: &Path,
    raw: &RawReturn,
    findings: &mut Vec<Finding>,
) -> Option<Respondent> {
    let loc = || Location::file(file);
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let refuse = |findings: &mut Vec<Finding>, code, msg: String| {
        findings.push(Finding::new(code, msg).at(loc()));
        None
    };
    if raw.meta.get(meta::FORMAT).map(String::as_str) == Some(FORMAT_TAG) {
        let get = |k: &str| raw.meta.get(k).cloned().unwrap_or_default();
        if get(meta::PLAN_ID) != plan.id {
            return refuse(findings, C::WrongPlan, format!(
                "Filen är en mall för planen \"{}\", inte för \"{}\". Fyll i mallen för {} och skicka den i stället.",
                get(meta::PLAN_ID), plan.id, plan.title
            ));
        }
        if get(meta::PLAN_VERSION) != plan.version {
            return refuse(findings, C::WrongPlanVersion, format!(
                "Filen är gjord för version {} av planen, men uppföljningen gäller version {}. Flytta svaren till den nya mallen och skicka den.",
                get(meta::PLAN_VERSION), plan.version
            ));
        }
        let code = get(meta::CODE);
        let Some(who) = plan.respondent(&code) else {
            return refuse(
                findings,
                C::UnknownRegion,
                format!(
                    "Filen gäller \"{code}\", som inte rapporterar i planen (regioner: {}).",
                    plan.regions
                        .iter()
                        .map(|r| r.code.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        };
        let role_ok = match (&who, get(meta::ROLE).as_str()) {
            (Respondent::Region(_), r) => r == meta::ROLE_REGION,
            (Respondent::Coordinator, r) => r == meta::ROLE_COORDINATOR,
        };
        // The coordinator's template renamed after a region: a region filled
        // in the wrong template (it has no rating column).
        // Only the coordinator's file needs this, and by hash, not a scan
        // of every region: a national plan has hundreds.
        let named_region = if who == Respondent::Coordinator {
            tokens(&stem).iter().find_map(|t| plan.region(t))
        } else {
            None
        };
        if !role_ok || (who == Respondent::Coordinator && named_region.is_some()) {
            let region = named_region
                .map(|r| r.code.0.clone())
                .unwrap_or_else(|| code.clone());
            return refuse(findings, C::RoleMismatch, format!(
                "Filen är {}s mall ({}), men skickades som {}s svar. Regionen ska fylla i sin egen mall, som har en kolumn för bedömning.",
                who.code(plan), who.name(plan), region
            ));
        }
        return Some(who);
    }
    // No identity sheet: a template rebuilt by hand or copied into a new
    // workbook. Take plan and region from the sheet's text and the file name.
    let mut hits: Vec<Respondent> = Vec::new();
    let preamble = raw
        .answer
        .as_ref()
        .map(|a| {
            a.preamble
                .iter()
                .map(|c| c.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    for source in [preamble.as_str(), stem.as_str()] {
        let toks = tokens(source);
        for who in Respondent::all(plan) {
            let code = who.code(plan).0.clone();
            let code_toks = tokens(&code);
            let found = toks.windows(code_toks.len().max(1)).any(|w| {
                w.iter()
                    .zip(&code_toks)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
            }) || fold(source).contains(&fold(who.name(plan)));
            if found && !hits.contains(&who) {
                hits.push(who);
            }
        }
        if !hits.is_empty() {
            break;
        }
    }
    match hits.as_slice() {
        [who] => {
            findings.push(
                Finding::new(C::IdentityFromFileName, format!(
                    "Filen saknar samlas identitetsblad; den antas gälla {} ({}) utifrån bladets text och filnamnet. Använd den utskickade mallen nästa gång.",
                    who.code(plan), who.name(plan)
                ))
                .region(who.code(plan).0.clone())
                .at(loc()),
            );
            Some(who.clone())
        }
        [] => refuse(findings, C::UnknownRegion, format!(
            "Det går inte att avgöra vilken region filen gäller: den saknar samlas identitetsblad och varken bladet eller filnamnet nämner någon av {}. Använd regionens utskickade mall.",
            Respondent::all(plan).iter().map(|w| w.code(plan).0.clone()).collect::<Vec<_>>().join(", ")
        )),
        many => refuse(findings, C::UnknownRegion, format!(
            "Filen nämner flera regioner ({}) och saknar samlas identitetsblad. Använd regionens utskickade mall.",
            many.iter().map(|w| w.code(plan).0.clone()).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Validates a read return against the plan.
pub fn validate(plan: &Plan, file: &Path, raw: &RawReturn) -> Submission {
    let mut findings = Vec::new();
    let mut sub = Submission {
        file: file.to_path_buf(),
        respondent: None,
        answers: None,
        sheet: None,
        findings: Vec::new(),
        modified: raw.modified.clone(),
        sha256: Some(raw.sha256.clone()),
        format: Some(raw.format.clone()),
    };
    let Some(sheet) = &raw.answer else {
        let msg = if raw.meta.get(meta::FORMAT).map(String::as_str) == Some(FORMAT_TAG) {
            format!("Filen är en samla-mall, men bladet \"{ANSWER_SHEET}\" med rubrikraden (Mål-id, Mål, Bedömning, Kommentar) saknas. Använd den utskickade mallen och ändra inte rubrikerna.")
        } else {
            format!("Filen är ingen uppföljningsmall: inget blad har rubrikraden (Mål-id, Mål, Bedömning, Kommentar). Blad i filen: {}.", raw.sheets.join(", "))
        };
        findings.push(Finding::new(C::NotATemplate, msg).at(Location::file(file)));
        sub.findings = findings;
        return sub;
    };
    sub.sheet = Some(sheet.name.clone());
    let Some(who) = identify(plan, file, raw, &mut findings) else {
        sub.findings = findings;
        return sub;
    };
    let code = who.code(plan).0.clone();
    sub.respondent = Some(who.clone());
    let at = |row: u32, col: u32| Location::cell(file, &sheet.name, row, col);
    let push = |findings: &mut Vec<Finding>, f: Finding| findings.push(f.region(code.clone()));

    if sheet.name != ANSWER_SHEET {
        push(&mut findings, Finding::new(C::AnswerSheetRenamed, format!(
            "Svarsbladet heter \"{}\" i stället för \"{ANSWER_SHEET}\"; det hittades genom rubrikraden.", sheet.name
        )).at(Location::sheet(file, &sheet.name)));
    }

    let scale: Vec<(String, String)> = plan
        .scale
        .iter()
        .map(|l| (l.code.clone(), l.label.clone()))
        .collect();
    let by_id: HashMap<&str, (&crate::plan::Area, &crate::plan::Goal)> = plan
        .goals()
        .map(|(a, g)| (g.id.0.as_str(), (a, g)))
        .collect();
    // Built only when a row's id is lost: folding every goal text for every
    // file was a sixth of a merge's time.
    let mut by_text: Option<HashMap<String, &crate::plan::Goal>> = None;
    let mut answers: BTreeMap<GoalId, GoalAnswer> = BTreeMap::new();
    let cols = &sheet.columns;

    for row in &sheet.rows {
        let id_text = row
            .goal_id
            .as_ref()
            .map(|c| c.text.trim().to_string())
            .unwrap_or_default();
        let goal_text = row.goal.as_ref().map(|c| c.text.as_str()).unwrap_or("");
        let contents = || describe_row(row, cols);
        let goal = match by_id.get(id_text.as_str()) {
            Some((_, g)) => {
                if goal_text != g.text
                    && !goal_text.trim().is_empty()
                    && fold(goal_text) != fold(&g.text)
                {
                    let cell = row
                        .goal
                        .as_ref()
                        .map(|c| at(c.row, c.col))
                        .unwrap_or_else(|| at(row.row, 0));
                    push(&mut findings, Finding::new(C::GoalTextChanged, format!(
                        "Måltexten för mål {} har ändrats (i filen: {}). Svaret har förts till mål {} enligt mål-id; kontrollera att det gäller det målet.",
                        g.id, quote(goal_text), g.id
                    )).goal(g.id.0.clone()).at(cell));
                }
                Some(*g)
            }
            None => match by_text
                .get_or_insert_with(|| plan.goals().map(|(_, g)| (fold(&g.text), g)).collect())
                .get(&fold(goal_text))
            {
                Some(g) if !goal_text.trim().is_empty() => {
                    let (r, c) = row
                        .goal_id
                        .as_ref()
                        .map(|c| (c.row, c.col))
                        .unwrap_or((row.row, cols.goal_id.unwrap_or(1)));
                    let was = if id_text.is_empty() {
                        "saknas".to_string()
                    } else {
                        format!("är {}", quote(&id_text))
                    };
                    push(&mut findings, Finding::new(C::GoalMatchedByText, format!(
                        "Mål-id {was} på rad {}; raden har kopplats till mål {} genom måltexten. Ändra inte mål-id.",
                        row.row + 1, g.id
                    )).goal(g.id.0.clone()).at(at(r, c)));
                    Some(*g)
                }
                _ => None,
            },
        };
        let Some(goal) = goal else {
            let only_area = row.area.is_some()
                && row.rating.is_none()
                && row.comment.is_none()
                && id_text.is_empty()
                && goal_text.trim().is_empty();
            if let (true, Some(c)) = (only_area, &row.area) {
                push(&mut findings, outside(&c.text).at(at(c.row, c.col)));
            } else if row.rating.is_some()
                || row.comment.is_some()
                || !id_text.is_empty()
                || !goal_text.trim().is_empty()
            {
                let cell = row
                    .goal_id
                    .as_ref()
                    .or(row.goal.as_ref())
                    .or(row.rating.as_ref())
                    .or(row.comment.as_ref());
                let (r, c) = cell.map(|c| (c.row, c.col)).unwrap_or((row.row, 0));
                push(&mut findings, Finding::new(C::UnknownGoal, format!(
                    "Rad {} hör inte till något mål i planen. Radens innehåll: {}. Flytta svaret till rätt måls rad.",
                    row.row + 1, contents()
                )).at(at(r, c)));
            }
            if let (false, Some(c)) = (only_area, &row.area) {
                if !plan.areas.iter().any(|a| is_area_label(a, &c.text)) {
                    push(&mut findings, outside(&c.text).at(at(c.row, c.col)));
                }
            }
            continue;
        };
        if answers.contains_key(&goal.id) {
            push(&mut findings, Finding::new(C::DuplicateGoal, format!(
                "Mål {} besvaras på flera rader; rad {} har inte förts in. Radens innehåll: {}. Slå ihop svaren på en rad.",
                goal.id, row.row + 1, contents()
            )).goal(goal.id.0.clone()).at(at(row.row, cols.goal_id.or(cols.goal).unwrap_or(0))));
            continue;
        }
        let mut ans = GoalAnswer::default();
        let gid = goal.id.0.clone();
        if let Some(c) = &row.area {
            let area = &by_id[goal.id.0.as_str()].0;
            let known = [
                format!("{} {}", area.id, area.title),
                area.title.clone(),
                area.id.clone(),
            ];
            if !known.iter().any(|k| fold(k) == fold(&c.text)) {
                push(
                    &mut findings,
                    outside(&c.text).goal(gid.clone()).at(at(c.row, c.col)),
                );
            }
        }
        for cell in [&row.rating, &row.comment].into_iter().flatten() {
            check_kind(&mut findings, cell, &at, &code, &gid);
        }
        if let Some(c) = &row.comment {
            if c.kind != CellKind::Error {
                let text = c.text.clone();
                if utf16_len(&text) > CELL_LIMIT {
                    push(&mut findings, Finding::new(C::LongComment, format!(
                        "Kommentaren till mål {gid} är {} tecken, mer än en Excel-cell rymmer ({CELL_LIMIT}). Den förs in hel i JSON och delas på flera celler i sammanställningen.",
                        text.chars().count()
                    )).goal(gid.clone()).at(at(c.row, c.col)));
                }
                if !text.trim().is_empty() {
                    ans.comment = Some(text);
                    ans.comment_cell = Some(a1(c.row, c.col));
                }
            }
        }
        if who.rates() {
            let rating_col = cols.rating.unwrap_or(3);
            let cell_loc = row
                .rating
                .as_ref()
                .map(|c| at(c.row, c.col))
                .unwrap_or_else(|| at(row.row, rating_col));
            ans.rating_cell = cell_loc.cell.clone();
            let as_typed = row
                .rating
                .as_ref()
                .filter(|c| c.kind != CellKind::Error)
                .map(|c| c.text.as_str())
                .unwrap_or_default();
            let written = as_typed.trim().to_string();
            let parsed = if cols.rating.is_none() {
                Parsed::Blank
            } else {
                rating::parse(as_typed, &scale)
            };
            if !written.is_empty() {
                ans.written = Some(written.clone());
            }
            match parsed {
                Parsed::Blank => {
                    let hint = if cols.rating.is_none() {
                        " (kolumnen Bedömning saknas i filen)"
                    } else {
                        ""
                    };
                    push(&mut findings, Finding::new(C::MissingRating, format!(
                        "Bedömning saknas för mål {gid}{hint}. Ange {}; lämna cellen blank bara om regionen inte kan bedöma målet.",
                        codes_or(plan)
                    )).goal(gid.clone()).at(cell_loc.clone()));
                    if ans.comment.is_some() {
                        push(&mut findings, Finding::new(C::CommentWithoutRating, format!(
                            "Mål {gid} har en kommentar men ingen bedömning. Ange {} om regionen kan bedöma målet.",
                            codes_or(plan)
                        )).goal(gid.clone()).at(cell_loc.clone()));
                    }
                }
                Parsed::Invalid => {
                    push(&mut findings, Finding::new(C::InvalidRating, format!(
                        "Bedömningen {} för mål {gid} finns inte i skalan ({}). Skriv en av koderna, t.ex. {}.",
                        quote_full(&written), plan.scale_legend(), codes_or(plan)
                    )).goal(gid.clone()).at(cell_loc.clone()));
                }
                Parsed::Exact(r) | Parsed::Normalised(r) => {
                    if !matches!(rating::parse(as_typed, &scale), Parsed::Exact(_)) {
                        push(
                            &mut findings,
                            Finding::new(
                                C::NormalisedRating,
                                format!(
                                    "Bedömningen {} för mål {gid} har lästs som {}.",
                                    quote(as_typed),
                                    r
                                ),
                            )
                            .goal(gid.clone())
                            .at(cell_loc.clone()),
                        );
                    }
                    flag_form(&mut findings, &r, &gid, &code, &cell_loc);
                    ans.rating = Some(r);
                }
            }
        } else if let Some(c) = &row.rating {
            // The coordinator comments; it does not rate.
            push(&mut findings, Finding::new(C::TextOutsideAnswers, format!(
                "{} gör inga bedömningar, så värdet {} har inte förts in i sammanställningen. Skriv det i kolumnen Kommentar om det ska med.",
                who.code(plan), quote_full(&c.text)
            )).goal(gid.clone()).at(at(c.row, c.col)));
        }
        answers.insert(goal.id.clone(), ans);
    }
    for (area, goal) in plan.goals() {
        if !answers.contains_key(&goal.id) {
            push(&mut findings, Finding::new(C::MissingGoalRow, format!(
                "Mål {} ({}) har ingen rad i filen. Lägg tillbaka raden eller använd den utskickade mallen.",
                goal.id, area.title
            )).goal(goal.id.0.clone()).at(Location::sheet(file, &sheet.name)));
        }
    }
    // Above the table only the template's own three lines belong.
    let expected = preamble(plan, &who);
    for c in &sheet.preamble {
        let own = c.col == 0
            && expected
                .get(c.row as usize)
                .is_some_and(|e| *e == c.text || fold(e) == fold(&c.text));
        if !own {
            push(&mut findings, outside(&c.text).at(at(c.row, c.col)));
        }
    }
    for other in &raw.other_sheets {
        let Some(first) = other.cells.first() else {
            continue;
        };
        let content: Vec<String> = other
            .cells
            .iter()
            .map(|c| format!("{} {}", a1(c.row, c.col), quote_full(&c.text)))
            .collect();
        push(&mut findings, Finding::new(C::TextOutsideAnswers, format!(
            "Bladet \"{}\" hör inte till mallen och har inte förts in i sammanställningen. Innehåll: {}. Flytta det som ska med till kolumnen Kommentar på rätt måls rad.",
            other.name, content.join("; ")
        )).at(Location::cell(file, &other.name, first.row, first.col)));
    }
    for c in &sheet.outside {
        push(&mut findings, outside(&c.text).at(at(c.row, c.col)));
    }
    sub.answers = Some(answers);
    sub.findings = findings;
    sub
}

/// Whether `text` is how the template (or a hand-made copy) names the area.
fn is_area_label(area: &crate::plan::Area, text: &str) -> bool {
    if text
        .strip_prefix(area.id.as_str())
        .and_then(|r| r.strip_prefix(' '))
        == Some(area.title.as_str())
    {
        return true;
    }
    let t = fold(text);
    t == fold(&format!("{} {}", area.id, area.title))
        || t == fold(&area.title)
        || t == fold(&area.id)
}

/// The finding for text typed where no answer belongs.
fn outside(text: &str) -> Finding {
    Finding::new(C::TextOutsideAnswers, format!(
        "Text utanför svarskolumnerna har inte förts in i sammanställningen: {}. Flytta den till kolumnen Kommentar på rätt måls rad.",
        quote_full(text)
    ))
}

/// Quotes a value in full: text outside the answers survives only here.
fn quote_full(s: &str) -> String {
    format!("\"{s}\"")
}

fn codes_or(plan: &Plan) -> String {
    let codes: Vec<&str> = plan.scale.iter().map(|l| l.code.as_str()).collect();
    match codes.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} eller {last}", rest.join(", ")),
        _ => codes.join(""),
    }
}

fn flag_form(findings: &mut Vec<Finding>, r: &Rating, gid: &str, code: &str, loc: &Location) {
    match r {
        Rating::Compound(_) => findings.push(
            Finding::new(C::CompoundRating, format!(
                "Mål {gid} har den sammansatta bedömningen {r}: målet har flera delar med olika status. Den redovisas som den är skriven; följ upp vilken del som gäller vad."
            )).region(code).goal(gid).at(loc.clone()),
        ),
        Rating::Uncertain(inner) => {
            findings.push(
                Finding::new(C::UncertainRating, format!(
                    "Bedömningen {r} för mål {gid} är osäker (frågetecken). Den redovisas som den är skriven; bekräfta den med regionen."
                )).region(code).goal(gid).at(loc.clone()),
            );
            if matches!(**inner, Rating::Compound(_)) {
                flag_form(findings, inner, gid, code, loc);
            }
        }
        Rating::Level(_) => {}
    }
}

fn check_kind(
    findings: &mut Vec<Finding>,
    cell: &RawCell,
    at: &dyn Fn(u32, u32) -> Location,
    code: &str,
    gid: &str,
) {
    match cell.kind {
        CellKind::Text => {}
        CellKind::Error => findings.push(
            Finding::new(C::CellError, format!(
                "Cellen för mål {gid} innehåller felvärdet {}. Skriv in värdet som text i stället för en formel.",
                cell.text
            )).region(code).goal(gid).at(at(cell.row, cell.col)),
        ),
        kind => {
            let what = match kind {
                CellKind::Number => "ett tal",
                CellKind::Bool => "ett sanningsvärde",
                _ => "ett datum",
            };
            findings.push(
                Finding::new(C::NonTextValue, format!(
                    "Cellen för mål {gid} innehåller {what} ({}); det har lästs som text.", cell.text
                )).region(code).goal(gid).at(at(cell.row, cell.col)),
            );
        }
    }
}

fn describe_row(row: &crate::reader::RawRow, _cols: &crate::reader::Columns) -> String {
    let mut parts = Vec::new();
    for (label, cell) in [
        ("mål-id", &row.goal_id),
        ("mål", &row.goal),
        ("bedömning", &row.rating),
        ("kommentar", &row.comment),
    ] {
        if let Some(c) = cell {
            parts.push(format!("{label} {}", quote_full(&c.text)));
        }
    }
    if parts.is_empty() {
        "tom".to_string()
    } else {
        parts.join(", ")
    }
}
