//! `sammanstallning.json`: the consolidated follow-up for machines. The
//! schema is documented in README.md (`samla-sammanstallning/1`).
//!
//! Values are exactly what regions wrote (comments word for word, ratings
//! in the scale's form); nothing is escaped or shortened, because a program
//! reading this file needs the data, not a spreadsheet-safe rendering of it.
//!
//! The text is serde_json's pretty form. `goals` (nearly all of the bytes:
//! every rating and comment) is written here as serde_json would write it,
//! its strings escaped as serde_json escapes them but 16 bytes at a
//! time; every other member is written by serde_json itself.

use std::borrow::Cow;
use std::io::Write;

use serde::{Serialize, Serializer};

use crate::merge::{AnswerOrder, Consolidation, GoalRow};
use crate::pipeline::Summary;
use crate::plan::{Coordinator, Plan};
use crate::validate::GoalAnswer;

/// Schema identifier written into the file.
pub const SCHEMA: &str = "samla-sammanstallning/1";

#[derive(Serialize)]
struct PlanInfo<'a> {
    id: &'a str,
    title: &'a str,
    version: &'a str,
    period: &'a str,
    /// The respondents' noun, `region/regioner`.
    noun: String,
    coordinator: &'a Coordinator,
    scale: &'a [crate::plan::ScaleLevel],
}

#[derive(Serialize)]
struct RegionInfo<'a> {
    code: &'a str,
    name: &'a str,
    reported: bool,
}

/// A goal's `ratings`, by region code in code order (as a map keeps them),
/// made while they are written rather than held for every goal at once.
/// The next run's comparison basis writes them too
/// ([`crate::history::write_basis`]), so they are the same.
pub(crate) struct Ratings<'a> {
    goal: &'a GoalRow,
    /// The plan's region codes, sorted, and their lookup.
    codes: &'a [&'a str],
    order: &'a AnswerOrder<'a>,
}

impl<'a> Ratings<'a> {
    /// `goal`'s ratings by `codes` (from [`region_codes`]), found with
    /// `order` (an [`AnswerOrder`] of the same codes).
    pub(crate) fn new(goal: &'a GoalRow, codes: &'a [&'a str], order: &'a AnswerOrder<'a>) -> Self {
        Ratings { goal, codes, order }
    }

    /// (code, rating) in code order: the scale's form (a rating's code, not
    /// what was written); None when blank, not on the scale or not sent.
    fn entries(&self) -> impl Iterator<Item = (&'a str, Option<Cow<'a, str>>)> + 'a {
        let answers = self.order.answers(self.goal);
        self.codes.iter().copied().zip(answers).map(|(code, a)| {
            let rating = a
                .filter(|a| a.rating().is_some())
                .and_then(GoalAnswer::shown);
            (code, rating)
        })
    }
}

/// The plan's region codes as `ratings` lists them: sorted, each once.
pub(crate) fn region_codes(plan: &Plan) -> Vec<&str> {
    let mut codes: Vec<&str> = plan.regions.iter().map(|r| r.code.0.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

impl Serialize for Ratings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.entries())
    }
}

/// Serialises the consolidation into `out`, as it goes (at 5,000 returns
/// the text is over 100 MB; it is never held whole).
///
/// The members, in order: `schema`, `plan`, `regions`, `goals` (per goal
/// `id`, `area`, `area_title`, `text`, `responsible` and `schedule` when
/// the plan says, `ratings` for every region of the plan by code — `null`
/// when blank, not on the scale or not sent — and `comments` by code for
/// those who commented), `discrepancies`, `sources`, `stats`, `summary`,
/// `previous` (the earlier round compared with, or null), `changes` (every
/// goal × region rated in either round) and `plan_changes` (goals added,
/// removed or re-worded between the rounds' plans).
pub fn write_json(
    plan: &Plan,
    c: &Consolidation,
    summary: &Summary,
    mut out: impl std::io::Write,
) -> serde_json::Result<()> {
    let cmp = c.over_time.comparison.as_ref();
    let plan_info = PlanInfo {
        id: &plan.id,
        title: &plan.title,
        version: &plan.version,
        period: &plan.period,
        noun: plan.noun.to_string(),
        coordinator: &plan.coordinator,
        scale: &plan.scale,
    };
    let regions: Vec<RegionInfo> = plan
        .regions
        .iter()
        .map(|r| RegionInfo {
            code: &r.code.0,
            name: &r.name,
            reported: c.has_reported(&r.code.0),
        })
        .collect();
    let out = &mut out;
    let io = serde_json::Error::io;
    out.write_all(b"{").map_err(io)?;
    member(out, true, "schema", &SCHEMA)?;
    member(out, false, "plan", &plan_info)?;
    member(out, false, "regions", &regions)?;
    let mut head = Vec::new();
    key(&mut head, 1, "goals", false);
    out.write_all(&head).map_err(io)?;
    write_goals(out, plan, c).map_err(io)?;
    member(out, false, "discrepancies", &c.findings)?;
    member(out, false, "sources", &c.sources)?;
    member(out, false, "stats", &c.stats)?;
    member(out, false, "summary", summary)?;
    member(out, false, "previous", &cmp.map(|x| &x.previous))?;
    member(out, false, "changes", &cmp.map_or(&[][..], |x| &x.changes))?;
    let plan_changes = cmp.map_or(&[][..], |x| &x.goal_changes);
    member(out, false, "plan_changes", plan_changes)?;
    out.write_all(b"\n}\n").map_err(io)
}

