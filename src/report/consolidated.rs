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

use rust_xlsxwriter::{
    Chart, ChartType, Color, DocProperties, Format, Workbook, Worksheet, XlsxError,
};

use super::{fit_height, header_row, print_setup, split_for_cells, Styles};
use crate::contract::fixed_datetime;
use crate::merge::{bucket, Consolidation};
use crate::plan::Plan;

/// Above this many regions, `Sammanställning` shows distributions, not a
/// column per region.
pub const WIDE_LIMIT: usize = 20;

/// Fill colour for a rating bucket, by what its level means: achieved
/// green, in progress yellow, not started red, not applicable white;
/// compound, uncertain and invalid blue; blank grey.
fn fill(plan: &Plan, bucket: &str) -> Color {
    use crate::plan::Meaning as M;
    match plan.meaning_of(bucket) {
        Some(M::Achieved) => Color::RGB(0xC6EFCE),
        Some(M::InProgress) => Color::RGB(0xFFEB9C),
        Some(M::NotStarted) => Color::RGB(0xFFC7CE),
        Some(M::NotApplicable) => Color::RGB(0xFFFFFF),
        None if bucket == "blank" => Color::RGB(0xEDEDED),
        None => Color::RGB(0xBDD7EE),
    }
}

/// Builds the workbook.
pub fn workbook(plan: &Plan, c: &Consolidation) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "{} – sammanställning av uppföljningen {}",
                plan.title, plan.period
            ))
            .set_author(plan.coordinator.name.as_str())
            .set_creation_datetime(&fixed_datetime()),
    );
    // The sheets are independent: build the long `Svar` table beside the
    // others instead of after them. `Svar` streams its rows to a temporary
    // file as they are written (constant memory, inline strings): in memory
    // it would take about 1.5 KB per row, and its shared strings a serial
    // pass at save time.
    let sheet = |build: &(dyn Fn(&mut Worksheet) -> Result<(), XlsxError> + Sync)| {
        let mut ws = Worksheet::new();
        build(&mut ws).map(|()| ws)
    };
    let mut svar = wb.new_worksheet_with_constant_memory()?;
    let (first, (svar_built, (summ, srcs))) = rayon::join(
        || {
            sheet(&|ws| {
                if plan.regions.len() <= WIDE_LIMIT {
                    matrix(ws, plan, c, &s)
                } else {
                    distribution(ws, plan, c, &s)
                }
            })
        },
        || {
            rayon::join(
                || answers(&mut svar, plan, c, &s),
                || {
                    rayon::join(
                        || sheet(&|ws| summary(ws, plan, c, &s)),
                        || sheet(&|ws| sources(ws, plan, c, &s)),
                    )
                },
            )
        },
    );
    svar_built?;
    for ws in [first?, svar, summ?, srcs?] {
        wb.push_worksheet(ws);
    }
    // Level 1 saves a large workbook about a third faster than the
    // default 6, for a file about 1.5 times as large.
    wb.set_zip_compression_level(1);
    wb.save_to_buffer()
}

