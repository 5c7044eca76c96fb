//! One folder's work: refresh, reload, sync, read rows, and create, update and
//! delete contacts from cells.

use std::ffi::{CString, c_char};
use std::sync::Arc;
use std::time::Duration;

use cti_phonebook::cache::{CachedFolder, SyncMode, SyncReport};
use cti_phonebook::{RecordId, Row, Version};

use crate::book::{CtiPhonebook, book};
use crate::error::{Failure, FfiResult, guard};
use crate::strings::{c_string, put, put_string_if_wanted, text};

/// The contacts were fetched incrementally (only changes).
pub const CTI_SYNC_INCREMENTAL: i32 = 0;
/// Everything was read anew (asked for, or the first sync).
pub const CTI_SYNC_RELOAD: i32 = 1;
/// A second refresh the user asked for soon after the first became a reload.
pub const CTI_SYNC_ESCALATED: i32 = 2;
/// The server no longer accepted the sync token, so everything was read anew.
pub const CTI_SYNC_TOKEN_EXPIRED: i32 = 3;
/// One record was refreshed.
pub const CTI_SYNC_RECORD: i32 = 4;
/// No sync was due (`cti_folder_sync_if_due` only); the counts are 0.
pub const CTI_SYNC_NOT_DUE: i32 = -1;

/// What a sync did.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct CtiSyncReport {
    /// How it was done: one of the `CTI_SYNC_` values.
    pub mode: i32,
    /// Records new in the cache.
    pub added: usize,
    /// Records changed in the cache.
    pub changed: usize,
    /// Records removed from the cache.
    pub removed: usize,
    /// Records skipped because they could not be read (kept as they were).
    pub skipped: usize,
    /// HTTP requests made.
    pub requests: u32,
}

fn report(r: &SyncReport) -> CtiSyncReport {
    CtiSyncReport {
        mode: match r.mode {
            SyncMode::Incremental => CTI_SYNC_INCREMENTAL,
            SyncMode::Reload => CTI_SYNC_RELOAD,
            SyncMode::Escalated => CTI_SYNC_ESCALATED,
            SyncMode::TokenExpired => CTI_SYNC_TOKEN_EXPIRED,
            _ => CTI_SYNC_RECORD,
        },
        added: r.added,
        changed: r.changed,
        removed: r.removed,
        skipped: r.skipped,
        requests: r.requests,
    }
}

/// The folder `name` of `book`.
///
/// # Safety
/// As [`book`] and [`text`].
unsafe fn folder(
    book_ptr: *const CtiPhonebook,
    name: *const c_char,
) -> FfiResult<Arc<CachedFolder>> {
    // SAFETY: the caller's contract.
    let (b, name) = unsafe { (book(book_ptr)?, text(name, "folder")?) };
    b.folder(name)
}

fn sync(
    book_ptr: *const CtiPhonebook,
    name: *const c_char,
    out: *mut CtiSyncReport,
    run: impl FnOnce(&CachedFolder) -> cti_phonebook::Result<SyncReport>,
) -> i32 {
    guard(|| {
        // SAFETY: the exported functions' contract.
        let f = unsafe { folder(book_ptr, name)? };
        let r = report(&run(&f)?);
        if !out.is_null() {
            // SAFETY: not NULL; writable by contract.
            unsafe { put(out, r, "report")? };
        }
        Ok(())
    })
}

/// Refreshes folder `folder` from its server: only the changes when the server
/// can say what changed. `report` (may be NULL) receives what was done.
///
/// Thread-safety: any thread; blocks on the network; syncs and writes of one folder
/// run one after the other, lookups and row reads go on meanwhile. Progress and
/// change callbacks run on this thread before it returns.
/// Errors: `CTI_ERR_NOT_FOUND` (no such folder), network and server errors; a
/// folder that `cti_phonebook_open` found in the cache gives `CTI_ERR_NETWORK`
/// ("not connected") until `cti_phonebook_add_carddav` connects it, and its cache
/// stays as it is.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; `folder` NULL or NUL-terminated; `report`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_refresh(
    book: *const CtiPhonebook,
    folder: *const c_char,
    report: *mut CtiSyncReport,
) -> i32 {
    sync(book, folder, report, CachedFolder::refresh)
}

/// The user's refresh (F5): as `cti_folder_refresh`, but a second one soon after
/// the first reloads everything (`CTI_SYNC_ESCALATED`).
///
/// Thread-safety and errors: as `cti_folder_refresh`.
///
/// # Safety
/// As `cti_folder_refresh`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_refresh_requested(
    book: *const CtiPhonebook,
    folder: *const c_char,
    report: *mut CtiSyncReport,
) -> i32 {
    sync(book, folder, report, CachedFolder::refresh_requested)
}

