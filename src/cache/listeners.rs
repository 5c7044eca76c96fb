//! Who hears about a folder: its change and progress listeners, how they are added
//! and removed, and how they are called.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

#[cfg(doc)]
use super::AutoSync;
use super::{CachedFolder, FolderChange};
#[cfg(doc)]
use crate::source::PhonebookSource;
use crate::source::{RecordId, SyncProgress};

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
pub(super) struct Registered<F: ?Sized> {
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

/// A change listener ([`CachedFolder::on_change`]).
pub(super) type Listener = Arc<Registered<dyn Fn(&FolderChange) + Send + Sync>>;
/// A progress listener ([`CachedFolder::on_progress`]).
pub(super) type ProgressListener = Arc<Registered<dyn Fn(SyncProgress) + Send + Sync>>;

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

impl CachedFolder {
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
    pub(super) fn progress(&self) -> impl Fn(SyncProgress) + Sync + use<> {
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

    /// Tells the change listeners what changed (nothing when nothing did).
    pub(super) fn notify(&self, changed: Vec<RecordId>, removed: Vec<RecordId>, reloaded: bool) {
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
}
