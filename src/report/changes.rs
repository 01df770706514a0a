//! The comparison with an earlier round in `sammanstallning.xlsx`, written
//! only when the run has one (`samla merge --previous`):
//!
//! * `Förändringar` — one row per goal × region whose rating changed, is
//!   still not started, or cannot be compared, with both rounds' ratings
//!   and comments side by side; filterable by region and kind.
//! * `Planändringar` — goals added, removed or re-worded between the rounds'
//!   plans, with both texts.
//! * a block at the end of `Sammanfattning`: counts per kind and the lists
//!   "försämrade mål" and "fortsatt ej påbörjade mål".

use std::collections::HashMap;

use rust_xlsxwriter::{Color, Workbook, Worksheet, XlsxError};

use super::print::{setup, Page};
use super::{first_cell, fit_height, header_row, split_for_cells, Styles};
use crate::merge::{Consolidation, GoalRow};
use crate::plan::{GoalId, Plan};
use crate::rounds::{Change, Comparison, Transition};

/// Name of the sheet of changes per goal × region.
pub const CHANGES_SHEET: &str = "Förändringar";
/// Name of the sheet of goals changed between the plans.
pub const PLAN_CHANGES_SHEET: &str = "Planändringar";
/// Zero-based header row of `Förändringar`.
pub const HEAD: u32 = 3;

/// Adds `Förändringar` and `Planändringar` when the run compares with an
/// earlier round; does nothing otherwise.
pub fn add_sheets(wb: &mut Workbook, plan: &Plan, c: &Consolidation) -> Result<(), XlsxError> {
    let Some(cmp) = &c.over_time.comparison else {
        return Ok(());
    };
    let s = Styles::new();
    changes_sheet(wb.add_worksheet(), plan, c, cmp, &s)?;
    plan_changes_sheet(wb.add_worksheet(), plan, cmp, &s)?;
    Ok(())
}

/// The column headers of `Förändringar`.
pub fn headers(plan: &Plan, cmp: &Comparison) -> Vec<String> {
    let (p, n) = (&cmp.previous.period, &plan.period);
    [
        "Område".to_string(),
        "Mål-id".into(),
        "Mål".into(),
        "Region".into(),
        "Förändring".into(),
        "Kod".into(),
        format!("Förra bedömningen ({p})"),
        format!("Bedömning nu ({n})"),
        format!("Förra kommentaren ({p})"),
        format!("Kommentar nu ({n})"),
    ]
    .to_vec()
}

fn kind_colour(k: Transition) -> Option<Color> {
    match k {
        Transition::Improved => Some(Color::RGB(0xC6EFCE)),
        Transition::Regressed => Some(Color::RGB(0xFFC7CE)),
        Transition::StillNotStarted => Some(Color::RGB(0xFCE4D6)),
        Transition::NotComparable => Some(Color::RGB(0xBDD7EE)),
        _ => None,
    }
}

fn changes_sheet(
    ws: &mut Worksheet,
    plan: &Plan,
    c: &Consolidation,
    cmp: &Comparison,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(CHANGES_SHEET)?;
    let title = format!(
        "Förändringar {} → {} – {}",
        cmp.previous.period, plan.period, plan.title
    );
    let widths = [16.0, 7.0, 40.0, 9.0, 18.0, 16.0, 12.0, 12.0, 60.0, 60.0];
    // Title and introduction across the table's columns, with the height
    // their wrapped lines need (in one narrow cell they were cut in print).
    let big = super::print::Cell::new("", 0.0).bold().size(14.0);
    super::text_line(ws, 0, &title, &widths, &s.title, big)?;
    let body = super::print::Cell::new("", 0.0);
    super::text_line(ws, 1, &intro(cmp), &widths, &s.note, body)?;
    let names = headers(plan, cmp);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    header_row(ws, HEAD, &names, &widths, &s.header)?;
    let mut row = HEAD + 1;
    // Goals by id, once: a change names its goal, and there may be a
    // change for every goal × respondent.
    let goals: HashMap<&GoalId, &GoalRow> = c.goals.iter().map(|g| (&g.id, g)).collect();
    for ch in cmp
        .changes
        .iter()
        .filter(|ch| ch.kind != Transition::Unchanged)
    {
        let comments = cmp.comments(c, ch);
        row = change_rows(ws, row, goals.get(&ch.goal).copied(), ch, comments, s)?;
    }
    ws.autofilter(HEAD, 0, row.saturating_sub(1).max(HEAD), 9)?;
    ws.set_freeze_panes(HEAD + 1, 4)?;
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: Some((HEAD, HEAD)),
            plan: &plan_line(plan),
            what: CHANGES_SHEET,
        },
    )
}