/// A member of the document's object, its value written by serde_json.
fn member<W: Write, T: Serialize + ?Sized>(
    out: &mut W,
    first: bool,
    name: &str,
    value: &T,
) -> serde_json::Result<()> {
    let mut head = Vec::new();
    key(&mut head, 1, name, first);
    out.write_all(&head).map_err(serde_json::Error::io)?;
    let mut nested = Nested::new(out);
    serde_json::to_writer_pretty(&mut nested, value)?;
    nested.finish().map_err(serde_json::Error::io)
}

/// `goals`: one object per goal, in plan order. Each goal is put together
/// in a buffer and written whole (the writer's costs per write, e.g. the
/// JSON's checksum, are paid once a goal rather than per string).
fn write_goals<W: Write>(out: &mut W, plan: &Plan, c: &Consolidation) -> std::io::Result<()> {
    let codes = region_codes(plan);
    let order = AnswerOrder::new(codes.iter().copied());
    out.write_all(b"[")?;
    let mut buf = Vec::new();
    for (i, (g, (_, pg))) in c.goals.iter().zip(plan.goals()).enumerate() {
        buf.clear();
        let texts = [
            ("id", Some(g.id.0.as_str())),
            ("area", Some(&g.area_id)),
            ("area_title", Some(&g.area)),
            ("text", Some(&g.text)),
            ("responsible", pg.responsible.as_deref()),
            ("schedule", pg.schedule.as_deref()),
        ];
        let comments = g
            .answers
            .iter()
            .filter_map(|(code, a)| Some((code, Some(a.comment()?))));
        let ratings = Ratings::new(g, &codes, &order).entries();
        write_goal(&mut buf, i == 0, &texts, ratings, comments);
        out.write_all(&buf)?;
    }
    out.write_all(if c.goals.is_empty() { b"]" } else { b"\n  ]" })
}

/// A goal's object in `goals` (depth 2): its `texts` that it has (name,
/// text), then `ratings` and `comments`.
fn write_goal<'a>(
    buf: &mut Vec<u8>,
    first: bool,
    texts: &[(&str, Option<&str>)],
    ratings: impl Iterator<Item = (&'a str, Option<Cow<'a, str>>)>,
    comments: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) {
    buf.extend_from_slice(if first { b"\n    {" } else { b",\n    {" });
    let texts = texts
        .iter()
        .filter_map(|(name, text)| Some((*name, (*text)?)));
    for (i, (name, text)) in texts.enumerate() {
        key(buf, 3, name, i == 0);
        string(buf, text);
    }
    key(buf, 3, "ratings", false);
    map(buf, 3, ratings);
    key(buf, 3, "comments", false);
    map(buf, 3, comments);
    buf.extend_from_slice(b"\n    }");
}

/// An object at `depth` of strings or nulls, as serde_json writes it.
fn map<'a, V: AsRef<str>>(
    buf: &mut Vec<u8>,
    depth: usize,
    entries: impl Iterator<Item = (&'a str, Option<V>)>,
) {
    buf.push(b'{');
    let mut empty = true;
    for (name, value) in entries {
        key(buf, depth + 1, name, empty);
        empty = false;
        match value {
            Some(v) => string(buf, v.as_ref()),
            None => buf.extend_from_slice(b"null"),
        }
    }
    if !empty {
        buf.push(b'\n');
        indent(buf, depth);
    }
    buf.push(b'}');
}

/// A key of an object at `depth - 1`: on a line of its own, indented by
/// `depth`, after a `,` unless it is the `first`; then `": "`.
fn key(buf: &mut Vec<u8>, depth: usize, name: &str, first: bool) {
    buf.extend_from_slice(if first { b"\n" } else { b",\n" });
    indent(buf, depth);
    string(buf, name);
    buf.extend_from_slice(b": ");
}

/// serde_json's pretty indent: two spaces a level.
fn indent(buf: &mut Vec<u8>, depth: usize) {
    buf.resize(buf.len() + 2 * depth, b' ');
}

/// The bytes serde_json escapes in a string: controls, `"` and `\`.
const ESCAPED: super::Special<0, 2> = super::Special {
    free: [],
    more: *b"\"\\",
};

