//! The rules a plan must keep, and how a broken plan is reported: every
//! problem in Swedish, naming the field and where it is written — a line of
//! the TOML spec or a cell of the plan workbook.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;

use super::{Plan, RegionCode};
use crate::finding::CellRef;

/// One step of a path into the plan: a field or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A field, named as in the TOML spec (`areas`, `code`).
    Field(&'static str),
    /// An index into a list.
    Index(usize),
}

/// Where in the plan a value sits, as in the TOML spec: `areas[0].goals[1].id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Key>);

impl FieldPath {
    /// The path to a top-level field.
    pub fn field(name: &'static str) -> FieldPath {
        FieldPath(vec![Key::Field(name)])
    }

    /// This path, then a field.
    pub fn then(&self, name: &'static str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Key::Field(name));
        p
    }

    /// This path, then a list index.
    pub fn at(&self, i: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Key::Index(i));
        p
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, k) in self.0.iter().enumerate() {
            match k {
                Key::Field(name) if n == 0 => f.write_str(name)?,
                Key::Field(name) => write!(f, ".{name}")?,
                Key::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// Where a problem is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    /// A place in a TOML spec, 1-based.
    Line {
        /// Line, from 1.
        line: usize,
        /// Column (character), from 1.
        column: usize,
    },
    /// A cell of a plan workbook.
    Cell {
        /// The sheet, e.g. `Mål`.
        sheet: String,
        /// The cell, e.g. `C7`.
        cell: CellRef,
    },
    /// A sheet of a plan workbook, when no one cell is to blame.
    Sheet {
        /// The sheet, e.g. `Skala`.
        sheet: String,
    },
}

impl fmt::Display for Where {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Where::Line { line, column } => write!(f, "rad {line}, kolumn {column}"),
            Where::Cell { sheet, cell } => write!(f, "bladet \"{sheet}\", cell {cell}"),
            Where::Sheet { sheet } => write!(f, "bladet \"{sheet}\""),
        }
    }
}

/// One thing wrong with a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanProblem {
    /// Where it is written, when known.
    pub at: Option<Where>,
    /// The field, when the problem is about one (shown for TOML specs).
    pub field: Option<FieldPath>,
    /// What is wrong and how to fix it, in Swedish.
    pub message: String,
}

impl PlanProblem {
    /// A problem about a field, not yet placed.
    pub fn field(field: FieldPath, message: impl Into<String>) -> PlanProblem {
        PlanProblem {
            at: None,
            field: Some(field),
            message: message.into(),
        }
    }

    /// A problem at a place.
    pub fn at(at: Where, message: impl Into<String>) -> PlanProblem {
        PlanProblem {
            at: Some(at),
            field: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for PlanProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(at) = &self.at {
            write!(f, "{at}: ")?;
        }
        // A workbook's author knows sheets and cells, not TOML paths.
        if let (Some(field), None | Some(Where::Line { .. })) = (&self.field, &self.at) {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Why a plan could not be used. The message names the file and every problem.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The plan file could not be read.
    #[error("{path}: planen kunde inte läsas: {}", crate::oserror::swedish(source))]
    Io {
        /// The plan file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The spec is not valid TOML: a problem of syntax, at a line.
    #[error("{path}: planen är inte giltig TOML: {problem}")]
    Syntax {
        /// The spec file.
        path: PathBuf,
        /// What is wrong, where.
        problem: PlanProblem,
    },
    /// The plan breaks a rule, or a field is unknown, missing or of the wrong kind.
    #[error("{path}: planen är ogiltig:\n{}", problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The plan file.
        path: PathBuf,
        /// Every problem found.
        problems: Vec<PlanProblem>,
    },
}

impl PlanError {
    /// Every problem, whatever the kind of error.
    pub fn problems(&self) -> Vec<PlanProblem> {
        match self {
            PlanError::Io { source, .. } => vec![PlanProblem {
                at: None,
                field: None,
                message: format!("filen kunde inte läsas: {source}"),
            }],
            PlanError::Syntax { problem, .. } => vec![problem.clone()],
            PlanError::Invalid { problems, .. } => problems.clone(),
        }
    }
}

fn valid_code(c: &str) -> bool {
    !c.is_empty()
        && c.chars().count() <= 20
        && c.trim() == c
        && c.chars()
            .all(|ch| ch.is_alphanumeric() || ch == ' ' || ch == '-')
}

fn valid_level_code(code: &str) -> bool {
    // Levels combine as `U/E` and `P?`, so they cannot contain those characters.
    !code.is_empty()
        && code.chars().count() <= 3
        && code.chars().all(char::is_alphanumeric)
        && code == code.to_uppercase()
}

fn valid_goal_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= 20
        && id
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(char::is_alphanumeric))
}

fn valid_plan_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// A text field that must be present and not too long.
fn text(out: &mut Vec<PlanProblem>, field: FieldPath, value: &str, max: usize, what: &str) {
    if value.trim().is_empty() {
        let empty = if what.ends_with("et") { "tomt" } else { "tom" };
        out.push(PlanProblem::field(
            field,
            format!("{what} får inte vara {empty}"),
        ));
    } else if value.chars().count() > max {
        out.push(PlanProblem::field(
            field,
            format!(
                "{what} är {} tecken, högst {max} får plats",
                value.chars().count()
            ),
        ));
    }
}

fn code(out: &mut Vec<PlanProblem>, field: FieldPath, c: &RegionCode) {
    if !valid_code(&c.0) {
        out.push(PlanProblem::field(
            field,
            format!(
                "koden {:?} ska vara 1–20 bokstäver, siffror, mellanslag eller bindestreck",
                c.0
            ),
        ));
    }
}

impl Plan {
    /// Every rule the plan breaks, by field; empty when it is sound.
    pub fn problems(&self) -> Vec<PlanProblem> {
        let mut out = Vec::new();
        let f = FieldPath::field;
        if !valid_plan_id(&self.id) {
            out.push(PlanProblem::field(
                f("id"),
                format!(
                    "plan-id {:?} ska vara 1–80 tecken a–z, A–Z, 0–9, '-', '_' eller '.'",
                    self.id
                ),
            ));
        }
        text(&mut out, f("title"), &self.title, 300, "titeln");
        text(&mut out, f("version"), &self.version, 40, "versionen");
        text(&mut out, f("period"), &self.period, 40, "perioden");
        code(
            &mut out,
            f("coordinator").then("code"),
            &self.coordinator.code,
        );
        let coordinator_name = f("coordinator").then("name");
        text(
            &mut out,
            coordinator_name,
            &self.coordinator.name,
            200,
            "namnet",
        );
        self.respondent_problems(&mut out);
        self.scale_problems(&mut out);
        self.goal_problems(&mut out);
        out
    }

