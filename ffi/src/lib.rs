//! The C ABI of `cti-phonebook`: CardDAV address books as phone book folders for C,
//! C++, C#, Delphi and Python hosts. The header is `include/cti_phonebook.h`,
//! generated from this crate by cbindgen.
//!
//! # Rules of the ABI
//!
//! * **Handles** are opaque pointers (`CtiPhonebook*`, `CtiRows*`, ...). Each is
//!   made by one function and freed by its `_free` function; freeing NULL does
//!   nothing.
//! * **Text** is UTF-8, NUL-terminated, in (`const char*`, borrowed for the call)
//!   and out. Text handed out as `char*` through an out parameter is the caller's,
//!   freed with `cti_string_free`; `const char*` handed out is borrowed from the
//!   list it came from and valid until that list is freed.
//! * **Errors**: functions returning `int32_t` return `CTI_OK` (0) or a
//!   `CTI_ERR_` code, one per variant of the library's error plus
//!   `CTI_ERR_INVALID_ARGUMENT` (NULL where a value is needed, text that is not
//!   UTF-8, an index out of range, a bad handle) and `CTI_ERR_PANIC`.
//!   `cti_last_error_code` and `cti_last_error_message` give the code and a message
//!   for people of the calling thread's last call. Out parameters are written only
//!   on success.
//! * **No panic crosses the boundary**: every function catches them and returns
//!   `CTI_ERR_PANIC`.
//! * **Threads**: a `CtiPhonebook` may be used from several threads at once; each
//!   function says what it blocks on and which thread runs callbacks. Lists
//!   (`CtiRows`, `CtiMatches`, ...) are immutable and may be read from any thread.
//! * **Versioning**: `cti_abi_version()` returns `CTI_ABI_VERSION` of the library
//!   actually loaded; a host built against another major ABI should refuse it.

pub mod book;
pub mod callbacks;
pub mod error;
pub mod folder;
pub mod lookup;
pub mod schema;
pub mod search;
pub mod strings;

use std::ffi::c_char;

/// The version of this C ABI. It changes when a function, type or constant of the
/// header changes in a way that breaks hosts built against an older header.
pub const CTI_ABI_VERSION: u32 = 1;

/// The `CTI_ABI_VERSION` the loaded library was built with; compare it with the
/// header's `CTI_ABI_VERSION`.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn cti_abi_version() -> u32 {
    CTI_ABI_VERSION
}

/// The version of the library (`"0.1.0"`).
///
/// Ownership: static, never freed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn cti_library_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
