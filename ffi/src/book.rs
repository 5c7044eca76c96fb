//! The phone book handle: open and free it, add, remove and list folders, discover
//! address books, and dial.

use std::collections::HashMap;
use std::ffi::{CString, c_char};
use std::path::Path;
use std::sync::{Arc, Mutex};

use cti_phonebook::cache::{self, CachedFolder, ListenerId, OfflineSource};
use cti_phonebook::carddav::{AddressBook, CardDavConfig, CardDavSource, discover};
use cti_phonebook::{DialPlan, Phonebook, Schema};

use crate::error::{CTI_ERR_NOT_A_NUMBER, CTI_ERR_NOT_FOUND, Failure, FfiResult, guard};
use crate::strings::{c_string, optional_text, put, put_string, text};

const MAGIC: u64 = 0x4354_4950_484f_4e45;

/// A phone book: the folders of one cache directory and one caller index over
/// them. Opaque; made by `cti_phonebook_open`, freed by `cti_phonebook_free`.
///
/// Every function taking a `const CtiPhonebook*` may be called from several
/// threads at once unless its comment says otherwise.
pub struct CtiPhonebook {
    magic: u64,
    pub(crate) book: Phonebook,
    pub(crate) plan: DialPlan,
    pub(crate) listeners: Mutex<HashMap<u64, (String, ListenerId)>>,
    /// Held while a folder is added or removed, so that two threads adding one
    /// name do not open its cache twice.
    folders: Mutex<()>,
}

/// The phone book behind `ptr`.
///
/// # Safety
/// `ptr` is NULL or a phone book from `cti_phonebook_open` not yet freed.
pub unsafe fn book<'a>(ptr: *const CtiPhonebook) -> FfiResult<&'a CtiPhonebook> {
    // SAFETY: NULL is checked; otherwise valid by the caller's contract.
    match unsafe { ptr.as_ref() } {
        Some(b) if b.magic == MAGIC => Ok(b),
        Some(_) => Err(Failure::invalid("not a phone book handle")),
        None => Err(Failure::invalid("phone book handle is NULL")),
    }
}

impl CtiPhonebook {
    /// Folder `name`, or a not-found failure.
    pub fn folder(&self, name: &str) -> FfiResult<Arc<CachedFolder>> {
        self.book
            .folder(name)
            .ok_or_else(|| Failure::new(CTI_ERR_NOT_FOUND, format!("no folder {name:?}")))
    }
}

/// How many columns of each kind a folder's table has. A negative count keeps the
/// default (six phones, two e-mails, one website, two addresses, no user columns).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CtiColumnCounts {
    /// Phone columns.
    pub phones: i32,
    /// E-mail columns.
    pub emails: i32,
    /// Website columns.
    pub websites: i32,
    /// Address columns.
    pub addresses: i32,
    /// User-defined columns.
    pub user_defined: i32,
}

fn apply_counts(schema: &mut Schema, c: &CtiColumnCounts) -> FfiResult {
    let count = |n: i32| usize::try_from(n).ok();
    if let Some(n) = count(c.phones) {
        schema.set_phone_count(n)?;
    }
    if let Some(n) = count(c.emails) {
        schema.set_email_count(n)?;
    }
    if let Some(n) = count(c.websites) {
        schema.set_website_count(n)?;
    }
    if let Some(n) = count(c.addresses) {
        schema.set_address_count(n)?;
    }
    if let Some(n) = count(c.user_defined) {
        schema.set_user_count(n)?;
    }
    Ok(())
}

/// Opens the phone book in cache directory `dir` (created when missing) with the
/// dial plan of the line: `country` an ISO code (`"DE"`), `area_code` the line's
/// area code without trunk prefix (`"30"`) or NULL. Every folder cached in `dir`
/// is attached offline at once, so lookups work before any network access; a
/// folder is connected to its server by `cti_phonebook_add_carddav`.
///
/// Ownership: the strings are borrowed for the call; `*out` is owned by the
/// caller, to be freed with `cti_phonebook_free`.
/// Thread-safety: any thread.
/// Errors: `CTI_ERR_CONFIG` for an unknown country or bad area code,
/// `CTI_ERR_CACHE`/`CTI_ERR_CACHE_LOCKED` when a cached folder cannot be opened.
///
/// # Safety
/// Strings are NULL or NUL-terminated; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_phonebook_open(
    dir: *const c_char,
    country: *const c_char,
    area_code: *const c_char,
    out: *mut *mut CtiPhonebook,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (dir, country, area) = unsafe {
            (
                text(dir, "dir")?,
                text(country, "country")?,
                optional_text(area_code, "area_code")?,
            )
        };
        if out.is_null() {
            return Err(Failure::invalid("out is NULL"));
        }
        let mut plan = DialPlan::new(country)?;
        if let Some(a) = area.filter(|a| !a.is_empty()) {
            plan = plan.with_area_code(a)?;
        }
        let book = Phonebook::new(dir, plan.clone());
        let dir = Path::new(dir);
        if dir.exists() {
            for name in cache::cached_folders(dir)? {
                book.attach(&name, Arc::new(OfflineSource::new(&name)))?;
            }
        }
        let handle = Box::new(CtiPhonebook {
            magic: MAGIC,
            book,
            plan,
            listeners: Mutex::new(HashMap::new()),
            folders: Mutex::new(()),
        });
        // SAFETY: checked not NULL above; writable by contract.
        unsafe { put(out, Box::into_raw(handle), "out") }
    })
}

