//! The cache against locks, damage and bad input: a lock held by another process is
//! waited for and reported, never taken for damage; damage costs no setting and is
//! repaired by the next sync; folder names map to their own files; intervals and
//! schemas are bounded; passwords are never stored.

#[path = "support/damage.rs"]
mod damage;
#[path = "support/lock.rs"]
mod lock;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

const DAY: StdDuration = StdDuration::from_secs(86_400);

use cti_phonebook::cache::{
    CachedFolder, LOCK_WAIT, MAX_MOVED_ASIDE, MAX_SYNC_INTERVAL, MIN_SYNC_INTERVAL, OfflineSource,
    SyncMode, cached_folders, folder_exists, folder_path, remove_folder,
};
use cti_phonebook::schema::Schema;
use cti_phonebook::vcard::VCard;
use cti_phonebook::{Error, MemorySource};
use damage::damage_card_pages;
use lock::hold_lock;

/// A card of about 2 KB whose bulk is in no column, so that cards fill most pages
/// of the file and rows few.
fn card(i: usize) -> VCard {
    let filler = format!("{i:04}-").repeat(400);
    VCard::parse(
        format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u{i}\r\nFN:Name {i}\r\nTEL;TYPE=WORK:+49 30 {i:06}\r\nX-FILLER:{filler}\r\nEND:VCARD\r\n"
        )
        .as_bytes(),
    )
    .unwrap()
}

fn source(n: usize) -> Arc<MemorySource> {
    let src = Arc::new(MemorySource::new("work"));
    for i in 0..n {
        src.put_card(format!("{i:04}.vcf"), card(i));
    }
    src
}

/// A folder "work" with `n` records and settings of every kind.
fn filled(dir: &Path, src: Arc<MemorySource>) -> PathBuf {
    let f = CachedFolder::create_new(
        dir,
        "work",
        src,
        &[("url", "https://dav.example.test/"), ("user", "alice")],
    )
    .unwrap();
    let mut schema = Schema::default();
    schema.set_phone_count(3).unwrap();
    f.set_schema(schema).unwrap();
    f.set_sync_interval(2 * DAY).unwrap();
    f.reload().unwrap();
    f.path()
}

fn offline(dir: &Path) -> Result<CachedFolder, Error> {
    CachedFolder::open(dir, "work", Arc::new(OfflineSource::new("work")))
}

/// The folder's settings are all there.
fn assert_settings_kept(f: &CachedFolder) {
    assert_eq!(
        f.setting("url").unwrap().as_deref(),
        Some("https://dav.example.test/")
    );
    assert_eq!(f.setting("user").unwrap().as_deref(), Some("alice"));
    assert_eq!(f.sync_interval(), 2 * DAY);
    assert_eq!(f.source().schema().phones.len(), 3);
}

fn moved_aside(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".corrupt-"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_short_lock_is_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path(), source(20));
    let holder = hold_lock(&path, StdDuration::from_millis(1500));
    let start = Instant::now();
    let f = offline(dir.path()).expect("waits for the lock");
    assert!(
        start.elapsed() >= StdDuration::from_millis(500),
        "no lock was held"
    );
    holder.wait();
    assert_eq!(f.snapshot().len(), 20);
    assert_eq!(f.open_warning(), None);
    assert_settings_kept(&f);
    assert!(moved_aside(dir.path()).is_empty());
}

#[test]
fn a_long_lock_is_reported_and_the_cache_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path(), source(20));
    let before = std::fs::read(&path).unwrap();
    let holder = hold_lock(&path, LOCK_WAIT + StdDuration::from_secs(3));
    let err = offline(dir.path()).unwrap_err();
    assert!(matches!(err, Error::CacheLocked(_)), "{err:?}");
    assert!(err.is_transient());
    assert!(err.to_string().contains("locked"), "{err}");
    assert!(moved_aside(dir.path()).is_empty(), "a lock is no damage");
    holder.wait();
    assert_eq!(std::fs::read(&path).unwrap().len(), before.len());
    let f = offline(dir.path()).unwrap();
    assert_eq!(f.snapshot().len(), 20);
    assert_settings_kept(&f);
}