fn title_rows(
    ws: &mut Worksheet,
    plan: &Plan,
    c: &Consolidation,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(
        0,
        0,
        format!("{} – uppföljning {}", plan.title, plan.period),
        &s.title,
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
    ws.write_string(1, 0, line)?;
    Ok(())
}

const HEAD: u32 = 3;

fn matrix(ws: &mut Worksheet, plan: &Plan, c: &Consolidation, s: &Styles) -> Result<(), XlsxError> {
    ws.set_name("Sammanställning")?;
    title_rows(ws, plan, c, s)?;
    let mut names = vec!["Område", "Mål-id", "Mål"];
    names.extend(plan.regions.iter().map(|r| r.code.0.as_str()));
    names.push("Kommentarer");
    header_row(ws, HEAD, &names, &s.header)?;
    let nreg = plan.regions.len() as u16;
    let comment_col = 3 + nreg;
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 7)?;
    ws.set_column_width(2, 45)?;
    for i in 0..nreg {
        ws.set_column_width(3 + i, 6)?;
    }
    ws.set_column_width(comment_col, 90)?;
    let rating_fmt = |b: &str| {
        s.center
            .clone()
            .set_bold()
            .set_background_color(fill(plan, b))
    };
    let mut row = HEAD + 1;
    let mut breaks = Vec::new();
    let mut last_area = None;
    for g in &c.goals {
        if last_area.is_some_and(|a| a != &g.area_id) {
            breaks.push(row);
        }
        last_area = Some(&g.area_id);
        ws.write_string_with_format(row, 0, format!("{} {}", g.area_id, g.area), &s.wrap)?;
        ws.write_string_with_format(row, 1, &g.id.0, &s.center)?;
        ws.write_string_with_format(row, 2, &g.text, &s.wrap)?;
        for (i, r) in plan.regions.iter().enumerate() {
            let cell = g.answers.get(&r.code.0);
            let b = bucket(cell);
            let shown = cell
                .and_then(|a| {
                    a.rating
                        .as_ref()
                        .map(|r| r.code())
                        .or_else(|| a.written.clone())
                })
                .unwrap_or_default();
            let col = 3 + i as u16;
            if shown.is_empty() {
                ws.write_blank(row, col, &rating_fmt(b))?;
            } else {
                ws.write_string_with_format(row, col, split_for_cells(&shown)[0], &rating_fmt(b))?;
            }
        }
        let text = comments_text(plan, g);
        let area = format!("{} {}", g.area_id, g.area);
        ws.set_row_height(
            row,
            fit_height(&[(&area, 16.0), (&g.text, 45.0), (&text, 90.0)]),
        )?;
        let parts = split_for_cells(&text);
        if parts.len() > 1 {
            // The whole text is in `Svar`, split across continuation rows.
            let note = " … (fortsätter i bladet Svar)";
            let keep: String = parts[0]
                .chars()
                .take(parts[0].chars().count() - note.chars().count())
                .collect();
            ws.write_string_with_format(row, comment_col, keep + note, &s.wrap)?;
        } else {
            ws.write_string_with_format(row, comment_col, &text, &s.wrap)?;
        }
        row += 1;
    }
    let last = row.saturating_sub(1).max(HEAD);
    ws.autofilter(HEAD, 0, last, comment_col)?;
    ws.set_freeze_panes(HEAD + 1, 3)?;
    ws.set_page_breaks(&breaks[..breaks.len().min(1000)])?;
    print_setup(ws, HEAD, &plan.title)?;
    Ok(())
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
                .and_then(|a| a.comment.as_ref())
                .map(|t| format!("{code}: {t}"))
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn distribution(
    ws: &mut Worksheet,
    plan: &Plan,
    c: &Consolidation,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("Sammanställning")?;
    title_rows(ws, plan, c, s)?;
    let mut names = vec!["Område", "Mål-id", "Mål"];
    names.extend(plan.scale.iter().map(|l| l.code.as_str()));
    names.extend(["Annat", "Blank", "Kommentarer (antal)"]);
    header_row(ws, HEAD, &names, &s.header)?;
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 7)?;
    ws.set_column_width(2, 60)?;
    let mut row = HEAD + 1;
    for g in &c.goals {
        ws.write_string_with_format(row, 0, format!("{} {}", g.area_id, g.area), &s.wrap)?;
        ws.write_string_with_format(row, 1, &g.id.0, &s.center)?;
        ws.write_string_with_format(row, 2, &g.text, &s.wrap)?;
        let mut keys: Vec<String> = plan.scale.iter().map(|l| l.code.clone()).collect();
        keys.extend(["annat".to_string(), "blank".to_string()]);
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for r in &plan.regions {
            *counts.entry(bucket(g.answers.get(&r.code.0))).or_default() += 1;
        }
        for (i, k) in keys.iter().enumerate() {
            let n = counts.get(k.as_str()).copied().unwrap_or(0);
            let f = s.center.clone().set_background_color(fill(plan, k));
            ws.write_number_with_format(row, 3 + i as u16, n as f64, &f)?;
        }
        let comments = g.answers.values().filter(|a| a.comment.is_some()).count();
        ws.write_number_with_format(row, 3 + keys.len() as u16, comments as f64, &s.center)?;
        row += 1;
    }
    let last_col = 3 + plan.scale.len() as u16 + 2;
    ws.autofilter(HEAD, 0, row.saturating_sub(1).max(HEAD), last_col)?;
    ws.set_freeze_panes(HEAD + 1, 3)?;
    print_setup(ws, HEAD, &plan.title)?;
    Ok(())
}

