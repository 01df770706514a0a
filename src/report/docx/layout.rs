//! The area tables of the Word report: a column per region as in the
//! compiled report, or, with many regions, the distribution of ratings per
//! goal with the comments grouped below.

use std::borrow::Cow;

use super::ooxml::{Align, Run, Table, TableCell, TableRow};

use super::{cell, fill, head_cell, merged, push_table_text, table, table_text, Doc, TEXT_W};
use crate::merge::{bucket, AnswerOrder, Consolidation, GoalRow};
use crate::plan::Plan;
use crate::validate::GoalAnswer;

/// Width of a rating column (1.2 cm: a three-letter code in bold fits).
const RATING_W: usize = 680;

/// A head row, repeated on every page.
pub(super) fn head_row(cells: Vec<TableCell>) -> TableRow {
    TableRow::head(cells)
}

/// `Mål | Uppföljning <one column per region> | Kommentarer`, ratings shaded,
/// comments prefixed by code, regions in plan order and the coordinator last.
pub(super) fn matrix(d: &mut Doc, plan: &Plan, shown: &[&str], rows: &[&GoalRow]) -> Table {
    let rest = TEXT_W - shown.len() * RATING_W;
    let goal_w = rest * 40 / 100;
    let comment_w = rest - goal_w;
    let mut grid = vec![goal_w];
    grid.extend(std::iter::repeat_n(RATING_W, shown.len()));
    grid.push(comment_w);

    let mut top = vec![merged(head_cell(d, goal_w, "Mål"), true)];
    top.push(head_cell(d, RATING_W * shown.len(), "Uppföljning").grid_span(shown.len()));
    top.push(merged(head_cell(d, comment_w, "Kommentarer"), true));
    let mut second = vec![merged(head_cell(d, goal_w, ""), false)];
    for code in shown {
        second.push(head_cell(d, RATING_W, code));
    }
    second.push(merged(head_cell(d, comment_w, ""), false));
    let mut out = vec![head_row(top), head_row(second)];

    let codes = respondents(plan);
    let order = AnswerOrder::new(codes.iter().copied());
    for g in rows {
        let goal = table_text(d, None, &g.text);
        let mut cells = vec![cell(goal_w).add_paragraph(goal)];
        for code in shown {
            let a = g.answers.get(code);
            let text = a.and_then(GoalAnswer::shown).unwrap_or_default();
            let p = d
                .p()
                .style("Tabelltext")
                .align(Align::Center)
                .add_run(Run::new().bold().add_text(text));
            cells.push(
                cell(RATING_W)
                    .shading(fill(plan, bucket(a)))
                    .add_paragraph(p),
            );
        }
        let mut comments = cell(comment_w);
        let mut any = false;
        for (code, text) in comments_in_order(&codes, &order.answers(g)) {
            comments = comments.add_paragraph(table_text(d, Some(code), text));
            any = true;
        }
        if !any {
            comments = comments.add_paragraph(d.p().style("Tabelltext"));
        }
        cells.push(comments);
        out.push(TableRow::new(cells));
    }
    table(out, grid)
}

/// The respondents in the order the report lists them: regions in plan
/// order, the coordinator last.
pub(super) fn respondents(plan: &Plan) -> Vec<&str> {
    plan.regions
        .iter()
        .map(|r| r.code.0.as_str())
        .chain(std::iter::once(plan.coordinator.code.0.as_str()))
        .collect()
}

/// Every comment on a goal, as (code, comment), in the order of `codes`;
/// `answers` are the goal's answers of `codes` (see [`AnswerOrder`]).
pub(super) fn comments_in_order<'a>(
    codes: &[&'a str],
    answers: &[Option<&'a GoalAnswer>],
) -> Vec<(&'a str, &'a str)> {
    codes
        .iter()
        .zip(answers)
        .filter_map(|(code, a)| Some((*code, a.as_ref()?.comment()?)))
        .collect()
}

/// The rating buckets in column order: the scale's levels, `annat`, `blank`.
fn buckets(plan: &Plan) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = plan
        .scale
        .iter()
        .map(|l| (l.code.clone(), l.code.clone()))
        .collect();
    keys.push(("annat".into(), "Annat".into()));
    keys.push(("blank".into(), "Ingen".into()));
    keys
}

