//! The feedback workbook `samla check --feedback` writes for a region: a
//! first sheet listing what to fix, then a copy of the return's answer sheet
//! with every cell at its original address, each problem cell highlighted and
//! carrying a note that says, in Swedish, what to do. A coordinator can mail
//! it straight back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, Format, Note, Worksheet, XlsxError};

use super::print::{fit, print_pieces, setup, split_for_print, Cell, Page};
use super::{first_cell, header_row, severity_fill, text_line, Styles};
use crate::contract::fixed_datetime;
use crate::finding::{Finding, Severity};
use crate::plan::Plan;
use crate::reader::{AnswerSheet, RawReturn};
use crate::validate::Submission;

/// Builds the feedback workbook for one checked file.
pub fn workbook(
    plan: &Plan,
    sub: &Submission,
    raw: Option<&RawReturn>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = crate::report::print::workbook();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("Återkoppling – {}", sub.file.display()))
            .set_author(plan.coordinator.name.as_str())
            .set_creation_datetime(&fixed_datetime()),
    );
    let mut findings: Vec<&Finding> = sub.findings.iter().collect();
    findings.sort_by_cached_key(|f| f.owned_sort_key());
    to_fix(wb.add_worksheet(), plan, sub, &findings)?;
    if let (Some(raw), Some(sheet_name)) = (raw, sub.sheet.as_deref()) {
        if let Some(answer) = raw.answer.as_ref() {
            let ws = wb.add_worksheet();
            ws.set_name(sheet_name)?;
            copy(ws, plan, sub, answer, &findings)?;
        }
    }
    wb.save_to_buffer()
}

/// The page header's left part.
fn plan_line(plan: &Plan, sub: &Submission) -> String {
    let who = sub
        .respondent()
        .map(|w| format!(" – {}", w.code(plan)))
        .unwrap_or_default();
    format!("{} – uppföljning {}{who}", plan.title, plan.period)
}

/// `Att rätta`: what to fix, one row per finding.
fn to_fix(
    ws: &mut Worksheet,
    plan: &Plan,
    sub: &Submission,
    findings: &[&Finding],
) -> Result<(), XlsxError> {
    let s = Styles::new();
    ws.set_name("Att rätta")?;
    let widths = [14.0, 6.0, 11.0, 22.0, 80.0];
    text_line(
        ws,
        0,
        &title(plan, sub),
        &widths,
        &s.title,
        Cell::new("", 0.0).bold().size(14.0),
    )?;
    let intro = intro(sub, findings);
    text_line(ws, 1, &intro, &widths, &s.note, Cell::new("", 0.0))?;
    let names = [
        "Blad",
        "Cell",
        "Allvarlighet",
        "Kod",
        "Vad som behöver göras",
    ];
    header_row(ws, 3, &names, &widths, &s.header)?;
    for (i, f) in findings.iter().enumerate() {
        to_fix_row(ws, 4 + i as u32, f, &widths, &s)?;
    }
    ws.set_freeze_panes(4, 0)?;
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: Some((3, 3)),
            plan: &plan_line(plan, sub),
            what: "Att rätta",
        },
    )
}

/// The title: `Återkoppling på <file> <code> – <name>`.
fn title(plan: &Plan, sub: &Submission) -> String {
    let who = sub
        .respondent()
        .map(|w| format!("{} – {}", w.code(plan), w.name(plan)))
        .unwrap_or_default();
    let name = sub
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    format!("Återkoppling på {name} {who}")
}

/// The line under the title: how many things to fix, and where they are
/// marked (infos are not counted: nothing to do).
fn intro(sub: &Submission, findings: &[&Finding]) -> String {
    let problems = findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .count();
    if problems == 0 {
        "Inga problem hittades. Tack!".to_string()
    } else {
        format!(
            "{problems} saker att rätta eller bekräfta. Cellerna är markerade i bladet {} och har en anteckning. Rätta i er egen fil och skicka den igen.",
            sub.sheet.as_deref().unwrap_or("Uppföljning")
        )
    }
}

