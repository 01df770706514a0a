//! The demo's two rounds (issue 11 item 5): `samples/forra-omgangen/` is an
//! earlier round of constructed example data, labelled so in its files, in
//! step with the bundled plan and with its answers; `make demo`'s
//! comparison with it shows every kind of change.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::*;
use samla::rounds::Transition;

fn earlier() -> PathBuf {
    repo().join(EARLIER)
}

#[test]
fn the_earlier_plan_is_the_bundled_plan_but_its_labelled_period() {
    let mut p = samla::Plan::load(earlier().join("plan.toml")).unwrap();
    assert_eq!(p.period, "2022, konstruerat exempel");
    p.period = plan().period;
    assert!(
        p == plan(),
        "{EARLIER}/plan.toml differs from the bundled plan in more than its period: \
         copy the plan's change over, then `make samples`"
    );
}

#[test]
fn the_earlier_returns_are_up_to_date() {
    let p = samla::Plan::load(earlier().join("plan.toml")).unwrap();
    let stale = stale_samples(&p, &earlier().join("answers"), &earlier().join("inkorg"));
    assert!(stale.is_empty(), "{stale:?} are stale: run `make samples`");
    // One answers file and one return per respondent of the plan.
    let answers = dir_list(&earlier().join("answers"));
    assert_eq!(answers.len(), samla::plan::Respondent::all(&p).len());
    assert_eq!(dir_list(&earlier().join("inkorg")).len(), answers.len());
}

#[test]
fn every_file_says_it_is_constructed() {
    for name in dir_list(&earlier().join("answers")) {
        let text = std::fs::read_to_string(earlier().join("answers").join(&name)).unwrap();
        assert!(
            text.starts_with(
                "# KONSTRUERADE EXEMPELDATA – inte från någon rapport.\n\
                 # Constructed example data, not from any report.\n"
            ),
            "{name}: the header does not label it"
        );
    }
    let plan = std::fs::read_to_string(earlier().join("plan.toml")).unwrap();
    assert!(plan.starts_with("# KONSTRUERADE EXEMPELDATA"), "plan.toml");
    let readme = std::fs::read_to_string(earlier().join("README.md")).unwrap();
    for words in [
        "**konstruerade exempeldata, inte hämtade\nfrån någon rapport**",
        "**constructed example data, not taken\nfrom any report**",
    ] {
        assert!(readme.contains(words), "README.md lacks {words:?}");
    }
    // The returns carry the label in their title line (the period).
    let p = samla::Plan::load(earlier().join("plan.toml")).unwrap();
    let rjh = earlier().join(format!("inkorg/{}-RJH.xlsx", p.id));
    let title = &sheet(&rjh, &sheet_names(&rjh)[0])[0][0];
    assert!(title.contains("2022, konstruerat exempel"), "{title}");
}

/// The demo's comparison: every kind of change at least once, the earlier
/// round named with its labelled period, and the changes that matter to a
/// reader exactly as constructed.
#[test]
fn the_demo_comparison_shows_every_kind_of_change() {
    let w = Dir::new();
    let out = w.join("out");
    demo_merge(&w, &out, &[]);
    let j = json(&out.join("sammanstallning.json"));
    assert_eq!(j["previous"]["period"], "2022, konstruerat exempel");
    assert_eq!(j["previous"]["plan"], "cancerplan-norr-2022-2024");
    let changes = j["changes"].as_array().unwrap();
    let kinds: BTreeSet<&str> = changes
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    for k in Transition::ALL {
        assert!(
            kinds.contains(k.as_str()),
            "no change of kind {}",
            k.as_str()
        );
    }
    let of = |kind: &str| -> Vec<String> {
        changes
            .iter()
            .filter(|c| c["kind"] == kind)
            .map(|c| {
                let r = |v: &serde_json::Value| v.as_str().unwrap_or("–").to_string();
                format!(
                    "{} {} {}→{}",
                    c["goal"].as_str().unwrap(),
                    r(&c["respondent"]),
                    r(&c["from"]),
                    r(&c["to"])
                )
            })
            .collect()
    };
    assert_eq!(
        of("regressed"),
        ["1.3 RVN U→P", "2.1 RN U→P", "2.5 RJH P→E", "4.5 RV U→P"]
    );
    assert_eq!(
        of("newly-rated"),
        [
            "3.6 RVN –→P",
            "4.5 RJH –→U",
            "5.4 RV –→U",
            "6.5 RN –→U",
            "7.2 RV –→P?"
        ]
    );
    assert_eq!(
        of("no-longer-rated"),
        ["1.5 RN P→–", "5.5 RJH P→–", "7.5 RVN P→–"]
    );
    assert!(of("not-comparable").contains(&"3.1 RJH P→P/U".to_string()));
    assert!(of("still-not-started").contains(&"3.7 RN E→E".to_string()));
    let xlsx = out.join("sammanstallning.xlsx");
    assert!(sheet_names(&xlsx).contains(&"Förändringar".to_string()));
}