    fn respondent_problems(&self, out: &mut Vec<PlanProblem>) {
        if self.regions.is_empty() {
            out.push(PlanProblem::field(
                FieldPath::field("regions"),
                format!("planen behöver minst en {}", self.noun.singular),
            ));
        }
        let mut codes = HashSet::new();
        for (i, r) in self.regions.iter().enumerate() {
            let at = FieldPath::field("regions").at(i);
            code(out, at.then("code"), &r.code);
            text(out, at.then("name"), &r.name, 200, "namnet");
            if !codes.insert(r.code.0.to_uppercase()) {
                out.push(PlanProblem::field(
                    at.then("code"),
                    format!("koden {} förekommer mer än en gång", r.code),
                ));
            }
        }
        if codes.contains(&self.coordinator.code.0.to_uppercase()) {
            out.push(PlanProblem::field(
                FieldPath::field("coordinator").then("code"),
                format!(
                    "samordnarens kod {} är också en svarandes kod",
                    self.coordinator.code
                ),
            ));
        }
    }

    fn scale_problems(&self, out: &mut Vec<PlanProblem>) {
        if self.scale.is_empty() || self.scale.len() > 20 {
            out.push(PlanProblem::field(
                FieldPath::field("scale"),
                format!("skalan behöver 1–20 nivåer, den har {}", self.scale.len()),
            ));
        }
        let mut levels = HashSet::new();
        for (i, l) in self.scale.iter().enumerate() {
            let at = FieldPath::field("scale").at(i);
            if !valid_level_code(&l.code) {
                out.push(PlanProblem::field(
                    at.then("code"),
                    format!("nivåkoden {:?} ska vara 1–3 versaler eller siffror", l.code),
                ));
            }
            text(out, at.then("label"), &l.label, 100, "benämningen");
            if !levels.insert(l.code.clone()) {
                out.push(PlanProblem::field(
                    at.then("code"),
                    format!("nivån {} förekommer mer än en gång", l.code),
                ));
            }
        }
        if !self.scale.is_empty() && self.level_meaning(super::Meaning::Achieved).is_none() {
            out.push(PlanProblem::field(
                FieldPath::field("scale"),
                "ingen nivå betyder \"uppnått\": ange vilken nivå som betyder att målet är nått",
            ));
        }
    }

    fn goal_problems(&self, out: &mut Vec<PlanProblem>) {
        if self.areas.is_empty() {
            out.push(PlanProblem::field(
                FieldPath::field("areas"),
                "planen behöver minst ett område",
            ));
        }
        let mut areas = HashSet::new();
        let mut goals = HashSet::new();
        for (a, area) in self.areas.iter().enumerate() {
            let at = FieldPath::field("areas").at(a);
            if area.id.trim().is_empty() || area.id.chars().count() > 10 {
                out.push(PlanProblem::field(
                    at.then("id"),
                    "områdets id ska vara 1–10 tecken",
                ));
            } else if !areas.insert(area.id.clone()) {
                out.push(PlanProblem::field(
                    at.then("id"),
                    format!("område {} förekommer mer än en gång", area.id),
                ));
            }
            text(out, at.then("title"), &area.title, 200, "områdets rubrik");
            if area.goals.is_empty() {
                out.push(PlanProblem::field(
                    at.then("goals"),
                    format!("område {} behöver minst ett mål", area.id),
                ));
            }
            for (g, goal) in area.goals.iter().enumerate() {
                let gat = at.then("goals").at(g);
                let id = &goal.id.0;
                if !valid_goal_id(id) {
                    out.push(PlanProblem::field(
                        gat.then("id"),
                        format!("mål-id {id:?} ska ha formen område.mål, t.ex. 1.3 eller ÖS.1"),
                    ));
                } else if !goals.insert(goal.id.clone()) {
                    out.push(PlanProblem::field(
                        gat.then("id"),
                        format!("mål-id {id} förekommer mer än en gång"),
                    ));
                }
                if !id.starts_with(&format!("{}.", area.id)) {
                    out.push(PlanProblem::field(
                        gat.then("id"),
                        format!("mål-id {id} ska börja med områdets id {}.", area.id),
                    ));
                }
                text(out, gat.then("text"), &goal.text, 4000, "måltexten");
            }
        }
    }
}
