//! The report's section *Förändringar sedan förra omgången*, written only
//! when the run is compared with an earlier round (`--previous`): how many
//! goal × respondent ratings moved each way, then the lists a reader acts
//! on — regressed goals with both ratings and this round's comment, goals
//! still not started, goals newly rated — and the goals the two rounds'
//! plans differ in. Every change, with both rounds' comments, is in the
//! workbook's sheet `Förändringar`; the section says so.

use super::ooxml::{Align, Run, Table, TableCell, TableRow};

use super::layout::head_row;
use super::{cell, fill, head_cell, merged, table, table_text, Doc, TEXT_W};
use crate::merge::Consolidation;
use crate::plan::{Meaning, Plan};
use crate::report::summary;
use crate::rounds::{Change, Comparison, GoalChangeKind, Transition};

/// The section's heading.
pub const HEADING: &str = "Förändringar sedan förra omgången";

/// Width of a rating column, as in the area tables.
const RATING_W: usize = 680;

/// Writes the section; nothing without a comparison.
pub(super) fn section(d: &mut Doc, plan: &Plan, c: &Consolidation) {
    let Some(cmp) = &c.over_time.comparison else {
        return;
    };
    d.heading(1, HEADING);
    d.para(&format!(
        "Bedömningarna i uppföljningen {} jämförs här med uppföljningen {} (plan {}, \
         version {}), mål för mål och {} för {}. Tabellen räknar bedömningarna per slag av \
         förändring; därefter följer de försämrade målen, de mål som fortfarande inte är \
         påbörjade och de mål som har fått en ny bedömning.",
        plan.period,
        cmp.previous.period,
        cmp.previous.plan,
        cmp.previous.version,
        plan.noun.singular,
        plan.noun.singular
    ));
    let t = counts_table(d, plan, cmp);
    d.table(t);
    regressed(d, plan, c, cmp);
    still_not_started(d, plan, c, cmp);
    newly_rated(d, plan, c, cmp);
    plan_changes(d, cmp);
    d.para(
        "Alla förändringar, med båda omgångarnas bedömningar och kommentarer, finns i \
         bladet Förändringar i sammanställningen (sammanstallning.xlsx).",
    );
    d.placeholder(
        "kommentera förändringarna: vad som har gått framåt, vad som har gått bakåt och \
         varför, och vad som behöver följas upp.",
    );
}

/// What a kind of change means, in the plan's own words.
fn meaning(plan: &Plan, k: Transition) -> String {
    let achieved = summary::meaning_label(plan, Meaning::Achieved);
    let not_started = summary::meaning_label(plan, Meaning::NotStarted);
    match k {
        Transition::Regressed => format!("Längre från {achieved} än förra omgången."),
        Transition::StillNotStarted => format!("{} i båda omgångarna.", capital(&not_started)),
        Transition::Improved => format!("Närmare {achieved} än förra omgången."),
        Transition::NewlyRated => {
            "Har en bedömning nu men hade ingen förra omgången (blank eller inget svar).".into()
        }
        Transition::NoLongerRated => {
            "Hade en bedömning förra omgången men har ingen nu (blank eller inget svar).".into()
        }
        Transition::NotComparable => format!(
            "Sammansatt eller osäker bedömning (t.ex. {}) eller en nivå utan ordning i någon \
             av omgångarna; en person behöver jämföra.",
            summary::examples(plan)
        ),
        Transition::Unchanged => "Samma nivå i båda omgångarna.".into(),
    }
}

