//! The plan as a workbook, for coordinators who write plans in Excel (as
//! XLSForm does for forms). Sheets and columns, exactly:
//!
//! - `Plan`: `Fält | Värde`, one row per field (`id`, `titel`, `version`,
//!   `period`, `samordnare-kod`, `samordnare-namn`, `samordnaren-svarar`,
//!   `svarande`);
//! - `Svarande`: `Kod | Namn`;
//! - `Skala`: `Kod | Benämning | Betyder`;
//! - `Mål`: `Område-id | Område | Mål-id | Mål`, optionally `Ansvarig`, `Tidplan`.
//!
//! More columns are allowed and ignored with an info. Every problem names
//! its sheet and cell. The writer is byte-for-byte reproducible.
//!
//! ```
//! let plan = samla::Plan::load("templates/cancerplan-norr-2022-2024.toml").unwrap();
//! let bytes = samla::plan::workbook::write(&plan).unwrap();
//! let back = samla::plan::workbook::read(&bytes, "plan.xlsx".as_ref()).unwrap();
//! assert_eq!(back.plan, plan);
//! ```

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};
use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::check::{FieldPath, Key, PlanError, PlanProblem, Where};
use super::{Area, Coordinator, Goal, GoalId, Meaning, Noun, Party, Plan, RegionCode, ScaleLevel};
use crate::contract::fixed_datetime;
use crate::finding::CellRef;

/// Name of the instructions sheet.
pub const INSTRUCTIONS: &str = "Instruktioner";
/// Name of the sheet with the plan's own fields.
pub const PLAN: &str = "Plan";
/// Name of the respondents' sheet.
pub const RESPONDENTS: &str = "Svarande";
/// Name of the scale's sheet.
pub const SCALE: &str = "Skala";
/// Name of the goals' sheet.
pub const GOALS: &str = "Mål";

/// Columns of each table sheet: (sheet, required columns, optional columns).
const TABLES: [(&str, &[&str], &[&str]); 4] = [
    (PLAN, &["Fält", "Värde"], &[]),
    (RESPONDENTS, &["Kod", "Namn"], &[]),
    (SCALE, &["Kod", "Benämning", "Betyder"], &[]),
    (
        GOALS,
        &["Område-id", "Område", "Mål-id", "Mål"],
        &["Ansvarig", "Tidplan"],
    ),
];

/// The rows of the `Plan` sheet: the name in `Fält`, the TOML field it is,
/// and what to write (the cell's hint).
const FIELDS: [(&str, &[&str], &str); 8] = [
    ("id", &["id"], "Planens id: a–z, 0–9 och bindestreck, t.ex. cancerplan-2025. Skrivs in i varje mall."),
    ("titel", &["title"], "Planens titel, som den visas i mallar och rapporter."),
    ("version", &["version"], "Planens version. Svar gjorda i en annan versions mall avvisas."),
    ("period", &["period"], "Perioden som följs upp, t.ex. 2025."),
    ("samordnare-kod", &["coordinator", "code"], "Samordnarens kod, t.ex. RCC Norr."),
    ("samordnare-namn", &["coordinator", "name"], "Samordnarens fullständiga namn."),
    ("samordnaren-svarar", &["coordinator", "responds"], "ja om samordnaren skickar egna kommentarer (får en egen mall), annars nej."),
    ("svarande", &["noun"], "Vad de svarande kallas, singular/plural, t.ex. region/regioner, RPO/RPO:er, kommun/kommuner."),
];

/// A plan read from a workbook, with what was noticed but not wrong.
#[derive(Debug, Clone)]
pub struct ReadPlan {
    /// The plan.
    pub plan: Plan,
    /// Notes that do not stop the plan: extra columns ignored, and the like.
    pub infos: Vec<PlanProblem>,
}

/// Whether `path` names a plan workbook rather than a TOML spec.
pub fn is_workbook(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(ext.as_str(), "xlsx" | "xlsm" | "ods")
}

/// Reads and validates a plan workbook.
pub fn load(path: &Path) -> Result<Plan, PlanError> {
    load_with_infos(path).map(|r| r.plan)
}

