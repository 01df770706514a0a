//! The plan: what a coordinator follows up, read from a TOML spec or a
//! plan workbook.
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

mod check;
mod names;

/// The bundled plan (RCC Norr's, `templates/`), for the crate's unit tests.
#[cfg(test)]
pub(crate) fn bundled() -> Plan {
    Plan::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/cancerplan-norr-2022-2024.toml"
    ))
    .expect("the bundled plan loads")
}
mod toml_spec;
pub mod workbook;

use std::fmt;
use std::path::Path;

pub use check::{FieldPath, Key, PlanError, PlanProblem, Where};

use serde::{Deserialize, Serialize};
use validator::Validate;

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

/// A reporting respondent (a region, a programme area, a municipality …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Respondent code, e.g. `RJH`: 1–20 letters, digits, spaces or hyphens.
    #[validate(custom(function = "check::code"))]
    pub code: RegionCode,
    /// Full name, e.g. `Region Norrbotten`.
    #[validate(
        custom(function = "check::filled", message = "namnet"),
        length(max = 200, message = "namnet")
    )]
    pub name: String,
}

/// The coordinator: comments on every goal when it responds, never rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Coordinator {
    /// Code, e.g. `RCC Norr`.
    #[validate(custom(function = "check::code"))]
    pub code: RegionCode,
    /// Full name, e.g. `Regionalt cancercentrum norr`.
    #[validate(
        custom(function = "check::filled", message = "namnet"),
        length(max = 200, message = "namnet")
    )]
    pub name: String,
    /// Whether the coordinator sends comments of its own (`samordnaren-svarar`).
    /// When not, it has no template and nobody misses its return.
    #[serde(default = "yes")]
    pub responds: bool,
}

fn yes() -> bool {
    true
}

/// What a level of the scale means (`Betyder`): counts, lists and colours
/// go by this, never by the level's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Meaning {
    /// The goal is achieved (`uppnått`).
    #[serde(rename = "uppnått")]
    Achieved,
    /// Work is in progress (`pågående`).
    #[serde(rename = "pågående")]
    InProgress,
    /// Work has not started (`ej påbörjat`).
    #[serde(rename = "ej påbörjat")]
    NotStarted,
    /// The goal does not apply to the respondent (`ej aktuellt`); left out
    /// of every "achieved by all" and "not started" count.
    #[serde(rename = "ej aktuellt")]
    NotApplicable,
}

impl Meaning {
    /// Every meaning, in the order a scale usually lists them.
    pub const ALL: [Meaning; 4] = [
        Meaning::Achieved,
        Meaning::InProgress,
        Meaning::NotStarted,
        Meaning::NotApplicable,
    ];

    /// The word written in a plan: `uppnått`, `pågående`, `ej påbörjat`, `ej aktuellt`.
    pub fn swedish(self) -> &'static str {
        match self {
            Meaning::Achieved => "uppnått",
            Meaning::InProgress => "pågående",
            Meaning::NotStarted => "ej påbörjat",
            Meaning::NotApplicable => "ej aktuellt",
        }
    }

    /// Reads the word written in a plan (case and spaces aside).
    pub fn parse(s: &str) -> Option<Meaning> {
        let f = s
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        Meaning::ALL.into_iter().find(|m| m.swedish() == f)
    }
}

/// One level of the rating scale, e.g. `U` = "Uppnått mål", meaning achieved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ScaleLevel {
    /// Code written in the rating cell, e.g. `U`: 1–3 upper-case letters or digits.
    #[validate(custom(function = "check::level_code"))]
    pub code: String,
    /// What the level is called, e.g. `Uppnått mål`.
    #[validate(
        custom(function = "check::filled", message = "benämningen"),
        length(max = 100, message = "benämningen")
    )]
    pub label: String,
    /// What the level means. A TOML spec may leave it out; loading then
    /// fills it in by position (first achieved, last not started, others
    /// in progress), as plans were read before meanings could be declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meaning: Option<Meaning>,
}

impl ScaleLevel {
    /// What the level means (in progress when a spec built in code left it out).
    pub fn meaning(&self) -> Meaning {
        self.meaning.unwrap_or(Meaning::InProgress)
    }
}

