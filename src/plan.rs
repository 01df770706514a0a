//! The plan spec: what a coordinator follows up, read from TOML.
//!
//! A plan names its coordinator, the regions that report, the rating scale
//! and the areas with their goals. Everything downstream (templates,
//! validation, reports) is driven by it, so loading refuses a spec that is
//! inconsistent and says which file and field to fix.
//!
//! ```
//! let plan = samla::Plan::from_toml_str(r#"
//!     id = "demo"
//!     title = "Demoplan"
//!     version = "1"
//!     period = "2023"
//!     [coordinator]
//!     code = "RCC Norr"
//!     name = "Regionalt cancercentrum norr"
//!     [[regions]]
//!     code = "RN"
//!     name = "Region Norrbotten"
//!     [[scale]]
//!     code = "U"
//!     label = "Uppnått mål"
//!     [[areas]]
//!     id = "1"
//!     title = "Prevention"
//!     [[areas.goals]]
//!     id = "1.1"
//!     text = "Screening ska införas."
//! "#, "demo.toml").unwrap();
//! assert_eq!(plan.goals().count(), 1);
//! ```

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

/// A goal's stable identifier, `area.goal` (e.g. `1.3`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GoalId(pub String);

impl fmt::Display for GoalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A respondent's code: a region (`RJH`) or the coordinator (`RCC Norr`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RegionCode(pub String);

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A reporting region, or the coordinator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Respondent code, e.g. `RJH` or `RCC Norr`: 1–20 letters, digits, spaces or hyphens.
    #[validate(custom(function = "valid_code"))]
    pub code: RegionCode,
    /// Full name, e.g. `Region Norrbotten`.
    #[validate(length(min = 1, max = 200, message = "namnet får inte vara tomt"))]
    pub name: String,
}

/// One level of the rating scale, e.g. `U` = "Uppnått mål".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ScaleLevel {
    /// Code written in the rating cell, e.g. `U`: 1–3 upper-case letters or digits.
    #[validate(custom(function = "valid_level_code"))]
    pub code: String,
    /// What the level means, e.g. `Uppnått mål`.
    #[validate(length(min = 1, max = 100, message = "etiketten får inte vara tom"))]
    pub label: String,
}

/// A goal of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// The goal's id, `area.goal`, e.g. `1.3`.
    #[validate(custom(function = "valid_goal_id"))]
    pub id: GoalId,
    /// The goal as written in the template.
    #[validate(length(min = 1, max = 4000, message = "måltexten får inte vara tom"))]
    pub text: String,
}

/// An area (*område*) and its goals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// The area's id, e.g. `1` (1–10 characters).
    #[validate(length(min = 1, max = 10, message = "områdets id får inte vara tomt"))]
    pub id: String,
    /// The area's heading, e.g. `Prevention`.
    #[validate(length(min = 1, max = 200, message = "områdets rubrik får inte vara tom"))]
    pub title: String,
    /// The area's goals, in order; at least one.
    #[validate(length(min = 1, message = "ett område behöver minst ett mål"), nested)]
    pub goals: Vec<Goal>,
}

/// A follow-up plan, as written in a plan spec (TOML).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Stable identifier, written into every template (`cancerplan-norr-2022-2024`).
    #[validate(custom(function = "valid_plan_id"))]
    pub id: String,
    /// Title shown in templates and reports.
    #[validate(length(min = 1, max = 300, message = "titeln får inte vara tom"))]
    pub title: String,
    /// Plan version: a return made from another version's template is refused.
    #[validate(length(min = 1, max = 40, message = "versionen får inte vara tom"))]
    pub version: String,
    /// The follow-up period, e.g. `2023`.
    #[validate(length(min = 1, max = 40, message = "perioden får inte vara tom"))]
    pub period: String,
    /// The coordinator, who comments on every goal but does not rate.
    #[validate(nested)]
    pub coordinator: Party,
    /// The regions that report, in order; at least one.
    #[validate(length(min = 1, message = "planen behöver minst en region"), nested)]
    pub regions: Vec<Party>,
    /// The rating scale's levels, in order; 1–20 of them.
    #[validate(
        length(min = 1, max = 20, message = "skalan behöver 1–20 nivåer"),
        nested
    )]
    pub scale: Vec<ScaleLevel>,
    /// The areas with their goals, in order; at least one.
    #[validate(length(min = 1, message = "planen behöver minst ett område"), nested)]
    pub areas: Vec<Area>,
    /// Upper-case region code → index in `regions`, built on first use: a
    /// national plan has hundreds of units and every file looks one up.
    #[serde(skip)]
    index: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
}