/// Reads and validates a plan workbook, keeping the infos (`samla plan check`).
pub fn load_with_infos(path: &Path) -> Result<ReadPlan, PlanError> {
    let bytes = std::fs::read(path).map_err(|source| PlanError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read(&bytes, path)
}

/// A sheet's cells as text, by zero-based (row, column).
struct Sheet {
    name: &'static str,
    cells: HashMap<(u32, u32), String>,
    rows: u32,
}

impl Sheet {
    /// The non-blank cells of a range, at their addresses in the sheet.
    fn of(name: &'static str, range: &calamine::Range<Data>) -> Sheet {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut cells = HashMap::new();
        let mut rows = 0;
        for (r, c, v) in range.used_cells() {
            if let Some(t) = text_of(v) {
                let (row, col) = (r0 + r as u32, c0 + c as u32);
                rows = rows.max(row + 1);
                cells.insert((row, col), t);
            }
        }
        Sheet { name, cells, rows }
    }

    fn get(&self, row: u32, col: u32) -> Option<&str> {
        self.cells.get(&(row, col)).map(String::as_str)
    }

    fn cell(&self, row: u32, col: u32) -> Where {
        Where::Cell {
            sheet: self.name.to_string(),
            cell: CellRef::new(row, col),
        }
    }
}

fn text_of(v: &Data) -> Option<String> {
    let s = match v {
        Data::Empty => return None,
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => (if *b { "ja" } else { "nej" }).to_string(),
        other => other.to_string(),
    };
    (!s.trim().is_empty()).then_some(s)
}

/// The largest plan workbook read: a national plan with thousands of goals
/// is well under 1 MB, and the parser's memory grows with the file.
pub const MAX_BYTES: usize = 20 << 20;

/// Reads a plan workbook held in memory; `path` is used in messages.
pub fn read(bytes: &[u8], path: &Path) -> Result<ReadPlan, PlanError> {
    if bytes.len() > MAX_BYTES {
        return Err(invalid(
            path,
            vec![PlanProblem {
                at: None,
                field: None,
                message: format!(
                    "filen är {} MB; en plan är mindre än {} MB. Kontrollera att det är planen.",
                    bytes.len() >> 20,
                    MAX_BYTES >> 20
                ),
            }],
        ));
    }
    let sheets = read_sheets(bytes, path)?;
    let mut reading = Reading::default();
    let columns: Vec<HashMap<&'static str, u32>> = TABLES
        .iter()
        .zip(&sheets)
        .map(|((_, required, optional), sheet)| reading.header(sheet, required, optional))
        .collect();
    if !reading.problems.is_empty() {
        return Err(invalid(path, reading.problems));
    }
    let plan = reading.plan(&sheets, &columns);
    let problems = reading.all_problems(&plan);
    if problems.is_empty() {
        Ok(ReadPlan {
            plan,
            infos: reading.infos,
        })
    } else {
        Err(invalid(path, problems))
    }
}

/// The error of a plan workbook with problems.
fn invalid(path: &Path, problems: Vec<PlanProblem>) -> PlanError {
    PlanError::Invalid {
        path: path.to_path_buf(),
        problems,
    }
}

/// The table sheets' cells, in the order of [`TABLES`]; every missing sheet
/// is a problem, said all at once.
fn read_sheets(bytes: &[u8], path: &Path) -> Result<Vec<Sheet>, PlanError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        invalid(
            path,
            vec![PlanProblem {
                at: None,
                field: None,
                message: format!(
                "filen kunde inte läsas som arbetsbok ({e}); spara den som .xlsx och försök igen"
            ),
            }],
        )
    })?;
    let names = book.sheet_names();
    let mut problems = Vec::new();
    let mut sheets = Vec::new();
    for (name, _, _) in TABLES {
        let at = Where::Sheet {
            sheet: name.to_string(),
        };
        let Some(found) = names.iter().find(|n| n.trim() == name) else {
            problems.push(PlanProblem {
                at: Some(at),
                field: None,
                message: "bladet saknas i arbetsboken. Börja från en ny plan (samla plan new) och kopiera in uppgifterna.".to_string(),
            });
            continue;
        };
        let range = book.worksheet_range(found).map_err(|e| {
            invalid(
                path,
                vec![PlanProblem::at(
                    at,
                    format!("bladet kunde inte läsas ({e})"),
                )],
            )
        })?;
        sheets.push(Sheet::of(name, &range));
    }
    if problems.is_empty() {
        Ok(sheets)
    } else {
        Err(invalid(path, problems))
    }
}

