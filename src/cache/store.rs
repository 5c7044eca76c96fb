//! The on-disk store of one folder: a SQLite file holding records (id, version, row,
//! native card), the sync token, sync times and settings.
//!
//! Every sync is one transaction, so a failure or a killed process leaves the old or
//! the new state. Rows and cards live in separate tables, so that opening a folder
//! reads only the compact rows; cards are read when a record is opened. The file is created readable by its owner only (it holds personal
//! data). A file that is not ours, or is damaged, is moved aside and a new one made.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::schema::Row;
use crate::source::{RecordId, Version};

/// Marks our files (`PRAGMA application_id`), so a foreign SQLite file is not mistaken
/// for a cache: "CTIP".
const APPLICATION_ID: i32 = 0x4354_4950;
/// Bumped when the table layout changes; an older file is rebuilt.
const FORMAT_VERSION: i32 = 2;

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

/// A write to apply in one transaction.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// Records to insert or replace: id, version, row, card bytes.
    pub upserts: Vec<(RecordId, Version, Row, Vec<u8>)>,
    /// Records to delete.
    pub deletes: Vec<RecordId>,
    /// Delete every record first (a full reload).
    pub clear: bool,
    /// Meta values to set (`None` deletes).
    pub meta: Vec<(String, Option<String>)>,
}

pub(crate) struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn cache_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Cache(format!("{}: {e}", path.display()))
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
    let mut row = Row::new();
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
            row.set(k, v);
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
        row.set(k, val);
    }
    row
}

impl Store {
    /// Opens or creates the store at `path` and reads its rows and meta values.
    /// Returns them and, when an existing file was unusable (foreign, damaged, an old
    /// format) and had to be moved aside, a warning saying so.
    pub fn open(path: &Path) -> Result<(Store, Loaded, Option<String>)> {
        let attempt = Store::try_open(path).and_then(|s| {
            let loaded = s.load().map_err(|e| e.to_string())?;
            Ok((s, loaded))
        });
        match attempt {
            Ok((s, loaded)) => Ok((s, loaded, None)),
            Err(reason) => {
                let aside = path.with_extension(format!(
                    "corrupt-{}",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S")
                ));
                std::fs::rename(path, &aside).map_err(|e| cache_err(path, e))?;
                for suffix in ["-wal", "-shm", "-journal"] {
                    let mut p = path.as_os_str().to_owned();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
                let store = Store::try_open(path).map_err(|e| cache_err(path, e))?;
                let loaded = store.load()?;
                Ok((
                    store,
                    loaded,
                    Some(format!(
                        "cache file {} was unusable ({reason}); moved to {} and rebuilt",
                        path.display(),
                        aside.display()
                    )),
                ))
            }
        }
    }

    fn try_open(path: &Path) -> std::result::Result<Store, String> {
        let fresh = !path.exists();
        if fresh {
            create_private(path).map_err(|e| e.to_string())?;
        }
        let conn = Connection::open(path).map_err(|e| e.to_string())?;
        let setup = || -> rusqlite::Result<()> {
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            Ok(())
        };
        setup().map_err(|e| e.to_string())?;
        let app: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| e.to_string())?;
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| e.to_string())?;
        if tables == 0 {
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
            .map_err(|e| e.to_string())?;
        } else {
            if app != APPLICATION_ID {
                return Err("not a cti-phonebook cache".into());
            }
            let v: i32 = conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(|e| e.to_string())?;
            if v != FORMAT_VERSION {
                return Err(format!("cache format {v}, expected {FORMAT_VERSION}"));
            }
        }
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    fn load(&self) -> Result<Loaded> {
        Ok(Loaded {
            meta: self.meta()?,
            rows: self.rows()?,
        })
    }

    /// Every record's id, version and row.
    pub fn rows(&self) -> Result<Vec<StoredRow>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, version, row FROM records")
            .map_err(|e| cache_err(&self.path, e))?;
        let iter = stmt
            .query_map([], |r| {
                let id: String = r.get(0)?;
                let version: String = r.get(1)?;
                let row: String = r.get(2)?;
                Ok(StoredRow {
                    id: RecordId::new(id),
                    version: Version::new(version),
                    row: decode_row(&row),
                })
            })
            .map_err(|e| cache_err(&self.path, e))?;
        iter.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| cache_err(&self.path, e))
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
            .map_err(|e| cache_err(&self.path, e))
    }

    /// Every meta value.
    pub fn meta(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM meta")
            .map_err(|e| cache_err(&self.path, e))?;
        let iter = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| cache_err(&self.path, e))?;
        iter.collect::<rusqlite::Result<HashMap<_, _>>>()
            .map_err(|e| cache_err(&self.path, e))
    }

    /// Applies `batch` in one transaction: all of it or nothing.
    pub fn apply(&mut self, batch: &Batch) -> Result<()> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| cache_err(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        if batch.clear {
            tx.execute("DELETE FROM records", []).map_err(err)?;
            tx.execute("DELETE FROM cards", []).map_err(err)?;
        }
        {
            let mut del = tx
                .prepare_cached("DELETE FROM records WHERE id = ?1")
                .map_err(err)?;
            let mut del_card = tx
                .prepare_cached("DELETE FROM cards WHERE id = ?1")
                .map_err(err)?;
            for id in &batch.deletes {
                del.execute(params![id.as_str()]).map_err(err)?;
                del_card.execute(params![id.as_str()]).map_err(err)?;
            }
            let mut up = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO records (id, version, row) VALUES (?1, ?2, ?3)",
                )
                .map_err(err)?;
            let mut up_card = tx
                .prepare_cached("INSERT OR REPLACE INTO cards (id, card) VALUES (?1, ?2)")
                .map_err(err)?;
            for (id, v, row, card) in &batch.upserts {
                up.execute(params![id.as_str(), v.as_str(), encode_row(row)])
                    .map_err(err)?;
                up_card.execute(params![id.as_str(), card]).map_err(err)?;
            }
            let mut set = tx
                .prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")
                .map_err(err)?;
            let mut unset = tx
                .prepare_cached("DELETE FROM meta WHERE key = ?1")
                .map_err(err)?;
            for (k, v) in &batch.meta {
                match v {
                    Some(v) => set.execute(params![k, v]).map_err(err)?,
                    None => unset.execute(params![k]).map_err(err)?,
                };
            }
        }
        tx.commit().map_err(err)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Creates an empty file readable and writable by its owner only.
fn create_private(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
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
