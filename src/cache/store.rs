//! The on-disk store of one folder: a SQLite file holding records (id, version, row,
//! native card), the sync token and sync times.
//!
//! Every sync is one transaction, so a failure or a killed process leaves the old or
//! the new state. Rows and cards live in separate tables, so that opening a folder
//! reads only the compact rows; cards are read when a record is opened. The file is
//! created readable by its owner only (it holds personal data).
//!
//! A file locked by another process is waited for ([`LOCK_WAIT`]) and then reported
//! ([`Error::CacheLocked`]); a lock is never taken for damage. A file that is not
//! ours, of an older format, or damaged (SQLite says "malformed" or "not a
//! database") is moved aside and a new one made. Damage found later, in a read or a
//! write, marks the store; a full reload then writes a fresh file and swaps it in
//! ([`Store::rebuild`]).

use std::cell::Cell;
use std::collections::HashMap;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};

use super::files;
use crate::error::{Error, Result};
use crate::record::{RecordId, Version};
use crate::schema::Row;

/// Marks our files (`PRAGMA application_id`), so a foreign SQLite file is not mistaken
/// for a cache: "CTIP".
const APPLICATION_ID: i32 = 0x4354_4950;
/// Bumped when the table layout changes; an older file is rebuilt.
const FORMAT_VERSION: i32 = 2;

/// How long an operation on the cache waits for a lock another process holds (a
/// sync running in another program, a tool reading the file) before it fails with
/// [`Error::CacheLocked`].
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// One stored record, without its card (cards are read on demand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredRow {
    pub id: RecordId,
    pub version: Version,
    pub row: Row,
}

/// What a store holds apart from the cards, read at open.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub meta: HashMap<String, String>,
    pub rows: Vec<StoredRow>,
}

/// A file found unusable at open and moved aside.
#[derive(Debug)]
pub(crate) struct Damage {
    /// What was wrong with it.
    pub reason: String,
    /// Where it was moved.
    pub aside: PathBuf,
    /// The meta values that could still be read from it.
    pub salvaged: HashMap<String, String>,
}

/// A write to apply in one transaction.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// Records to insert or replace: id, version, row, card bytes.
    pub upserts: Vec<(RecordId, Version, Row, Vec<u8>)>,
    /// Records to delete.
    pub deletes: Vec<RecordId>,
    /// Meta values to set (`None` deletes).
    pub meta: Vec<(String, Option<String>)>,
}

pub(crate) struct Store {
    conn: Connection,
    path: PathBuf,
    /// Set when SQLite reported damage; a full reload then rebuilds the file.
    damaged: Cell<bool>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn cache_err(path: &Path, e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
    Error::cache(path, e)
}

/// What a SQLite error means for the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Another connection holds a lock.
    Locked,
    /// The file is damaged or not a database.
    Damaged,
    /// Anything else (permissions, disk full, ...): the file may be fine.
    Other,
}

fn fault(e: &rusqlite::Error) -> Fault {
    use rusqlite::Error as E;
    match e {
        // A value of the wrong type or text that is not UTF-8 in our own tables: the
        // bytes were changed under SQLite, which checks neither.
        E::Utf8Error(..)
        | E::FromSqlConversionFailure(..)
        | E::InvalidColumnType(..)
        | E::IntegralValueOutOfRange(..) => return Fault::Damaged,
        _ => {}
    }
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Fault::Locked,
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Fault::Damaged,
        _ => Fault::Other,
    }
}

fn locked_err(path: &Path) -> Error {
    Error::CacheLocked(format!(
        "{} is locked by another process (waited {} s); try again when it is done",
        path.display(),
        LOCK_WAIT.as_secs()
    ))
}

/// Why opening failed.
enum OpenFailure {
    Locked,
    /// Damaged, foreign or of another format: move it aside.
    Unusable(String),
    Other(String),
}

impl From<rusqlite::Error> for OpenFailure {
    /// At open, what is neither a lock nor a fault of the system (permissions, a
    /// full disk, an I/O error, memory) is the file's: "unsupported file format",
    /// "no such table" and the like mean its bytes are not what we wrote.
    fn from(e: rusqlite::Error) -> Self {
        match (fault(&e), e.sqlite_error_code()) {
            (Fault::Locked, _) => OpenFailure::Locked,
            (Fault::Damaged, _) => OpenFailure::Unusable(e.to_string()),
            (
                Fault::Other,
                Some(
                    ErrorCode::CannotOpen
                    | ErrorCode::ReadOnly
                    | ErrorCode::PermissionDenied
                    | ErrorCode::DiskFull
                    | ErrorCode::SystemIoFailure
                    | ErrorCode::OutOfMemory
                    | ErrorCode::AuthorizationForStatementDenied,
                )
                | None,
            ) => OpenFailure::Other(e.to_string()),
            (Fault::Other, Some(_)) => OpenFailure::Unusable(e.to_string()),
        }
    }
}