/// Frees a phone book and every listener registered through it. NULL is ignored.
///
/// Ownership: takes `book`. Thread-safety: no other call may use `book` during or
/// after this one. Callbacks only run inside calls with `book`, so none runs
/// after this returns.
///
/// # Safety
/// `book` is NULL or from `cti_phonebook_open`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_phonebook_free(book: *mut CtiPhonebook) {
    guard(|| {
        if book.is_null() {
            return Ok(());
        }
        // SAFETY: not NULL; from Box::into_raw in cti_phonebook_open by contract.
        let mut handle = unsafe { Box::from_raw(book) };
        handle.magic = 0;
        let listeners =
            std::mem::take(&mut *handle.listeners.lock().unwrap_or_else(|e| e.into_inner()));
        for (folder, id) in listeners.into_values() {
            if let Some(f) = handle.book.folder(&folder) {
                f.remove_listener(id);
            }
        }
        Ok(())
    });
}

/// Adds (or reconnects) folder `name` over the CardDAV address book at `url`, with
/// user name and password (`user` and `password` may be NULL for no credentials).
/// `url` may be of any form: the book, the DAV root, the bare server or just the
/// domain; discovery finds the books there. `address_book` picks one of several
/// by display name or URL (NULL: there must be exactly one). `columns` (NULL: the
/// defaults) sets the folder's column counts. No contacts are fetched: call
/// `cti_folder_refresh` next. A folder of that name already open (offline, or
/// over another server) is connected in place and keeps its cache.
///
/// Ownership: everything is borrowed for the call; the password is not stored.
/// Thread-safety: any thread; blocks on the network. Adding and removing folders
/// of one phone book happen one after the other.
/// Errors: as discovery (`CTI_ERR_UNAUTHORIZED`, `CTI_ERR_NETWORK`,
/// `CTI_ERR_NOT_CARDDAV`, `CTI_ERR_CERTIFICATE`, ...); `CTI_ERR_NOT_FOUND` when
/// no book (or not the one asked for) is there; `CTI_ERR_CONFIG` for a bad URL,
/// folder name, several books and no choice, or column counts over the limits.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; strings NULL or NUL-terminated; `columns`
/// NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_phonebook_add_carddav(
    book: *const CtiPhonebook,
    name: *const c_char,
    url: *const c_char,
    user: *const c_char,
    password: *const c_char,
    address_book: *const c_char,
    columns: *const CtiColumnCounts,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (b, name, url, user, password, choice, columns) = unsafe {
            (
                self::book(book)?,
                text(name, "name")?,
                text(url, "url")?,
                optional_text(user, "user")?,
                optional_text(password, "password")?,
                optional_text(address_book, "address_book")?,
                columns.as_ref(),
            )
        };
        let config = config(url, user, password)?;
        let books = discover(&config)?;
        let chosen = pick(&books, url, choice)?;
        let _adding = b.folders.lock().unwrap_or_else(|e| e.into_inner());
        let existing = b.book.folder(name);
        let mut schema = match &existing {
            Some(f) => f.source().schema(),
            None => Schema::default(),
        };
        if let Some(c) = columns {
            apply_counts(&mut schema, c)?;
        }
        let source = Arc::new(
            CardDavSource::with_address_book(config.with_url(chosen.url.clone()), chosen.clone())?
                .with_schema(schema.clone()),
        );
        match existing {
            Some(folder) => {
                folder.set_source(source);
                if schema != folder.source().schema() || columns.is_some() {
                    folder.set_schema(schema)?;
                }
                folder.set_setting("url", url)?;
                folder.set_setting("book_url", chosen.url.as_str())?;
            }
            None => {
                let folder = Arc::new(CachedFolder::open(b.book.dir(), name, source)?);
                if columns.is_some() && folder.source().schema() != schema {
                    folder.set_schema(schema)?;
                }
                folder.set_setting("url", url)?;
                folder.set_setting("book_url", chosen.url.as_str())?;
                b.book.add(folder);
            }
        }
        Ok(())
    })
}

