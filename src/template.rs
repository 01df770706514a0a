//! Writes the ready-to-fill workbook a region (or the coordinator) gets.
//!
//! Three sheets: `Instruktioner` (how to fill it in, in Swedish),
//! `Uppföljning` (one row per goal: area, goal id and goal text locked;
//! rating and comment open, with a dropdown of the scale) and a hidden
//! `samla` sheet that says which plan, plan version and respondent the file
//! is for, so that a returned file identifies itself even when renamed.
//!
//! The same writer fills in answers ([`Answers`]): that is how the bundled
//! samples and the benchmark's returns are made, so they are genuine returns
//! of the real template.
//!
//! ```
//! # let plan = samla::Plan::load("templates/cancerplan-norr-2022-2024.toml").unwrap();
//! use samla::plan::Respondent;
//! let rjh = Respondent::Region(samla::RegionCode("RJH".into()));
//! let bytes = samla::template::workbook(&plan, &rjh, None).unwrap();
//! assert!(bytes.starts_with(b"PK"));
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DocProperties, Format, FormatAlign,
    FormatBorder, Note, ProtectionOptions, Worksheet, XlsxError,
};
use serde::Deserialize;

use crate::contract::header::Column;
use crate::contract::{
    columns, fixed_datetime, header, meta, preamble, ANSWER_SHEET, CELL_LIMIT, FORMAT_TAG,
    HEADER_ROW, INSTRUCTIONS_SHEET, META_SHEET, PREVIOUS_SHEET,
};
use crate::plan::{GoalId, Plan, Respondent};
use crate::rounds::PreviousRound;

/// A respondent's answers, as kept in `samples/answers/*.toml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// Respondent code (`RJH`, `RCC Norr`).
    pub respondent: String,
    /// Goal id → answer.
    #[serde(default)]
    pub goals: BTreeMap<String, Answer>,
}

/// One goal's answer as typed into the template.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The rating as typed, e.g. `U` or `P?`; None leaves the cell blank.
    #[serde(default)]
    pub rating: Option<String>,
    /// The comment as typed; None leaves the cell blank.
    #[serde(default)]
    pub comment: Option<String>,
}

impl Answers {
    /// Reads an answers file.
    pub fn load(path: &Path) -> Result<Answers, AnswersError> {
        let text = std::fs::read_to_string(path).map_err(|source| AnswersError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| AnswersError::Syntax {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// Why an answers file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AnswersError {
    /// The file could not be read.
    #[error(
        "{path}: svarsfilen kunde inte läsas: {}",
        crate::oserror::swedish(source)
    )]
    Io {
        /// The answers file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML for answers.
    #[error("{path}: svarsfilen är inte giltig TOML: {source}")]
    Syntax {
        /// The answers file.
        path: PathBuf,
        /// The parser's error.
        #[source]
        source: toml::de::Error,
    },
}

/// Why a template could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The workbook could not be written.
    #[error("Excel-filen kunde inte skapas: {0}")]
    Xlsx(#[from] XlsxError),
    /// The answers are another respondent's: (answers' respondent, template's respondent).
    #[error("svaren gäller {0}, men mallen är för {1}")]
    WrongRespondent(String, String),
    /// The answers name a goal that is not in the plan.
    #[error("svaren nämner mål {0}, som inte finns i planen")]
    UnknownGoal(GoalId),
}

/// What a respondent's previous-round columns show: the earlier round's
/// period and, per goal, the respondent's own rating and comment then.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Previous {
    /// The earlier round's period, in the columns' headers.
    pub period: String,
    /// Goal id → what is shown; a goal of the plan absent here is new since
    /// the earlier round (an empty cell with the note [`NEW_GOAL_NOTE`]).
    pub goals: BTreeMap<GoalId, Shown>,
}

/// One goal's previous rating and comment, as shown; None shows an empty cell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shown {
    /// The rating as the earlier round recorded it.
    pub rating: Option<String>,
    /// The comment as written.
    pub comment: Option<String>,
}

