//! `bench-gen --units N --out DIR`: the benchmark's synthetic data set.
//!
//! Writes `DIR/plan.toml` (a synthetic plan: 55 goals in 7 areas, N
//! reporting units coded `U0001`…, scale U/P/E) and one filled return per
//! unit into `DIR/inkorg/`, made with samla's own template writer, so the
//! returns are genuine returns of the real template. Answers are realistic:
//! about 5 % blank ratings, 3 % compound (`U/E`), 2 % uncertain (`P?`),
//! Swedish comments of 50–600 characters, a fifth of them with line breaks.
//!
//! Deterministic: the same N gives byte-identical files (a seeded splitmix64
//! per unit, no `rand`, the template's fixed creation time). `DIR/gen.txt`
//! records the generator version and N, so `bench/run.py` can reuse a data
//! set that is still current.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;
use samla::plan::Respondent;
use samla::template::{workbook, Answer, Answers};
use samla::{Plan, RegionCode};

/// Bump when the generated data change (plan, answers, distributions).
const GENERATOR_VERSION: &str = "samla-bench-gen/1";
const PLAN_ID: &str = "syntetisk-plan";
const SEED: u64 = 0x5A4D_4C41_2024_0001;
/// Goals per area: 55 in 7 areas.
const GOALS_PER_AREA: [usize; 7] = [9, 8, 8, 8, 8, 7, 7];

const AREAS: [&str; 7] = [
    "Prevention och tidig diagnostik",
    "Patienter och närstående",
    "Utredning och behandling",
    "Rehabilitering och palliativ vård",
    "Kompetensförsörjning",
    "Kunskapsstyrning och uppföljning",
    "Forskning och innovation",
];

const WORDS: &[&str] = &[
    "regionen",
    "arbetet",
    "pågår",
    "enligt",
    "plan",
    "vårdprogrammet",
    "införandet",
    "har",
    "påbörjats",
    "under",
    "året",
    "och",
    "fortsätter",
    "med",
    "stöd",
    "av",
    "RCC",
    "Norr",
    "samtliga",
    "kliniker",
    "deltar",
    "i",
    "arbetsgruppen",
    "som",
    "träffas",
    "varje",
    "månad",
    "patienterna",
    "får",
    "information",
    "om",
    "screening",
    "kontaktsjuksköterska",
    "finns",
    "på",
    "alla",
    "enheter",
    "men",
    "bemanningen",
    "är",
    "fortfarande",
    "ansträngd",
    "väntetiderna",
    "till",
    "utredning",
    "minskade",
    "något",
    "jämfört",
    "föregående",
    "år",
    "målnivån",
    "nås",
    "inte",
    "ännu",
    "för",
    "lungcancer",
    "bröstcancer",
    "prostatacancer",
    "tjock-",
    "ändtarmscancer",
    "en",
    "handlingsplan",
    "tas",
    "fram",
    "tillsammans",
    "primärvården",
    "uppföljningen",
    "sker",
    "kvalitetsregistret",
    "data",
    "från",
    "2023",
    "visar",
    "att",
    "andelen",
    "ökat",
    "rehabiliteringsbehov",
    "bedöms",
    "strukturerat",
    "vid",
    "diagnos",
    "palliativ",
    "vård",
    "erbjuds",
    "i",
    "hemmet",
    "utbildningsinsatser",
    "genomförs",
    "hösten",
    "våren",
    "2024",
    "nätverket",
    "möts",
    "digitalt",
    "resurser",
    "saknas",
    "för",
    "full",
    "implementering",
    "beslut",
    "väntas",
    "ledningsgruppen",
    "rutinen",
    "reviderades",
    "efter",
    "samverkan",
    "kommunerna",
    "standardiserade",
    "vårdförlopp",
    "följs",
    "upp",
    "kvartalsvis",
    "ledtiderna",
    "förbättrats",
    "mammografi",
    "kallelsekansli",
    "gemensamt",
    "närstående",
    "erbjuds",
    "samtal",
];

/// splitmix64: tiny, seedable, good enough to pick words and ratings.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.range(0, xs.len() - 1)]
    }
}

/// Swedish-looking prose of `lo..=hi` characters; sentences of 4–14 words.
/// With `breaks`, some sentences start on a new line (Alt+Enter in Excel).
fn prose(rng: &mut Rng, lo: usize, hi: usize, breaks: bool) -> String {
    let target = rng.range(lo, hi);
    let mut s = String::new();
    let mut len = 0; // in chars
    let mut broke = false;
    loop {
        let words = rng.range(4, 14);
        let mut sentence = String::new();
        for i in 0..words {
            let w = rng.pick(WORDS);
            if i == 0 {
                let mut cs = w.chars();
                if let Some(c) = cs.next() {
                    sentence.extend(c.to_uppercase());
                    sentence.push_str(cs.as_str());
                }
            } else {
                sentence.push(' ');
                sentence.push_str(w);
            }
        }
        sentence.push('.');
        let sep = if s.is_empty() {
            ""
        } else if breaks && (!broke || rng.unit() < 0.3) {
            broke = true;
            "\n"
        } else {
            " "
        };
        let n = sep.chars().count() + sentence.chars().count();
        if len + n > target {
            if len >= lo {
                break;
            }
            // Too short still: end with a shortened sentence.
            let room = target - len - sep.chars().count();
            let cut: String = sentence.chars().take(room.saturating_sub(1)).collect();
            let cut = cut.trim_end();
            s.push_str(sep);
            s.push_str(cut);
            s.push('.');
            break;
        }
        s.push_str(sep);
        s.push_str(&sentence);
        len += n;
    }
    s
}

