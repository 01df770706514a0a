//! The answer table of an identified return, checked row by row: which row
//! is which goal, what each rating means, and everything written where no
//! answer belongs. Each kind of judgement is one method of [`Check`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::{fold, over_utf16, quote, quote_full, Answers, GoalAnswer};
use crate::contract::header::Column;
use crate::contract::{classify_header, preamble, ANSWER_SHEET, CELL_LIMIT};
use crate::finding::{CellRef, Finding, FindingCode as C, Location};
use crate::plan::{Area, Goal, Plan, Respondent};
use crate::rating::{self, Parsed, Rating};
use crate::reader::{AnswerSheet, CellKind, RawCell, RawReturn, RawRow};

/// The position of a cell the reader found.
fn cell_of(c: &RawCell) -> CellRef {
    CellRef::new(c.row, c.col)
}

/// The checks of one return's answer sheet, collecting answers and findings.
pub(super) struct Check<'a> {
    plan: &'a Plan,
    file: &'a Path,
    sheet: &'a AnswerSheet,
    who: &'a Respondent,
    /// The answer sheet, whose file and name every finding in it shares.
    place: Location,
    /// The respondent's code, put on (and shared by) every finding.
    code: Arc<str>,
    scale: Vec<(String, String)>,
    /// Goal id → (position in the plan, area, goal).
    by_id: HashMap<&'a str, (usize, &'a Area, &'a Goal)>,
    /// Built only when a row's id is lost: folding every goal text for every
    /// file was a sixth of a merge's time.
    by_text: Option<HashMap<String, (usize, &'a Goal)>>,
    /// By the plan's goal positions, as [`Answers`] keeps them.
    answers: Vec<Option<GoalAnswer>>,
    findings: Vec<Finding>,
}

impl<'a> Check<'a> {
    /// Checks the whole answer sheet and what surrounds it.
    pub(super) fn run(
        plan: &'a Plan,
        file: &'a Path,
        raw: &'a RawReturn,
        sheet: &'a AnswerSheet,
        who: &'a Respondent,
    ) -> (Answers, Vec<Finding>) {
        let mut check = Check {
            plan,
            file,
            sheet,
            who,
            place: Location::sheet(file, &sheet.name),
            code: who.code(plan).0.as_str().into(),
            scale: plan
                .scale
                .iter()
                .map(|l| (l.code.clone(), l.label.clone()))
                .collect(),
            by_id: plan
                .goals()
                .enumerate()
                .map(|(i, (a, g))| (g.id.0.as_str(), (i, a, g)))
                .collect(),
            by_text: None,
            answers: vec![None; plan.goal_count()],
            findings: Vec::new(),
        };
        check.sheet_name();
        for row in &sheet.rows {
            check.row(row);
        }
        check.missing_rows();
        check.above_table();
        check.other_sheets(raw);
        let (own_previous, edited) = super::previous::check(&check.place, raw, sheet);
        for f in edited {
            check.push(f);
        }
        for c in &sheet.outside {
            if !own_previous.contains(&cell_of(c)) && !check.own_metadata(c) {
                check.push(outside(&c.text).at(check.at(cell_of(c))));
            }
        }
        (Answers::new(check.answers), check.findings)
    }

    /// Whether a cell outside the answer columns is the template's own
    /// read-only `Ansvarig` or `Tidplan`: its header, or the plan's value on
    /// its goal's row. Anything else written there is reported.
    fn own_metadata(&self, c: &RawCell) -> bool {
        let head = self.sheet.header_row;
        let kind = self
            .sheet
            .outside
            .iter()
            .find(|h| h.row == head && h.col == c.col)
            .and_then(|h| classify_header(&h.text));
        let value = |g: &Goal| match kind {
            Some(Column::Responsible) => g.responsible.clone(),
            Some(Column::Schedule) => g.schedule.clone(),
            _ => None,
        };
        if c.row == head {
            // Only a column the plan's template has: one a respondent
            // added under the same name is theirs, and reported.
            return self.plan.goals().any(|(_, g)| value(g).is_some());
        }
        self.sheet
            .rows
            .iter()
            .find(|r| r.row == c.row)
            .and_then(|r| r.goal_id.as_ref())
            .and_then(|id| self.by_id.get(id.text.trim()))
            .and_then(|(_, _, g)| value(g))
            .is_some_and(|v| fold(&v) == fold(&c.text))
    }

    fn at(&self, cell: CellRef) -> Location {
        self.place.with_cell(cell)
    }

    fn push(&mut self, f: Finding) {
        self.findings.push(f.region(Arc::clone(&self.code)));
    }