impl Previous {
    /// What `who` answered in the earlier round `round`, for the goals of
    /// `plan` (matched by id: a re-worded goal keeps its answer). Check the
    /// plan first ([`PreviousRound::of_plan`]).
    pub fn of(round: &PreviousRound, plan: &Plan, who: &Respondent) -> Previous {
        let code = &who.code(plan).0;
        let goals = round
            .goals
            .iter()
            .map(|g| {
                let rating = match who.rates() {
                    true => g.ratings.get(code).cloned().flatten(),
                    false => None,
                };
                let comment = g.comments.get(code).filter(|c| !c.trim().is_empty());
                let shown = Shown {
                    rating: rating
                        .filter(|r| !r.trim().is_empty())
                        .map(|r| fit_cell(&r)),
                    comment: comment.map(|c| fit_cell(c)),
                };
                (g.id.clone(), shown)
            })
            .collect();
        Previous {
            period: round.plan.period.clone(),
            goals,
        }
    }
}

/// What ends a previous answer too long for one cell (Excel's 32,767
/// UTF-16 units), cut to fit: the earlier round's JSON keeps it whole.
pub const CUT_NOTE: &str = " … (förkortad: hela texten finns i förra omgångens sammanställning)";

/// `text` as one cell can show it: whole, or cut with [`CUT_NOTE`].
fn fit_cell(text: &str) -> String {
    if text.encode_utf16().count() <= CELL_LIMIT {
        return text.to_string();
    }
    let room = CELL_LIMIT - CUT_NOTE.encode_utf16().count();
    let mut units = 0;
    let end = text
        .char_indices()
        .find(|(_, c)| {
            units += c.len_utf16();
            units > room
        })
        .map_or(text.len(), |(i, _)| i);
    format!("{}{CUT_NOTE}", &text[..end])
}

/// The step of the instructions about the previous round's columns.
fn previous_step(who: &Respondent, p: &Previous) -> String {
    let what = if who.rates() {
        format!(
            "\"{}\" och \"{}\"",
            header::previous_rating(&p.period),
            header::previous_comment(&p.period)
        )
    } else {
        format!("\"{}\"", header::previous_comment(&p.period))
    };
    let answer = if who.rates() {
        format!("\"{}\" och \"{}\"", header::RATING, header::COMMENT)
    } else {
        format!("\"{}\"", header::COMMENT)
    };
    format!(
        "Kolumnerna {what} visar vad ni svarade i uppföljningen {}. De är låsta och läses inte in – ändra dem inte. Skriv årets svar i {answer}, även när inget har ändrats sedan dess: utgå från förra årets text och skriv vad som har hänt. Ett mål som är nytt sedan dess har en tom cell med anteckningen \"{NEW_GOAL_NOTE}\".",
        p.period
    )
}

/// The file name of a respondent's template: `<plan-id>-<code>.xlsx`.
pub fn file_name(plan: &Plan, who: &Respondent) -> String {
    let code: String = who
        .code(plan)
        .0
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{}-{}.xlsx", plan.id, code)
}

/// Fill of the previous round's read-only columns: a darker grey than the
/// plan's locked columns, so they read as "not yours to change".
pub const PREVIOUS_FILL: u32 = 0xE7E6E6;
/// Text colour of the previous round's columns: grey, not black.
pub const PREVIOUS_TEXT: u32 = 0x595959;

/// The template's cell formats; the feedback copy of a return uses them too.
pub(crate) struct Formats {
    pub title: Format,
    pub heading: Format,
    pub note: Format,
    pub header: Format,
    pub locked: Format,
    pub locked_id: Format,
    pub open: Format,
    pub open_rating: Format,
    /// The previous round's columns: locked, grey text on grey.
    pub previous: Format,
    pub previous_rating: Format,
    pub previous_header: Format,
}

