//! `floor INBOX OUT.xlsx`: the benchmark's floor.
//!
//! The least any merge of the inbox has to do: list the inbox, read every
//! cell of every sheet of every return with calamine, in parallel with
//! rayon, and write them as one long table (file, sheet, row, col, value)
//! with rust_xlsxwriter. No checks, no validation, no merge logic. samla's
//! end-to-end time and memory are compared with this program's.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use calamine::{open_workbook_auto, Data, Reader};
use rayon::prelude::*;
use rust_xlsxwriter::{Workbook, XlsxError};

/// One non-empty cell; row and col are zero-based, as in the sheet.
struct Cell {
    sheet: usize,
    row: u32,
    col: u32,
    value: Data,
}

/// A file's sheet names and cells.
struct Read {
    file: String,
    sheets: Vec<String>,
    cells: Vec<Cell>,
}

fn read(path: &Path) -> Result<Read, String> {
    let mut wb = open_workbook_auto(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let sheets = wb.sheet_names();
    let mut cells = Vec::new();
    for (i, name) in sheets.iter().enumerate() {
        let range = wb
            .worksheet_range(name)
            .map_err(|e| format!("{}: {name}: {e}", path.display()))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, v) in range.used_cells() {
            cells.push(Cell {
                sheet: i,
                row: r0 + r as u32,
                col: c0 + c as u32,
                value: v.clone(),
            });
        }
    }
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Read {
        file,
        sheets,
        cells,
    })
}

/// Excel's last row index; data rows per sheet is this (row 0 is the header).
const MAX_ROW: u32 = 1_048_575;

fn write(reads: &[Read], out: &Path) -> Result<usize, XlsxError> {
    let mut wb = Workbook::new();
    let header = ["file", "sheet", "row", "col", "value"];
    let mut n = 0usize;
    let mut part = 0;
    let mut ws = wb.add_worksheet();
    let mut row = MAX_ROW; // forces a fresh sheet on the first cell
    for r in reads {
        for c in &r.cells {
            if row == MAX_ROW {
                if part > 0 {
                    ws = wb.add_worksheet();
                }
                part += 1;
                ws.set_name(format!("Celler {part}"))?;
                ws.write_row(0, 0, header)?;
                row = 0;
            }
            row += 1;
            ws.write_string(row, 0, &r.file)?;
            ws.write_string(row, 1, &r.sheets[c.sheet])?;
            ws.write_number(row, 2, c.row)?;
            ws.write_number(row, 3, c.col)?;
            match &c.value {
                Data::Int(i) => ws.write_number(row, 4, *i as f64)?,
                Data::Float(f) => ws.write_number(row, 4, *f)?,
                Data::Bool(b) => ws.write_boolean(row, 4, *b)?,
                Data::String(s) => ws.write_string(row, 4, s)?,
                other => ws.write_string(row, 4, other.to_string())?,
            };
            n += 1;
        }
    }
    wb.save(out)?;
    Ok(n)
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
    let reads: Result<Vec<Read>, String> = files.par_iter().map(|p| read(p)).collect();
    let reads = match reads {
        Ok(r) => r,
        Err(e) => {
            eprintln!("floor: {e}");
            return ExitCode::FAILURE;
        }
    };
    match write(&reads, Path::new(out)) {
        Ok(n) => {
            eprintln!("floor: {} files, {n} cells", reads.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor: {out}: {e}");
            ExitCode::FAILURE
        }
    }
}
