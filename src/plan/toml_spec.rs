//! The plan as a TOML spec: read with every problem in Swedish at its line
//! and column, and written back (for `samla plan convert`).
//!
//! The toml crate reports in English ("unknown field `titel`, expected one
//! of …"); its messages are mapped to Swedish here, and the rules of
//! [`Plan::problems`] are placed on the line where the field is written.

use std::path::Path;

use toml::de::DeTable;

use super::check::{FieldPath, Key, PlanError, PlanProblem, Where};
use super::Plan;

/// Field names a Swedish author may write for the English ones of the spec.
const SWEDISH_NAMES: &[(&str, &str)] = &[
    ("titel", "title"),
    ("samordnare", "coordinator"),
    ("svarande", "regions"),
    ("regioner", "regions"),
    ("skala", "scale"),
    ("områden", "areas"),
    ("område", "areas"),
    ("mål", "goals"),
    ("kod", "code"),
    ("namn", "name"),
    ("benämning", "label"),
    ("betyder", "meaning"),
    ("ansvarig", "responsible"),
    ("tidplan", "schedule"),
    ("samordnaren-svarar", "responds"),
    ("svarar", "responds"),
    ("rubrik", "title"),
];

/// Parses and validates a TOML plan spec; `path` is only used in messages.
pub fn from_str(text: &str, path: &Path) -> Result<Plan, PlanError> {
    let mut plan: Plan = toml::from_str(text).map_err(|e| translate(&e, text, path))?;
    plan.settle();
    let mut problems = plan.problems();
    if problems.is_empty() {
        return Ok(plan);
    }
    let doc = DeTable::parse(text).ok();
    for p in &mut problems {
        if let (Some(doc), Some(field)) = (&doc, &p.field) {
            p.at = locate(doc.get_ref(), field).map(|offset| line_column(text, offset));
        }
    }
    Err(PlanError::Invalid {
        path: path.to_path_buf(),
        problems,
    })
}

/// Writes the plan as a TOML spec that reads back to an equal plan.
pub fn to_string(plan: &Plan) -> String {
    let body = toml::to_string(plan).expect("a plan is always representable in TOML");
    format!(
        "# Planen {} – skriven av samla. Fälten beskrivs i README (\"The plan spec\").\n\n{body}",
        plan.id
    )
}

/// The byte offset where `field` is written: the value's own span, or the
/// nearest enclosing one when the field itself is missing.
fn locate(doc: &DeTable<'_>, field: &FieldPath) -> Option<usize> {
    let mut keys = field.0.iter();
    let first = match keys.next()? {
        Key::Field(name) => doc.get(*name)?,
        Key::Index(_) => return None,
    };
    let mut at = first;
    for k in keys {
        let next = match k {
            Key::Field(name) => at.get_ref().get(*name),
            Key::Index(i) => at.get_ref().get(*i),
        };
        match next {
            Some(v) => at = v,
            None => break,
        }
    }
    Some(at.span().start)
}

fn line_column(text: &str, offset: usize) -> Where {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Where::Line { line, column }
}

/// The names between backticks in a serde message, in order.
fn quoted(msg: &str) -> Vec<&str> {
    msg.split('`').skip(1).step_by(2).collect()
}

fn kind(english: &str) -> String {
    let e = english.trim();
    let e = e
        .strip_prefix("a ")
        .or_else(|| e.strip_prefix("an "))
        .unwrap_or(e);
    let word = e.split_whitespace().next().unwrap_or("");
    // The value comes in backticks (integer `1`) or quotes (string "nej").
    let value = quoted(e)
        .first()
        .copied()
        .or_else(|| e.split('"').nth(1))
        .map(|v| format!(" ({v})"))
        .unwrap_or_default();
    let what = match word {
        "string" | "str" | "char" => "en text",
        "integer" | "i64" | "u64" => "ett heltal",
        "float" | "f64" => "ett decimaltal",
        "boolean" | "bool" => "ett sanningsvärde (true/false)",
        "sequence" | "array" | "list" => "en lista",
        "map" | "table" | "struct" => "en tabell",
        "datetime" | "date" => "ett datum",
        _ => "ett annat slags värde",
    };
    format!("{what}{value}")
}