impl Formats {
    pub fn new() -> Formats {
        let cell = crate::report::print::base()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        Formats {
            title: crate::report::print::base().set_bold().set_font_size(14),
            heading: crate::report::print::base()
                .set_bold()
                .set_font_size(12)
                .set_text_wrap()
                .set_align(FormatAlign::Bottom),
            note: crate::report::print::base()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            header: crate::report::print::base()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border(FormatBorder::Thin),
            locked: cell.clone().set_background_color(Color::RGB(0xF2F2F2)),
            locked_id: cell
                .clone()
                .set_background_color(Color::RGB(0xF2F2F2))
                .set_align(FormatAlign::Center),
            open: cell.clone().set_unlocked(),
            open_rating: cell
                .clone()
                .set_unlocked()
                .set_align(FormatAlign::Center)
                .set_bold(),
            previous: cell
                .clone()
                .set_background_color(Color::RGB(PREVIOUS_FILL))
                .set_font_color(Color::RGB(PREVIOUS_TEXT)),
            previous_rating: cell
                .set_background_color(Color::RGB(PREVIOUS_FILL))
                .set_font_color(Color::RGB(PREVIOUS_TEXT))
                .set_align(FormatAlign::Center),
            previous_header: crate::report::print::base()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(PREVIOUS_FILL))
                .set_font_color(Color::RGB(PREVIOUS_TEXT))
                .set_border(FormatBorder::Thin),
        }
    }
}

/// Builds a respondent's template, with `answers` filled in when given.
pub fn workbook(
    plan: &Plan,
    who: &Respondent,
    answers: Option<&Answers>,
) -> Result<Vec<u8>, TemplateError> {
    workbook_with(plan, who, answers, None)
}

