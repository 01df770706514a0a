//! `sammanstallning.xlsx`: the consolidated follow-up, laid out like the
//! compiled report.
//!
//! * `Sammanställning` — one row per goal, grouped by area (a page break
//!   between areas): `Område | Mål-id | Mål | one rating column per region |
//!   Kommentarer`, ratings coloured by level, comments prefixed by region
//!   code in plan order and then the coordinator's. With more than
//!   [`WIDE_LIMIT`] regions a column per region no longer reads, so the sheet
//!   shows each goal's distribution of ratings instead and the comments live
//!   in `Svar` only.
//! * `Svar` — one row per goal and respondent (the long table; filter it by
//!   region or rating). Works the same for 4 and for 1,000 units.
//! * `Sammanfattning` — counts per region and per area, a chart, and the goal
//!   lists the report's summary is written from.
//! * `Källor` — every file of the inbox: region, format, SHA-256, time, status.

use std::collections::BTreeMap;

use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLegendPosition, ChartLine, ChartPatternFill, ChartPatternFillType,
    ChartSolidFill, ChartType, Color, DocProperties, Format, Worksheet, XlsxError,
};

use rayon::prelude::*;

use super::long_sheet::{self, Placeholder, Shared, XfTable};
use super::print::{merged, print_pieces, setup, Cell, Page, MAX_ROW_HEIGHT};
use super::{first_cell, fit_height, header_row, text_line, Styles};
use crate::contract::fixed_datetime;
use crate::merge::{bucket, AnswerOrder, Consolidation, GoalRow};
use crate::plan::Plan;

/// Above this many regions, `Sammanställning` shows distributions, not a
/// column per region.
pub const WIDE_LIMIT: usize = 20;

/// Fill colour for a rating bucket (see [`super::rating_fill`]).
fn fill(plan: &Plan, bucket: &str) -> Color {
    Color::RGB(super::rating_fill(plan, bucket))
}

/// Builds the workbook.
pub fn workbook(
    plan: &Plan,
    c: &Consolidation,
    out: impl std::io::Write + std::io::Seek + Send,
) -> Result<(), XlsxError> {
    let s = Styles::new();
    let mut wb = crate::report::print::workbook();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "{} – sammanställning av uppföljningen {}",
                plan.title, plan.period
            ))
            .set_author(plan.coordinator.name.as_str())
            .set_creation_datetime(&fixed_datetime()),
    );
    let buckets = BucketFormats::new(plan, &s);
    let mut formats = vec![&s.header, &s.wrap, &s.center];
    formats.extend(buckets.0.iter().map(|(_, f)| f));
    let end = long_sheet::end_format();
    formats.push(&end);
    // `Svar` is written as XML straight into its compressed part (see
    // `long_sheet`); a placeholder stands in the workbook for it,
    // registering its formats before any other sheet can.
    let Placeholder {
        sheet: mut placeholder,
        xf: mut table,
    } = Placeholder::new(&mut wb, &formats)?;
    let xf = SvarXf::new(&mut table, &s, &buckets, &end);
    // `Svar`'s texts are measured (on every core) while the other sheets
    // are built: its row count is in its part's head and in the workbook
    // (the filter's range).
    let (svar, sheets) = rayon::join(|| Svar::measure(plan, c), || other_sheets(plan, c, &s));
    let [first, summ, srcs] = sheets?;
    answers_setup(&mut placeholder, plan, svar.next_row)?;
    for ws in [first, placeholder, summ, srcs] {
        wb.push_worksheet(ws);
    }
    super::changes::add_sheets(&mut wb, plan, c)?;
    super::submissions::add_sheet(&mut wb, plan, c)?;
    // Level 1 saves a large workbook about a third faster than the
    // default 6, for a file about 1.5 times as large.
    wb.set_zip_compression_level(1);
    let saved = long_sheet::save_apart(&mut wb)?;
    // Saved: its sheets need not be held while `Svar` is written.
    drop(wb);
    // `Svar`'s rows are written as the package is assembled, compressed
    // (on a thread of their own) straight into it.
    let frame = svar.frame(plan)?;
    let rows = |r: &mut long_sheet::Rows<'_>| svar.rows(r, plan, c, &xf);
    long_sheet::assemble(saved, SVAR_POSITION, &table, &frame, rows, out)
}

