//! The rules a plan must keep, and how a broken plan is reported: every
//! problem in Swedish, naming the field and where it is written — a line of
//! the TOML spec or a cell of the plan workbook.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;

use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

use super::{GoalId, Plan, RegionCode};
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

// The per-field rules, called by `#[validate(custom(...))]` on the plan's
// structs. A format rule's error carries its whole sentence; a text rule's
// message is the field as a person calls it (`titeln`), made into a
// sentence by [`sentence`].

/// A text that is not only blanks; the attribute's message names the field.
pub(super) fn filled(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::new(BLANK))
    } else {
        Ok(())
    }
}

/// A respondent's or the coordinator's code.
pub(super) fn code(c: &RegionCode) -> Result<(), ValidationError> {
    let c = c.0.as_str();
    let ok = !c.is_empty()
        && c.chars().count() <= 20
        && c.trim() == c
        && c.chars()
            .all(|ch| ch.is_alphanumeric() || ch == ' ' || ch == '-');
    rule(ok, "code", || {
        format!("koden {c:?} ska vara 1–20 bokstäver, siffror, mellanslag eller bindestreck")
    })
}

/// A level's code. Levels combine as `U/E` and `P?`, so they cannot
/// contain those characters.
pub(super) fn level_code(code: &str) -> Result<(), ValidationError> {
    let ok = !code.is_empty()
        && code.chars().count() <= 3
        && code.chars().all(char::is_alphanumeric)
        && code == code.to_uppercase();
    rule(ok, "level_code", || {
        format!("nivåkoden {code:?} ska vara 1–3 versaler eller siffror")
    })
}

fn valid_goal_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= 20
        && id
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(char::is_alphanumeric))
}

/// A goal's id, `area.goal`.
pub(super) fn goal_id(id: &GoalId) -> Result<(), ValidationError> {
    let id = &id.0;
    rule(valid_goal_id(id), "goal_id", || {
        format!("mål-id {id:?} ska ha formen område.mål, t.ex. 1.3 eller ÖS.1")
    })
}

fn valid_area_id(id: &str) -> bool {
    !id.trim().is_empty() && id.chars().count() <= 10
}

/// An area's id.
pub(super) fn area_id(id: &str) -> Result<(), ValidationError> {
    rule(valid_area_id(id), "area_id", || {
        "områdets id ska vara 1–10 tecken".to_string()
    })
}

/// The plan's id, written into every template.
pub(super) fn plan_id(id: &str) -> Result<(), ValidationError> {
    let ok = !id.is_empty()
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    rule(ok, "plan_id", || {
        format!("plan-id {id:?} ska vara 1–80 tecken a–z, A–Z, 0–9, '-', '_' eller '.'")
    })
}

/// Ok, or an error with this code and sentence.
fn rule(
    ok: bool,
    code: &'static str,
    sentence: impl FnOnce() -> String,
) -> Result<(), ValidationError> {
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(code).with_message(sentence().into()))
    }
}

/// The code of [`filled`]'s error.
const BLANK: &str = "blank";

/// The Swedish sentence of one of validator's errors.
fn sentence(e: &ValidationError) -> String {
    let what = e.message.as_deref().unwrap_or(&e.code);
    match e.code.as_ref() {
        BLANK => {
            let empty = if what.ends_with("et") { "tomt" } else { "tom" };
            format!("{what} får inte vara {empty}")
        }
        "length" => {
            let param = |k: &str| e.params.get(k).cloned().unwrap_or_default();
            let chars = param("value").as_str().map_or(0, |s| s.chars().count());
            format!("{what} är {chars} tecken, högst {} får plats", param("max"))
        }
        _ => what.to_string(),
    }
}

