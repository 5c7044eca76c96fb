//! Where a folder lives in the cache directory: the file names of its database, its
//! settings and the damaged copies moved aside, the directory's permissions, and
//! removing a folder with everything it left there.
//!
//! A folder name maps to a file stem one-to-one: ASCII letters, digits, `-` and `_`
//! stay, every other byte of the name's UTF-8 becomes `%XX`. So `Work Book`,
//! `Work/Book` and `Work_Book` are `Work%20Book`, `Work%2FBook` and `Work_Book`, and a
//! stem reads back as the name it came from. Stems are plain ASCII, so no file system
//! normalises them into another name's (macOS decomposes accented letters). Names of
//! only the kept characters have the file names they always had; a folder whose file
//! is still under the older mapping (every other character replaced by `_`) is moved
//! to its new name when it is opened ([`migrate_legacy`]).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The extension of a folder's SQLite database.
pub(crate) const DB_EXT: &str = "sqlite";
/// The extension of a folder's settings file.
pub(crate) const SETTINGS_EXT: &str = "settings";
/// What follows the stem of a damaged database moved aside: `STEM.corrupt-TIME`.
const ASIDE_INFIX: &str = "corrupt-";
/// Files SQLite keeps next to a database.
const SQLITE_COMPANIONS: [&str; 3] = ["-wal", "-shm", "-journal"];
/// Longest stem: names of most file systems end at 255 bytes, and a stem takes
/// suffixes such as `.corrupt-20260101T000000-9.sqlite-journal`.
const MAX_STEM_BYTES: usize = 200;
/// How many damaged copies of one folder are kept; older ones are removed.
pub const MAX_MOVED_ASIDE: usize = 2;

/// Whether `c` stays as it is in a file stem.
fn kept(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// The file stem of folder `name`.
///
/// # Errors
/// [`Error::Config`] for an empty name or one whose stem would be too long.
pub(crate) fn stem(name: &str) -> Result<String> {
    if name.is_empty() {
        return Err(Error::Config("a folder name must not be empty".into()));
    }
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if kept(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if out.len() > MAX_STEM_BYTES {
        return Err(Error::Config(format!(
            "folder name '{}...' is too long",
            name.chars().take(40).collect::<String>()
        )));
    }
    Ok(out)
}

/// The folder name a stem stands for; `None` when it is no stem of ours.
pub(crate) fn name_of(stem: &str) -> Option<String> {
    let bytes = stem.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|n| !n.is_empty())
}

/// The stem the older mapping gave `name`: every character but letters, digits, `-`
/// and `_` replaced by `_`.
fn legacy_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `dir/STEM.ext`.
pub(crate) fn file(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    dir.join(format!("{stem}.{ext}"))
}

/// `path` with `suffix` appended to its file name.
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Removes the files SQLite keeps next to the database at `path`; missing ones are
/// no error.
pub(crate) fn remove_companions(path: &Path) {
    for suffix in SQLITE_COMPANIONS {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

/// The database of folder `name` under the older file name, when there is one that
/// is not moved yet and that no folder has claimed (a settings file beside it means
/// the current version uses it, under the name that maps to it).
pub(crate) fn legacy_db(dir: &Path, name: &str, stem: &str) -> Option<PathBuf> {
    let old = legacy_stem(name);
    if old == stem || file(dir, stem, DB_EXT).exists() || file(dir, stem, SETTINGS_EXT).exists() {
        return None;
    }
    let old_db = file(dir, &old, DB_EXT);
    (old_db.exists() && !file(dir, &old, SETTINGS_EXT).exists()).then_some(old_db)
}

/// Moves a folder kept under the older file name to its new one (see
/// [`legacy_db`]).
pub(crate) fn migrate_legacy(dir: &Path, name: &str, stem: &str) -> Result<()> {
    let Some(old_db) = legacy_db(dir, name, stem) else {
        return Ok(());
    };
    let new_db = file(dir, stem, DB_EXT);
    // Companions first: a database never appears without its write-ahead log.
    for suffix in SQLITE_COMPANIONS {
        let from = with_suffix(&old_db, suffix);
        if from.exists() {
            std::fs::rename(&from, with_suffix(&new_db, suffix))?;
        }
    }
    std::fs::rename(&old_db, &new_db)?;
    Ok(())
}

/// Creates `dir` (and missing parents) readable by its owner only; a directory that
/// exists keeps its permissions.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// The damaged copies of the folder with stem `stem`, oldest first.
fn moved_aside(dir: &Path, stem: &str) -> Vec<PathBuf> {
    let prefix = format!("{stem}.{ASIDE_INFIX}");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && !n.ends_with("-wal"))
        })
        .collect();
    // The names carry the time, so their order is the age.
    out.sort();
    out
}

