//! The previous round's read-only columns of a template written with
//! `--previous`: never answers. Each of their cells is compared with the
//! hidden copy of what the template showed ([`crate::contract::PREVIOUS_SHEET`]);
//! a cell that says something else now is an `edited-previous` finding that
//! quotes both, while the row's answer is read from the answer columns as
//! usual.

use std::collections::{HashMap, HashSet};

use super::quote_full;
use crate::contract::classify_header;
use crate::contract::header::{self, Column};
use crate::finding::{CellRef, Finding, FindingCode as C, Location};
use crate::reader::{AnswerSheet, RawCell, RawReturn};

/// The previous-round cells of `sheet` that are the template's own (the
/// headers and every goal row's cells, edited or not), and a finding for
/// each one that differs from what the template showed. Nothing when the
/// file has no hidden copy: then those columns are not the template's and
/// whatever is in them is reported as text outside the answers.
pub(super) fn check(
    place: &Location,
    raw: &RawReturn,
    sheet: &AnswerSheet,
) -> (HashSet<CellRef>, Vec<Finding>) {
    let mut own = HashSet::new();
    let mut findings = Vec::new();
    let Some(shown) = &raw.previous_shown else {
        return (own, findings);
    };
    let head = sheet.header_row;
    let cols: Vec<(u32, Column, &str)> = sheet
        .outside
        .iter()
        .filter(|c| c.row == head)
        .filter_map(|c| match classify_header(&c.text) {
            Some(k @ (Column::PreviousRating | Column::PreviousComment)) => {
                Some((c.col, k, c.text.as_str()))
            }
            _ => None,
        })
        .collect();
    own.extend(cols.iter().map(|(col, _, _)| CellRef::new(head, *col)));
    let cells: HashMap<CellRef, &RawCell> = sheet
        .outside
        .iter()
        .filter(|c| c.row > head)
        .map(|c| (CellRef::new(c.row, c.col), c))
        .collect();
    for row in &sheet.rows {
        let Some(id) = row.goal_id.as_ref().map(|c| c.text.trim()) else {
            continue;
        };
        let Some(was) = shown.get(id) else {
            continue;
        };
        for &(col, kind, heading) in &cols {
            let at = CellRef::new(row.row, col);
            own.insert(at);
            let (was, answer) = match kind {
                Column::PreviousRating => (was.rating.as_deref(), header::RATING),
                _ => (was.comment.as_deref(), header::COMMENT),
            };
            let now = cells.get(&at).map(|c| c.text.as_str());
            if same(was, now) {
                continue;
            }
            let f = Finding::new(
                C::EditedPrevious,
                message(at, heading, id, was, now, answer),
            )
            .goal(id)
            .at(place.with_cell(at));
            findings.push(f);
        }
    }
    (own, findings)
}

/// Whether two cells say the same, blank and whitespace aside (a program
/// that saves the file again may change line ends).
fn same(a: Option<&str>, b: Option<&str>) -> bool {
    a.unwrap_or("")
        .split_whitespace()
        .eq(b.unwrap_or("").split_whitespace())
}

/// What was edited, what it said and says, and how to put it right.
fn message(
    at: CellRef,
    heading: &str,
    id: &str,
    was: Option<&str>,
    now: Option<&str>,
    answer: &str,
) -> String {
    let was = was.map_or("en tom cell".to_string(), quote_full);
    let now = now.map_or("är cellen tom".to_string(), |n| {
        format!("står det {}", quote_full(n))
    });
    format!(
        "Cellen {at} i kolumnen \"{heading}\" (mål {id}) har ändrats: mallen visade {was}, nu {now}. Förra omgångens kolumner läses aldrig in, så ändringen har inte förts in i sammanställningen; svaret på mål {id} läses bara ur kolumnen \"{answer}\". Skriv det nya där och ändra tillbaka cellen {at} till det mallen visade"
    )
}