/// Builds a respondent's template that starts from an earlier round:
/// `previous` (see [`Previous::of`]) fills the read-only columns of the
/// respondent's own previous rating and comment; None gives the plain
/// template, byte for byte.
pub fn workbook_with(
    plan: &Plan,
    who: &Respondent,
    answers: Option<&Answers>,
    previous: Option<&Previous>,
) -> Result<Vec<u8>, TemplateError> {
    if let Some(a) = answers {
        if plan.respondent(&a.respondent).as_ref() != Some(who) {
            return Err(TemplateError::WrongRespondent(
                a.respondent.clone(),
                who.code(plan).0.clone(),
            ));
        }
        for id in a.goals.keys() {
            if !plan.goals().any(|(_, g)| &g.id.0 == id) {
                return Err(TemplateError::UnknownGoal(GoalId(id.clone())));
            }
        }
    }
    let f = Formats::new();
    let mut wb = crate::report::print::workbook();
    let code = &who.code(plan).0;
    let props = DocProperties::new()
        .set_title(format!(
            "{} – uppföljning {} – {}",
            plan.title, plan.period, code
        ))
        .set_subject(format!("Uppföljningsmall för {}", who.name(plan)))
        .set_author(plan.coordinator.name.as_str())
        .set_company(plan.coordinator.name.as_str())
        .set_custom_property("samla-plan", plan.id.as_str())
        .set_custom_property("samla-plan-version", plan.version.as_str())
        .set_custom_property("samla-respondent", code.as_str())
        .set_creation_datetime(&fixed_datetime());
    wb.set_properties(&props);

    let ins = wb.add_worksheet();
    instructions(ins, plan, who, previous, &f)?;
    let sheet = wb.add_worksheet();
    answer_sheet(sheet, plan, who, Fill { answers, previous }, &f)?;
    sheet.set_active(true);
    let m = wb.add_worksheet();
    meta_sheet(m, plan, who)?;
    if let Some(p) = previous {
        previous_sheet(wb.add_worksheet(), plan, p)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// A line of the instructions: a heading, a paragraph, or a numbered step.
enum Line {
    Title(String),
    Heading(&'static str),
    Text(String),
    Step(usize, String),
}

/// What the instructions say: how to fill in the file, how to return it
/// and what happens next — in words for regional staff, without any
/// command line.
fn instruction_lines(plan: &Plan, who: &Respondent, previous: Option<&Previous>) -> Vec<Line> {
    let coord = &plan.coordinator.name;
    let mut lines = vec![
        Line::Title(format!("Uppföljning {} – {}", plan.period, plan.title)),
        Line::Text(format!(
            "Den här filen är mallen för {} ({}) i uppföljningen {} av {} (plan-id {}, version {}). {coord} samlar in svaren och sammanställer dem.",
            who.name(plan),
            who.code(plan),
            plan.period,
            plan.title,
            plan.id,
            plan.version
        )),
        Line::Heading("Så fyller du i mallen"),
        Line::Step(1, format!("Gå till bladet \"{ANSWER_SHEET}\". Där finns en rad för varje mål i planen, ordnade efter område.")),
    ];
    if who.rates() {
        let mut rating = format!(
            "Ange i kolumnen \"{}\" hur långt ni har kommit med varje mål: {}. Välj i listan eller skriv koden. Lämna cellen blank om ni inte gör någon bedömning – då redovisas målet utan nivå.",
            header::RATING,
            plan.scale_legend()
        );
        if plan.scale.len() >= 2 {
            rating += &format!(
                " Har målet två delar med olika status kan ni skriva båda, t.ex. {}. Är ni osäkra, skriv t.ex. {}.",
                plan.compound_example(),
                plan.uncertain_example()
            );
        }
        lines.push(Line::Step(2, rating));
        lines.push(Line::Step(3, format!(
            "Beskriv nuläget i kolumnen \"{}\": vad som är gjort, vad som pågår och vad som återstår. Texten får vara lång och kommer med ordagrant i sammanställningen. Ny rad i en cell: Alt+Enter (Mac: Ctrl+Alt+Enter).",
            header::COMMENT
        )));
    } else {
        lines.push(Line::Step(2, format!(
            "Skriv {}s kommentarer i kolumnen \"{}\". De står sist under varje mål i sammanställningen, efter de andra svarandes. Ny rad i en cell: Alt+Enter (Mac: Ctrl+Alt+Enter).",
            plan.coordinator.code,
            header::COMMENT
        )));
    }
    if let Some(p) = previous {
        let n = lines.iter().filter(|l| matches!(l, Line::Step(..))).count();
        lines.push(Line::Step(n + 1, previous_step(who, p)));
    }
    let n = lines.iter().filter(|l| matches!(l, Line::Step(..))).count();
    lines.extend([
        Line::Step(n + 1, "Ändra inte mål-id, måltexter, rubriker eller bladens namn, och lägg inte till rader eller kolumner. Strukturen är låst så att svaren kan läsas in automatiskt. Skriv allt som gäller ett mål i målets kommentar.".to_string()),
        Line::Heading("Så lämnar du in"),
        Line::Step(n + 2, "Spara filen som Excel-arbetsbok (.xlsx). Arbetar du i LibreOffice: Arkiv > Spara som > Excel 2007–365 (.xlsx).".to_string()),
        Line::Step(n + 3, format!("Skicka hela filen till {coord} – inte en PDF eller en kopia av bladet. Filen får byta namn: den vet själv vilken plan och {} den gäller.", plan.noun.singular)),
        Line::Heading("Vad händer sedan"),
        Line::Text(format!("{coord} läser in och kontrollerar alla filer som kommer in.")),
        Line::Text("Behöver något rättas eller bekräftas – till exempel en bedömning som inte finns i skalan eller ett mål utan bedömning – får ni tillbaka en kopia av ert svar. Där är cellerna markerade och har en anteckning om vad som behöver göras. Rätta då i er egen fil och skicka den igen; den senast sparade versionen gäller.".to_string()),
        Line::Text(format!("Alla svar sammanställs till en rapport för hela {}: mål för mål med varje {}s bedömning och kommentar. {coord} skickar ut den när alla har svarat.", plan.title, plan.noun.singular)),
    ]);
    lines
}

fn instructions(
    ws: &mut Worksheet,
    plan: &Plan,
    who: &Respondent,
    previous: Option<&Previous>,
    f: &Formats,
) -> Result<(), XlsxError> {
    use crate::report::print::{fit, setup, Cell, Page};
    ws.set_name(INSTRUCTIONS_SHEET)?;
    // A narrow column for the step numbers, a wide one for the text: the
    // lines of a step hang under its first word.
    let widths = [4.0, 84.0];
    let all = widths[0] + widths[1];
    let step = f.note.clone().set_align(FormatAlign::Right);
    let title = f.title.clone().set_text_wrap();
    let mut row = 0;
    for line in instruction_lines(plan, who, previous) {
        let (text, fmt, cell) = match &line {
            Line::Title(t) => (t.as_str(), &title, Cell::new(t, all).bold().size(14.0)),
            Line::Heading(t) => {
                // A blank row of air before each heading.
                row += 1;
                (*t, &f.heading, Cell::new(t, all).bold().size(12.0))
            }
            Line::Text(t) => (t.as_str(), &f.note, Cell::new(t, all)),
            Line::Step(n, t) => {
                ws.write_string_with_format(row, 0, format!("{n}."), &step)?;
                ws.write_string_with_format(row, 1, t, &f.note)?;
                ws.set_row_height(row, fit(&[Cell::new(t, widths[1])]) + 3.0)?;
                row += 1;
                continue;
            }
        };
        ws.merge_range(row, 0, row, 1, text, fmt)?;
        ws.set_row_height(row, fit(&[cell]) + 3.0)?;
        row += 1;
    }
    ws.protect();
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: None,
            plan: &format!("{} – uppföljning {}", plan.title, plan.period),
            what: &who.code(plan).0,
        },
    )
}

/// Width (Excel character units) of an answer-sheet column. With the
/// previous round's columns the goal and comment columns give up room so
/// that the page still prints at a readable size.
fn width(kind: Column, previous: bool) -> f64 {
    match (kind, previous) {
        (Column::Area | Column::Responsible, _) => 18.0,
        (Column::GoalId, _) => 7.0,
        (Column::Goal, false) => 55.0,
        (Column::Rating | Column::PreviousRating, _) => 11.0,
        (Column::Schedule, _) => 12.0,
        (Column::Comment, false) => 80.0,
        (Column::Goal | Column::PreviousComment, _) => 40.0,
        (Column::Comment, true) => 60.0,
    }
}

fn answer_sheet(
    ws: &mut Worksheet,
    plan: &Plan,
    who: &Respondent,
    fill: Fill,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(ANSWER_SHEET)?;
    let period = fill.previous.map(|p| p.period.as_str());
    let cols = columns(plan, who, period);
    let col_of = |k: Column| cols.iter().position(|c| c.0 == k).map(|c| c as u16);
    let [title, respondent, hint] = preamble(plan, who);
    ws.write_string_with_format(0, 0, title, &f.title)?;
    let plain = crate::report::print::base();
    ws.write_string_with_format(1, 0, respondent, &plain)?;
    ws.write_string_with_format(2, 0, hint, &plain)?;
    for (c, (kind, name)) in cols.iter().enumerate() {
        let fmt = match kind {
            Column::PreviousRating | Column::PreviousComment => &f.previous_header,
            _ => &f.header,
        };
        ws.write_string_with_format(HEADER_ROW, c as u16, name, fmt)?;
    }
    let widths: Vec<f64> = cols
        .iter()
        .map(|(k, _)| width(*k, period.is_some()))
        .collect();
    let head: Vec<crate::report::print::Cell> = cols
        .iter()
        .zip(&widths)
        .map(|((_, c), w)| crate::report::print::Cell::new(c, *w).bold())
        .collect();
    ws.set_row_height(HEADER_ROW, crate::report::print::fit(&head))?;

    let at = Layout {
        responsible: col_of(Column::Responsible),
        schedule: col_of(Column::Schedule),
        previous_rating: col_of(Column::PreviousRating),
        previous_comment: col_of(Column::PreviousComment),
        rating: col_of(Column::Rating),
        comment: col_of(Column::Comment).unwrap_or(3),
        with_previous: period.is_some(),
    };
    let mut row = HEADER_ROW + 1;
    for (area, goal) in plan.goals() {
        goal_row(ws, row, (area, goal), &at, fill, f)?;
        row += 1;
    }
    if let Some(rc) = at.rating {
        ws.add_data_validation(HEADER_ROW + 1, rc, row - 1, rc, &scale_dropdown(plan)?)?;
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    crate::report::print::setup(
        ws,
        &crate::report::print::Page {
            widths: &widths,
            repeat: Some((HEADER_ROW, HEADER_ROW)),
            plan: &format!("{} – uppföljning {}", plan.title, plan.period),
            what: &format!("{} – {}", who.code(plan), who.name(plan)),
        },
    )?;
    let mut opts = ProtectionOptions::new();
    opts.format_columns = true;
    opts.format_rows = true;
    ws.protect_with_options(&opts);
    Ok(())
}

/// What goes into a template beside the plan: answers (`samla fill`) and
/// the previous round's columns (`--previous`).
#[derive(Clone, Copy)]
struct Fill<'a> {
    answers: Option<&'a Answers>,
    previous: Option<&'a Previous>,
}

/// Where the answer sheet's columns after the goal text are.
struct Layout {
    responsible: Option<u16>,
    schedule: Option<u16>,
    previous_rating: Option<u16>,
    previous_comment: Option<u16>,
    rating: Option<u16>,
    comment: u16,
    /// Whether the previous round's columns are there (narrower goal and comment).
    with_previous: bool,
}

/// One goal's row: the plan's locked cells, the previous round's locked
/// cells, the open answer cells.
fn goal_row(
    ws: &mut Worksheet,
    row: u32,
    (area, goal): (&crate::plan::Area, &crate::plan::Goal),
    at: &Layout,
    fill: Fill,
    f: &Formats,
) -> Result<(), XlsxError> {
    let answer = fill.answers.and_then(|a| a.goals.get(&goal.id.0));
    let comment = answer.and_then(|a| a.comment.as_deref());
    let shown = fill.previous.map(|p| p.goals.get(&goal.id));
    let shown_comment = shown.flatten().and_then(|s| s.comment.as_deref());
    let area_text = format!("{} {}", area.id, area.title);
    // Room for the goal text and any comment (up to Excel's 409 points),
    // and at least three lines to write in.
    let extra = |v: &Option<String>| v.as_deref().unwrap_or("").to_string();
    let w = |k| width(k, at.with_previous);
    let height = crate::report::fit_height(&[
        (&area_text, w(Column::Area)),
        (&goal.text, w(Column::Goal)),
        (comment.unwrap_or(""), w(Column::Comment)),
        (shown_comment.unwrap_or(""), w(Column::PreviousComment)),
        (&extra(&goal.responsible), w(Column::Responsible)),
        (&extra(&goal.schedule), w(Column::Schedule)),
    ])
    .max(crate::report::fit_height(&[("\n\n", 80.0)]));
    ws.set_row_height(row, height)?;
    ws.write_string_with_format(row, 0, &area_text, &f.locked)?;
    ws.write_string_with_format(row, 1, &goal.id.0, &f.locked_id)?;
    ws.write_string_with_format(row, 2, &goal.text, &f.locked)?;
    for (c, value) in [
        (at.responsible, &goal.responsible),
        (at.schedule, &goal.schedule),
    ] {
        if let Some(c) = c {
            cell(ws, row, c, value.as_deref(), &f.locked)?;
        }
    }
    if let Some(shown) = shown {
        let rating = shown.and_then(|s| s.rating.as_deref());
        if let Some(c) = at.previous_rating {
            cell(ws, row, c, rating, &f.previous_rating)?;
        }
        if let Some(c) = at.previous_comment {
            cell(ws, row, c, shown_comment, &f.previous)?;
        }
        if shown.is_none() {
            // A goal added to the plan since: nothing to show, and say why.
            let c = at
                .previous_rating
                .or(at.previous_comment)
                .unwrap_or(at.comment);
            ws.insert_note(
                row,
                c,
                &Note::new(NEW_GOAL_NOTE)
                    .set_author("samla")
                    .add_author_prefix(false),
            )?;
        }
    }
    if let Some(rc) = at.rating {
        cell(
            ws,
            row,
            rc,
            answer.and_then(|a| a.rating.as_deref()),
            &f.open_rating,
        )?;
    }
    cell(ws, row, at.comment, comment, &f.open)?;
    Ok(())
}

/// The note on a goal's previous-round cell when the goal is new since.
pub const NEW_GOAL_NOTE: &str = "nytt mål";

/// Writes `value`, or a blank cell, with `fmt`.
fn cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<&str>,
    fmt: &Format,
) -> Result<(), XlsxError> {
    match value {
        Some(v) => ws.write_string_with_format(row, col, v, fmt)?,
        None => ws.write_blank(row, col, fmt)?,
    };
    Ok(())
}

