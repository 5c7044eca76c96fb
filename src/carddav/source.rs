//! [`CardDavSource`]: one CardDAV address book as a [`PhonebookSource`].

use std::sync::{Mutex, RwLock};

use url::Url;

use super::client::Client;
use super::discover::{self, AddressBook};
use super::sync::{self, Precondition, RemoteCard, WriteOutcome};
use super::{CardDavConfig, href_key, xml};
use crate::error::{Error, Result};
use crate::schema::{Row, Schema};
use crate::source::{
    Changes, Collected, KnownVersions, Listing, PhonebookSource, ProgressFn, Record, RecordId,
    RecordSink, SourceInfo, SyncProgress, SyncToken, Version,
};
use crate::vcard::{self, VCard};

/// One CardDAV address book as a [`PhonebookSource`].
///
/// Record ids are the cards' hrefs as the server sent them; versions are ETags (with
/// quotes, also when the server left them out). Sync tokens are ours and opaque: they
/// wrap the server's sync-token where it has RFC 6578 sync, else its CTag.
///
/// Request costs (see the README for measurements): a [`list`](PhonebookSource::list)
/// of N cards is one sync-collection report on a server with RFC 6578 (else, or when
/// that report fails, 1 PROPFIND + ⌈N / batch⌉ multigets); a refresh with nothing
/// changed is one request; after k changes, one sync-collection report (servers with sync) or a
/// CTag check + ETag listing + ⌈k / batch⌉ multigets (servers without). A write is a
/// PUT or DELETE; create and update add one GET of the stored card, because servers
/// change what they store.
///
/// Progress ([`list_with_progress`](PhonebookSource::list_with_progress),
/// [`changes_since_with_progress`](PhonebookSource::changes_since_with_progress)):
/// once the ETag listing or sync report says how many cards to fetch, an event with
/// that total (at fetched 0, or at the cards a sync report carried itself), then one
/// after each multiget batch. A completed call always reports at least once and ends
/// at `fetched == total`; a refresh with nothing changed reports `0 of 0`. The
/// callback runs on the calling thread between requests, with no lock held.
#[derive(Debug)]
pub struct CardDavSource {
    client: Client,
    config: CardDavConfig,
    book: AddressBook,
    schema: RwLock<Schema>,
    /// Held while a conditional write (update, delete) is on the wire, so that
    /// two threads of one application never race inside the server's check of
    /// `If-Match`: a server that checks and then writes without a lock of its
    /// own (Xandikos was seen doing so) would accept both and lose one.
    writes: Mutex<()>,
}

const SYNC: &str = "sync:";
const CTAG: &str = "ctag:";
const ETAGS: &str = "etags:";

impl CardDavSource {
    /// Opens the address book at `config`'s URL, which must be the book itself (use
    /// [`discover`](super::discover) to find it from a server URL). One PROPFIND.
    ///
    /// # Errors
    /// [`Error::Unauthorized`], [`Error::Network`], [`Error::Certificate`],
    /// [`Error::NotFound`], and [`Error::NotCardDav`] when the URL is not an address book.
    pub fn open(config: CardDavConfig) -> Result<Self> {
        let client = Client::new(&config)?;
        let book = discover::book_info(&client, &config.url)?;
        Ok(CardDavSource::assemble(client, config, book))
    }

    /// A source of `book` over `client`, with the default schema.
    fn assemble(client: Client, config: CardDavConfig, book: AddressBook) -> CardDavSource {
        CardDavSource {
            client,
            config,
            book,
            schema: RwLock::new(Schema::default()),
            writes: Mutex::new(()),
        }
    }

    /// Opens `book` without a request, from what [`discover`](super::discover) or an
    /// earlier [`open`](Self::open) found ([`address_book`](Self::address_book)):
    /// applications that store the book with the folder start a sync with no round
    /// trip of its own. Properties that went stale are met as they come (a server that
    /// lost sync support is compared by ETags, a book that moved is
    /// [`Error::NotFound`] on the first sync). `config`'s URL is replaced by the book's.
    ///
    /// # Errors
    /// [`Error::Config`] when the HTTP client cannot be set up (an unreadable CA file).
    pub fn with_address_book(config: CardDavConfig, book: AddressBook) -> Result<Self> {
        let config = config.with_url(book.url.clone());
        let client = Client::new(&config)?;
        Ok(CardDavSource::assemble(client, config, book))
    }