/// A new name for a damaged copy of database `db` (`STEM.corrupt-TIME`), after
/// removing the oldest copies so that at most [`MAX_MOVED_ASIDE`] remain with it.
pub(crate) fn aside_path(db: &Path) -> PathBuf {
    let dir = db.parent().unwrap_or(Path::new("."));
    let stem = db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let existing = moved_aside(dir, &stem);
    for old in existing
        .iter()
        .take((existing.len() + 1).saturating_sub(MAX_MOVED_ASIDE))
    {
        let _ = std::fs::remove_file(old);
        remove_companions(old);
    }
    let time = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    let mut p = dir.join(format!("{stem}.{ASIDE_INFIX}{time}"));
    let mut n = 1;
    while p.exists() {
        p = dir.join(format!("{stem}.{ASIDE_INFIX}{time}-{n}"));
        n += 1;
    }
    p
}

/// Removes folder `name` from cache directory `dir`: its database with SQLite's
/// files next to it, its settings, and the damaged copies moved aside. Returns
/// whether there was such a folder.
///
/// Remove a folder only while no [`CachedFolder`](super::CachedFolder) has it open.
///
/// # Errors
/// [`Error::Config`] for a name no folder can have; [`Error::Io`] when a file cannot
/// be removed.
pub fn remove_folder(dir: &Path, name: &str) -> Result<bool> {
    let stem = stem(name)?;
    let db = file(dir, &stem, DB_EXT);
    let settings = file(dir, &stem, SETTINGS_EXT);
    let found = db.exists() || settings.exists();
    for p in moved_aside(dir, &stem) {
        remove_companions(&p);
        std::fs::remove_file(&p)?;
    }
    remove_companions(&db);
    for p in [
        with_suffix(&db, ".rebuild"),
        db.clone(),
        file(dir, &stem, "lock"),
        settings,
    ] {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(found)
}

/// The database file of folder `name` in `dir`.
///
/// Names map to files one-to-one: ASCII letters, digits, `-` and `_` stay, any other
/// character is written as `%XX` of its UTF-8 bytes (`Work Book` is
/// `Work%20Book.sqlite`, `Work/Book` is `Work%2FBook.sqlite`). The folder's settings
/// file is beside it, with the extension `.settings`.
///
/// # Errors
/// [`Error::Config`] for an empty name or one longer than a file name can be.
pub fn folder_path(dir: &Path, name: &str) -> Result<PathBuf> {
    Ok(file(dir, &stem(name)?, DB_EXT))
}

/// Whether folder `name` has a cache in `dir` (its database or its settings file,
/// or a database under the file name older versions gave it, which opening the
/// folder moves to its new name).
pub fn folder_exists(dir: &Path, name: &str) -> bool {
    let Ok(stem) = stem(name) else {
        return false;
    };
    file(dir, &stem, DB_EXT).exists()
        || file(dir, &stem, SETTINGS_EXT).exists()
        || legacy_db(dir, name, &stem).is_some()
}

/// Names of the folders cached in `dir` (from their file names), sorted.
///
/// # Errors
/// [`Error::Io`] when the directory exists but cannot be read.
pub fn cached_folders(dir: &Path) -> Result<Vec<String>> {
    let mut out = std::collections::BTreeSet::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    for e in entries {
        let p = e?.path();
        let ours = p
            .extension()
            .is_some_and(|x| x == DB_EXT || x == SETTINGS_EXT);
        if let (Some(stem), true) = (p.file_stem().and_then(|s| s.to_str()), ours)
            && let Some(name) = name_of(stem)
        {
            out.insert(name);
        }
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_stems_one_to_one() {
        let names = [
            "Work Book",
            "Work/Book",
            "Work_Book",
            "Work%20Book",
            "work book",
            "..",
            "Müller",
            "Mu\u{308}ller",
            "a\u{1b}b",
        ];
        let stems: Vec<String> = names.iter().map(|n| stem(n).unwrap()).collect();
        let unique: std::collections::HashSet<&String> = stems.iter().collect();
        assert_eq!(unique.len(), names.len(), "{stems:?}");
        for (n, s) in names.iter().zip(&stems) {
            assert_eq!(name_of(s).as_deref(), Some(*n));
            assert!(!s.contains(['/', '\\', '.', ' ']), "{s}");
            assert!(s.is_ascii(), "{s}");
        }
        assert_eq!(stem("Work_Book-2").unwrap(), "Work_Book-2");
        assert!(stem("").is_err());
        assert!(stem(&"/".repeat(100)).is_err());
        assert_eq!(name_of("bad%zz"), None);
    }
}
