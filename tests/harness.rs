//! The test harness itself (tests/util/): what a failing test shows and
//! what the `samla` it runs can see.

mod common;

use std::ffi::OsStr;

use common::*;

#[test]
fn samla_and_locale_variables_never_reach_the_binary() {
    let w = Dir::new();
    let mut c = std::process::Command::new("env");
    c.env("SAMLA_IN_PROCESS", "1")
        .env("SAMLA_FAULT_STEP", "3")
        .env("LC_MESSAGES", "en_US.UTF-8")
        .env("LANG", "en_US.UTF-8")
        .env("KEEP_ME", "ja");
    scrub(&mut c);
    let removed: Vec<&OsStr> = c
        .get_envs()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| k)
        .collect();
    for k in [
        "SAMLA_IN_PROCESS",
        "SAMLA_FAULT_STEP",
        "LC_MESSAGES",
        "LANG",
    ] {
        assert!(
            removed.contains(&OsStr::new(k)),
            "{k} not scrubbed: {removed:?}"
        );
    }
    let out = c.current_dir(w.path()).output().unwrap();
    let env = stdout(&out);
    assert!(env.lines().any(|l| l == "KEEP_ME=ja"), "{env}");
    assert!(
        !env.lines()
            .any(|l| l.starts_with("SAMLA_") || l.starts_with("LANG=")),
        "{env}"
    );
}

#[test]
fn a_variable_set_by_the_test_itself_is_kept() {
    let w = Dir::new();
    let mut t = w.samla(["codes"]);
    t.env("SAMLA_IN_PROCESS", "1");
    let set: Vec<_> = t
        .cmd()
        .get_envs()
        .filter(|(k, v)| *k == "SAMLA_IN_PROCESS" && v.is_some())
        .collect();
    assert_eq!(set.len(), 1);
    t.output();
}

#[test]
#[should_panic(expected = "----- stderr -----\nsamla: ")]
fn an_unexpected_exit_code_shows_the_command_and_its_stderr() {
    let w = Dir::new();
    w.samla(["check", "--plan", "finns-inte.toml", "x.xlsx"])
        .expect_code(0);
}

#[test]
#[should_panic(expected = "command: ")]
fn the_report_names_the_command() {
    let w = Dir::new();
    w.samla(["codes"]).expect_code(3);
}