/// Reads every contact of the folder anew from its server.
///
/// Thread-safety and errors: as `cti_folder_refresh`.
///
/// # Safety
/// As `cti_folder_refresh`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_reload(
    book: *const CtiPhonebook,
    folder: *const c_char,
    report: *mut CtiSyncReport,
) -> i32 {
    sync(book, folder, report, CachedFolder::reload)
}

/// Refreshes one record (`id`) from the server; one that is gone there is removed
/// from the cache.
///
/// Thread-safety and errors: as `cti_folder_refresh`.
///
/// # Safety
/// As `cti_folder_refresh`; `id` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_refresh_record(
    book: *const CtiPhonebook,
    folder: *const c_char,
    id: *const c_char,
    report: *mut CtiSyncReport,
) -> i32 {
    // SAFETY: the caller's contract.
    let id = match unsafe { text(id, "id") } {
        Ok(id) => RecordId::new(id),
        Err(e) => return guard(|| Err(e)),
    };
    sync(book, folder, report, |f| f.refresh_record(&id))
}

/// Refreshes the folder when its sync interval has passed since the last sync;
/// `report->mode` is `CTI_SYNC_NOT_DUE` when it had not. Meant for a timer of the
/// host (once a minute, say).
///
/// Thread-safety and errors: as `cti_folder_refresh`.
///
/// # Safety
/// As `cti_folder_refresh`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_sync_if_due(
    book: *const CtiPhonebook,
    folder: *const c_char,
    report: *mut CtiSyncReport,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let f = unsafe { self::folder(book, folder)? };
        let r = match f.sync_if_due()? {
            Some(r) => self::report(&r),
            None => CtiSyncReport {
                mode: CTI_SYNC_NOT_DUE,
                ..CtiSyncReport::default()
            },
        };
        if !report.is_null() {
            // SAFETY: not NULL; writable by contract.
            unsafe { put(report, r, "report")? };
        }
        Ok(())
    })
}

/// Sets the interval of `cti_folder_sync_if_due`, in seconds (at least a minute,
/// at most some days: else `CTI_ERR_CONFIG`); stored with the folder.
///
/// Thread-safety: any thread; waits for a sync of the folder under way.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; `folder` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_set_sync_interval(
    book: *const CtiPhonebook,
    folder: *const c_char,
    seconds: u64,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let f = unsafe { self::folder(book, folder)? };
        f.set_sync_interval(Duration::from_secs(seconds))?;
        Ok(())
    })
}

/// The interval of `cti_folder_sync_if_due` of the folder, in seconds, into
/// `*seconds`.
///
/// Thread-safety: any thread.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; `folder` NULL or NUL-terminated; `seconds`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_sync_interval(
    book: *const CtiPhonebook,
    folder: *const c_char,
    seconds: *mut u64,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let f = unsafe { self::folder(book, folder)? };
        // SAFETY: the caller's contract.
        unsafe { put(seconds, f.sync_interval().as_secs(), "seconds") }
    })
}

/// A folder's rows at one moment. Opaque; freed by `cti_rows_free`.
pub struct CtiRows {
    rows: Vec<OneRow>,
}

struct OneRow {
    id: CString,
    version: CString,
    cells: Vec<(CString, CString)>,
}

/// The folder's rows as the cache holds them now (no network), in id order.
///
/// Ownership: `*out` is the caller's, freed with `cti_rows_free`; it does not
/// change when the folder does. Thread-safety: any thread.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; `folder` NULL or NUL-terminated; `out` NULL
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_rows(
    book: *const CtiPhonebook,
    folder: *const c_char,
    out: *mut *mut CtiRows,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let f = unsafe { self::folder(book, folder)? };
        if out.is_null() {
            return Err(Failure::invalid("out is NULL"));
        }
        let snap = f.snapshot();
        let mut rows: Vec<OneRow> = snap
            .rows()
            .map(|(id, r)| OneRow {
                id: c_string(id.as_str()),
                version: c_string(r.version.as_str()),
                cells: r
                    .row
                    .cells()
                    .map(|(k, v)| (c_string(k), c_string(v)))
                    .collect(),
            })
            .collect();
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        // SAFETY: checked not NULL; writable by contract.
        unsafe { put(out, Box::into_raw(Box::new(CtiRows { rows })), "out") }
    })
}

