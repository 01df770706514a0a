//! Reading cost per return, without the sandbox, the merge or the writers:
//! `read INBOX` times `samla::reader::read_return` on every file of INBOX
//! (three passes); `read INBOX floor` times calamine alone reading the
//! identity and answer sheets of the same files (the fair floor's reading);
//! `read INBOX old` reads every file as before the one-pass reading (the
//! scans, then calamine). Prints the mean time per read, and how many reads
//! took one pass; run them in the same minute to compare.

use calamine::{open_workbook, Reader, Xlsx};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: read INBOX [floor|old]");
        std::process::exit(2);
    };
    let mode = args.next().unwrap_or_default();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("readable inbox")
        .filter_map(|e| Some(e.ok()?.path()))
        .collect();
    paths.sort();
    let limits = samla::reader::Limits::default();
    let t = std::time::Instant::now();
    let (mut n, mut onepass) = (0u32, 0u32);
    for _ in 0..3 {
        for p in &paths {
            let ok = match mode.as_str() {
                "floor" => calamine_only(p),
                "old" => {
                    std::fs::read(p).is_ok_and(|b| samla::reader::ways::old(&b, p, &limits).is_ok())
                }
                _ => std::fs::read(p).is_ok_and(|b| {
                    let (raw, fast) = samla::reader::ways::onepass(&b, p, &limits);
                    onepass += u32::from(fast);
                    raw.is_ok()
                }),
            };
            n += u32::from(ok);
        }
    }
    eprintln!(
        "{n} reads ({onepass} in one pass), {:?} per read",
        t.elapsed() / n.max(1)
    );
}

/// The floor: calamine reading the two sheets a merge needs.
fn calamine_only(p: &std::path::Path) -> bool {
    let Ok(mut wb) = open_workbook::<Xlsx<_>, _>(p) else {
        return false;
    };
    let a = wb.worksheet_range(samla::contract::META_SHEET);
    let b = wb.worksheet_range(samla::contract::ANSWER_SHEET);
    matches!((a, b), (Ok(a), Ok(b)) if a.height() + b.height() > 0)
}
