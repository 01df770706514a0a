//! Every way a command can end, through the real binary: the exit status,
//! and exactly what a person (or a nightly job's log) sees.

mod common;

use std::process::Stdio;

use common::*;

/// Runs `samla args` with its stdout a pipe whose reader is already gone,
/// so its first write fails as `samla … | head -1` does once head is done.
fn with_closed_stdout(w: &Dir, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut t = w.samla(args);
    t.cmd().stdout(Stdio::from(writer)).stderr(Stdio::piped());
    t.raw_output()
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let w = Dir::new();
    let plan = plan_path();
    let rn = samples_dir().join("cancerplan-norr-2022-2024-RN.xlsx");
    let runs: [&[&str]; 4] = [
        &["codes"],
        &[
            "check",
            "--plan",
            plan.to_str().unwrap(),
            rn.to_str().unwrap(),
        ],
        &[
            "check",
            "--json",
            "--plan",
            plan.to_str().unwrap(),
            rn.to_str().unwrap(),
        ],
        &["--help"],
    ];
    for args in runs {
        let o = with_closed_stdout(&w, args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}");
    }
}

#[test]
fn check_of_a_missing_file_exits_2_before_reading_anything() {
    let w = Dir::new();
    let plan = plan_path();
    let rn = samples_dir().join("cancerplan-norr-2022-2024-RN.xlsx");
    let o = w
        .samla([
            "check",
            "--plan",
            plan.to_str().unwrap(),
            rn.to_str().unwrap(),
            "finns-inte.xlsx",
        ])
        .expect_code(2);
    assert_eq!(stdout(&o), "", "nothing is checked when a path is wrong");
    assert_eq!(
        stderr(&o),
        "samla: finns-inte.xlsx: filen kunde inte läsas: finns inte (No such file or directory, \
         os error 2). Kontrollera sökvägen.\n"
    );
    w.mkdir("mapp.xlsx");
    let o = w
        .samla(["check", "--plan", plan.to_str().unwrap(), "mapp.xlsx"])
        .expect_code(2);
    assert_eq!(
        stderr(&o),
        "samla: mapp.xlsx: är ingen vanlig fil. Ange en Excel- eller LibreOffice-fil.\n"
    );
}

#[test]
fn an_os_error_is_explained_in_swedish_with_the_os_text_kept() {
    let w = Dir::new();
    w.mkdir("plan.toml");
    let o = w.samla(["template", "--plan", "plan.toml"]).expect_code(2);
    assert_eq!(
        stderr(&o),
        "samla: plan.toml: planen kunde inte läsas: är en mapp, inte en fil (Is a directory, \
         os error 21)\n"
    );
}

#[test]
fn a_merge_that_merged_nothing_exits_1_and_says_so() {
    let w = Dir::new();
    let inbox = w.mkdir("inkorg");
    w.create("inkorg/anteckningar.txt", "inte ett svar");
    let out = w.join("ut");
    let o = w.merge_cmd(&inbox, &out).arg("--quiet").expect_code(1);
    let err = stderr(&o);
    assert!(
        err.starts_with("samla: 1 filer, 0 sammanslagna, 0 ersatta, 0 avvisade, 1 överhoppade"),
        "{err}"
    );
    assert!(
        err.ends_with(&format!(
            "samla: inget svar kunde slås samman (1 filer i inkorgen {}); avvikelserna i {} \
             säger varför.\n",
            inbox.display(),
            out.join("avvikelser.xlsx").display()
        )),
        "{err}"
    );
    // The outputs are written all the same: they say what is missing.
    let rows = sheet(&out.join("avvikelser.xlsx"), "Avvikelser");
    assert_eq!(
        rows.iter().filter(|r| r[0] == "missing-submission").count(),
        5
    );
}

#[test]
fn usage_errors_and_help_are_swedish() {
    let w = Dir::new();
    let o = w.samla(["chek"]).expect_code(2);
    assert_eq!(
        stderr(&o),
        "samla: okänt kommando 'chek' – menade du 'check'?\n\n\
         Användning: samla <KOMMANDO> [FLAGGOR]\n\nSkriv 'samla --help' för mer hjälp.\n"
    );
    let o = w.samla(["merge", "--plan", "p.toml"]).expect_code(2);
    assert_eq!(
        stderr(&o),
        "samla: det här måste anges: --inbox <MAPP>, --out <MAPP>\n\n\
         Användning: samla merge [FLAGGOR] --plan <PLAN> --inbox <MAPP> --out <MAPP>\n\n\
         Skriv 'samla merge --help' för mer hjälp.\n"
    );
    let o = w
        .samla(["check", "--plan", "p", "--file-timeout", "en", "x.xlsx"])
        .expect_code(2);
    assert_eq!(
        stderr(&o),
        "samla: 'en' är inget giltigt värde för --file-timeout <SEKUNDER>: ange ett heltal\n"
    );
    let o = w.samla(["codes", "--alla"]).expect_code(2);
    assert!(
        stderr(&o).starts_with("samla: okänt argument '--alla'\n"),
        "{}",
        stderr(&o)
    );
    let o = w.samla::<[&str; 0], &str>([]).expect_code(2);
    assert!(
        stderr(&o).starts_with("samla: ett kommando saknas.\n"),
        "{}",
        stderr(&o)
    );

    let english = [
        "Usage",
        "Options",
        "Arguments",
        "Commands",
        "[OPTIONS]",
        "Print",
        "default:",
    ];
    for args in [
        &["--help"][..],
        &["merge", "--help"],
        &["check", "-h"],
        &["template", "--help"],
    ] {
        let o = w.samla(args).output();
        let help = stdout(&o);
        assert!(help.contains("Användning: samla"), "{args:?}: {help}");
        assert!(help.contains("Visa den här hjälpen"), "{args:?}: {help}");
        for word in english {
            assert!(!help.contains(word), "{args:?}: {word:?} in\n{help}");
        }
    }
    let help = stdout(&w.samla(["merge", "--help"]).output());
    assert!(
        help.contains("Längsta tid för att läsa en fil, i sekunder [standard: 30]"),
        "{help}"
    );
    assert_eq!(
        stdout(&w.samla(["--version"]).output()),
        format!("samla {}\n", env!("CARGO_PKG_VERSION"))
    );
}