/// What reading found so far, and where each field of the plan was written.
#[derive(Default)]
struct Reading {
    problems: Vec<PlanProblem>,
    infos: Vec<PlanProblem>,
    /// Plan fields whose row is missing from the `Plan` sheet.
    missing: Vec<FieldPath>,
    /// Field path (as text) → where it is written.
    places: HashMap<String, Where>,
}

fn path_of(keys: &[&'static str]) -> FieldPath {
    FieldPath(keys.iter().map(|k| Key::Field(k)).collect())
}

impl Reading {
    /// The columns of a table sheet's header row (row 1), by name.
    fn header(
        &mut self,
        sheet: &Sheet,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> HashMap<&'static str, u32> {
        let mut found = HashMap::new();
        let mut heads: Vec<(&u32, &String)> = sheet
            .cells
            .iter()
            .filter(|((r, _), _)| *r == 0)
            .map(|((_, c), t)| (c, t))
            .collect();
        heads.sort();
        for (&col, text) in heads {
            let known = required.iter().chain(optional).find(|h| {
                h.eq_ignore_ascii_case(text.trim())
                    || h.to_lowercase() == text.trim().to_lowercase()
            });
            match known {
                Some(h) if !found.contains_key(h) => {
                    found.insert(*h, col);
                }
                _ => {
                    self.infos.push(PlanProblem::at(
                        sheet.cell(0, col),
                        format!(
                        "kolumnen \"{}\" hör inte till planen och lästes inte (kolumnerna är {})",
                        text.trim(),
                        required.iter().chain(optional).copied().collect::<Vec<_>>().join(", ")
                    ),
                    ))
                }
            }
        }
        for h in required {
            if !found.contains_key(h) {
                self.problems.push(PlanProblem::at(
                    Where::Sheet {
                        sheet: sheet.name.to_string(),
                    },
                    format!(
                        "kolumnen \"{h}\" saknas i rubrikraden (rad 1); kolumnerna ska vara {}",
                        required.join(" | ")
                    ),
                ));
            }
        }
        found
    }

    /// The plan from the table sheets, by the columns their headers name.
    fn plan(&mut self, sheets: &[Sheet], columns: &[HashMap<&'static str, u32>]) -> Plan {
        let mut plan = self.plan_sheet(&sheets[0], &columns[0]);
        plan.regions = self.respondents(&sheets[1], &columns[1]);
        plan.scale = self.scale(&sheets[2], &columns[2]);
        plan.areas = self.goals(&sheets[3], &columns[3]);
        plan.settle();
        plan
    }

    /// Every problem: those found while reading, then the plan's own, each
    /// placed at the cell its field was written in.
    fn all_problems(&mut self, plan: &Plan) -> Vec<PlanProblem> {
        let mut problems = std::mem::take(&mut self.problems);
        for mut p in plan.problems() {
            let field = p.field.clone().unwrap_or_default();
            if self.missing.contains(&field) {
                continue; // already said: the row is missing
            }
            p.at = self.locate(&field);
            problems.push(p);
        }
        problems
    }

    fn place(&mut self, field: &FieldPath, at: Where) {
        self.places.insert(field.to_string(), at);
    }

    /// Where a field is written: its own cell, else the nearest enclosing
    /// one (a goal's row for a goal's field), else its sheet.
    fn locate(&self, field: &FieldPath) -> Option<Where> {
        let mut keys = field.0.clone();
        while !keys.is_empty() {
            if let Some(at) = self.places.get(&FieldPath(keys.clone()).to_string()) {
                return Some(at.clone());
            }
            keys.pop();
        }
        let sheet = match field.0.first() {
            Some(Key::Field("regions")) => RESPONDENTS,
            Some(Key::Field("scale")) => SCALE,
            Some(Key::Field("areas")) => GOALS,
            _ => PLAN,
        };
        Some(Where::Sheet {
            sheet: sheet.to_string(),
        })
    }

    /// The `Plan` sheet's rows: field name → (row, value as written).
    fn plan_values(
        &mut self,
        sheet: &Sheet,
        kc: u32,
        vc: u32,
    ) -> HashMap<&'static str, (u32, String)> {
        let mut values: HashMap<&'static str, (u32, String)> = HashMap::new();
        for row in 1..sheet.rows {
            let Some(key) = sheet.get(row, kc) else {
                if let Some(v) = sheet.get(row, vc) {
                    self.problems.push(PlanProblem::at(
                        sheet.cell(row, kc),
                        format!(
                            "värdet \"{v}\" står utan fält; skriv fältets namn i kolumnen Fält"
                        ),
                    ));
                }
                continue;
            };
            let key = key.trim().to_lowercase();
            match FIELDS.iter().find(|(name, _, _)| *name == key) {
                Some((name, _, _)) if values.contains_key(name) => {
                    self.problems.push(PlanProblem::at(
                        sheet.cell(row, kc),
                        format!("fältet \"{name}\" står två gånger; ta bort den ena raden"),
                    ));
                }
                Some((name, _, _)) => {
                    values.insert(name, (row, sheet.get(row, vc).unwrap_or("").to_string()));
                }
                None => self.problems.push(PlanProblem::at(
                    sheet.cell(row, kc),
                    format!(
                        "okänt fält \"{key}\"; fälten är {}",
                        FIELDS.map(|f| f.0).join(", ")
                    ),
                )),
            }
        }
        values
    }

    /// The plan's own fields, from the `Plan` sheet (its lists come from
    /// the other sheets).
    fn plan_sheet(&mut self, sheet: &Sheet, cols: &HashMap<&'static str, u32>) -> Plan {
        let (kc, vc) = (cols["Fält"], cols["Värde"]);
        let values = self.plan_values(sheet, kc, vc);
        let mut get = |name: &'static str| self.field_value(&values, sheet, vc, name);
        let (id, title, version, period) = (get("id"), get("titel"), get("version"), get("period"));
        let (code, name) = (get("samordnare-kod"), get("samordnare-namn"));
        let (responds, noun) = (get("samordnaren-svarar"), get("svarande"));
        let responds = self.yes_no(
            &responds,
            values.get("samordnaren-svarar").map(|v| v.0),
            sheet,
            vc,
        );
        let noun = self.noun(noun, values.get("svarande").map(|v| sheet.cell(v.0, vc)));
        Plan {
            id: id.trim().to_string(),
            title,
            version: version.trim().to_string(),
            period: period.trim().to_string(),
            noun,
            coordinator: Coordinator {
                code: RegionCode(code.trim().to_string()),
                name,
                responds,
            },
            regions: Vec::new(),
            scale: Vec::new(),
            areas: Vec::new(),
            index: Default::default(),
        }
    }

    /// A field's value as written in the `Plan` sheet, its cell noted; a
    /// missing row is a problem, except for the fields that have a default.
    fn field_value(
        &mut self,
        values: &HashMap<&'static str, (u32, String)>,
        sheet: &Sheet,
        vc: u32,
        name: &'static str,
    ) -> String {
        let (_, keys, _) = FIELDS.iter().find(|f| f.0 == name).expect("a known field");
        let field = path_of(keys);
        match values.get(name) {
            Some((row, v)) => {
                self.place(&field, sheet.cell(*row, vc));
                v.clone()
            }
            None => {
                if name != "svarande" && name != "samordnaren-svarar" {
                    self.problems.push(PlanProblem::at(
                        Where::Sheet { sheet: PLAN.to_string() },
                        format!("fältet \"{name}\" saknas: lägg till en rad med {name} i kolumnen Fält och dess värde i kolumnen Värde"),
                    ));
                    self.missing.push(field);
                }
                String::new()
            }
        }
    }

    /// What the respondents are called (`svarande`), `region/regioner` when
    /// not given; a form that cannot be read is a problem at `at`.
    fn noun(&mut self, text: String, at: Option<Where>) -> Noun {
        if text.trim().is_empty() {
            return Noun::default();
        }
        Noun::try_from(text).unwrap_or_else(|message| {
            self.problems.push(PlanProblem {
                at,
                field: None,
                message,
            });
            Noun::default()
        })
    }

    fn yes_no(&mut self, v: &str, row: Option<u32>, sheet: &Sheet, col: u32) -> bool {
        match v.trim().to_lowercase().as_str() {
            "" | "ja" => true,
            "nej" => false,
            other => {
                self.problems.push(PlanProblem::at(
                    sheet.cell(row.unwrap_or(0), col),
                    format!("samordnaren-svarar ska vara ja eller nej, inte \"{other}\""),
                ));
                true
            }
        }
    }

    /// The index of the area `id` in `areas`; an area not seen before is
    /// added, written where it first appears (`row`).
    fn area_index(
        &mut self,
        areas: &mut Vec<Area>,
        id: String,
        row: u32,
        sheet: &Sheet,
        cols: &HashMap<&'static str, u32>,
    ) -> usize {
        if let Some(a) = areas.iter().position(|a| a.id == id) {
            return a;
        }
        let at = FieldPath::field("areas").at(areas.len());
        self.place(&at.then("id"), sheet.cell(row, cols["Område-id"]));
        self.place(&at.then("title"), sheet.cell(row, cols["Område"]));
        self.place(&at, sheet.cell(row, cols["Område-id"]));
        areas.push(Area {
            id,
            title: String::new(),
            goals: Vec::new(),
        });
        areas.len() - 1
    }

    /// An area's title from a goal's row: the first one written names the
    /// area; a different one later is a problem at `at`.
    fn area_title(&mut self, area: &mut Area, title: String, at: Where) {
        if area.title.is_empty() {
            area.title = title;
        } else if area.title != title {
            self.problems.push(PlanProblem::at(
                at,
                format!(
                    "område {} heter \"{}\" på en tidigare rad men \"{title}\" här; skriv samma namn på alla rader (eller lämna cellen tom)",
                    area.id, area.title
                ),
            ));
        }
    }

    /// The rows of a table sheet that have any cell in a known column.
    fn rows(sheet: &Sheet, cols: &HashMap<&'static str, u32>) -> Vec<u32> {
        (1..sheet.rows)
            .filter(|r| cols.values().any(|c| sheet.get(*r, *c).is_some()))
            .collect()
    }

    fn respondents(&mut self, sheet: &Sheet, cols: &HashMap<&'static str, u32>) -> Vec<Party> {
        let mut out = Vec::new();
        for row in Self::rows(sheet, cols) {
            let at = FieldPath::field("regions").at(out.len());
            let cell = |h: &str| sheet.get(row, cols[h]).unwrap_or("").to_string();
            self.place(&at.then("code"), sheet.cell(row, cols["Kod"]));
            self.place(&at.then("name"), sheet.cell(row, cols["Namn"]));
            out.push(Party {
                code: RegionCode(cell("Kod").trim().to_string()),
                name: cell("Namn"),
            });
        }
        out
    }

    fn scale(&mut self, sheet: &Sheet, cols: &HashMap<&'static str, u32>) -> Vec<ScaleLevel> {
        let mut out = Vec::new();
        for row in Self::rows(sheet, cols) {
            let at = FieldPath::field("scale").at(out.len());
            let cell = |h: &str| sheet.get(row, cols[h]).unwrap_or("").to_string();
            self.place(&at.then("code"), sheet.cell(row, cols["Kod"]));
            self.place(&at.then("label"), sheet.cell(row, cols["Benämning"]));
            let written = cell("Betyder");
            let meaning = Meaning::parse(&written);
            if meaning.is_none() {
                self.problems.push(PlanProblem::at(
                    sheet.cell(row, cols["Betyder"]),
                    format!(
                        "Betyder ska vara ett av {}, inte \"{}\"",
                        Meaning::ALL.map(Meaning::swedish).join(", "),
                        written.trim()
                    ),
                ));
            }
            out.push(ScaleLevel {
                code: cell("Kod").trim().to_string(),
                label: cell("Benämning"),
                meaning: Some(meaning.unwrap_or(Meaning::InProgress)),
            });
        }
        out
    }

    fn goals(&mut self, sheet: &Sheet, cols: &HashMap<&'static str, u32>) -> Vec<Area> {
        let mut areas: Vec<Area> = Vec::new();
        let opt = |row: u32, h: &str| {
            cols.get(h)
                .and_then(|c| sheet.get(row, *c))
                .map(str::to_string)
        };
        let mut current: Option<usize> = None;
        for row in Self::rows(sheet, cols) {
            let cell = |h: &str| sheet.get(row, cols[h]).map(str::to_string);
            // A blank area continues the one above, as people write lists.
            let a = match cell("Område-id").map(|s| s.trim().to_string()) {
                Some(id) => self.area_index(&mut areas, id, row, sheet, cols),
                None => match current {
                    Some(a) => a,
                    None => {
                        self.problems.push(PlanProblem::at(
                            sheet.cell(row, cols["Område-id"]),
                            "målet saknar område: skriv områdets id i kolumnen Område-id",
                        ));
                        continue;
                    }
                },
            };
            current = Some(a);
            let area = &mut areas[a];
            if let Some(title) = cell("Område") {
                self.area_title(area, title, sheet.cell(row, cols["Område"]));
            }
            let at = FieldPath::field("areas")
                .at(a)
                .then("goals")
                .at(area.goals.len());
            self.place(&at.then("id"), sheet.cell(row, cols["Mål-id"]));
            self.place(&at.then("text"), sheet.cell(row, cols["Mål"]));
            area.goals.push(Goal {
                id: GoalId(cell("Mål-id").unwrap_or_default().trim().to_string()),
                text: cell("Mål").unwrap_or_default(),
                responsible: opt(row, "Ansvarig"),
                schedule: opt(row, "Tidplan"),
            });
        }
        areas
    }
}

struct Styles {
    header: Format,
    text: Format,
    title: Format,
    note: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border(FormatBorder::Thin),
            text: Format::new().set_num_format("@").set_text_wrap(),
            title: Format::new().set_bold().set_font_size(14),
            note: Format::new().set_text_wrap(),
        }
    }
}

