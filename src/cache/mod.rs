//! The offline cache: [`CachedFolder`] wraps any [`PhonebookSource`], keeps its
//! records on disk and in memory, and synchronises them.
//!
//! * **Offline first.** Opening a folder reads its rows from the local store; the
//!   application lists and looks numbers up without the network.
//! * **Sync modes.** [`CachedFolder::refresh`] fetches only what changed (the source's
//!   change log, or a version comparison), however often it is called;
//!   [`CachedFolder::refresh_requested`] is the user's refresh: a second one within the
//!   escalation window (5 s) of a completed one becomes a [`CachedFolder::reload`] of
//!   everything, as CTI users press F5 twice; [`CachedFolder::refresh_record`] re-reads
//!   one record;
//!   [`CachedFolder::sync_if_due`] and [`AutoSync`] sync on an interval (default 7 days,
//!   persisted per folder).
//! * **Atomic.** Network work happens first; the result is applied in one store
//!   transaction and then swapped in as a new [`Snapshot`]. A failure anywhere leaves
//!   the cache as it was; readers never see half a sync and never wait for the network.
//! * **Write-through.** Creates, updates and deletes go to the source and update the
//!   cache in the same call. A conflict stores the server's version and returns
//!   [`Error::Conflict`] carrying it, so the caller holds both sides.
//! * **Notifications.** [`CachedFolder::on_change`] listeners hear which records
//!   changed (the lookup index uses this); [`CachedFolder::on_progress`] listeners hear
//!   how far a running sync has got ("1,200 of 10,000"). Both return a [`ListenerId`]
//!   that [`CachedFolder::remove_listener`] takes to remove the listener again.
//!
//! * **Kept apart.** Several folders share one cache directory. Each has a SQLite
//!   file for its records and a small settings file (schema, form, sync interval, the
//!   application's settings) beside it, so that a damaged database costs no setting:
//!   it is moved aside and the records come back with the next sync (see
//!   [`CachedFolder::open`]). [`remove_folder`] removes both and what was moved aside.

mod auto;
mod clock;
mod files;
mod offline;
mod rows;
mod settings;
mod store;

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

pub use auto::AutoSync;
pub use clock::{Clock, ManualClock, SystemClock};
pub use files::{MAX_MOVED_ASIDE, remove_folder};
pub use offline::OfflineSource;
pub use store::LOCK_WAIT;

use crate::error::{Error, Result};
use crate::form::FormLayout;
use crate::schema::{Row, Schema};
use crate::source::{
    Changes, KnownVersions, Listing, PhonebookSource, ProgressFn, Record, RecordId, RecordWarning,
    SourceInfo, SyncProgress, SyncToken, Version,
};
use crate::vcard::VCard;
use files::{DB_EXT, SETTINGS_EXT};
use rows::RowMap;
use settings::SettingsFile;
use store::{Batch, Store};

/// Default interval of the automatic sync.
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(7 * 86_400);
/// Shortest automatic sync interval: a minute.
pub const MIN_SYNC_INTERVAL: Duration = Duration::from_secs(60);
/// Longest automatic sync interval: ten years (3,650 days).
pub const MAX_SYNC_INTERVAL: Duration = Duration::from_secs(3650 * 86_400);
/// Default window in which a second refresh the user asks for
/// ([`CachedFolder::refresh_requested`]) escalates to a reload.
pub const DEFAULT_ESCALATION_WINDOW: Duration = Duration::from_secs(5);

const META_TOKEN: &str = "sync_token";
const META_LAST_SYNC: &str = "last_sync";
const META_NEXT_SYNC: &str = "next_sync";
const META_INTERVAL: &str = "sync_interval_secs";
const META_SCHEMA: &str = "schema";
const META_FORM: &str = "form";
const SETTING_PREFIX: &str = "setting.";

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// How the sync was done.
    pub mode: SyncMode,
    /// Records new to the cache.
    pub added: usize,
    /// Records whose version changed.
    pub changed: usize,
    /// Records removed from the cache.
    pub removed: usize,
    /// Records the source could not deliver (see `warnings`).
    pub skipped: usize,
    /// Requests (round trips) to the source.
    pub requests: u32,
    /// Per-record problems.
    pub warnings: Vec<RecordWarning>,
}

/// How a sync was done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncMode {
    /// Only changes were fetched.
    #[default]
    Incremental,
    /// Everything was read anew (asked for, or the first sync).
    Reload,
    /// A second refresh the user asked for within the escalation window became a
    /// reload.
    Escalated,
    /// The source no longer accepted the token, so everything was read anew.
    TokenExpired,
    /// One record was refreshed.
    Record,
}

/// One cached record's table view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedRow {
    /// Version the cache holds.
    pub version: Version,
    /// The row.
    pub row: Row,
}

/// An immutable view of a folder at one moment: what readers use.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    // Rows behind `Arc`: a sync builds the next snapshot from this one without copying
    // any row.
    rows: RowMap,
    token: Option<SyncToken>,
    last_sync: Option<DateTime<Utc>>,
    next_sync: Option<DateTime<Utc>>,
}

impl Snapshot {
    /// Rows by record id, in id order.
    pub fn rows(&self) -> impl Iterator<Item = (&RecordId, &CachedRow)> {
        self.rows.iter().map(|(id, r)| (id, &**r))
    }
    /// One row.
    pub fn get(&self, id: &RecordId) -> Option<&CachedRow> {
        self.rows.get(id).map(|r| &**r)
    }
    /// Number of records.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    /// Whether the folder is empty.
    pub fn is_empty(&self) -> bool {
        self.rows.len() == 0
    }
    /// The sync token of the last sync.
    pub fn token(&self) -> Option<&SyncToken> {
        self.token.as_ref()
    }
    /// When the folder was last synced.
    pub fn last_sync(&self) -> Option<DateTime<Utc>> {
        self.last_sync
    }
    /// When the automatic sync is due next.
    pub fn next_sync(&self) -> Option<DateTime<Utc>> {
        self.next_sync
    }
    fn known(&self) -> KnownVersions {
        self.rows
            .iter()
            .map(|(id, r)| (id.clone(), r.version.clone()))
            .collect()
    }
}

