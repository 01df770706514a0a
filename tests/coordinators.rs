//! A coordinator's whole way without TOML, through the real binary, for
//! three plans written from the seeds: `samla plan new` → the plan workbook
//! filled in → `plan check` → `template` → returns filled (`samla fill`) →
//! `merge`. Every rating and comment is read back from the JSON, and no text
//! a person reads says "region" when the plan's respondents are another kind.

mod common;

use std::path::Path;

use common::*;
use rust_xlsxwriter::Workbook;

/// A respondent's answers: goal id → (rating, comment) as typed.
type Answers<'a> = Vec<(&'a str, Option<&'a str>, Option<&'a str>)>;

/// A plan workbook as a coordinator fills it in.
struct PlanBook<'a> {
    fields: [(&'a str, &'a str); 8],
    respondents: Vec<(&'a str, &'a str)>,
    scale: Vec<[&'a str; 3]>,
    /// Område-id, Område, Mål-id, Mål, Ansvarig, Tidplan.
    goals: Vec<[&'a str; 6]>,
}

impl PlanBook<'_> {
    fn bytes(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        let mut sheet = |name: &str, rows: Vec<Vec<&str>>| {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    if !v.is_empty() {
                        ws.write_string(r as u32, c as u16, *v).unwrap();
                    }
                }
            }
        };
        sheet("Instruktioner", vec![vec!["Ifylld av samordnaren."]]);
        let mut plan = vec![vec!["Fält", "Värde"]];
        plan.extend(self.fields.iter().map(|(k, v)| vec![*k, *v]));
        sheet("Plan", plan);
        let mut r = vec![vec!["Kod", "Namn"]];
        r.extend(self.respondents.iter().map(|(k, n)| vec![*k, *n]));
        sheet("Svarande", r);
        let mut s = vec![vec!["Kod", "Benämning", "Betyder"]];
        s.extend(self.scale.iter().map(|l| l.to_vec()));
        sheet("Skala", s);
        let mut g = vec![vec![
            "Område-id",
            "Område",
            "Mål-id",
            "Mål",
            "Ansvarig",
            "Tidplan",
        ]];
        g.extend(self.goals.iter().map(|l| l.to_vec()));
        sheet("Mål", g);
        wb.save_to_buffer().unwrap()
    }

    /// Every text of the plan itself: names, titles, goals.
    fn own_texts(&self) -> Vec<String> {
        let mut t: Vec<String> = self.fields.iter().map(|(_, v)| v.to_string()).collect();
        t.extend(
            self.respondents
                .iter()
                .flat_map(|(c, n)| [c.to_string(), n.to_string()]),
        );
        t.extend(
            self.goals
                .iter()
                .flat_map(|g| g.iter().map(|s| s.to_string())),
        );
        t
    }
}

/// Runs the whole way; returns the folder and the merged JSON.
fn whole_way(
    book: &PlanBook,
    answers: &[(&str, Answers)],
    templates: usize,
) -> (Dir, serde_json::Value) {
    let d = Dir::new();
    d.samla(["plan", "new", "plan.xlsx"]).output();
    assert_eq!(
        sheet_names(&d.join("plan.xlsx"))[1..],
        ["Plan", "Svarande", "Skala", "Mål"]
    );
    d.create("plan.xlsx", book.bytes());
    let o = d.samla(["plan", "check", "plan.xlsx"]).output();
    assert!(stdout(&o).contains("planen är giltig"), "{}", stdout(&o));
    let o = d
        .samla(["template", "--plan", "plan.xlsx", "--out", "mallar"])
        .output();
    let written: Vec<String> = stdout(&o).lines().map(str::to_string).collect();
    assert_eq!(written.len(), templates, "{written:?}");
    d.mkdir("inkorg");
    for (code, goals) in answers {
        let mut toml = format!("respondent = {code:?}\n");
        for (id, rating, comment) in goals {
            toml += &format!("[goals.{id:?}]\n");
            if let Some(r) = rating {
                toml += &format!("rating = {r:?}\n");
            }
            if let Some(c) = comment {
                toml += &format!("comment = {c:?}\n");
            }
        }
        let a = d.create(&format!("svar-{code}.toml"), toml);
        d.samla(["fill", "--plan", "plan.xlsx", "--answers"])
            .arg(&a)
            .arg("--out")
            .arg(d.join(format!("inkorg/{code}.xlsx")))
            .output();
    }
    let o = d
        .samla(["merge", "--plan", "plan.xlsx", "--inbox", "inkorg"])
        .args(["--out", "ut", "--json"])
        .output();
    d.create("merge.stderr", stderr(&o));
    let j = json(&d.join("ut/sammanstallning.json"));
    for (code, goals) in answers {
        for (id, rating, comment) in goals {
            let g = goal(&j, id);
            if let Some(r) = rating {
                assert_eq!(g["ratings"][code], *r, "{code} {id}");
            }
            match comment {
                Some(c) => assert_eq!(g["comments"][code], *c, "{code} {id}"),
                None => assert!(g["comments"].get(code).is_none(), "{code} {id}"),
            }
        }
    }
    (d, j)
}