    /// Discovers the address books behind `config`'s URL (any form [`discover`](super::discover)
    /// accepts) and opens the first one.
    ///
    /// # Errors
    /// As [`discover`](super::discover); [`Error::NotFound`] when the account has no
    /// address book.
    pub fn discover_first(config: CardDavConfig) -> Result<Self> {
        let client = Client::new(&config)?;
        let books = discover::discover_with(&client, &config)?;
        let book = books
            .into_iter()
            .next()
            .ok_or_else(|| Error::not_found(format!("address book at {}", config.url)))?;
        let config = config.with_url(book.url.clone());
        Ok(CardDavSource::assemble(client, config, book))
    }

    /// Uses `schema` to map cards to rows (default: [`Schema::default`]).
    pub fn with_schema(self, schema: Schema) -> Self {
        self.set_schema(schema);
        self
    }

    fn schema_now(&self) -> Schema {
        self.schema
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The address book as discovery saw it.
    pub fn address_book(&self) -> &AddressBook {
        &self.book
    }

    /// What is risky about this source's settings (plain http with a password, TLS
    /// checks off): [`CardDavConfig::warnings`]. Show them to the user.
    pub fn warnings(&self) -> Vec<String> {
        self.config.warnings()
    }

    /// The authentication scheme the book's server asked for, once a request has met
    /// its challenge or it was given as known (`None` before; over https Basic goes up
    /// front anyway). Store it with the folder and pass it to
    /// [`CardDavConfigBuilder::known_auth_scheme`] next time.
    ///
    /// [`CardDavConfigBuilder::known_auth_scheme`]: super::CardDavConfigBuilder::known_auth_scheme
    pub fn auth_scheme(&self) -> Option<super::AuthScheme> {
        self.client.auth_scheme(self.url())
    }

    /// What the next run needs to send credentials with its first request: the
    /// scheme the server asked for and, for Digest, its last challenge with the count
    /// of its nonce. Not a secret (no credential is in it). Store it with the folder
    /// and pass it to [`CardDavConfigBuilder::resume_auth`] next time; it changes as
    /// requests are made, so store it after the run's last one.
    ///
    /// [`CardDavConfigBuilder::resume_auth`]: super::CardDavConfigBuilder::resume_auth
    pub fn auth_resume(&self) -> Option<String> {
        self.client.auth_resume(self.url())
    }

    /// HTTP round trips made since the source was opened (opening included).
    pub fn requests(&self) -> u32 {
        self.client.requests()
    }

    /// Uploads an existing card as it is (an import): a new resource named after its
    /// UID (a UID is added when it has none), never overwriting an existing one.
    ///
    /// # Errors
    /// [`Error::Conflict`] when a resource with that name exists; server errors.
    pub fn import_card(&self, mut card: VCard) -> Result<Record> {
        let uid = match card.uid() {
            Some(u) if !u.trim().is_empty() => u,
            _ => {
                let u = new_uid();
                card.set_single("UID", Some(&u));
                u
            }
        };
        let href = href_for_uid(self.url(), &uid);
        match sync::put(
            &self.client,
            self.url(),
            &href,
            card.to_bytes(),
            Precondition::Create,
        )? {
            WriteOutcome::Done(etag) => self.stored(&href, etag, card),
            WriteOutcome::PreconditionFailed => Err(self.conflict(&RecordId::new(href), "")),
        }
    }

    fn url(&self) -> &Url {
        &self.book.url
    }

    fn record(&self, c: RemoteCard) -> Record {
        record_with(&self.schema_now(), c)
    }

    fn token_of(&self, ctag: Option<String>, sync_token: Option<String>) -> SyncToken {
        match (self.book.supports_sync, sync_token, ctag) {
            (true, Some(t), _) => SyncToken::new(format!("{SYNC}{t}")),
            (_, _, Some(c)) => SyncToken::new(format!("{CTAG}{c}")),
            _ => SyncToken::new(ETAGS),
        }
    }

    /// The caller's id for `href` when it knows the card under another spelling.
    fn id_for(
        &self,
        href: String,
        known: &std::collections::HashMap<String, RecordId>,
    ) -> RecordId {
        known
            .get(&href_key(self.url(), &href))
            .cloned()
            .unwrap_or_else(|| RecordId::new(href))
    }

    fn etag_diff(
        &self,
        known: &KnownVersions,
        before: u32,
        progress: ProgressFn<'_>,
    ) -> Result<Changes> {
        let listing = sync::list_etags(&self.client, self.url())?;
        let keys: std::collections::HashMap<String, (&RecordId, String)> = known
            .iter()
            .map(|(id, v)| {
                (
                    href_key(self.url(), id.as_str()),
                    (id, xml::normalize_etag(v.as_str())),
                )
            })
            .collect();
        let mut present = std::collections::HashSet::new();
        let mut fetch = Vec::new();
        for (href, etag) in &listing.entries {
            let key = href_key(self.url(), href);
            match keys.get(&key) {
                Some((_, v)) if !etag.is_empty() && *v == xml::normalize_etag(etag) => {}
                _ => fetch.push(href.clone()),
            }
            present.insert(key);
        }
        let mut removed: Vec<RecordId> = keys
            .iter()
            .filter(|(k, _)| !present.contains(*k))
            .map(|(_, (id, _))| (*id).clone())
            .collect();
        let mut f = self.fetch(&fetch, progress)?;
        f.warnings.splice(0..0, listing.warnings);
        let ids: std::collections::HashMap<String, RecordId> = keys
            .iter()
            .map(|(k, (id, _))| (k.clone(), (*id).clone()))
            .collect();
        removed.extend(f.gone.into_iter().map(|h| self.id_for(h, &ids)));
        let changed = f
            .cards
            .into_iter()
            .map(|mut c| {
                c.href = self.id_for(c.href, &ids).as_str().to_owned();
                self.record(c)
            })
            .collect();
        Ok(Changes {
            changed,
            removed,
            token: Some(self.token_of(listing.ctag, listing.sync_token)),
            warnings: f.warnings,
            requests: self.client.requests() - before,
        })
    }

    /// Fetches `hrefs` in multiget batches, reporting `0 of n` first and then after
    /// each batch.
    fn fetch(&self, hrefs: &[String], progress: ProgressFn<'_>) -> Result<sync::Fetched> {
        let total = Some(hrefs.len());
        progress(SyncProgress::new(0, total));
        sync::fetch(
            &self.client,
            self.url(),
            hrefs,
            self.config.batching(),
            &|n| progress(SyncProgress::new(n, total)),
        )
    }

    /// The error for a failed precondition: a conflict carrying the current record,
    /// or [`Error::NotFound`] when the card is gone (an `If-Match` on a missing
    /// resource is a 412 too, RFC 9110 §13.1.1; sabre/dav answers so).
    fn conflict(&self, id: &RecordId, based_on: &str) -> Error {
        let current = match sync::get(&self.client, self.url(), id.as_str()) {
            Ok(c) => Some(Box::new(self.record(c))),
            Err(Error::NotFound { .. }) if !based_on.is_empty() => {
                return Error::not_found(id);
            }
            Err(_) => None,
        };
        Error::Conflict {
            id: id.clone(),
            based_on: Version::new(based_on),
            current,
        }
    }

    /// After a successful PUT: the record as the server stores it, fetched with one
    /// GET. Servers change what they store (Radicale re-serializes and drops bare 2.1
    /// type parameters, sabre/dav adds UID/PRODID), and a cache that kept our bytes
    /// under the server's ETag would never notice the difference. Without an ETag in
    /// the PUT answer (sabre-io/dav#732) the GET is needed anyway: reusing an old ETag
    /// causes endless conflicts (nametag#392). Should that GET fail after the write
    /// succeeded, our own bytes and the PUT's ETag stand in when there is one.
    fn stored(&self, href: &str, etag: Option<String>, card: VCard) -> Result<Record> {
        match (sync::get(&self.client, self.url(), href), etag) {
            (Ok(c), _) => Ok(self.record(c)),
            (Err(Error::NotFound { .. }), _) => Err(Error::not_found(href)),
            (Err(_), Some(etag)) => Ok(self.record(RemoteCard {
                href: href.to_owned(),
                etag,
                card,
            })),
            (Err(e), None) => Err(e),
        }
    }
}

impl PhonebookSource for CardDavSource {
    fn info(&self) -> SourceInfo {
        let name = self.book.display_name.clone().unwrap_or_else(|| {
            self.url()
                .path_segments()
                .and_then(|mut s| s.rfind(|s| !s.is_empty()))
                .map(super::percent_decode)
                .unwrap_or_else(|| self.url().to_string())
        });
        SourceInfo {
            name,
            writable: true,
            incremental: self.book.supports_sync,
        }
    }