/// `Förändring | Antal | Vad det betyder`, every kind (zeros included) and
/// the total.
fn counts_table(d: &mut Doc, plan: &Plan, cmp: &Comparison) -> Table {
    let grid = vec![2_600, 900, TEXT_W - 3_500];
    let mut rows = vec![head(d, &["Förändring", "Antal", "Vad det betyder"], &grid)];
    let counts = cmp.counts();
    let mut line = |d: &mut Doc, label: &str, n: usize, what: &str| {
        let count = d
            .p()
            .style("Tabelltext")
            .align(Align::Center)
            .add_run(Run::new().add_text(n.to_string()));
        rows.push(TableRow::new(vec![
            cell(grid[0]).add_paragraph(table_text(d, None, label)),
            cell(grid[1]).add_paragraph(count),
            cell(grid[2]).add_paragraph(table_text(d, None, what)),
        ]));
    };
    for k in Transition::ALL {
        let n = counts.get(&k).copied().unwrap_or(0);
        line(d, &capital(k.swedish()), n, &meaning(plan, k));
    }
    line(
        d,
        "Totalt",
        cmp.changes.len(),
        "Bedömningar som finns i minst en av omgångarna.",
    );
    table(rows, grid)
}

/// The regressed goals: a table with both ratings and this round's comment.
fn regressed(d: &mut Doc, plan: &Plan, c: &Consolidation, cmp: &Comparison) {
    d.heading(2, "Försämrade mål");
    let groups = cmp.goals_with(Transition::Regressed);
    let n: usize = groups.iter().map(|(_, list)| list.len()).sum();
    if groups.is_empty() {
        d.para("Ingen bedömning har gått bakåt sedan förra omgången.");
        return;
    }
    d.para(&format!(
        "{n} {} har gått bakåt sedan förra omgången, för {} mål (Förra: uppföljningen {}; \
         Nu: uppföljningen {}):",
        if n == 1 { "bedömning" } else { "bedömningar" },
        groups.len(),
        cmp.previous.period,
        plan.period
    ));
    let rest = TEXT_W - 900 - 2 * RATING_W;
    let grid = vec![
        rest * 45 / 100,
        900,
        RATING_W,
        RATING_W,
        rest - rest * 45 / 100,
    ];
    let names = [
        "Mål",
        &capital(&plan.noun.singular),
        "Förra",
        "Nu",
        &format!("Kommentar {}", plan.period),
    ];
    let mut rows = vec![head(d, &names, &grid)];
    for (goal, list) in groups {
        for (i, ch) in list.iter().enumerate() {
            let text = format!("{goal} {}", goal_text(c, ch));
            let goal_cell = if i == 0 {
                cell(grid[0]).add_paragraph(table_text(d, None, &text))
            } else {
                cell(grid[0]).add_paragraph(d.p().style("Tabelltext"))
            };
            let comment = cmp.comments(c, ch).1.unwrap_or("");
            rows.push(TableRow::new(vec![
                merged(goal_cell, i == 0),
                cell(grid[1]).add_paragraph(table_text(d, None, &ch.respondent)),
                rating_cell(d, plan, grid[2], ch.from.as_deref()),
                rating_cell(d, plan, grid[3], ch.to.as_deref()),
                cell(grid[4]).add_paragraph(table_text(d, None, comment)),
            ]));
        }
    }
    let t = table(rows, grid);
    d.table(t);
}

/// Goals not started in both rounds, as a numbered list naming who.
fn still_not_started(d: &mut Doc, plan: &Plan, c: &Consolidation, cmp: &Comparison) {
    d.heading(2, "Fortsatt ej påbörjade mål");
    let not_started = match plan.level_meaning(Meaning::NotStarted) {
        Some(l) => format!("{} ({})", l.label.to_lowercase(), l.code),
        None => summary::meaning_label(plan, Meaning::NotStarted),
    };
    let lead = |k: usize| {
        format!(
            "För {k} mål anger minst en {} {not_started} i båda omgångarna; inom parentes vilka:",
            plan.noun.singular
        )
    };
    let none = "Inget mål har varit ej påbörjat i båda omgångarna.";
    goal_list(
        d,
        c,
        cmp,
        Transition::StillNotStarted,
        (&lead, none),
        |ch| ch.respondent.clone(),
    );
}

