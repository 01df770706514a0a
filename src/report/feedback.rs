//! The feedback workbook `samla check --feedback` writes for a region: a
//! first sheet listing what to fix, then a copy of the return's answer sheet
//! with every cell at its original address, each problem cell highlighted and
//! carrying a note that says, in Swedish, what to do. A coordinator can mail
//! it straight back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Color, DocProperties, Format, Note, Workbook, XlsxError};

use super::{header_row, split_for_cells, Styles};
use crate::contract::fixed_datetime;
use crate::finding::{Finding, Severity};
use crate::plan::Plan;
use crate::reader::RawReturn;
use crate::validate::Submission;

fn color(sev: Severity) -> Color {
    match sev {
        Severity::Error => Color::RGB(0xFFC7CE),
        Severity::Warning => Color::RGB(0xFFEB9C),
        Severity::Info => Color::RGB(0xDDEBF7),
    }
}

/// Builds the feedback workbook for one checked file.
pub fn workbook(
    plan: &Plan,
    sub: &Submission,
    raw: Option<&RawReturn>,
) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("Återkoppling – {}", sub.file.display()))
            .set_author(plan.coordinator.name.as_str())
            .set_creation_datetime(&fixed_datetime()),
    );
    let mut findings: Vec<&Finding> = sub.findings.iter().collect();
    findings.sort_by_cached_key(|f| f.owned_sort_key());

    let ws = wb.add_worksheet();
    ws.set_name("Att rätta")?;
    let who = sub
        .respondent()
        .map(|w| format!("{} – {}", w.code(plan), w.name(plan)))
        .unwrap_or_default();
    let name = sub
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    ws.write_string_with_format(0, 0, format!("Återkoppling på {name} {who}"), &s.title)?;
    let problems = findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .count();
    let intro = if problems == 0 {
        "Inga problem hittades. Tack!".to_string()
    } else {
        format!(
            "{problems} saker att rätta eller bekräfta. Cellerna är markerade i bladet {} och har en anteckning. Rätta i er egen fil och skicka den igen.",
            sub.sheet.as_deref().unwrap_or("Uppföljning")
        )
    };
    ws.write_string(1, 0, intro)?;
    header_row(
        ws,
        3,
        &[
            "Blad",
            "Cell",
            "Allvarlighet",
            "Kod",
            "Vad som behöver göras",
        ],
        &s.header,
    )?;
    for (col, w) in [(0u16, 14.0), (1, 7.0), (2, 11.0), (3, 24.0), (4, 100.0)] {
        ws.set_column_width(col, w)?;
    }
    for (i, f) in findings.iter().enumerate() {
        let row = 4 + i as u32;
        let loc = f.location.as_ref();
        ws.write_string_with_format(
            row,
            0,
            loc.and_then(|l| l.sheet.clone()).unwrap_or_default(),
            &s.text,
        )?;
        ws.write_string_with_format(
            row,
            1,
            loc.and_then(crate::finding::Location::a1)
                .unwrap_or_default(),
            &s.text,
        )?;
        ws.write_string_with_format(
            row,
            2,
            f.severity.swedish(),
            &s.text.clone().set_background_color(color(f.severity)),
        )?;
        ws.write_string_with_format(row, 3, f.code.as_str(), &s.text)?;
        ws.write_string_with_format(row, 4, split_for_cells(&f.message)[0], &s.wrap)?;
        ws.set_row_height(row, super::fit_height(&[(&f.message, 100.0)]))?;
    }
    ws.set_freeze_panes(4, 0)?;
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);

    let (Some(raw), Some(sheet_name)) = (raw, sub.sheet.as_deref()) else {
        return wb.save_to_buffer();
    };
    let Some(answer) = raw.answer.as_ref() else {
        return wb.save_to_buffer();
    };
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name)?;
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    // Notes by cell; several findings on one cell share a note.
    let mut notes: BTreeMap<(u32, u16), (Severity, Vec<String>)> = BTreeMap::new();
    for f in &findings {
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
    let mut cells: BTreeMap<(u32, u16), String> = BTreeMap::new();
    for c in &answer.preamble {
        cells.insert((c.row, c.col as u16), c.text.clone());
    }
    let cols = &answer.columns;
    let headers = [
        (cols.area, crate::contract::header::AREA),
        (cols.goal_id, crate::contract::header::GOAL_ID),
        (cols.goal, crate::contract::header::GOAL),
        (cols.rating, crate::contract::header::RATING),
        (cols.comment, crate::contract::header::COMMENT),
    ];
    for (col, name) in headers {
        if let Some(c) = col {
            cells.insert((answer.header_row, c as u16), name.to_string());
        }
    }
    for r in &answer.rows {
        for c in [&r.area, &r.goal_id, &r.goal, &r.rating, &r.comment]
            .into_iter()
            .flatten()
        {
            cells.insert((c.row, c.col as u16), c.text.clone());
        }
    }
    for c in &answer.outside {
        cells.insert((c.row, c.col as u16), c.text.clone());
    }
    for &(row, col) in notes.keys() {
        cells.entry((row, col)).or_default();
    }
    for ((row, col), text) in &cells {
        let fmt = match notes.get(&(*row, *col)) {
            Some((sev, _)) => wrap.clone().set_background_color(color(*sev)).set_bold(),
            None if *row == answer.header_row => s.header.clone(),
            None => wrap.clone(),
        };
        if text.is_empty() {
            ws.write_blank(*row, *col, &fmt)?;
        } else {
            ws.write_string_with_format(*row, *col, split_for_cells(text)[0], &fmt)?;
        }
    }
    for ((row, col), (_, msgs)) in &notes {
        let text: String = msgs.join("\n\n").chars().take(4000).collect();
        ws.insert_note(
            *row,
            *col,
            &Note::new(text)
                .set_author("samla")
                .set_width(400)
                .set_height(160),
        )?;
    }
    for (col, w) in [(cols.goal, 55.0), (cols.comment, 80.0), (cols.area, 18.0)] {
        if let Some(c) = col {
            ws.set_column_width(c as u16, w)?;
        }
    }
    ws.set_freeze_panes(answer.header_row + 1, 0)?;
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    wb.save_to_buffer()
}

/// The feedback file's path in `dir`: `<stem>-aterkoppling.xlsx`.
pub fn path_for(dir: &Path, file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "fil".into());
    dir.join(format!("{stem}-aterkoppling.xlsx"))
}