/// Why a plan spec could not be used. The message names the file and field.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The spec file could not be read.
    #[error("{path}: planen kunde inte läsas: {source}")]
    Io {
        /// The spec file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The spec is not valid TOML.
    #[error("{path}: planen är inte giltig TOML: {message}")]
    Syntax {
        /// The spec file.
        path: PathBuf,
        /// The TOML parser's message.
        message: String,
    },
    /// The spec is valid TOML but breaks a rule of the plan.
    #[error("{path}: planen är ogiltig:\n{}", problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The spec file.
        path: PathBuf,
        /// One message per problem (Swedish), naming the field.
        problems: Vec<String>,
    },
}

fn valid_code(code: &RegionCode) -> Result<(), ValidationError> {
    let c = code.0.as_str();
    let ok = !c.is_empty()
        && c.chars().count() <= 20
        && c.trim() == c
        && c.chars()
            .all(|ch| ch.is_alphanumeric() || ch == ' ' || ch == '-');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("code").with_message(
            format!("koden {c:?} ska vara 1–20 bokstäver, siffror, mellanslag eller bindestreck")
                .into(),
        ))
    }
}

fn valid_level_code(code: &str) -> Result<(), ValidationError> {
    // Levels combine as `U/E` and `P?`, so they cannot contain those characters.
    let ok =
        !code.is_empty() && code.chars().count() <= 3 && code.chars().all(char::is_alphanumeric);
    if ok && code == code.to_uppercase() {
        Ok(())
    } else {
        Err(ValidationError::new("level")
            .with_message(format!("nivåkoden {code:?} ska vara 1–3 versaler eller siffror").into()))
    }
}

fn valid_goal_id(id: &GoalId) -> Result<(), ValidationError> {
    let ok = !id.0.is_empty()
        && id.0.len() <= 20
        && id
            .0
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("goal_id")
            .with_message(format!("mål-id {:?} ska ha formen område.mål, t.ex. 1.3", id.0).into()))
    }
}

fn valid_plan_id(id: &str) -> Result<(), ValidationError> {
    let ok = !id.is_empty()
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("plan_id").with_message(
            format!("plan-id {id:?} ska vara 1–80 tecken a–z, 0–9, '-', '_' eller '.'").into(),
        ))
    }
}