    fn sheet_name(&mut self) {
        if self.sheet.name != ANSWER_SHEET {
            let f = Finding::new(C::AnswerSheetRenamed, format!(
                "Svarsbladet heter \"{}\" i stället för \"{ANSWER_SHEET}\"; det hittades genom rubrikraden.", self.sheet.name
            )).at(self.place.clone());
            self.push(f);
        }
    }

    /// One row of the table: find its goal, then read its answer.
    fn row(&mut self, row: &RawRow) {
        let id_text = row
            .goal_id
            .as_ref()
            .map(|c| c.text.trim().to_string())
            .unwrap_or_default();
        let goal_text = row.goal.as_ref().map(|c| c.text.as_str()).unwrap_or("");
        let Some((at, goal)) = self.goal_of(row, &id_text, goal_text) else {
            self.not_a_goal(row, &id_text, goal_text);
            return;
        };
        if self.answers[at].is_some() {
            let col = self.sheet.columns.goal_id.or(self.sheet.columns.goal);
            let f = Finding::new(C::DuplicateGoal, format!(
                "Mål {} besvaras på flera rader; rad {} har inte förts in. Radens innehåll: {}. Slå ihop svaren på en rad.",
                goal.id, row.row + 1, describe_row(row)
            )).goal(goal.id.0.clone()).at(self.at(CellRef::new(row.row, col.unwrap_or(0))));
            self.push(f);
            return;
        }
        let gid = goal.id.0.clone();
        self.area_label(row, goal);
        for cell in [&row.rating, &row.comment].into_iter().flatten() {
            let f = check_kind(cell, &gid).map(|f| f.at(self.at(cell_of(cell))));
            if let Some(f) = f {
                self.push(f);
            }
        }
        let mut ans = GoalAnswer::on_row(row.row);
        self.comment(row, &gid, &mut ans);
        if self.who.rates() {
            self.rating(row, &gid, &mut ans);
        } else if let Some(c) = &row.rating {
            // The coordinator comments; it does not rate.
            let f = Finding::new(C::TextOutsideAnswers, format!(
                "{} gör inga bedömningar, så värdet {} har inte förts in i sammanställningen. Skriv det i kolumnen Kommentar om det ska med.",
                self.who.code(self.plan), quote_full(&c.text)
            )).goal(gid.clone()).at(self.at(cell_of(c)));
            self.push(f);
        }
        self.answers[at] = Some(ans);
    }

    /// The row's goal and its position in the plan: by its id, else by its
    /// text (with a finding).
    fn goal_of(
        &mut self,
        row: &RawRow,
        id_text: &str,
        goal_text: &str,
    ) -> Option<(usize, &'a Goal)> {
        if let Some(&(at, _, g)) = self.by_id.get(id_text) {
            if goal_text != g.text
                && !goal_text.trim().is_empty()
                && fold(goal_text) != fold(&g.text)
            {
                let cell = row.goal.as_ref().map_or(CellRef::new(row.row, 0), cell_of);
                let f = Finding::new(C::GoalTextChanged, format!(
                    "Måltexten för mål {} har ändrats (i filen: {}). Svaret har förts till mål {} enligt mål-id; kontrollera att det gäller det målet.",
                    g.id, quote(goal_text), g.id
                )).goal(g.id.0.clone()).at(self.at(cell));
                self.push(f);
            }
            return Some((at, g));
        }
        if goal_text.trim().is_empty() {
            return None;
        }
        let plan = self.plan;
        let (at, g) = *self
            .by_text
            .get_or_insert_with(|| {
                let goals = plan.goals().enumerate();
                goals.map(|(i, (_, g))| (fold(&g.text), (i, g))).collect()
            })
            .get(&fold(goal_text))?;
        let cell = row.goal_id.as_ref().map_or(
            CellRef::new(row.row, self.sheet.columns.goal_id.unwrap_or(1)),
            cell_of,
        );
        let was = if id_text.is_empty() {
            "saknas".to_string()
        } else {
            format!("är {}", quote(id_text))
        };
        let f = Finding::new(C::GoalMatchedByText, format!(
            "Mål-id {was} på rad {}; raden har kopplats till mål {} genom måltexten. Ändra inte mål-id.",
            row.row + 1, g.id
        )).goal(g.id.0.clone()).at(self.at(cell));
        self.push(f);
        Some((at, g))
    }

