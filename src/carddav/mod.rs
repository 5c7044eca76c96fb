//! CardDAV backend: discovery, login, listing, sync and writes (RFC 6352, RFC 6578).
//!
//! * [`discover`] finds the address books behind whatever URL a user typed: the book
//!   itself, a home set, a principal, a DAV root (`https://host/remote.php/dav`) or the
//!   bare server (`https://host`). It tries the URL as given, then
//!   `/.well-known/carddav` (RFC 6764), then `/`.
//! * [`CardDavSource`] is one address book as a
//!   [`PhonebookSource`](crate::PhonebookSource).
//! * [`CardDavConfig`] holds the URL, credentials and HTTP limits.
//!
//! The layers: `xml` builds request bodies and parses multistatus answers (pure),
//! `client` is the only code that does HTTP, `discover` and `sync` are the protocol
//! flows over it.
//!
//! Everything here is blocking (`reqwest::blocking`). Calling it from inside an async
//! runtime panics; async hosts use `spawn_blocking`.
//!
//! Server behaviour this code survives, with the bug reports that show it, is listed in
//! the README ("Supported servers and their quirks").
//!
//! ```no_run
//! use cti_phonebook::carddav::{self, CardDavConfig, CardDavSource};
//! use cti_phonebook::PhonebookSource;
//!
//! let config = CardDavConfig::builder("https://cloud.example.org")
//!     .password("alice", "secret")
//!     .build()?;
//! let books = carddav::discover(&config)?;
//! let source = CardDavSource::open(config.with_url(books[0].url.clone()))?;
//! let listing = source.list()?;
//! println!("{} contacts, {} requests", listing.records.len(), listing.requests);
//! # Ok::<(), cti_phonebook::Error>(())
//! ```

mod client;
mod config;
mod discover;
mod dns;
mod href;
mod propfind;
mod raw_text;
mod source;
mod sync;

// The XML reader and the protocol names are public only for the fuzz targets and
// tests (feature `internals`); they are no stable API.
#[cfg(feature = "internals")]
pub mod names;
#[cfg(not(feature = "internals"))]
pub(crate) mod names;
#[cfg(feature = "internals")]
pub mod xml;
#[cfg(not(feature = "internals"))]
pub(crate) mod xml;

pub use config::{AuthScheme, CardDavConfig, CardDavConfigBuilder, Credentials, Secret};
pub use discover::{AddressBook, discover};
pub use source::CardDavSource;
/// The URL type of [`CardDavConfig::with_url`] and [`AddressBook::url`], re-exported so
/// that embedding programs need no `url` dependency of their own.
pub use url::Url;

pub(crate) use href::{href_key, percent_decode, resolve};