/// Flattens validator's nested errors into `field.path: message` lines.
fn flatten(errors: &ValidationErrors, prefix: &str, out: &mut Vec<String>) {
    let mut fields: Vec<_> = errors.errors().iter().collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    for (field, kind) in fields {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let msg = e
                        .message
                        .as_deref()
                        .map(str::to_string)
                        .unwrap_or_else(|| e.code.to_string());
                    out.push(format!("{path}: {msg}"));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

impl Plan {
    /// Reads and validates a plan spec.
    pub fn load(path: impl AsRef<Path>) -> Result<Plan, PlanError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| PlanError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Plan::from_toml_str(&text, path)
    }

    /// Parses and validates a plan spec; `path` is only used in messages.
    pub fn from_toml_str(text: &str, path: impl AsRef<Path>) -> Result<Plan, PlanError> {
        let path = path.as_ref().to_path_buf();
        let plan: Plan = toml::from_str(text).map_err(|e| PlanError::Syntax {
            path: path.clone(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let mut problems = Vec::new();
        if let Err(errors) = plan.validate() {
            flatten(&errors, "", &mut problems);
        }
        plan.check_consistency(&mut problems);
        if problems.is_empty() {
            Ok(plan)
        } else {
            Err(PlanError::Invalid { path, problems })
        }
    }

    /// Cross-field rules that validator's per-field attributes cannot express.
    fn check_consistency(&self, problems: &mut Vec<String>) {
        let mut codes = HashSet::new();
        for (i, r) in self.regions.iter().enumerate() {
            if !codes.insert(r.code.0.to_uppercase()) {
                problems.push(format!(
                    "regions[{i}].code: regionkoden {} förekommer mer än en gång",
                    r.code
                ));
            }
        }
        if codes.contains(&self.coordinator.code.0.to_uppercase()) {
            problems.push(format!(
                "coordinator.code: samordnarens kod {} är också en regions kod",
                self.coordinator.code
            ));
        }
        let mut levels = HashSet::new();
        for (i, l) in self.scale.iter().enumerate() {
            if !levels.insert(l.code.clone()) {
                problems.push(format!(
                    "scale[{i}].code: nivån {} förekommer mer än en gång",
                    l.code
                ));
            }
        }
        let mut areas = HashSet::new();
        let mut goals = HashSet::new();
        for (a, area) in self.areas.iter().enumerate() {
            if !areas.insert(area.id.clone()) {
                problems.push(format!(
                    "areas[{a}].id: område {} förekommer mer än en gång",
                    area.id
                ));
            }
            for (g, goal) in area.goals.iter().enumerate() {
                if !goals.insert(goal.id.clone()) {
                    problems.push(format!(
                        "areas[{a}].goals[{g}].id: mål-id {} förekommer mer än en gång",
                        goal.id
                    ));
                }
                if !goal.id.0.starts_with(&format!("{}.", area.id)) {
                    problems.push(format!(
                        "areas[{a}].goals[{g}].id: mål-id {} ska börja med områdets id {}.",
                        goal.id, area.id
                    ));
                }
                if goal.text.trim().is_empty() {
                    problems.push(format!(
                        "areas[{a}].goals[{g}].text: måltexten får inte vara tom"
                    ));
                }
            }
        }
    }

    /// Every goal in plan order, with its area.
    pub fn goals(&self) -> impl Iterator<Item = (&Area, &Goal)> {
        self.areas
            .iter()
            .flat_map(|a| a.goals.iter().map(move |g| (a, g)))
    }

    /// Number of goals in the plan.
    pub fn goal_count(&self) -> usize {
        self.areas.iter().map(|a| a.goals.len()).sum()
    }

    /// The region with this code (case-insensitive), if it reports on the plan.
    pub fn region(&self, code: &str) -> Option<&Party> {
        let index = self.index.get_or_init(|| {
            self.regions
                .iter()
                .enumerate()
                .rev()
                .map(|(i, r)| (r.code.0.to_uppercase(), i))
                .collect()
        });
        let code = code.trim();
        // The index is a cache: a plan changed after its first lookup (a
        // test's clone, say) still answers correctly, only slower.
        index
            .get(&code.to_uppercase())
            .and_then(|&i| self.regions.get(i))
            .filter(|r| r.code.0.eq_ignore_ascii_case(code))
            .or_else(|| {
                self.regions
                    .iter()
                    .find(|r| r.code.0.eq_ignore_ascii_case(code))
            })
    }

    /// The respondent with this code: a region or the coordinator.
    pub fn respondent(&self, code: &str) -> Option<Respondent> {
        if self.coordinator.code.0.eq_ignore_ascii_case(code.trim()) {
            Some(Respondent::Coordinator)
        } else {
            self.region(code)
                .map(|r| Respondent::Region(r.code.clone()))
        }
    }

    /// The scale as shown to people: `U = Uppnått mål, P = …`.
    pub fn scale_legend(&self) -> String {
        self.scale
            .iter()
            .map(|l| format!("{} = {}", l.code, l.label))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Who fills in a template: a region rates and comments, the coordinator
/// only comments.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Respondent {
    /// A region of the plan, by its code.
    Region(RegionCode),
    /// The plan's coordinator.
    Coordinator,
}

impl Respondent {
    /// The code used in reports (`RJH`, `RCC Norr`).
    pub fn code<'a>(&'a self, plan: &'a Plan) -> &'a RegionCode {
        match self {
            Respondent::Region(c) => c,
            Respondent::Coordinator => &plan.coordinator.code,
        }
    }

    /// The full name (`Region Jämtland Härjedalen`).
    pub fn name<'a>(&'a self, plan: &'a Plan) -> &'a str {
        match self {
            Respondent::Region(c) => plan.region(&c.0).map(|r| r.name.as_str()).unwrap_or(&c.0),
            Respondent::Coordinator => &plan.coordinator.name,
        }
    }

    /// Whether this respondent rates goals (the coordinator only comments).
    pub fn rates(&self) -> bool {
        matches!(self, Respondent::Region(_))
    }

    /// Every respondent of a plan: the regions in plan order, then the coordinator.
    pub fn all(plan: &Plan) -> Vec<Respondent> {
        plan.regions
            .iter()
            .map(|r| Respondent::Region(r.code.clone()))
            .chain(std::iter::once(Respondent::Coordinator))
            .collect()
    }
}