/// The sheets but `Svar`: `Sammanställning`, `Sammanfattning` and `Källor`,
/// each built on its own core when one is free.
fn other_sheets(plan: &Plan, c: &Consolidation, s: &Styles) -> Result<[Worksheet; 3], XlsxError> {
    let sheet = |build: &(dyn Fn(&mut Worksheet) -> Result<(), XlsxError> + Sync)| {
        let mut ws = crate::report::print::worksheet();
        build(&mut ws).map(|()| ws)
    };
    let (first, (summ, srcs)) = rayon::join(
        || {
            sheet(&|ws| {
                if plan.regions.len() <= WIDE_LIMIT {
                    matrix(ws, plan, c, s)
                } else {
                    distribution(ws, plan, c, s)
                }
            })
        },
        || {
            rayon::join(
                || sheet(&|ws| summary(ws, plan, c, s)),
                || sheet(&|ws| sources(ws, plan, c, s)),
            )
        },
    );
    Ok([first?, summ?, srcs?])
}

/// `Svar`'s place among the sheets: the second.
const SVAR_POSITION: usize = 2;

/// The title and the line under it (scale, who answered), across the
/// sheet's columns.
fn title_rows(
    ws: &mut Worksheet,
    plan: &Plan,
    c: &Consolidation,
    s: &Styles,
    widths: &[f64],
) -> Result<(), XlsxError> {
    let title = format!("{} – uppföljning {}", plan.title, plan.period);
    text_line(
        ws,
        0,
        &title,
        widths,
        &s.title,
        Cell::new("", 0.0).bold().size(14.0),
    )?;
    let missing: Vec<&str> = plan
        .regions
        .iter()
        .map(|r| r.code.0.as_str())
        .filter(|r| !c.has_reported(r))
        .collect();
    let mut line = format!("Skala: {}. ", plan.scale_legend());
    line += &format!(
        "Svar från {} av {} {}{}.",
        plan.regions.len() - missing.len(),
        plan.regions.len(),
        plan.noun.plural,
        if missing.is_empty() {
            String::new()
        } else {
            format!(" (saknas: {})", missing.join(", "))
        }
    );
    text_line(ws, 1, &line, widths, &s.note, Cell::new("", 0.0))
}

const HEAD: u32 = 3;

/// The page header's left part: plan and period.
fn plan_line(plan: &Plan) -> String {
    format!("{} – uppföljning {}", plan.title, plan.period)
}

/// An area's heading row across the table, e.g. `1 Prevention och tidig diagnostik`.
fn area_heading(
    ws: &mut Worksheet,
    row: u32,
    g: &GoalRow,
    widths: &[f64],
    s: &Styles,
) -> Result<(), XlsxError> {
    let text = format!("{} {}", g.area_id, g.area);
    text_line(
        ws,
        row,
        &text,
        widths,
        &s.heading,
        Cell::new("", 0.0).bold().size(11.0),
    )?;
    // A little air around the heading.
    let h = Cell::new(&text, merged(widths)).bold().size(11.0).height() + 6.0;
    ws.set_row_height(row, h.min(MAX_ROW_HEIGHT))?;
    Ok(())
}

/// The goals grouped by area, in plan order.
fn by_area(c: &Consolidation) -> impl Iterator<Item = &[GoalRow]> {
    c.goals.chunk_by(|a, b| a.area_id == b.area_id)
}

/// `Sammanställning` for up to [`WIDE_LIMIT`] regions: a rating column per
/// region and the comments, one area per page.
fn matrix(ws: &mut Worksheet, plan: &Plan, c: &Consolidation, s: &Styles) -> Result<(), XlsxError> {
    ws.set_name("Sammanställning")?;
    let nreg = plan.regions.len();
    let mut widths = vec![6.0, 42.0];
    widths.extend(std::iter::repeat_n(6.0, nreg));
    widths.push(80.0);
    title_rows(ws, plan, c, s, &widths)?;
    let mut names = vec!["Mål-id", "Mål"];
    names.extend(plan.regions.iter().map(|r| r.code.0.as_str()));
    names.push("Kommentarer");
    header_row(ws, HEAD, &names, &widths, &s.header)?;
    let mut row = HEAD + 1;
    let mut breaks = Vec::new();
    for goals in by_area(c) {
        if row > HEAD + 1 {
            breaks.push(row);
        }
        area_heading(ws, row, &goals[0], &widths, s)?;
        row += 1;
        for g in goals {
            row = matrix_goal(ws, row, plan, g, s)?;
        }
    }
    ws.set_freeze_panes(HEAD + 1, 2)?;
    ws.set_page_breaks(&breaks[..breaks.len().min(1000)])?;
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: Some((HEAD, HEAD)),
            plan: &plan_line(plan),
            what: "Sammanställning",
        },
    )
}

