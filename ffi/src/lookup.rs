//! Caller lookup: the contacts matching an incoming number.

use std::ffi::{CString, c_char};

use cti_phonebook::MatchQuality;
use cti_phonebook::lookup::CallerLookup;

use crate::book::{CtiPhonebook, book};
use crate::error::{Failure, guard};
use crate::strings::{c_string, put, text};

/// The number matched contacts (possibly none).
pub const CTI_CALLER_MATCHES: i32 = 0;
/// The caller withheld the number (`anonymous`, `""`, `CLIR`, ...): no lookup.
pub const CTI_CALLER_WITHHELD: i32 = 1;
/// The text is no phone number.
pub const CTI_CALLER_NOT_A_NUMBER: i32 = 2;

/// The same number, both written with country code or both without.
pub const CTI_MATCH_EXACT: i32 = 0;
/// The same number; one side had no country code and the dial plan supplied it.
pub const CTI_MATCH_NATIONAL: i32 = 1;
/// The company switchboard of a direct-dial number (`stripped` digits removed).
pub const CTI_MATCH_SWITCHBOARD: i32 = 2;
/// The same internal extension.
pub const CTI_MATCH_EXTENSION: i32 = 3;

/// One contact found for a number. The strings are UTF-8, borrowed from the
/// `CtiMatches` list, valid until `cti_matches_free`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CtiMatch {
    /// The folder the contact is in.
    pub folder: *const c_char,
    /// The contact's record id in the folder.
    pub id: *const c_char,
    /// The contact's display name.
    pub display_name: *const c_char,
    /// The contact's company.
    pub company: *const c_char,
    /// The column holding the matched number (`"phone3"`), or `""` for a number no
    /// column shows.
    pub column: *const c_char,
    /// The matched number as stored.
    pub number: *const c_char,
    /// How good the match is: a `CTI_MATCH_` value; lower is better.
    pub quality: i32,
    /// For `CTI_MATCH_SWITCHBOARD`: how many trailing digits were stripped.
    pub stripped: u32,
}

struct OneMatch {
    folder: CString,
    id: CString,
    display_name: CString,
    company: CString,
    column: CString,
    number: CString,
    quality: i32,
    stripped: u32,
}

/// The contacts a lookup found, best first. Opaque; freed by `cti_matches_free`.
pub struct CtiMatches {
    items: Vec<OneMatch>,
}

/// Looks up the number of an incoming call (any form: `030 1234567`,
/// `+49301234567`, `0049 30 1234567`, `tel:` and `sip:` links) across all folders,
/// in memory: never touches the network, never waits for a sync. `*outcome` says
/// whether the number matched (`CTI_CALLER_MATCHES`, the list may be empty), was
/// withheld (`CTI_CALLER_WITHHELD`) or is no number (`CTI_CALLER_NOT_A_NUMBER`);
/// the list in `*matches` is empty for the latter two.
///
/// Ownership: `number` borrowed; `*matches` is the caller's, freed with
/// `cti_matches_free`. Thread-safety: any thread, also while a sync runs.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; `number` NULL or NUL-terminated;
/// `outcome` and `matches` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_phonebook_lookup_caller(
    book: *const CtiPhonebook,
    number: *const c_char,
    outcome: *mut i32,
    matches: *mut *mut CtiMatches,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (b, number) = unsafe { (self::book(book)?, text(number, "number")?) };
        if outcome.is_null() || matches.is_null() {
            return Err(Failure::invalid("outcome or matches is NULL"));
        }
        let (code, found) = match b.book.lookup_caller(number) {
            CallerLookup::Withheld => (CTI_CALLER_WITHHELD, Vec::new()),
            CallerLookup::NotANumber(_) => (CTI_CALLER_NOT_A_NUMBER, Vec::new()),
            other => (CTI_CALLER_MATCHES, other.into_matches()),
        };
        let items = found
            .iter()
            .map(|m| {
                let (quality, stripped) = match m.quality() {
                    MatchQuality::Exact => (CTI_MATCH_EXACT, 0),
                    MatchQuality::National => (CTI_MATCH_NATIONAL, 0),
                    MatchQuality::Switchboard { stripped } => {
                        (CTI_MATCH_SWITCHBOARD, u32::from(stripped))
                    }
                    MatchQuality::Extension => (CTI_MATCH_EXTENSION, 0),
                };
                OneMatch {
                    folder: c_string(m.folder()),
                    id: c_string(m.id().as_str()),
                    display_name: c_string(m.display_name()),
                    company: c_string(m.company()),
                    column: c_string(m.column()),
                    number: c_string(m.number()),
                    quality,
                    stripped,
                }
            })
            .collect();
        // SAFETY: checked not NULL; writable by contract.
        unsafe {
            put(outcome, code, "outcome")?;
            put(
                matches,
                Box::into_raw(Box::new(CtiMatches { items })),
                "matches",
            )
        }
    })
}

/// The number of matches in `list` (0 for NULL).
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `list` NULL or from `cti_phonebook_lookup_caller`, not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_matches_len(list: *const CtiMatches) -> usize {
    crate::error::shielded(0, || {
        // SAFETY: the caller's contract.
        unsafe { list.as_ref() }.map_or(0, |l| l.items.len())
    })
}

/// Match `index` of `list` into `*out` (its strings borrowed from `list`).
///
/// Errors: `CTI_ERR_INVALID_ARGUMENT` for NULL or an index out of range.
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `list` NULL or from `cti_phonebook_lookup_caller`, not freed; `out` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_matches_get(
    list: *const CtiMatches,
    index: usize,
    out: *mut CtiMatch,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let m = unsafe { list.as_ref() }
            .and_then(|l| l.items.get(index))
            .ok_or_else(|| Failure::invalid(format!("no match {index}")))?;
        let one = CtiMatch {
            folder: m.folder.as_ptr(),
            id: m.id.as_ptr(),
            display_name: m.display_name.as_ptr(),
            company: m.company.as_ptr(),
            column: m.column.as_ptr(),
            number: m.number.as_ptr(),
            quality: m.quality,
            stripped: m.stripped,
        };
        // SAFETY: the caller's contract.
        unsafe { put(out, one, "out") }
    })
}

/// Frees a list of matches. NULL is ignored.
///
/// Thread-safety: no other thread may use the list during or after this call.
///
/// # Safety
/// `list` NULL or from `cti_phonebook_lookup_caller`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_matches_free(list: *mut CtiMatches) {
    crate::error::shielded((), || {
        if !list.is_null() {
            // SAFETY: made by Box::into_raw here, freed once by contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}
