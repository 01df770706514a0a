//! Plans written in Excel and in TOML: `samla plan new`, `plan check`,
//! `plan convert`, and every plan error with its Swedish message and
//! location (sheet and cell, or TOML line and column).

mod common;
mod fixtures;

use common::*;

use rust_xlsxwriter::Workbook;

/// A plan workbook as a person fills it in: sheet → rows of cells.
#[derive(Clone)]
struct Book(Vec<(String, Vec<Vec<String>>)>);

fn rows(r: &[&[&str]]) -> Vec<Vec<String>> {
    r.iter()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

impl Book {
    /// A small, valid plan.
    fn good() -> Book {
        Book(vec![
            (
                "Plan".into(),
                rows(&[
                    &["Fält", "Värde"],
                    &["id", "testplan"],
                    &["titel", "Testplan 2025"],
                    &["version", "1"],
                    &["period", "2025"],
                    &["samordnare-kod", "RCC"],
                    &["samordnare-namn", "Regionalt cancercentrum"],
                    &["samordnaren-svarar", "ja"],
                    &["svarande", "region/regioner"],
                ]),
            ),
            (
                "Svarande".into(),
                rows(&[&["Kod", "Namn"], &["RA", "Region A"], &["RB", "Region B"]]),
            ),
            (
                "Skala".into(),
                rows(&[
                    &["Kod", "Benämning", "Betyder"],
                    &["U", "Uppnått", "uppnått"],
                    &["P", "Pågående", "pågående"],
                    &["E", "Ej påbörjat", "ej påbörjat"],
                ]),
            ),
            (
                "Mål".into(),
                rows(&[
                    &[
                        "Område-id",
                        "Område",
                        "Mål-id",
                        "Mål",
                        "Ansvarig",
                        "Tidplan",
                    ],
                    &["1", "Första", "1.1", "Mål ett", "Kim", "2025"],
                    &["1", "Första", "1.2", "Mål två", "", ""],
                    &["ÖS", "Övergripande", "ÖS.1", "Mål tre", "", "Q3"],
                ]),
            ),
        ])
    }

    fn sheet(&mut self, name: &str) -> &mut Vec<Vec<String>> {
        &mut self
            .0
            .iter_mut()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no sheet {name}"))
            .1
    }

    /// Sets a cell, zero-based, growing the sheet as needed.
    fn set(mut self, sheet: &str, row: usize, col: usize, v: &str) -> Book {
        let s = self.sheet(sheet);
        while s.len() <= row {
            s.push(Vec::new());
        }
        while s[row].len() <= col {
            s[row].push(String::new());
        }
        s[row][col] = v.to_string();
        self
    }

    fn remove_row(mut self, sheet: &str, row: usize) -> Book {
        self.sheet(sheet).remove(row);
        self
    }

    fn remove_sheet(mut self, sheet: &str) -> Book {
        self.0.retain(|(n, _)| n != sheet);
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        for (name, rows) in &self.0 {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    if !v.is_empty() {
                        ws.write_string(r as u32, c as u16, v).unwrap();
                    }
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }
}

/// `samla plan check` of a book: (exit code, stdout, stderr).
fn check(book: &Book) -> (i32, String, String) {
    let d = Dir::new();
    d.create("plan.xlsx", book.bytes());
    let o = d.run(&["plan", "check", "plan.xlsx"]);
    (o.status.code().unwrap_or(-1), stdout(&o), stderr(&o))
}

#[test]
fn a_good_plan_workbook_checks_and_loads_with_any_letters() {
    let (code, out, err) = check(&Book::good());
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "plan.xlsx: planen är giltig: Testplan 2025 – 2 regioner, 3 nivåer, 3 mål i 2 områden."
        ),
        "{out}"
    );
    let d = Dir::new();
    let p = d.create("plan.xlsx", Book::good().bytes());
    let plan = samla::Plan::load(&p).unwrap();
    assert_eq!(plan.areas[1].goals[0].id.0, "ÖS.1");
    assert_eq!(plan.areas[0].goals[0].responsible.as_deref(), Some("Kim"));
    assert_eq!(plan.areas[1].goals[0].schedule.as_deref(), Some("Q3"));
    assert_eq!(plan.areas[0].goals[1].responsible, None);
}

