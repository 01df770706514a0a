//! The seed the product must reproduce (RCC Norr's compiled 2023 follow-up,
//! ../shared/seeds/001_e03f29e7a5185b98.txt): its ratings, transcribed
//! independently of the samples, and a comparison of text with the seed's
//! PDF extraction.

use std::collections::BTreeMap;

use super::repo;

/// The seed's ratings (RCC Norr's compiled 2023 follow-up), goal → RJH RN
/// RV RVN, `-` where the report is blank. Transcribed from
/// ../shared/seeds/001_e03f29e7a5185b98.txt independently of the samples.
pub const SEED_MATRIX: &str = "
1.1 P U U U
1.2 U U U U
1.3 P P U P
1.4 U U U U
1.5 - - P -
1.6 P P P U
1.7 P P U P
1.8 U U U U
2.1 U P U P
2.2 P P P P
2.3 P P P P
2.4 U U U U
2.5 E U P E
2.6 E P P E
3.1 P/U U P P
3.2 P P U E/P
3.3 U/E U/E U/E U/E
3.4 P P P E
3.5 P P P P
3.6 U U U P
3.7 P E P -
4.1 P U U U
4.2 P P U P
4.3 P P P P
4.4 U U U U
4.5 U U P U
5.1 P P U P
5.2 P - P -
5.3 P - U -
5.4 P U U P
5.5 - P P P
5.6 P E P? -
6.1 U P P P
6.2 U - P P
6.3 U - P -
6.4 P U P P
6.5 U U U U
6.6 U U U U
7.1 P P P P
7.2 P - P? -
7.3 E - P -
7.4 E - U -
7.5 P U P -
";

pub const REGIONS: [&str; 4] = ["RJH", "RN", "RV", "RVN"];

/// goal → region → rating (None = blank).
pub fn seed_matrix() -> BTreeMap<String, BTreeMap<String, Option<String>>> {
    SEED_MATRIX
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split_whitespace();
            let id = it.next().unwrap().to_string();
            let ratings = REGIONS
                .iter()
                .zip(it)
                .map(|(r, v)| {
                    (
                        r.to_string(),
                        if v == "-" { None } else { Some(v.to_string()) },
                    )
                })
                .collect();
            (id, ratings)
        })
        .collect()
}

/// Letters and digits only: the seed is a PDF extraction, with line breaks,
/// hyphenation and spacing of its own.
pub fn skeleton(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Splits `needle` into as few pieces as possible, each found in order in
/// `hay` (goal text can interrupt a comment in the PDF extraction).
pub fn pieces_in_order(needle: &str, hay: &str) -> Option<usize> {
    let n: Vec<char> = needle.chars().collect();
    let mut pos = 0;
    let mut i = 0;
    let mut pieces = 0;
    while i < n.len() {
        // Longest prefix of n[i..] found in hay[pos..].
        let (mut lo, mut hi) = (0, n.len() - i);
        let mut best = None;
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            let s: String = n[i..i + mid].iter().collect();
            match hay[pos..].find(&s) {
                Some(p) => {
                    best = Some((mid, p));
                    lo = mid;
                }
                None => hi = mid - 1,
            }
        }
        let (len, p) = best?;
        let s: String = n[i..i + len].iter().collect();
        pos += p + s.len();
        i += len;
        pieces += 1;
    }
    Some(pieces)
}

/// The seed report: `$SAMLA_SEEDS/001_…txt` if set, else `shared/seeds/`
/// beside the clone (CI) or beside the worktree folder. Missing seeds fail
/// the test: a skipped comparison would pass without comparing anything.
pub fn seed_path() -> std::path::PathBuf {
    const NAME: &str = "001_e03f29e7a5185b98.txt";
    let mut tried: Vec<std::path::PathBuf> = std::env::var_os("SAMLA_SEEDS")
        .map(|d| std::path::PathBuf::from(d).join(NAME))
        .into_iter()
        .collect();
    tried.push(repo().join("../shared/seeds").join(NAME));
    tried.push(repo().join("../../shared/seeds").join(NAME));
    tried
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "the seed report is missing, so the comments cannot be compared with it; \
                 looked in {tried:?}. Put shared/seeds/ beside the clone or set SAMLA_SEEDS."
            )
        })
}

/// The seed report's text (see [`seed_path`]).
pub fn seed_text() -> String {
    std::fs::read_to_string(seed_path()).expect("the seed reads")
}

/// Whether `text` is in the seed word for word (in at most three pieces:
/// goal text can interrupt a comment in the PDF extraction).
pub fn in_seed(text: &str, seed_skeleton: &str) -> bool {
    matches!(pieces_in_order(&skeleton(text), seed_skeleton), Some(1..=3))
}
