//! The sync engine: incremental refresh, the user's refresh that escalates to a
//! reload, the full reload, one record re-read, and the automatic sync's schedule.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::apply::Fetched;
use super::{CachedFolder, SyncMode, SyncReport, lock};
use crate::error::{Error, Result};
use crate::source::{Changes, KnownVersions, RecordId};

impl CachedFolder {
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
                let fetched = Fetched::Changes {
                    removed: &removed,
                    token: token.as_ref(),
                };
                let applied = self.apply(SyncMode::Incremental, changed, fetched);
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

    /// Reads the whole folder anew and replaces the cache with it, writing the
    /// records as they arrive.
    ///
    /// # Errors
    /// Source errors; the cache is then unchanged.
    pub fn reload(&self) -> Result<SyncReport> {
        self.reload_as(SyncMode::Reload)
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

    /// When the automatic sync is due after a sync at `now`; `None` past the end of
    /// time.
    pub(super) fn next_sync_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        add(now, self.sync_interval())
    }
}

/// `t + d`; `None` past the end of time.
pub(super) fn add(t: DateTime<Utc>, d: Duration) -> Option<DateTime<Utc>> {
    t.checked_add_signed(TimeDelta::from_std(d).ok()?)
}
