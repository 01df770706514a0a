//! `floor INBOX OUT.xlsx`: the benchmark's fair floor.
//!
//! The least work any merge of samla's returns needs, done with the same
//! libraries samla uses: list the inbox; with calamine, in parallel on all
//! cores (rayon), read only each return's answer sheet (`Uppföljning`) and
//! identity sheet (`samla`, for the unit's code); write one long table
//! `unit | goal id | rating | comment` with rust_xlsxwriter, in
//! constant-memory mode (rows streamed to a temporary file as they are
//! written) at zip level 1. No validation, no findings, no other outputs.
//!
//! Prints `floor: F files, R rows` on stderr; bench/run.py checks that R is
//! N × the plan's goals, so the floor cannot get faster by reading less.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use rayon::prelude::*;
use rust_xlsxwriter::{Workbook, XlsxError};

/// The template's sheet names, header row and headers (src/template.rs).
const ANSWER_SHEET: &str = "Uppföljning";
const META_SHEET: &str = "samla";
const HEADER_ROW: usize = 4;
const GOAL_ID: &str = "Mål-id";
const RATING: &str = "Bedömning";
const COMMENT: &str = "Kommentar (nuläge)";
const CODE_KEY: &str = "kod";

/// One answered goal of one return.
struct Row {
    goal: String,
    rating: String,
    comment: String,
}

/// One return: the unit's code and its rows in sheet order.
struct Return {
    unit: String,
    rows: Vec<Row>,
}

fn text(d: Option<&Data>) -> String {
    match d {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The column (relative to the range) whose header, in row
/// [`HEADER_ROW`], is `name`.
fn column(range: &Range<Data>, name: &str) -> Option<usize> {
    let row = HEADER_ROW.checked_sub(range.start()?.0 as usize)?;
    (0..range.width()).find(|&c| matches!(range.get((row, c)), Some(Data::String(s)) if s == name))
}

fn read(path: &Path) -> Result<Return, String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let mut wb: Xlsx<_> = open_workbook(path).map_err(|e| err(&e))?;
    let meta = wb.worksheet_range(META_SHEET).map_err(|e| err(&e))?;
    let unit = meta
        .rows()
        .find(|r| matches!(r.first(), Some(Data::String(k)) if k == CODE_KEY))
        .map(|r| text(r.get(1)))
        .ok_or_else(|| err(&"no unit code in the identity sheet"))?;
    let sheet = wb.worksheet_range(ANSWER_SHEET).map_err(|e| err(&e))?;
    let col = |name| column(&sheet, name).ok_or_else(|| err(&format!("no column {name}")));
    let (g, r, c) = (col(GOAL_ID)?, col(RATING)?, col(COMMENT)?);
    let first = HEADER_ROW + 1 - sheet.start().map_or(0, |s| s.0 as usize);
    let rows = sheet
        .rows()
        .skip(first)
        .filter_map(|row| {
            let goal = text(row.get(g));
            (!goal.is_empty()).then(|| Row {
                goal,
                rating: text(row.get(r)),
                comment: text(row.get(c)),
            })
        })
        .collect();
    Ok(Return { unit, rows })
}

fn write(returns: &[Return], out: &Path) -> Result<usize, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(1);
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Svar")?;
    ws.write_row(0, 0, ["Enhet", GOAL_ID, RATING, "Kommentar"])?;
    let mut n = 0u32;
    for ret in returns {
        for r in &ret.rows {
            n += 1;
            ws.write_string(n, 0, &ret.unit)?;
            ws.write_string(n, 1, &r.goal)?;
            ws.write_string(n, 2, &r.rating)?;
            ws.write_string(n, 3, &r.comment)?;
        }
    }
    wb.save(out)?;
    Ok(n as usize)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [inbox, out] = args.as_slice() else {
        eprintln!("usage: floor INBOX OUT.xlsx");
        return ExitCode::from(2);
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(inbox) {
        Ok(d) => d
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect(),
        Err(e) => {
            eprintln!("floor: {inbox}: {e}");
            return ExitCode::from(2);
        }
    };
    files.sort();
    let returns: Result<Vec<Return>, String> = files.par_iter().map(|p| read(p)).collect();
    let returns = match returns {
        Ok(r) => r,
        Err(e) => {
            eprintln!("floor: {e}");
            return ExitCode::FAILURE;
        }
    };
    match write(&returns, Path::new(out)) {
        Ok(n) => {
            eprintln!("floor: {} files, {n} rows", returns.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor: {out}: {e}");
            ExitCode::FAILURE
        }
    }
}
