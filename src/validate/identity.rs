//! Who sent a return, decided from every witness the file carries: the
//! hidden identity sheet, the "Svarande: …" line above the table, the
//! document properties and the file name. Witnesses that name nobody are
//! silent; witnesses that name different respondents refuse the file, with
//! every claim and where it was found, so that a person decides.
//!
//! Text that is the plan's own (its title, id, period, the scale line) is
//! no evidence: a plan titled "… RCC Sydöst …" does not make every return
//! claim to be the coordinator's.

use std::fmt;
use std::path::Path;

use super::fold;
use crate::contract::{meta, preamble, FORMAT_TAG};
use crate::finding::{CellRef, Finding, FindingCode as C, Location};
use crate::plan::{Plan, Respondent};
use crate::reader::RawReturn;

/// How the respondent line above the table begins (see [`preamble`]).
const RESPONDENT_LINE: &str = "Svarande:";
/// The custom document property the template writer puts the respondent's code in.
const RESPONDENT_PROPERTY: &str = "samla-respondent";

/// Where a claim of identity was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Witness {
    /// The hidden identity sheet (`samla`, key `kod`).
    IdentitySheet,
    /// A line above the answer table, normally "Svarande: …".
    Preamble {
        /// The answer sheet's name.
        sheet: String,
        /// The cell of the line.
        cell: CellRef,
    },
    /// A document property of the workbook, by its name.
    Property(String),
    /// The file's name.
    FileName,
}

impl fmt::Display for Witness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Witness::IdentitySheet => write!(f, "identitetsbladet \"samla\""),
            Witness::Preamble { sheet, cell } => {
                write!(f, "raden ovanför tabellen ({sheet}!{cell})")
            }
            Witness::Property(name) => write!(f, "dokumentegenskapen {name}"),
            Witness::FileName => write!(f, "filnamnet"),
        }
    }
}

/// One witness naming one respondent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Who the witness names.
    pub who: Respondent,
    /// Where it was found.
    pub witness: Witness,
}