/// The respondents' noun, singular and plural, e.g. `region/regioner`,
/// `RPO/RPO:er`: every text a person reads uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Noun {
    /// `region`, `RPO`, `kommun`.
    pub singular: String,
    /// `regioner`, `RPO:er`, `kommuner`.
    pub plural: String,
}

impl Default for Noun {
    fn default() -> Noun {
        Noun {
            singular: "region".into(),
            plural: "regioner".into(),
        }
    }
}

/// How the noun is written; its error message starts so.
pub(crate) const NOUN_FORM: &str = "svarande ska skrivas som singular/plural";

impl TryFrom<String> for Noun {
    type Error = String;
    fn try_from(s: String) -> Result<Noun, String> {
        match s.split_once('/') {
            Some((one, many))
                if !one.trim().is_empty() && !many.trim().is_empty() && !many.contains('/') =>
            {
                Ok(Noun {
                    singular: one.trim().to_string(),
                    plural: many.trim().to_string(),
                })
            }
            _ => Err(format!(
                "{NOUN_FORM}, t.ex. region/regioner eller RPO/RPO:er, inte {s:?}"
            )),
        }
    }
}

impl Noun {
    /// The singular as a column head: `Region`, `RPO`, `Kommun`.
    pub fn heading(&self) -> String {
        let mut c = self.singular.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    }

    /// Singular or plural, by count: `1 region`, `3 regioner`.
    pub fn count(&self, n: usize) -> String {
        format!("{n} {}", if n == 1 { &self.singular } else { &self.plural })
    }
}

impl From<Noun> for String {
    fn from(n: Noun) -> String {
        n.to_string()
    }
}

impl fmt::Display for Noun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.singular, self.plural)
    }
}

/// A goal of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// The goal's id, `area.goal`, e.g. `1.3` or `ÖS.1`.
    #[validate(custom(function = "check::goal_id"))]
    pub id: GoalId,
    /// The goal as written in the template.
    #[validate(
        custom(function = "check::filled", message = "måltexten"),
        length(max = 4000, message = "måltexten")
    )]
    pub text: String,
    /// Who is responsible (`Ansvarig`), shown read-only in the templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<String>,
    /// When it is to be done (`Tidplan`), shown read-only in the templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
}

/// An area (*område*) and its goals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// The area's id, e.g. `1` or `ÖS` (1–10 characters).
    #[validate(custom(function = "check::area_id"))]
    pub id: String,
    /// The area's heading, e.g. `Prevention`.
    #[validate(
        custom(function = "check::filled", message = "områdets rubrik"),
        length(max = 200, message = "områdets rubrik")
    )]
    pub title: String,
    /// The area's goals, in order; at least one.
    #[validate(nested)]
    pub goals: Vec<Goal>,
}

/// A follow-up plan, as written in a plan spec (TOML) or a plan workbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Stable identifier, written into every template (`cancerplan-norr-2022-2024`).
    #[validate(custom(function = "check::plan_id"))]
    pub id: String,
    /// Title shown in templates and reports.
    #[validate(
        custom(function = "check::filled", message = "titeln"),
        length(max = 300, message = "titeln")
    )]
    pub title: String,
    /// Plan version: a return made from another version's template is refused.
    #[validate(
        custom(function = "check::filled", message = "versionen"),
        length(max = 40, message = "versionen")
    )]
    pub version: String,
    /// The follow-up period, e.g. `2023`.
    #[validate(
        custom(function = "check::filled", message = "perioden"),
        length(max = 40, message = "perioden")
    )]
    pub period: String,
    /// What the respondents are called; `region/regioner` when not given.
    #[serde(default)]
    pub noun: Noun,
    /// The coordinator.
    #[validate(nested)]
    pub coordinator: Coordinator,
    /// The respondents that rate, in order; at least one.
    #[validate(nested)]
    pub regions: Vec<Party>,
    /// The rating scale's levels, in order; 1–20 of them.
    #[validate(nested)]
    pub scale: Vec<ScaleLevel>,
    /// The areas with their goals, in order; at least one.
    #[validate(nested)]
    pub areas: Vec<Area>,
    /// Region codes and respondents' names, indexed on first use.
    #[serde(skip)]
    index: names::Indexes,
}