/// The rating column's dropdown of the scale.
fn scale_dropdown(plan: &Plan) -> Result<DataValidation, XlsxError> {
    let codes: Vec<&str> = plan.scale.iter().map(|l| l.code.as_str()).collect();
    // Information style: the dropdown offers the scale, but compound
    // (U/E) and uncertain (P?) forms can still be typed; samla reports them.
    DataValidation::new()
        .allow_list_strings(&codes)?
        .set_error_style(DataValidationErrorStyle::Information)
        .set_error_title("Värdet finns inte i skalan")?
        .set_error_message(
            "Skalan är ".to_string()
                + &codes.join(", ")
                + &format!(
                    ". Sammansatta ({}) och osäkra ({}) bedömningar godtas men följs upp. Välj OK för att behålla värdet.",
                    plan.compound_example(),
                    plan.uncertain_example()
                ),
        )?
        .set_input_title("Bedömning")?
        .set_input_message(truncate_chars(&plan.scale_legend(), 250))
}

/// The hidden, protected copy of what the previous-round columns show: what
/// a returned file's columns are compared with.
fn previous_sheet(ws: &mut Worksheet, plan: &Plan, prev: &Previous) -> Result<(), XlsxError> {
    use crate::contract::previous as p;
    ws.set_name(PREVIOUS_SHEET)?;
    for (c, h) in p::HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    for (i, (_, goal)) in plan.goals().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, p::GOAL_ID, &goal.id.0)?;
        let shown = prev.goals.get(&goal.id);
        if let Some(r) = shown.and_then(|s| s.rating.as_deref()) {
            ws.write_string(row, p::RATING, r)?;
        }
        if let Some(c) = shown.and_then(|s| s.comment.as_deref()) {
            ws.write_string(row, p::COMMENT, c)?;
        }
    }
    ws.protect();
    ws.set_hidden(true);
    Ok(())
}

