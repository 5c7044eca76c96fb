//! The values a cached folder hands out: its rows, snapshots, sync reports and
//! change notices.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::rows::RowMap;
pub(crate) use super::rows::{Chunk as RowChunk, Entry as RowEntry};
use crate::schema::Row;
use crate::source::{KnownVersions, RecordId, RecordWarning, SyncToken, Version};

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

impl CachedRow {
    /// The row as the cache keeps it: without spare room, since it is kept for long.
    pub(super) fn kept(version: Version, mut row: Row) -> CachedRow {
        row.shrink_to_fit();
        CachedRow { version, row }
    }
}

/// An immutable view of a folder at one moment: what readers use.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    // Rows behind `Arc`: a sync builds the next snapshot from this one without copying
    // any row.
    pub(super) rows: RowMap,
    pub(super) token: Option<SyncToken>,
    pub(super) last_sync: Option<DateTime<Utc>>,
    pub(super) next_sync: Option<DateTime<Utc>>,
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
    /// One row, shared: for a reader that keeps it beyond the snapshot.
    pub(crate) fn get_shared(&self, id: &RecordId) -> Option<&Arc<CachedRow>> {
        self.rows.get(id)
    }
    /// The rows in id order as shared chunks: for a reader that keeps them by
    /// position (the search index).
    pub(crate) fn chunks(&self) -> &[RowChunk] {
        self.rows.chunks()
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
    /// The version of every record, for a source that finds changes by comparing.
    pub(super) fn known(&self) -> KnownVersions {
        self.rows
            .iter()
            .map(|(id, r)| (id.clone(), r.version.clone()))
            .collect()
    }
}

/// What changed in a folder, told to [`CachedFolder::on_change`] listeners.
///
/// [`CachedFolder::on_change`]: super::CachedFolder::on_change
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