/// The page header's left part, as on the other sheets.
fn plan_line(plan: &Plan) -> String {
    format!("{} – uppföljning {}", plan.title, plan.period)
}

/// "Jämfört med …" and the counts per kind.
fn intro(cmp: &Comparison) -> String {
    let p = &cmp.previous;
    let counts: Vec<String> = cmp
        .counts()
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{} {n}", k.swedish()))
        .collect();
    format!(
        "Jämfört med uppföljningen {} (plan {}, version {}, fil {}). {}. Oförändrade bedömningar visas inte.",
        p.period,
        p.plan,
        p.version,
        p.file,
        if counts.is_empty() {
            "Inga bedömningar att jämföra".to_string()
        } else {
            counts.join(", ")
        }
    )
}

/// One change, over as many rows as its longest comment needs (a comment
/// longer than a cell continues on the next row, never cut).
fn change_rows(
    ws: &mut Worksheet,
    mut row: u32,
    goal: Option<&GoalRow>,
    ch: &Change,
    (before, after): (Option<&str>, Option<&str>),
    s: &Styles,
) -> Result<u32, XlsxError> {
    let area = goal
        .map(|g| format!("{} {}", g.area_id, g.area))
        .unwrap_or_default();
    let text = goal.map(|g| g.text.as_str()).unwrap_or("");
    let before = before.map(split_for_cells);
    let after = after.map(split_for_cells);
    let n = [&before, &after]
        .iter()
        .map(|p| p.as_ref().map_or(1, Vec::len))
        .max()
        .unwrap_or(1);
    let kind_fmt = match kind_colour(ch.kind) {
        Some(col) => s.text.clone().set_background_color(col),
        None => s.text.clone(),
    };
    for i in 0..n {
        let who = if n > 1 {
            format!("{} (del {}/{n})", ch.respondent, i + 1)
        } else {
            ch.respondent.clone()
        };
        let cells: [(&str, &rust_xlsxwriter::Format); 8] = [
            (&area, &s.wrap),
            (&ch.goal.0, &s.center),
            (text, &s.wrap),
            (&who, &s.text),
            (ch.kind.swedish(), &kind_fmt),
            (ch.kind.as_str(), &s.text),
            (ch.from.as_deref().unwrap_or(""), &s.center),
            (ch.to.as_deref().unwrap_or(""), &s.center),
        ];
        for (col, (v, f)) in cells.iter().enumerate() {
            ws.write_string_with_format(row, col as u16, first_cell(v), f)?;
        }
        let b = before
            .as_ref()
            .and_then(|v| v.get(i).copied())
            .unwrap_or("");
        let a = after.as_ref().and_then(|v| v.get(i).copied()).unwrap_or("");
        ws.write_string_with_format(row, 8, b, &s.wrap)?;
        ws.write_string_with_format(row, 9, a, &s.wrap)?;
        ws.set_row_height(row, fit_height(&[(text, 40.0), (b, 60.0), (a, 60.0)]))?;
        row += 1;
    }
    Ok(row)
}