#[test]
fn a_damaged_file_keeps_the_settings_and_the_next_sync_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(300);
    let path = filled(dir.path(), src.clone());
    for round in 0..MAX_MOVED_ASIDE + 2 {
        // As `truncate -s`: the file cut short.
        let len = std::fs::metadata(&path).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len / 2)
            .unwrap();
        let f = offline(dir.path()).expect("damage is no error at open");
        let warning = f.open_warning().expect("damage is reported");
        assert!(warning.contains("damaged"), "{warning}");
        assert!(f.snapshot().is_empty());
        assert_settings_kept(&f);
        drop(f);
        // Until a sync rebuilds the records, every open says so.
        assert!(offline(dir.path()).unwrap().open_warning().is_some());
        let f = CachedFolder::open(dir.path(), "work", src.clone()).unwrap();
        let r = f.refresh().unwrap();
        assert_eq!((r.mode, r.added), (SyncMode::Reload, 300), "round {round}");
        assert_eq!(f.open_warning(), None);
        drop(f);
        let f = offline(dir.path()).unwrap();
        assert_eq!(f.open_warning(), None);
        assert_eq!(f.snapshot().len(), 300);
        assert_settings_kept(&f);
        assert!(moved_aside(dir.path()).len() <= MAX_MOVED_ASIDE);
    }
    assert_eq!(moved_aside(dir.path()).len(), MAX_MOVED_ASIDE);
    assert!(remove_folder(dir.path(), "work").unwrap());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(!remove_folder(dir.path(), "work").unwrap());
}

fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn damage_inside_the_cards_is_repaired_by_a_full_reload() {
    for incremental in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let src = source(600);
        let path = filled(dir.path(), src.clone());
        assert!(damage_card_pages(&path), "no region damages only cards");
        let f = CachedFolder::open(dir.path(), "work", src.clone()).unwrap();
        assert_eq!(f.snapshot().len(), 600, "the rows still read");
        // Reading every card finds the damage, as `export` does.
        let failed = f
            .snapshot()
            .rows()
            .filter(|(id, _)| f.cached_record(id).is_err())
            .count();
        assert!(failed > 0, "the damage is in the cards");
        assert!(f.open_warning().unwrap().contains("damaged"));
        let r = if incremental {
            f.refresh().unwrap()
        } else {
            f.reload().unwrap()
        };
        assert_eq!(r.mode, SyncMode::Reload);
        for (id, _) in f.snapshot().rows() {
            f.cached_record(id).unwrap();
        }
        assert_eq!(f.open_warning(), None);
        drop(f);
        assert_eq!(integrity(&path), "ok");
        let f = offline(dir.path()).unwrap();
        assert_eq!(f.snapshot().len(), 600);
        assert_settings_kept(&f);
        assert_eq!(moved_aside(dir.path()).len(), 1, "the damaged copy is kept");
    }
}

#[test]
fn a_reload_checks_the_file_and_rebuilds_one_with_bad_pages() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(600);
    let path = filled(dir.path(), src.clone());
    assert!(damage_card_pages(&path));
    let f = CachedFolder::open(dir.path(), "work", src).unwrap();
    // No read has met the damage: the reload's integrity check finds it.
    assert_eq!(f.open_warning(), None);
    f.reload().unwrap();
    drop(f);
    assert_eq!(integrity(&path), "ok");
    assert_eq!(moved_aside(dir.path()).len(), 1);
}

