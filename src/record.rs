//! The records a folder holds and the opaque names around them: [`RecordId`],
//! [`Version`], [`SyncToken`], [`Record`] and [`RecordWarning`].
//!
//! These are plain values that every layer passes around (sources, the cache, the
//! lookup and search indexes, errors), so this module depends on nothing but the card
//! and row types they carry.

use std::fmt;
use std::sync::Arc;

use crate::schema::Row;
use crate::vcard::VCard;

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        // `Arc<str>` inside: caches and indexes hold hundreds of thousands of ids and
        // copy them into every new snapshot; a clone is a reference count.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Wraps a string.
            pub fn new(s: impl Into<String>) -> Self {
                Self(Arc::from(s.into()))
            }
            /// The string inside.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.0, f)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(Arc::from(s))
            }
        }
        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(Arc::from(s))
            }
        }
    };
}

string_newtype!(
    /// Identifies a record within its source (for CardDAV: the card's href).
    RecordId
);
string_newtype!(
    /// Opaque version of a record (for CardDAV: the ETag, quotes included).
    Version
);
string_newtype!(
    /// Opaque position in a source's change history.
    SyncToken
);

/// One contact: id, version, the native card and its table view.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Identity within the source.
    pub id: RecordId,
    /// Version the source holds; the base of the next update or delete.
    pub version: Version,
    /// The native vCard, kept so that writes lose nothing.
    pub card: VCard,
    /// The card as a table row under the source's schema.
    pub row: Row,
}

/// A non-fatal problem with one record during a listing or sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordWarning {
    /// The record (or href) concerned.
    pub id: RecordId,
    /// What was wrong; the record was skipped or kept as before.
    pub message: String,
}