    fn schema(&self) -> Schema {
        self.schema_now()
    }

    fn set_schema(&self, schema: Schema) {
        *self.schema.write().unwrap_or_else(|e| e.into_inner()) = schema;
    }

    fn list(&self) -> Result<Listing> {
        self.list_with_progress(&|_| {})
    }

    fn changes_since(&self, token: &SyncToken, known: &KnownVersions) -> Result<Changes> {
        self.changes_since_with_progress(token, known, &|_| {})
    }

    fn list_with_progress(&self, progress: ProgressFn<'_>) -> Result<Listing> {
        let mut all = Collected::new();
        let mut listing = self.list_into(progress, &mut all)?;
        listing.records = all.into_records();
        Ok(listing)
    }

    fn list_into(&self, progress: ProgressFn<'_>, sink: &mut dyn RecordSink) -> Result<Listing> {
        let before = self.client.requests();
        let mut sink = Mapped {
            schema: self.schema_now(),
            sink,
        };
        if self.book.supports_sync {
            // One sync-collection report from an empty token brings every card with
            // its data and the token: the fewest requests a full listing can take.
            match sync::sync_collection(
                &self.client,
                self.url(),
                "",
                self.config.batching(),
                progress,
                &mut sink,
            ) {
                Ok(delta) => {
                    return Ok(Listing {
                        records: Vec::new(),
                        token: Some(SyncToken::new(format!("{SYNC}{}", delta.token))),
                        warnings: delta.warnings,
                        requests: self.client.requests() - before,
                    });
                }
                // No report after all, or one that fails as a whole: the ETag
                // listing and multigets below need none.
                Err(e)
                    if sync::narrower_may_help(&e)
                        || matches!(e, Error::Unsupported(_) | Error::TokenExpired) =>
                {
                    sync::CardSink::restart(&mut sink)?;
                }
                Err(e) => return Err(e),
            }
        }
        let listing = sync::list_etags(&self.client, self.url())?;
        let hrefs: Vec<String> = listing.entries.iter().map(|(h, _)| h.clone()).collect();
        let total = Some(hrefs.len());
        progress(SyncProgress::new(0, total));
        let mut warnings = listing.warnings;
        warnings.extend(sync::fetch_into(
            &self.client,
            self.url(),
            &hrefs,
            self.config.batching(),
            &|n| progress(SyncProgress::new(n, total)),
            &mut sink,
        )?);
        Ok(Listing {
            records: Vec::new(),
            token: Some(self.token_of(listing.ctag, listing.sync_token)),
            warnings,
            requests: self.client.requests() - before,
        })
    }

