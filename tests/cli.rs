//! End-to-end tests of issue 2: the real binary on the real 2023 follow-up.

mod common;

use std::collections::BTreeMap;

use common::seed::*;
use common::*;

fn merged_samples(w: &Workdir) -> std::path::PathBuf {
    let out = w.join("out");
    let o = w.merge(&samples_dir(), &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    out
}

#[test]
fn demo_writes_its_files_and_the_seeds_ratings() {
    let w = Workdir::new();
    let out = merged_samples(&w);
    for f in [
        "sammanstallning.xlsx",
        "avvikelser.xlsx",
        "sammanstallning.json",
        "rapport.docx",
        "svar.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let j = json(&out.join("sammanstallning.json"));
    assert_eq!(j["schema"], "samla-sammanstallning/1");
    let goals = j["goals"].as_array().unwrap();
    assert_eq!(goals.len(), 43);
    let expected = seed_matrix();
    for g in goals {
        let id = g["id"].as_str().unwrap();
        for r in REGIONS {
            let got = g["ratings"][r].as_str().map(str::to_string);
            assert_eq!(got, expected[id][r], "goal {id}, region {r}");
        }
    }
    let ids: Vec<&str> = goals.iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        expected.keys().map(String::as_str).collect::<Vec<_>>(),
        "plan order"
    );
}

#[test]
fn every_comment_is_the_seeds_word_for_word() {
    let w = Workdir::new();
    let out = merged_samples(&w);
    let seed = seed_text();
    let hay = skeleton(&seed);
    let j = json(&out.join("sammanstallning.json"));
    let mut n = 0;
    for g in j["goals"].as_array().unwrap() {
        for (who, text) in g["comments"].as_object().unwrap() {
            let text = text.as_str().unwrap();
            let pieces = pieces_in_order(&skeleton(text), &hay);
            assert!(
                matches!(pieces, Some(1..=3)),
                "comment of {who} on {} is not the seed's: {text:?} ({pieces:?} pieces)",
                g["id"]
            );
            n += 1;
        }
    }
    // Every region and RCC Norr commented on most goals.
    assert_eq!(n, 148, "the seed has 148 comments");
}

#[test]
fn consolidated_workbook_has_the_matrix_and_every_comment_verbatim() {
    let w = Workdir::new();
    let out = merged_samples(&w);
    let xlsx = out.join("sammanstallning.xlsx");
    assert_eq!(
        sheet_names(&xlsx),
        [
            "Sammanställning",
            "Svar",
            "Sammanfattning",
            "Källor",
            "Inlämningar"
        ]
    );
    let rows = sheet(&xlsx, "Sammanställning");
    assert_eq!(
        rows[3],
        ["Mål-id", "Mål", "RJH", "RN", "RV", "RVN", "Kommentarer"]
    );
    let plan = plan();
    // One heading row per area, as the seed has, then the area's goals.
    let headings: Vec<String> = plan
        .areas
        .iter()
        .map(|a| format!("{} {}", a.id, a.title))
        .collect();
    let heads: Vec<&String> = rows[4..]
        .iter()
        .map(|r| &r[0])
        .filter(|c| headings.contains(c))
        .collect();
    assert_eq!(heads, headings.iter().collect::<Vec<_>>());
    assert_eq!(rows[4][0], headings[0]);
    let is_goal = |id: &str| plan.goals().any(|(_, g)| g.id.0 == id);
    let body: Vec<&Vec<String>> = rows[4..].iter().filter(|r| is_goal(&r[0])).collect();
    assert_eq!(body.len(), 43);
    assert_eq!(rows.len(), 4 + 43 + 7, "nothing but headings and goals");
    let expected = seed_matrix();
    for row in &body {
        let id = &row[0];
        for (i, r) in REGIONS.iter().enumerate() {
            let want = expected[id][*r].clone().unwrap_or_default();
            assert_eq!(row[2 + i], want, "goal {id}, region {r}");
        }
    }
    // Every comment of every return, verbatim, prefixed by its code, in plan order.
    for f in std::fs::read_dir(repo().join("samples/answers")).unwrap() {
        let answers = samla::template::Answers::load(&f.unwrap().path()).unwrap();
        for (id, a) in &answers.goals {
            let Some(c) = &a.comment else { continue };
            let row = body.iter().find(|r| &r[0] == id).unwrap();
            let want = format!("{}: {c}", answers.respondent);
            assert!(
                row[6].contains(&want),
                "goal {id}: comment of {} missing",
                answers.respondent
            );
        }
    }
    let first = body.iter().find(|r| r[0] == "1.1").unwrap();
    let order: Vec<usize> = ["RJH:", "RN:", "RV:", "RVN:", "RCC Norr:"]
        .iter()
        .map(|p| first[6].find(p).unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "regions in plan order, coordinator last"
    );
    assert_eq!(plan.regions.len(), 4);

    let summary = sheet(&xlsx, "Sammanfattning");
    let flat: Vec<String> = summary.iter().flatten().cloned().collect();
    // The report's summary: achieved in all four regions.
    let all_four = flat
        .iter()
        .position(|c| c.starts_with("Mål som alla regioner bedömer som uppnått mål"))
        .unwrap();
    assert!(flat[all_four].contains("(7 st)"), "{}", flat[all_four]);
    for id in ["1.2", "1.4", "1.8", "2.4", "4.4", "6.5", "6.6"] {
        assert!(flat.contains(&id.to_string()), "{id} in the summary lists");
    }
    let sources = sheet(&xlsx, "Källor");
    assert_eq!(
        sources[3],
        [
            "Fil",
            "Region",
            "Format",
            "Sparad enligt filen",
            "Ändrad i inkorgen",
            "Status",
            "SHA-256"
        ]
    );
    assert_eq!(sources.len(), 4 + 5);
    for r in &sources[4..] {
        assert_eq!(r[5], "sammanslagen");
        assert_eq!(r[6].len(), 64);
        // The samples carry the template's fixed save time; the inbox copy
        // has its own modification time, today's.
        assert_eq!(r[3], "2024-01-01 00:00 UTC");
        assert!(r[4].ends_with(" UTC") && r[4].len() == 20, "{}", r[4]);
    }
}

#[test]
fn discrepancy_report_lists_each_blank_rating_and_nothing_else_of_that_kind() {
    let w = Workdir::new();
    let out = merged_samples(&w);
    let rows = sheet(&out.join("avvikelser.xlsx"), "Avvikelser");
    assert_eq!(
        rows[0],
        [
            "Kod",
            "Allvarlighet",
            "Region",
            "Mål",
            "Fil",
            "Blad",
            "Cell",
            "Meddelande"
        ]
    );
    let mut got: Vec<(String, String)> = rows[1..]
        .iter()
        .filter(|r| r[0] == "missing-rating")
        .map(|r| (r[3].clone(), r[2].clone()))
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = seed_matrix()
        .into_iter()
        .flat_map(|(id, rs)| {
            rs.into_iter()
                .filter(|(_, v)| v.is_none())
                .map(move |(r, _)| (id.clone(), r))
        })
        .collect();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(got.len(), 20);
    // Each with its file, sheet and cell, and a Swedish message.
    let rn_15 = rows[1..]
        .iter()
        .find(|r| r[0] == "missing-rating" && r[2] == "RN" && r[3] == "1.5")
        .unwrap();
    assert!(rn_15[4].ends_with("cancerplan-norr-2022-2024-RN.xlsx"));
    assert_eq!(
        (rn_15[5].as_str(), rn_15[6].as_str()),
        ("Uppföljning", "D10")
    );
    assert!(
        rn_15[7].starts_with("Bedömning saknas för mål 1.5."),
        "{}",
        rn_15[7]
    );
    // The compound and uncertain forms are listed to follow up.
    let count = |code: &str| rows.iter().filter(|r| r[0] == code).count();
    assert_eq!(count("compound-rating"), 6);
    assert_eq!(count("uncertain-rating"), 2);
    assert_eq!(count("missing-submission"), 0);
    assert_eq!(count("invalid-rating"), 0);
}

#[test]
fn strict_json_and_exit_codes() {
    let w = Workdir::new();
    let out = w.join("out");
    let o = w.merge(&samples_dir(), &out, &["--strict", "--json", "--quiet"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "blank ratings are discrepancies under --strict"
    );
    let summary: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(summary["merged"], 5);
    assert_eq!(summary["by_code"]["missing-rating"], 20);
    let line = stderr(&o);
    assert!(line.starts_with("samla: 5 filer, 5 sammanslagna"), "{line}");

    let o = w.merge(&w.join("finns-inte"), &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("inkorgen kunde inte läsas"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_region_that_sent_nothing_is_a_finding() {
    let w = Workdir::new();
    let inbox = w.copy_samples("inkorg");
    std::fs::remove_file(inbox.join("cancerplan-norr-2022-2024-RV.xlsx")).unwrap();
    let out = w.join("out");
    let o = w.merge(&inbox, &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(0));
    let j = json(&out.join("sammanstallning.json"));
    let missing: Vec<&serde_json::Value> = j["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "missing-submission")
        .collect();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["region"], "RV");
    assert_eq!(missing[0]["severity"], "error");
    assert!(missing[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("Inget giltigt svar från RV (Region Västerbotten)"));
    assert!(j["goals"][0]["ratings"]["RV"].is_null());
    assert_eq!(j["regions"][2]["reported"], false);
}

#[test]
fn output_is_deterministic_and_inputs_untouched() {
    let w = Workdir::new();
    let inbox = w.copy_samples("inkorg");
    let before: Vec<Vec<u8>> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    let (a, b) = (w.join("a"), w.join("b"));
    // The run's time is in Inlämningar and the history: fixed, as for a
    // reproducible build.
    for out in [&a, &b] {
        w.merge_cmd(&inbox, out)
            .arg("--quiet")
            .env("SOURCE_DATE_EPOCH", "1712750400")
            .expect_code(0);
    }
    for f in ["sammanstallning.xlsx", "avvikelser.xlsx", "rapport.docx"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
    let after: Vec<Vec<u8>> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn committed_templates_and_samples_are_up_to_date() {
    let plan = plan();
    for who in samla::plan::Respondent::all(&plan) {
        let name = samla::template::file_name(&plan, &who);
        let fresh = samla::template::workbook(&plan, &who, None).unwrap();
        let committed = std::fs::read(repo().join("templates").join(&plan.id).join(&name)).unwrap();
        assert!(
            fresh == committed,
            "templates/{}/{name} is stale: run `make templates`",
            plan.id
        );
    }
    let stale = stale_samples(&plan, &repo().join("samples/answers"), &samples_dir());
    assert!(
        stale.is_empty(),
        "samples {stale:?} are stale: run `make samples`"
    );
}

/// The text of a zip entry of an xlsx file.
fn xml(path: &std::path::Path, entry: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(entry).unwrap(), &mut s).unwrap();
    s
}

#[test]
fn template_command_writes_a_ready_to_fill_workbook_per_region() {
    let w = Workdir::new();
    let plan = plan_path();
    let o = w.run(&[
        "template",
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        "mallar",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let names: Vec<String> = stdout(&o)
        .lines()
        .map(|l| l.rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 5);
    let rjh = w.join("mallar/cancerplan-norr-2022-2024-RJH.xlsx");
    assert_eq!(sheet_names(&rjh), ["Instruktioner", "Uppföljning", "samla"]);
    let rows = sheet(&rjh, "Uppföljning");
    assert!(rows[1][0].contains("RJH – Region Jämtland Härjedalen"));
    assert_eq!(
        rows[4],
        ["Område", "Mål-id", "Mål", "Bedömning", "Kommentar (nuläge)"]
    );
    assert_eq!(rows.len(), 5 + 43);
    assert_eq!(rows[5][1], "1.1");
    assert!(rows[5][2].starts_with(
        "Det ska finnas en ökad kännedom om och användning av cancergenetisk utredning"
    ));
    let meta: BTreeMap<String, String> = sheet(&rjh, "samla")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert_eq!(meta["plan-id"], "cancerplan-norr-2022-2024");
    assert_eq!(meta["plan-version"], "1");
    assert_eq!(meta["kod"], "RJH");
    assert_eq!(meta["roll"], "region");
    let instructions = sheet(&rjh, "Instruktioner").concat().join("\n");
    assert!(instructions.contains("U = Uppnått mål, P = Pågående arbete, E = Ej påbörjat arbete"));
    assert!(instructions.contains("t.ex. U/E"));

    // Dropdown of the scale that still accepts U/E and P?, locked structure,
    // open answer cells, hidden identity sheet, A4 landscape.
    let sheet2 = xml(&rjh, "xl/worksheets/sheet2.xml");
    assert!(
        sheet2.contains("<dataValidation type=\"list\" errorStyle=\"information\""),
        "{sheet2}"
    );
    assert!(sheet2.contains("sqref=\"D6:D48\""));
    assert!(sheet2.contains("<formula1>\"U,P,E\"</formula1>"));
    assert!(sheet2.contains("<sheetProtection"));
    assert!(sheet2.contains("paperSize=\"9\"") && sheet2.contains("orientation=\"landscape\""));
    let styles = xml(&rjh, "xl/styles.xml");
    assert!(styles.contains("locked=\"0\""), "answer cells are unlocked");
    assert!(xml(&rjh, "xl/workbook.xml").contains("name=\"samla\" sheetId=\"3\" state=\"hidden\""));

    let coord = w.join("mallar/cancerplan-norr-2022-2024-RCC-Norr.xlsx");
    assert_eq!(
        sheet(&coord, "Uppföljning")[4],
        ["Område", "Mål-id", "Mål", "Kommentar (nuläge)"]
    );

    // Byte-for-byte reproducible.
    let again = w.run(&[
        "template",
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        "igen",
    ]);
    assert_eq!(again.status.code(), Some(0));
    for n in &names {
        assert_eq!(
            std::fs::read(w.join("mallar").join(n)).unwrap(),
            std::fs::read(w.join("igen").join(n)).unwrap()
        );
    }
}

#[test]
fn templates_filled_and_merged_round_trip() {
    let w = Workdir::new();
    let plan = plan_path();
    let inbox = w.mkdir("inkorg");
    std::fs::write(
        w.join("rn.toml"),
        "respondent = \"RN\"\n[goals.\"1.1\"]\nrating = \"U/E\"\ncomment = \"Rad ett\\nrad två med \\\"citat\\\" och =SUMMA(A1)\"\n[goals.\"7.5\"]\nrating = \"P?\"\n",
    )
    .unwrap();
    let o = w.run(&[
        "fill",
        "--plan",
        plan.to_str().unwrap(),
        "--answers",
        "rn.toml",
        "--out",
        "inkorg/valfritt namn.xlsx",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = w.join("out");
    assert_eq!(w.merge(&inbox, &out, &["--quiet"]).status.code(), Some(0));
    let j = json(&out.join("sammanstallning.json"));
    let g = |id: &str| goal(&j, id);
    assert_eq!(g("1.1")["ratings"]["RN"], "U/E");
    assert_eq!(
        g("1.1")["comments"]["RN"],
        "Rad ett\nrad två med \"citat\" och =SUMMA(A1)"
    );
    assert_eq!(g("7.5")["ratings"]["RN"], "P?");
    assert!(g("1.2")["ratings"]["RN"].is_null());
    // A comment that looks like a formula stays text in the workbook.
    let xlsx = out.join("sammanstallning.xlsx");
    let svar = sheet(&xlsx, "Svar");
    assert!(svar
        .iter()
        .any(|r| r[4] == "Rad ett\nrad två med \"citat\" och =SUMMA(A1)"));
    assert!(
        !xml(&xlsx, "xl/worksheets/sheet2.xml").contains("<f>"),
        "no formulas written"
    );
}

#[test]
fn broken_plan_spec_names_file_and_field() {
    let w = Workdir::new();
    let good = std::fs::read_to_string(plan_path()).unwrap();
    let broken = good.replacen("id = \"1.2\"", "id = \"1.1\"", 1).replacen(
        "code = \"RN\"",
        "code = \"R N!\"",
        1,
    );
    std::fs::write(w.join("trasig.toml"), broken).unwrap();
    let o = w.run(&["template", "--plan", "trasig.toml", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("trasig.toml: planen är ogiltig"), "{err}");
    assert!(
        err.contains(
            "rad 50, kolumn 6: areas[0].goals[1].id: mål-id 1.1 förekommer mer än en gång"
        ),
        "{err}"
    );
    assert!(
        err.contains("rad 18, kolumn 8: regions[1].code: koden \"R N!\""),
        "{err}"
    );

    std::fs::write(w.join("syntax.toml"), "id = \"x\"\ntitel = \"stavfel\"\n").unwrap();
    let o = w.run(&[
        "merge",
        "--plan",
        "syntax.toml",
        "--inbox",
        ".",
        "--out",
        "o",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("syntax.toml: planen är ogiltig:\n  - rad 2, kolumn 1: okänt fält \"titel\"."),
        "names the unknown field, in Swedish, at its line: {err}"
    );
    assert!(err.contains("Menar du \"title\"?"), "{err}");
    assert!(!err.contains("expected"), "no English: {err}");
}

#[test]
fn unknown_region_gives_a_clear_error() {
    let w = Workdir::new();
    let plan = plan_path();
    std::fs::write(w.join("rx.toml"), "respondent = \"RX\"\n").unwrap();
    let o = w.run(&[
        "fill",
        "--plan",
        plan.to_str().unwrap(),
        "--answers",
        "rx.toml",
        "--out",
        "rx.xlsx",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("respondenten \"RX\" finns inte i planen"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_tells_a_region_what_to_fix_with_cells() {
    let w = Workdir::new();
    let plan = plan_path();
    let rn = samples_dir().join("cancerplan-norr-2022-2024-RN.xlsx");
    let o = w.run(&[
        "check",
        "--plan",
        plan.to_str().unwrap(),
        rn.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("(RN – Region Norrbotten)"), "{text}");
    assert!(text.contains("Uppföljning!D10"), "{text}");
    assert!(text.contains("missing-rating"), "{text}");
    assert!(
        text.contains("att rätta eller bekräfta innan filen skickas"),
        "{text}"
    );

    let rcc = samples_dir().join("cancerplan-norr-2022-2024-RCC-Norr.xlsx");
    let o = w.run(&[
        "check",
        "--plan",
        plan.to_str().unwrap(),
        rcc.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("Inga problem hittades."));
}

#[test]
fn check_feedback_marks_the_problem_cells_with_notes() {
    let w = Workdir::new();
    let plan = plan_path();
    let rn = samples_dir().join("cancerplan-norr-2022-2024-RN.xlsx");
    let o = w.run(&[
        "check",
        "--plan",
        plan.to_str().unwrap(),
        "--feedback",
        "tillbaka",
        rn.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let fb = w.join("tillbaka/cancerplan-norr-2022-2024-RN-aterkoppling.xlsx");
    assert!(
        stderr(&o).contains("återkoppling skriven till"),
        "{}",
        stderr(&o)
    );
    assert_eq!(sheet_names(&fb), ["Att rätta", "Uppföljning"]);
    let list = sheet(&fb, "Att rätta");
    assert_eq!(
        list[3],
        [
            "Blad",
            "Cell",
            "Allvarlighet",
            "Kod",
            "Vad som behöver göras"
        ]
    );
    let d10 = list.iter().find(|r| r[1] == "D10").unwrap();
    assert_eq!(d10[3], "missing-rating");
    // The copy keeps every cell where the region had it.
    let copy = sheet(&fb, "Uppföljning");
    let original = sheet(&rn, "Uppföljning");
    assert_eq!(copy[4], original[4]);
    assert_eq!(copy[5][4], original[5][4], "comment of 1.1 at E6 in both");
    let notes = xml(&fb, "xl/comments1.xml");
    assert!(notes.contains("ref=\"D10\""), "{notes}");
    assert!(notes.contains("Bedömning saknas för mål 1.5."));
}

#[test]
fn readme_documents_every_finding_code() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for code in samla::FindingCode::ALL {
        let row = format!(
            "| `{}` | {} |",
            code.as_str(),
            serde_json::to_value(code.severity())
                .unwrap()
                .as_str()
                .unwrap()
        );
        assert!(
            readme.contains(&row),
            "README.md lacks the row for {code}: {row}"
        );
    }
}

#[test]
fn a_locked_output_folder_fails_fast_and_leaves_outputs_alone() {
    let w = Workdir::new();
    let out = merged_samples(&w);
    let before = std::fs::read(out.join("sammanstallning.xlsx")).unwrap();
    let lock = samla::output::DirLock::acquire(&out).unwrap();
    let inbox = w.mkdir("tom");
    let o = w.merge(&inbox, &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("en annan körning av samla skriver redan i mappen"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(out.join("sammanstallning.xlsx")).unwrap(),
        before
    );
    drop(lock);
    // A failed write replaces nothing: here the JSON's place is taken by a folder.
    std::fs::remove_file(out.join("sammanstallning.json")).unwrap();
    std::fs::create_dir_all(out.join("sammanstallning.json/upptagen")).unwrap();
    let o = w.merge(&inbox, &out, &["--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("sammanstallning.json: kunde inte skrivas"),
        "{}",
        stderr(&o)
    );
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}