/// Every text of every sheet (the hidden identity sheet aside), with the
/// plan's own texts and the finding codes (stable identifiers such as
/// `unknown-region`, never translated) removed.
fn texts_people_read(path: &Path, own: &[String]) -> Vec<String> {
    let codes: Vec<String> = samla::FindingCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let mut own: Vec<&String> = own.iter().chain(&codes).filter(|s| !s.is_empty()).collect();
    own.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = Vec::new();
    for name in sheet_names(path) {
        if name == "samla" {
            continue;
        }
        for row in sheet(path, &name) {
            for cell in row {
                let mut t = cell.clone();
                for o in &own {
                    t = t.replace(o.as_str(), "");
                }
                out.push(format!("{name}: {t}"));
            }
        }
    }
    out
}

fn assert_no_region(d: &Dir, own: &[String]) {
    // What the commands say: the merge's summary, and a respondent's check.
    let merge = std::fs::read_to_string(d.join("merge.stderr")).unwrap();
    let o = d
        .samla(["check", "--plan", "plan.xlsx", "inkorg/AKUT.xlsx"])
        .raw_output();
    for said in [merge, stdout(&o), stderr(&o)] {
        let mut t = said.clone();
        for s in own.iter().filter(|s| !s.is_empty()) {
            t = t.replace(s.as_str(), "");
        }
        assert!(!t.to_lowercase().contains("region"), "{said}");
    }
    let mut files: Vec<_> = std::fs::read_dir(d.join("mallar"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(d.join("ut/sammanstallning.xlsx"));
    files.push(d.join("ut/avvikelser.xlsx"));
    for f in files {
        for t in texts_people_read(&f, own) {
            assert!(!t.to_lowercase().contains("region"), "{}: {t}", f.display());
        }
    }
}

#[test]
fn rcc_sydost_three_regions_on_u_p_e() {
    let book = PlanBook {
        fields: [
            ("id", "rcc-sydost-vp-2022"),
            ("titel", "Verksamhetsplan 2022 RCC Sydöst"),
            ("version", "1"),
            ("period", "2022"),
            ("samordnare-kod", "RCC Sydöst"),
            ("samordnare-namn", "Regionalt cancercentrum sydöst"),
            ("samordnaren-svarar", "ja"),
            ("svarande", "region/regioner"),
        ],
        respondents: vec![
            ("RJL", "Region Jönköpings län"),
            ("RKL", "Region Kalmar län"),
            ("RÖ", "Region Östergötland"),
        ],
        scale: vec![
            ["U", "Uppnått", "uppnått"],
            ["P", "Pågående", "pågående"],
            ["E", "Ej påbörjat", "ej påbörjat"],
        ],
        goals: vec![
            [
                "L1",
                "Behandling inom fyra veckor",
                "L1.1",
                "Bevaka, stödja och samordna arbetet med SVF.",
                "Verksamhetschef RCC",
                "Kontinuerligt",
            ],
            [
                "L1",
                "",
                "L1.2",
                "Öka användningen av SVF- och kvalitetsregisterdata.",
                "Statistiker",
                "Kontinuerligt",
            ],
            [
                "L2",
                "Diagnostik och behandling enligt best practice",
                "L2.1",
                "Multidisciplinär konferens för alla patienter.",
                "Processledare",
                "2022",
            ],
            [
                "L3",
                "Välinformerade och delaktiga patienter",
                "L3.1",
                "Min vårdplan till alla patienter.",
                "Kontaktsjuksköterskor",
                "Q4 2022",
            ],
            [
                "L4",
                "Lika god palliativ vård",
                "L4.1",
                "Brytpunktssamtal dokumenteras.",
                "",
                "",
            ],
            [
                "L5",
                "Hälsofrämjande insatser och screening",
                "L5.1",
                "Organiserad prostatacancertestning.",
                "",
                "2022",
            ],
            [
                "L6",
                "Patientnära forskning",
                "L6.1",
                "Fler patienter i kliniska studier.",
                "Forskningsråd",
                "",
            ],
        ],
    };
    let answers = vec![
        (
            "RJL",
            vec![
                ("L1.1", Some("U"), Some("Rutinen är etablerad.")),
                ("L1.2", Some("P"), None),
                (
                    "L2.1",
                    Some("U/E"),
                    Some("MDK finns, men inte för alla diagnoser."),
                ),
                (
                    "L3.1",
                    Some("P?"),
                    Some("Osäkert hur många som fått planen."),
                ),
                ("L4.1", Some("E"), None),
                ("L5.1", None, Some("Ingen bedömning ännu.")),
                ("L6.1", Some("P"), None),
            ],
        ),
        (
            "RKL",
            vec![
                ("L1.1", Some("U"), None),
                ("L1.2", Some("U"), None),
                ("L2.1", Some("P"), Some("Pågår.")),
                ("L3.1", Some("U"), None),
                ("L4.1", Some("P"), None),
                ("L5.1", Some("E"), None),
                ("L6.1", Some("E"), None),
            ],
        ),
        (
            "RÖ",
            vec![
                ("L1.1", Some("U"), None),
                ("L1.2", Some("P"), None),
                ("L2.1", Some("U"), None),
                ("L3.1", Some("U"), None),
                ("L4.1", Some("P"), Some("Utbildning planerad.")),
                ("L5.1", Some("P"), None),
                ("L6.1", Some("U"), None),
            ],
        ),
        (
            "RCC Sydöst",
            vec![(
                "L1.1",
                None,
                Some("RCC Sydöst: god följsamhet i alla tre regioner."),
            )],
        ),
    ];
    let (d, j) = whole_way(&book, &answers, 4);
    assert_eq!(
        j["stats"]["achieved_everywhere"],
        serde_json::json!(["L1.1"])
    );
    assert_eq!(
        j["stats"]["achieved_all_but_one"],
        serde_json::json!(["L3.1"])
    );
    assert_eq!(
        j["stats"]["missing_some_rating"],
        serde_json::json!(["L5.1"])
    );
    // Ansvarig and Tidplan: read-only in the template, carried into the JSON.
    let g = goal(&j, "L1.1");
    assert_eq!(g["responsible"], "Verksamhetschef RCC");
    assert_eq!(g["schedule"], "Kontinuerligt");
    assert!(goal(&j, "L4.1").get("responsible").is_none());
    let t = sheet(&d.join("mallar/rcc-sydost-vp-2022-RJL.xlsx"), "Uppföljning");
    assert_eq!(
        t[4],
        [
            "Område",
            "Mål-id",
            "Mål",
            "Ansvarig",
            "Tidplan",
            "Bedömning",
            "Kommentar (nuläge)"
        ]
    );
    assert_eq!(t[5][3..5], ["Verksamhetschef RCC", "Kontinuerligt"]);
    // The examples in the texts are the plan's own codes.
    let ins = sheet(
        &d.join("mallar/rcc-sydost-vp-2022-RJL.xlsx"),
        "Instruktioner",
    );
    assert!(
        ins.iter()
            .flatten()
            .any(|c| c.contains("t.ex. U/E. Är ni osäkra, skriv t.ex. P?.")),
        "{ins:?}"
    );
    // Every return merged: the read-only columns and the title naming the
    // coordinator are no discrepancy.
    let codes: Vec<&str> = j["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"text-outside-answers"), "{codes:?}");
    assert_eq!(j["summary"]["merged"], 4);
}

#[test]
fn mellansverige_seven_regions_with_a_not_applicable_level() {
    let regions = vec![
        ("RD", "Region Dalarna"),
        ("RG", "Region Gävleborg"),
        ("RS", "Region Sörmland"),
        ("RU", "Region Uppsala"),
        ("RVL", "Region Värmland"),
        ("RVM", "Region Västmanland"),
        ("RÖL", "Region Örebro län"),
    ];
    let book = PlanBook {
        fields: [
            ("id", "mellansverige-aktivitetsplan-2020"),
            (
                "titel",
                "Aktivitetsplan 2020 – Sjukvårdsregion Mellansverige",
            ),
            ("version", "2020"),
            ("period", "2020"),
            ("samordnare-kod", "SVN"),
            ("samordnare-namn", "Samverkansnämnden Mellansverige"),
            ("samordnaren-svarar", "ja"),
            ("svarande", "region/regioner"),
        ],
        respondents: regions.clone(),
        scale: vec![
            ["G", "Genomförd", "uppnått"],
            ["D", "Delvis genomförd", "pågående"],
            ["EG", "Ej genomförd", "ej påbörjat"],
            ["EA", "Ej aktuellt", "ej aktuellt"],
        ],
        goals: vec![
            [
                "KS",
                "Kunskapsstyrning",
                "KS.1",
                "Utveckla arbetet med kunskapsstyrning nationellt och sjukvårdsregionalt.",
                "",
                "",
            ],
            [
                "KS",
                "Kunskapsstyrning",
                "KS.2",
                "Följa upp arbetet med en jämlik sjukvård av god kvalitet.",
                "",
                "",
            ],
            [
                "NS",
                "Nivåstrukturering",
                "NS.1",
                "Arbeta med nationell och sjukvårdsregional nivåstrukturering.",
                "",
                "",
            ],
            [
                "ÖS",
                "Övergripande samverkan",
                "ÖS.1",
                "Samverka vid köp av vård utom sjukvårdsregionen.",
                "",
                "",
            ],
            [
                "ÖS",
                "Övergripande samverkan",
                "ÖS.2",
                "Utveckla produktionsplanering och produktionssamverkan.",
                "",
                "",
            ],
        ],
    };
    // KS.1: achieved where it applies (two regions: not applicable);
    // KS.2: achieved by all applicable but one; NS.1: not applicable and
    // in progress only, so not "not started"; ÖS.1: not started in one.
    let rating = |goal: &str, i: usize| -> &'static str {
        match (goal, i) {
            ("KS.1", 1 | 4) => "EA",
            ("KS.1", _) => "G",
            ("KS.2", 0) => "EA",
            ("KS.2", 6) => "D",
            ("KS.2", _) => "G",
            ("NS.1", 2) => "EA",
            ("NS.1", _) => "D",
            ("ÖS.1", 3) => "EG",
            ("ÖS.1", _) => "D",
            _ => "G",
        }
    };
    let goal_ids = ["KS.1", "KS.2", "NS.1", "ÖS.1", "ÖS.2"];
    let answers: Vec<(&str, Answers)> = regions
        .iter()
        .enumerate()
        .map(|(i, (code, _))| {
            let goals = goal_ids
                .iter()
                .map(|g| {
                    (
                        *g,
                        Some(rating(g, i)),
                        (i == 0).then_some("Dalarnas kommentar."),
                    )
                })
                .collect();
            (*code, goals)
        })
        .collect();
    let (d, j) = whole_way(&book, &answers, 8);
    assert_eq!(
        j["stats"]["achieved_everywhere"],
        serde_json::json!(["KS.1", "ÖS.2"])
    );
    assert_eq!(
        j["stats"]["achieved_all_but_one"],
        serde_json::json!(["KS.2"])
    );
    assert_eq!(
        j["stats"]["not_started_somewhere"],
        serde_json::json!(["ÖS.1"])
    );
    assert_eq!(j["stats"]["per_region"]["RVL"]["EA"], 1);
    // The summary's lists are named by the levels' meanings, not positions.
    let sum = sheet(&d.join("ut/sammanstallning.xlsx"), "Sammanfattning");
    let flat: Vec<&String> = sum.iter().flatten().collect();
    assert!(
        flat.iter()
            .any(|c| c.starts_with("Mål som alla regioner bedömer som genomförd (2 st)")),
        "{flat:?}"
    );
    assert!(
        flat.iter()
            .any(|c| c.starts_with("Mål som minst en region bedömer som ej genomförd (1 st)")),
        "{flat:?}"
    );
    assert!(
        flat.iter().any(|c| c.as_str() == "Annat (t.ex. G/EG, D?)"),
        "{flat:?}"
    );
}

#[test]
fn nrf_27_programme_areas_no_responding_coordinator_one_missing() {
    let rpo = [
        ("AKUT", "RPO Akut vård"),
        ("BARN", "RPO Barn och ungdomars hälsa"),
        ("CANC", "RPO Cancersjukdomar"),
        ("ENDO", "RPO Endokrina sjukdomar"),
        ("HJÄRT", "RPO Hjärt- och kärlsjukdomar"),
        ("INF", "RPO Infektionssjukdomar"),
        ("KIR", "RPO Kirurgi och plastikkirurgi"),
        ("LEVN", "RPO Levnadsvanor"),
        ("LUNG", "RPO Lung- och allergisjukdomar"),
        ("BILD", "RPO Bild- och funktionsmedicin"),
        ("LAB", "RPO Laboratoriemedicin"),
        ("MAG", "RPO Mag- och tarmsjukdomar"),
        ("NJUR", "RPO Njur- och urinvägssjukdomar"),
        ("NERV", "RPO Nervsystemets sjukdomar"),
        ("PERI", "RPO Perioperativ vård och intensivvård"),
        ("PSYK", "RPO Psykisk hälsa"),
        ("REHAB", "RPO Rehabilitering och habilitering"),
        ("REUM", "RPO Reumatiska sjukdomar"),
        ("SÄLL", "RPO Sällsynta sjukdomar"),
        ("TAND", "RPO Tandvård"),
        ("KVINNO", "RPO Kvinnosjukdomar och förlossning"),
        ("ÖGON", "RPO Ögonsjukdomar"),
        ("ÖNH", "RPO Öron-, näs- och halssjukdomar"),
        ("RÖR", "RPO Rörelseorganens sjukdomar"),
        ("HUD", "RPO Hud- och könssjukdomar"),
        ("ÄLDRE", "RPO Äldres hälsa"),
        ("LÄK", "RPO Läkemedel"),
    ];
    let book = PlanBook {
        fields: [
            ("id", "nrf-rpo-dialoger-2024"),
            ("titel", "Uppföljningsdialoger med RPO hösten 2024"),
            ("version", "1"),
            ("period", "2024"),
            ("samordnare-kod", "NRF"),
            ("samordnare-namn", "Norra sjukvårdsregionförbundet"),
            ("samordnaren-svarar", "nej"),
            ("svarande", "RPO/RPO:er"),
        ],
        respondents: rpo.to_vec(),
        scale: vec![
            ["J", "Ja", "uppnått"],
            ["D", "Delvis", "pågående"],
            ["N", "Nej", "ej påbörjat"],
        ],
        goals: vec![
            [
                "G",
                "Generella uppdrag",
                "G.1",
                "Bidra med behovsinventering och underlag för nationell samverkan.",
                "",
                "",
            ],
            [
                "G",
                "Generella uppdrag",
                "G.2",
                "Ta del av nationella kunskapsstöd och verka för att de införs.",
                "",
                "",
            ],
            [
                "G",
                "Generella uppdrag",
                "G.3",
                "Följa upp beslutade och införda kunskapsstöd.",
                "",
                "",
            ],
            [
                "LPO",
                "Lokala programområden",
                "LPO.1",
                "Ha ett LPO att samarbeta med i alla fyra huvudmän.",
                "",
                "",
            ],
        ],
    };
    let ratings = ["J", "D", "N", "J/N", "D?"];
    let answers: Vec<(&str, Answers)> = rpo
        .iter()
        .enumerate()
        .filter(|(_, (code, _))| *code != "SÄLL")
        .map(|(i, (code, _))| {
            let goals = ["G.1", "G.2", "G.3", "LPO.1"]
                .iter()
                .enumerate()
                .map(|(k, g)| {
                    (
                        *g,
                        Some(ratings[(i + k) % ratings.len()]),
                        (k == 0).then_some("Dialog hållen."),
                    )
                })
                .collect();
            (*code, goals)
        })
        .collect();
    let (d, j) = whole_way(&book, &answers, 27);
    // No coordinator template, and nobody misses the coordinator.
    assert!(!d.join("mallar/nrf-rpo-dialoger-2024-NRF.xlsx").exists());
    let missing: Vec<&serde_json::Value> = j["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "missing-submission")
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["region"], "SÄLL");
    assert_eq!(j["summary"]["missing"], serde_json::json!(["SÄLL"]));
    let head = sheet(&d.join("ut/sammanstallning.xlsx"), "Sammanställning");
    assert!(
        head[1][0].contains("Svar från 26 av 27 RPO:er (saknas: SÄLL)."),
        "{:?}",
        head[1]
    );
    assert_eq!(
        sheet(&d.join("ut/sammanstallning.xlsx"), "Svar")[0][2],
        "RPO"
    );
    assert_eq!(
        sheet(&d.join("ut/avvikelser.xlsx"), "Avvikelser")[0][2],
        "RPO"
    );
    assert_no_region(&d, &book.own_texts());
}

/// A return without its identity sheet is identified by the "Svarande"
/// line and its file name, even when the plan's title names the coordinator
/// (seed 002: "Verksamhetsplan 2022 RCC Sydöst").
#[test]
fn a_title_naming_the_coordinator_does_not_confuse_identity() {
    let plan = samla::Plan::from_toml_str(
        r#"
        id = "rcc-sydost-vp-2022"
        title = "Verksamhetsplan 2022 RCC Sydöst"
        version = "1"
        period = "2022"
        [coordinator]
        code = "RCC Sydöst"
        name = "Regionalt cancercentrum sydöst"
        [[regions]]
        code = "RÖ"
        name = "Region Östergötland"
        [[regions]]
        code = "RKL"
        name = "Region Kalmar län"
        [[scale]]
        code = "U"
        label = "Uppnått"
        [[areas]]
        id = "L1"
        title = "Löfte 1"
        [[areas.goals]]
        id = "L1.1"
        text = "Behandling inom fyra veckor."
        "#,
        "plan.toml",
    )
    .unwrap();
    let who = samla::plan::Respondent::Region(samla::RegionCode("RÖ".into()));
    let bytes = samla::template::workbook(&plan, &who, None).unwrap();
    let path = Path::new("inkorg/svar.xlsx");
    let mut raw = samla::reader::read_bytes(&bytes, path, &Default::default()).unwrap();
    raw.meta.clear(); // as if copied into a new workbook
    let sub = samla::validate::validate(&plan, path, &raw);
    assert_eq!(sub.respondent(), Some(&who), "{:?}", sub.findings);
    assert!(sub
        .findings
        .iter()
        .any(|f| f.code == samla::FindingCode::IdentityFromFileName));
}
