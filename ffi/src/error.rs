//! Error codes, the thread-local last error, and the guard that keeps panics and
//! Rust errors from crossing the C boundary.

use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use cti_phonebook::Error;

/// Success.
pub const CTI_OK: i32 = 0;
/// The record, folder or resource does not exist (any more).
pub const CTI_ERR_NOT_FOUND: i32 = 1;
/// The record was changed by someone else since the version the write was based
/// on. The cache now holds the current record: read the row again and retry.
pub const CTI_ERR_CONFLICT: i32 = 2;
/// The server refused the credentials.
pub const CTI_ERR_UNAUTHORIZED: i32 = 3;
/// The folder does not accept writes.
pub const CTI_ERR_READ_ONLY: i32 = 4;
/// The sync token is no longer accepted; a reload is needed.
pub const CTI_ERR_TOKEN_EXPIRED: i32 = 5;
/// A network failure (connect, timeout, reset); worth retrying later.
pub const CTI_ERR_NETWORK: i32 = 6;
/// The server answered with a 5xx status; worth retrying later.
pub const CTI_ERR_SERVER: i32 = 7;
/// The server's TLS certificate is not trusted.
pub const CTI_ERR_CERTIFICATE: i32 = 8;
/// The server answered something that cannot be used.
pub const CTI_ERR_INVALID_RESPONSE: i32 = 9;
/// Nothing at the URL speaks CardDAV.
pub const CTI_ERR_NOT_CARDDAV: i32 = 10;
/// The configuration is unusable (bad URL, unknown country, bad column name, ...).
pub const CTI_ERR_CONFIG: i32 = 11;
/// The source cannot do this.
pub const CTI_ERR_UNSUPPORTED: i32 = 12;
/// A vCard could not be parsed.
pub const CTI_ERR_VCARD: i32 = 13;
/// The local cache failed (unreadable, damaged, disk full).
pub const CTI_ERR_CACHE: i32 = 14;
/// Another process holds the cache file locked; retry later.
pub const CTI_ERR_CACHE_LOCKED: i32 = 15;
/// An I/O error outside the network.
pub const CTI_ERR_IO: i32 = 16;
/// The text is no phone number (dialling).
pub const CTI_ERR_NOT_A_NUMBER: i32 = 17;
/// The folder works from its cache without a connection to its server (it was opened
/// offline and not connected since); add it again with its password to connect it.
pub const CTI_ERR_NOT_CONNECTED: i32 = 18;
/// An error of the library this version of the C ABI has no code for.
pub const CTI_ERR_OTHER: i32 = 98;
/// A bad argument: a NULL pointer where one is required, text that is not UTF-8, an
/// index out of range, an unknown listener id.
pub const CTI_ERR_INVALID_ARGUMENT: i32 = 99;
/// The library panicked. The panic was caught; the handle involved may be left in
/// a state the library did not plan for, but memory is safe.
pub const CTI_ERR_PANIC: i32 = 100;

/// The C code of `error`.
pub fn code_of(error: &Error) -> i32 {
    match error {
        Error::NotFound { .. } => CTI_ERR_NOT_FOUND,
        Error::Conflict { .. } => CTI_ERR_CONFLICT,
        Error::Unauthorized { .. } => CTI_ERR_UNAUTHORIZED,
        Error::ReadOnly(_) => CTI_ERR_READ_ONLY,
        Error::TokenExpired => CTI_ERR_TOKEN_EXPIRED,
        Error::Network { .. } => CTI_ERR_NETWORK,
        Error::Server { .. } => CTI_ERR_SERVER,
        Error::Certificate { .. } => CTI_ERR_CERTIFICATE,
        Error::InvalidResponse { .. } => CTI_ERR_INVALID_RESPONSE,
        Error::NotCardDav { .. } => CTI_ERR_NOT_CARDDAV,
        Error::Config(_) => CTI_ERR_CONFIG,
        Error::Unsupported(_) => CTI_ERR_UNSUPPORTED,
        Error::VCard(_) => CTI_ERR_VCARD,
        Error::Cache { .. } => CTI_ERR_CACHE,
        Error::CacheLocked(_) => CTI_ERR_CACHE_LOCKED,
        Error::Io(_) => CTI_ERR_IO,
        Error::NotConnected { .. } => CTI_ERR_NOT_CONNECTED,
        _ => CTI_ERR_OTHER,
    }
}

/// A failure on its way to C: a code and a message.
#[derive(Debug)]
pub struct Failure {
    code: i32,
    message: String,
}

impl Failure {
    /// A failure with `code` and `message`.
    pub fn new(code: i32, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// A [`CTI_ERR_INVALID_ARGUMENT`] failure.
    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure::new(CTI_ERR_INVALID_ARGUMENT, message)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::new(code_of(&e), e.to_string())
    }
}