/// `Mål | Antal regioner per bedömning <U P E Annat Ingen>`: how many of
/// the answering regions gave each rating.
pub(super) fn distribution(
    d: &mut Doc,
    plan: &Plan,
    c: &Consolidation,
    rows: &[&GoalRow],
) -> Table {
    let keys = buckets(plan);
    let goal_w = TEXT_W - keys.len() * RATING_W;
    let mut grid = vec![goal_w];
    grid.extend(std::iter::repeat_n(RATING_W, keys.len()));
    let head = format!(
        "Antal {} per bedömning (av {} som har svarat)",
        plan.noun.plural,
        c.stats.answered.len()
    );
    let top = vec![
        merged(head_cell(d, goal_w, "Mål"), true),
        head_cell(d, RATING_W * keys.len(), &head).grid_span(keys.len()),
    ];
    let mut second = vec![merged(head_cell(d, goal_w, ""), false)];
    for (_, label) in &keys {
        second.push(head_cell(d, RATING_W, label));
    }
    let mut out = vec![head_row(top), head_row(second)];
    let order = AnswerOrder::new(c.stats.answered.iter().map(String::as_str));
    for g in rows {
        let text = format!("{} {}", g.id, g.text);
        let mut cells = vec![cell(goal_w).add_paragraph(table_text(d, None, &text))];
        // One pass over the answering units per goal (not one per bucket):
        // with thousands of units this table was a fifth of the report.
        let mut counts = vec![0usize; keys.len()];
        for a in order.answers(g) {
            let b = bucket(a);
            if let Some(i) = keys.iter().position(|(k, _)| k == b) {
                counts[i] += 1;
            }
        }
        for ((k, _), n) in keys.iter().zip(counts) {
            let p = d
                .p()
                .style("Tabelltext")
                .align(Align::Center)
                .add_run(Run::new().add_text(n.to_string()));
            cells.push(cell(RATING_W).shading(fill(plan, k)).add_paragraph(p));
        }
        out.push(TableRow::new(cells));
    }
    table(out, grid)
}

/// Per goal: who gave which rating, then every comment, code first.
pub(super) fn grouped_comments(d: &mut Doc, plan: &Plan, rows: &[&GoalRow]) {
    d.heading(2, "Bedömningar och kommentarer per mål");
    let codes = respondents(plan);
    let order = AnswerOrder::new(codes.iter().copied());
    for g in rows {
        let p = d
            .p()
            .style("Normal")
            .keep_next(true)
            .add_run(Run::new().bold().add_text(format!("{} {}", g.id, g.text)));
        d.push(p);
        let answers = order.answers(g);
        // The regions' answers: the coordinator, last, gives no rating.
        let regions = codes.iter().zip(&answers).take(plan.regions.len());
        let mut by_rating: Vec<(Cow<str>, Vec<&str>)> = Vec::new();
        for (code, a) in regions {
            let Some(a) = a else {
                continue;
            };
            let shown = a.shown().unwrap_or(Cow::Borrowed("ingen bedömning"));
            match by_rating.iter_mut().find(|(k, _)| *k == shown) {
                Some((_, v)) => v.push(code),
                None => by_rating.push((shown, vec![code])),
            }
        }
        if !by_rating.is_empty() {
            let line = by_rating
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.join(", ")))
                .collect::<Vec<_>>()
                .join("; ");
            push_table_text(d, "Bedömningar", &line);
        }
        for (code, text) in comments_in_order(&codes, &answers) {
            push_table_text(d, code, text);
        }
    }
}