#[test]
fn extra_columns_are_ignored_with_an_info() {
    let book =
        Book::good()
            .set("Svarande", 0, 2, "Kontakt")
            .set("Svarande", 1, 2, "kim@example.se");
    let (code, _, err) = check(&book);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("info: bladet \"Svarande\", cell C1: kolumnen \"Kontakt\" hör inte till planen och lästes inte (kolumnerna är Kod, Namn)"),
        "{err}"
    );
}

/// Every error a plan workbook can have: (what is broken, the book, the
/// Swedish message with its sheet and cell).
#[test]
fn every_workbook_error_is_in_swedish_with_sheet_and_cell() {
    let g = Book::good;
    let cases: Vec<(&str, Book, &str)> = vec![
        ("missing sheet", g().remove_sheet("Skala"), "bladet \"Skala\": bladet saknas i arbetsboken."),
        ("missing column", g().set("Skala", 0, 2, "Betydelse"), "bladet \"Skala\": kolumnen \"Betyder\" saknas i rubrikraden (rad 1); kolumnerna ska vara Kod | Benämning | Betyder"),
        ("unknown field", g().set("Plan", 2, 0, "titl"), "bladet \"Plan\", cell A3: okänt fält \"titl\"; fälten är id, titel, version, period, samordnare-kod, samordnare-namn, samordnaren-svarar, svarande"),
        ("field twice", g().set("Plan", 9, 0, "id").set("Plan", 9, 1, "x"), "bladet \"Plan\", cell A10: fältet \"id\" står två gånger; ta bort den ena raden"),
        ("field missing", g().remove_row("Plan", 4), "bladet \"Plan\": fältet \"period\" saknas"),
        ("value without field", g().set("Plan", 9, 1, "lösryckt"), "bladet \"Plan\", cell A10: värdet \"lösryckt\" står utan fält"),
        ("yes/no", g().set("Plan", 7, 1, "kanske"), "bladet \"Plan\", cell B8: samordnaren-svarar ska vara ja eller nej, inte \"kanske\""),
        ("noun", g().set("Plan", 8, 1, "regioner"), "bladet \"Plan\", cell B9: svarande ska skrivas som singular/plural, t.ex. region/regioner eller RPO/RPO:er"),
        ("plan id", g().set("Plan", 1, 1, "min plan"), "bladet \"Plan\", cell B2: plan-id \"min plan\" ska vara 1–80 tecken"),
        ("empty title", g().set("Plan", 2, 1, ""), "bladet \"Plan\", cell B3: titeln får inte vara tom"),
        ("coordinator is a respondent", g().set("Plan", 5, 1, "RA"), "bladet \"Plan\", cell B6: samordnarens kod RA är också en svarandes kod"),
        ("no respondents", g().remove_row("Svarande", 2).remove_row("Svarande", 1), "bladet \"Svarande\": planen behöver minst en region"),
        ("respondent code", g().set("Svarande", 1, 0, "R A!"), "bladet \"Svarande\", cell A2: koden \"R A!\" ska vara 1–20 bokstäver, siffror, mellanslag eller bindestreck"),
        ("respondent twice", g().set("Svarande", 2, 0, "RA"), "bladet \"Svarande\", cell A3: koden RA förekommer mer än en gång"),
        ("respondent name", g().set("Svarande", 2, 1, ""), "bladet \"Svarande\", cell B3: namnet får inte vara tomt"),
        ("meaning", g().set("Skala", 2, 2, "klart"), "bladet \"Skala\", cell C3: Betyder ska vara ett av uppnått, pågående, ej påbörjat, ej aktuellt, inte \"klart\""),
        ("no achieved level", g().set("Skala", 1, 2, "pågående"), "bladet \"Skala\": ingen nivå betyder \"uppnått\""),
        ("level code", g().set("Skala", 1, 0, "u"), "bladet \"Skala\", cell A2: nivåkoden \"u\" ska vara 1–3 versaler eller siffror"),
        ("level twice", g().set("Skala", 2, 0, "U"), "bladet \"Skala\", cell A3: nivån U förekommer mer än en gång"),
        ("level label", g().set("Skala", 3, 1, ""), "bladet \"Skala\", cell B4: benämningen får inte vara tom"),
        ("goal twice", g().set("Mål", 2, 2, "1.1"), "bladet \"Mål\", cell C3: mål-id 1.1 förekommer mer än en gång"),
        ("goal of another area", g().set("Mål", 2, 2, "2.1"), "bladet \"Mål\", cell C3: mål-id 2.1 ska börja med områdets id 1."),
        ("goal id form", g().set("Mål", 1, 2, "1.1!"), "bladet \"Mål\", cell C2: mål-id \"1.1!\" ska ha formen område.mål, t.ex. 1.3 eller ÖS.1"),
        ("goal text", g().set("Mål", 2, 3, ""), "bladet \"Mål\", cell D3: måltexten får inte vara tom"),
        ("area title", g().set("Mål", 2, 1, "Andra"), "bladet \"Mål\", cell B3: område 1 heter \"Första\" på en tidigare rad men \"Andra\" här"),
        ("area without title", g().set("Mål", 3, 1, ""), "bladet \"Mål\", cell B4: områdets rubrik får inte vara tom"),
        ("goal without area", g().set("Mål", 1, 0, "").set("Mål", 1, 1, ""), "bladet \"Mål\", cell A2: målet saknar område"),
    ];
    for (what, book, expected) in cases {
        let (code, _, err) = check(&book);
        assert_eq!(code, 1, "{what}: {err}");
        assert!(
            err.contains("plan.xlsx: planen är ogiltig:"),
            "{what}: {err}"
        );
        assert!(
            err.contains(expected),
            "{what}: expected {expected:?} in\n{err}"
        );
    }
}