/// # Safety
/// `rows` NULL or live.
unsafe fn row<'a>(rows: *const CtiRows, index: usize) -> Option<&'a OneRow> {
    // SAFETY: the caller's contract.
    unsafe { rows.as_ref() }.and_then(|r| r.rows.get(index))
}

/// The number of rows in `rows` (0 for NULL).
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `rows` NULL or from `cti_folder_rows`, not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_rows_len(rows: *const CtiRows) -> usize {
    crate::error::shielded(0, || {
        // SAFETY: the caller's contract.
        unsafe { rows.as_ref() }.map_or(0, |r| r.rows.len())
    })
}

/// The record id of row `index`, or NULL when out of range.
///
/// Ownership: borrowed from `rows`, valid until `cti_rows_free(rows)`.
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `rows` NULL or from `cti_folder_rows`, not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_rows_id(rows: *const CtiRows, index: usize) -> *const c_char {
    crate::error::shielded(std::ptr::null(), || {
        // SAFETY: the caller's contract.
        unsafe { row(rows, index) }.map_or(std::ptr::null(), |r| r.id.as_ptr())
    })
}

/// The version (ETag) of row `index`, the base of its next update or delete; NULL
/// when out of range.
///
/// Ownership: borrowed from `rows`, valid until `cti_rows_free(rows)`.
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `rows` NULL or from `cti_folder_rows`, not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_rows_version(rows: *const CtiRows, index: usize) -> *const c_char {
    crate::error::shielded(std::ptr::null(), || {
        // SAFETY: the caller's contract.
        unsafe { row(rows, index) }.map_or(std::ptr::null(), |r| r.version.as_ptr())
    })
}

/// The value of `column` (`"display_name"`, `"phone1"`, ...) in row `index`: `""`
/// for an empty cell or a column the folder does not have, NULL when `index` is
/// out of range or `column` is NULL or not UTF-8.
///
/// Ownership: borrowed from `rows`, valid until `cti_rows_free(rows)`.
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `rows` NULL or from `cti_folder_rows`, not freed; `column` NULL or
/// NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_rows_get(
    rows: *const CtiRows,
    index: usize,
    column: *const c_char,
) -> *const c_char {
    crate::error::shielded(std::ptr::null(), || {
        // SAFETY: the caller's contract.
        let (Some(r), Ok(column)) = (unsafe { row(rows, index) }, unsafe {
            text(column, "column")
        }) else {
            return std::ptr::null();
        };
        r.cells
            .iter()
            .find(|(k, _)| k.to_bytes() == column.as_bytes())
            .map_or(c"".as_ptr(), |(_, v)| v.as_ptr())
    })
}

/// The number of non-empty cells of row `index` (0 when out of range).
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `rows` NULL or from `cti_folder_rows`, not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_rows_cell_count(rows: *const CtiRows, index: usize) -> usize {
    crate::error::shielded(0, || {
        // SAFETY: the caller's contract.
        unsafe { row(rows, index) }.map_or(0, |r| r.cells.len())
    })
}

/// Non-empty cell `cell` of row `index`, in column-name order: its column name in
/// `*column`, its value in `*value` (either may be NULL if not wanted).
///
/// Ownership: both borrowed from `rows`, valid until `cti_rows_free(rows)`.
/// Errors: `CTI_ERR_INVALID_ARGUMENT` when out of range.
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `rows` NULL or from `cti_folder_rows`, not freed; `column`, `value` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_rows_cell(
    rows: *const CtiRows,
    index: usize,
    cell: usize,
    column: *mut *const c_char,
    value: *mut *const c_char,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (k, v) = unsafe { row(rows, index) }
            .and_then(|r| r.cells.get(cell))
            .ok_or_else(|| Failure::invalid(format!("no cell {cell} in row {index}")))?;
        if !column.is_null() {
            // SAFETY: not NULL; writable by contract.
            unsafe { column.write(k.as_ptr()) };
        }
        if !value.is_null() {
            // SAFETY: not NULL; writable by contract.
            unsafe { value.write(v.as_ptr()) };
        }
        Ok(())
    })
}

/// Frees rows. NULL is ignored.
///
/// Thread-safety: no other thread may use the list during or after this call.
///
/// # Safety
/// `rows` NULL or from `cti_folder_rows`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_rows_free(rows: *mut CtiRows) {
    crate::error::shielded((), || {
        if !rows.is_null() {
            // SAFETY: made by Box::into_raw here, freed once by contract.
            drop(unsafe { Box::from_raw(rows) });
        }
    })
}