/// A finding's row of `Att rätta`: sheet, cell, severity (coloured), code
/// and message.
fn to_fix_row(
    ws: &mut Worksheet,
    row: u32,
    f: &Finding,
    widths: &[f64; 5],
    s: &Styles,
) -> Result<(), XlsxError> {
    let loc = f.location.as_ref();
    let sheet = loc.and_then(|l| l.sheet.as_deref()).unwrap_or_default();
    ws.write_string_with_format(row, 0, sheet, &s.wrap)?;
    ws.write_string_with_format(
        row,
        1,
        loc.and_then(crate::finding::Location::a1)
            .unwrap_or_default(),
        &s.text,
    )?;
    ws.write_string_with_format(row, 2, f.severity.swedish(), &s.severity(f.severity))?;
    ws.write_string_with_format(row, 3, f.code.as_str(), &s.wrap)?;
    let message = first_cell(&f.message);
    ws.write_string_with_format(row, 4, message, &s.wrap)?;
    ws.set_row_height(
        row,
        fit(&[
            Cell::new(sheet, widths[0]),
            Cell::new(f.code.as_str(), widths[3]),
            Cell::new(message, widths[4]),
        ]),
    )?;
    Ok(())
}

/// The notes of the copy by (row, column): the most severe finding's
/// severity and every finding's message.
type Notes = BTreeMap<(u32, u16), (Severity, Vec<String>)>;

/// Notes by cell; several findings on one cell share a note, coloured by
/// the most severe.
fn notes_by_cell(findings: &[&Finding]) -> Notes {
    let mut notes = Notes::new();
    for f in findings {
        let Some(cell) = f
            .location
            .as_ref()
            .and_then(|l| l.cell)
            .and_then(|c| Some((c.row, u16::try_from(c.col).ok()?)))
        else {
            continue;
        };
        let e = notes.entry(cell).or_insert((f.severity, Vec::new()));
        e.0 = e.0.min(f.severity);
        e.1.push(f.message.clone());
    }
    notes
}

/// What the role of a column in the copy is, for its format and width.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Locked,
    Id,
    Rating,
    Open,
    /// The template's read-only previous-round columns (`--previous`).
    PreviousRating,
    PreviousComment,
}

impl Role {
    /// The template's format of a cell of this role, in the header row or below it.
    fn format(self, f: &crate::template::Formats, header: bool) -> &rust_xlsxwriter::Format {
        match (self, header) {
            (Role::PreviousRating | Role::PreviousComment, true) => &f.previous_header,
            (_, true) => &f.header,
            (Role::Locked, false) => &f.locked,
            (Role::Id, false) => &f.locked_id,
            (Role::Rating, false) => &f.open_rating,
            (Role::Open, false) => &f.open,
            (Role::PreviousRating, false) => &f.previous_rating,
            (Role::PreviousComment, false) => &f.previous,
        }
    }
}

/// The previous-round columns of the answer sheet, by their headers
/// (the reader keeps their cells outside the answer columns).
fn previous_columns(answer: &AnswerSheet) -> BTreeMap<u32, Role> {
    use crate::contract::header::Column;
    answer
        .outside
        .iter()
        .filter(|c| c.row == answer.header_row)
        .filter_map(|c| match crate::contract::classify_header(&c.text)? {
            Column::PreviousRating => Some((c.col, Role::PreviousRating)),
            Column::PreviousComment => Some((c.col, Role::PreviousComment)),
            _ => None,
        })
        .collect()
}

/// The cells of the copy by (row, column): text and role.
type Cells = BTreeMap<(u32, u16), (String, Role)>;