/// Encodes a row as `column\tvalue\n` lines with `\\`, `\t`, `\n` escaped; compact
/// and fast to decode at start-up.
pub(crate) fn encode_row(row: &Row) -> String {
    let mut out = String::new();
    for (k, v) in row.cells() {
        out.push_str(k);
        out.push('\t');
        for c in v.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                _ => out.push(c),
            }
        }
        out.push('\n');
    }
    let h = row.hidden;
    out.push_str(&format!(
        "\u{1}hidden\t{},{},{},{}\n",
        h.phones, h.emails, h.websites, h.addresses
    ));
    out
}

pub(crate) fn decode_row(s: &str) -> Row {
    // Room for exactly what the row holds (escapes aside), so that a folder of
    // 100,000 rows opens without growing or shrinking any of them.
    let (cells, text) = s
        .split('\n')
        .filter_map(|line| line.split_once('\t'))
        .fold((0, 0), |(n, len), (_, v)| (n + 1, len + v.len()));
    let mut row = Row::with_capacity(cells, text);
    for line in s.split('\n') {
        let Some((k, v)) = line.split_once('\t') else {
            continue;
        };
        if k == "\u{1}hidden" {
            let n: Vec<usize> = v.split(',').filter_map(|x| x.parse().ok()).collect();
            if let [p, e, w, a] = n[..] {
                row.hidden.phones = p;
                row.hidden.emails = e;
                row.hidden.websites = w;
                row.hidden.addresses = a;
            }
            continue;
        }
        if !v.contains('\\') {
            row.append(k, v);
            continue;
        }
        let mut val = String::with_capacity(v.len());
        let mut chars = v.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('t') => val.push('\t'),
                    Some('n') => val.push('\n'),
                    Some('r') => val.push('\r'),
                    Some(o) => val.push(o),
                    None => {}
                }
            } else {
                val.push(c);
            }
        }
        row.append(k, &val);
    }
    // Opening a folder holds all its rows at once: none keeps spare room (the hidden
    // counts' line was counted above).
    row.shrink_to_fit();
    row
}

/// A connection to `path` that waits [`LOCK_WAIT`] for locks, in WAL mode.
fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(LOCK_WAIT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}

/// Makes the tables of an empty file.
fn init(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID};
         PRAGMA user_version = {FORMAT_VERSION};
         CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE records (
             id TEXT PRIMARY KEY,
             version TEXT NOT NULL,
             row TEXT NOT NULL
         );
         CREATE TABLE cards (id TEXT PRIMARY KEY, card BLOB NOT NULL);"
    ))
}

fn read_meta(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM meta")?;
    let iter = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    iter.collect()
}

fn read_rows(conn: &Connection) -> rusqlite::Result<Vec<StoredRow>> {
    let mut stmt = conn.prepare_cached("SELECT id, version, row FROM records")?;
    let iter = stmt.query_map([], |r| {
        let id: String = r.get(0)?;
        let version: String = r.get(1)?;
        let row: String = r.get(2)?;
        Ok(StoredRow {
            id: RecordId::new(id),
            version: Version::new(version),
            row: decode_row(&row),
        })
    })?;
    iter.collect()
}

/// Whatever meta values can still be read from a damaged file, read-only and
/// without waiting; nothing when none can.
fn salvage_meta(path: &Path) -> HashMap<String, String> {
    let read = || -> rusqlite::Result<HashMap<String, String>> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut out = HashMap::new();
        let mut stmt = conn.prepare("SELECT key, value FROM meta")?;
        let mut rows = stmt.query([])?;
        // Row by row: the rows before a damaged page are still worth having.
        while let Ok(Some(r)) = rows.next() {
            if let (Ok(k), Ok(v)) = (r.get::<_, String>(0), r.get::<_, String>(1)) {
                out.insert(k, v);
            }
        }
        Ok(out)
    };
    read().unwrap_or_default()
}

/// Applies `batch` in one transaction.
fn write(conn: &mut Connection, batch: &Batch) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    delete_records(&tx, &batch.deletes)?;
    for (id, v, row, card) in &batch.upserts {
        put_record(&tx, id, v, row, card)?;
    }
    set_meta(&tx, &batch.meta)?;
    tx.commit()
}

