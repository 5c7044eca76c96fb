//! # cti-phonebook
//!
//! CardDAV address books as read/write phone book folders for CTI (computer-telephony)
//! applications.
//!
//! A CTI client shows phone book folders as tables, dials from them and pops up the
//! caller's contact on an incoming call. This crate brings a CardDAV address book into
//! that world: it keeps every vCard losslessly ([`vcard`]), maps it to a fixed-column
//! table row ([`schema`]), and reads and writes it through the [`PhonebookSource`]
//! trait with ETag preconditions.
//!
//! ## Architecture
//!
//! The [`vcard`] engine keeps each card as its raw content lines, so a card that was
//! not edited is written back byte for byte. A [`Schema`] maps cards to [`Row`]s and
//! merges edited rows back into the card they came from. Backends implement the
//! blocking, object-safe [`PhonebookSource`] trait and are shared as
//! `Arc<dyn PhonebookSource>`; the network work is a rare background sync, while the
//! hot path (caller lookup) never touches the network. The [`carddav`] backend finds
//! address books ([`carddav::discover`]) and serves one as a
//! [`carddav::CardDavSource`].
//!
//! ## Quick start
//!
//! ```
//! use cti_phonebook::vcard::VCard;
//!
//! let card = VCard::parse(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nTEL;TYPE=WORK:+44 20 7946 0000\r\nEND:VCARD\r\n")?;
//! assert_eq!(card.tels()[0].number, "+44 20 7946 0000");
//! # Ok::<(), cti_phonebook::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cache;
pub mod calls;
pub mod carddav;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod error;
pub mod form;
pub mod labels;
pub mod lookup;
pub mod map;
pub mod memory;
pub mod phonebook;
pub mod record;
pub mod schema;
pub mod search;
pub mod source;
pub mod vcard;

pub use error::{Error, Result};
pub use lookup::{CallerIndex, DialPlan, MatchQuality};
pub use memory::MemorySource;
pub use phonebook::Phonebook;
pub use record::{Record, RecordId, SyncToken, Version};
pub use schema::{Row, Schema};
pub use source::{PhonebookSource, SyncProgress};

/// The README's code blocks, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
