//! A folder's settings file (`STEM.settings` next to its database): the folder's
//! name, schema, form layout, sync interval, application settings (server URL, user
//! name, ...) and whether its records must be rebuilt.
//!
//! Settings live apart from the records so that a damaged or locked database loses
//! none of them: a damaged database is moved aside and rebuilt from the server with
//! the settings kept here. The file is small text, `key=value` a line, and is only
//! ever replaced whole (written to a temporary file, synced, renamed over), so it is
//! the old version or the new, never torn. Changes take a lock file (`STEM.lock`)
//! so that two processes changing settings at once lose neither change.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The first line of every settings file.
const HEADER: &str = "# cti-phonebook folder settings: key=value a line";

/// Key of the folder's name, to find a file that another folder's name maps to on a
/// file system that folds case or normalises Unicode.
pub(crate) const NAME: &str = "name";
/// Key of the reason the records must be rebuilt (damage found); absent when they
/// need not be.
pub(crate) const REBUILD: &str = "rebuild";

/// The settings file of one folder.
#[derive(Debug, Clone)]
pub(crate) struct SettingsFile {
    path: PathBuf,
    lock: PathBuf,
}

fn io_err(path: &Path, e: std::io::Error) -> Error {
    Error::cache(path, e)
}

fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out
}

fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

/// The file's text for `map`.
fn render(map: &BTreeMap<String, String>) -> String {
    let mut out = format!("{HEADER}\n");
    for (k, v) in map {
        out.push_str(&escape(k).replace('=', "\\="));
        out.push('=');
        out.push_str(&escape(v));
        out.push('\n');
    }
    out
}

/// Reads [`render`]'s text; lines that are not `key=value` are skipped.
fn parse(text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        // The first `=` not escaped ends the key.
        let mut split = None;
        let mut escaped = false;
        for (i, c) in line.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '=' if !escaped => {
                    split = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        if let Some(i) = split {
            map.insert(unescape(&line[..i]), unescape(&line[i + 1..]));
        }
    }
    map
}

/// Opens `path` for writing, new, readable and writable by its owner only.
fn create_private(path: &Path) -> std::io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

impl SettingsFile {
    /// The settings file `path`, locked through `lock` while it changes.
    pub fn new(path: PathBuf, lock: PathBuf) -> SettingsFile {
        SettingsFile { path, lock }
    }

    /// Whether the file exists.
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// The settings; `None` when there is no file.
    ///
    /// # Errors
    /// [`Error::Cache`] when the file exists but cannot be read.
    pub fn load(&self) -> Result<Option<BTreeMap<String, String>>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(Some(parse(&String::from_utf8_lossy(&bytes)))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&self.path, e)),
        }
    }

    /// Writes `map` to a new temporary file next to the settings, synced.
    fn write_temp(&self, map: &BTreeMap<String, String>) -> Result<PathBuf> {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = super::files::with_suffix(&self.path, &format!(".tmp{}-{n}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = create_private(&tmp)?;
            f.write_all(render(map).as_bytes())?;
            f.sync_all()
        };
        if let Err(e) = write() {
            let _ = std::fs::remove_file(&tmp);
            return Err(io_err(&self.path, e));
        }
        Ok(tmp)
    }

    /// Creates the file holding `map`, unless it exists. Returns whether this call
    /// created it: of two processes creating one folder at once, exactly one does.
    ///
    /// # Errors
    /// [`Error::Cache`] when the file cannot be written.
    pub fn create_new(&self, map: &BTreeMap<String, String>) -> Result<bool> {
        let tmp = self.write_temp(map)?;
        // A hard link fails when the target exists, and the file appears complete.
        let linked = std::fs::hard_link(&tmp, &self.path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            // A file system without hard links (FAT): still exclusive, though a
            // reader may meet the file before it is complete.
            Err(_) => self.create_in_place(map),
        }
    }

    /// [`Self::create_new`] by an exclusive create and a write.
    fn create_in_place(&self, map: &BTreeMap<String, String>) -> Result<bool> {
        let mut f = match create_private(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(io_err(&self.path, e)),
        };
        f.write_all(render(map).as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| io_err(&self.path, e))?;
        Ok(true)
    }

    /// Changes the settings with `change` under the lock and writes them back
    /// atomically; returns them as written.
    ///
    /// # Errors
    /// [`Error::Cache`] when the file cannot be read, locked or written; it is then
    /// unchanged.
    pub fn update(
        &self,
        change: impl FnOnce(&mut BTreeMap<String, String>),
    ) -> Result<BTreeMap<String, String>> {
        let mut opts = OpenOptions::new();
        opts.write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let lock = opts.open(&self.lock).map_err(|e| io_err(&self.lock, e))?;
        lock.lock().map_err(|e| io_err(&self.lock, e))?;
        let mut map = self.load()?.unwrap_or_default();
        let before = map.clone();
        change(&mut map);
        if map != before || !self.exists() {
            let tmp = self.write_temp(&map)?;
            if let Err(e) = std::fs::rename(&tmp, &self.path) {
                let _ = std::fs::remove_file(&tmp);
                return Err(io_err(&self.path, e));
            }
            // The rename is durable once the directory is synced.
            #[cfg(unix)]
            if let Some(dir) = self.path.parent() {
                let _ = File::open(dir).and_then(|d| d.sync_all());
            }
        }
        drop(lock);
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        let mut m = BTreeMap::new();
        m.insert("setting.url".to_owned(), "http://h/a=b\\c\nd\re".to_owned());
        m.insert("k=ey".to_owned(), String::new());
        assert_eq!(parse(&render(&m)), m);
    }

    #[test]
    fn created_in_place_where_there_are_no_hard_links() {
        let dir = tempfile::tempdir().unwrap();
        let f = SettingsFile::new(dir.path().join("b.settings"), dir.path().join("b.lock"));
        let mut m = BTreeMap::new();
        m.insert("name".to_owned(), "b".to_owned());
        assert!(f.create_in_place(&m).unwrap());
        assert!(!f.create_in_place(&m).unwrap());
        assert_eq!(f.load().unwrap(), Some(m));
    }

    #[test]
    fn created_once_then_updated() {
        let dir = tempfile::tempdir().unwrap();
        let f = SettingsFile::new(dir.path().join("a.settings"), dir.path().join("a.lock"));
        assert_eq!(f.load().unwrap(), None);
        let mut m = BTreeMap::new();
        m.insert("name".to_owned(), "a".to_owned());
        assert!(f.create_new(&m).unwrap());
        assert!(!f.create_new(&BTreeMap::new()).unwrap());
        assert!(!f.create_in_place(&BTreeMap::new()).unwrap());
        f.update(|m| {
            m.insert("x".into(), "1".into());
        })
        .unwrap();
        let got = f.load().unwrap().unwrap();
        assert_eq!(got.get("name").map(String::as_str), Some("a"));
        assert_eq!(got.get("x").map(String::as_str), Some("1"));
        // No temporary file is left behind.
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["a.lock", "a.settings"]);
    }
}