/// validator's nested errors as problems, each at its typed field path.
fn flatten(errors: &ValidationErrors, at: &FieldPath, out: &mut Vec<PlanProblem>) {
    for (name, kind) in errors.errors() {
        // The derive names fields by literals; an owned name cannot be a
        // step of a path, so its problem is put on the enclosing value.
        let path = match name {
            Cow::Borrowed(name) => at.then(name),
            Cow::Owned(_) => at.clone(),
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                let blank = list.iter().any(|e| e.code == BLANK);
                for e in list {
                    // Blanks are not also too long.
                    if !(blank && e.code == "length") {
                        out.push(PlanProblem::field(path.clone(), sentence(e)));
                    }
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(inner, &path.at(*i), out);
                }
            }
        }
    }
}

/// The fields of the plan's structs in the order a spec lists them, so
/// that problems are reported in plan order whatever order validator
/// found them in.
const FIELD_ORDER: [&str; 14] = [
    "id",
    "title",
    "version",
    "period",
    "noun",
    "coordinator",
    "code",
    "name",
    "label",
    "regions",
    "scale",
    "areas",
    "goals",
    "text",
];

fn order(path: &FieldPath) -> Vec<(usize, usize)> {
    path.0
        .iter()
        .map(|k| match k {
            Key::Field(f) => (
                0,
                FIELD_ORDER
                    .iter()
                    .position(|o| o == f)
                    .unwrap_or(usize::MAX),
            ),
            Key::Index(i) => (1, *i),
        })
        .collect()
}

impl Plan {
    /// Every rule the plan breaks, by field and in plan order; empty when
    /// it is sound. The per-field rules are the `#[validate]` attributes on
    /// the plan's structs; the rules across fields are below.
    pub fn problems(&self) -> Vec<PlanProblem> {
        let mut out = Vec::new();
        if let Err(errors) = self.validate() {
            flatten(&errors, &FieldPath::default(), &mut out);
        }
        self.respondent_problems(&mut out);
        self.scale_problems(&mut out);
        self.goal_problems(&mut out);
        // Stable: a field's own rule stays before the rules across fields.
        out.sort_by_cached_key(|p| p.field.as_ref().map(order));
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
            if valid_area_id(&area.id) && !areas.insert(area.id.clone()) {
                out.push(PlanProblem::field(
                    at.then("id"),
                    format!("område {} förekommer mer än en gång", area.id),
                ));
            }
            if area.goals.is_empty() {
                out.push(PlanProblem::field(
                    at.then("goals"),
                    format!("område {} behöver minst ett mål", area.id),
                ));
            }
            for (g, goal) in area.goals.iter().enumerate() {
                let gat = at.then("goals").at(g);
                let id = &goal.id.0;
                if valid_goal_id(id) && !goals.insert(goal.id.clone()) {
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
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_errors_become_sentences_at_typed_paths_in_plan_order() {
        let mut plan = crate::Plan::from_toml_str(
            "id = \"p\"\ntitle = \"T\"\nversion = \"1\"\nperiod = \"2023\"\n\
             [coordinator]\ncode = \"K\"\nname = \"Samordnare\"\n\
             [[regions]]\ncode = \"RA\"\nname = \"Region A\"\n\
             [[scale]]\ncode = \"U\"\nlabel = \"Uppnått\"\n\
             [[areas]]\nid = \"1\"\ntitle = \"Ett\"\n[[areas.goals]]\nid = \"1.1\"\ntext = \"Mål\"\n",
            "p.toml",
        )
        .unwrap();
        plan.title = "x".repeat(301);
        plan.regions[0].name = "   ".repeat(100);
        plan.areas[0].goals[0].id = GoalId("2.!".into());
        let shown: Vec<String> = plan.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            shown,
            [
                "title: titeln är 301 tecken, högst 300 får plats",
                "regions[0].name: namnet får inte vara tomt",
                "areas[0].goals[0].id: mål-id \"2.!\" ska ha formen område.mål, t.ex. 1.3 eller ÖS.1",
                "areas[0].goals[0].id: mål-id 2.! ska börja med områdets id 1.",
            ]
        );
    }
}