/// The toml crate's English message, in Swedish.
/// `written` is the text the error points at, when known.
fn swedish(msg: &str, written: Option<&str>) -> (bool, String) {
    let names = quoted(msg);
    let list = |v: &[&str]| v.join(", ");
    let first = names.first().copied().unwrap_or("");
    if msg.starts_with("unknown field") {
        let hint = SWEDISH_NAMES
            .iter()
            .find(|(sv, _)| sv.eq_ignore_ascii_case(first))
            .filter(|(_, en)| names[1..].contains(en))
            .map(|(_, en)| format!(" Menar du \"{en}\"?"))
            .unwrap_or_default();
        let allowed = if names.len() > 1 {
            format!(" Tillåtna fält här: {}.", list(&names[1..]))
        } else {
            String::new()
        };
        (false, format!("okänt fält \"{first}\".{allowed}{hint}"))
    } else if msg.starts_with("missing field") {
        (false, format!("fältet \"{first}\" saknas; lägg till det"))
    } else if msg.starts_with("duplicate field") || msg.starts_with("duplicate key") {
        let name = Some(first)
            .filter(|f| !f.is_empty())
            .or(written.map(str::trim).filter(|w| !w.is_empty()));
        let what = name.map_or("ett fält".to_string(), |n| format!("fältet \"{n}\""));
        (true, format!("{what} står två gånger; ta bort det ena"))
    } else if msg.starts_with("unknown variant") {
        (
            false,
            format!(
                "okänt värde \"{first}\"; skriv ett av: {}",
                list(&names[1..])
            ),
        )
    } else if let Some(rest) = msg.strip_prefix("invalid type:") {
        let (got, want) = rest.split_once(", expected").unwrap_or((rest, ""));
        (
            false,
            format!("här står {}, men här ska stå {}", kind(got), kind(want)),
        )
    } else if msg.starts_with("invalid value") || msg.starts_with("invalid length") {
        (false, "värdet är ogiltigt här".to_string())
    } else if msg.starts_with(super::NOUN_FORM) {
        // Our own message, already Swedish.
        (false, msg.to_string())
    } else {
        // The parser's own syntax messages are English and many; say what
        // usually causes them instead of quoting them.
        (
            true,
            "felaktig TOML-syntax: kontrollera citattecken, likhetstecken och hakparenteser på raden"
                .to_string(),
        )
    }
}

fn translate(e: &toml::de::Error, text: &str, path: &Path) -> PlanError {
    let at = e.span().map(|s| line_column(text, s.start));
    let written = e.span().and_then(|s| text.get(s));
    let (syntax, message) = swedish(e.message().trim(), written);
    let problem = PlanProblem {
        at,
        field: None,
        message,
    };
    if syntax {
        PlanError::Syntax {
            path: path.to_path_buf(),
            problem,
        }
    } else {
        PlanError::Invalid {
            path: path.to_path_buf(),
            problems: vec![problem],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_messages_become_swedish() {
        let (_, m) = swedish(
            "unknown field `titel`, expected one of `id`, `title`, `version`",
            None,
        );
        assert_eq!(
            m,
            "okänt fält \"titel\". Tillåtna fält här: id, title, version. Menar du \"title\"?"
        );
        let (_, m) = swedish("invalid type: integer `1`, expected a string", None);
        assert_eq!(m, "här står ett heltal (1), men här ska stå en text");
        let (_, m) = swedish("missing field `id`", None);
        assert_eq!(m, "fältet \"id\" saknas; lägg till det");
    }

    #[test]
    fn lines_and_columns_count_characters() {
        assert_eq!(
            line_column("a = 1\nåäö = 2", 12),
            Where::Line { line: 2, column: 4 }
        );
    }
}
