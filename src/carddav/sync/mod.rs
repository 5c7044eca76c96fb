//! Reading and writing cards: ETag listing, batched multiget, sync-collection, GET, PUT,
//! DELETE. Works on vCards; mapping to rows is [`super::source`]'s job.
//!
//! * Listings hand their cards to a [`CardSink`] as they arrive (a sync report's
//!   answer is read in stretches as it streams in, multigets batch by batch), so that
//!   a book of 100,000 cards is never held whole.
//! * Full listing: a Depth 1 PROPFIND of `getetag` (which also brings the collection's
//!   CTag and sync-token), then `addressbook-multiget` in batches. `addressbook-query`
//!   without a filter is not used: Synology rejects it, SOGo omits cards
//!   (carddav2fb#217, #50).
//! * A multiget that fails as a whole (sabre/dav 1.8 answers 404 when one href is gone;
//!   a body over the size cap) is split in halves down to single GETs, so one bad card
//!   costs a few requests and a warning, never the sync. Per-href 404s inside a 207 are
//!   cards deleted meanwhile and are skipped.
//! * Incremental: RFC 6578 `sync-collection` without `<limit>` (Xandikos truncates
//!   silently with it), asking for `address-data` right away so that a refresh after k
//!   changes is usually one request; a 507 on the collection means "truncated, ask again
//!   with the new token". An invalid token (403 or 412 with `valid-sync-token`) is
//!   [`Error::TokenExpired`]. A report with card data that fails as a whole (a 5xx, a
//!   body that does not parse, an answer that breaks off) is asked again without card
//!   data, and the cards come by multiget, narrowed down to GETs around a bad card.
//! * A listed card without an ETag is fetched rather than dropped, so that it is never
//!   taken for deleted.
//! * Single cards that cannot be had are warnings; only wrong credentials, an
//!   untrusted certificate or a server that cannot be reached end a sync.

mod collection;
mod listing;
mod write;

pub(crate) use collection::sync_collection;
pub(crate) use listing::{Batching, check, fetch, fetch_into, get, list_etags};
pub(crate) use write::{Precondition, WriteOutcome, delete, put};

use url::Url;

use super::client::Client;
use super::propfind::{multistatus, propfind};
use super::{href_key, percent_decode, xml};
use crate::error::{Error, Result};
use crate::record::{RecordId, RecordWarning};
use crate::vcard::VCard;

/// A card as the server holds it.
#[derive(Debug, Clone)]
pub(crate) struct RemoteCard {
    /// The href as the server sent it (or as we created it).
    pub href: String,
    /// Its ETag.
    pub etag: String,
    /// The card.
    pub card: VCard,
}

/// Cards fetched by href.
#[derive(Debug, Default)]
pub(crate) struct Fetched {
    pub cards: Vec<RemoteCard>,
    pub warnings: Vec<RecordWarning>,
    /// Hrefs that no longer exist.
    pub gone: Vec<String>,
}

/// A Depth 1 listing: `(href, etag)` of each card, and the collection's tokens.
#[derive(Debug, Default)]
pub(crate) struct EtagListing {
    pub entries: Vec<(String, String)>,
    pub ctag: Option<String>,
    pub sync_token: Option<String>,
    /// Entries skipped because their href points outside the book.
    pub warnings: Vec<RecordWarning>,
}

/// What a sync-collection report said besides the cards, which went to a
/// [`CardSink`].
#[derive(Debug, Default)]
pub(crate) struct Delta {
    pub token: String,
    pub warnings: Vec<RecordWarning>,
}

/// Where cards go as they arrive, so that a listing of 100,000 cards is never held
/// whole. Called from the fetching threads, one call at a time.
pub(crate) trait CardSink: Send {
    /// Cards that arrived (or changed); one with an href delivered before replaces it.
    fn cards(&mut self, cards: Vec<RemoteCard>) -> Result<()>;
    /// Cards found gone, also ones delivered before.
    fn removed(&mut self, hrefs: Vec<String>) -> Result<()>;
    /// Forget every card and removal delivered so far: the listing starts over.
    fn restart(&mut self) -> Result<()>;
}

/// A [`CardSink`] that keeps what it is given (a sync's changes, which are few), the
/// last word on each href counting, in the order the hrefs first came.
#[derive(Debug)]
pub(crate) struct Collect<'a> {
    book: &'a Url,
    /// href key -> index into `entries`.
    index: std::collections::HashMap<String, usize>,
    /// `(href, Some(card))` for a changed card, `(href, None)` for a removed one.
    entries: Vec<(String, Option<RemoteCard>)>,
}