/// What changed in a folder, told to [`CachedFolder::on_change`] listeners.
#[derive(Debug, Clone)]
pub struct FolderChange {
    /// The folder's name.
    pub folder: String,
    /// Records added or changed.
    pub changed: Vec<RecordId>,
    /// Records removed.
    pub removed: Vec<RecordId>,
    /// Whether everything may have changed (a reload).
    pub reloaded: bool,
    /// The folder after the change.
    pub snapshot: Arc<Snapshot>,
}

/// Names a listener added by [`CachedFolder::on_change`] or
/// [`CachedFolder::on_progress`], for [`CachedFolder::remove_listener`].
///
/// Ids are unique in the process, across folders and both kinds of listener, so an
/// id is never mistaken for another listener. It is a plain handle, not a guard:
/// dropping it leaves the listener in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListenerId(u64);

impl ListenerId {
    fn next() -> ListenerId {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        ListenerId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// A listener as a folder holds it. `removed` is set when it is removed, so that a
/// notification that took its list before then does not call it any more.
struct Registered<F: ?Sized> {
    id: ListenerId,
    removed: AtomicBool,
    call: F,
}

impl<F> Registered<F> {
    /// `call` under a new id.
    fn new(call: F) -> Arc<Registered<F>> {
        Arc::new(Registered {
            id: ListenerId::next(),
            removed: AtomicBool::new(false),
            call,
        })
    }
}

impl<F: ?Sized> Registered<F> {
    fn is_live(&self) -> bool {
        !self.removed.load(Ordering::Acquire)
    }
}

type Listener = Arc<Registered<dyn Fn(&FolderChange) + Send + Sync>>;
type ProgressListener = Arc<Registered<dyn Fn(SyncProgress) + Send + Sync>>;

/// Adds `listener` to `list`; its id.
fn register<F: ?Sized>(
    list: &RwLock<Vec<Arc<Registered<F>>>>,
    listener: Arc<Registered<F>>,
) -> ListenerId {
    let id = listener.id;
    list.write()
        .unwrap_or_else(|e| e.into_inner())
        .push(listener);
    id
}

/// Takes listener `id` out of `list`, marked removed; whether it was there.
fn unregister<F: ?Sized>(list: &RwLock<Vec<Arc<Registered<F>>>>, id: ListenerId) -> bool {
    let mut list = list.write().unwrap_or_else(|e| e.into_inner());
    let Some(at) = list.iter().position(|l| l.id == id) else {
        return false;
    };
    list.remove(at).removed.store(true, Ordering::Release);
    true
}

/// The listeners of `list` as they are now, so that its lock is not held while they
/// run.
fn listeners_now<F: ?Sized>(list: &RwLock<Vec<Arc<Registered<F>>>>) -> Vec<Arc<Registered<F>>> {
    list.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// A cached phone book folder. See the [module docs](self).
pub struct CachedFolder {
    name: String,
    /// Behind a lock of its own so that a live folder can be reconnected
    /// ([`CachedFolder::set_source`]); every operation takes a clone of the `Arc`.
    source: RwLock<Arc<dyn PhonebookSource>>,
    store: Mutex<Store>,
    snapshot: RwLock<Arc<Snapshot>>,
    clock: Arc<dyn Clock>,
    escalation_window: Duration,
    interval: Mutex<Duration>,
    /// When the last refresh the user asked for completed.
    last_requested: Mutex<Option<DateTime<Utc>>>,
    listeners: RwLock<Vec<Listener>>,
    progress_listeners: RwLock<Vec<ProgressListener>>,
    /// Serialises syncs and writes of this folder.
    sync_lock: Mutex<()>,
    settings: SettingsFile,
    /// Why the records must be rebuilt (damage found), until a reload has done it;
    /// or what was wrong with the stored settings.
    warning: Mutex<Option<String>>,
}

impl std::fmt::Debug for CachedFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedFolder")
            .field("name", &self.name)
            .field("source", &self.source())
            .field("records", &self.snapshot().len())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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
    Ok(files::file(dir, &files::stem(name)?, DB_EXT))
}

/// Whether folder `name` has a cache in `dir` (its database or its settings file,
/// or a database under the file name older versions gave it, which opening the
/// folder moves to its new name).
pub fn folder_exists(dir: &Path, name: &str) -> bool {
    let Ok(stem) = files::stem(name) else {
        return false;
    };
    files::file(dir, &stem, DB_EXT).exists()
        || files::file(dir, &stem, SETTINGS_EXT).exists()
        || files::legacy_db(dir, name, &stem).is_some()
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
            && let Some(name) = files::name_of(stem)
        {
            out.insert(name);
        }
    }
    Ok(out.into_iter().collect())
}

/// `t + d`; `None` past the end of time.
fn add(t: DateTime<Utc>, d: Duration) -> Option<DateTime<Utc>> {
    t.checked_add_signed(TimeDelta::from_std(d).ok()?)
}

/// The sync interval stored as `secs`, when it is one within bounds.
fn stored_interval(secs: Option<&String>) -> Option<Duration> {
    let d = Duration::from_secs(secs?.parse::<u64>().ok()?);
    (MIN_SYNC_INTERVAL..=MAX_SYNC_INTERVAL)
        .contains(&d)
        .then_some(d)
}

/// `url` without the password of its user info, when it is a URL that has one.
fn without_password(value: &str) -> Option<String> {
    let mut url = url::Url::parse(value).ok()?;
    url.password()?;
    url.set_password(None).ok()?;
    Some(url.to_string())
}

/// Whether a settings-file key belongs there rather than with the records (keys
/// that older caches kept in the database).
fn is_setting_key(key: &str) -> bool {
    key == META_SCHEMA || key == META_INTERVAL || key.starts_with(SETTING_PREFIX)
}

/// The settings file of the folder with stem `stem`.
fn settings_file(dir: &Path, stem: &str) -> SettingsFile {
    SettingsFile::new(
        files::file(dir, stem, SETTINGS_EXT),
        files::file(dir, stem, "lock"),
    )
}

/// Refuses a setting that is a URL with a password in it: passwords are never
/// stored.
fn check_setting(value: &str) -> Result<()> {
    if without_password(value).is_some() {
        return Err(Error::Config(
            "a URL with a password in it is not stored; pass the password separately".into(),
        ));
    }
    Ok(())
}

fn parse_time(s: Option<&String>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

impl CachedFolder {
    /// Opens (or creates) folder `name` in cache directory `dir` over `source`, with
    /// the system clock.
    ///
    /// The folder's rows are ready from disk at once. A schema stored with the folder
    /// is applied to the source; otherwise the source's schema is stored. A directory
    /// this creates is readable by its owner only; so are the files.
    ///
    /// A cache file another process holds locked is waited for ([`LOCK_WAIT`]), never
    /// taken for damage. A damaged or foreign cache file is moved aside (at most
    /// [`MAX_MOVED_ASIDE`] such copies are kept) and a fresh one made; the folder's
    /// settings are kept, as they live in their own file (a cache of an older version
    /// that kept them in the database has them read from the damaged file where it
    /// still can be). [`Self::open_warning`] then says what happened until the next
    /// refresh has reloaded the records, which it does by itself.
    ///
    /// # Errors
    /// [`Error::CacheLocked`] when another process holds the file locked for longer
    /// than [`LOCK_WAIT`]; [`Error::Config`] for a name no folder can have, or when
    /// the files `name` maps to belong to another folder (on a file system that
    /// folds case); [`Error::Cache`] when the directory or file cannot be used at
    /// all.
    pub fn open(
        dir: impl AsRef<Path>,
        name: &str,
        source: Arc<dyn PhonebookSource>,
    ) -> Result<CachedFolder> {
        CachedFolder::open_with_clock(dir, name, source, Arc::new(SystemClock))
    }

    /// Creates folder `name` in `dir` with the application settings `settings`
    /// (key, value: as [`Self::set_setting`] takes them), failing when it exists.
    ///
    /// Of several processes or threads creating one folder at once exactly one
    /// succeeds: the settings file is created complete and exclusively.
    ///
    /// # Errors
    /// [`Error::Config`] when the folder exists or a setting is a URL with a
    /// password; otherwise as [`Self::open`].
    pub fn create_new(
        dir: impl AsRef<Path>,
        name: &str,
        source: Arc<dyn PhonebookSource>,
        settings: &[(&str, &str)],
    ) -> Result<CachedFolder> {
        let dir = dir.as_ref();
        let exists = || Error::Config(format!("folder '{name}' exists"));
        let stem = files::stem(name)?;
        files::migrate_legacy(dir, name, &stem)?;
        if folder_exists(dir, name) {
            return Err(exists());
        }
        files::create_private_dir(dir).map_err(|e| Error::cache(dir, e))?;
        let mut map = std::collections::BTreeMap::new();
        map.insert(settings::NAME.to_owned(), name.to_owned());
        map.insert(META_SCHEMA.to_owned(), source.schema().to_spec());
        for (k, v) in settings {
            check_setting(v)?;
            map.insert(format!("{SETTING_PREFIX}{k}"), (*v).to_owned());
        }
        if !settings_file(dir, &stem).create_new(&map)? {
            return Err(exists());
        }
        CachedFolder::open(dir, name, source)
    }

    /// As [`CachedFolder::open`], with an injected clock.
    ///
    /// # Errors
    /// As [`CachedFolder::open`].
    pub fn open_with_clock(
        dir: impl AsRef<Path>,
        name: &str,
        source: Arc<dyn PhonebookSource>,
        clock: Arc<dyn Clock>,
    ) -> Result<CachedFolder> {
        let dir = dir.as_ref();
        let stem = files::stem(name)?;
        files::migrate_legacy(dir, name, &stem)?;
        let settings = settings_file(dir, &stem);
        let stored = settings.load()?;
        if let Some(owner) = stored.as_ref().and_then(|m| m.get(settings::NAME))
            && owner != name
        {
            return Err(Error::Config(format!(
                "the cache files of folder '{name}' belong to folder '{owner}'"
            )));
        }
        let path = files::file(dir, &stem, DB_EXT);
        let (mut store, loaded, damage) = Store::open(&path)?;
        let mut meta = loaded.meta;
        let mut warning = None;

        // Settings kept in the database by older versions move to the settings file;
        // a damaged database gives what could still be read from it.
        let legacy: Vec<(String, String)> = meta
            .iter()
            .chain(damage.iter().flat_map(|d| d.salvaged.iter()))
            .filter(|(k, _)| is_setting_key(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut values = match stored {
            Some(m) => m,
            None => {
                let mut m: std::collections::BTreeMap<String, String> =
                    legacy.iter().cloned().collect();
                m.insert(settings::NAME.to_owned(), name.to_owned());
                m.entry(META_SCHEMA.to_owned())
                    .or_insert_with(|| source.schema().to_spec());
                settings.create_new(&m)?;
                settings.load()?.unwrap_or(m)
            }
        };
        let in_db: Vec<String> = meta.keys().filter(|k| is_setting_key(k)).cloned().collect();
        store.erase_meta(&in_db)?;
        meta.retain(|k, _| !is_setting_key(k));

        // A password never stays stored, also where an older version stored one.
        let scrubbed: Vec<(String, String)> = values
            .iter()
            .filter(|(k, _)| k.starts_with(SETTING_PREFIX))
            .filter_map(|(k, v)| without_password(v).map(|v| (k.clone(), v)))
            .collect();
        if !scrubbed.is_empty() || damage.is_some() {
            values = settings.update(|m| {
                m.extend(scrubbed);
                if let Some(d) = &damage {
                    m.insert(
                        settings::REBUILD.to_owned(),
                        format!(
                            "the cache file was damaged ({}) and was moved to {}",
                            d.reason,
                            d.aside.display()
                        ),
                    );
                }
            })?;
        }
        if let Some(reason) = values.get(settings::REBUILD) {
            warning = Some(format!(
                "{reason}; the records are reloaded from the source by the next sync"
            ));
        }

        match values.get(META_SCHEMA).map(|spec| Schema::from_spec(spec)) {
            Some(Ok(schema)) => source.set_schema(schema),
            Some(Err(e)) => {
                warning.get_or_insert(format!(
                    "the stored schema is unusable ({e}); the source's is used until one is set"
                ));
            }
            None => {
                let spec = source.schema().to_spec();
                settings.update(|m| {
                    m.insert(META_SCHEMA.to_owned(), spec);
                })?;
            }
        }
        let interval = stored_interval(values.get(META_INTERVAL)).unwrap_or(DEFAULT_SYNC_INTERVAL);
        let rows = RowMap::from_entries(
            loaded
                .rows
                .into_iter()
                .map(|r| {
                    (
                        r.id,
                        Arc::new(CachedRow {
                            version: r.version,
                            row: r.row,
                        }),
                    )
                })
                .collect(),
        );
        let snapshot = Snapshot {
            rows,
            token: meta.get(META_TOKEN).map(|t| SyncToken::new(t.clone())),
            last_sync: parse_time(meta.get(META_LAST_SYNC)),
            next_sync: parse_time(meta.get(META_NEXT_SYNC)),
        };
        Ok(CachedFolder {
            name: name.to_owned(),
            source: RwLock::new(source),
            store: Mutex::new(store),
            snapshot: RwLock::new(Arc::new(snapshot)),
            clock,
            escalation_window: DEFAULT_ESCALATION_WINDOW,
            interval: Mutex::new(interval),
            last_requested: Mutex::new(None),
            listeners: RwLock::new(Vec::new()),
            progress_listeners: RwLock::new(Vec::new()),
            sync_lock: Mutex::new(()),
            settings,
            warning: Mutex::new(warning),
        })
    }

    /// The same folder over another source, without reading its cache again: a
    /// folder opened with an [`OfflineSource`] at start-up (its rows and settings at
    /// once, no password needed) is connected once the password is known. The new
    /// source gets the folder's schema (the one its rows are mapped with, which
    /// [`open`](Self::open) took from the cache); rows, settings, change and
    /// progress listeners stay as they are.
    pub fn with_source(self, source: Arc<dyn PhonebookSource>) -> CachedFolder {
        self.set_source(source);
        self
    }

    /// Connects the live folder to another source in place: [`with_source`]
    /// for a folder that is shared (in a [`Phonebook`](crate::Phonebook), with an
    /// [`AutoSync`]), e.g. once the server is back after an offline start. Safe while
    /// syncs, lookups and listeners run: a sync that already started finishes with
    /// the source it started with, the next one uses the new source. The new source
    /// gets the folder's schema; rows, settings and listeners stay.
    ///
    /// [`with_source`]: Self::with_source
    pub fn set_source(&self, source: Arc<dyn PhonebookSource>) {
        let mut slot = self.source.write().unwrap_or_else(|e| e.into_inner());
        source.set_schema(slot.schema());
        *slot = source;
    }

    /// Sets the window in which a second refresh the user asks for escalates to a
    /// reload (default 5 s; see [`refresh_requested`](Self::refresh_requested)).
    pub fn with_escalation_window(mut self, window: Duration) -> CachedFolder {
        self.escalation_window = window;
        self
    }

    /// The folder's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The source behind the cache (the one [`set_source`](Self::set_source) set last).
    pub fn source(&self) -> Arc<dyn PhonebookSource> {
        self.source
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// What is wrong with the folder's cache, while it is: the cache file was found
    /// damaged (at open, or by a read) and the records are missing until a reload
    /// has brought them back, which the next [`refresh`](Self::refresh),
    /// [`sync_if_due`](Self::sync_if_due) or [`reload`](Self::reload) does by
    /// itself; or the stored schema could not be used. `None` once a reload has
    /// rebuilt the records.
    pub fn open_warning(&self) -> Option<String> {
        lock(&self.warning).clone()
    }

    /// Whether the records must be rebuilt from the source (damage was found).
    fn needs_rebuild(&self) -> bool {
        lock(&self.store).is_damaged()
            || self
                .settings
                .load()
                .ok()
                .flatten()
                .is_some_and(|m| m.contains_key(settings::REBUILD))
    }

    /// Remembers that the store reported damage, so that the next sync reloads
    /// everything into a new file, in this process or the next.
    fn note_damage(&self, e: &Error) {
        if !lock(&self.store).is_damaged() {
            return;
        }
        let reason = format!("the cache file is damaged ({e})");
        let _ = self.settings.update(|m| {
            m.entry(settings::REBUILD.to_owned())
                .or_insert_with(|| reason.clone());
        });
        lock(&self.warning).get_or_insert(format!(
            "{reason}; the records are reloaded from the source by the next sync"
        ));
    }

    /// The store file.
    pub fn path(&self) -> PathBuf {
        lock(&self.store).path().to_owned()
    }

    /// The current snapshot (cheap: an `Arc`).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Adds a listener for changes. Listeners run on the thread that made the change,
    /// after the new snapshot is in place; keep them short. A listener that panics is
    /// caught: the write or sync that notified it still succeeds, the other
    /// listeners still hear the change, and the listener hears the next one.
    ///
    /// The returned id removes the listener again ([`remove_listener`](Self::remove_listener));
    /// a caller that never removes it may ignore the id. The list of listeners is not
    /// locked while they run, so a listener may add and remove listeners of its own
    /// folder, itself included; one added during a notification first hears the next.
    /// Syncs and writes of the folder wait for the one that notifies, so a listener
    /// must not start them (it would wait for itself).
    pub fn on_change(
        &self,
        listener: impl Fn(&FolderChange) + Send + Sync + 'static,
    ) -> ListenerId {
        register(&self.listeners, Registered::new(listener))
    }

    /// Adds a listener for the progress of syncs: every [`reload`](Self::reload),
    /// [`refresh`](Self::refresh) and [`sync_if_due`](Self::sync_if_due) (so also
    /// [`AutoSync`]'s) passes the source's [`SyncProgress`] events on to it, as the
    /// source reports them (see [`PhonebookSource::list_with_progress`]; a
    /// [`CardDavSource`](crate::carddav::CardDavSource) reports after each multiget
    /// batch). A refresh that turns into a reload (expired token) starts over at 0.
    ///
    /// Listeners run on the syncing thread while the sync runs, outside the locks that
    /// readers need: [`snapshot`](Self::snapshot), [`cached_record`](Self::cached_record)
    /// and lookups work from inside one. Syncs and writes of the same folder wait for
    /// the running sync, so a listener must not start them (it would wait for itself).
    /// A listener that panics is caught, not called again during that sync, and harms
    /// neither the sync nor the cache. Keep listeners short: the sync waits for them.
    ///
    /// Each sync takes the listeners there are when it starts: one added meanwhile
    /// first hears the next sync. The returned id removes the listener again
    /// ([`remove_listener`](Self::remove_listener)), also from inside a listener.
    pub fn on_progress(
        &self,
        listener: impl Fn(SyncProgress) + Send + Sync + 'static,
    ) -> ListenerId {
        register(&self.progress_listeners, Registered::new(listener))
    }

    /// Removes a listener added by [`on_change`](Self::on_change) or
    /// [`on_progress`](Self::on_progress) (one method for both: the id says which).
    /// Returns whether it was a listener of this folder; `false` for one already
    /// removed or one of another folder.
    ///
    /// Once this returns, the listener is not called again on this thread, nor by a
    /// notification or sync that starts later; it is dropped once no notification
    /// under way holds it. A notification running on another thread at that moment
    /// may still be calling it, or call it once more: a listener that must never act
    /// after its removal checks a flag of its own under a lock, as the one of
    /// [`Phonebook`](crate::Phonebook) does. A listener may remove itself or another
    /// listener of its folder while it runs (a later listener of the same
    /// notification, or a progress listener's own later events of the sync, are then
    /// skipped).
    pub fn remove_listener(&self, id: ListenerId) -> bool {
        unregister(&self.listeners, id) || unregister(&self.progress_listeners, id)
    }

    /// The progress callback of one sync: the listeners as they are now (so that the
    /// list's lock is not held while they run), each behind `catch_unwind`.
    fn progress(&self) -> impl Fn(SyncProgress) + Sync + use<> {
        let listeners: Vec<(ProgressListener, AtomicBool)> =
            listeners_now(&self.progress_listeners)
                .into_iter()
                .map(|l| (l, AtomicBool::new(false)))
                .collect();
        move |p| {
            for (l, failed) in &listeners {
                if l.is_live()
                    && !failed.load(Ordering::Relaxed)
                    && catch_unwind(AssertUnwindSafe(|| (l.call)(p))).is_err()
                {
                    failed.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    /// The cached record `id` with its card, without the network.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the cache has no such record; [`Error::Cache`].
    pub fn cached_record(&self, id: &RecordId) -> Result<Record> {
        let snap = self.snapshot();
        let row = snap.get(id).ok_or_else(|| Error::not_found(id))?;
        let card = lock(&self.store).card(id);
        let bytes = card
            .inspect_err(|e| self.note_damage(e))?
            .ok_or_else(|| Error::not_found(id))?;
        let card = VCard::parse(&bytes)?;
        Ok(Record {
            id: id.clone(),
            version: row.version.clone(),
            card,
            row: row.row.clone(),
        })
    }

    /// The automatic sync interval.
    pub fn sync_interval(&self) -> Duration {
        *lock(&self.interval)
    }

    /// Sets and persists the automatic sync interval; the next sync moves accordingly.
    ///
    /// # Errors
    /// [`Error::Config`] for an interval shorter than [`MIN_SYNC_INTERVAL`] or longer
    /// than [`MAX_SYNC_INTERVAL`]; [`Error::Cache`].
    pub fn set_sync_interval(&self, interval: Duration) -> Result<()> {
        if !(MIN_SYNC_INTERVAL..=MAX_SYNC_INTERVAL).contains(&interval) {
            return Err(Error::Config(format!(
                "the sync interval must be between {} minute and {} days",
                MIN_SYNC_INTERVAL.as_secs() / 60,
                MAX_SYNC_INTERVAL.as_secs() / 86_400
            )));
        }
        let _g = lock(&self.sync_lock);
        let snap = self.snapshot();
        let next = snap.last_sync.and_then(|t| add(t, interval));
        lock(&self.store).apply(&Batch {
            meta: vec![(META_NEXT_SYNC.into(), next.map(|t| t.to_rfc3339()))],
            ..Batch::default()
        })?;
        self.settings.update(|m| {
            m.insert(META_INTERVAL.into(), interval.as_secs().to_string());
        })?;
        *lock(&self.interval) = interval;
        let mut s = (*snap).clone();
        s.next_sync = next;
        self.swap(s);
        Ok(())
    }

    /// A setting stored with the folder (e.g. the server URL of the application).
    ///
    /// # Errors
    /// [`Error::Cache`] when the settings file cannot be read.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        let map = self.settings.load()?.unwrap_or_default();
        Ok(map.get(&format!("{SETTING_PREFIX}{key}")).cloned())
    }

    /// Stores a setting with the folder, in its settings file (written whole and
    /// atomically, so it survives damage to the records). Never store passwords
    /// here: a URL with a password in it is refused.
    ///
    /// # Errors
    /// [`Error::Config`] for a URL with a password; [`Error::Cache`] when the
    /// settings file cannot be written (it is then unchanged).
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        check_setting(value)?;
        self.settings.update(|m| {
            m.insert(format!("{SETTING_PREFIX}{key}"), value.to_owned());
        })?;
        Ok(())
    }

    /// The folder's data mask: the stored [`FormLayout`] fitted to the current
    /// schema, or the schema's default layout when none is stored (or the stored
    /// one cannot be read).
    ///
    /// # Errors
    /// [`Error::Cache`] when the settings file cannot be read.
    pub fn form(&self) -> Result<FormLayout> {
        let schema = self.source().schema();
        let map = self.settings.load()?.unwrap_or_default();
        Ok(match map.get(META_FORM).map(|f| FormLayout::from_spec(f)) {
            Some(Ok(form)) => form.fitted(&schema),
            _ => FormLayout::default_for(&schema),
        })
    }

    /// Checks `form` against the folder's schema ([`FormLayout::check`]) and stores
    /// it, fitted to the schema, in the folder's settings file.
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown or repeated column or group, or a title
    /// without columns; [`Error::Cache`] when the settings file cannot be written.
    /// On error the stored form is unchanged.
    pub fn set_form(&self, form: &FormLayout) -> Result<()> {
        let schema = self.source().schema();
        form.check(&schema)?;
        let spec = form.fitted(&schema).to_spec();
        self.settings.update(|m| {
            m.insert(META_FORM.into(), spec);
        })?;
        Ok(())
    }

    /// Changes the folder's schema (column counts and kinds): applied to the source,
    /// persisted, and every cached row re-mapped from its stored card in one step.
    ///
    /// # Errors
    /// [`Error::Config`] for a schema over the column limits
    /// ([`Schema::validate`]); [`Error::Cache`]; a stored card that no longer parses
    /// is an [`Error::VCard`].
    pub fn set_schema(&self, schema: Schema) -> Result<()> {
        schema.validate()?;
        let _g = lock(&self.sync_lock);
        let snap = self.snapshot();
        let mut batch = Batch::default();
        let mut next = (*snap).clone();
        {
            let store = lock(&self.store);
            for (id, cached) in snap.rows() {
                let Some(bytes) = store.card(id)? else {
                    continue;
                };
                let card = VCard::parse(&bytes)?;
                let row = schema.to_row(&card);
                next.rows.insert(
                    id.clone(),
                    Arc::new(CachedRow {
                        version: cached.version.clone(),
                        row: row.clone(),
                    }),
                );
                batch
                    .upserts
                    .push((id.clone(), cached.version.clone(), row, bytes));
            }
        }
        lock(&self.store).apply(&batch)?;
        let spec = schema.to_spec();
        self.settings.update(|m| {
            m.insert(META_SCHEMA.into(), spec);
            // A stored form follows: removed columns leave it, new ones join their group.
            if let Some(Ok(form)) = m.get(META_FORM).map(|f| FormLayout::from_spec(f)) {
                m.insert(META_FORM.into(), form.fitted(&schema).to_spec());
            }
        })?;
        self.source().set_schema(schema);
        let changed: Vec<RecordId> = next.rows.keys().cloned().collect();
        self.swap(next);
        self.notify(changed, Vec::new(), true);
        Ok(())
    }

    fn swap(&self, next: Snapshot) -> Arc<Snapshot> {
        let next = Arc::new(next);
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = next.clone();
        next
    }

    fn notify(&self, changed: Vec<RecordId>, removed: Vec<RecordId>, reloaded: bool) {
        if changed.is_empty() && removed.is_empty() && !reloaded {
            return;
        }
        let change = FolderChange {
            folder: self.name.clone(),
            changed,
            removed,
            reloaded,
            snapshot: self.snapshot(),
        };
        // Not under the list's lock: a listener may add or remove listeners. One that
        // panics harms neither the change, which is stored, nor the other listeners.
        for l in listeners_now(&self.listeners) {
            if l.is_live() {
                let _ = catch_unwind(AssertUnwindSafe(|| (l.call)(&change)));
            }
        }
    }

    fn sync_meta(
        &self,
        token: Option<&SyncToken>,
        now: DateTime<Utc>,
    ) -> Vec<(String, Option<String>)> {
        vec![
            (META_TOKEN.into(), token.map(|t| t.as_str().to_owned())),
            (META_LAST_SYNC.into(), Some(now.to_rfc3339())),
            (
                META_NEXT_SYNC.into(),
                self.next_sync_after(now).map(|t| t.to_rfc3339()),
            ),
        ]
    }

    /// When the automatic sync is due after a sync at `now`; `None` past the end of
    /// time.
    fn next_sync_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        add(now, self.sync_interval())
    }

    /// Writes a full reload. A store that reported damage, fails the quick integrity
    /// check or reports damage while the reload is written is replaced by a new file
    /// holding the reload; either way the damage is then gone, and so is the note
    /// that the records must be rebuilt.
    fn write_reload(&self, batch: &Batch) -> Result<()> {
        let mut store = lock(&self.store);
        let damaged = store.is_damaged() || store.quick_check().is_some();
        if damaged {
            store.rebuild(batch)?;
        } else if let Err(e) = store.apply(batch) {
            if !store.is_damaged() {
                return Err(e);
            }
            store.rebuild(batch)?;
        }
        drop(store);
        // The reload is stored: a note that cannot be cleared now only costs one more
        // reload after the next open, so it fails nothing.
        if self.needs_rebuild() {
            let _ = self.settings.update(|m| {
                m.remove(settings::REBUILD);
            });
        }
        *lock(&self.warning) = None;
        Ok(())
    }

    /// Applies changed and removed records (already fetched) atomically.
    fn apply(
        &self,
        mode: SyncMode,
        records: Vec<Record>,
        removed: &[RecordId],
        clear: bool,
        token: Option<&SyncToken>,
        meta: bool,
    ) -> Result<SyncReport> {
        let now = self.clock.now();
        let snap = self.snapshot();
        let mut report = SyncReport {
            mode,
            ..SyncReport::default()
        };
        let mut next = if clear {
            Snapshot::default()
        } else {
            (*snap).clone()
        };
        let mut batch = Batch {
            clear,
            ..Batch::default()
        };
        let mut changed_ids = Vec::new();
        // A reload builds the new rows in one go rather than by single inserts.
        let mut fresh = Vec::new();
        let mut seen = HashSet::new();
        for r in records {
            if !seen.insert(r.id.clone()) {
                continue;
            }
            match snap.get(&r.id) {
                None => report.added += 1,
                Some(old) if old.version != r.version => report.changed += 1,
                Some(old) if clear || old.row != r.row => {}
                // Same version, same row: nothing to write (and `next` has it).
                Some(_) => continue,
            }
            if snap.get(&r.id).is_none_or(|old| old.version != r.version) {
                changed_ids.push(r.id.clone());
            }
            let cached = Arc::new(CachedRow {
                version: r.version.clone(),
                row: r.row.clone(),
            });
            if clear {
                fresh.push((r.id.clone(), cached));
            } else {
                next.rows.insert(r.id.clone(), cached);
            }
            batch
                .upserts
                .push((r.id, r.version, r.row, r.card.to_bytes()));
        }
        let mut removed_ids = Vec::new();
        if clear {
            next.rows = RowMap::from_entries(fresh);
            removed_ids.extend(
                snap.rows
                    .keys()
                    .filter(|id| !next.rows.contains_key(id))
                    .cloned(),
            );
        } else {
            for id in removed {
                if next.rows.remove(id) {
                    batch.deletes.push(id.clone());
                    removed_ids.push(id.clone());
                }
            }
        }
        report.removed = removed_ids.len();
        if meta {
            batch.meta = self.sync_meta(token, now);
            next.token = token.cloned();
            next.last_sync = Some(now);
            next.next_sync = self.next_sync_after(now);
        }
        if clear {
            self.write_reload(&batch)?;
        } else {
            let done = lock(&self.store).apply(&batch);
            done.inspect_err(|e| self.note_damage(e))?;
        }
        self.swap(next);
        self.notify(changed_ids, removed_ids, clear);
        Ok(report)
    }

    /// Stores records the source just returned (one-record paths: writes, conflicts,
    /// refresh of one record); the sync token and times stay as they are.
    fn keep(&self, records: Vec<Record>) -> Result<SyncReport> {
        self.apply(SyncMode::Record, records, &[], false, None, false)
    }

    /// Removes records the source no longer has (one-record paths).
    fn forget(&self, ids: &[RecordId]) -> Result<SyncReport> {
        self.apply(SyncMode::Record, Vec::new(), ids, false, None, false)
    }

    /// Fetches what changed and applies it: never more than that, however often it is
    /// called (what a program's own timers and reconnect retries should call). The
    /// user's "refresh" command is [`refresh_requested`](Self::refresh_requested).
    ///
    /// # Errors
    /// Source errors ([`Error::Network`], [`Error::Unauthorized`], ...); the cache is
    /// then unchanged. An expired token is not an error: the folder is reloaded.
    pub fn refresh(&self) -> Result<SyncReport> {
        self.refresh_changes()
    }

    /// A refresh the user asked for (F5, a "refresh" button): as
    /// [`refresh`](Self::refresh), but asked again within the escalation window (5 s
    /// by default) of the last one that completed, it reloads everything instead
    /// ([`SyncMode::Escalated`]): pressing F5 twice is how a user says "the changes
    /// are not enough". A refresh that failed opens no window.
    ///
    /// # Errors
    /// As [`refresh`](Self::refresh).
    pub fn refresh_requested(&self) -> Result<SyncReport> {
        let now = self.clock.now();
        let window = TimeDelta::from_std(self.escalation_window).unwrap_or(TimeDelta::MAX);
        let escalate = lock(&self.last_requested)
            .is_some_and(|t| now - t >= TimeDelta::zero() && now - t < window);
        let report = if escalate {
            self.reload_as(SyncMode::Escalated)
        } else {
            self.refresh_changes()
        }?;
        *lock(&self.last_requested) = Some(self.clock.now());
        Ok(report)
    }

    /// Incremental refresh without the escalation rule (what the automatic sync does).
    fn refresh_changes(&self) -> Result<SyncReport> {
        if self.needs_rebuild() {
            return self.reload_as(SyncMode::Reload);
        }
        let _g = lock(&self.sync_lock);
        let snap = self.snapshot();
        let Some(token) = snap.token.clone() else {
            drop(_g);
            return self.reload_as(SyncMode::Reload);
        };
        // Sources with a change log ignore the known versions; building them for
        // 100,000 records would cost more than the rest of the sync.
        let known = if self.source().info().incremental {
            KnownVersions::new()
        } else {
            snap.known()
        };
        match self
            .source()
            .changes_since_with_progress(&token, &known, &self.progress())
        {
            Ok(Changes {
                changed,
                removed,
                token,
                warnings,
                requests,
            }) => {
                let applied = self.apply(
                    SyncMode::Incremental,
                    changed,
                    &removed,
                    false,
                    token.as_ref(),
                    true,
                );
                if applied.is_err() && lock(&self.store).is_damaged() {
                    // The changes cannot be written into a damaged file: rebuild it.
                    drop(_g);
                    return self.reload_as(SyncMode::Reload);
                }
                let mut report = applied?;
                report.skipped = warnings.len();
                report.warnings = warnings;
                report.requests = requests;
                Ok(report)
            }
            Err(Error::TokenExpired) => {
                drop(_g);
                let mut r = self.reload_as(SyncMode::TokenExpired)?;
                r.requests += 1;
                Ok(r)
            }
            Err(e) => Err(e),
        }
    }

    /// Reads the whole folder anew and replaces the cache with it.
    ///
    /// # Errors
    /// Source errors; the cache is then unchanged.
    pub fn reload(&self) -> Result<SyncReport> {
        self.reload_as(SyncMode::Reload)
    }

    fn reload_as(&self, mode: SyncMode) -> Result<SyncReport> {
        let _g = lock(&self.sync_lock);
        let Listing {
            records,
            token,
            warnings,
            requests,
        } = self.source().list_with_progress(&self.progress())?;
        let mut records = records;
        // A record the source listed but could not deliver (too large, unreadable,
        // changed under us) still exists there: keep the cached copy rather than lose
        // it on a reload. The next sync tries it again.
        let delivered: HashSet<RecordId> = records.iter().map(|r| r.id.clone()).collect();
        for w in &warnings {
            if !delivered.contains(&w.id)
                && let Ok(kept) = self.cached_record(&w.id)
            {
                records.push(kept);
            }
        }
        let mut report = self.apply(mode, records, &[], true, token.as_ref(), true)?;
        report.skipped = warnings.len();
        report.warnings = warnings;
        report.requests = requests;
        Ok(report)
    }

    /// Re-reads one record from the source (also what opening a record should do).
    /// A record the source no longer has is removed from the cache.
    ///
    /// # Errors
    /// Source errors other than [`Error::NotFound`]; the cache is then unchanged.
    pub fn refresh_record(&self, id: &RecordId) -> Result<SyncReport> {
        let _g = lock(&self.sync_lock);
        match self.source().get(id) {
            Ok(r) => {
                let mut rep = self.keep(vec![r])?;
                rep.requests = 1;
                Ok(rep)
            }
            Err(Error::NotFound { .. }) => {
                let mut rep = self.forget(std::slice::from_ref(id))?;
                rep.requests = 1;
                Ok(rep)
            }
            Err(e) => Err(e),
        }
    }

    /// Whether the automatic sync is due at `now` (never synced counts as due).
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.snapshot().next_sync.is_none_or(|t| t <= now)
    }

    /// Refreshes the folder if the automatic sync is due. Returns the report, or
    /// `None` when it was not due.
    ///
    /// # Errors
    /// As [`CachedFolder::refresh`].
    pub fn sync_if_due(&self) -> Result<Option<SyncReport>> {
        if !self.is_due(self.clock.now()) {
            return Ok(None);
        }
        self.refresh_changes().map(Some)
    }

    /// Creates a record at the source and caches it.
    ///
    /// # Errors
    /// Source errors; nothing is cached then.
    pub fn create(&self, row: &Row) -> Result<Record> {
        let _g = lock(&self.sync_lock);
        let rec = self.source().create(row)?;
        self.keep(vec![rec.clone()])?;
        Ok(rec)
    }

    /// Updates a record at the source (merging `row` into `base`'s card) and caches the
    /// result. On a conflict the cache takes the server's version, and the error
    /// carries it.
    ///
    /// # Errors
    /// [`Error::Conflict`] with `current` filled when it could be fetched; other
    /// source errors.
    pub fn update(&self, base: &Record, row: &Row) -> Result<Record> {
        let _g = lock(&self.sync_lock);
        match self.source().update(base, row) {
            Ok(rec) => {
                self.keep(vec![rec.clone()])?;
                Ok(rec)
            }
            Err(e) => Err(self.absorb_conflict(e)),
        }
    }

    /// Deletes a record at the source and from the cache.
    ///
    /// # Errors
    /// As [`CachedFolder::update`]; [`Error::NotFound`] also removes the record from
    /// the cache.
    pub fn delete(&self, id: &RecordId, based_on: &Version) -> Result<()> {
        let _g = lock(&self.sync_lock);
        match self.source().delete(id, based_on) {
            Ok(()) => self.forget(std::slice::from_ref(id)).map(drop),
            Err(e @ Error::NotFound { .. }) => {
                self.forget(std::slice::from_ref(id))?;
                Err(e)
            }
            Err(e) => Err(self.absorb_conflict(e)),
        }
    }

    /// On a conflict, stores the server's current record and makes sure the error
    /// carries it.
    fn absorb_conflict(&self, e: Error) -> Error {
        let Error::Conflict {
            id,
            based_on,
            current,
        } = e
        else {
            return e;
        };
        let rid = id.clone();
        let current = current.map(|c| *c).or_else(|| self.source().get(&rid).ok());
        match &current {
            Some(c) => {
                let _ = self.keep(vec![c.clone()]);
            }
            None => {
                let _ = self.forget(&[rid]);
            }
        }
        Error::Conflict {
            id,
            based_on,
            current: current.map(Box::new),
        }
    }
}

/// A cached folder is itself a source: listings and reads come from the cache (no
/// network), writes go through; `changes_since` asks the source.
impl PhonebookSource for CachedFolder {
    fn info(&self) -> SourceInfo {
        self.source().info()
    }

    fn schema(&self) -> Schema {
        self.source().schema()
    }

    fn set_schema(&self, schema: Schema) {
        // The trait cannot report errors here. A schema over the limits is ignored;
        // a failing store keeps the old rows, which are re-mapped on the next reload.
        if schema.validate().is_ok() && self.set_schema(schema.clone()).is_err() {
            self.source().set_schema(schema);
        }
    }

    fn list(&self) -> Result<Listing> {
        let snap = self.snapshot();
        let mut records = Vec::with_capacity(snap.len());
        let mut warnings = Vec::new();
        for (id, _) in snap.rows() {
            match self.cached_record(id) {
                Ok(r) => records.push(r),
                Err(e) => warnings.push(RecordWarning {
                    id: id.clone(),
                    message: e.to_string(),
                }),
            }
        }
        Ok(Listing {
            records,
            token: snap.token.clone(),
            warnings,
            requests: 0,
        })
    }

    fn changes_since(&self, token: &SyncToken, known: &KnownVersions) -> Result<Changes> {
        self.source().changes_since(token, known)
    }

    fn changes_since_with_progress(
        &self,
        token: &SyncToken,
        known: &KnownVersions,
        progress: ProgressFn<'_>,
    ) -> Result<Changes> {
        self.source()
            .changes_since_with_progress(token, known, progress)
    }

    fn get(&self, id: &RecordId) -> Result<Record> {
        self.cached_record(id)
    }

    fn create(&self, row: &Row) -> Result<Record> {
        CachedFolder::create(self, row)
    }

    fn update(&self, base: &Record, row: &Row) -> Result<Record> {
        CachedFolder::update(self, base, row)
    }

    fn delete(&self, id: &RecordId, based_on: &Version) -> Result<()> {
        CachedFolder::delete(self, id, based_on)
    }
}