#[test]
fn a_file_that_is_no_workbook_is_refused_in_swedish() {
    let d = Dir::new();
    d.create("plan.xlsx", b"inte en arbetsbok");
    let o = d.samla(["plan", "check", "plan.xlsx"]).expect_code(1);
    assert!(
        stderr(&o).contains("planen är ogiltig:\n  - filen kunde inte läsas som arbetsbok"),
        "{}",
        stderr(&o)
    );
    d.create(
        "stor.xlsx",
        vec![b'P'; samla::plan::workbook::MAX_BYTES + 1],
    );
    let o = d.samla(["plan", "check", "stor.xlsx"]).expect_code(1);
    assert!(
        stderr(&o).contains(
            "stor.xlsx: planen är ogiltig:\n  - filen är 20 MB; en plan är mindre än 20 MB."
        ),
        "{}",
        stderr(&o)
    );
    let o = d.samla(["plan", "check", "saknas.xlsx"]).expect_code(2);
    assert!(
        stderr(&o).contains("saknas.xlsx: planen kunde inte läsas"),
        "{}",
        stderr(&o)
    );
}

/// Every error of a TOML spec: Swedish, at its line and column.
#[test]
fn every_toml_error_is_in_swedish_at_its_line() {
    let good = std::fs::read_to_string(plan_path()).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        ("unknown field", good.replacen("title =", "titel =", 1), "rad 5, kolumn 1: okänt fält \"titel\". Tillåtna fält här: id, title, version, period, noun, coordinator, regions, scale, areas. Menar du \"title\"?"),
        ("missing field", good.replacen("period = \"2023\"\n", "", 1), "fältet \"period\" saknas; lägg till det"),
        ("wrong type", good.replacen("version = \"1\"", "version = 1", 1), "rad 6, kolumn 11: här står ett heltal (1), men här ska stå en text"),
        ("meaning", good.replacen("label = \"Uppnått mål\"", "label = \"Uppnått mål\"\nmeaning = \"klart\"", 1), "okänt värde \"klart\"; skriv ett av: uppnått, pågående, ej påbörjat, ej aktuellt"),
        ("noun", good.replacen("period = \"2023\"", "period = \"2023\"\nnoun = \"RPO\"", 1), "rad 8, kolumn 8: svarande ska skrivas som singular/plural"),
        ("responds", good.replacen("name = \"Regionalt cancercentrum norr\"", "name = \"Regionalt cancercentrum norr\"\nresponds = \"nej\"", 1), "rad 12, kolumn 12: här står en text (nej), men här ska stå ett sanningsvärde (true/false)"),
        ("rule at its line", good.replacen("id = \"1.2\"", "id = \"1.1\"", 1), "rad 50, kolumn 6: areas[0].goals[1].id: mål-id 1.1 förekommer mer än en gång"),
        ("any letters, but no signs", good.replacen("id = \"1.2\"", "id = \"1.Ö!\"", 1), "rad 50, kolumn 6: areas[0].goals[1].id: mål-id \"1.Ö!\" ska ha formen område.mål"),
    ];
    let d = Dir::new();
    for (what, text, expected) in cases {
        d.create("plan.toml", &text);
        let o = d.samla(["plan", "check", "plan.toml"]).expect_code(1);
        let err = stderr(&o);
        assert!(
            err.contains("plan.toml: planen är ogiltig:"),
            "{what}: {err}"
        );
        assert!(
            err.contains(expected),
            "{what}: expected {expected:?} in\n{err}"
        );
        assert!(!err.contains("expected"), "{what}: English in {err}");
    }
    d.create("plan.toml", "id = \"x\"\ntitle = \"inte avslutad\n");
    let o = d.samla(["plan", "check", "plan.toml"]).expect_code(1);
    assert!(
        stderr(&o).contains(
            "plan.toml: planen är inte giltig TOML: rad 2, kolumn 23: felaktig TOML-syntax"
        ),
        "{}",
        stderr(&o)
    );
    d.create("plan.toml", "id = \"x\"\nid = \"y\"\n");
    let o = d.samla(["plan", "check", "plan.toml"]).expect_code(1);
    assert!(
        stderr(&o).contains("rad 2, kolumn 1: fältet \"id\" står två gånger; ta bort det ena"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn plan_new_writes_a_workbook_that_explains_itself() {
    let d = Dir::new();
    d.samla(["plan", "new", "ny.xlsx"]).output();
    let p = d.join("ny.xlsx");
    assert_eq!(
        sheet_names(&p),
        ["Instruktioner", "Plan", "Svarande", "Skala", "Mål"]
    );
    let ins = sheet(&p, "Instruktioner");
    assert!(
        ins.iter().any(|r| r[0].contains("samla plan check")),
        "{ins:?}"
    );
    let plan = sheet(&p, "Plan");
    assert_eq!(plan[0], ["Fält", "Värde"]);
    assert_eq!(plan[7], ["samordnaren-svarar", "ja"]);
    assert_eq!(plan[8], ["svarande", "region/regioner"]);
    assert_eq!(sheet(&p, "Svarande")[1], ["RA", "Region A"]);
    assert_eq!(sheet(&p, "Skala")[1], ["U", "Uppnått mål", "uppnått"]);
    let goals = sheet(&p, "Mål");
    assert_eq!(
        goals[0],
        [
            "Område-id",
            "Område",
            "Mål-id",
            "Mål",
            "Ansvarig",
            "Tidplan"
        ]
    );
    assert_eq!(goals.len(), 2, "one example row: {goals:?}");
    // The dropdowns: ja/nej and the four meanings.
    let xml = zip_entry(&p, "xl/worksheets/sheet2.xml");
    assert!(xml.contains("<formula1>\"ja,nej\"</formula1>"), "{xml}");
    let xml = zip_entry(&p, "xl/worksheets/sheet4.xml");
    assert!(
        xml.contains("<formula1>\"uppnått,pågående,ej påbörjat,ej aktuellt\"</formula1>"),
        "{xml}"
    );
    // It checks as it is, and is never overwritten.
    d.samla(["plan", "check", "ny.xlsx"]).output();
    let o = d.samla(["plan", "new", "ny.xlsx"]).expect_code(2);
    assert!(
        stderr(&o).contains("ny.xlsx: filen finns redan"),
        "{}",
        stderr(&o)
    );
}

fn zip_entry(path: &std::path::Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name(name).unwrap(), &mut s).unwrap();
    s
}

#[test]
fn the_bundled_plan_workbook_is_the_bundled_plan() {
    let toml = samla::Plan::load(plan_path()).unwrap();
    let xlsx = samla::Plan::load(repo().join("templates/cancerplan-norr-2022-2024.xlsx")).unwrap();
    assert_eq!(toml, xlsx);
    // And it is what `plan convert` writes today (`make templates`).
    let fresh = samla::plan::workbook::write(&toml).unwrap();
    let committed = std::fs::read(repo().join("templates/cancerplan-norr-2022-2024.xlsx")).unwrap();
    assert!(
        fresh == committed,
        "templates/cancerplan-norr-2022-2024.xlsx is stale: run make templates"
    );
}

#[test]
fn convert_round_trips_losslessly_and_reproducibly() {
    let d = Dir::new();
    let plan = plan_path();
    d.samla(["plan", "convert"])
        .arg(&plan)
        .arg("a.xlsx")
        .output();
    d.samla(["plan", "convert", "a.xlsx", "b.toml"]).output();
    d.samla(["plan", "convert", "b.toml", "c.xlsx"]).output();
    d.samla(["plan", "convert"])
        .arg(&plan)
        .arg("d.xlsx")
        .output();
    let original = samla::Plan::load(&plan).unwrap();
    assert_eq!(samla::Plan::load(d.join("b.toml")).unwrap(), original);
    assert_eq!(samla::Plan::load(d.join("a.xlsx")).unwrap(), original);
    let a = std::fs::read(d.join("a.xlsx")).unwrap();
    assert!(
        a == std::fs::read(d.join("c.xlsx")).unwrap(),
        "workbook → TOML → workbook differs"
    );
    assert!(
        a == std::fs::read(d.join("d.xlsx")).unwrap(),
        "two conversions differ"
    );
    // A plan with everything the TOML spec can say survives both ways too.
    d.create(
        "full.xlsx",
        Book::good()
            .set("Plan", 7, 1, "nej")
            .set("Plan", 8, 1, "RPO/RPO:er")
            .bytes(),
    );
    d.samla(["plan", "convert", "full.xlsx", "full.toml"])
        .output();
    d.samla(["plan", "convert", "full.toml", "full2.xlsx"])
        .output();
    let full = samla::Plan::load(d.join("full.xlsx")).unwrap();
    assert!(!full.coordinator.responds);
    assert_eq!(full.noun.plural, "RPO:er");
    assert_eq!(samla::Plan::load(d.join("full.toml")).unwrap(), full);
    assert_eq!(samla::Plan::load(d.join("full2.xlsx")).unwrap(), full);
    let o = d
        .samla(["plan", "convert", "full.toml", "full.csv"])
        .expect_code(2);
    assert!(
        stderr(&o).contains("full.csv: en plan skrivs som .xlsx eller .toml"),
        "{}",
        stderr(&o)
    );
}

/// `--plan` takes an OpenDocument plan as well: the same plan as the xlsx.
#[test]
fn an_ods_plan_workbook_loads_like_the_xlsx() {
    let good = Book::good();
    let sheets = good
        .0
        .iter()
        .map(|(name, rows)| {
            let mut sheet = fixtures::Sheet::new(name);
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
                    sheet.set(r as u32, c as u16, v.as_str());
                }
            }
            sheet
        })
        .collect();
    let d = Dir::new();
    let ods = d.create("plan.ods", fixtures::Book::new(sheets).to_ods());
    let xlsx = d.create("plan.xlsx", good.bytes());
    let o = d.samla(["plan", "check", "plan.ods"]).output();
    assert!(
        stdout(&o).contains("plan.ods: planen är giltig"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        samla::Plan::load(&ods).unwrap(),
        samla::Plan::load(&xlsx).unwrap()
    );
    d.samla(["template", "--plan", "plan.ods", "--out", "mallar"])
        .output();
    assert!(d.join("mallar/testplan-RA.xlsx").exists());
}