/// The plan's own texts (title, id, period), folded: a respondent named
/// inside them is not a claim. Folded once per file, not once per witness.
fn plan_texts(plan: &Plan) -> Vec<String> {
    [&plan.title, &plan.id, &plan.period]
        .into_iter()
        .map(|t| fold(t))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Removes the plan's own texts ([`plan_texts`]) from `text`, so that a
/// respondent's name inside the plan's title is not taken for a claim.
fn without_plan_text(own: &[String], text: &str) -> String {
    let mut t = fold(text);
    for own in own {
        if t.contains(own.as_str()) {
            t = t.replace(own.as_str(), " ");
        }
    }
    t
}

/// Every claim the file makes, in the order the witnesses are listed.
pub fn claims(plan: &Plan, file: &Path, raw: &RawReturn) -> Vec<Claim> {
    let mut out = Vec::new();
    let own_texts = plan_texts(plan);
    let mut add = |who: Vec<Respondent>, witness: Witness| {
        out.extend(who.into_iter().map(|who| Claim {
            who,
            witness: witness.clone(),
        }))
    };
    if let Some(code) = raw.meta.get(meta::CODE) {
        add(
            plan.respondent(code).into_iter().collect(),
            Witness::IdentitySheet,
        );
    }
    if let Some(sheet) = &raw.answer {
        // The plan's own lines above the table name nobody.
        let mut kinds = vec![Respondent::Coordinator];
        kinds.extend(
            plan.regions
                .first()
                .map(|r| Respondent::Region(r.code.clone())),
        );
        let own: Vec<String> = kinds
            .iter()
            .flat_map(|w| {
                let [title, _, hint] = preamble(plan, w);
                [fold(&title), fold(&hint)]
            })
            .collect();
        for c in &sheet.preamble {
            if own.contains(&fold(&c.text)) {
                continue;
            }
            let text = c.text.trim();
            let text = text.strip_prefix(RESPONDENT_LINE).unwrap_or(text);
            add(
                plan.named_in(&without_plan_text(&own_texts, text)),
                Witness::Preamble {
                    sheet: sheet.name.clone(),
                    cell: CellRef::new(c.row, c.col),
                },
            );
        }
    }
    let props = &raw.properties;
    if let Some(code) = props.custom.get(RESPONDENT_PROPERTY) {
        add(
            plan.respondent(code).into_iter().collect(),
            Witness::Property(RESPONDENT_PROPERTY.to_string()),
        );
    }
    for (name, value) in [
        ("titel", &props.title),
        ("ämne", &props.subject),
        ("nyckelord", &props.keywords),
    ] {
        if let Some(v) = value {
            add(
                plan.named_in(&without_plan_text(&own_texts, v)),
                Witness::Property(name.to_string()),
            );
        }
    }
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    add(
        plan.named_in(&without_plan_text(&own_texts, &stem)),
        Witness::FileName,
    );
    // Returns are sent to the coordinator, so a file name naming it
    // ("Svar från RJH till RCC Norr") says nothing against a region that
    // another witness names.
    if out.iter().any(|c| c.who.rates()) {
        out.retain(|c| c.witness != Witness::FileName || c.who.rates());
    }
    out
}

/// Establishes who sent the file, or says why it is refused.
pub(super) fn identify(
    plan: &Plan,
    file: &Path,
    raw: &RawReturn,
    findings: &mut Vec<Finding>,
) -> Option<Respondent> {
    let refuse = |findings: &mut Vec<Finding>, code, msg: String| {
        findings.push(Finding::new(code, msg).at(Location::file(file)));
        None
    };
    let has_sheet = raw.meta.get(meta::FORMAT).map(String::as_str) == Some(FORMAT_TAG);
    if has_sheet {
        if let Some((code, msg)) = sheet_refusal(plan, raw) {
            return refuse(findings, code, msg);
        }
    }
    let claims = claims(plan, file, raw);
    let mut who: Vec<&Respondent> = Vec::new();
    for c in &claims {
        if !who.contains(&&c.who) {
            who.push(&c.who);
        }
    }
    if let Some(msg) = role_mismatch(plan, raw, &claims) {
        return refuse(findings, C::RoleMismatch, msg);
    }
    match who.as_slice() {
        [one] if has_sheet => Some((*one).clone()),
        [one] => {
            findings.push(
                Finding::new(C::IdentityFromFileName, format!(
                    "Filen saknar samlas identitetsblad; den antas gälla {} ({}) utifrån bladets text och filnamnet. Använd den utskickade mallen nästa gång.",
                    one.code(plan), one.name(plan)
                ))
                .region(one.code(plan).0.clone())
                .at(Location::file(file)),
            );
            Some((*one).clone())
        }
        [] => refuse(findings, C::UnknownRegion, format!(
            "Det går inte att avgöra vilken {} filen gäller: den saknar samlas identitetsblad och varken bladet eller filnamnet nämner någon av {}. Använd den utskickade mallen.",
            plan.noun.singular,
            Respondent::all(plan).iter().map(|w| w.code(plan).0.clone()).collect::<Vec<_>>().join(", ")
        )),
        many => refuse(findings, C::ConflictingIdentity, conflict_message(plan, many, &claims)),
    }
}

/// Why the identity sheet itself refuses the file: another plan, another
/// version, or a respondent the plan does not have.
fn sheet_refusal(plan: &Plan, raw: &RawReturn) -> Option<(C, String)> {
    let get = |k: &str| raw.meta.get(k).cloned().unwrap_or_default();
    if get(meta::PLAN_ID) != plan.id {
        return Some((C::WrongPlan, format!(
            "Filen är en mall för planen \"{}\", inte för \"{}\". Fyll i mallen för {} och skicka den i stället.",
            get(meta::PLAN_ID), plan.id, plan.title
        )));
    }
    if get(meta::PLAN_VERSION) != plan.version {
        return Some((C::WrongPlanVersion, format!(
            "Filen är gjord för version {} av planen, men uppföljningen gäller version {}. Flytta svaren till den nya mallen och skicka den.",
            get(meta::PLAN_VERSION), plan.version
        )));
    }
    let code = get(meta::CODE);
    if plan.respondent(&code).is_none() {
        let regions: Vec<&str> = plan.regions.iter().map(|r| r.code.0.as_str()).collect();
        return Some((
            C::UnknownRegion,
            format!(
                "Filen gäller \"{code}\", som inte rapporterar i planen ({}: {}).",
                plan.noun.plural,
                regions.join(", ")
            ),
        ));
    }
    None
}

/// The coordinator's template sent as a region's return (its identity
/// sheet says coordinator, another witness names a region), or a role
/// that does not match the code.
fn role_mismatch(plan: &Plan, raw: &RawReturn, claims: &[Claim]) -> Option<String> {
    let sheet = claims
        .iter()
        .find(|c| c.witness == Witness::IdentitySheet)?;
    let role_ok = match (&sheet.who, raw.meta.get(meta::ROLE).map(String::as_str)) {
        (Respondent::Region(_), r) => r == Some(meta::ROLE_REGION),
        (Respondent::Coordinator, r) => r == Some(meta::ROLE_COORDINATOR),
    };
    let named_region = match sheet.who {
        Respondent::Coordinator => claims.iter().find(|c| c.who.rates()),
        Respondent::Region(_) => None,
    };
    if role_ok && named_region.is_none() {
        return None;
    }
    let region = named_region.map_or(&sheet.who, |c| &c.who);
    Some(format!(
        "Filen är {}s mall ({}), men skickades som {}s svar. Varje {} ska fylla i sin egen mall, som har en kolumn för bedömning.",
        sheet.who.code(plan), sheet.who.name(plan), region.code(plan), plan.noun.singular
    ))
}

/// Every identity the file claims and where each was found.
fn conflict_message(plan: &Plan, who: &[&Respondent], claims: &[Claim]) -> String {
    let parts: Vec<String> = who
        .iter()
        .map(|w| {
            let mut wit: Vec<String> = Vec::new();
            let mut props: Vec<&str> = Vec::new();
            for c in claims.iter().filter(|c| &c.who == *w) {
                match &c.witness {
                    Witness::Property(name) => props.push(name),
                    other => wit.push(other.to_string()),
                }
            }
            match props.as_slice() {
                [] => {}
                [one] => wit.push(format!("dokumentegenskapen {one}")),
                many => wit.push(format!(
                    "dokumentegenskaperna {}",
                    and_list(&many.iter().map(|p| p.to_string()).collect::<Vec<_>>())
                )),
            }
            format!(
                "{} ({}) enligt {}",
                w.code(plan),
                w.name(plan),
                and_list(&wit)
            )
        })
        .collect();
    format!(
        "Filen anger olika svarande: {}. Den har inte förts in och ersätter inget annat svar. Ta reda på vem som skickade filen: är den rätt, be avsändaren fylla i sin egen utskickade mall och skicka den igen.",
        parts.join("; ")
    )
}

/// `a`, `a och b`, `a, b och c`.
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} och {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}
