//! A folder's table layout: its columns with kinds and labels.

use std::ffi::{CString, c_char};

use cti_phonebook::schema::ColumnKind;

use crate::book::{CtiPhonebook, book};
use crate::error::{Failure, guard};
use crate::strings::{c_string, put, text};

/// One column of a folder's table. Strings are UTF-8, borrowed from the
/// `CtiColumns` list, valid until `cti_columns_free`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CtiColumn {
    /// Stable name, the key of cells (`"display_name"`, `"phone1"`,
    /// `"address1_city"`).
    pub name: *const c_char,
    /// What it holds: `"field"`, `"phone"`, `"email"`, `"website"`, `"address"` or
    /// `"user"`.
    pub kind: *const c_char,
    /// The kind within that (`"business"`, `"mobile"`, `"home"` for phones, e-mails,
    /// websites and addresses); `""` for the others.
    pub subkind: *const c_char,
    /// The kind of input: `"text"`, `"multiline"`, `"phone"`, `"email"`, `"url"`,
    /// `"date"`.
    pub input: *const c_char,
    /// The English label (`"Business phone"`).
    pub label_en: *const c_char,
    /// The German label (`"Telefon geschäftlich"`).
    pub label_de: *const c_char,
    /// The vCard property a value is written to (`"TEL"`, `"ADR"`, `"N"`).
    pub property: *const c_char,
}

struct OneColumn {
    strings: [CString; 7],
}

/// The columns of a folder, in display order. Opaque; freed by
/// `cti_columns_free`.
pub struct CtiColumns {
    items: Vec<OneColumn>,
}

fn kinds(kind: &ColumnKind) -> (&'static str, String) {
    match kind {
        ColumnKind::Field(_) => ("field", String::new()),
        ColumnKind::Phone(_, k) => ("phone", k.to_string()),
        ColumnKind::Email(_, k) => ("email", k.to_string()),
        ColumnKind::Website(_, k) => ("website", k.to_string()),
        ColumnKind::Address(_, k, _) => ("address", k.to_string()),
        ColumnKind::User(..) => ("user", String::new()),
        _ => ("other", String::new()),
    }
}

/// The columns of folder `folder` (its schema), with labels.
///
/// Ownership: `*out` is the caller's, freed with `cti_columns_free`.
/// Thread-safety: any thread. Errors: `CTI_ERR_NOT_FOUND` for no such folder.
///
/// # Safety
/// `book` as for `cti_phonebook_free`; `folder` NULL or NUL-terminated; `out` NULL
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_folder_columns(
    book: *const CtiPhonebook,
    folder: *const c_char,
    out: *mut *mut CtiColumns,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let (b, name) = unsafe { (self::book(book)?, text(folder, "folder")?) };
        if out.is_null() {
            return Err(Failure::invalid("out is NULL"));
        }
        let f = b.folder(name)?;
        let items = f
            .source()
            .schema()
            .column_infos()
            .iter()
            .map(|c| {
                let (kind, subkind) = kinds(&c.kind);
                OneColumn {
                    strings: [
                        c_string(&c.name),
                        c_string(kind),
                        c_string(&subkind),
                        c_string(c.input.as_str()),
                        c_string(&c.label_en),
                        c_string(&c.label_de),
                        c_string(&c.property),
                    ],
                }
            })
            .collect();
        // SAFETY: checked not NULL; writable by contract.
        unsafe { put(out, Box::into_raw(Box::new(CtiColumns { items })), "out") }
    })
}

/// The number of columns in `list` (0 for NULL).
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `list` NULL or from `cti_folder_columns`, not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_columns_len(list: *const CtiColumns) -> usize {
    crate::error::shielded(0, || {
        // SAFETY: the caller's contract.
        unsafe { list.as_ref() }.map_or(0, |l| l.items.len())
    })
}

/// Column `index` of `list` into `*out` (strings borrowed from `list`).
///
/// Errors: `CTI_ERR_INVALID_ARGUMENT` for NULL or an index out of range.
///
/// Thread-safety: any thread (lists are immutable).
///
/// # Safety
/// `list` NULL or from `cti_folder_columns`, not freed; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_columns_get(
    list: *const CtiColumns,
    index: usize,
    out: *mut CtiColumn,
) -> i32 {
    guard(|| {
        // SAFETY: the caller's contract.
        let c = unsafe { list.as_ref() }
            .and_then(|l| l.items.get(index))
            .ok_or_else(|| Failure::invalid(format!("no column {index}")))?;
        let [name, kind, subkind, input, label_en, label_de, property] = &c.strings;
        let one = CtiColumn {
            name: name.as_ptr(),
            kind: kind.as_ptr(),
            subkind: subkind.as_ptr(),
            input: input.as_ptr(),
            label_en: label_en.as_ptr(),
            label_de: label_de.as_ptr(),
            property: property.as_ptr(),
        };
        // SAFETY: the caller's contract.
        unsafe { put(out, one, "out") }
    })
}

/// Frees a list of columns. NULL is ignored.
///
/// Thread-safety: no other thread may use the list during or after this call.
///
/// # Safety
/// `list` NULL or from `cti_folder_columns`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cti_columns_free(list: *mut CtiColumns) {
    crate::error::shielded((), || {
        if !list.is_null() {
            // SAFETY: made by Box::into_raw here, freed once by contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}