fn config(url: &str, user: Option<&str>, password: Option<&str>) -> FfiResult<CardDavConfig> {
    let mut builder = CardDavConfig::builder(url);
    if let Some(u) = user {
        builder = builder.password(u, password.unwrap_or(""));
    }
    Ok(builder.build()?)
}

fn pick<'a>(
    books: &'a [AddressBook],
    url: &str,
    choice: Option<&str>,
) -> FfiResult<&'a AddressBook> {
    match choice {
        Some(c) => books
            .iter()
            .find(|b| {
                b.display_name.as_deref() == Some(c) || b.url.as_str() == c || b.url.path() == c
            })
            .ok_or_else(|| {
                Failure::new(CTI_ERR_NOT_FOUND, format!("no address book {c:?} at {url}"))
            }),
        None => match books {
            [one] => Ok(one),
            [] => Err(Failure::new(
                CTI_ERR_NOT_FOUND,
                format!("no address book at {url}"),
            )),
            _ => Err(Failure::new(
                crate::error::CTI_ERR_CONFIG,
                format!("{} address books at {url}: name one", books.len()),
            )),
        },
    }
}

/// Removes folder `name` from the phone book and its caller index. With
/// `delete_cache` non-zero its cache files are deleted too; otherwise they stay
/// and the folder comes back offline at the next `cti_phonebook_open`.
///
/// Thread-safety: any thread. Errors: `CTI_ERR_NOT_FOUND` when there is no such
/// folder; `CTI_ERR_CACHE`/`CTI_ERR_IO` when the files cannot be deleted.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; `name` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_phonebook_remove_folder(
    book: *const CtiPhonebook,
    name: *const c_char,
    delete_cache: i32,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (b, name) = unsafe { (self::book(book)?, text(name, "name")?) };
        let _removing = b.folders.lock().unwrap_or_else(|e| e.into_inner());
        let folder = b.folder(name)?;
        b.listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (f, id)| {
                let keep = f != name;
                if !keep {
                    folder.remove_listener(*id);
                }
                keep
            });
        b.book.detach(name);
        drop(folder);
        if delete_cache != 0 {
            cache::remove_folder(b.book.dir(), name)?;
        }
        Ok(())
    })
}

/// A list of strings the library hands out. Opaque; freed by `cti_strings_free`.
pub struct CtiStrings {
    items: Vec<CString>,
}

impl CtiStrings {
    /// The list of `items`.
    pub fn new<'a>(items: impl IntoIterator<Item = &'a str>) -> CtiStrings {
        CtiStrings {
            items: items.into_iter().map(c_string).collect(),
        }
    }
}

/// The names of the phone book's folders, in name order.
///
/// Ownership: `*out` is the caller's, freed with `cti_strings_free`.
/// Thread-safety: any thread.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_phonebook_folders(
    book: *const CtiPhonebook,
    out: *mut *mut CtiStrings,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let b = unsafe { self::book(book)? };
        if out.is_null() {
            return Err(Failure::invalid("out is NULL"));
        }
        let folders = b.book.folders();
        let list = CtiStrings::new(folders.iter().map(|f| f.name()));
        // SAFETY: checked not NULL; writable by contract.
        unsafe { put(out, Box::into_raw(Box::new(list)), "out") }
    })
}

/// The number of strings in `list` (0 for NULL).
///
/// Thread-safety: any thread.
///
/// # Safety
/// `list` is NULL or a live list from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_strings_len(list: *const CtiStrings) -> usize {
    crate::error::shielded(0, || {
        // SAFETY: the caller's contract.
        unsafe { list.as_ref() }.map_or(0, |l| l.items.len())
    })
}

