//! `avvikelser.xlsx`: every finding of the run, one row each, with code,
//! severity, region, goal, file, sheet, cell and a Swedish message; and a
//! `Koder` sheet explaining each code that occurs.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rust_xlsxwriter::{DocProperties, Format, Worksheet, XlsxError};

use super::print::{setup, write_in_column, Cell, Page};
use super::{first_cell, header_row, split_for_cells, Styles};
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
    let plan_line = format!("{} – uppföljning {}", plan.title, plan.period);
    // Written as a stream: at 5,000 returns the 40,000 findings held in
    // memory took 57 MiB. The rows are written in order.
    let mut ws = super::print::streamed_worksheet(&mut wb)?;
    findings_sheet(&mut ws, plan, findings, &s, &plan_line)?;
    wb.push_worksheet(ws);
    codes_sheet(wb.add_worksheet(), findings, &s, &plan_line)?;
    wb.set_zip_compression_level(1);
    wb.save_to_writer(out)
}

/// `Avvikelser`: one row per finding (more for a long message), filterable.
fn findings_sheet(
    ws: &mut Worksheet,
    plan: &Plan,
    findings: &[Finding],
    s: &Styles,
    plan_line: &str,
) -> Result<(), XlsxError> {
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
    let severity = SeverityFormats::new(s);
    // Every column but the severity's has one format (see `finding_rows`).
    let columns: [(u16, &Format); 7] = [0, 2, 3, 4, 5, 6, 7].map(|col| (col, &s.wrap));
    super::print::stream_column_formats(ws, &columns)?;
    let mut row = 1u32;
    for f in findings {
        row = finding_rows(ws, row, f, &widths, s, &severity)?;
    }
    super::print::end_stream(ws, row, &columns.map(|(col, _)| col))?;
    ws.autofilter(0, 0, row.saturating_sub(1), 7)?;
    ws.set_freeze_panes(1, 0)?;
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: Some((0, 0)),
            plan: plan_line,
            what: "Avvikelser",
        },
    )
}

/// A finding's columns before the message: code, severity, region, goal,
/// file, sheet and cell, empty where unknown.
fn leading_columns(f: &Finding) -> [Cow<'_, str>; 7] {
    fn text(t: Option<&str>) -> Cow<'_, str> {
        Cow::Borrowed(t.unwrap_or(""))
    }
    let loc = f.location.as_ref();
    [
        Cow::Borrowed(f.code.as_str()),
        Cow::Borrowed(f.severity.swedish()),
        text(f.region.as_deref()),
        text(f.goal.as_ref().map(|g| g.0.as_str())),
        text(loc.map(|l| &*l.file)),
        text(loc.and_then(|l| l.sheet.as_deref())),
        loc.and_then(crate::finding::Location::a1)
            .map_or(Cow::Borrowed(""), Cow::Owned),
    ]
}

/// The fill of each severity's cell, made once: a format made per row
/// costs a clone and a hash for each of tens of thousands of findings.
struct SeverityFormats([Format; 3]);

impl SeverityFormats {
    fn new(s: &Styles) -> SeverityFormats {
        SeverityFormats([Severity::Error, Severity::Warning, Severity::Info].map(|v| s.severity(v)))
    }

    fn of(&self, sev: Severity) -> &Format {
        match sev {
            Severity::Error => &self.0[0],
            Severity::Warning => &self.0[1],
            Severity::Info => &self.0[2],
        }
    }
}

/// Writes a finding from `row`: a message longer than a cell continues on
/// the next rows, each repeating the finding's other columns so that a
/// filter keeps them together. Returns the next row.
fn finding_rows(
    ws: &mut Worksheet,
    mut row: u32,
    f: &Finding,
    widths: &[f64; 8],
    s: &Styles,
    severity: &SeverityFormats,
) -> Result<u32, XlsxError> {
    let cells = leading_columns(f);
    let severity = severity.of(f.severity);
    let parts = split_for_cells(&f.message);
    for (i, part) in parts.iter().enumerate() {
        let mut fitted = Vec::new();
        for (col, v) in cells.iter().enumerate() {
            let v = first_cell(v);
            if col == 1 {
                ws.write_string_with_format(row, 1, v, severity)?;
            } else {
                // A column format (see `findings_sheet`).
                write_in_column(ws, row, col as u16, v, &s.wrap)?;
            }
            fitted.push(Cell::new(v, widths[col]));
        }
        let text = numbered_part(part, i, parts.len());
        fitted.push(Cell::new(&text, widths[7]));
        let height = super::print::fit(&fitted);
        write_in_column(ws, row, 7, text, &s.wrap)?;
        super::print::streamed_row_height(ws, height);
        row += 1;
    }
    Ok(row)
}

/// Part `i` of `n` of a message as shown: `(2/3) …` when there are several,
/// unless the number would push the part past a cell's limit.
fn numbered_part(part: &str, i: usize, n: usize) -> String {
    let text = if n > 1 {
        format!("({}/{}) {part}", i + 1, n)
    } else {
        part.to_string()
    };
    if text.encode_utf16().count() > crate::contract::CELL_LIMIT {
        part.to_string()
    } else {
        text
    }
}

/// `Koder`: every code, its severity, how often it occurs in this run and
/// what it means.
fn codes_sheet(
    ws: &mut Worksheet,
    findings: &[Finding],
    s: &Styles,
    plan_line: &str,
) -> Result<(), XlsxError> {
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
        let severity = s.severity(code.severity());
        ws.write_string_with_format(row, 0, code.as_str(), &s.text)?;
        ws.write_string_with_format(row, 1, code.severity().swedish(), &severity)?;
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
            plan: plan_line,
            what: "Koder",
        },
    )
}
