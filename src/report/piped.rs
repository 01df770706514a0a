//! Compressing beside formatting: the long parts (`Svar`'s rows, the
//! report's body) are formatted on one thread and deflated on another.
//!
//! Why: formatting and deflating such a part one after the other on one
//! thread made it the long pole of the outputs — at 5,000 returns the last
//! 0.15 – 0.2 s of the run were that thread alone, finishing `Svar`, with
//! the other core idle. Here the formatting thread hands each full buffer
//! to a scoped thread that writes it into the compressed entry, so the two
//! halves of the work run on both cores, in order, with the same bytes as
//! before.
//!
//! A long sheet's rows go further ([`pipe_deflated`]): each buffer is
//! deflated on its own, two at a time, and the pieces are put in order
//! into the entry, so that the sheet's deflating (the slower half) keeps
//! both cores busy when nothing else does. The entry holds the same text;
//! its compressed bytes differ (a piece does not refer back to the one
//! before it: about 4 % larger).
//!
//! Buffers go round: a written buffer comes back to be filled again, and
//! at most [`BUFFERS`] of them exist besides the one being filled, so the
//! memory stays a few times a buffer's size. The writing thread is a plain
//! thread, not one of rayon's: the formatting thread (which may be one of
//! rayon's) waits on it only when it is behind, and it waits on nothing
//! but the next buffer, so neither can wait for a job queued behind it.

use std::io::{self, Seek, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};

use flate2::{Compress, Compression, FlushCompress};
use zip::result::{ZipError, ZipResult};
use zip::ZipWriter;

/// How many buffers exist at most besides the one being filled: queued,
/// being written, or written and waiting to be filled again.
const BUFFERS: usize = 2;