/// Writes a goal's row of the matrix from `row`; a comment text too long
/// to print in one row continues on the next rows. Returns the next row.
fn matrix_goal(
    ws: &mut Worksheet,
    row: u32,
    plan: &Plan,
    g: &GoalRow,
    s: &Styles,
) -> Result<u32, XlsxError> {
    let comment_col = 2 + plan.regions.len() as u16;
    ws.write_string_with_format(row, 0, &g.id.0, &s.center)?;
    ws.write_string_with_format(row, 1, &g.text, &s.wrap)?;
    for (i, r) in plan.regions.iter().enumerate() {
        let cell = g.answers.get(&r.code.0);
        let b = bucket(cell);
        let f = s
            .center
            .clone()
            .set_bold()
            .set_background_color(fill(plan, b));
        let shown = cell
            .and_then(crate::validate::GoalAnswer::shown)
            .unwrap_or_default();
        let col = 2 + i as u16;
        if shown.is_empty() {
            ws.write_blank(row, col, &f)?;
        } else {
            ws.write_string_with_format(row, col, first_cell(&shown), &f)?;
        }
    }
    let text = comments_text(plan, g);
    // Each text measured once: the pieces come with their heights.
    let parts = print_pieces(&text, 80.0);
    let goal_h = fit_height(&[(&g.text, 42.0)]);
    let mut row = row;
    for (i, (part, part_h)) in parts.iter().enumerate() {
        if i > 0 {
            // The goal's comments continue: say whose row this is.
            ws.write_string_with_format(row, 0, format!("{} forts.", g.id.0), &s.wrap)?;
            ws.write_blank(row, 1, &s.wrap)?;
            for col in 2..comment_col {
                ws.write_blank(row, col, &s.text)?;
            }
        }
        ws.write_string_with_format(row, comment_col, *part, &s.wrap)?;
        // The goal's text is on the first row only.
        let goal_h = if i == 0 { goal_h } else { fit_height(&[]) };
        ws.set_row_height(row, goal_h.max(*part_h))?;
        row += 1;
    }
    Ok(row)
}

