//! One resubmission rule for every format. When a respondent sent several
//! returns, the newest is merged: newest by the save time inside the file
//! (`.xlsx`/`.xlsm`/`.xlsb` core properties, `.ods` meta.xml, `.xls`
//! SummaryInformation), else by the file's modification time. A time that
//! cannot be read, lies in the future or before 1990 is a finding and is not
//! used. When the newest cannot be told — two returns share the newest time,
//! or one has no time that can be trusted — none of them is merged: an error
//! finding on each asks a person to remove the ones that do not apply. No
//! return is ever called "newer" on a guess, and the file name decides nothing.

use std::fmt;

use crate::finding::{Finding, FindingCode as C, Location};
use crate::reader::UtcTime;
use crate::validate::Submission;

/// How far past the time of the run a time may lie and still be used. A
/// save time without a zone (LibreOffice writes local time) is read as UTC,
/// so up to a day ahead is a time zone, not a wrong clock.
pub const FUTURE_TOLERANCE_SECONDS: i64 = 24 * 3600;

/// 1990-01-01T00:00:00Z: no return of a follow-up was saved before it; an
/// earlier time is a clock or a property never set (`.xls` stores 1601).
pub const EARLIEST: UtcTime = UtcTime {
    unix_seconds: 631_152_000,
};

/// Where a return's time comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeSource {
    /// A property inside the file, e.g. `docProps/core.xml dcterms:modified`.
    Saved(String),
    /// The file's modification time in the file system.
    FileTime,
}

/// A time a return can be ordered by, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTime {
    /// The instant.
    pub at: UtcTime,
    /// Where it was found.
    pub source: TimeSource,
}

/// `2023-04-01T00:00:00Z enligt dokumentegenskapen meta.xml dc:date`.
impl fmt::Display for ReturnTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            TimeSource::Saved(p) => write!(f, "{} enligt dokumentegenskapen {p}", self.at),
            TimeSource::FileTime => write!(f, "{} enligt filens ändringstid", self.at),
        }
    }
}

/// Why `t` cannot be when the file was saved; None when it can.
fn implausible(t: UtcTime, now: UtcTime) -> Option<String> {
    if t.unix_seconds > now.unix_seconds + FUTURE_TOLERANCE_SECONDS {
        Some(format!(
            "som ligger mer än ett dygn efter körningens tid ({now})"
        ))
    } else if t < EARLIEST {
        Some(format!("som ligger före {EARLIEST}"))
    } else {
        None
    }
}

/// The time `sub` is ordered by: the save time inside the file, else the
/// file's modification time `mtime`. Each time not used is a finding.
pub fn return_time(
    sub: &Submission,
    mtime: Option<UtcTime>,
    now: UtcTime,
    code: &str,
) -> (Option<ReturnTime>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut untrusted = |why: String| {
        findings.push(
            Finding::new(
                C::UntrustedTime,
                format!("{why}. Den används inte för att avgöra vilket svar som är nyast."),
            )
            .region(code)
            .at(Location::file(&sub.file)),
        )
    };
    if let Some(saved) = &sub.saved {
        match saved.parsed {
            Err(_) => untrusted(saved.problem().unwrap_or_default()),
            Ok(t) => match implausible(t, now) {
                Some(why) => untrusted(format!(
                    "Dokumentegenskapen {} säger att filen sparades {t}, {why}",
                    saved.property
                )),
                None => {
                    let source = TimeSource::Saved(saved.property.clone());
                    return (Some(ReturnTime { at: t, source }), findings);
                }
            },
        }
    }
    let time = mtime.and_then(|t| match implausible(t, now) {
        Some(why) => {
            untrusted(format!("Filens ändringstid är {t}, {why}"));
            None
        }
        None => Some(ReturnTime {
            at: t,
            source: TimeSource::FileTime,
        }),
    });
    (time, findings)
}

/// Why the newest return cannot be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undecided {
    /// Some return has no time that can be trusted.
    Untimed,
    /// The newest time is shared by two or more returns.
    Tied,
}

/// The index of the newest of `times` (one per return), or why it cannot
/// be told; `times` is None when some return has no time to trust.
pub fn decide(times: Option<&[&ReturnTime]>) -> Result<usize, Undecided> {
    let times = times.ok_or(Undecided::Untimed)?;
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by(|&a, &b| times[b].at.cmp(&times[a].at));
    match order[..] {
        [newest, next, ..] if times[newest].at == times[next].at => Err(Undecided::Tied),
        [newest, ..] => Ok(newest),
        [] => Err(Undecided::Untimed),
    }
}

/// How a return is listed in a message: its file and its time.
fn listed(sub: &Submission, time: Option<&ReturnTime>) -> String {
    match time {
        Some(t) => format!("{}, sparad {t}", sub.file.display()),
        None => format!("{}, utan tidpunkt som går att lita på", sub.file.display()),
    }
}

/// The finding on a return a newer one replaced; names both times.
pub fn superseded(
    code: &str,
    old: (&Submission, &ReturnTime),
    new: (&Submission, &ReturnTime),
) -> Finding {
    Finding::new(
        C::SupersededSubmission,
        format!(
            "{code} har skickat flera svar. Den här filen (sparad {}) har ersatts av den nyare {} (sparad {}) och har inte förts in.",
            old.1,
            new.0.file.display(),
            new.1
        ),
    )
    .region(code)
    .at(Location::file(&old.0.file))
}

/// The finding on each of a respondent's returns when the newest cannot be told.
pub fn undecided(
    code: &str,
    why: Undecided,
    this: &Submission,
    all: &[(&Submission, Option<&ReturnTime>)],
) -> Finding {
    let why = match why {
        Undecided::Untimed => "alla har inte en tidpunkt som går att lita på",
        Undecided::Tied => "de senast sparade har samma tidpunkt",
    };
    let list: Vec<String> = all.iter().map(|(s, t)| listed(s, *t)).collect();
    Finding::new(
        C::UndecidedResubmission,
        format!(
            "{code} har skickat flera svar och det går inte att avgöra vilket som är nyast ({why}): {}. Inget av dem har förts in, så {code}s svar saknas i sammanställningen. Ta bort de svar som inte gäller ur inkorgen och kör igen.",
            list.join("; ")
        ),
    )
    .region(code)
    .at(Location::file(&this.file))
}