/// Writes one record and its card, replacing what `id` had.
fn put_record(
    conn: &Connection,
    id: &RecordId,
    version: &Version,
    row: &Row,
    card: &[u8],
) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO records (id, version, row) VALUES (?1, ?2, ?3)")?
        .execute(params![id.as_str(), version.as_str(), encode_row(row)])?;
    conn.prepare_cached("INSERT OR REPLACE INTO cards (id, card) VALUES (?1, ?2)")?
        .execute(params![id.as_str(), card])?;
    Ok(())
}

/// Deletes records and their cards.
fn delete_records(conn: &Connection, ids: &[RecordId]) -> rusqlite::Result<()> {
    let mut del = conn.prepare_cached("DELETE FROM records WHERE id = ?1")?;
    let mut del_card = conn.prepare_cached("DELETE FROM cards WHERE id = ?1")?;
    for id in ids {
        del.execute(params![id.as_str()])?;
        del_card.execute(params![id.as_str()])?;
    }
    Ok(())
}

/// Sets meta values (`None` deletes).
fn set_meta(conn: &Connection, meta: &[(String, Option<String>)]) -> rusqlite::Result<()> {
    let mut set =
        conn.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
    let mut unset = conn.prepare_cached("DELETE FROM meta WHERE key = ?1")?;
    for (k, v) in meta {
        match v {
            Some(v) => set.execute(params![k, v])?,
            None => unset.execute(params![k])?,
        };
    }
    Ok(())
}

impl Store {
    /// Opens or creates the store at `path` and reads its rows and meta values.
    /// Returns them and, when the existing file was unusable (foreign, damaged, an
    /// old format) and had to be moved aside, what happened to it.
    ///
    /// # Errors
    /// [`Error::CacheLocked`] when another process holds the file longer than
    /// [`LOCK_WAIT`]; [`Error::Cache`] when it cannot be used for another reason
    /// (permissions, disk full), which leaves it where it is.
    pub fn open(path: &Path) -> Result<(Store, Loaded, Option<Damage>)> {
        let attempt = Store::try_open(path).and_then(|s| {
            let loaded = Loaded {
                meta: read_meta(&s.conn)?,
                rows: read_rows(&s.conn)?,
            };
            Ok((s, loaded))
        });
        let reason = match attempt {
            Ok((s, loaded)) => return Ok((s, loaded, None)),
            Err(OpenFailure::Locked) => return Err(locked_err(path)),
            Err(OpenFailure::Other(e)) => return Err(cache_err(path, e)),
            Err(OpenFailure::Unusable(reason)) => reason,
        };
        let salvaged = salvage_meta(path);
        let aside = files::aside_path(path);
        std::fs::rename(path, &aside).map_err(|e| cache_err(path, e))?;
        files::remove_companions(path);
        let store = match Store::try_open(path) {
            Ok(s) => s,
            Err(OpenFailure::Locked) => return Err(locked_err(path)),
            Err(OpenFailure::Other(e) | OpenFailure::Unusable(e)) => {
                return Err(cache_err(path, e));
            }
        };
        let loaded = Loaded {
            meta: store.meta()?,
            rows: store.rows()?,
        };
        Ok((
            store,
            loaded,
            Some(Damage {
                reason,
                aside,
                salvaged,
            }),
        ))
    }

    fn try_open(path: &Path) -> std::result::Result<Store, OpenFailure> {
        if !path.exists() {
            create_private(path).map_err(|e| OpenFailure::Other(e.to_string()))?;
        }
        let conn = connect(path)?;
        let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if tables == 0 {
            init(&conn)?;
        } else {
            if app != APPLICATION_ID {
                return Err(OpenFailure::Unusable("not a cti-phonebook cache".into()));
            }
            let v: i32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if v != FORMAT_VERSION {
                return Err(OpenFailure::Unusable(format!(
                    "cache format {v}, expected {FORMAT_VERSION}"
                )));
            }
        }
        Ok(Store {
            conn,
            path: path.to_owned(),
            damaged: Cell::new(false),
        })
    }

    /// The crate error for a SQLite error; damage is remembered.
    fn err(&self, e: rusqlite::Error) -> Error {
        match fault(&e) {
            Fault::Locked => locked_err(&self.path),
            Fault::Damaged => {
                self.damaged.set(true);
                Error::Cache {
                    reason: format!(
                        "{} is damaged ({e}); a full sync rebuilds it from the source",
                        self.path.display()
                    ),
                    cause: Some(Box::new(e)),
                }
            }
            Fault::Other => cache_err(&self.path, e),
        }
    }

