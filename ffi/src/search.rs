//! Name search for dialling: contacts by the start of their words or digits in
//! their numbers, with the fields to highlight.

use std::ffi::{CString, c_char};

use crate::book::{CtiPhonebook, book};
use crate::error::{Failure, guard};
use crate::strings::{c_string, put, text};

/// A byte range of a matched value: `start` included, `end` not.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CtiRange {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// One contact found by a search. The strings are UTF-8, borrowed from the
/// `CtiHits` list, valid until `cti_hits_free`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CtiHit {
    /// The folder the contact is in.
    pub folder: *const c_char,
    /// The contact's record id in the folder.
    pub id: *const c_char,
    /// The contact's display name.
    pub display_name: *const c_char,
    /// The contact's company.
    pub company: *const c_char,
    /// The rank: lower is better (see the library's `SearchHit::rank`).
    pub rank: u32,
    /// How many matched fields `cti_hits_field` gives for this hit.
    pub field_count: usize,
}

/// A field of a hit that matched the query. The strings and ranges are borrowed
/// from the `CtiHits` list, valid until `cti_hits_free`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CtiMatchedField {
    /// The column (`"display_name"`, `"company"`, `"phone2"`, ...).
    pub column: *const c_char,
    /// The value as stored.
    pub value: *const c_char,
    /// The byte ranges of `value` that matched, in order, for highlighting.
    pub ranges: *const CtiRange,
    /// How many ranges `ranges` points to.
    pub range_count: usize,
}

struct OneField {
    column: CString,
    value: CString,
    ranges: Vec<CtiRange>,
}

struct OneHit {
    folder: CString,
    id: CString,
    display_name: CString,
    company: CString,
    rank: u32,
    fields: Vec<OneField>,
}

/// The contacts a search found, best first. Opaque; freed by `cti_hits_free`.
pub struct CtiHits {
    items: Vec<OneHit>,
}

/// Searches all folders for `text`, at most `limit` contacts, best first: every
/// word must be the start of a word of a name, nickname, company, department or
/// e-mail address (case and diacritics folded, Greek and Cyrillic also as typed
/// in ASCII), and digits are found anywhere in a number (a whole number typed
/// `030 123` or `+49 30 123` also in its other form under the phone book's
/// country). In memory: never touches the network, never waits for a sync; the
/// first search of a folder indexes it (about 0.15 s for 100,000 contacts).
///
/// Ownership: `text` borrowed; `*hits` is the caller's, freed with
/// `cti_hits_free`. Thread-safety: any thread, also while a sync runs.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; `text` NULL or NUL-terminated; `hits`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_phonebook_search(
    book: *const CtiPhonebook,
    text: *const c_char,
    limit: usize,
    hits: *mut *mut CtiHits,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (b, text) = unsafe { (self::book(book)?, self::text(text, "text")?) };
        if hits.is_null() {
            return Err(Failure::invalid("hits is NULL"));
        }
        let items = b
            .book
            .search(text, limit)
            .iter()
            .map(|h| OneHit {
                folder: c_string(h.folder()),
                id: c_string(h.id().as_str()),
                display_name: c_string(h.display_name()),
                company: c_string(h.company()),
                rank: h.rank(),
                fields: h
                    .matched()
                    .map(|f| OneField {
                        column: c_string(f.column),
                        value: c_string(f.value),
                        ranges: f
                            .ranges
                            .iter()
                            .map(|r| CtiRange {
                                start: r.start,
                                end: r.end,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        // SAFETY: checked not NULL; writable by contract.
        unsafe { put(hits, Box::into_raw(Box::new(CtiHits { items })), "hits") }
    })
}

/// The number of hits in `list` (0 for NULL).
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `list` NULL or from `cti_phonebook_search`, not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_hits_len(list: *const CtiHits) -> usize {
    crate::error::shielded(0, || {
        // SAFETY: the caller's contract.
        unsafe { list.as_ref() }.map_or(0, |l| l.items.len())
    })
}

/// Hit `index` of `list`.
///
/// # Safety
/// `list` NULL or from `cti_phonebook_search`, not freed while the hit is used.
unsafe fn hit<'a>(list: *const CtiHits, index: usize) -> Result<&'a OneHit, Failure> {
    // SAFETY: the caller's contract.
    unsafe { list.as_ref() }
        .and_then(|l| l.items.get(index))
        .ok_or_else(|| Failure::invalid(format!("no hit {index}")))
}

/// Hit `index` of `list` into `*out` (its strings borrowed from `list`).
///
/// Errors: `CTI_ERR_INVALID_ARGUMENT` for NULL or an index out of range.
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `list` NULL or from `cti_phonebook_search`, not freed; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_hits_get(list: *const CtiHits, index: usize, out: *mut CtiHit) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let h = unsafe { hit(list, index)? };
        let one = CtiHit {
            folder: h.folder.as_ptr(),
            id: h.id.as_ptr(),
            display_name: h.display_name.as_ptr(),
            company: h.company.as_ptr(),
            rank: h.rank,
            field_count: h.fields.len(),
        };
        // SAFETY: the caller's contract.
        unsafe { put(out, one, "out") }
    })
}

/// Matched field `field` of hit `index` of `list` into `*out` (its strings and
/// ranges borrowed from `list`), in the folder's column order.
///
/// Errors: `CTI_ERR_INVALID_ARGUMENT` for NULL or an index out of range.
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `list` NULL or from `cti_phonebook_search`, not freed; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_hits_field(
    list: *const CtiHits,
    index: usize,
    field: usize,
    out: *mut CtiMatchedField,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let f = unsafe { hit(list, index)? }
            .fields
            .get(field)
            .ok_or_else(|| Failure::invalid(format!("no field {field} in hit {index}")))?;
        let one = CtiMatchedField {
            column: f.column.as_ptr(),
            value: f.value.as_ptr(),
            ranges: f.ranges.as_ptr(),
            range_count: f.ranges.len(),
        };
        // SAFETY: the caller's contract.
        unsafe { put(out, one, "out") }
    })
}

/// Frees a list of hits. NULL is ignored.
///
/// Thread-safety: no other thread may use the list during or after this call.
///
/// # Safety
/// `list` NULL or from `cti_phonebook_search`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_hits_free(list: *mut CtiHits) {
    crate::error::shielded((), || {
        if !list.is_null() {
            // SAFETY: made by Box::into_raw here, freed once by contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}
