//! `avvikelser.xlsx`: every finding of the run, one row each, with code,
//! severity, region, goal, file, sheet, cell and a Swedish message; and a
//! `Koder` sheet explaining each code that occurs.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rust_xlsxwriter::{DocProperties, Worksheet, XlsxError};

use super::long_sheet::{self, Placeholder, Rows};
use super::print::{setup, Cell, Page};
use super::{first_cell, header_row, split_for_cells, Styles};
use crate::contract::fixed_datetime;
use crate::finding::{Finding, FindingCode, Severity};
use crate::plan::Plan;

/// `Avvikelser`'s place among the sheets: the first.
const POSITION: usize = 1;

/// `Avvikelser`'s column widths.
const WIDTHS: [f64; 8] = [22.0, 11.0, 9.0, 6.0, 28.0, 12.0, 6.0, 66.0];

/// Builds the workbook.
pub fn workbook(
    plan: &Plan,
    findings: &[Finding],
    out: impl std::io::Write + std::io::Seek + Send,
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
    // Written as XML straight into its compressed part (see `long_sheet`):
    // at 1,000 returns rust_xlsxwriter's per-cell work for the findings
    // was most of this workbook's time.
    let severity = [Severity::Error, Severity::Warning, Severity::Info].map(|v| s.severity(v));
    let end = long_sheet::end_format();
    let mut formats = vec![&s.header, &s.wrap];
    formats.extend(&severity);
    formats.push(&end);
    let mut placeholder = Placeholder::new(&mut wb, &formats)?;
    let xf = FindingXf {
        header: placeholder.xf.add(&s.header),
        wrap: placeholder.xf.add(&s.wrap),
        severity: severity.each_ref().map(|f| placeholder.xf.add(f)),
        end: placeholder.xf.add(&end),
    };
    let next_row = 1 + findings
        .iter()
        .map(|f| split_for_cells(&f.message).len() as u32)
        .sum::<u32>();
    let page = Page {
        widths: &WIDTHS,
        repeat: Some((0, 0)),
        plan: &plan_line,
        what: "Avvikelser",
    };
    let setup = |ws: &mut Worksheet| long_sheet::setup_table(ws, "Avvikelser", next_row, &page);
    let frame = long_sheet::frame(&setup, POSITION, next_row, 7)?;
    setup(&mut placeholder.sheet)?;
    wb.push_worksheet(placeholder.sheet);
    codes_sheet(wb.add_worksheet(), findings, &s, &plan_line)?;
    wb.set_zip_compression_level(1);
    let saved = long_sheet::save_apart(&mut wb)?;
    // Saved: its sheets need not be held while the findings are written.
    drop(wb);
    let rows = |r: &mut Rows<'_>| findings_sheet(r, plan, findings, &xf);
    long_sheet::assemble(saved, POSITION, &placeholder.xf, &frame, rows, out)
}

/// The indices of `Avvikelser`'s formats in the workbook's style table.
struct FindingXf {
    header: u32,
    wrap: u32,
    /// Error, warning, info (see [`crate::report::severity_fill`]).
    severity: [u32; 3],
    end: u32,
}

impl FindingXf {
    fn of(&self, sev: Severity) -> u32 {
        match sev {
            Severity::Error => self.severity[0],
            Severity::Warning => self.severity[1],
            Severity::Info => self.severity[2],
        }
    }
}

/// `Avvikelser`'s rows: one per finding (more for a long message),
/// filterable.
fn findings_sheet(
    r: &mut Rows<'_>,
    plan: &Plan,
    findings: &[Finding],
    xf: &FindingXf,
) -> std::io::Result<()> {
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
    r.head_row(&names, &WIDTHS, xf.header);
    let mut row = 1u32;
    for f in findings {
        row = finding_rows(r, row, f, xf)?;
    }
    r.end_sheet(row, xf.end);
    Ok(())
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

/// Writes a finding from `row`: a message longer than a cell continues on
/// the next rows, each repeating the finding's other columns so that a
/// filter keeps them together. Returns the next row.
fn finding_rows(
    r: &mut Rows<'_>,
    mut row: u32,
    f: &Finding,
    xf: &FindingXf,
) -> std::io::Result<u32> {
    let cells = leading_columns(f);
    let severity = xf.of(f.severity);
    let parts = split_for_cells(&f.message);
    for (i, part) in parts.iter().enumerate() {
        let text = numbered_part(part, i, parts.len());
        let mut fitted: Vec<Cell> = (cells.iter().zip(WIDTHS))
            .map(|(v, w)| Cell::new(first_cell(v), w))
            .collect();
        fitted.push(Cell::new(&text, WIDTHS[7]));
        r.start_row(row, super::print::fit(&fitted));
        for (col, v) in cells.iter().enumerate() {
            r.cell(
                col,
                first_cell(v),
                if col == 1 { severity } else { xf.wrap },
            );
        }
        r.cell(7, &text, xf.wrap);
        r.flush()?;
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