/// Writes the plan as a plan workbook, byte-for-byte the same every time.
pub fn write(plan: &Plan) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("Plan: {}", plan.title))
            .set_author(plan.coordinator.name.as_str())
            .set_creation_datetime(&fixed_datetime()),
    );
    instructions(wb.add_worksheet(), plan, &s)?;
    let ws = wb.add_worksheet();
    plan_sheet(ws, plan, &s)?;
    ws.set_active(true);
    let rows: Vec<Vec<String>> = plan
        .regions
        .iter()
        .map(|r| vec![r.code.0.clone(), r.name.clone()])
        .collect();
    table(wb.add_worksheet(), 1, &rows, &s)?;
    let rows: Vec<Vec<String>> = plan
        .scale
        .iter()
        .map(|l| {
            vec![
                l.code.clone(),
                l.label.clone(),
                l.meaning().swedish().to_string(),
            ]
        })
        .collect();
    let ws = wb.add_worksheet();
    table(ws, 2, &rows, &s)?;
    let meanings = Meaning::ALL.map(Meaning::swedish);
    ws.add_data_validation(
        1,
        2,
        200,
        2,
        &DataValidation::new()
            .allow_list_strings(&meanings)?
            .set_error_title("Betyder")?
            .set_error_message(format!("Skriv ett av: {}.", meanings.join(", ")))?,
    )?;
    let rows: Vec<Vec<String>> = plan
        .goals()
        .map(|(a, g)| {
            vec![
                a.id.clone(),
                a.title.clone(),
                g.id.0.clone(),
                g.text.clone(),
                g.responsible.clone().unwrap_or_default(),
                g.schedule.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(wb.add_worksheet(), 3, &rows, &s)?;
    wb.save_to_buffer()
}

/// A table sheet: its header from [`TABLES`], then the rows, all text.
fn table(
    ws: &mut Worksheet,
    which: usize,
    rows: &[Vec<String>],
    s: &Styles,
) -> Result<(), XlsxError> {
    let (name, required, optional) = TABLES[which];
    ws.set_name(name)?;
    for (c, h) in required.iter().chain(optional).enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &s.header)?;
        let width = if *h == "Mål" {
            70
        } else if matches!(*h, "Område" | "Namn" | "Benämning") {
            36
        } else {
            14
        };
        ws.set_column_width(c as u16, width)?;
        ws.set_column_format(c as u16, &s.text)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string_with_format(r as u32 + 1, c as u16, v, &s.text)?;
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    Ok(())
}

fn plan_sheet(ws: &mut Worksheet, plan: &Plan, s: &Styles) -> Result<(), XlsxError> {
    ws.set_name(PLAN)?;
    ws.write_string_with_format(0, 0, "Fält", &s.header)?;
    ws.write_string_with_format(0, 1, "Värde", &s.header)?;
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 70)?;
    let values = [
        plan.id.clone(),
        plan.title.clone(),
        plan.version.clone(),
        plan.period.clone(),
        plan.coordinator.code.0.clone(),
        plan.coordinator.name.clone(),
        (if plan.coordinator.responds {
            "ja"
        } else {
            "nej"
        })
        .to_string(),
        plan.noun.to_string(),
    ];
    for (i, ((name, _, hint), value)) in FIELDS.iter().zip(values).enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, *name)?;
        ws.write_string_with_format(row, 1, value, &s.text)?;
        let dv = if *name == "samordnaren-svarar" {
            DataValidation::new().allow_list_strings(&["ja", "nej"])?
        } else {
            DataValidation::new().allow_any_value()
        };
        ws.add_data_validation(
            row,
            1,
            row,
            1,
            &dv.set_input_title(*name)?.set_input_message(*hint)?,
        )?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_paper_size(9).set_print_fit_to_pages(1, 0);
    Ok(())
}