    /// Whether SQLite has reported damage since the file was opened or rebuilt.
    pub fn is_damaged(&self) -> bool {
        self.damaged.get()
    }

    /// SQLite's quick integrity check (every page read once; indexes are not
    /// compared with their tables): `None` when the file is sound, else the first
    /// problem. It reads the whole file, so it runs where the whole file is
    /// rewritten anyway (a full reload).
    pub fn quick_check(&self) -> Option<String> {
        let first: rusqlite::Result<String> =
            self.conn
                .query_row("PRAGMA quick_check(1)", [], |r| r.get(0));
        match first {
            Ok(s) if s == "ok" => None,
            Ok(s) => Some(s),
            Err(e) if fault(&e) != Fault::Damaged => None,
            Err(e) => Some(e.to_string()),
        }
    }

    /// Every record's id, version and row.
    pub fn rows(&self) -> Result<Vec<StoredRow>> {
        read_rows(&self.conn).map_err(|e| self.err(e))
    }

    /// The stored card of `id`.
    pub fn card(&self, id: &RecordId) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row(
                "SELECT card FROM cards WHERE id = ?1",
                params![id.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every meta value.
    pub fn meta(&self) -> Result<HashMap<String, String>> {
        read_meta(&self.conn).map_err(|e| self.err(e))
    }

    /// Applies `batch` in one transaction: all of it or nothing.
    pub fn apply(&mut self, batch: &Batch) -> Result<()> {
        write(&mut self.conn, batch).map_err(|e| self.err(e))
    }

    /// Deletes meta values so that they leave no trace in the file: SQLite
    /// overwrites what it deletes (`secure_delete`), instead of leaving it in free
    /// pages.
    pub fn erase_meta(&mut self, keys: &[String]) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        self.conn
            .pragma_update(None, "secure_delete", true)
            .map_err(|e| self.err(e))?;
        let done = self.apply(&Batch {
            meta: keys.iter().map(|k| (k.clone(), None)).collect(),
            ..Batch::default()
        });
        let _ = self.conn.pragma_update(None, "secure_delete", false);
        done?;
        // The deleted values may still be in the write-ahead log until it is folded
        // into the file.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        Ok(())
    }

    /// Starts a full reload, written as the records arrive (see [`ReloadWriter`]).
    /// With `fresh`, for a file that is damaged, it goes into a new file,
    /// `NAME.sqlite.rebuild`, that replaces the folder's file when the reload is
    /// done; otherwise into the folder's file, on a connection of its own.
    ///
    /// # Errors
    /// [`Error::CacheLocked`] when another process writes to the file longer than
    /// [`LOCK_WAIT`]; [`Error::Cache`].
    pub fn begin_reload(&self, fresh: bool) -> Result<ReloadWriter> {
        let path = if fresh {
            let tmp = files::with_suffix(&self.path, ".rebuild");
            let _ = std::fs::remove_file(&tmp);
            files::remove_companions(&tmp);
            create_private(&tmp).map_err(|e| cache_err(&tmp, e))?;
            tmp
        } else {
            self.path.clone()
        };
        let mut w = ReloadWriter {
            conn: None,
            path,
            fresh,
            damaged: false,
        };
        let conn = if fresh {
            Connection::open(&w.path).and_then(|c| {
                c.busy_timeout(LOCK_WAIT)?;
                init(&c)?;
                Ok(c)
            })
        } else {
            connect(&w.path)
        };
        let begun = conn.and_then(|c| {
            c.execute_batch("BEGIN IMMEDIATE; DELETE FROM records; DELETE FROM cards;")?;
            Ok(c)
        });
        match begun {
            Ok(c) => {
                w.conn = Some(c);
                Ok(w)
            }
            Err(e) => {
                let e = w.err(e);
                if w.damaged && !fresh {
                    self.damaged.set(true);
                }
                Err(e)
            }
        }
    }

    /// Commits a reload. One written into a new file replaces the folder's file:
    /// the damaged file is kept aside (bounded, see [`files::MAX_MOVED_ASIDE`]), and
    /// the new one is renamed over it, so that the folder's file is at every moment
    /// the old one or the new one.
    ///
    /// # Errors
    /// [`Error::Cache`] when the reload cannot be committed; the old file and its
    /// records are then still in place.
    pub fn finish_reload(&mut self, mut w: ReloadWriter) -> Result<()> {
        let Some(conn) = w.conn.take() else {
            return Err(cache_err(&w.path, "the reload was already given up"));
        };
        let committed = conn.execute_batch("COMMIT").and_then(|()| {
            if w.fresh {
                // In WAL mode for the readers to come; closing folds the log into
                // the file.
                conn.pragma_update(None, "journal_mode", "WAL")?;
            }
            conn.close().map_err(|(_, e)| e)
        });
        if let Err(e) = committed {
            let e = w.err(e);
            if w.damaged && !w.fresh {
                self.damaged.set(true);
            }
            if w.fresh {
                let _ = std::fs::remove_file(&w.path);
                files::remove_companions(&w.path);
            }
            return Err(e);
        }
        if !w.fresh {
            return Ok(());
        }
        let path = self.path.clone();
        // Close the damaged file first: SQLite must not fold its log into the new one.
        let old = std::mem::replace(
            &mut self.conn,
            Connection::open_in_memory().map_err(|e| cache_err(&path, e))?,
        );
        let _ = old.close();
        let aside = files::aside_path(&path);
        if std::fs::hard_link(&path, &aside).is_err() {
            let _ = std::fs::copy(&path, &aside);
        }
        files::remove_companions(&path);
        std::fs::rename(&w.path, &path).map_err(|e| cache_err(&path, e))?;
        self.conn = connect(&path).map_err(|e| cache_err(&path, e))?;
        self.damaged.set(false);
        Ok(())
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A full reload being written: one transaction, begun by [`Store::begin_reload`]
/// and committed by [`Store::finish_reload`], into which records go as they arrive.
/// Until it is committed, readers see the records as they were (WAL); given up
/// (dropped), it leaves the file as it was.
pub(crate) struct ReloadWriter {
    /// `None` once committed.
    conn: Option<Connection>,
    /// The file written: the folder's own, or a new one to replace it.
    path: PathBuf,
    fresh: bool,
    damaged: bool,
}

impl std::fmt::Debug for ReloadWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReloadWriter")
            .field("path", &self.path)
            .field("fresh", &self.fresh)
            .finish_non_exhaustive()
    }
}

impl ReloadWriter {
    /// Whether SQLite reported damage while writing: the reload must go into a new
    /// file.
    pub fn is_damaged(&self) -> bool {
        self.damaged
    }