/// What an exported function returns to its guard.
pub type FfiResult<T = ()> = Result<T, Failure>;

struct LastError {
    code: i32,
    message: CString,
}

thread_local! {
    static LAST: RefCell<LastError> = RefCell::new(LastError { code: CTI_OK, message: CString::default() });
}

fn set_last(code: i32, message: &str) {
    let message = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST.with(|l| *l.borrow_mut() = LastError { code, message });
}

/// Runs `body`, catching panics; records the outcome as this thread's last error
/// and returns its code.
pub fn guard(body: impl FnOnce() -> FfiResult) -> i32 {
    let outcome = catch_unwind(AssertUnwindSafe(body));
    let (code, message) = match outcome {
        Ok(Ok(())) => (CTI_OK, String::new()),
        Ok(Err(f)) => (f.code, f.message),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            (CTI_ERR_PANIC, format!("internal error (panic): {what}"))
        }
    };
    set_last(code, &message);
    code
}

/// Runs `body` for a function that returns a value, not a code: its value, or
/// `fallback` when it failed or panicked (the last error says why).
pub fn guard_value<T>(fallback: T, body: impl FnOnce() -> FfiResult<T>) -> T {
    let mut out = None;
    guard(|| {
        out = Some(body()?);
        Ok(())
    });
    out.unwrap_or(fallback)
}

/// Runs `body` for a function that records no error of its own (list accessors,
/// `_free` functions): its value, or `fallback` should it panic.
pub fn shielded<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// The code of the last failure of a `cti_` call on the calling thread, or `CTI_OK`
/// when the last call succeeded.
///
/// Thread-safety: any thread; each thread has its own last error.
#[unsafe(no_mangle)]
pub extern "C" fn cti_last_error_code() -> i32 {
    crate::error::shielded(CTI_ERR_PANIC, || LAST.with(|l| l.borrow().code))
}

/// The message of the last failure of a `cti_` call on the calling thread (UTF-8,
/// for people), or `""` when the last call succeeded.
///
/// Ownership: borrowed; valid until the next `cti_` call on this thread. Never NULL.
/// Thread-safety: any thread; each thread has its own last error.
#[unsafe(no_mangle)]
pub extern "C" fn cti_last_error_message() -> *const c_char {
    crate::error::shielded(c"internal error".as_ptr(), || {
        LAST.with(|l| l.borrow().message.as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    fn last_message() -> String {
        // SAFETY: the library's own NUL-terminated message of this thread.
        unsafe { CStr::from_ptr(cti_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_panic_becomes_a_code_and_a_message() {
        let code = guard(|| panic!("boom"));
        assert_eq!(code, CTI_ERR_PANIC);
        assert_eq!(cti_last_error_code(), CTI_ERR_PANIC);
        assert!(last_message().contains("boom"), "{}", last_message());
        assert_eq!(guard_value(7, || -> FfiResult<i32> { panic!("again") }), 7);
        assert_eq!(cti_last_error_code(), CTI_ERR_PANIC);
    }

    #[test]
    fn success_clears_the_last_error() {
        guard(|| Err(Failure::invalid("bad")));
        assert_eq!(cti_last_error_code(), CTI_ERR_INVALID_ARGUMENT);
        assert_eq!(guard(|| Ok(())), CTI_OK);
        assert_eq!(cti_last_error_code(), CTI_OK);
        assert_eq!(last_message(), "");
    }

    #[test]
    fn each_error_variant_has_its_code() {
        let conflict = Error::Conflict {
            id: "a.vcf".into(),
            based_on: "1".into(),
            current: None,
        };
        assert_eq!(code_of(&conflict), CTI_ERR_CONFLICT);
        assert_eq!(code_of(&Error::not_found("x")), CTI_ERR_NOT_FOUND);
        assert_eq!(code_of(&Error::TokenExpired), CTI_ERR_TOKEN_EXPIRED);
        assert_eq!(code_of(&Error::Config("x".into())), CTI_ERR_CONFIG);
        assert_eq!(
            code_of(&Error::CacheLocked("x".into())),
            CTI_ERR_CACHE_LOCKED
        );
        assert_eq!(code_of(&Error::Io(std::io::Error::other("x"))), CTI_ERR_IO);
        assert_eq!(
            code_of(&Error::NotConnected {
                folder: "work".into()
            }),
            CTI_ERR_NOT_CONNECTED
        );
        let f = Failure::from(conflict);
        assert_eq!(f.code, CTI_ERR_CONFLICT);
        assert!(f.message.starts_with("conflict:"), "{}", f.message);
    }

    #[test]
    fn a_nul_inside_a_message_does_not_cut_it() {
        guard(|| Err(Failure::invalid("a\0b")));
        assert_eq!(last_message(), "a b");
    }
}