impl Plan {
    /// Reads and validates a plan: a plan workbook (`.xlsx`, `.ods`, see
    /// [`workbook`]) or a TOML spec (any other name).
    pub fn load(path: impl AsRef<Path>) -> Result<Plan, PlanError> {
        let path = path.as_ref();
        if workbook::is_workbook(path) {
            return workbook::load(path);
        }
        let text = std::fs::read_to_string(path).map_err(|source| PlanError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Plan::from_toml_str(&text, path)
    }

    /// Parses and validates a TOML plan spec; `path` is only used in messages.
    pub fn from_toml_str(text: &str, path: impl AsRef<Path>) -> Result<Plan, PlanError> {
        toml_spec::from_str(text, path.as_ref())
    }

    /// The plan as a TOML spec that reads back to an equal plan.
    pub fn to_toml_string(&self) -> String {
        toml_spec::to_string(self)
    }

    /// Fills in what a spec may leave out: a level without a declared
    /// meaning gets one by position (first achieved, last not started,
    /// others in progress), as every plan was read before meanings existed.
    fn settle(&mut self) {
        let n = self.scale.len();
        for (i, level) in self.scale.iter_mut().enumerate() {
            level.meaning.get_or_insert(match i {
                0 => Meaning::Achieved,
                i if i + 1 == n => Meaning::NotStarted,
                _ => Meaning::InProgress,
            });
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
        let index = self.index.regions.get_or_init(|| {
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
            .filter(|r| same_code(&r.code.0, code))
            .or_else(|| self.regions.iter().find(|r| same_code(&r.code.0, code)))
    }

    /// Every respondent whose code or name occurs as whole words in `text`
    /// (case and punctuation aside), in the order they occur.
    pub fn named_in(&self, text: &str) -> Vec<Respondent> {
        self.index
            .names
            .get_or_init(|| names::Names::new(self))
            .named_in(self, text)
    }

    /// The respondent with this code: a region or the coordinator (when it responds).
    pub fn respondent(&self, code: &str) -> Option<Respondent> {
        if self.coordinator.responds && same_code(&self.coordinator.code.0, code) {
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

    /// What the level with this code means; None for codes not on the scale
    /// (`annat`, `blank`).
    pub fn meaning_of(&self, code: &str) -> Option<Meaning> {
        self.scale
            .iter()
            .find(|l| l.code == code)
            .map(ScaleLevel::meaning)
    }

    /// The first level with this meaning.
    pub fn level_meaning(&self, meaning: Meaning) -> Option<&ScaleLevel> {
        self.scale.iter().find(|l| l.meaning() == meaning)
    }

    /// A compound rating written with the plan's own codes, for examples in
    /// texts: achieved and not started (`U/E`), else the first and last level.
    pub fn compound_example(&self) -> String {
        let a = self.level_meaning(Meaning::Achieved).or(self.scale.first());
        let b = self
            .level_meaning(Meaning::NotStarted)
            .or(self.scale.last());
        match (a, b) {
            (Some(a), Some(b)) if a.code != b.code => format!("{}/{}", a.code, b.code),
            (Some(a), _) => format!("{}/{}", a.code, a.code),
            _ => String::new(),
        }
    }

    /// An uncertain rating written with the plan's own codes (`P?`): in
    /// progress, else the first level.
    pub fn uncertain_example(&self) -> String {
        self.level_meaning(Meaning::InProgress)
            .or(self.scale.first())
            .map(|l| format!("{}?", l.code))
            .unwrap_or_default()
    }
}

/// Codes compare case-insensitively, for any letters (`ös` is `ÖS`).
fn same_code(a: &str, b: &str) -> bool {
    let b = b.trim();
    a.eq_ignore_ascii_case(b) || a.to_uppercase() == b.to_uppercase()
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

    /// Every respondent of a plan: the regions in plan order, then the
    /// coordinator when it responds.
    pub fn all(plan: &Plan) -> Vec<Respondent> {
        plan.regions
            .iter()
            .map(|r| Respondent::Region(r.code.clone()))
            .chain(plan.coordinator.responds.then_some(Respondent::Coordinator))
            .collect()
    }
}
