//! Errors of the operating system in Swedish, with the system's own text
//! kept after it: a person reads the Swedish, a search engine or a
//! technician gets the exact error.
//!
//! ```
//! use std::io::{Error, ErrorKind};
//! let e = Error::from_raw_os_error(13);
//! assert_eq!(
//!     samla::oserror::swedish(&e).to_string(),
//!     "åtkomst nekad (Permission denied, os error 13)"
//! );
//! let e = Error::new(ErrorKind::NotFound, "borta");
//! assert_eq!(samla::oserror::swedish(&e).to_string(), "finns inte (borta)");
//! ```

use std::fmt;
use std::io::{Error, ErrorKind};

/// An I/O error shown in Swedish; see [`swedish`].
#[derive(Debug, Clone, Copy)]
pub struct Swedish<'a>(pub &'a Error);

/// The error as `svensk förklaring (system text, os error N)`.
pub fn swedish(e: &Error) -> Swedish<'_> {
    Swedish(e)
}

/// What an error kind means, in Swedish.
pub fn meaning(kind: ErrorKind) -> &'static str {
    use ErrorKind::*;
    match kind {
        NotFound => "finns inte",
        PermissionDenied => "åtkomst nekad",
        AlreadyExists => "finns redan",
        IsADirectory => "är en mapp, inte en fil",
        NotADirectory => "är ingen mapp",
        DirectoryNotEmpty => "mappen är inte tom",
        ReadOnlyFilesystem => "filsystemet är skrivskyddat",
        StorageFull => "disken är full",
        QuotaExceeded => "diskkvoten är slut",
        FileTooLarge => "filen är för stor",
        InvalidFilename => "ogiltigt filnamn",
        CrossesDevices => "kan inte flyttas mellan olika filsystem",
        ResourceBusy => "resursen är upptagen",
        ExecutableFileBusy => "filen används av ett körande program",
        StaleNetworkFileHandle => "nätverksfilen är inte längre tillgänglig",
        NotConnected | ConnectionReset | ConnectionAborted | NetworkDown | HostUnreachable => {
            "nätverksanslutningen bröts"
        }
        BrokenPipe => "mottagaren slutade läsa",
        WouldBlock => "upptagen just nu",
        TimedOut => "tidsgränsen gick ut",
        Interrupted => "avbröts",
        UnexpectedEof => "tog slut oväntat",
        WriteZero => "kunde inte skriva något",
        InvalidData => "ogiltiga data",
        InvalidInput => "ogiltig begäran",
        OutOfMemory => "minnet räckte inte",
        Unsupported => "stöds inte",
        TooManyLinks => "för många länkar",
        Deadlock => "låsning skulle ge dödläge",
        _ => "in- eller utmatningsfel",
    }
}

impl fmt::Display for Swedish<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sv = meaning(self.0.kind());
        let text = self.0.to_string();
        match self.0.raw_os_error() {
            Some(n) => {
                let suffix = format!(" (os error {n})");
                let os = text.strip_suffix(&suffix).unwrap_or(&text);
                write!(f, "{sv} ({os}, os error {n})")
            }
            None => write!(f, "{sv} ({text})"),
        }
    }
}