fn unit_code(i: usize) -> String {
    format!("U{:04}", i + 1)
}

/// The plan spec as TOML text.
fn plan_toml(units: usize) -> String {
    let mut rng = Rng::new(SEED);
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Synthetic plan of the benchmark ({GENERATOR_VERSION}): {} goals, {units} units.",
        GOALS_PER_AREA.iter().sum::<usize>()
    );
    let _ = writeln!(t, "id = \"{PLAN_ID}\"");
    let _ = writeln!(
        t,
        "title = \"Syntetisk uppföljningsplan för prestandamätning\""
    );
    let _ = writeln!(t, "version = \"1\"");
    let _ = writeln!(t, "period = \"2023\"\n");
    let _ = writeln!(
        t,
        "[coordinator]\ncode = \"SAMORD\"\nname = \"Samordnande enhet\"\n"
    );
    for i in 0..units {
        let _ = writeln!(
            t,
            "[[regions]]\ncode = \"{}\"\nname = \"Enhet {:04}\"\n",
            unit_code(i),
            i + 1
        );
    }
    for (code, label) in [
        ("U", "Uppnått mål"),
        ("P", "Pågående arbete"),
        ("E", "Ej påbörjat arbete"),
    ] {
        let _ = writeln!(t, "[[scale]]\ncode = \"{code}\"\nlabel = \"{label}\"\n");
    }
    for (a, (title, n)) in AREAS.iter().zip(GOALS_PER_AREA).enumerate() {
        let _ = writeln!(t, "[[areas]]\nid = \"{}\"\ntitle = \"{title}\"\n", a + 1);
        for g in 0..n {
            let text = prose(&mut rng, 60, 320, false);
            let _ = writeln!(
                t,
                "[[areas.goals]]\nid = \"{}.{}\"\ntext = \"{}\"\n",
                a + 1,
                g + 1,
                text.replace('\\', "\\\\").replace('"', "\\\"")
            );
        }
    }
    t
}

/// One unit's answers: 5 % blank, 3 % compound, 2 % uncertain ratings.
fn answers(plan: &Plan, unit: usize) -> Answers {
    let mut rng = Rng::new(SEED ^ (unit as u64 + 1).wrapping_mul(0xA076_1D64_78BD_642F));
    // Each unit leans a little differently.
    let lean = rng.unit() * 0.3;
    let mut goals = std::collections::BTreeMap::new();
    for (_, goal) in plan.goals() {
        let x = rng.unit();
        let rating = if x < 0.05 {
            None
        } else if x < 0.08 {
            Some(rng.pick(&["U/E", "U/P", "P/E"]).to_string())
        } else if x < 0.10 {
            Some(rng.pick(&["P?", "U?", "E?"]).to_string())
        } else {
            let y = rng.unit();
            Some(
                if y < 0.30 + lean {
                    "U"
                } else if y < 0.85 {
                    "P"
                } else {
                    "E"
                }
                .to_string(),
            )
        };
        let breaks = rng.unit() < 0.20;
        let comment = prose(&mut rng, 50, 600, breaks);
        goals.insert(
            goal.id.0.clone(),
            Answer {
                rating,
                comment: Some(comment),
            },
        );
    }
    Answers {
        respondent: unit_code(unit),
        goals,
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: bench-gen --units N --out DIR   |   bench-gen --version");
    ExitCode::from(2)
}

fn run(units: usize, out: &Path) -> Result<(), String> {
    let text = plan_toml(units);
    let plan_path = out.join("plan.toml");
    let plan = Plan::from_toml_str(&text, &plan_path).map_err(|e| e.to_string())?;
    let inbox = out.join("inkorg");
    if inbox.exists() {
        std::fs::remove_dir_all(&inbox).map_err(|e| format!("{}: {e}", inbox.display()))?;
    }
    std::fs::create_dir_all(&inbox).map_err(|e| format!("{}: {e}", inbox.display()))?;
    let stamp = out.join("gen.txt");
    let _ = std::fs::remove_file(&stamp);
    std::fs::write(&plan_path, &text).map_err(|e| format!("{}: {e}", plan_path.display()))?;
    let bytes: u64 = (0..units)
        .into_par_iter()
        .map(|i| -> Result<u64, String> {
            let who = Respondent::Region(RegionCode(unit_code(i)));
            let a = answers(&plan, i);
            let xlsx = workbook(&plan, &who, Some(&a)).map_err(|e| e.to_string())?;
            let path: PathBuf = inbox.join(samla::template::file_name(&plan, &who));
            std::fs::write(&path, &xlsx).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(xlsx.len() as u64)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    // Written last: its presence says the set is complete.
    std::fs::write(
        &stamp,
        format!("{GENERATOR_VERSION}\nunits {units}\nbytes {bytes}\n"),
    )
    .map_err(|e| format!("{}: {e}", stamp.display()))?;
    eprintln!(
        "bench-gen: {units} returns ({:.1} MB) in {}",
        bytes as f64 / 1e6,
        inbox.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut units = None;
    let mut out = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--units" => units = it.next().and_then(|v| v.parse::<usize>().ok()),
            "--out" => out = it.next().map(PathBuf::from),
            "--version" => {
                println!("{GENERATOR_VERSION}");
                return ExitCode::SUCCESS;
            }
            _ => return usage(),
        }
    }
    let (Some(units), Some(out)) = (units, out) else {
        return usage();
    };
    if units == 0 || units > 9999 {
        eprintln!("bench-gen: --units must be 1..=9999");
        return ExitCode::from(2);
    }
    match run(units, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-gen: {e}");
            ExitCode::FAILURE
        }
    }
}