    /// A row that names no goal of the plan: an area label, or kept in a finding.
    fn not_a_goal(&mut self, row: &RawRow, id_text: &str, goal_text: &str) {
        let only_area = row.area.is_some()
            && row.rating.is_none()
            && row.comment.is_none()
            && id_text.is_empty()
            && goal_text.trim().is_empty();
        if let (true, Some(c)) = (only_area, &row.area) {
            self.push(outside(&c.text).at(self.at(cell_of(c))));
            return;
        }
        if row.rating.is_some()
            || row.comment.is_some()
            || !id_text.is_empty()
            || !goal_text.trim().is_empty()
        {
            let cell = row
                .goal_id
                .as_ref()
                .or(row.goal.as_ref())
                .or(row.rating.as_ref())
                .or(row.comment.as_ref())
                .map_or(CellRef::new(row.row, 0), cell_of);
            let f = Finding::new(C::UnknownGoal, format!(
                "Rad {} hör inte till något mål i planen. Radens innehåll: {}. Flytta svaret till rätt måls rad.",
                row.row + 1, describe_row(row)
            )).at(self.at(cell));
            self.push(f);
        }
        if let Some(c) = &row.area {
            if !self.plan.areas.iter().any(|a| is_area_label(a, &c.text)) {
                self.push(outside(&c.text).at(self.at(cell_of(c))));
            }
        }
    }

    /// The area cell of a goal's row holds the goal's own area, or is reported.
    fn area_label(&mut self, row: &RawRow, goal: &Goal) {
        let Some(c) = &row.area else {
            return;
        };
        let area = self.by_id[goal.id.0.as_str()].1;
        if !is_area_label(area, &c.text) {
            let f = outside(&c.text)
                .goal(goal.id.0.clone())
                .at(self.at(cell_of(c)));
            self.push(f);
        }
    }

    fn comment(&mut self, row: &RawRow, gid: &str, ans: &mut GoalAnswer) {
        let Some(c) = &row.comment else {
            return;
        };
        if c.kind == CellKind::Error {
            return;
        }
        if over_utf16(&c.text, CELL_LIMIT) {
            let f = Finding::new(C::LongComment, format!(
                "Kommentaren till mål {gid} är {} tecken, mer än en Excel-cell rymmer ({CELL_LIMIT}). Den förs in hel i JSON och delas på flera celler i sammanställningen.",
                c.text.chars().count()
            )).goal(gid).at(self.at(cell_of(c)));
            self.push(f);
        }
        if !c.text.trim().is_empty() {
            ans.comment = Some(c.text.as_str().into());
            ans.comment_col = super::Col(c.col);
        }
    }

    /// A region's rating: understood, normalised, flagged or refused.
    fn rating(&mut self, row: &RawRow, gid: &str, ans: &mut GoalAnswer) {
        let cols = &self.sheet.columns;
        let cell = row
            .rating
            .as_ref()
            .map_or(CellRef::new(row.row, cols.rating.unwrap_or(3)), cell_of);
        let as_typed = row
            .rating
            .as_ref()
            .filter(|c| c.kind != CellKind::Error)
            .map(|c| c.text.as_str())
            .unwrap_or_default();
        let written = as_typed.trim();
        let parsed = if cols.rating.is_none() {
            Parsed::Blank
        } else {
            rating::parse(as_typed, &self.scale)
        };
        // The location and the codes are text made only for a finding: most
        // ratings need neither.
        let place = self.place.clone();
        let loc = move || place.with_cell(cell);
        let understood = match parsed {
            Parsed::Blank => {
                let codes = codes_or(self.plan);
                let hint = if cols.rating.is_none() {
                    " (kolumnen Bedömning saknas i filen)"
                } else {
                    ""
                };
                self.push(Finding::new(C::MissingRating, format!(
                    "Bedömning saknas för mål {gid}{hint}. Ange {codes}; lämna cellen blank bara om {} inte kan bedöma målet.", self.code
                )).goal(gid).at(loc()));
                if ans.comment.is_some() {
                    self.push(Finding::new(C::CommentWithoutRating, format!(
                        "Mål {gid} har en kommentar men ingen bedömning. Ange {codes} om {} kan bedöma målet.", self.code
                    )).goal(gid).at(loc()));
                }
                None
            }
            Parsed::Invalid => {
                self.push(Finding::new(C::InvalidRating, format!(
                    "Bedömningen {} för mål {gid} finns inte i skalan ({}). Skriv en av koderna, t.ex. {}.",
                    quote_full(written), self.plan.scale_legend(), codes_or(self.plan)
                )).goal(gid).at(loc()));
                None
            }
            Parsed::Normalised(r) => {
                self.push(
                    Finding::new(
                        C::NormalisedRating,
                        format!(
                            "Bedömningen {} för mål {gid} har lästs som {r}.",
                            quote(as_typed)
                        ),
                    )
                    .goal(gid)
                    .at(loc()),
                );
                self.flag_form(&r, gid, cell);
                Some(r)
            }
            Parsed::Exact(r) => {
                self.flag_form(&r, gid, cell);
                Some(r)
            }
        };
        ans.set_rating_cell(cell.col, written, understood);
    }

