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
//! * **Atomic.** A sync is applied in one store transaction and then swapped in as a
//!   new [`Snapshot`]. A failure anywhere leaves the cache as it was; readers never see
//!   half a sync and never wait for the network. A full reload is written as the
//!   records arrive, in one transaction on a connection of its own, so that it never
//!   holds all the cards in memory; until it commits, readers see the old records.
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

mod apply;
mod auto;
mod clock;
mod config;
mod files;
mod folder;
mod listeners;
mod offline;
mod reload;
mod rows;
mod settings;
mod source_impl;
mod store;
mod sync;
mod types;
mod write;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

#[cfg(doc)]
use crate::{error::Error, source::PhonebookSource};

pub use auto::AutoSync;
pub use clock::{Clock, ManualClock, SystemClock};
pub use files::{MAX_MOVED_ASIDE, cached_folders, folder_exists, folder_path, remove_folder};
pub use folder::CachedFolder;
pub use listeners::ListenerId;
pub use offline::OfflineSource;
pub use store::LOCK_WAIT;
pub use types::{CachedRow, FolderChange, Snapshot, SyncMode, SyncReport};
pub(crate) use types::{RowChunk, RowEntry};

/// Default interval of the automatic sync.
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(7 * 86_400);
/// Shortest automatic sync interval: a minute.
pub const MIN_SYNC_INTERVAL: Duration = Duration::from_secs(60);
/// Longest automatic sync interval: ten years (3,650 days).
pub const MAX_SYNC_INTERVAL: Duration = Duration::from_secs(3650 * 86_400);
/// Default window in which a second refresh the user asks for
/// ([`CachedFolder::refresh_requested`]) escalates to a reload.
pub const DEFAULT_ESCALATION_WINDOW: Duration = Duration::from_secs(5);

/// Keys of what the database keeps beside the records.
const META_TOKEN: &str = "sync_token";
const META_LAST_SYNC: &str = "last_sync";
const META_NEXT_SYNC: &str = "next_sync";
/// Keys of the settings file.
const META_INTERVAL: &str = "sync_interval_secs";
const META_SCHEMA: &str = "schema";
const META_FORM: &str = "form";
const SETTING_PREFIX: &str = "setting.";

/// Locks `m`; a lock that a panicking thread left poisoned is taken all the same.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