fn instructions(ws: &mut Worksheet, plan: &Plan, s: &Styles) -> Result<(), XlsxError> {
    ws.set_name(INSTRUCTIONS)?;
    ws.set_column_width(0, 75)?;
    let lines = [
        format!("Plan för uppföljning – {}", plan.title),
        "Den här arbetsboken är en plan för samla. Fyll i bladen och kontrollera sedan planen med: samla plan check <fil>.".to_string(),
        "Skriv på bladen nedan; ändra inte bladens namn eller rubrikerna på rad 1. Fler kolumner går bra – de läses inte.".to_string(),
        String::new(),
        format!("Bladet {PLAN}: en rad per fält (kolumn Fält) med dess värde (kolumn Värde). Fälten:"),
    ];
    let mut row = 0;
    // Wrapped text needs its rows made tall enough: Excel does not grow
    // them for text written by a program.
    let mut line = |ws: &mut Worksheet, text: &str, format: &Format| {
        ws.set_row_height(row, crate::report::fit_height(&[(text, 75.0)]))?;
        ws.write_string_with_format(row, 0, text, format)?;
        row += 1;
        Ok::<(), XlsxError>(())
    };
    for (i, l) in lines.iter().enumerate() {
        line(ws, l, if i == 0 { &s.title } else { &s.note })?;
    }
    for (name, _, hint) in FIELDS {
        line(ws, &format!("  {name}: {hint}"), &s.note)?;
    }
    let more = [
        String::new(),
        format!("Bladet {RESPONDENTS}: en rad per svarande (region, programområde, kommun …) med Kod (t.ex. RJH) och Namn. Varje svarande får en egen mall."),
        format!("Bladet {SCALE}: skalans nivåer med Kod (1–3 versaler, t.ex. U), Benämning (t.ex. Uppnått mål) och Betyder: {}.", Meaning::ALL.map(Meaning::swedish).join(", ")),
        "  Sammanställningen räknar och färgar efter Betyder. En nivå som betyder ej aktuellt räknas inte med när samla listar mål som alla har uppnått eller som någon inte har påbörjat.".to_string(),
        format!("Bladet {GOALS}: en rad per mål med Område-id, Område, Mål-id (områdets id, punkt, målets nummer, t.ex. 1.3 eller ÖS.1) och Mål. Ansvarig och Tidplan är frivilliga och visas i mallarna."),
        "  Lämnas Område-id tomt hör målet till samma område som raden ovanför.".to_string(),
        String::new(),
        "Sedan: samla template --plan <fil> skriver en mall per svarande; samla merge --plan <fil> --inbox <mapp> sammanställer svaren.".to_string(),
    ];
    for l in more {
        line(ws, &l, &s.note)?;
    }
    ws.set_paper_size(9).set_print_fit_to_pages(1, 0);
    Ok(())
}