fn answers(
    ws: &mut Worksheet,
    plan: &Plan,
    c: &Consolidation,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("Svar")?;
    let who = plan.noun.heading();
    header_row(
        ws,
        0,
        &["Område", "Mål-id", &who, "Bedömning", "Kommentar"],
        &s.header,
    )?;
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 7)?;
    ws.set_column_width(2, 10)?;
    ws.set_column_width(3, 10)?;
    ws.set_column_width(4, 100)?;
    let order: Vec<&str> = plan
        .regions
        .iter()
        .map(|r| r.code.0.as_str())
        .chain(std::iter::once(plan.coordinator.code.0.as_str()))
        .collect();
    // One format per bucket, made once: a format built per row costs a
    // clone and a hash for each of tens of thousands of rows.
    let bucket_formats: std::collections::HashMap<&str, rust_xlsxwriter::Format> = plan
        .scale
        .iter()
        .map(|l| l.code.as_str())
        .chain(["annat", "blank"])
        .map(|b| (b, s.center.clone().set_background_color(fill(plan, b))))
        .collect();
    let mut row = 1;
    for g in &c.goals {
        for code in &order {
            let Some(a) = g.answers.get(*code) else {
                continue;
            };
            let shown = a
                .rating
                .as_ref()
                .map(|r| r.code())
                .or_else(|| a.written.clone())
                .unwrap_or_default();
            if shown.is_empty() && a.comment.is_none() && *code == plan.coordinator.code.0 {
                continue;
            }
            let parts = a
                .comment
                .as_deref()
                .map(split_for_cells)
                .unwrap_or_default();
            let n = parts.len().max(1);
            for i in 0..n {
                ws.write_string_with_format(row, 0, format!("{} {}", g.area_id, g.area), &s.text)?;
                ws.write_string_with_format(row, 1, &g.id.0, &s.center)?;
                let who = if n > 1 {
                    format!("{code} (del {}/{n})", i + 1)
                } else {
                    code.to_string()
                };
                ws.write_string_with_format(row, 2, who, &s.text)?;
                let f = &bucket_formats[bucket(Some(a))];
                if shown.is_empty() || *code == plan.coordinator.code.0 {
                    ws.write_blank(row, 3, f)?;
                } else {
                    ws.write_string_with_format(row, 3, split_for_cells(&shown)[0], f)?;
                }
                if let Some(p) = parts.get(i) {
                    ws.set_row_height(row, fit_height(&[(p, 100.0)]))?;
                }
                match parts.get(i) {
                    Some(p) => ws.write_string_with_format(row, 4, *p, &s.wrap)?,
                    None => ws.write_blank(row, 4, &s.wrap)?,
                };
                row += 1;
            }
        }
    }
    // rust_xlsxwriter 0.102 writes the last row of a constant-memory sheet
    // twice when it has a custom height (Excel then reports the file as
    // damaged); a blank cell on the row after it (formatted, or it would not
    // be written; the format shows nothing) has the last answer flushed
    // like every other row.
    ws.write_blank(
        row,
        0,
        &Format::new().set_align(rust_xlsxwriter::FormatAlign::Top),
    )?;
    ws.autofilter(0, 0, row.saturating_sub(1), 4)?;
    ws.set_freeze_panes(1, 0)?;
    print_setup(ws, 0, &plan.title)?;
    Ok(())
}