/// String `index` of `list`, or NULL when `list` is NULL or `index` out of range.
///
/// Ownership: borrowed from `list`; valid until `cti_strings_free(list)`.
/// Thread-safety: any thread.
///
/// # Safety
/// `list` is NULL or a live list from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_strings_get(list: *const CtiStrings, index: usize) -> *const c_char {
    crate::error::shielded(std::ptr::null(), || {
        // SAFETY: the caller's contract.
        unsafe { list.as_ref() }
            .and_then(|l| l.items.get(index))
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// Frees a list of strings. NULL is ignored.
///
/// Ownership: takes `list`. Thread-safety: no other use of `list` during or after.
///
/// # Safety
/// `list` is NULL or a list from this library, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_strings_free(list: *mut CtiStrings) {
    crate::error::shielded((), || {
        if !list.is_null() {
            // SAFETY: made by Box::into_raw here, freed once by contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

/// One address book found by `cti_discover`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CtiAddressBook {
    /// Its URL (UTF-8). Borrowed from the list.
    pub url: *const c_char,
    /// Its display name, `""` when it has none. Borrowed from the list.
    pub display_name: *const c_char,
}

/// The address books `cti_discover` found. Opaque; freed by `cti_books_free`.
pub struct CtiBooks {
    items: Vec<(CString, CString)>,
}

/// Finds the address books at `url` (any form, as for
/// `cti_phonebook_add_carddav`) with user name and password (NULL: none).
///
/// Ownership: arguments borrowed; `*out` is the caller's, freed with
/// `cti_books_free`. Thread-safety: any thread; blocks on the network.
/// Errors: as `cti_phonebook_add_carddav`.
///
/// # Safety
/// Strings NULL or NUL-terminated; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_discover(
    url: *const c_char,
    user: *const c_char,
    password: *const c_char,
    out: *mut *mut CtiBooks,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (url, user, password) = unsafe {
            (
                text(url, "url")?,
                optional_text(user, "user")?,
                optional_text(password, "password")?,
            )
        };
        if out.is_null() {
            return Err(Failure::invalid("out is NULL"));
        }
        let books = discover(&config(url, user, password)?)?;
        let list = CtiBooks {
            items: books
                .iter()
                .map(|b| {
                    (
                        c_string(b.url.as_str()),
                        c_string(b.display_name.as_deref().unwrap_or("")),
                    )
                })
                .collect(),
        };
        // SAFETY: checked not NULL; writable by contract.
        unsafe { put(out, Box::into_raw(Box::new(list)), "out") }
    })
}

/// The number of address books in `list` (0 for NULL).
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `list` is NULL or a live list from `cti_discover`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_books_len(list: *const CtiBooks) -> usize {
    crate::error::shielded(0, || {
        // SAFETY: the caller's contract.
        unsafe { list.as_ref() }.map_or(0, |l| l.items.len())
    })
}

/// Address book `index` of `list` into `*out`; its strings are borrowed from
/// `list`, valid until `cti_books_free(list)`.
///
/// Errors: `CTI_ERR_INVALID_ARGUMENT` for NULL or an index out of range.
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `list` NULL or live; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_books_get(
    list: *const CtiBooks,
    index: usize,
    out: *mut CtiAddressBook,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let list = unsafe { list.as_ref() }.ok_or_else(|| Failure::invalid("list is NULL"))?;
        let (url, name) = list
            .items
            .get(index)
            .ok_or_else(|| Failure::invalid(format!("index {index} out of range")))?;
        let book = CtiAddressBook {
            url: url.as_ptr(),
            display_name: name.as_ptr(),
        };
        // SAFETY: the caller's contract.
        unsafe { put(out, book, "out") }
    })
}

/// Frees a list of address books. NULL is ignored.
///
/// Thread-safety: no other thread may use the list during or after this call.
///
/// # Safety
/// `list` is NULL or from `cti_discover`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_books_free(list: *mut CtiBooks) {
    crate::error::shielded((), || {
        if !list.is_null() {
            // SAFETY: made by Box::into_raw here, freed once by contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

/// The digits to dial for `number` (a number in any form, or a `tel:`, `sip:` or
/// `callto:` link) on the phone book's line: only `0`-`9`, `*`, `#` and `,`.
///
/// Ownership: `number` borrowed; `*digits` is the caller's, freed with
/// `cti_string_free`. Thread-safety: any thread.
/// Errors: `CTI_ERR_NOT_A_NUMBER` when the text names no phone number.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; `number` NULL or NUL-terminated; `digits`
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_phonebook_dial(
    book: *const CtiPhonebook,
    number: *const c_char,
    digits: *mut *mut c_char,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (b, number) = unsafe { (self::book(book)?, text(number, "number")?) };
        let dialled = b
            .plan
            .dial(number)
            .map_err(|e| Failure::new(CTI_ERR_NOT_A_NUMBER, e.to_string()))?;
        // SAFETY: the caller's contract.
        unsafe { put_string(digits, &dialled, "digits") }
    })
}
