//! Respondents found by name in free text (a line above the answer table, a
//! document property, a file name): the index behind [`Plan::named_in`].

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{Plan, Respondent};

/// Respondents by the folded words of their codes and names.
#[derive(Debug)]
pub(super) struct Names {
    by_words: HashMap<String, Respondent>,
    /// The most words in one code or name.
    longest: usize,
}

/// The plan's caches, built on first use: a national plan has hundreds of
/// units and every one of thousands of files looks them up. Not part of
/// the plan: two plans are equal whatever they hold, and a clone starts
/// without them (a clone is usually made to be changed).
#[derive(Debug, Default)]
pub(super) struct Indexes {
    /// Upper-case region code → index in `regions`.
    pub(super) regions: OnceLock<HashMap<String, usize>>,
    /// Respondents by the words of their codes and names.
    pub(super) names: OnceLock<Names>,
}

impl Clone for Indexes {
    fn clone(&self) -> Indexes {
        Indexes::default()
    }
}

impl PartialEq for Indexes {
    fn eq(&self, _: &Indexes) -> bool {
        true
    }
}

impl Names {
    pub(super) fn new(plan: &Plan) -> Names {
        let mut by_words = HashMap::new();
        let mut longest = 1;
        for who in Respondent::all(plan) {
            for text in [who.code(plan).0.as_str(), who.name(plan)] {
                let words = words(text);
                longest = longest.max(words.len());
                by_words.entry(words.join(" ")).or_insert(who.clone());
            }
        }
        Names { by_words, longest }
    }

    /// Every respondent whose code or name occurs as whole words in `text`.
    /// A hit is checked against the plan as it is now, so a plan changed
    /// after the index was built never yields a respondent it no longer
    /// names that way.
    pub(super) fn named_in(&self, plan: &Plan, text: &str) -> Vec<Respondent> {
        let words = words(text);
        let mut found: Vec<Respondent> = Vec::new();
        // The words from `start` on, joined one more at a time: every file
        // is looked up this way several times, so no string is made per try.
        let mut key = String::new();
        for start in 0..words.len() {
            key.clear();
            for word in &words[start..words.len().min(start + self.longest)] {
                if !key.is_empty() {
                    key.push(' ');
                }
                key.push_str(word);
                let Some(who) = self.by_words.get(key.as_str()) else {
                    continue;
                };
                if still_named(plan, who, &key) && !found.contains(who) {
                    found.push(who.clone());
                }
            }
        }
        found
    }
}

/// Whether `who` is still a respondent of `plan` whose code or name folds to `key`.
fn still_named(plan: &Plan, who: &Respondent, key: &str) -> bool {
    let present = match who {
        Respondent::Region(c) => plan.region(&c.0).is_some(),
        Respondent::Coordinator => plan.coordinator.responds,
    };
    present
        && [who.code(plan).0.as_str(), who.name(plan)]
            .iter()
            .any(|t| words(t).join(" ") == key)
}

/// Lower-case words: letters and digits, split at anything else.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::plan::{Plan, RegionCode, Respondent};

    fn plan() -> Plan {
        Plan::from_toml_str(
            r#"
            id = "p"
            title = "Plan"
            version = "1"
            period = "2023"
            [coordinator]
            code = "RCC Norr"
            name = "Regionalt cancercentrum norr"
            [[regions]]
            code = "RN"
            name = "Region Norrbotten"
            [[scale]]
            code = "U"
            label = "Uppnått mål"
            [[areas]]
            id = "1"
            title = "Prevention"
            [[areas.goals]]
            id = "1.1"
            text = "Screening ska införas."
            "#,
            "p.toml",
        )
        .unwrap()
    }

    #[test]
    fn a_changed_plan_never_answers_from_its_old_index() {
        let rn = Respondent::Region(RegionCode("RN".into()));
        let mut plan = plan();
        assert_eq!(
            plan.named_in("Svar från region NORRBOTTEN"),
            vec![rn.clone()]
        );

        let mut copy = plan.clone();
        copy.regions[0].name = "Region Västerbotten".into();
        assert_eq!(copy.named_in("Region Västerbotten"), vec![rn.clone()]);
        // Equal whatever the caches hold: `copy` has built its index, `fresh` not.
        let mut fresh = plan.clone();
        fresh.regions[0].name = "Region Västerbotten".into();
        assert_eq!(copy, fresh);

        plan.regions[0].name = "Region Kalix".into();
        assert!(plan.named_in("Region Norrbotten").is_empty());
    }
}