fn summary(
    ws: &mut Worksheet,
    plan: &Plan,
    c: &Consolidation,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("Sammanfattning")?;
    let st = &c.stats;
    ws.write_string_with_format(
        0,
        0,
        format!(
            "Sammanfattning – {} – uppföljning {}",
            plan.title, plan.period
        ),
        &s.title,
    )?;
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 12)?;
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
    for i in 0..keys.len() {
        ws.set_column_width(1 + i as u16, 14)?;
    }

    // Counts per region: also the chart's data.
    let mut row = 2;
    let per = format!("Bedömningar per {}", plan.noun.singular);
    ws.write_string_with_format(row, 0, &per, &s.bold)?;
    row += 1;
    let head = row;
    let who = plan.noun.heading();
    let mut names: Vec<&str> = vec![&who];
    names.extend(keys.iter().map(|(_, l)| l.as_str()));
    header_row(ws, row, &names, &s.header)?;
    row += 1;
    for r in &plan.regions {
        ws.write_string_with_format(row, 0, format!("{} – {}", r.code, r.name), &s.text)?;
        for (i, (k, _)) in keys.iter().enumerate() {
            let n = st
                .per_region
                .get(&r.code.0)
                .and_then(|m| m.get(k))
                .copied()
                .unwrap_or(0);
            ws.write_number_with_format(row, 1 + i as u16, n as f64, &s.center)?;
        }
        row += 1;
    }
    let last_region_row = row - 1;
    if plan.regions.len() <= WIDE_LIMIT * 5 {
        let mut chart = Chart::new(ChartType::ColumnStacked);
        for (i, (k, _)) in keys.iter().enumerate() {
            let col = 1 + i as u16;
            chart
                .add_series()
                .set_name(("Sammanfattning", head, col))
                .set_categories(("Sammanfattning", head + 1, 0, last_region_row, 0))
                .set_values(("Sammanfattning", head + 1, col, last_region_row, col))
                .set_format(rust_xlsxwriter::ChartFormat::new().set_solid_fill(
                    rust_xlsxwriter::ChartSolidFill::new().set_color(fill(plan, k)),
                ));
        }
        chart.title().set_name(&per);
        chart.y_axis().set_name("Antal mål");
        chart.set_width(640).set_height(360);
        ws.insert_chart(2, 2 + keys.len() as u16, &chart)?;
    }

    row += 1;
    ws.write_string_with_format(row, 0, "Bedömningar per område", &s.bold)?;
    row += 1;
    let mut names: Vec<&str> = vec!["Område"];
    names.extend(keys.iter().map(|(_, l)| l.as_str()));
    header_row(ws, row, &names, &s.header)?;
    row += 1;
    for a in &plan.areas {
        ws.write_string_with_format(row, 0, format!("{} {}", a.id, a.title), &s.text)?;
        for (i, (k, _)) in keys.iter().enumerate() {
            let n = st
                .per_area
                .get(&a.id)
                .and_then(|m| m.get(k))
                .copied()
                .unwrap_or(0);
            ws.write_number_with_format(row, 1 + i as u16, n as f64, &s.center)?;
        }
        row += 1;
    }
    row = row.max(21);

    let label = |m| {
        plan.level_meaning(m)
            .map(|l| l.label.to_lowercase())
            .unwrap_or_else(|| m.swedish().to_string())
    };
    let first = label(crate::plan::Meaning::Achieved);
    let last = label(crate::plan::Meaning::NotStarted);
    let lists = [
        (
            format!("Mål som alla {} bedömer som {first}", plan.noun.plural),
            &st.achieved_everywhere,
        ),
        (
            format!(
                "Mål som alla {} utom en bedömer som {first}",
                plan.noun.plural
            ),
            &st.achieved_all_but_one,
        ),
        (
            format!("Mål som minst en {} bedömer som {last}", plan.noun.singular),
            &st.not_started_somewhere,
        ),
        (
            format!("Mål där minst en {} saknar bedömning", plan.noun.singular),
            &st.missing_some_rating,
        ),
    ];
    let text_of = |id: &crate::plan::GoalId| {
        c.goals
            .iter()
            .find(|g| &g.id == id)
            .map(|g| g.text.as_str())
            .unwrap_or("")
    };
    for (title, ids) in lists {
        row += 1;
        ws.write_string_with_format(row, 0, format!("{title} ({} st)", ids.len()), &s.bold)?;
        row += 1;
        if ids.is_empty() {
            ws.write_string(row, 0, "–")?;
            row += 1;
        }
        for id in ids {
            ws.write_string_with_format(
                row,
                0,
                &id.0,
                &Format::new().set_align(rust_xlsxwriter::FormatAlign::Top),
            )?;
            ws.write_string(row, 1, text_of(id))?;
            row += 1;
        }
    }
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    Ok(())
}

fn sources(
    ws: &mut Worksheet,
    plan: &Plan,
    c: &Consolidation,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("Källor")?;
    header_row(
        ws,
        0,
        &[
            "Fil",
            &plan.noun.heading(),
            "Format",
            "SHA-256",
            "Tid",
            "Status",
        ],
        &s.header,
    )?;
    for (col, w) in [
        (0u16, 50.0),
        (1, 10.0),
        (2, 8.0),
        (3, 66.0),
        (4, 22.0),
        (5, 16.0),
    ] {
        ws.set_column_width(col, w)?;
    }
    for (i, src) in c.sources.iter().enumerate() {
        let row = 1 + i as u32;
        let vals = [
            src.file.clone(),
            src.region.clone().unwrap_or_default(),
            src.format.clone().unwrap_or_default(),
            src.sha256.clone().unwrap_or_default(),
            src.time.clone().unwrap_or_default(),
            src.status.swedish().to_string(),
        ];
        for (col, v) in vals.iter().enumerate() {
            ws.write_string_with_format(row, col as u16, split_for_cells(v)[0], &s.text)?;
        }
    }
    ws.autofilter(0, 0, c.sources.len() as u32, 5)?;
    ws.set_freeze_panes(1, 0)?;
    print_setup(ws, 0, "Källor")?;
    Ok(())
}