/// `RJH: …\n\nRN: …\n\nRCC Norr: …`, regions in plan order, coordinator last.
pub fn comments_text(plan: &Plan, g: &crate::merge::GoalRow) -> String {
    let order = plan
        .regions
        .iter()
        .map(|r| &r.code.0)
        .chain(std::iter::once(&plan.coordinator.code.0));
    order
        .filter_map(|code| {
            g.answers
                .get(code)
                .and_then(|a| a.comment())
                .map(|t| format!("{code}: {t}"))
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `Sammanställning` for more regions: per goal, how many gave each rating
/// and how many commented.
fn distribution(
    ws: &mut Worksheet,
    plan: &Plan,
    c: &Consolidation,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("Sammanställning")?;
    let mut keys: Vec<String> = plan.scale.iter().map(|l| l.code.clone()).collect();
    keys.extend(["annat".to_string(), "blank".to_string()]);
    let mut widths = vec![6.0, 60.0];
    widths.extend(std::iter::repeat_n(7.0, keys.len()));
    widths.push(12.0);
    title_rows(ws, plan, c, s, &widths)?;
    let mut names = vec!["Mål-id", "Mål"];
    names.extend(plan.scale.iter().map(|l| l.code.as_str()));
    names.extend(["Annat", "Blank", "Kommentarer (antal)"]);
    header_row(ws, HEAD, &names, &widths, &s.header)?;
    let mut row = HEAD + 1;
    let order = AnswerOrder::new(plan.regions.iter().map(|r| r.code.0.as_str()));
    for goals in by_area(c) {
        area_heading(ws, row, &goals[0], &widths, s)?;
        row += 1;
        for g in goals {
            ws.write_string_with_format(row, 0, &g.id.0, &s.center)?;
            ws.write_string_with_format(row, 1, &g.text, &s.wrap)?;
            ws.set_row_height(row, fit_height(&[(&g.text, 60.0)]))?;
            // Every bucket is a key: the scale's levels, annat and blank.
            let mut counts = vec![0usize; keys.len()];
            for a in order.answers(g) {
                let b = bucket(a);
                if let Some(i) = keys.iter().position(|k| k == b) {
                    counts[i] += 1;
                }
            }
            for (i, (k, n)) in keys.iter().zip(counts).enumerate() {
                let f = s.center.clone().set_background_color(fill(plan, k));
                ws.write_number_with_format(row, 2 + i as u16, n as f64, &f)?;
            }
            let comments = g.answers.values().filter(|a| a.comment().is_some()).count();
            ws.write_number_with_format(row, 2 + keys.len() as u16, comments as f64, &s.center)?;
            row += 1;
        }
    }
    ws.set_freeze_panes(HEAD + 1, 2)?;
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: Some((HEAD, HEAD)),
            plan: &plan_line(plan),
            what: "Sammanställning",
        },
    )
}

/// `Svar`'s column widths.
const SVAR_WIDTHS: [f64; 5] = [18.0, 6.0, 10.0, 10.0, 90.0];

/// Gives `Svar` its name, filter, frozen head and page setup (see
/// [`long_sheet::setup_table`]).
fn answers_setup(ws: &mut Worksheet, plan: &Plan, next_row: u32) -> Result<(), XlsxError> {
    let page = Page {
        widths: &SVAR_WIDTHS,
        repeat: Some((0, 0)),
        plan: &plan_line(plan),
        what: &format!("Svar per mål och {}", plan.noun.singular),
    };
    long_sheet::setup_table(ws, "Svar", next_row, &page)
}

/// The indices of `Svar`'s formats in the workbook's style table.
struct SvarXf<'a> {
    header: u32,
    wrap: u32,
    center: u32,
    end: u32,
    /// Per rating bucket, as [`BucketFormats`].
    buckets: Vec<(&'a str, u32)>,
}

impl<'a> SvarXf<'a> {
    fn new(xf: &mut XfTable, s: &Styles, b: &BucketFormats<'a>, end: &Format) -> SvarXf<'a> {
        SvarXf {
            header: xf.add(&s.header),
            wrap: xf.add(&s.wrap),
            center: xf.add(&s.center),
            end: xf.add(end),
            buckets: b.0.iter().map(|(k, f)| (*k, xf.add(f))).collect(),
        }
    }

    /// The format of `bucket` (see [`bucket`]); `annat`'s for a code the
    /// scale does not have, which [`bucket`] never gives.
    fn bucket(&self, bucket: &str) -> u32 {
        let annat = self.buckets[self.buckets.len() - 2].1;
        self.buckets
            .iter()
            .find(|(b, _)| *b == bucket)
            .map_or(annat, |(_, i)| *i)
    }
}

/// `Svar`, measured: one row per goal and respondent, in plan order (the
/// coordinator last), filterable by region or rating.
struct Svar<'p> {
    /// The respondents in plan order, the coordinator last.
    order: Vec<&'p str>,
    measured: Vec<Measured>,
    /// The row after the last.
    next_row: u32,
}

impl<'p> Svar<'p> {
    /// Measures every goal's texts, on every core.
    fn measure(plan: &'p Plan, c: &Consolidation) -> Svar<'p> {
        let order: Vec<&str> = plan
            .regions
            .iter()
            .map(|r| r.code.0.as_str())
            .chain(std::iter::once(plan.coordinator.code.0.as_str()))
            .collect();
        let lookup = AnswerOrder::new(order.iter().copied());
        let measured: Vec<Measured> = c
            .goals
            .par_iter()
            .map(|g| Measured::new(plan, g, order.iter().copied().zip(lookup.answers(g))))
            .collect();
        let next_row = 1 + measured.iter().map(|m| m.rows).sum::<u32>();
        Svar {
            order,
            measured,
            next_row,
        }
    }

    /// The head and tail of the sheet's part.
    fn frame(&self, plan: &Plan) -> Result<long_sheet::Frame, XlsxError> {
        let setup = |ws: &mut Worksheet| answers_setup(ws, plan, self.next_row);
        long_sheet::frame(&setup, SVAR_POSITION, self.next_row, 4)
    }

    /// Writes the sheet's rows.
    fn rows(
        &self,
        r: &mut long_sheet::Rows<'_>,
        plan: &Plan,
        c: &Consolidation,
        xf: &SvarXf,
    ) -> std::io::Result<()> {
        let lookup = AnswerOrder::new(self.order.iter().copied());
        let who = plan.noun.heading();
        let names = ["Område", "Mål-id", &who, "Bedömning", "Kommentar"];
        r.head_row(&names, &SVAR_WIDTHS, xf.header);
        // The texts that repeat down the sheet are shared (see
        // `Rows::share`): looked up once each, not per row.
        let codes: Vec<_> = self.order.iter().map(|code| r.share(code)).collect();
        let mut row = 1;
        for (g, m) in c.goals.iter().zip(&self.measured) {
            let answers =
                (self.order.iter().copied().zip(codes.iter().copied())).zip(lookup.answers(g));
            row = goal_answers(r, row, plan, g, answers, m, xf)?;
        }
        r.end_sheet(row, xf.end);
        Ok(())
    }
}

/// What `Svar` needs of a goal before its rows are written: the area's
/// height, and per answer it shows (see [`shown_in_svar`]) its comment's
/// row height in whole pixels, as the sheet stores heights (two bytes an
/// answer), or [`SPLIT`] when the comment takes several rows (it is split
/// again when written: that is rare).
struct Measured {
    area_h: f64,
    heights: Vec<u16>,
    rows: u32,
}

/// [`Measured`]'s mark of a comment that takes several rows.
const SPLIT: u16 = u16::MAX;

/// Whether `Svar` has a row for an answer: the coordinator gives no rating,
/// so its row appears only for a comment.
fn shown_in_svar(plan: &Plan, code: &str, a: &crate::validate::GoalAnswer) -> bool {
    code != plan.coordinator.code.0
        || a.comment().is_some()
        || !a.shown().unwrap_or_default().is_empty()
}

impl Measured {
    fn new<'a>(
        plan: &Plan,
        g: &GoalRow,
        answers: impl Iterator<Item = (&'a str, Option<&'a crate::validate::GoalAnswer>)>,
    ) -> Measured {
        let area = format!("{} {}", g.area_id, g.area);
        let mut m = Measured {
            area_h: fit_height(&[(&area, 18.0)]),
            heights: Vec::new(),
            rows: 0,
        };
        for (code, a) in answers {
            let Some(a) = a.filter(|a| shown_in_svar(plan, code, a)) else {
                continue;
            };
            let parts = a
                .comment()
                .map(|t| print_pieces(t, 90.0))
                .unwrap_or_default();
            m.rows += parts.len().max(1) as u32;
            m.heights.push(match parts[..] {
                [] => 0,
                // At most 409 points: 545 pixels.
                [(_, h)] => (h.min(MAX_ROW_HEIGHT) * 4.0 / 3.0).round() as u16,
                _ => SPLIT,
            });
        }
        m
    }
}

/// One format per rating bucket, made once: a format built per row costs a
/// clone and a hash for each of tens of thousands of rows. A handful of
/// buckets, so found by comparing codes (no hashing per row).
struct BucketFormats<'a>(Vec<(&'a str, Format)>);