    fn changes_since_with_progress(
        &self,
        token: &SyncToken,
        known: &KnownVersions,
        progress: ProgressFn<'_>,
    ) -> Result<Changes> {
        let before = self.client.requests();
        let t = token.as_str();
        if let Some(server_token) = t.strip_prefix(SYNC) {
            let mut collect = sync::Collect::new(self.url());
            let delta = match sync::sync_collection(
                &self.client,
                self.url(),
                server_token,
                self.config.batching(),
                progress,
                &mut collect,
            ) {
                // The server lost sync support (downgrade): compare ETags instead.
                Err(Error::Unsupported(_)) => return self.etag_diff(known, before, progress),
                // The report failed as a whole, with card data and without: a full
                // listing (PROPFIND and multigets, narrowed down around a bad card)
                // needs no report, and unlike an ETag diff without known versions it
                // also sees what was deleted.
                Err(e) if sync::narrower_may_help(&e) => return Err(Error::TokenExpired),
                other => other?,
            };
            let ids: std::collections::HashMap<String, RecordId> = known
                .keys()
                .map(|id| (href_key(self.url(), id.as_str()), id.clone()))
                .collect();
            let (changed, removed) = collect.into_parts();
            let changed = changed
                .into_iter()
                .map(|mut c| {
                    c.href = self.id_for(c.href, &ids).as_str().to_owned();
                    self.record(c)
                })
                .collect();
            return Ok(Changes {
                changed,
                removed: removed.into_iter().map(|h| self.id_for(h, &ids)).collect(),
                token: Some(SyncToken::new(format!("{SYNC}{}", delta.token))),
                warnings: delta.warnings,
                requests: self.client.requests() - before,
            });
        }
        if let Some(ctag) = t.strip_prefix(CTAG) {
            let (now, _) = sync::check(&self.client, self.url())?;
            if now.as_deref() == Some(ctag) {
                progress(SyncProgress::new(0, Some(0)));
                return Ok(Changes {
                    token: Some(token.clone()),
                    requests: self.client.requests() - before,
                    ..Changes::default()
                });
            }
            return self.etag_diff(known, before, progress);
        }
        if t == ETAGS || !self.book.supports_sync {
            // Without a change log any token is as good as none: compare versions.
            return self.etag_diff(known, before, progress);
        }
        // Not one of ours: the caller must start over with a full listing.
        Err(Error::TokenExpired)
    }

    fn get(&self, id: &RecordId) -> Result<Record> {
        sync::get(&self.client, self.url(), id.as_str()).map(|c| self.record(c))
    }

