//! Change and sync-progress callbacks of a folder.

use std::ffi::{CString, c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};

use cti_phonebook::SyncProgress;
use cti_phonebook::cache::{CachedFolder, FolderChange, ListenerId};

use crate::book::{CtiPhonebook, book};
use crate::error::{Failure, FfiResult, guard};
use crate::strings::{c_string, put, text};

/// Called after folder `folder` changed: `changed` records were added or changed,
/// `removed` removed; `reloaded` is non-zero when the whole folder was read anew.
/// Runs on the thread that made the change (the one calling `cti_folder_refresh`,
/// `cti_folder_create`, ...), after the cache and the caller index hold it.
/// `folder` is borrowed for the call. It must not free the phone book or remove
/// listeners; lookups and row reads are fine.
pub type CtiChangeCallback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        folder: *const c_char,
        changed: usize,
        removed: usize,
        reloaded: i32,
    ),
>;

/// Called during a sync of folder `folder`: `fetched` of `total` contacts fetched
/// (`total` is -1 while not yet known). Runs on the syncing thread; it must not
/// start a sync or write of the same folder.
pub type CtiProgressCallback = Option<
    unsafe extern "C" fn(user_data: *mut c_void, folder: *const c_char, fetched: usize, total: i64),
>;

/// The host's `user_data`, handed back as it came. The host promises (see the
/// registration functions) that it may be used from the threads that call back.
#[derive(Clone, Copy)]
struct UserData(*mut c_void);

// SAFETY: the pointer is never dereferenced here, only passed back to the host's
// callback; the registration functions' contract makes its use from other threads
// the host's business.
unsafe impl Send for UserData {}
// SAFETY: as for Send.
unsafe impl Sync for UserData {}

impl UserData {
    fn get(self) -> *mut c_void {
        self.0
    }
}

static NEXT: AtomicU64 = AtomicU64::new(1);

/// What both registrations do around their own `subscribe`: find the folder, let
/// `subscribe` add the listener to it, remember the listener under a new id of ours
/// and write that id to `*listener` (NULL: not wanted).
///
/// # Safety
/// `book`, `folder` and `listener` as for `cti_folder_on_change`.
unsafe fn register(
    book: *const CtiPhonebook,
    folder: *const c_char,
    listener: *mut u64,
    subscribe: impl FnOnce(&CachedFolder, &str) -> ListenerId,
) -> FfiResult {
    // SAFETY: the caller's contract.
    let (b, name) = unsafe { (self::book(book)?, text(folder, "folder")?) };
    let id = subscribe(&*b.folder(name)?, name);
    let ours = NEXT.fetch_add(1, Ordering::Relaxed);
    b.listeners
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(ours, (name.to_owned(), id));
    if !listener.is_null() {
        // SAFETY: not NULL; writable by contract.
        unsafe { put(listener, ours, "listener")? };
    }
    Ok(())
}

/// Registers `callback` for the changes of folder `folder`, called with
/// `user_data`. The listener's id goes to `*listener` (NULL: not wanted), for
/// `cti_phonebook_remove_listener`; it is removed anyway by
/// `cti_phonebook_remove_folder` and `cti_phonebook_free`.
///
/// Ownership: `user_data` stays the caller's and must stay valid until the
/// listener is removed. Thread-safety: any thread; the callback may be called on
/// any thread that changes the folder, so `user_data` must be usable there.
/// Errors: `CTI_ERR_NOT_FOUND` for no such folder; `CTI_ERR_INVALID_ARGUMENT` for
/// a NULL callback.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; `folder` NULL or NUL-terminated;
/// `listener` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_on_change(
    book: *const CtiPhonebook,
    folder: *const c_char,
    callback: CtiChangeCallback,
    user_data: *mut c_void,
    listener: *mut u64,
) -> i32 {
    guard(|| {
        let callback = callback.ok_or_else(|| Failure::invalid("callback is NULL"))?;
        let data = UserData(user_data);
        let subscribe = |f: &CachedFolder, _: &str| {
            f.on_change(move |change: &FolderChange| {
                let folder = c_string(&change.folder);
                let _ = catch_unwind(AssertUnwindSafe(|| {
                    // SAFETY: the host registered a valid function for this data.
                    unsafe {
                        callback(
                            data.get(),
                            folder.as_ptr(),
                            change.changed.len(),
                            change.removed.len(),
                            i32::from(change.reloaded),
                        )
                    }
                }));
            })
        };
        // SAFETY: the caller's contract.
        unsafe { register(book, folder, listener, subscribe) }
    })
}

/// Registers `callback` for the sync progress of folder `folder` (once the
/// listing says how many contacts must be fetched, and after each batch). As
/// `cti_folder_on_change` otherwise.
///
/// Thread-safety: any thread; the callback runs on the syncing thread.
///
/// # Safety
/// As `cti_folder_on_change`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_on_progress(
    book: *const CtiPhonebook,
    folder: *const c_char,
    callback: CtiProgressCallback,
    user_data: *mut c_void,
    listener: *mut u64,
) -> i32 {
    guard(|| {
        let callback = callback.ok_or_else(|| Failure::invalid("callback is NULL"))?;
        let data = UserData(user_data);
        let subscribe = |f: &CachedFolder, name: &str| {
            let folder_name: CString = c_string(name);
            f.on_progress(move |p: SyncProgress| {
                let total = p.total.map_or(-1, |t| i64::try_from(t).unwrap_or(i64::MAX));
                let _ = catch_unwind(AssertUnwindSafe(|| {
                    // SAFETY: the host registered a valid function for this data.
                    unsafe { callback(data.get(), folder_name.as_ptr(), p.fetched, total) }
                }));
            })
        };
        // SAFETY: the caller's contract.
        unsafe { register(book, folder, listener, subscribe) }
    })
}

/// Removes a listener registered through `book`. When this returns, the callback
/// is not called any more (a call already under way on another thread may still
/// finish).
///
/// Thread-safety: any thread. Errors: `CTI_ERR_INVALID_ARGUMENT` for an unknown
/// id.
///
/// # Safety
/// `book` as for `cti_phonebook_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_phonebook_remove_listener(
    book: *const CtiPhonebook,
    listener: u64,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let b = unsafe { self::book(book)? };
        let (folder, id) = b
            .listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&listener)
            .ok_or_else(|| Failure::invalid(format!("no listener {listener}")))?;
        if let Some(f) = b.book.folder(&folder) {
            f.remove_listener(id);
        }
        Ok(())
    })
}