impl<'a> BucketFormats<'a> {
    fn new(plan: &'a Plan, s: &Styles) -> BucketFormats<'a> {
        BucketFormats(
            plan.scale
                .iter()
                .map(|l| l.code.as_str())
                .chain(["annat", "blank"])
                .map(|b| (b, s.center.clone().set_background_color(fill(plan, b))))
                .collect(),
        )
    }
}

/// Writes a goal's rows of `Svar` from `row`, a respondent's comment too
/// long to print in one row continuing on the next rows. Returns the next
/// row.
fn goal_answers<'a>(
    r: &mut long_sheet::Rows<'_>,
    mut row: u32,
    plan: &Plan,
    g: &GoalRow,
    answers: impl Iterator<Item = ((&'a str, Shared), Option<&'a crate::validate::GoalAnswer>)>,
    m: &Measured,
    xf: &SvarXf,
) -> std::io::Result<u32> {
    let area = r.share(&format!("{} {}", g.area_id, g.area));
    let id = r.share(&g.id.0);
    let shown_answers = answers.filter_map(|(code, a)| {
        a.filter(|a| shown_in_svar(plan, code.0, a))
            .map(|a| (code, a))
    });
    // The ratings met so far, shared: a handful of texts repeated on every
    // row (a rating that is not on the scale is looked up each time).
    let mut ratings: Vec<(String, Shared)> = Vec::new();
    for (((code, shared_code), a), h) in shown_answers.zip(&m.heights) {
        let coordinator = code == plan.coordinator.code.0;
        let shown = a.shown().unwrap_or_default();
        let comment = a.comment().unwrap_or_default();
        let parts = if *h == SPLIT {
            print_pieces(comment, 90.0)
        } else {
            vec![(comment, f64::from(*h) * 0.75)]
        };
        let n = parts.len();
        let rating = xf.bucket(bucket(Some(a)));
        let shown = if coordinator { "" } else { first_cell(&shown) };
        let shown = match ratings.iter().find(|(text, _)| text == shown) {
            Some(&(_, shared)) => shared,
            None => {
                let shared = r.share(shown);
                if ratings.len() < 16 {
                    ratings.push((shown.to_string(), shared));
                }
                shared
            }
        };
        for (i, (part, part_h)) in parts.iter().enumerate() {
            r.start_row(row, m.area_h.max(*part_h));
            r.shared_cell(0, area, xf.wrap);
            r.shared_cell(1, id, xf.center);
            if n > 1 {
                r.cell(2, &format!("{code} (del {}/{n})", i + 1), xf.wrap);
            } else {
                r.shared_cell(2, shared_code, xf.wrap);
            }
            r.shared_cell(3, shown, rating);
            r.cell(4, part, xf.wrap);
            r.flush()?;
            row += 1;
        }
    }
    Ok(row)
}

/// The columns of `Sammanfattning`: goal id, name, one per count.
fn summary_widths(keys: usize) -> Vec<f64> {
    let mut w = vec![6.0, 30.0];
    w.extend(std::iter::repeat_n(10.5, keys));
    w
}

/// A table of counts: a head row and one row per (name, counts by key).
/// Returns the next free row.
fn count_table(
    ws: &mut Worksheet,
    row: u32,
    head: &str,
    keys: &[(String, String)],
    rows: &[(String, Vec<usize>)],
    s: &Styles,
) -> Result<u32, XlsxError> {
    let widths = summary_widths(keys.len());
    ws.merge_range(row, 0, row, 1, head, &s.header)?;
    let mut cells = vec![];
    for (i, (_, label)) in keys.iter().enumerate() {
        ws.write_string_with_format(row, 2 + i as u16, label, &s.header)?;
        cells.push(Cell::new(label, widths[2 + i]).bold());
    }
    ws.set_row_height(row, super::print::fit(&cells))?;
    let mut row = row + 1;
    for (name, counts) in rows {
        ws.merge_range(row, 0, row, 1, name, &s.wrap)?;
        for (i, n) in counts.iter().enumerate() {
            ws.write_number_with_format(row, 2 + i as u16, *n as f64, &s.center)?;
        }
        ws.set_row_height(row, fit_height(&[(name, merged(&widths[..2]))]))?;
        row += 1;
    }
    Ok(row)
}

/// The stacked column chart of ratings per region: patterns and shades
/// that still tell the levels apart in a greyscale print.
fn region_chart(plan: &Plan, keys: &[(String, String)], head: u32, last_row: u32) -> Chart {
    let mut chart = Chart::new(ChartType::ColumnStacked);
    for (i, (k, _)) in keys.iter().enumerate() {
        let col = 2 + i as u16;
        chart
            .add_series()
            .set_name(("Sammanfattning", head, col))
            .set_categories(("Sammanfattning", head + 1, 0, last_row, 0))
            .set_values(("Sammanfattning", head + 1, col, last_row, col))
            .set_gap(60)
            .set_format(&mut chart_format(plan, k));
    }
    chart.y_axis().set_name("Antal mål");
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart
}

/// How a bucket is drawn in the chart: the first level solid, the last
/// dark and dense, the others striped, compound and uncertain ratings in a
/// grid and blank white, so that a greyscale print still shows which is which.
fn chart_format(plan: &Plan, bucket: &str) -> ChartFormat {
    use ChartPatternFillType as P;
    let n = plan.scale.len();
    let (pattern, ink, paper) = match plan.scale.iter().position(|l| l.code == bucket) {
        Some(0) => return solid(0xA9D18E),
        Some(i) if i + 1 == n => (P::SmallCheckerboard, 0x7B0000, 0xF4B6B6),
        Some(i) => {
            let mid = [
                P::DiagonalStripesWideUpwards,
                P::HorizontalStripesDark,
                P::VerticalStripesDark,
                P::Trellis,
            ];
            (mid[(i - 1) % mid.len()], 0x7F6000, 0xFFE699)
        }
        None if bucket == "blank" => return solid(0xFFFFFF),
        None => (P::LargeGrid, 0x1F4E79, 0xDDEBF7),
    };
    ChartFormat::new()
        .set_pattern_fill(
            ChartPatternFill::new()
                .set_pattern(pattern)
                .set_foreground_color(Color::RGB(ink))
                .set_background_color(Color::RGB(paper)),
        )
        .set_border(ChartLine::new().set_color(Color::RGB(0x404040)))
        .clone()
}

/// A solid fill with the chart's border.
fn solid(rgb: u32) -> ChartFormat {
    ChartFormat::new()
        .set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(rgb)))
        .set_border(ChartLine::new().set_color(Color::RGB(0x404040)))
        .clone()
}

