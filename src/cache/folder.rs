//! A folder's life: the [`CachedFolder`] itself, opening and creating it from its
//! files, connecting it to a source, and reading its cached records.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::clock::{Clock, SystemClock};
use super::config::{check_setting, stored_interval, without_password};
use super::files::{self, DB_EXT};
use super::listeners::{Listener, ProgressListener};
use super::rows::RowMap;
use super::settings::{self, SettingsFile};
use super::store::{Damage, Store, StoredRow};
#[cfg(doc)]
use super::{AutoSync, LOCK_WAIT, MAX_MOVED_ASIDE, OfflineSource};
use super::{
    CachedRow, DEFAULT_ESCALATION_WINDOW, DEFAULT_SYNC_INTERVAL, META_INTERVAL, META_LAST_SYNC,
    META_NEXT_SYNC, META_SCHEMA, META_TOKEN, SETTING_PREFIX, Snapshot, folder_exists, lock,
};
use crate::error::{Error, Result};
use crate::schema::Schema;
use crate::source::{PhonebookSource, Record, RecordId, SyncToken};
use crate::vcard::VCard;

/// A folder's settings as its settings file holds them.
type Settings = BTreeMap<String, String>;

/// A cached phone book folder. See the [module docs](super).
pub struct CachedFolder {
    pub(super) name: String,
    /// Behind a lock of its own so that a live folder can be reconnected
    /// ([`CachedFolder::set_source`]); every operation takes a clone of the `Arc`.
    pub(super) source: RwLock<Arc<dyn PhonebookSource>>,
    pub(super) store: Mutex<Store>,
    pub(super) snapshot: RwLock<Arc<Snapshot>>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) escalation_window: Duration,
    pub(super) interval: Mutex<Duration>,
    /// When the last refresh the user asked for completed.
    pub(super) last_requested: Mutex<Option<DateTime<Utc>>>,
    pub(super) listeners: RwLock<Vec<Listener>>,
    pub(super) progress_listeners: RwLock<Vec<ProgressListener>>,
    /// Serialises syncs and writes of this folder.
    pub(super) sync_lock: Mutex<()>,
    pub(super) settings: SettingsFile,
    /// Why the records must be rebuilt (damage found), until a reload has done it;
    /// or what was wrong with the stored settings.
    pub(super) warning: Mutex<Option<String>>,
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
        let (mut store, loaded, damage) = Store::open(&files::file(dir, &stem, DB_EXT))?;
        let mut meta = loaded.meta;
        let values = match stored {
            Some(m) => m,
            None => first_settings(&settings, name, &*source, &meta, damage.as_ref())?,
        };
        // Settings kept in the database by older versions now live in the settings file.
        let in_db: Vec<String> = meta.keys().filter(|k| is_setting_key(k)).cloned().collect();
        store.erase_meta(&in_db)?;
        meta.retain(|k, _| !is_setting_key(k));
        let values = clean_settings(&settings, values, damage.as_ref())?;

        let mut warning = values.get(settings::REBUILD).map(|reason| {
            format!("{reason}; the records are reloaded from the source by the next sync")
        });
        if let Some(unusable) = apply_stored_schema(&settings, &values, &*source)? {
            warning.get_or_insert(unusable);
        }
        let interval = stored_interval(values.get(META_INTERVAL)).unwrap_or(DEFAULT_SYNC_INTERVAL);
        Ok(CachedFolder {
            name: name.to_owned(),
            source: RwLock::new(source),
            store: Mutex::new(store),
            snapshot: RwLock::new(Arc::new(snapshot_of(loaded.rows, &meta))),
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
    /// itself; or the stored schema could not be used; or a schema set through
    /// [`PhonebookSource::set_schema`] could not be applied or stored. `None` once a
    /// reload has rebuilt the records.
    pub fn open_warning(&self) -> Option<String> {
        lock(&self.warning).clone()
    }

    /// Whether the records must be rebuilt from the source (damage was found).
    pub(super) fn needs_rebuild(&self) -> bool {
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
    pub(super) fn note_damage(&self, e: &Error) {
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

    /// Puts `next` in place as the folder's snapshot.
    pub(super) fn swap(&self, next: Snapshot) -> Arc<Snapshot> {
        let next = Arc::new(next);
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = next.clone();
        next
    }
}

/// The settings file of the folder with stem `stem`.
fn settings_file(dir: &Path, stem: &str) -> SettingsFile {
    SettingsFile::new(
        files::file(dir, stem, files::SETTINGS_EXT),
        files::file(dir, stem, "lock"),
    )
}

/// Whether a settings-file key belongs there rather than with the records (keys
/// that older caches kept in the database).
fn is_setting_key(key: &str) -> bool {
    key == META_SCHEMA || key == META_INTERVAL || key.starts_with(SETTING_PREFIX)
}

/// Creates the settings file of a folder that has none: the folder's name, what an
/// older version kept in the database (`meta`, or what could still be read from a
/// damaged one) and, unless that held one, the source's schema.
fn first_settings(
    settings: &SettingsFile,
    name: &str,
    source: &dyn PhonebookSource,
    meta: &HashMap<String, String>,
    damage: Option<&Damage>,
) -> Result<Settings> {
    let mut m: Settings = meta
        .iter()
        .chain(damage.iter().flat_map(|d| d.salvaged.iter()))
        .filter(|(k, _)| is_setting_key(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    m.insert(settings::NAME.to_owned(), name.to_owned());
    m.entry(META_SCHEMA.to_owned())
        .or_insert_with(|| source.schema().to_spec());
    settings.create_new(&m)?;
    Ok(settings.load()?.unwrap_or(m))
}

/// Takes passwords out of the stored settings (a password never stays stored, also
/// where an older version stored one) and notes damage found at open, so that the
/// next sync rebuilds the records; the settings as they are then.
fn clean_settings(
    settings: &SettingsFile,
    values: Settings,
    damage: Option<&Damage>,
) -> Result<Settings> {
    let scrubbed: Vec<(String, String)> = values
        .iter()
        .filter(|(k, _)| k.starts_with(SETTING_PREFIX))
        .filter_map(|(k, v)| without_password(v).map(|v| (k.clone(), v)))
        .collect();
    if scrubbed.is_empty() && damage.is_none() {
        return Ok(values);
    }
    settings.update(|m| {
        m.extend(scrubbed);
        if let Some(d) = damage {
            m.insert(
                settings::REBUILD.to_owned(),
                format!(
                    "the cache file was damaged ({}) and was moved to {}",
                    d.reason,
                    d.aside.display()
                ),
            );
        }
    })
}

/// Gives `source` the schema stored with the folder, or stores the source's when
/// none is. Returns a warning when the stored one cannot be used (the source keeps
/// its own then).
fn apply_stored_schema(
    settings: &SettingsFile,
    values: &Settings,
    source: &dyn PhonebookSource,
) -> Result<Option<String>> {
    match values.get(META_SCHEMA).map(|spec| Schema::from_spec(spec)) {
        Some(Ok(schema)) => source.set_schema(schema),
        Some(Err(e)) => {
            return Ok(Some(format!(
                "the stored schema is unusable ({e}); the source's is used until one is set"
            )));
        }
        None => {
            let spec = source.schema().to_spec();
            settings.update(|m| {
                m.insert(META_SCHEMA.to_owned(), spec);
            })?;
        }
    }
    Ok(None)
}

/// The snapshot of a folder just opened: its stored rows, token and sync times.
fn snapshot_of(rows: Vec<StoredRow>, meta: &HashMap<String, String>) -> Snapshot {
    let rows = rows
        .into_iter()
        .map(|r| (r.id, Arc::new(CachedRow::kept(r.version, r.row))))
        .collect();
    Snapshot {
        rows: RowMap::from_entries(rows),
        token: meta.get(META_TOKEN).map(|t| SyncToken::new(t.clone())),
        last_sync: parse_time(meta.get(META_LAST_SYNC)),
        next_sync: parse_time(meta.get(META_NEXT_SYNC)),
    }
}

/// A time stored as RFC 3339; `None` for none or one that does not parse.
fn parse_time(s: Option<&String>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}
