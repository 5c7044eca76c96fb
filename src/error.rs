//! The crate's one public error type.
//!
//! Variants are the situations a caller branches on; the human-readable detail is in
//! the `Display` text. Credentials never appear in any variant.

use std::fmt;

use crate::record::{Record, RecordId, Version};

/// The underlying error of an [`Error`], kept so that hosts can log the whole chain
/// ([`std::error::Error::source`]).
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `cti-phonebook`.
///
/// Match on the variant to decide what to do (ask for a password again on
/// [`Error::Unauthorized`], do a full listing on [`Error::TokenExpired`], ask for the
/// server's CA on [`Error::Certificate`], retry later when [`Error::is_transient`] is
/// true); show the `Display` text to people.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The record or resource does not exist (any more).
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for (record id, URL, folder name).
        what: String,
    },
    /// The record was changed by someone else since the version the write was based on.
    ///
    /// `current` carries the source's current version of the record when it is known,
    /// so that the caller holds both sides and nothing is lost.
    #[error("conflict: {id} was changed on the server since version {based_on}")]
    Conflict {
        /// Id of the record.
        id: RecordId,
        /// The version the rejected write was based on (empty for a create that met an
        /// existing record).
        based_on: Version,
        /// The current record at the source, when it could be fetched.
        current: Option<Box<Record>>,
    },
    /// The server refused the credentials (or wants some and got none).
    #[error("unauthorized: the server at {url} refused the credentials")]
    Unauthorized {
        /// The URL that answered 401/403.
        url: String,
    },
    /// The folder is working from its cache without a connection to its source (it
    /// was opened with an [`OfflineSource`](crate::cache::OfflineSource)): connect it
    /// with [`CachedFolder::set_source`](crate::cache::CachedFolder::set_source).
    /// Transient; the cache is unchanged.
    #[error("folder '{folder}' is not connected (working from the cache)")]
    NotConnected {
        /// The folder's name.
        folder: String,
    },
    /// The source or folder does not accept writes.
    #[error("read-only: {0}")]
    ReadOnly(String),
    /// The sync token is no longer accepted; do a full listing instead.
    #[error("sync token expired or invalid; a full listing is needed")]
    TokenExpired,
    /// A network failure (connect, timeout, reset); worth retrying later.
    #[error("network error talking to {url}: {reason}")]
    Network {
        /// The URL of the request.
        url: String,
        /// What happened.
        reason: String,
        /// The transport's own error, when there is one.
        #[source]
        cause: Option<Cause>,
    },
    /// The server answered with an error of its own (a 5xx status): it is reachable,
    /// but failed this request. Transient like [`Error::Network`], and not a sign of
    /// being offline.
    #[error("the server answered {status} to a request for {url}{}", reason_suffix(.reason))]
    Server {
        /// The URL of the request.
        url: String,
        /// The HTTP status, 500 to 599.
        status: u16,
        /// The status's reason and the start of the answer's body, if any.
        reason: String,
    },
    /// The server's TLS certificate was refused: issued by an unknown or private CA,
    /// self-signed, expired or not yet valid, or made out for another host name.
    ///
    /// Not transient: the same call fails the same way until the certificate is
    /// trusted ([`CardDavConfigBuilder::ca_file`] names the CA of a company server) or
    /// the server is fixed. Tell the user the server is not trusted, not that the
    /// network is down.
    ///
    /// [`CardDavConfigBuilder::ca_file`]: crate::carddav::CardDavConfigBuilder::ca_file
    #[error("the server's certificate is not trusted ({url}): {reason}")]
    Certificate {
        /// The URL of the request.
        url: String,
        /// What is wrong with the certificate.
        reason: String,
        /// The TLS library's own error, when there is one.
        #[source]
        cause: Option<Cause>,
    },
    /// The peer answered something we cannot use (malformed XML, wrong status, too large).
    #[error("invalid response from {url}: {reason}")]
    InvalidResponse {
        /// The URL of the request.
        url: String,
        /// What was wrong with it.
        reason: String,
    },
    /// Nothing at the URL speaks CardDAV (no principal, no home set, no address book).
    #[error("not a CardDAV server: {url} ({reason})")]
    NotCardDav {
        /// The URL the user gave.
        url: String,
        /// Why discovery gave up.
        reason: String,
    },
    /// The configuration is unusable (bad URL, unreadable CA file, bad column name, ...).
    #[error("configuration error: {0}")]
    Config(String),
    /// The source cannot do this (e.g. incremental sync on a source without tokens).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A vCard could not be parsed.
    #[error("invalid vCard: {0}")]
    VCard(#[from] crate::vcard::ParseError),
    /// The local cache failed (unreadable, damaged, disk full).
    #[error("cache error: {reason}")]
    Cache {
        /// The file or directory concerned and what went wrong with it.
        reason: String,
        /// The storage layer's own error (SQLite, the file system), when there is one.
        #[source]
        cause: Option<Cause>,
    },
    /// Another process held a lock on the cache file for longer than the cache waits
    /// ([`cache::LOCK_WAIT`](crate::cache::LOCK_WAIT)). Nothing was read or changed,
    /// and the file is not damaged: the same call succeeds once the other process is
    /// done, so this is transient.
    #[error("cache locked: {0}")]
    CacheLocked(String),
    /// An I/O error outside the network (files, processes).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// True when the same call may succeed later without any change by the caller
    /// ([`Error::Network`]: connection failures and timeouts; [`Error::Server`]: a 5xx
    /// answer; [`Error::CacheLocked`]: a cache file another process holds locked;
    /// [`Error::NotConnected`]: a folder working from its cache).
    /// False for everything else, [`Error::Certificate`] included: an untrusted
    /// certificate stays untrusted.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Network { .. }
                | Error::Server { .. }
                | Error::CacheLocked(_)
                | Error::NotConnected { .. }
        )
    }

    /// An [`Error::Cache`] about `path`, keeping `cause` as the error's source.
    pub fn cache(
        path: &std::path::Path,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        let cause = cause.into();
        Error::Cache {
            reason: format!("{}: {cause}", path.display()),
            cause: Some(cause),
        }
    }

    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(what: impl fmt::Display) -> Self {
        Error::NotFound {
            what: what.to_string(),
        }
    }
}

fn reason_suffix(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    }
}
