//! Knowing SQLite's catalog version without a round trip to a connection's thread.
//!
//! Every read learns the catalog version first ([`super::Store::catalog_version`]): what
//! is kept in memory for one version is current until it moves. On SQLite that question
//! is a round trip to a connection's own thread, about as long as the rest of a by-name
//! read. SQLite in WAL mode keeps, in the `-shm` file every connection to the database
//! maps, a header that changes with each committed transaction: a change counter, the
//! last frame of the log, checksums, and salts that change whenever the log starts over
//! (<https://www.sqlite.org/walformat.html>, "the WAL-index header"). When the header
//! reads as it did just before the version was last read, no transaction has committed
//! since — in this process or any other on the same file — so that version is current.
//! Otherwise, or when the header cannot be read whole, the version is read again.
//!
//! SQLite removes the `-shm` file when the last connection closes, and a new one could
//! start from the same bytes; the pool keeps its connections open
//! ([`super::Store::connect`]), so it is never the last while the portal runs.

use std::{
    fs::File,
    os::unix::fs::FileExt,
    path::{Path, PathBuf},
    sync::Mutex,
};

/// The WAL-index header: two copies of 48 bytes, the writer's and the readers'.
const HEADER: usize = 96;

type Header = [u8; HEADER];

/// The `-shm` header of one SQLite database, and the version read after it.
#[derive(Debug)]
pub(super) struct WalWatch {
    shm: PathBuf,
    last: Mutex<Option<(Header, i64)>>,
}

impl WalWatch {
    /// Watches the database file `database`.
    pub(super) fn new(database: &Path) -> Self {
        let mut shm = database.as_os_str().to_owned();
        shm.push("-shm");
        Self {
            shm: shm.into(),
            last: Mutex::new(None),
        }
    }

    /// The header as it is now, when both copies agree and SQLite has set it up; `None`
    /// otherwise (no such file yet, a writer halfway through updating it).
    pub(super) fn header(&self) -> Option<Header> {
        let mut header = [0; HEADER];
        File::open(&self.shm)
            .ok()?
            .read_exact_at(&mut header, 0)
            .ok()?;
        let initialised = header[12] == 1;
        (initialised && header[..48] == header[48..]).then_some(header)
    }

    /// The version read after the header was last `header`, if it was.
    pub(super) fn version_at(&self, header: &Header) -> Option<i64> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.as_ref()
            .filter(|(seen, _)| seen == header)
            .map(|(_, version)| *version)
    }

    /// Records that `version` was read after the header was `header`.
    pub(super) fn remember(&self, header: Header, version: i64) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some((header, version));
    }
}