/// `Sammanfattning`: counts per region (with their chart) and per area,
/// the goal lists the report's summary is written from, and the changes
/// since the previous round.
fn summary(
    ws: &mut Worksheet,
    plan: &Plan,
    c: &Consolidation,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("Sammanfattning")?;
    let keys = summary_keys(plan);
    let widths = summary_widths(keys.len());
    text_line(
        ws,
        0,
        &format!(
            "Sammanfattning – {} – uppföljning {}",
            plan.title, plan.period
        ),
        &widths,
        &s.title,
        Cell::new("", 0.0).bold().size(14.0),
    )?;
    let head = 3;
    let mut row = region_table(ws, head, plan, c, &keys, s)?;
    let last_region_row = row - 1;
    row = area_table(ws, row + 1, plan, c, &keys, s)?;
    if plan.regions.len() <= WIDE_LIMIT * 5 {
        row = chart_below(ws, row + 1, plan, &keys, head, last_region_row)?;
    }
    row = goal_lists(ws, row + 1, plan, c, &widths, s)?;
    super::changes::summary_block(ws, row + 1, c)?;
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: None,
            plan: &plan_line(plan),
            what: "Sammanfattning",
        },
    )
}

/// The count columns of `Sammanfattning`: (bucket, heading), the scale's
/// levels, then other answers and none.
fn summary_keys(plan: &Plan) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = plan
        .scale
        .iter()
        .map(|l| (l.code.clone(), format!("{} ({})", l.label, l.code)))
        .collect();
    keys.push((
        "annat".into(),
        format!(
            "Annat (t.ex. {}, {})",
            plan.compound_example(),
            plan.uncertain_example()
        ),
    ));
    keys.push(("blank".into(), "Ingen bedömning".into()));
    keys
}