    fn err(&mut self, e: rusqlite::Error) -> Error {
        match fault(&e) {
            Fault::Locked => locked_err(&self.path),
            Fault::Damaged => {
                self.damaged = true;
                Error::Cache {
                    reason: format!("{} is damaged ({e})", self.path.display()),
                    cause: Some(Box::new(e)),
                }
            }
            Fault::Other => cache_err(&self.path, e),
        }
    }

    fn run(&mut self, f: impl FnOnce(&Connection) -> rusqlite::Result<()>) -> Result<()> {
        let done = match &self.conn {
            Some(conn) => f(conn),
            None => return Err(cache_err(&self.path, "the reload is already committed")),
        };
        done.map_err(|e| self.err(e))
    }

    /// Writes a record (replacing one of the same id written before).
    pub fn put(&mut self, id: &RecordId, version: &Version, row: &Row, card: &[u8]) -> Result<()> {
        self.run(|c| put_record(c, id, version, row, card))
    }

    /// Deletes records written before.
    pub fn delete(&mut self, ids: &[RecordId]) -> Result<()> {
        self.run(|c| delete_records(c, ids))
    }

    /// Deletes every record written so far.
    pub fn clear(&mut self) -> Result<()> {
        self.run(|c| c.execute_batch("DELETE FROM records; DELETE FROM cards;"))
    }

    /// Sets meta values (`None` deletes).
    pub fn set_meta(&mut self, meta: &[(String, Option<String>)]) -> Result<()> {
        self.run(|c| set_meta(c, meta))
    }
}

impl Drop for ReloadWriter {
    fn drop(&mut self) {
        // Closing without a commit rolls the transaction back; a new file that was
        // not committed is of no use.
        if let Some(conn) = self.conn.take() {
            let _ = conn.close();
            if self.fresh {
                let _ = std::fs::remove_file(&self.path);
                files::remove_companions(&self.path);
            }
        }
    }
}

/// Creates an empty file readable and writable by its owner only, in a directory
/// made readable by its owner only when it has to be created.
fn create_private(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        files::create_private_dir(dir)?;
    }
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_encoding_round_trips() {
        let mut row = Row::new()
            .with("note", "a\tb\nc\\d\re")
            .with("phone1", "+1");
        row.hidden.phones = 3;
        assert_eq!(decode_row(&encode_row(&row)), row);
    }
}