/// The plan `samla plan new` writes: one example of everything, and a
/// three-level scale to edit.
pub fn example() -> Plan {
    let level = |code: &str, label: &str, m| ScaleLevel {
        code: code.into(),
        label: label.into(),
        meaning: Some(m),
    };
    Plan {
        id: "min-plan-2025".into(),
        title: "Handlingsplan 2025".into(),
        version: "1".into(),
        period: "2025".into(),
        noun: Noun::default(),
        coordinator: Coordinator {
            code: RegionCode("RCC".into()),
            name: "Regionalt cancercentrum".into(),
            responds: true,
        },
        regions: vec![Party {
            code: RegionCode("RA".into()),
            name: "Region A".into(),
        }],
        scale: vec![
            level("U", "Uppnått mål", Meaning::Achieved),
            level("P", "Pågående arbete", Meaning::InProgress),
            level("E", "Ej påbörjat arbete", Meaning::NotStarted),
        ],
        areas: vec![Area {
            id: "1".into(),
            title: "Första området".into(),
            goals: vec![Goal {
                id: GoalId("1.1".into()),
                text: "Ett första mål: skriv målet som det ska stå i mallen.".into(),
                responsible: Some("Samordnaren".into()),
                schedule: Some("2025".into()),
            }],
        }],
        index: Default::default(),
    }
}