fn meta_sheet(ws: &mut Worksheet, plan: &Plan, who: &Respondent) -> Result<(), XlsxError> {
    ws.set_name(META_SHEET)?;
    let role = if who.rates() {
        meta::ROLE_REGION
    } else {
        meta::ROLE_COORDINATOR
    };
    let rows: [(&str, String); 9] = [
        (meta::FORMAT, FORMAT_TAG.to_string()),
        (meta::PLAN_ID, plan.id.clone()),
        (meta::PLAN_VERSION, plan.version.clone()),
        (meta::PLAN_TITLE, plan.title.clone()),
        (meta::PERIOD, plan.period.clone()),
        (meta::ROLE, role.to_string()),
        (meta::CODE, who.code(plan).0.clone()),
        (meta::NAME, who.name(plan).to_string()),
        (meta::GOALS, plan.goal_count().to_string()),
    ];
    for (i, (k, v)) in rows.iter().enumerate() {
        ws.write_string(i as u32, 0, *k)?;
        ws.write_string(i as u32, 1, v)?;
    }
    ws.protect();
    ws.set_hidden(true);
    Ok(())
}

fn truncate_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Writes every respondent's template into `dir`, starting from the
/// earlier round when `previous` is given; returns the paths.
pub fn write_all(
    plan: &Plan,
    dir: &Path,
    previous: Option<&PreviousRound>,
) -> Result<Vec<PathBuf>, crate::output::OutputError> {
    let mut written = Vec::new();
    for who in Respondent::all(plan) {
        let shown = previous.map(|p| Previous::of(p, plan, &who));
        let bytes = workbook_with(plan, &who, None, shown.as_ref())
            .map_err(|e| crate::output::OutputError::Build(e.into()))?;
        let path = dir.join(file_name(plan, &who));
        crate::output::write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