    /// Findings for a compound or uncertain rating.
    fn flag_form(&mut self, r: &Rating, gid: &str, cell: CellRef) {
        for f in flag_form(r, gid, &self.code) {
            self.push(f.at(self.at(cell)));
        }
    }

    fn missing_rows(&mut self) {
        for (i, (area, goal)) in self.plan.goals().enumerate() {
            if self.answers[i].is_none() {
                let f = Finding::new(C::MissingGoalRow, format!(
                    "Mål {} ({}) har ingen rad i filen. Lägg tillbaka raden eller använd den utskickade mallen.",
                    goal.id, area.title
                )).goal(goal.id.0.clone()).at(self.place.clone());
                self.push(f);
            }
        }
    }

    /// Above the table only the template's own three lines belong.
    fn above_table(&mut self) {
        let expected = preamble(self.plan, self.who);
        for c in &self.sheet.preamble {
            let own = c.col == 0
                && expected
                    .get(c.row as usize)
                    .is_some_and(|e| *e == c.text || fold(e) == fold(&c.text));
            if !own {
                self.push(outside(&c.text).at(self.at(cell_of(c))));
            }
        }
    }

    /// A sheet the region added: its whole content is kept in one finding.
    fn other_sheets(&mut self, raw: &RawReturn) {
        for other in &raw.other_sheets {
            let Some(first) = other.cells.first() else {
                continue;
            };
            let content: Vec<String> = other
                .cells
                .iter()
                .map(|c| format!("{} {}", cell_of(c), quote_full(&c.text)))
                .collect();
            let f = Finding::new(C::TextOutsideAnswers, format!(
                "Bladet \"{}\" hör inte till mallen och har inte förts in i sammanställningen. Innehåll: {}. Flytta det som ska med till kolumnen Kommentar på rätt måls rad.",
                other.name, content.join("; ")
            )).at(Location::at(self.file, &other.name, cell_of(first)));
            self.push(f);
        }
    }
}

/// Whether `text` is how the template (or a hand-made copy) names the area.
/// Checked for every row: the template's own forms are compared as they
/// are before anything is folded.
fn is_area_label(area: &Area, text: &str) -> bool {
    let exact = text
        .strip_prefix(area.id.as_str())
        .and_then(|r| r.strip_prefix(' '))
        == Some(area.title.as_str());
    if exact || text == area.title || text == area.id {
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

fn codes_or(plan: &Plan) -> String {
    let codes: Vec<&str> = plan.scale.iter().map(|l| l.code.as_str()).collect();
    match codes.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} eller {last}", rest.join(", ")),
        _ => codes.join(""),
    }
}

/// Findings for a rating merged as written but to be followed up.
fn flag_form(r: &Rating, gid: &str, who: &str) -> Vec<Finding> {
    match r {
        Rating::Compound(_) => vec![Finding::new(C::CompoundRating, format!(
            "Mål {gid} har den sammansatta bedömningen {r}: målet har flera delar med olika status. Den redovisas som den är skriven; följ upp vilken del som gäller vad."
        )).goal(gid)],
        Rating::Uncertain(inner) => {
            let mut out = vec![Finding::new(C::UncertainRating, format!(
                "Bedömningen {r} för mål {gid} är osäker (frågetecken). Den redovisas som den är skriven; bekräfta den med {who}."
            )).goal(gid)];
            if matches!(**inner, Rating::Compound(_)) {
                out.extend(flag_form(inner, gid, who));
            }
            out
        }
        Rating::Level(_) => Vec::new(),
    }
}

/// A finding for a rating or comment cell that does not hold text.
fn check_kind(cell: &RawCell, gid: &str) -> Option<Finding> {
    let what = match cell.kind {
        CellKind::Text => return None,
        CellKind::Error => {
            return Some(Finding::new(C::CellError, format!(
                "Cellen för mål {gid} innehåller felvärdet {}. Skriv in värdet som text i stället för en formel.",
                cell.text
            )).goal(gid));
        }
        CellKind::Number => "ett tal",
        CellKind::Bool => "ett sanningsvärde",
        _ => "ett datum",
    };
    Some(
        Finding::new(
            C::NonTextValue,
            format!(
                "Cellen för mål {gid} innehåller {what} ({}); det har lästs som text.",
                cell.text
            ),
        )
        .goal(gid),
    )
}

fn describe_row(row: &RawRow) -> String {
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