fn plan_changes_sheet(
    ws: &mut Worksheet,
    plan: &Plan,
    cmp: &Comparison,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name(PLAN_CHANGES_SHEET)?;
    let names = [
        "Mål-id".to_string(),
        "Ändring".into(),
        format!("Måltext {}", cmp.previous.period),
        format!("Måltext {}", plan.period),
    ];
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let widths = [7.0, 16.0, 70.0, 70.0];
    header_row(ws, 0, &names, &widths, &s.header)?;
    let mut row = 1;
    for g in &cmp.goal_changes {
        let (b, a) = (g.before.as_deref(), g.after.as_deref());
        ws.write_string_with_format(row, 0, &g.goal.0, &s.center)?;
        ws.write_string_with_format(row, 1, g.kind.swedish(), &s.text)?;
        ws.write_string_with_format(row, 2, first_cell(b.unwrap_or("")), &s.wrap)?;
        ws.write_string_with_format(row, 3, first_cell(a.unwrap_or("")), &s.wrap)?;
        ws.set_row_height(
            row,
            fit_height(&[(b.unwrap_or(""), 70.0), (a.unwrap_or(""), 70.0)]),
        )?;
        row += 1;
    }
    if cmp.goal_changes.is_empty() {
        ws.write_string(1, 0, "Planernas mål är desamma i båda omgångarna.")?;
    }
    ws.autofilter(0, 0, row.saturating_sub(1).max(1), 3)?;
    ws.set_freeze_panes(1, 0)?;
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: Some((0, 0)),
            plan: &plan_line(plan),
            what: PLAN_CHANGES_SHEET,
        },
    )
}

/// Writes the comparison's counts and goal lists into `Sammanfattning` from
/// `row` on; returns the next free row. Does nothing without a comparison.
pub fn summary_block(
    ws: &mut Worksheet,
    mut row: u32,
    c: &Consolidation,
) -> Result<u32, XlsxError> {
    let Some(cmp) = &c.over_time.comparison else {
        return Ok(row);
    };
    let s = Styles::new();
    ws.write_string_with_format(
        row,
        0,
        format!("Förändringar sedan uppföljningen {}", cmp.previous.period),
        &s.bold,
    )?;
    row += 1;
    header_row(ws, row, &["Förändring", "Antal"], &[28.0, 12.0], &s.header)?;
    row += 1;
    for (k, n) in cmp.counts() {
        ws.write_string_with_format(row, 0, k.swedish(), &s.text)?;
        ws.write_number_with_format(row, 1, n as f64, &s.center)?;
        row += 1;
    }
    let text_of = |id: &crate::plan::GoalId| {
        c.goals
            .iter()
            .find(|g| &g.id == id)
            .map_or("", |g| g.text.as_str())
    };
    for (title, kind) in [
        ("Försämrade mål", Transition::Regressed),
        ("Fortsatt ej påbörjade mål", Transition::StillNotStarted),
    ] {
        let goals = cmp.goals_with(kind);
        row += 1;
        ws.write_string_with_format(row, 0, format!("{title} ({} st)", goals.len()), &s.bold)?;
        row += 1;
        if goals.is_empty() {
            ws.write_string(row, 0, "–")?;
            row += 1;
        }
        for (id, list) in goals {
            let who: Vec<String> = list
                .iter()
                .map(|ch| match kind {
                    Transition::Regressed => format!(
                        "{}: {} → {}",
                        ch.respondent,
                        ch.from.as_deref().unwrap_or(""),
                        ch.to.as_deref().unwrap_or("")
                    ),
                    _ => ch.respondent.clone(),
                })
                .collect();
            ws.write_string(row, 0, &id.0)?;
            ws.write_string(row, 1, text_of(id))?;
            ws.write_string(row, 2, who.join(", "))?;
            row += 1;
        }
    }
    if !cmp.goal_changes.is_empty() {
        row += 1;
        ws.write_string_with_format(
            row,
            0,
            format!(
                "Mål som ändrats mellan planerna ({} st, se bladet {PLAN_CHANGES_SHEET})",
                cmp.goal_changes.len()
            ),
            &s.bold,
        )?;
        row += 1;
        for g in &cmp.goal_changes {
            ws.write_string(row, 0, &g.goal.0)?;
            ws.write_string(row, 1, g.kind.swedish())?;
            row += 1;
        }
    }
    Ok(row)
}