/// `text` as a JSON string, escaped as serde_json escapes it (`\n`, `\"`,
/// `\u001f` …); the plain runs between are found 16 bytes at a time.
fn string(buf: &mut Vec<u8>, text: &str) {
    buf.push(b'"');
    let mut rest = text.as_bytes();
    loop {
        let plain = super::plain_prefix(rest, &ESCAPED);
        buf.extend_from_slice(&rest[..plain]);
        let Some(&b) = rest.get(plain) else {
            buf.push(b'"');
            return;
        };
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let code = [
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xF)],
        ];
        buf.extend_from_slice(match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0C => b"\\f",
            _ => &code,
        });
        rest = &rest[plain + 1..];
    }
}

/// A writer for a value nested one level in the document: serde_json
/// writes it pretty from depth 0, and each line after its first gets the
/// one level more (a line break in pretty JSON is never inside a string,
/// where it is escaped). serde_json writes a few bytes at a time: they are
/// gathered, and passed on indented in pieces of 32 KiB ([`Nested::finish`]
/// passes on the rest).
struct Nested<'a, W: Write> {
    out: &'a mut W,
    /// As serde_json wrote it.
    buf: Vec<u8>,
    /// `buf` indented.
    indented: Vec<u8>,
}

impl<'a, W: Write> Nested<'a, W> {
    const PIECE: usize = 1 << 15;

    fn new(out: &'a mut W) -> Self {
        Nested {
            out,
            buf: Vec::with_capacity(Self::PIECE + 1024),
            indented: Vec::new(),
        }
    }

    /// Passes `buf` on, indented.
    fn pass_on(&mut self) -> std::io::Result<()> {
        self.indented.clear();
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', &self.buf) {
            self.indented.extend_from_slice(&self.buf[start..=nl]);
            indent(&mut self.indented, 1);
            start = nl + 1;
        }
        self.indented.extend_from_slice(&self.buf[start..]);
        self.buf.clear();
        self.out.write_all(&self.indented)
    }

    /// Passes on what is left.
    fn finish(mut self) -> std::io::Result<()> {
        self.pass_on()
    }
}

impl<W: Write> Write for Nested<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= Self::PIECE {
            self.pass_on()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::collections::BTreeMap;

    use serde::Serialize;

    /// A goal as serde_json's derive writes it: what `goals` must equal.
    #[derive(Serialize)]
    struct Goal {
        id: String,
        area: String,
        area_title: String,
        text: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        responsible: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        schedule: Option<String>,
        ratings: BTreeMap<String, Option<String>>,
        comments: BTreeMap<String, String>,
    }

    /// `goals` as [`super::write_goal`]s writes it, and as serde_json does.
    fn both(goals: &[Goal]) -> (String, String) {
        let mut ours = b"[".to_vec();
        for (i, g) in goals.iter().enumerate() {
            let texts = [
                ("id", Some(g.id.as_str())),
                ("area", Some(&g.area)),
                ("area_title", Some(&g.area_title)),
                ("text", Some(&g.text)),
                ("responsible", g.responsible.as_deref()),
                ("schedule", g.schedule.as_deref()),
            ];
            let ratings = g
                .ratings
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_deref().map(Cow::Borrowed)));
            let comments = g
                .comments
                .iter()
                .map(|(k, v)| (k.as_str(), Some(v.as_str())));
            super::write_goal(&mut ours, i == 0, &texts, ratings, comments);
        }
        ours.extend_from_slice(if goals.is_empty() { b"]" } else { b"\n  ]" });
        let mut theirs = Vec::new();
        let mut nested = super::Nested::new(&mut theirs);
        serde_json::to_writer_pretty(&mut nested, goals).unwrap();
        nested.finish().unwrap();
        (
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap(),
        )
    }

    proptest::proptest! {
        #[test]
        fn goals_are_written_as_serde_json_writes_them(
            texts in proptest::collection::vec("[a-zå\"\\\\/\\x00-\\x1f\\x7f€ \n]{0,30}", 6),
            ratings in proptest::collection::btree_map("[A-Z\"]{1,4}", proptest::option::of("[A-Z?/]{1,3}"), 0..4),
            comments in proptest::collection::btree_map("[A-Z]{1,4}", "[a-z\n\"\\\\\t]{0,20}", 0..4),
            optional in proptest::bool::ANY,
            goals in 0usize..3,
        ) {
            let goal = |i: usize| Goal {
                id: format!("{i}.{}", texts[0]),
                area: texts[1].clone(),
                area_title: texts[2].clone(),
                text: texts[3].clone(),
                responsible: optional.then(|| texts[4].clone()),
                schedule: (!optional).then(|| texts[5].clone()),
                ratings: ratings.clone(),
                comments: comments.clone(),
            };
            let goals: Vec<Goal> = (0..goals).map(goal).collect();
            let (ours, theirs) = both(&goals);
            proptest::prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(text in "[a-zå\"\\\\/\\x00-\\x1f\\x7f€ ]{0,60}") {
            let mut ours = Vec::new();
            super::string(&mut ours, &text);
            proptest::prop_assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&text).unwrap());
        }
    }
}
