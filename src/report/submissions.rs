//! `Inlämningar`: who has sent what — what a coordinator needs to send
//! reminders. One row per return (received, superseded, refused) and one
//! per respondent with nothing received, in plan order; `samla status`
//! prints the same rows on the terminal.

use std::collections::HashMap;

use rust_xlsxwriter::{Color, Workbook, Worksheet, XlsxError};
use serde::Serialize;

use super::print::{setup, Page};
use super::{first_cell, header_row, Styles};

use crate::history::findings_per_file;
use crate::merge::{Consolidation, Source, SourceStatus};
use crate::plan::{Plan, Respondent};

/// Name of the sheet.
pub const SHEET: &str = "Inlämningar";
/// Zero-based header row.
pub const HEAD: u32 = 2;
/// The column headers.
pub const HEADERS: [&str; 7] = [
    "Kod",
    "Namn",
    "Status",
    "Först sedd",
    "Fil",
    "Avvikelser",
    "Sparad",
];

/// Where a respondent's return stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubmissionStatus {
    /// Received and merged.
    Received,
    /// Received, but a newer return from the same respondent was merged.
    Superseded,
    /// Received and refused; the findings say why.
    Refused,
    /// Nothing received.
    Missing,
}

impl SubmissionStatus {
    /// The Swedish word shown.
    pub fn swedish(self) -> &'static str {
        match self {
            SubmissionStatus::Received => "inkommen",
            SubmissionStatus::Superseded => "ersatt av nyare",
            SubmissionStatus::Refused => "avvisad",
            SubmissionStatus::Missing => "saknas",
        }
    }
}

/// One row of `Inlämningar`.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionRow {
    /// Respondent code; `?` when a refused file names nobody.
    pub code: String,
    /// Respondent name.
    pub name: String,
    /// Where it stands.
    pub status: SubmissionStatus,
    /// When samla first saw this file's content (from the run history).
    pub first_seen: Option<String>,
    /// The file; None when missing.
    pub file: Option<String>,
    /// Findings about the file.
    pub findings: usize,
    /// When the file says it was saved, else its modification time.
    pub saved: Option<String>,
}

/// The rows: every respondent in plan order, then refused files that name
/// nobody.
pub fn rows(plan: &Plan, c: &Consolidation) -> Vec<SubmissionRow> {
    let per_file = findings_per_file(c);
    let ot = &c.over_time;
    let mut out = Vec::new();
    let row = |code: &str, name: &str, s: &crate::merge::Source, status| SubmissionRow {
        code: code.to_string(),
        name: name.to_string(),
        status,
        first_seen: s
            .sha256
            .as_ref()
            .and_then(|h| ot.first_seen.get(h).cloned())
            .or_else(|| ot.run_time.clone()),
        file: Some(s.file.clone()),
        findings: per_file.get(s.file.as_str()).copied().unwrap_or(0),
        saved: s.time.clone(),
    };
    // Sources by respondent, gathered once: a scan of every source per
    // respondent is quadratic, seconds with thousands of respondents.
    let mut by_code: HashMap<&str, Vec<&Source>> = HashMap::new();
    for s in &c.sources {
        if let Some(r) = s.region.as_deref() {
            by_code.entry(r).or_default().push(s);
        }
    }
    for who in Respondent::all(plan) {
        let (code, name) = (&who.code(plan).0, who.name(plan));
        let mine = by_code.remove(code.as_str()).unwrap_or_default();
        let before = out.len();
        for status in [
            SourceStatus::Merged,
            SourceStatus::Superseded,
            SourceStatus::Refused,
        ] {
            for s in mine.iter().filter(|s| s.status == status) {
                out.push(row(code, name, s, kind(status)));
            }
        }
        if out.len() == before {
            out.push(SubmissionRow {
                code: code.clone(),
                name: name.to_string(),
                status: SubmissionStatus::Missing,
                first_seen: None,
                file: None,
                findings: 0,
                saved: None,
            });
        }
    }
    for s in c
        .sources
        .iter()
        .filter(|s| s.region.is_none() && s.status == SourceStatus::Refused)
    {
        out.push(row("?", "okänd avsändare", s, SubmissionStatus::Refused));
    }
    out
}

fn kind(s: SourceStatus) -> SubmissionStatus {
    match s {
        SourceStatus::Merged => SubmissionStatus::Received,
        SourceStatus::Superseded => SubmissionStatus::Superseded,
        _ => SubmissionStatus::Refused,
    }
}

/// The rows as cell texts, in [`HEADERS`] order.
pub fn cells(r: &SubmissionRow) -> [String; 7] {
    [
        r.code.clone(),
        r.name.clone(),
        r.status.swedish().to_string(),
        r.first_seen.clone().unwrap_or_default(),
        r.file.clone().unwrap_or_default(),
        if r.file.is_some() {
            r.findings.to_string()
        } else {
            String::new()
        },
        r.saved.clone().unwrap_or_default(),
    ]
}

/// Adds the `Inlämningar` sheet.
pub fn add_sheet(wb: &mut Workbook, plan: &Plan, c: &Consolidation) -> Result<(), XlsxError> {
    sheet(wb.add_worksheet(), plan, c)
}

fn sheet(ws: &mut Worksheet, plan: &Plan, c: &Consolidation) -> Result<(), XlsxError> {
    let s = Styles::new();
    ws.set_name(SHEET)?;
    let widths = [10.0, 30.0, 16.0, 22.0, 50.0, 11.0, 22.0];
    let title = format!("Inlämningar – {} – uppföljning {}", plan.title, plan.period);
    // Across the table's columns, with the height its wrapped lines need
    // (in one narrow cell it was cut in print).
    let big = super::print::Cell::new("", 0.0).bold().size(14.0);
    super::text_line(ws, 0, &title, &widths, &s.title, big)?;
    let since = c
        .over_time
        .since_last_run
        .as_ref()
        .map(|d| {
            let t = d.swedish();
            let mut chars = t.chars();
            chars
                .next()
                .map(|f| f.to_uppercase().collect::<String>() + chars.as_str())
                .unwrap_or_default()
                + "."
        })
        .unwrap_or_else(|| "Första körningen i den här utdatamappen.".to_string());
    super::text_line(
        ws,
        1,
        &since,
        &widths,
        &s.note,
        super::print::Cell::new("", 0.0),
    )?;
    header_row(ws, HEAD, &HEADERS, &widths, &s.header)?;
    let rows = rows(plan, c);
    for (i, r) in rows.iter().enumerate() {
        let row = HEAD + 1 + i as u32;
        let status_fmt = match r.status {
            SubmissionStatus::Received => s.text.clone(),
            SubmissionStatus::Superseded => {
                s.text.clone().set_background_color(Color::RGB(0xEDEDED))
            }
            SubmissionStatus::Refused | SubmissionStatus::Missing => {
                s.text.clone().set_background_color(Color::RGB(0xFFC7CE))
            }
        };
        for (col, v) in cells(r).iter().enumerate() {
            let f = if col == 2 { &status_fmt } else { &s.text };
            if col == 5 && !v.is_empty() {
                ws.write_number_with_format(row, col as u16, r.findings as f64, f)?;
            } else {
                ws.write_string_with_format(row, col as u16, first_cell(v), f)?;
            }
        }
    }
    ws.autofilter(HEAD, 0, HEAD + rows.len().max(1) as u32, 6)?;
    ws.set_freeze_panes(HEAD + 1, 0)?;
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: Some((HEAD, HEAD)),
            plan: &format!("{} – uppföljning {}", plan.title, plan.period),
            what: SHEET,
        },
    )
}
