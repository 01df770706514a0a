//! `avvikelser.xlsx`: every finding of the run, one row each, with code,
//! severity, region, goal, file, sheet, cell and a Swedish message; and a
//! `Koder` sheet explaining each code that occurs.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Color, DocProperties, XlsxError};

use super::print::{setup, Cell, Page};
use super::{header_row, split_for_cells, Styles};
use crate::contract::fixed_datetime;
use crate::finding::{Finding, FindingCode, Severity};
use crate::plan::Plan;

/// Builds the workbook.
pub fn workbook(
    plan: &Plan,
    findings: &[Finding],
    out: impl std::io::Write + Send,
) -> Result<(), XlsxError> {
    let s = Styles::new();
    let mut wb = crate::report::print::workbook();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "{} – avvikelser i uppföljningen {}",
                plan.title, plan.period
            ))
            .set_author(plan.coordinator.name.as_str())
            .set_creation_datetime(&fixed_datetime()),
    );
    let ws = wb.add_worksheet();
    ws.set_name("Avvikelser")?;
    let who = plan.noun.heading();
    let names = [
        "Kod",
        "Allvarlighet",
        who.as_str(),
        "Mål",
        "Fil",
        "Blad",
        "Cell",
        "Meddelande",
    ];
    let widths = [22.0, 11.0, 9.0, 6.0, 28.0, 12.0, 6.0, 66.0];
    header_row(ws, 0, &names, &widths, &s.header)?;
    let sev_fmt = |sev: Severity| {
        let color = match sev {
            Severity::Error => Color::RGB(0xFFC7CE),
            Severity::Warning => Color::RGB(0xFFEB9C),
            Severity::Info => Color::RGB(0xDDEBF7),
        };
        s.text.clone().set_background_color(color)
    };
    let mut row = 1u32;
    for f in findings {
        let loc = f.location.as_ref();
        let parts = split_for_cells(&f.message);
        for (i, part) in parts.iter().enumerate() {
            let cells = [
                f.code.as_str().to_string(),
                f.severity.swedish().to_string(),
                f.region.clone().unwrap_or_default(),
                f.goal.as_ref().map(|g| g.0.clone()).unwrap_or_default(),
                loc.map(|l| l.file.clone()).unwrap_or_default(),
                loc.and_then(|l| l.sheet.clone()).unwrap_or_default(),
                loc.and_then(crate::finding::Location::a1)
                    .unwrap_or_default(),
            ];
            let mut fitted = Vec::new();
            for (col, v) in cells.iter().enumerate() {
                let fmt = if col == 1 {
                    sev_fmt(f.severity)
                } else {
                    s.wrap.clone()
                };
                let v = split_for_cells(v)[0];
                ws.write_string_with_format(row, col as u16, v, &fmt)?;
                fitted.push(Cell::new(v, widths[col]));
            }
            // A message longer than a cell continues on the next rows.
            let text = if parts.len() > 1 {
                format!("({}/{}) {part}", i + 1, parts.len())
            } else {
                part.to_string()
            };
            let text = if text.encode_utf16().count() > crate::contract::CELL_LIMIT {
                part.to_string()
            } else {
                text
            };
            fitted.push(Cell::new(&text, widths[7]));
            ws.set_row_height(row, super::print::fit(&fitted))?;
            ws.write_string_with_format(row, 7, text, &s.wrap)?;
            row += 1;
        }
    }
    ws.autofilter(0, 0, row.saturating_sub(1), 7)?;
    ws.set_freeze_panes(1, 0)?;
    let plan_line = format!("{} – uppföljning {}", plan.title, plan.period);
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: Some((0, 0)),
            plan: &plan_line,
            what: "Avvikelser",
        },
    )?;

    let ws = wb.add_worksheet();
    ws.set_name("Koder")?;
    let widths = [24.0, 11.0, 7.0, 100.0];
    header_row(
        ws,
        0,
        &["Kod", "Allvarlighet", "Antal", "Betydelse"],
        &widths,
        &s.header,
    )?;
    let mut counts: BTreeMap<FindingCode, usize> = BTreeMap::new();
    for f in findings {
        *counts.entry(f.code).or_default() += 1;
    }
    for (i, code) in FindingCode::ALL.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string_with_format(row, 0, code.as_str(), &s.text)?;
        ws.write_string_with_format(row, 1, code.severity().swedish(), &sev_fmt(code.severity()))?;
        ws.write_number_with_format(
            row,
            2,
            counts.get(code).copied().unwrap_or(0) as f64,
            &s.center,
        )?;
        ws.write_string_with_format(row, 3, code.meaning(), &s.wrap)?;
        ws.set_row_height(
            row,
            super::print::fit(&[
                Cell::new(code.as_str(), widths[0]),
                Cell::new(code.meaning(), widths[3]),
            ]),
        )?;
    }
    ws.set_freeze_panes(1, 0)?;
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: Some((0, 0)),
            plan: &plan_line,
            what: "Koder",
        },
    )?;
    wb.set_zip_compression_level(1);
    wb.save_to_writer(out)
}