/// Counts by key of one region or area (zero where nothing was counted).
fn counts(keys: &[(String, String)], m: Option<&BTreeMap<String, usize>>) -> Vec<usize> {
    keys.iter()
        .map(|(k, _)| m.and_then(|m| m.get(k)).copied().unwrap_or(0))
        .collect()
}

/// The heading of the counts per region, also the chart's title.
fn per_region(plan: &Plan) -> String {
    format!("Bedömningar per {}", plan.noun.singular)
}

/// The counts per region, its table's head row at `head` (the chart's data).
/// Returns the next free row.
fn region_table(
    ws: &mut Worksheet,
    head: u32,
    plan: &Plan,
    c: &Consolidation,
    keys: &[(String, String)],
    s: &Styles,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(head - 1, 0, per_region(plan), &s.bold)?;
    let regions: Vec<(String, Vec<usize>)> = plan
        .regions
        .iter()
        .map(|r| {
            // A silent region is not counted: say why its row is empty.
            let silent = if c.has_reported(&r.code.0) {
                ""
            } else {
                " (inget svar)"
            };
            (
                format!("{} – {}{silent}", r.code, r.name),
                counts(keys, c.stats.per_region.get(&r.code.0)),
            )
        })
        .collect();
    count_table(ws, head, &plan.noun.heading(), keys, &regions, s)
}

/// The counts per area from `row`, under their heading. Returns the next
/// free row.
fn area_table(
    ws: &mut Worksheet,
    row: u32,
    plan: &Plan,
    c: &Consolidation,
    keys: &[(String, String)],
    s: &Styles,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, "Bedömningar per område", &s.bold)?;
    let areas: Vec<(String, Vec<usize>)> = plan
        .areas
        .iter()
        .map(|a| {
            (
                format!("{} {}", a.id, a.title),
                counts(keys, c.stats.per_area.get(&a.id)),
            )
        })
        .collect();
    count_table(ws, row + 1, "Område", keys, &areas, s)
}

/// The chart of the counts per region at `row`, under the tables and as
/// wide as they are; the rows it covers keep the default height. Returns
/// the first free row under it.
fn chart_below(
    ws: &mut Worksheet,
    row: u32,
    plan: &Plan,
    keys: &[(String, String)],
    head: u32,
    last_region_row: u32,
) -> Result<u32, XlsxError> {
    let widths = summary_widths(keys.len());
    let width = widths.iter().map(|w| w * 7.0 + 5.0).sum::<f64>() as u32;
    let height = 340;
    let mut chart = region_chart(plan, keys, head, last_region_row);
    chart.title().set_name(&per_region(plan));
    chart.set_width(width).set_height(height);
    ws.insert_chart(row, 0, &chart)?;
    Ok(row + height.div_ceil(super::print::DEFAULT_ROW_PX) + 1)
}