/// Every cell of the answer sheet at its address, with its role.
fn cells_of(answer: &AnswerSheet) -> Cells {
    let mut cells = BTreeMap::new();
    let cols = &answer.columns;
    let previous = previous_columns(answer);
    let role_of = |col: u32| {
        if let Some(role) = previous.get(&col) {
            *role
        } else if Some(col) == cols.goal_id {
            Role::Id
        } else if Some(col) == cols.area || Some(col) == cols.goal {
            Role::Locked
        } else if Some(col) == cols.rating {
            Role::Rating
        } else {
            Role::Open
        }
    };
    let headers = [
        (cols.area, crate::contract::header::AREA),
        (cols.goal_id, crate::contract::header::GOAL_ID),
        (cols.goal, crate::contract::header::GOAL),
        (cols.rating, crate::contract::header::RATING),
        (cols.comment, crate::contract::header::COMMENT),
    ];
    for (col, name) in headers {
        if let Some(c) = col {
            cells.insert(
                (answer.header_row, c as u16),
                (name.to_string(), Role::Open),
            );
        }
    }
    for r in &answer.rows {
        for c in [&r.area, &r.goal_id, &r.goal, &r.rating, &r.comment]
            .into_iter()
            .flatten()
        {
            cells.insert((c.row, c.col as u16), (c.text.clone(), role_of(c.col)));
        }
    }
    for c in answer.preamble.iter().chain(&answer.outside) {
        let role = match c.row >= answer.header_row {
            true => role_of(c.col),
            false => Role::Open,
        };
        cells.insert((c.row, c.col as u16), (c.text.clone(), role));
    }
    cells
}

/// Column widths of the copy: the template's for the answer columns, a
/// readable width for any other column used.
fn copy_widths(answer: &AnswerSheet, cells: &Cells) -> Vec<f64> {
    let last = cells.keys().map(|(_, c)| *c).max().unwrap_or(0);
    let cols = &answer.columns;
    let previous = previous_columns(answer);
    (0..=last)
        .map(|c| {
            let role = previous.get(&u32::from(c));
            let c = Some(u32::from(c));
            if role == Some(&Role::PreviousRating) {
                11.0
            } else if role == Some(&Role::PreviousComment) {
                40.0
            } else if c == cols.area {
                18.0
            } else if c == cols.goal_id {
                7.0
            } else if c == cols.goal {
                55.0
            } else if c == cols.rating {
                11.0
            } else if c == cols.comment {
                80.0
            } else {
                20.0
            }
        })
        .collect()
}

/// The copy of the answer sheet: every cell at its original address,
/// formatted like the template, problem cells marked with a note. A text
/// too long to print in its row continues under the table.
fn copy(
    ws: &mut Worksheet,
    plan: &Plan,
    sub: &Submission,
    answer: &AnswerSheet,
    findings: &[&Finding],
) -> Result<(), XlsxError> {
    let f = crate::template::Formats::new();
    // The lines above the table do not wrap, as in the template.
    let plain = super::print::base();
    let notes = notes_by_cell(findings);
    let mut cells = cells_of(answer);
    for &(row, col) in notes.keys() {
        cells
            .entry((row, col))
            .or_insert((String::new(), Role::Open));
    }
    let widths = copy_widths(answer, &cells);
    let mut heights: BTreeMap<u32, f64> = BTreeMap::new();
    let mut continued: Vec<((u32, u16), &str)> = Vec::new();
    for ((row, col), (text, role)) in &cells {
        let fmt = copy_format(&f, &plain, answer.header_row, (*row, *col), *role, &notes);
        let width = widths[usize::from(*col)];
        // Measured once: the pieces come with their heights.
        let parts = print_pieces(text, width);
        if parts.len() > 1 {
            continued.push(((*row, *col), text.as_str()));
        }
        if text.is_empty() {
            ws.write_blank(*row, *col, &fmt)?;
        } else {
            ws.write_string_with_format(*row, *col, first_cell(text), &fmt)?;
        }
        if *row > answer.header_row {
            let h = heights.entry(*row).or_insert(0.0);
            *h = h.max(parts[0].1);
        }
    }
    set_heights(ws, answer.header_row, &heights, &cells, &widths)?;
    let next = cells.keys().map(|(r, _)| *r).max().unwrap_or(0) + 2;
    continuations(ws, next, &continued, &widths, &f)?;
    insert_notes(ws, &notes)?;
    ws.set_freeze_panes(answer.header_row + 1, 0)?;
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: Some((answer.header_row, answer.header_row)),
            plan: &plan_line(plan, sub),
            what: "Kopia av ert svar",
        },
    )
}