#[test]
fn folder_names_have_files_of_their_own_and_create_is_exclusive() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "Work Book",
        "Work/Book",
        "Work_Book",
        "work book",
        "Work%20Book",
    ];
    for name in names {
        let src = Arc::new(MemorySource::new(name));
        src.put_card(
            "x.vcf",
            VCard::parse(
                format!("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEND:VCARD\r\n").as_bytes(),
            )
            .unwrap(),
        );
        CachedFolder::create_new(dir.path(), name, src, &[])
            .unwrap()
            .reload()
            .unwrap();
    }
    let mut want: Vec<&str> = names.to_vec();
    want.sort();
    assert_eq!(cached_folders(dir.path()).unwrap(), want);
    for name in names {
        let f = CachedFolder::open(dir.path(), name, Arc::new(OfflineSource::new(name))).unwrap();
        let shown: Vec<String> = f
            .snapshot()
            .rows()
            .map(|(_, r)| r.row.get("display_name").unwrap().to_owned())
            .collect();
        assert_eq!(shown, [name]);
    }
    assert!(folder_path(dir.path(), "").is_err());

    // Eight threads create one folder at once: one succeeds.
    let made: Vec<bool> = (0..8)
        .map(|_| {
            let d = dir.path().to_owned();
            std::thread::spawn(move || {
                CachedFolder::create_new(&d, "Shared", Arc::new(MemorySource::new("s")), &[])
                    .is_ok()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert_eq!(made.iter().filter(|m| **m).count(), 1, "{made:?}");
    let again =
        CachedFolder::create_new(dir.path(), "Shared", Arc::new(MemorySource::new("s")), &[]);
    assert!(matches!(again, Err(Error::Config(_))), "{again:?}");
}

#[test]
fn a_folder_under_its_older_file_name_is_moved_to_its_new_one() {
    let dir = tempfile::tempdir().unwrap();
    // The older mapping gave "Work Book" the file of "Work_Book", settings inside.
    let src = source(5);
    let f = CachedFolder::open(dir.path(), "Work_Book", src.clone()).unwrap();
    f.reload().unwrap();
    drop(f);
    std::fs::remove_file(dir.path().join("Work_Book.settings")).unwrap();
    assert!(folder_exists(dir.path(), "Work Book"));
    let f = CachedFolder::open(dir.path(), "Work Book", Arc::new(OfflineSource::new("w"))).unwrap();
    assert_eq!(f.snapshot().len(), 5);
    assert_eq!(f.path(), folder_path(dir.path(), "Work Book").unwrap());
    assert_eq!(cached_folders(dir.path()).unwrap(), ["Work Book"]);
    drop(f);

    // Older versions kept letters beyond ASCII as they were.
    let f = CachedFolder::open(dir.path(), "Mxller", src).unwrap();
    f.reload().unwrap();
    drop(f);
    std::fs::remove_file(dir.path().join("Mxller.settings")).unwrap();
    std::fs::rename(
        dir.path().join("Mxller.sqlite"),
        dir.path().join("Müller.sqlite"),
    )
    .unwrap();
    let f = CachedFolder::open(dir.path(), "Müller", Arc::new(OfflineSource::new("m"))).unwrap();
    assert_eq!(f.snapshot().len(), 5);
    assert!(
        f.path().ends_with("M%C3%BCller.sqlite"),
        "{}",
        f.path().display()
    );
    assert_eq!(cached_folders(dir.path()).unwrap(), ["Müller", "Work Book"]);
}

/// Rewrites the line of setting `key` in the settings file of the folder whose
/// database is `path`, as a hand edit would.
fn store_setting(path: &Path, key: &str, value: &str) {
    let settings = path.with_extension("settings");
    let text = std::fs::read_to_string(&settings).unwrap();
    let text: String = text
        .lines()
        .map(|l| match l.split_once('=') {
            Some((k, _)) if k == key => format!("{key}={value}\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&settings, text).unwrap();
}

/// Child side of `a_cache_directory_it_creates_is_owner_only`: opens a folder in
/// `CTI_UMASK_DIR`, run under `umask 000`.
#[test]
#[ignore = "run as a child process under umask 000"]
fn child_open_under_umask() {
    let Ok(dir) = std::env::var("CTI_UMASK_DIR") else {
        return;
    };
    CachedFolder::open(Path::new(&dir), "work", source(1))
        .unwrap()
        .reload()
        .unwrap();
}

#[cfg(unix)]
#[test]
fn a_cache_directory_it_creates_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("cache/cti");
    // In another process, whose umask lets everyone read and write what it makes.
    let status = Command::new("sh")
        .arg("-c")
        .arg(r#"umask 000 && exec "$0" --ignored --exact child_open_under_umask"#)
        .arg(std::env::current_exe().unwrap())
        .env("CTI_UMASK_DIR", &dir)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    for d in [&dir, &base.path().join("cache")] {
        let mode = std::fs::metadata(d).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", d.display());
    }
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
    // A directory that exists keeps its permissions.
    let mine = base.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o750)).unwrap();
    CachedFolder::open(&mine, "work", source(1)).unwrap();
    let mode = std::fs::metadata(&mine).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o750);
}

#[test]
fn sync_intervals_are_bounded_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path(), source(1));
    let f = offline(dir.path()).unwrap();
    assert!(f.snapshot().last_sync().is_some());
    for bad in [
        DAY * 100_000_000,
        StdDuration::MAX,
        MAX_SYNC_INTERVAL + StdDuration::from_secs(1),
        MIN_SYNC_INTERVAL - StdDuration::from_secs(1),
        StdDuration::ZERO,
    ] {
        let e = f.set_sync_interval(bad).unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{bad:?}: {e:?}");
    }
    assert_eq!(f.sync_interval(), 2 * DAY, "unchanged");
    f.set_sync_interval(MAX_SYNC_INTERVAL).unwrap();
    f.set_sync_interval(MIN_SYNC_INTERVAL).unwrap();
    drop(f);
    // A stored value out of bounds (edited by hand, or written by an older version)
    // is not used: the default is.
    store_setting(&path, "sync_interval_secs", "999999999999999999");
    let f = offline(dir.path()).unwrap();
    assert_eq!(
        f.sync_interval(),
        cti_phonebook::cache::DEFAULT_SYNC_INTERVAL
    );
}

#[test]
fn schemas_are_bounded_where_they_enter_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path(), source(3));
    let f = offline(dir.path()).unwrap();
    let huge = Schema {
        phones: vec![cti_phonebook::schema::PhoneKind::Other; 100_000],
        ..Schema::default()
    };
    assert!(matches!(f.set_schema(huge.clone()), Err(Error::Config(_))));
    assert_eq!(f.source().schema().phones.len(), 3, "unchanged");
    // Through the source trait, which cannot return an error: not applied, and the
    // folder says why in its open warning.
    cti_phonebook::PhonebookSource::set_schema(&f, huge);
    assert_eq!(f.source().schema().phones.len(), 3, "unchanged");
    drop(f);
    // A stored schema over the limits is refused before it is built: the folder
    // opens with the source's schema and says why.
    store_setting(
        &path,
        "schema",
        &format!("phones={}", "other,".repeat(1_000_000)),
    );
    let start = Instant::now();
    let f = offline(dir.path()).unwrap();
    assert!(start.elapsed() < StdDuration::from_secs(5));
    assert!(f.open_warning().unwrap().contains("schema"));
    assert_eq!(f.snapshot().len(), 3);
    assert_eq!(f.source().schema(), Schema::default());
}

#[test]
fn a_password_is_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path(), source(1));
    let f = offline(dir.path()).unwrap();
    let e = f
        .set_setting("url", "https://alice:Sw0rdf1sh@dav.example.test/")
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)));
    assert!(!e.to_string().contains("Sw0rdf1sh"));
    let e = CachedFolder::create_new(
        dir.path(),
        "other",
        source(1),
        &[("url", "http://bob:Sw0rdf1sh@127.0.0.1/")],
    )
    .unwrap_err();
    assert!(matches!(e, Error::Config(_)));
    drop(f);
    // An older version kept settings in the database, a password in a URL too: the
    // password is gone from every file once the folder is opened.
    std::fs::remove_file(path.with_extension("settings")).unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('setting.url', ?1)",
            ["https://alice:Sw0rdf1sh@dav.example.test/"],
        )
        .unwrap();
    }
    let f = offline(dir.path()).unwrap();
    assert_eq!(
        f.setting("url").unwrap().as_deref(),
        Some("https://alice@dav.example.test/")
    );
    drop(f);
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        assert!(
            !bytes.windows(9).any(|w| w == b"Sw0rdf1sh"),
            "password in {}",
            p.display()
        );
    }
}
