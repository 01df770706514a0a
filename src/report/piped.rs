//! Compressing beside formatting: the long parts (`Svar`'s rows, the
//! report's body) are formatted on one thread and deflated on another.
//!
//! Why: formatting and deflating such a part one after the other on one
//! thread made it the long pole of the outputs — at 5,000 returns the last
//! 0.15 – 0.2 s of the run were that thread alone, finishing `Svar`, with
//! the other core idle. Here the formatting thread hands each full buffer
//! to a scoped thread that writes it into the compressed entry, so the two
//! halves of the work run on both cores, in order, with the same bytes as
//! before. Measured on a quiet 2-core machine (2026-11-26, 28 – 113
//! alternating runs) the outputs phase took as long as before (0.233 against
//! 0.239 s at 1,000 returns, 1.153 against 1.143 s at 5,000): the other
//! outputs kept the second core busy anyway. What it changed is which output
//! finishes last (now the JSON); see bench/PROFILE.md.
//!
//! Buffers go round: a written buffer comes back to be filled again, and
//! at most [`BUFFERS`] of them exist besides the one being filled, so the
//! memory stays a few times a buffer's size. The writing thread is a plain
//! thread, not one of rayon's: the formatting thread (which may be one of
//! rayon's) waits on it only when it is behind, and it waits on nothing
//! but the next buffer, so neither can wait for a job queued behind it.

use std::io::{self, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};

/// How many buffers exist at most besides the one being filled: queued,
/// being written, or written and waiting to be filled again.
const BUFFERS: usize = 2;

/// The formatting thread's end of the pipe: full buffers go in, empty ones
/// come back.
pub(crate) struct Piped {
    full: SyncSender<String>,
    empty: Receiver<String>,
    /// How many buffers this end has made (at most [`BUFFERS`]).
    made: usize,
    /// The capacity a new buffer is made with.
    capacity: usize,
}

impl Piped {
    /// Hands `buf`'s text on to be written and puts an empty buffer in its
    /// place: a written one when there is one, a new one while fewer than
    /// [`BUFFERS`] exist, else the next to be written (waiting for it).
    pub fn send(&mut self, buf: &mut String) -> io::Result<()> {
        let next = match self.empty.try_recv() {
            Ok(next) => next,
            Err(_) if self.made < BUFFERS => {
                self.made += 1;
                String::with_capacity(self.capacity)
            }
            Err(_) => self.empty.recv().map_err(|_| stopped())?,
        };
        let full = std::mem::replace(buf, next);
        self.full.send(full).map_err(|_| stopped())
    }
}

/// The formatting end's error when the writing thread has stopped: only
/// after an error of its own, which [`pipe`] reports instead.
fn stopped() -> io::Error {
    io::Error::other("fel i samla: tråden som komprimerar slutade i förtid; rapportera felet")
}

/// Runs `produce` on this thread while a thread of its own writes every
/// buffer `produce` sends into `sink`, in order; buffers are made with
/// `capacity`. Returns what `produce` returns once everything is written;
/// the writing thread's error, when it has one, comes first (it is why
/// `produce` could not send).
pub(crate) fn pipe<S: Write + Send, T>(
    sink: &mut S,
    capacity: usize,
    produce: impl FnOnce(&mut Piped) -> io::Result<T>,
) -> io::Result<T> {
    // Room for every buffer: sending never waits, only taking one back.
    let (full, queued) = sync_channel::<String>(BUFFERS + 1);
    let (written, empty) = channel::<String>();
    std::thread::scope(|s| {
        let writer = s.spawn(move || -> io::Result<()> {
            for mut buf in queued {
                sink.write_all(buf.as_bytes())?;
                buf.clear();
                // A buffer that grew for one large piece is not kept large.
                buf.shrink_to(capacity);
                // The formatting end may be done and gone: nothing to give back.
                let _ = written.send(buf);
            }
            Ok(())
        });
        let mut piped = Piped {
            full,
            empty,
            made: 0,
            capacity,
        };
        let produced = produce(&mut piped);
        // Closes the pipe: the writing thread ends after the last buffer.
        drop(piped);
        match writer.join() {
            Ok(written) => written.and(produced),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_sent_is_written_in_order_with_few_buffers() {
        let mut out = Vec::new();
        let made = pipe(&mut out, 8, |p| {
            let mut buf = String::new();
            for i in 0..1000 {
                buf.push_str(&format!("{i},"));
                if buf.len() >= 8 {
                    p.send(&mut buf)?;
                    assert!(buf.is_empty());
                }
            }
            p.send(&mut buf)?;
            Ok(p.made)
        })
        .unwrap();
        let expected: String = (0..1000).map(|i| format!("{i},")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        assert!(made <= BUFFERS);
    }

    /// A sink that fails after its first write.
    struct Failing(usize);

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += 1;
            if self.0 > 1 {
                return Err(io::Error::new(io::ErrorKind::StorageFull, "disken är full"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_writers_error_is_reported_and_the_producer_stops() {
        let mut sends = 0;
        let err = pipe(&mut Failing(0), 4, |p| -> io::Result<()> {
            let mut buf = String::new();
            // Far more buffers than exist: the producer must learn that
            // the writer stopped, not wait for it for ever.
            loop {
                buf.push_str("rad");
                p.send(&mut buf)?;
                sends += 1;
            }
        })
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        assert!(sends < 100, "{sends}");
    }
}