/// The goal lists from `row` (all achieved, none started, …), each goal
/// with its text, under a line saying which regions they count. Returns
/// the next free row.
fn goal_lists(
    ws: &mut Worksheet,
    row: u32,
    plan: &Plan,
    c: &Consolidation,
    widths: &[f64],
    s: &Styles,
) -> Result<u32, XlsxError> {
    let st = &c.stats;
    ws.write_string_with_format(row, 0, super::summary::answered_note(plan, st), &s.bold)?;
    let mut row = row + 1;
    let text_of = |id: &crate::plan::GoalId| {
        c.goals
            .iter()
            .find(|g| &g.id == id)
            .map(|g| g.text.as_str())
            .unwrap_or("")
    };
    let text_width = merged(&widths[1..]);
    let last_col = widths.len() as u16 - 1;
    for super::summary::GoalList {
        title, goals: ids, ..
    } in super::summary::lists(plan, st)
    {
        row += 1;
        let title = format!("{title} ({} st)", ids.len());
        text_line(ws, row, &title, widths, &s.bold, Cell::new("", 0.0).bold())?;
        row += 1;
        if ids.is_empty() {
            ws.write_string_with_format(row, 0, "–", &s.note)?;
            row += 1;
        }
        for id in ids {
            ws.write_string_with_format(row, 0, &id.0, &s.note)?;
            ws.merge_range(row, 1, row, last_col, text_of(id), &s.note)?;
            ws.set_row_height(row, fit_height(&[(text_of(id), text_width)]))?;
            row += 1;
        }
    }
    Ok(row)
}

/// A time stamp as people read it: `2024-03-12 10:22 UTC`; other forms
/// as they are.
fn readable_time(t: &str) -> String {
    let b = t.as_bytes();
    if t.len() >= 17 && b[10] == b'T' && t.ends_with('Z') && t.is_char_boundary(16) {
        format!("{} {} UTC", &t[..10], &t[11..16])
    } else {
        t.to_string()
    }
}

/// A file's row of `Källor`: file, region, format, times, status, hash.
fn source_row(
    ws: &mut Worksheet,
    row: u32,
    src: &crate::merge::Source,
    widths: &[f64; 7],
    s: &Styles,
) -> Result<(), XlsxError> {
    let vals = [
        src.file.clone(),
        src.region.clone().unwrap_or_default(),
        src.format.clone().unwrap_or_default(),
        src.saved.as_deref().map(readable_time).unwrap_or_default(),
        src.found.as_deref().map(readable_time).unwrap_or_default(),
        src.status.swedish().to_string(),
        src.sha256.clone().unwrap_or_default(),
    ];
    let mut cells = Vec::new();
    for (col, v) in vals.iter().enumerate() {
        let v = first_cell(v);
        ws.write_string_with_format(row, col as u16, v, &s.wrap)?;
        cells.push(Cell::new(v, widths[col]));
    }
    ws.set_row_height(row, super::print::fit(&cells))?;
    Ok(())
}

/// `Källor`: every file of the inbox, with what became of it.
fn sources(
    ws: &mut Worksheet,
    plan: &Plan,
    c: &Consolidation,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("Källor")?;
    let widths = [34.0, 9.0, 7.0, 17.0, 17.0, 14.0, 34.0];
    text_line(
        ws,
        0,
        "Källor – filerna i inkorgen",
        &widths,
        &s.title,
        Cell::new("", 0.0).bold().size(14.0),
    )?;
    text_line(
        ws,
        1,
        "\"Sparad enligt filen\" är tiden som programmet skrev in i filen när den sparades. \
         \"Ändrad i inkorgen\" är filens ändringstid i inkorgen – normalt när den lades där. \
         Tiderna är i UTC (svensk tid är en timme senare, sommartid två).",
        &widths,
        &s.note,
        Cell::new("", 0.0),
    )?;
    let head = 3;
    header_row(
        ws,
        head,
        &[
            "Fil",
            &plan.noun.heading(),
            "Format",
            "Sparad enligt filen",
            "Ändrad i inkorgen",
            "Status",
            "SHA-256",
        ],
        &widths,
        &s.header,
    )?;
    for (i, src) in c.sources.iter().enumerate() {
        source_row(ws, head + 1 + i as u32, src, &widths, s)?;
    }
    ws.autofilter(head, 0, head + c.sources.len() as u32, 6)?;
    ws.set_freeze_panes(head + 1, 0)?;
    setup(
        ws,
        &Page {
            widths: &widths,
            repeat: Some((head, head)),
            plan: &plan_line(plan),
            what: "Källor",
        },
    )
}