/// The notes on the problem cells: every message on the cell, cut at
/// 4,000 characters to stay readable (`Att rätta` lists each message in its row).
fn insert_notes(ws: &mut Worksheet, notes: &Notes) -> Result<(), XlsxError> {
    for ((row, col), (_, msgs)) in notes {
        let text: String = msgs.join("\n\n").chars().take(4000).collect();
        ws.insert_note(
            *row,
            *col,
            &Note::new(text)
                .set_author("samla")
                .set_font_name(super::print::FONT)
                .set_width(400)
                .set_height(160),
        )?;
    }
    Ok(())
}

/// A copied cell's format: the template's for its place (title, lines
/// above the table, header, a column's role), bold on the severity's colour
/// when a finding points at it.
fn copy_format(
    f: &crate::template::Formats,
    plain: &Format,
    header_row: u32,
    (row, col): (u32, u16),
    role: Role,
    notes: &Notes,
) -> Format {
    let base = if row < header_row && col == 0 && row == 0 {
        &f.title
    } else if row < header_row {
        plain
    } else {
        role.format(f, row == header_row)
    };
    match notes.get(&(row, col)) {
        Some((sev, _)) => base
            .clone()
            .set_background_color(severity_fill(*sev))
            .set_bold(),
        None => base.clone(),
    }
}

/// The rows' heights: the header row's for its bold names, each row under
/// it as measured while writing (`heights`).
fn set_heights(
    ws: &mut Worksheet,
    header_row: u32,
    heights: &BTreeMap<u32, f64>,
    cells: &Cells,
    widths: &[f64],
) -> Result<(), XlsxError> {
    for (row, h) in heights {
        ws.set_row_height(*row, *h)?;
    }
    let header: Vec<Cell> = cells
        .range((header_row, 0)..(header_row + 1, 0))
        .map(|((_, c), (t, _))| Cell::new(t, widths[usize::from(*c)]).bold())
        .collect();
    ws.set_row_height(header_row, fit(&header))?;
    Ok(())
}

/// Under the table: the texts too long to print in their rows, whole, in
/// pieces that each print, headed by their cell (`E12, fortsättning`).
fn continuations(
    ws: &mut Worksheet,
    mut row: u32,
    continued: &[((u32, u16), &str)],
    widths: &[f64],
    f: &crate::template::Formats,
) -> Result<(), XlsxError> {
    if continued.is_empty() {
        return Ok(());
    }
    let last = widths.len().saturating_sub(1) as u16;
    let all: f64 = widths.iter().sum();
    ws.set_page_breaks(&[row])?;
    let title = "Långa texter i sin helhet (de får inte plats i sina rader vid utskrift)";
    ws.merge_range(row, 0, row, last, title, &f.heading)?;
    ws.set_row_height(row, fit(&[Cell::new(title, all).bold().size(12.0)]))?;
    row += 1;
    for ((r, c), text) in continued {
        let cell = crate::finding::CellRef::new(*r, u32::from(*c));
        let parts = split_for_print(text, all);
        for (i, part) in parts.iter().enumerate() {
            let label = format!("{cell}, del {} av {}:", i + 1, parts.len());
            ws.merge_range(row, 0, row, last, &label, &f.note.clone().set_bold())?;
            ws.set_row_height(row, fit(&[Cell::new(&label, all).bold()]))?;
            row += 1;
            ws.merge_range(row, 0, row, last, part, &f.note)?;
            ws.set_row_height(row, fit(&[Cell::new(part, all)]))?;
            row += 1;
        }
    }
    Ok(())
}

/// The feedback file's path in `dir`: `<stem>-aterkoppling.xlsx`.
pub fn path_for(dir: &Path, file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "fil".into());
    dir.join(format!("{stem}-aterkoppling.xlsx"))
}