/// Goals rated now by someone who did not rate them before.
fn newly_rated(d: &mut Doc, plan: &Plan, c: &Consolidation, cmp: &Comparison) {
    d.heading(2, "Mål med ny bedömning");
    let lead = |k: usize| {
        format!(
            "{k} mål har nu en bedömning från minst en {} som inte bedömde {} förra \
             omgången; inom parentes vem och vilken bedömning:",
            plan.noun.singular,
            if k == 1 { "det" } else { "dem" }
        )
    };
    let none = "Inget mål har fått en ny bedömning sedan förra omgången.";
    goal_list(d, c, cmp, Transition::NewlyRated, (&lead, none), |ch| {
        format!("{}: {}", ch.respondent, ch.to.as_deref().unwrap_or(""))
    });
}

/// A lead sentence and a numbered list of the goals with changes of
/// `kind`, each `text (mål id; who)`; `words` is the lead sentence for k
/// goals and the sentence when there are none.
fn goal_list(
    d: &mut Doc,
    c: &Consolidation,
    cmp: &Comparison,
    kind: Transition,
    words: (&dyn Fn(usize) -> String, &str),
    who: impl Fn(&Change) -> String,
) {
    let groups = cmp.goals_with(kind);
    if groups.is_empty() {
        d.para(words.1);
        return;
    }
    d.para(&(words.0)(groups.len()));
    let items: Vec<String> = groups
        .iter()
        .map(|(goal, list)| {
            let names: Vec<String> = list.iter().map(|ch| who(ch)).collect();
            format!(
                "{} (mål {goal}; {})",
                goal_text(c, list[0]),
                summary::join_and(&names)
            )
        })
        .collect();
    d.numbered(&items);
}

/// Goals added, removed or re-worded between the rounds' plans: both texts,
/// whole. Nothing when the plans have the same goals.
fn plan_changes(d: &mut Doc, cmp: &Comparison) {
    if cmp.goal_changes.is_empty() {
        return;
    }
    d.heading(2, "Mål som ändrats i planen");
    d.para(&format!(
        "{} mål skiljer sig mellan omgångarnas planer. Mål jämförs bara under samma id; \
         kontrollera att ett omformulerat mål fortfarande betyder detsamma:",
        cmp.goal_changes.len()
    ));
    let items: Vec<String> = cmp
        .goal_changes
        .iter()
        .map(|g| {
            let text = |t: &Option<String>| t.as_deref().unwrap_or("").trim().to_string();
            match g.kind {
                GoalChangeKind::Added => format!("Mål {} (nytt mål): {}", g.goal, text(&g.after)),
                GoalChangeKind::Removed => {
                    format!("Mål {} (borttaget mål): {}", g.goal, text(&g.before))
                }
                GoalChangeKind::Reworded => format!(
                    "Mål {} (omformulerat mål): förut ”{}”, nu ”{}”",
                    g.goal,
                    text(&g.before),
                    text(&g.after)
                ),
            }
        })
        .collect();
    d.numbered(&items);
}

/// The goal's text in this round.
fn goal_text(c: &Consolidation, ch: &Change) -> String {
    c.goals
        .iter()
        .find(|g| g.id == ch.goal)
        .map(|g| g.text.trim().to_string())
        .unwrap_or_default()
}

/// A table's head row (repeated on every page), one name per column.
fn head(d: &mut Doc, names: &[&str], grid: &[usize]) -> TableRow {
    let cells = names
        .iter()
        .zip(grid)
        .map(|(h, w)| head_cell(d, *w, h))
        .collect();
    head_row(cells)
}

/// A rating, bold and centred on its fill as in the area tables.
fn rating_cell(d: &mut Doc, plan: &Plan, w: usize, rating: Option<&str>) -> TableCell {
    let bucket = match rating {
        None => "blank",
        Some(r) if plan.scale.iter().any(|l| l.code == r) => r,
        Some(_) => "annat",
    };
    let p = d
        .p()
        .style("Tabelltext")
        .align(Align::Center)
        .add_run(Run::new().bold().add_text(rating.unwrap_or("")));
    cell(w).shading(fill(plan, bucket)).add_paragraph(p)
}

/// `text` with its first letter upper-case.
fn capital(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
