//! Applying changes fetched from the source to a folder: one store transaction,
//! then the new snapshot swapped in and the listeners told. A failure leaves the
//! cache as it was.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::store::Batch;
use super::{
    CachedFolder, CachedRow, META_LAST_SYNC, META_NEXT_SYNC, META_TOKEN, Snapshot, SyncMode,
    SyncReport, lock,
};
use crate::error::Result;
use crate::source::{Record, RecordId, SyncToken};

/// What the records given to [`CachedFolder::apply`] stand for, which says what
/// else it changes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Fetched<'a> {
    /// Single records written or re-read; `removed` are records the source no longer
    /// has. The sync token and times stay as they are.
    Records { removed: &'a [RecordId] },
    /// What changed since the last sync, and the records `removed` since. The sync's
    /// token and time are stored.
    Changes {
        removed: &'a [RecordId],
        token: Option<&'a SyncToken>,
    },
}

/// A change being prepared: the next snapshot and the store's writes, built from
/// the current snapshot before anything is written.
struct Staged {
    next: Snapshot,
    batch: Batch,
    /// Records new to the cache or of a new version.
    changed: Vec<RecordId>,
    /// Records taken out of the cache.
    removed: Vec<RecordId>,
}

impl Staged {
    /// A change starting from `snap`.
    fn new(snap: &Snapshot) -> Staged {
        Staged {
            next: snap.clone(),
            batch: Batch::default(),
            changed: Vec::new(),
            removed: Vec::new(),
        }
    }

    /// Stages `records` (the first of each id), counting in `report` those new to
    /// `snap` and those of a new version. A record the cache holds with the same
    /// version and row is not written again.
    fn records(&mut self, snap: &Snapshot, records: Vec<Record>, report: &mut SyncReport) {
        let mut seen = HashSet::new();
        for r in records {
            if !seen.insert(r.id.clone()) {
                continue;
            }
            let old = snap.get(&r.id);
            match old {
                None => report.added += 1,
                Some(old) if old.version != r.version => report.changed += 1,
                Some(old) if old.row != r.row => {}
                // Same version, same row: nothing to write (and `next` has it).
                Some(_) => continue,
            }
            if old.is_none_or(|old| old.version != r.version) {
                self.changed.push(r.id.clone());
            }
            let cached = Arc::new(CachedRow::kept(r.version.clone(), r.row.clone()));
            self.next.rows.insert(r.id.clone(), cached);
            self.batch
                .upserts
                .push((r.id, r.version, r.row, r.card.to_bytes()));
        }
    }

    /// Stages the removals of those of `removed` the cache holds.
    fn removals(&mut self, removed: &[RecordId]) {
        for id in removed {
            if self.next.rows.remove(id) {
                self.batch.deletes.push(id.clone());
                self.removed.push(id.clone());
            }
        }
    }
}

impl CachedFolder {
    /// Applies records already fetched from the source, and what `fetched` says
    /// besides, atomically: written in one transaction, then swapped in as the new
    /// snapshot and told to the change listeners. (A full reload is written as it
    /// arrives instead, see [`super::reload`].)
    pub(super) fn apply(
        &self,
        mode: SyncMode,
        records: Vec<Record>,
        fetched: Fetched<'_>,
    ) -> Result<SyncReport> {
        let now = self.clock.now();
        let snap = self.snapshot();
        let mut report = SyncReport {
            mode,
            ..SyncReport::default()
        };
        let mut staged = Staged::new(&snap);
        staged.records(&snap, records, &mut report);
        let removed = match fetched {
            Fetched::Records { removed } | Fetched::Changes { removed, .. } => removed,
        };
        staged.removals(removed);
        report.removed = staged.removed.len();
        if let Fetched::Changes { token, .. } = fetched {
            self.stamp_sync(&mut staged, token, now);
        }
        // Not under the store's lock: noting damage takes it.
        let done = lock(&self.store).apply(&staged.batch);
        done.inspect_err(|e| self.note_damage(e))?;
        self.swap(staged.next);
        self.notify(staged.changed, staged.removed, false);
        Ok(report)
    }

    /// Stores records the source just returned (one-record paths: writes, conflicts,
    /// refresh of one record); the sync token and times stay as they are.
    pub(super) fn keep(&self, records: Vec<Record>) -> Result<SyncReport> {
        self.apply(SyncMode::Record, records, Fetched::Records { removed: &[] })
    }

    /// Removes records the source no longer has (one-record paths).
    pub(super) fn forget(&self, ids: &[RecordId]) -> Result<SyncReport> {
        self.apply(
            SyncMode::Record,
            Vec::new(),
            Fetched::Records { removed: ids },
        )
    }

    /// Stages a sync's token and time at `now`, and when the next one is due.
    fn stamp_sync(&self, staged: &mut Staged, token: Option<&SyncToken>, now: DateTime<Utc>) {
        let next_sync = self.next_sync_after(now);
        staged.batch.meta = vec![
            (META_TOKEN.into(), token.map(|t| t.as_str().to_owned())),
            (META_LAST_SYNC.into(), Some(now.to_rfc3339())),
            (META_NEXT_SYNC.into(), next_sync.map(|t| t.to_rfc3339())),
        ];
        staged.next.token = token.cloned();
        staged.next.last_sync = Some(now);
        staged.next.next_sync = next_sync;
    }
}
