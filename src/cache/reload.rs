//! The full reload, written as it streams in: the source hands records to a
//! [`RecordSink`] that puts each into one store transaction and keeps only its row
//! for the next snapshot, so that a reload of 100,000 cards never holds the cards.
//! Committed at the end and then swapped in, it is as atomic as any other sync: a
//! failure leaves the cache as it was.

use std::collections::HashSet;
use std::sync::Arc;

use super::rows::RowMap;
use super::settings;
use super::store::ReloadWriter;
use super::{
    CachedFolder, CachedRow, META_LAST_SYNC, META_NEXT_SYNC, META_TOKEN, Snapshot, SyncMode,
    SyncReport, lock,
};
use crate::error::{Error, Result};
use crate::source::{Listing, Record, RecordId, RecordSink};

/// Why a reload failed, and whether the store's file turned out damaged on the way
/// (then a reload into a new file may succeed).
struct Failed {
    error: Error,
    damaged: bool,
}

/// The records of a reload as they arrive: written to the store, their rows kept.
struct Incoming {
    writer: ReloadWriter,
    rows: Vec<(RecordId, Arc<CachedRow>)>,
}

impl RecordSink for Incoming {
    fn records(&mut self, records: Vec<Record>) -> Result<()> {
        for r in records {
            self.writer
                .put(&r.id, &r.version, &r.row, &r.card.to_bytes())?;
            let row = Arc::new(CachedRow::kept(r.version, r.row));
            self.rows.push((r.id, row));
        }
        Ok(())
    }

    fn removed(&mut self, ids: Vec<RecordId>) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        self.writer.delete(&ids)?;
        let gone: HashSet<RecordId> = ids.into_iter().collect();
        self.rows.retain(|(id, _)| !gone.contains(id));
        Ok(())
    }

    fn restart(&mut self) -> Result<()> {
        self.writer.clear()?;
        self.rows.clear();
        Ok(())
    }
}

impl CachedFolder {
    /// Reads the whole folder anew and replaces the cache with it, writing the
    /// records as they arrive. A store that reported damage or fails the quick
    /// integrity check is replaced by a new file; damage met while writing costs
    /// one more listing, into a new file.
    pub(super) fn reload_as(&self, mode: SyncMode) -> Result<SyncReport> {
        let _g = lock(&self.sync_lock);
        let fresh = {
            let store = lock(&self.store);
            store.is_damaged() || store.quick_check().is_some()
        };
        match self.reload_into(mode, fresh) {
            Ok(report) => Ok(report),
            Err(Failed { damaged: true, .. }) if !fresh => {
                self.reload_into(mode, true).map_err(|f| f.error)
            }
            Err(f) => Err(f.error),
        }
    }

    fn reload_into(&self, mode: SyncMode, fresh: bool) -> std::result::Result<SyncReport, Failed> {
        let before = self.snapshot();
        let store = lock(&self.store);
        let writer = store.begin_reload(fresh).map_err(|error| Failed {
            error,
            damaged: store.is_damaged(),
        })?;
        drop(store);
        let mut incoming = Incoming {
            writer,
            rows: Vec::new(),
        };
        let listed = self
            .source()
            .list_into(&self.progress(), &mut incoming)
            .and_then(|listing| self.keep_undelivered(listing, &mut incoming));
        let listing = listed.map_err(|error| Failed {
            error,
            damaged: incoming.writer.is_damaged(),
        })?;
        let now = self.clock.now();
        let next_sync = self.next_sync_after(now);
        let meta = [
            (
                META_TOKEN.to_owned(),
                listing.token.as_ref().map(|t| t.as_str().to_owned()),
            ),
            (META_LAST_SYNC.to_owned(), Some(now.to_rfc3339())),
            (META_NEXT_SYNC.to_owned(), next_sync.map(|t| t.to_rfc3339())),
        ];
        let Incoming { mut writer, rows } = incoming;
        writer.set_meta(&meta).map_err(|error| Failed {
            error,
            damaged: writer.is_damaged(),
        })?;
        let mut store = lock(&self.store);
        store.finish_reload(writer).map_err(|error| Failed {
            error,
            damaged: store.is_damaged(),
        })?;
        drop(store);
        // The reload is stored: a note that cannot be cleared now only costs one more
        // reload after the next open, so it fails nothing.
        if self.needs_rebuild() {
            let _ = self.settings.update(|m| {
                m.remove(settings::REBUILD);
            });
        }
        *lock(&self.warning) = None;
        let next = Snapshot {
            rows: RowMap::from_entries(rows),
            token: listing.token,
            last_sync: Some(now),
            next_sync,
        };
        let removed: Vec<RecordId> = before
            .rows
            .keys()
            .filter(|id| !next.rows.contains_key(id))
            .cloned()
            .collect();
        // New records, and records of a new version.
        let (mut added, mut updated) = (0, 0);
        let mut changed = Vec::new();
        for (id, row) in next.rows.iter() {
            match before.get(id) {
                None => added += 1,
                Some(old) if old.version != row.version => updated += 1,
                Some(_) => continue,
            }
            changed.push(id.clone());
        }
        self.swap(next);
        self.notify(changed, removed.clone(), true);
        Ok(SyncReport {
            mode,
            added,
            changed: updated,
            removed: removed.len(),
            skipped: listing.warnings.len(),
            warnings: listing.warnings,
            requests: listing.requests,
        })
    }

    /// A record the source listed but could not deliver (too large, unreadable,
    /// changed under us) still exists there: the cached copy is kept rather than
    /// lost on a reload. The next sync tries it again.
    fn keep_undelivered(&self, listing: Listing, incoming: &mut Incoming) -> Result<Listing> {
        if listing.warnings.is_empty() {
            return Ok(listing);
        }
        let delivered: HashSet<&RecordId> = incoming.rows.iter().map(|(id, _)| id).collect();
        let kept: Vec<Record> = listing
            .warnings
            .iter()
            .filter(|w| !delivered.contains(&w.id))
            .filter_map(|w| self.cached_record(&w.id).ok())
            .collect();
        incoming.records(kept)?;
        Ok(listing)
    }
}