    fn create(&self, row: &Row) -> Result<Record> {
        let mut card = new_card(&self.schema_now(), row, self.book.preferred_version());
        // Radicale and Xandikos reject a card without FN.
        if card.first("FN").is_none() {
            card.set_single("FN", Some(""));
        }
        self.import_card(card)
    }

    fn update(&self, base: &Record, row: &Row) -> Result<Record> {
        let mut card = base.card.clone();
        merge(&self.schema_now(), &mut card, row);
        let etag = xml::normalize_etag(base.version.as_str());
        let _one_at_a_time = self.writes.lock().unwrap_or_else(|e| e.into_inner());
        match sync::put(
            &self.client,
            self.url(),
            base.id.as_str(),
            card.to_bytes(),
            Precondition::Match(&etag),
        )? {
            WriteOutcome::Done(etag) => self.stored(base.id.as_str(), etag, card),
            WriteOutcome::PreconditionFailed => Err(self.conflict(&base.id, base.version.as_str())),
        }
    }

    fn delete(&self, id: &RecordId, based_on: &Version) -> Result<()> {
        let etag = xml::normalize_etag(based_on.as_str());
        let _one_at_a_time = self.writes.lock().unwrap_or_else(|e| e.into_inner());
        match sync::delete(&self.client, self.url(), id.as_str(), &etag)? {
            WriteOutcome::Done(_) => Ok(()),
            WriteOutcome::PreconditionFailed => Err(self.conflict(id, based_on.as_str())),
        }
    }
}

fn to_row(schema: &Schema, card: &VCard) -> Row {
    schema.to_row(card)
}

fn merge(schema: &Schema, card: &mut VCard, row: &Row) {
    schema.merge(card, row);
}

fn new_card(schema: &Schema, row: &Row, version: vcard::Version) -> VCard {
    schema.new_card(row, version)
}

fn new_uid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The href of a new card: `<uid>.vcf` in the book when the UID is made of URL-safe
/// characters only (so no server re-encodes it: `@` vs `%40`), else a hash of it.
pub(crate) fn href_for_uid(book: &Url, uid: &str) -> String {
    use sha2::Digest as _;
    let uid = uid.trim();
    let uid = uid.strip_prefix("urn:uuid:").unwrap_or(uid);
    let safe = !uid.is_empty()
        && uid.len() <= 64
        && !uid.starts_with('.')
        && uid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    let name = if safe {
        uid.to_owned()
    } else {
        let h = sha2::Sha256::digest(uid.as_bytes());
        super::client::hex(&h[..16])
    };
    let mut path = book.path().to_owned();
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("{path}{name}.vcf")
}

/// A card as a record under `schema`.
fn record_with(schema: &Schema, c: RemoteCard) -> Record {
    Record {
        row: to_row(schema, &c.card),
        id: RecordId::new(c.href),
        version: Version::new(xml::normalize_etag(&c.etag)),
        card: c.card,
    }
}

/// The cards of a listing as records for a [`RecordSink`], mapped with the schema
/// of the listing's start.
struct Mapped<'a> {
    schema: Schema,
    sink: &'a mut dyn RecordSink,
}

impl sync::CardSink for Mapped<'_> {
    fn cards(&mut self, cards: Vec<RemoteCard>) -> Result<()> {
        if cards.is_empty() {
            return Ok(());
        }
        let records = cards
            .into_iter()
            .map(|c| record_with(&self.schema, c))
            .collect();
        self.sink.records(records)
    }

    fn removed(&mut self, hrefs: Vec<String>) -> Result<()> {
        if hrefs.is_empty() {
            return Ok(());
        }
        self.sink
            .removed(hrefs.into_iter().map(RecordId::new).collect())
    }

    fn restart(&mut self) -> Result<()> {
        self.sink.restart()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_from_uids_are_safe() {
        let book = Url::parse("http://h/a/book/").unwrap();
        assert_eq!(href_for_uid(&book, "abc-1"), "/a/book/abc-1.vcf");
        assert_eq!(
            href_for_uid(&book, "urn:uuid:6f1a-22"),
            "/a/book/6f1a-22.vcf"
        );
        for bad in ["../../etc/passwd", "a/b", "x@y", "a b", "", ".hidden"] {
            let h = href_for_uid(&book, bad);
            assert!(h.starts_with("/a/book/"), "{h}");
            let name = &h["/a/book/".len()..];
            assert!(name.len() == 36 && name.ends_with(".vcf"), "{h}");
        }
        let nob = Url::parse("http://h/a/book").unwrap();
        assert_eq!(href_for_uid(&nob, "x"), "/a/book/x.vcf");
    }
}
