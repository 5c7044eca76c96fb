//! UTF-8 text across the boundary: borrowed `const char*` in, owned `char*` out.

use std::ffi::{CStr, CString, c_char};

use crate::error::{Failure, FfiResult};

/// The UTF-8 text at `ptr`, borrowed for the call. `what` names the argument in
/// the error.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives the call.
pub unsafe fn text<'a>(ptr: *const c_char, what: &str) -> FfiResult<&'a str> {
    if ptr.is_null() {
        return Err(Failure::invalid(format!("{what} is NULL")));
    }
    // SAFETY: not NULL, and NUL-terminated by the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map_err(|_| Failure::invalid(format!("{what} is not valid UTF-8")))
}

/// As [`text`], but NULL is `None`.
///
/// # Safety
/// As [`text`].
pub unsafe fn optional_text<'a>(ptr: *const c_char, what: &str) -> FfiResult<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: the caller's contract, passed on.
        unsafe { text(ptr, what) }.map(Some)
    }
}

/// `s` as a NUL-terminated C string (a NUL inside becomes a space).
pub fn c_string(s: &str) -> CString {
    CString::new(s.replace('\0', " ")).unwrap_or_default()
}

/// `s` handed out to C: free it with [`cti_string_free`].
pub fn owned(s: &str) -> *mut c_char {
    c_string(s).into_raw()
}

/// Writes `value` to `out`, which must not be NULL.
///
/// # Safety
/// `out` is NULL or valid for a write of `T`.
pub unsafe fn put<T>(out: *mut T, value: T, what: &str) -> FfiResult {
    if out.is_null() {
        return Err(Failure::invalid(format!("{what} is NULL")));
    }
    // SAFETY: not NULL, and writable by the caller's contract.
    unsafe { out.write(value) };
    Ok(())
}

/// Frees a string the library handed out (`char**` out parameters). NULL is
/// ignored.
///
/// Ownership: takes `s`; it must come from this library and not be freed twice.
/// Thread-safety: any thread.
///
/// # Safety
/// `s` is NULL or a string this library returned and that was not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_string_free(s: *mut c_char) {
    crate::error::shielded((), || {
        if !s.is_null() {
            // SAFETY: made by CString::into_raw in `owned`, freed once by contract.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

/// Hands `s` out through `out` (freed with [`cti_string_free`]); nothing is
/// allocated when `out` is NULL.
///
/// # Safety
/// `out` is NULL or valid for a write of a pointer.
pub unsafe fn put_string(out: *mut *mut c_char, s: &str, what: &str) -> FfiResult {
    if out.is_null() {
        return Err(Failure::invalid(format!("{what} is NULL")));
    }
    // SAFETY: not NULL, and writable by the caller's contract.
    unsafe { out.write(owned(s)) };
    Ok(())
}

/// As [`put_string`], but a NULL `out` means the caller does not want the value.
///
/// # Safety
/// As [`put_string`].
pub unsafe fn put_string_if_wanted(out: *mut *mut c_char, s: &str) {
    if !out.is_null() {
        // SAFETY: not NULL, and writable by the caller's contract.
        unsafe { out.write(owned(s)) };
    }
}