/// `count` cells as (column, value) pairs, applied to `row`. An empty value
/// clears the cell.
///
/// # Safety
/// `columns` and `values` NULL or `count` readable pointers each, each NULL or
/// NUL-terminated.
unsafe fn apply_cells(
    mut row: Row,
    columns: *const *const c_char,
    values: *const *const c_char,
    count: usize,
) -> FfiResult<Row> {
    if count == 0 {
        return Ok(row);
    }
    if columns.is_null() || values.is_null() {
        return Err(Failure::invalid("columns or values is NULL"));
    }
    for i in 0..count {
        // SAFETY: `count` readable entries by contract.
        let (c, v) = unsafe { (*columns.add(i), *values.add(i)) };
        // SAFETY: each NULL or NUL-terminated by contract.
        let (c, v) = unsafe { (text(c, "column name")?, text(v, "value")?) };
        row.set(c, v);
    }
    Ok(row)
}

/// Creates a contact in the folder from `count` cells (`columns[i]` = `values[i]`,
/// e.g. `"display_name"` = `"Ada Lovelace"`, `"phone1"` = `"+49 30 1234567"`),
/// on the server and in the cache. Its id and version are written to `*id` and
/// `*version` (either may be NULL if not wanted).
///
/// Ownership: arguments borrowed; `*id` and `*version` are the caller's, freed
/// with `cti_string_free`. Thread-safety: as `cti_folder_refresh`; change
/// callbacks run on this thread.
/// Errors: `CTI_ERR_CONFIG` for an unknown column, `CTI_ERR_READ_ONLY`, network
/// and server errors.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; strings NULL or NUL-terminated; `columns`
/// and `values` arrays of `count` strings; `id` and `version` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_create(
    book: *const CtiPhonebook,
    folder: *const c_char,
    columns: *const *const c_char,
    values: *const *const c_char,
    count: usize,
    id: *mut *mut c_char,
    version: *mut *mut c_char,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (f, row) = unsafe {
            (
                self::folder(book, folder)?,
                apply_cells(Row::new(), columns, values, count)?,
            )
        };
        f.source().schema().check_row(&row)?;
        let rec = f.create(&row)?;
        // SAFETY: the caller's contract.
        unsafe {
            put_string_if_wanted(id, rec.id.as_str());
            put_string_if_wanted(version, rec.version.as_str());
        }
        Ok(())
    })
}

/// Changes `count` cells of contact `id` (an empty value clears a cell; cells not
/// named keep their value, and what the row does not show is kept in the card).
/// `based_on` is the version the user's edit started from (`cti_rows_version`);
/// when the contact changed since, nothing is written and `CTI_ERR_CONFLICT` is
/// returned: the cache then holds the current contact, to be shown to the user
/// before they edit again. The new version goes to `*version` (NULL: not wanted).
///
/// Ownership: arguments borrowed; `*version` is the caller's, freed with
/// `cti_string_free`. Thread-safety: as `cti_folder_create`.
/// Errors: `CTI_ERR_CONFLICT`, `CTI_ERR_NOT_FOUND` (no such contact), as
/// `cti_folder_create`.
///
/// # Safety
/// As `cti_folder_create`; `id` and `based_on` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_update(
    book: *const CtiPhonebook,
    folder: *const c_char,
    id: *const c_char,
    based_on: *const c_char,
    columns: *const *const c_char,
    values: *const *const c_char,
    count: usize,
    version: *mut *mut c_char,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (f, id, based_on) = unsafe {
            (
                self::folder(book, folder)?,
                text(id, "id")?,
                text(based_on, "based_on")?,
            )
        };
        let mut base = f.cached_record(&RecordId::new(id))?;
        base.version = Version::new(based_on);
        // SAFETY: the caller's contract.
        let row = unsafe { apply_cells(base.row.clone(), columns, values, count)? };
        f.source().schema().check_row(&row)?;
        let rec = f.update(&base, &row)?;
        // SAFETY: the caller's contract.
        unsafe { put_string_if_wanted(version, rec.version.as_str()) };
        Ok(())
    })
}

/// Deletes contact `id`, on the server and from the cache, if it is still at
/// version `based_on`; otherwise `CTI_ERR_CONFLICT` and nothing is deleted.
///
/// Thread-safety and errors: as `cti_folder_update`.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; strings NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_delete(
    book: *const CtiPhonebook,
    folder: *const c_char,
    id: *const c_char,
    based_on: *const c_char,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (f, id, based_on) = unsafe {
            (
                self::folder(book, folder)?,
                text(id, "id")?,
                text(based_on, "based_on")?,
            )
        };
        f.delete(&RecordId::new(id), &Version::new(based_on))?;
        Ok(())
    })
}
