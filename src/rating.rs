//! Ratings as regions write them: a level of the plan's scale (`P`), a
//! compound rating for a goal with several parts (`U/E`), or an uncertain one
//! (`P?`).
//!
//! ```
//! use samla::rating::{parse, Parsed};
//! use samla::Rating;
//! let scale = ["U", "P", "E"].map(|c| (c.to_string(), String::new()));
//! let labels = [("U", "Uppnått mål"), ("P", "Pågående arbete"), ("E", "Ej påbörjat arbete")]
//!     .map(|(c, l)| (c.to_string(), l.to_string()));
//! assert_eq!(parse("U/E", &labels), Parsed::Exact(Rating::Compound(["U".into(), "E".into()].into())));
//! assert_eq!(parse(" p ", &labels), Parsed::Normalised(Rating::Level("P".into())));
//! assert_eq!(parse("Pågående", &labels), Parsed::Normalised(Rating::Level("P".into())));
//! assert_eq!(parse("X", &labels), Parsed::Invalid);
//! # let _ = scale;
//! ```

use std::borrow::Cow;
use std::fmt;

use compact_str::CompactString;
use serde::{Serialize, Serializer};

/// A rating on the plan's scale.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rating {
    /// One level, e.g. `U`. Held inline (a code of up to 24 bytes takes
    /// no allocation): a merge of 5,000 returns holds 275,000 of them.
    Level(CompactString),
    /// A goal with several parts, each rated, e.g. `U/E`: inclusion target
    /// met, lead-time target not. A boxed slice, so that a rating takes 24
    /// bytes rather than 32.
    Compound(Box<[String]>),
    /// A level the region is unsure of, e.g. `P?`.
    Uncertain(Box<Rating>),
}

impl Rating {
    /// The canonical written form: `U`, `U/E`, `P?`.
    pub fn code(&self) -> String {
        match self {
            Rating::Level(c) => c.to_string(),
            Rating::Compound(parts) => parts.join("/"),
            Rating::Uncertain(inner) => format!("{}?", inner.code()),
        }
    }

    /// [`Rating::code`], borrowed for a single level: the reports ask it of
    /// every answer, and nearly every rating is a single level.
    ///
    /// ```
    /// use samla::Rating;
    /// assert_eq!(Rating::Level("U".into()).as_code(), "U");
    /// assert_eq!(Rating::Compound(["U".into(), "E".into()].into()).as_code(), "U/E");
    /// ```
    pub fn as_code(&self) -> Cow<'_, str> {
        match self {
            Rating::Level(c) => Cow::Borrowed(c.as_str()),
            other => Cow::Owned(other.code()),
        }
    }

    /// The single level, if the rating is neither compound nor uncertain.
    pub fn level(&self) -> Option<&str> {
        match self {
            Rating::Level(c) => Some(c.as_str()),
            _ => None,
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl Serialize for Rating {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

/// What [`parse`] made of a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Blank: the region gave no rating.
    Blank,
    /// Written exactly in the scale's form.
    Exact(Rating),
    /// Understood, but written differently (case, spaces, a full word):
    /// reported so that nobody is surprised by the normalisation.
    Normalised(Rating),
    /// Not on the scale.
    Invalid,
}

fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Matches one part (no `/`, no `?`) against codes, then labels.
fn level<'s>(part: &str, scale: &'s [(String, String)]) -> Option<(&'s str, bool)> {
    let t = part.trim();
    if let Some((c, _)) = scale.iter().find(|(c, _)| c == t) {
        return Some((c, false));
    }
    if let Some((c, _)) = scale.iter().find(|(c, _)| c.eq_ignore_ascii_case(t)) {
        return Some((c, true));
    }
    let f = fold(t);
    if f.is_empty() {
        return None;
    }
    // A full label, or its leading words ("Pågående", "Ej påbörjat"), when
    // that prefix names exactly one level.
    let hits: Vec<_> = scale
        .iter()
        .filter(|(_, label)| {
            let l = fold(label);
            l == f || l.starts_with(&format!("{f} "))
        })
        .collect();
    match hits.as_slice() {
        [(c, _)] => Some((c.as_str(), true)),
        _ => None,
    }
}

/// Reads a rating as written. `scale` holds (code, label) pairs.
pub fn parse(raw: &str, scale: &[(String, String)]) -> Parsed {
    let t = raw.trim();
    if t.is_empty() {
        return Parsed::Blank;
    }
    let mut normalised = t != raw;
    let (body, uncertain) = match t.strip_suffix('?') {
        Some(b) => (b.trim_end(), true),
        None => (t, false),
    };
    if uncertain && body.len() != t.len() - 1 {
        normalised = true;
    }
    let mut parts = Vec::new();
    for p in body.split('/') {
        if p.trim() != p {
            normalised = true;
        }
        match level(p, scale) {
            Some((code, n)) => {
                normalised |= n;
                parts.push(code);
            }
            None => return Parsed::Invalid,
        }
    }
    let base = match parts[..] {
        [one] => Rating::Level(one.into()),
        _ => Rating::Compound(parts.iter().map(|p| p.to_string()).collect()),
    };
    let rating = if uncertain {
        Rating::Uncertain(Box::new(base))
    } else {
        base
    };
    if normalised {
        Parsed::Normalised(rating)
    } else {
        Parsed::Exact(rating)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> Vec<(String, String)> {
        [
            ("U", "Uppnått mål"),
            ("P", "Pågående arbete"),
            ("E", "Ej påbörjat arbete"),
        ]
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .to_vec()
    }

    #[test]
    fn a_rating_takes_three_words() {
        // One per goal and return is held until the reports are written.
        let words = std::mem::size_of::<usize>();
        assert_eq!(std::mem::size_of::<Option<Rating>>(), 3 * words);
        let long = "Uppnått mål, med marginal";
        assert_eq!(Rating::Level(long.into()).level(), Some(long));
    }

    #[test]
    fn forms_seen_in_real_returns() {
        let s = scale();
        assert_eq!(parse("P", &s), Parsed::Exact(Rating::Level("P".into())));
        assert_eq!(
            parse("P?", &s),
            Parsed::Exact(Rating::Uncertain(Box::new(Rating::Level("P".into()))))
        );
        assert_eq!(
            parse("E/P", &s),
            Parsed::Exact(Rating::Compound(["E".into(), "P".into()].into()))
        );
        assert_eq!(parse("", &s), Parsed::Blank);
        assert_eq!(parse("   ", &s), Parsed::Blank);
        assert_eq!(
            parse("u", &s),
            Parsed::Normalised(Rating::Level("U".into()))
        );
        assert_eq!(
            parse("Ej påbörjat", &s),
            Parsed::Normalised(Rating::Level("E".into()))
        );
        assert_eq!(
            parse("UPPNÅTT MÅL", &s),
            Parsed::Normalised(Rating::Level("U".into()))
        );
        assert_eq!(
            parse("U / E", &s),
            Parsed::Normalised(Rating::Compound(["U".into(), "E".into()].into()))
        );
        assert_eq!(parse("Ja", &s), Parsed::Invalid);
        assert_eq!(parse("U/", &s), Parsed::Invalid);
        assert_eq!(parse("?", &s), Parsed::Invalid);
        assert_eq!(
            Rating::Uncertain(Box::new(Rating::Level("P".into()))).code(),
            "P?"
        );
    }
}