/// The formatting thread's end of the pipe: full buffers go in, empty ones
/// come back.
pub(crate) struct Piped {
    /// Full buffers, numbered in the order they were sent.
    full: SyncSender<(u64, String)>,
    empty: Receiver<String>,
    /// How many buffers this end has sent.
    sent: u64,
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
        self.full.send((self.sent, full)).map_err(|_| stopped())?;
        self.sent += 1;
        Ok(())
    }

    /// The formatting end of a pipe: buffers go into `full`, come back
    /// through `empty`.
    fn new(full: SyncSender<(u64, String)>, empty: Receiver<String>, capacity: usize) -> Piped {
        Piped {
            full,
            empty,
            sent: 0,
            made: 0,
            capacity,
        }
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
    let (full, queued) = sync_channel::<(u64, String)>(BUFFERS + 1);
    let (written, empty) = channel::<String>();
    std::thread::scope(|s| {
        let writer = s.spawn(move || -> io::Result<()> {
            for (_, mut buf) in queued {
                sink.write_all(buf.as_bytes())?;
                buf.clear();
                // A buffer that grew for one large piece is not kept large.
                buf.shrink_to(capacity);
                // The formatting end may be done and gone: nothing to give back.
                let _ = written.send(buf);
            }
            Ok(())
        });
        let mut piped = Piped::new(full, empty, capacity);
        let produced = produce(&mut piped);
        // Closes the pipe: the writing thread ends after the last buffer.
        drop(piped);
        match writer.join() {
            Ok(written) => written.and(produced),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// How many threads deflate pieces of one part at once (see
/// [`pipe_deflated`]).
const DEFLATERS: usize = 2;

/// A piece of text deflated: its number, its deflate blocks (ending on a
/// byte, not final), the CRC-32 and the length of its text.
struct Deflated {
    seq: u64,
    blocks: Vec<u8>,
    crc: crc32fast::Hasher,
    len: u64,
}

/// Like [`pipe`], but into the entry `zip` has open (compressed with
/// deflate), whose compressed data the pieces become: each buffer
/// `produce` sends is deflated on its own, on one of [`DEFLATERS`]
/// threads at once (as pigz does), and written in order. One thread
/// deflating `Svar` at 1,000 returns was still the last 40 – 80 ms of the
/// outputs, the other core idle.
pub(crate) fn pipe_deflated<W: Write + Seek + Send, T>(
    zip: &mut ZipWriter<W>,
    capacity: usize,
    produce: impl FnOnce(&mut Piped) -> io::Result<T>,
) -> ZipResult<T> {
    // SAFETY (get_mut, set_file_metadata): the pieces are written at the
    // writer's position, one after the other, as the open entry's
    // compressed data. Each ends with a sync flush (on a byte, not final),
    // so the entry's own compressor, which is given nothing, ends the
    // stream with an empty final block when the entry is finished; and
    // the entry is given the length and CRC-32 of exactly the text the
    // pieces hold. Nothing else writes to the zip meanwhile.
    let out = unsafe { zip.get_mut() }.ok_or_else(|| ZipError::Io(stopped()))?;
    let (produced, crc, len) = deflate_apart(out, capacity, produce)?;
    unsafe { zip.set_file_metadata(len, crc.finalize()) }?;
    Ok(produced)
}

/// The threads of [`pipe_deflated`]: the deflaters take the pieces in
/// turn; a writer puts them in order into `out`. Returns what `produce`
/// returns, the CRC-32 and the length of all the text.
fn deflate_apart<W: Write + Send, T>(
    out: &mut W,
    capacity: usize,
    produce: impl FnOnce(&mut Piped) -> io::Result<T>,
) -> io::Result<(T, crc32fast::Hasher, u64)> {
    let (full, queued) = sync_channel::<(u64, String)>(BUFFERS + 1);
    let queued = std::sync::Mutex::new(queued);
    let (written, empty) = channel::<String>();
    let (deflated, pieces) = sync_channel::<io::Result<Deflated>>(BUFFERS + 1);
    std::thread::scope(|s| {
        for _ in 0..DEFLATERS {
            let (queued, written, deflated) = (&queued, written.clone(), deflated.clone());
            s.spawn(move || {
                let mut deflater = Compress::new(Compression::new(1), false);
                // Waits for a piece holding the lock: the others wait for it.
                while let Ok(Ok((seq, mut text))) = queued.lock().map(|q| q.recv()) {
                    let piece = deflate_piece(&mut deflater, seq, &text);
                    text.clear();
                    text.shrink_to(capacity);
                    // The formatting end may be done and gone.
                    let _ = written.send(text);
                    if deflated.send(piece).is_err() {
                        return;
                    }
                }
            });
        }
        // Only the deflaters' ends remain: the pieces end when they do.
        drop((written, deflated));
        let writer = s.spawn(move || write_in_order(out, pieces));
        let mut piped = Piped::new(full, empty, capacity);
        let produced = produce(&mut piped);
        drop(piped);
        match writer.join() {
            Ok(written) => written.and_then(|(crc, len)| produced.map(|p| (p, crc, len))),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Writes the deflated pieces into `out` in their order (a deflater may
/// finish a piece before another finishes the one before it); returns the
/// CRC-32 and length of their text.
fn write_in_order<W: Write>(
    out: &mut W,
    pieces: Receiver<io::Result<Deflated>>,
) -> io::Result<(crc32fast::Hasher, u64)> {
    let (mut crc, mut len) = (crc32fast::Hasher::new(), 0);
    let mut early = std::collections::BTreeMap::new();
    let mut next = 0;
    for piece in pieces {
        let piece = piece?;
        early.insert(piece.seq, piece);
        while let Some(p) = early.remove(&next) {
            out.write_all(&p.blocks)?;
            crc.combine(&p.crc);
            len += p.len;
            next += 1;
        }
    }
    if !early.is_empty() {
        return Err(stopped());
    }
    Ok((crc, len))
}

/// Deflates `text` on its own (`deflater` reset: nothing refers to text
/// before it), ending with a sync flush: on a byte, not final, so that
/// pieces follow each other.
fn deflate_piece(deflater: &mut Compress, seq: u64, text: &str) -> io::Result<Deflated> {
    deflater.reset();
    let input = text.as_bytes();
    let mut blocks = Vec::with_capacity(input.len() / 2 + 1024);
    loop {
        let done = deflater.total_in() as usize;
        deflater
            .compress_vec(&input[done..], &mut blocks, FlushCompress::Sync)
            .map_err(io::Error::other)?;
        // The flush is complete when the output was not filled.
        if deflater.total_in() as usize == input.len() && blocks.len() < blocks.capacity() {
            break;
        }
        blocks.reserve(blocks.capacity() / 2 + 1024);
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(input);
    Ok(Deflated {
        seq,
        blocks,
        crc,
        len: input.len() as u64,
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

    /// The text of a zip's only entry, read through the zip crate (which
    /// checks its CRC-32 and length).
    fn entry_text(zip: Vec<u8>) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        let mut text = String::new();
        io::Read::read_to_string(&mut archive.by_index(0).unwrap(), &mut text).unwrap();
        text
    }

    #[test]
    fn pieces_deflated_apart_make_one_entry_in_order() {
        let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("del.xml", options).unwrap();
        let mut expected = String::new();
        let sent = pipe_deflated(&mut zip, 64, |p| {
            let mut buf = String::new();
            // Pieces of unlike sizes, so that the deflaters finish them
            // out of order now and then.
            for i in 0..3000 {
                buf.push_str(&format!("<rad n=\"{i}\">{}</rad>", "x".repeat(i % 97)));
                if buf.len() >= 64 + (i % 7) * 300 {
                    expected.push_str(&buf);
                    p.send(&mut buf)?;
                }
            }
            expected.push_str(&buf);
            p.send(&mut buf)?;
            Ok(p.sent)
        })
        .unwrap();
        assert!(sent > 100, "{sent}");
        let bytes = zip.finish().unwrap().into_inner();
        assert_eq!(entry_text(bytes), expected);
    }

    /// A seekable sink that fails once it holds more than `limit` bytes.
    struct Full {
        bytes: std::io::Cursor<Vec<u8>>,
        limit: u64,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.bytes.position() + buf.len() as u64 > self.limit {
                return Err(io::Error::new(io::ErrorKind::StorageFull, "disken är full"));
            }
            self.bytes.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Seek for Full {
        fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
            self.bytes.seek(to)
        }
    }

    #[test]
    fn a_full_disk_while_deflating_apart_is_reported_not_waited_for() {
        let full = Full {
            bytes: std::io::Cursor::new(Vec::new()),
            limit: 2000,
        };
        let mut zip = ZipWriter::new(full);
        zip.start_file("del.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        let err = pipe_deflated(&mut zip, 64, |p| -> io::Result<()> {
            let mut n = 0u64;
            loop {
                let mut buf = format!("{n} ").repeat(100);
                p.send(&mut buf)?;
                n += 1;
            }
        })
        .unwrap_err();
        let ZipError::Io(err) = err else {
            panic!("{err}");
        };
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
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