impl<'a> Collect<'a> {
    /// An empty collection for the cards of `book`.
    pub fn new(book: &'a Url) -> Collect<'a> {
        Collect {
            book,
            index: std::collections::HashMap::new(),
            entries: Vec::new(),
        }
    }

    fn put(&mut self, href: String, card: Option<RemoteCard>) {
        let key = href_key(self.book, &href);
        match self.index.get(&key) {
            Some(&i) => self.entries[i] = (href, card),
            None => {
                self.index.insert(key, self.entries.len());
                self.entries.push((href, card));
            }
        }
    }

    /// The changed cards and the removed hrefs.
    pub fn into_parts(self) -> (Vec<RemoteCard>, Vec<String>) {
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        for (href, card) in self.entries {
            match card {
                Some(c) => changed.push(c),
                None => removed.push(href),
            }
        }
        (changed, removed)
    }
}

impl CardSink for Collect<'_> {
    fn cards(&mut self, cards: Vec<RemoteCard>) -> Result<()> {
        for c in cards {
            self.put(c.href.clone(), Some(c));
        }
        Ok(())
    }

    fn removed(&mut self, hrefs: Vec<String>) -> Result<()> {
        for h in hrefs {
            self.put(h, None);
        }
        Ok(())
    }

    fn restart(&mut self) -> Result<()> {
        self.index.clear();
        self.entries.clear();
        Ok(())
    }
}

fn is_book(book: &Url, href: &str) -> bool {
    href_key(book, href).trim_end_matches('/') == href_key(book, "").trim_end_matches('/')
}

/// Whether `href` names a resource inside `book`: same origin, path below the book's.
/// A listing that names anything else (another host, `/etc/passwd`, a `mailto:`) is
/// hostile or broken: following it would send requests, maybe credentials, where the
/// user never pointed, and one unreachable host would fail every sync.
pub(crate) fn inside(book: &Url, href: &str) -> bool {
    let Ok(u) = book.join(href.trim()) else {
        return false;
    };
    let mut base = percent_decode(book.path());
    if !base.ends_with('/') {
        base.push('/');
    }
    let path = percent_decode(u.path());
    u.origin() == book.origin() && path.len() > base.len() && path.starts_with(&base)
}

fn outside_warning(href: &str) -> RecordWarning {
    warning(
        href,
        "entry skipped: its href points outside the address book",
    )
}

fn warning(href: &str, message: impl Into<String>) -> RecordWarning {
    RecordWarning {
        id: RecordId::new(href),
        message: message.into(),
    }
}

fn parse_card(
    href: &str,
    etag: String,
    data: &str,
) -> std::result::Result<RemoteCard, RecordWarning> {
    match VCard::parse(data.as_bytes()) {
        Ok(card) => Ok(RemoteCard {
            href: href.to_owned(),
            etag,
            card,
        }),
        Err(e) => Err(warning(
            href,
            format!("card skipped, it does not parse: {e}"),
        )),
    }
}

/// A PROPFIND of `props` at `book` that must answer 207: its multistatus.
///
/// # Errors
/// [`Error::NotFound`] for a 404; [`Error::InvalidResponse`] for any other status or
/// a body that does not parse.
fn book_propfind(
    client: &Client,
    book: &Url,
    depth: &str,
    props: &[(&str, &str)],
) -> Result<xml::Multistatus> {
    let reply = propfind(client, book, depth, xml::propfind(props))?;
    match reply.status {
        207 => multistatus(&reply),
        404 => Err(Error::not_found(book)),
        s => Err(reply.invalid(format!("PROPFIND answered {s}"))),
    }
}

/// Whether a request that failed as a whole may succeed when narrowed (without card
/// data, fewer cards, one card): the server answered, but with a 5xx or something that
/// is no usable answer, or the answer broke off. Not when the server cannot be reached
/// at all or does not answer in time, and not for credentials, certificates, a missing
/// book or an expired token, which a narrower request meets the same way.
pub(crate) fn narrower_may_help(e: &Error) -> bool {
    match e {
        Error::Server { .. } | Error::InvalidResponse { .. } => true,
        Error::Network { .. } => super::client::broke_off(e),
        _ => false,
    }
}

/// Whether a failed request for cards ends the whole sync: wrong credentials, an
/// untrusted certificate, a server that cannot be reached. Everything else about
/// single cards becomes a warning.
fn stops_the_sync(e: &Error) -> bool {
    match e {
        Error::Unauthorized { .. } | Error::Certificate { .. } => true,
        Error::Network { .. } => !narrower_may_help(e),
        _ => false,
    }
}
