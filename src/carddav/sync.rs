//! Reading and writing cards: ETag listing, batched multiget, sync-collection, GET, PUT,
//! DELETE. Works on vCards; mapping to rows is [`super::source`]'s job.
//!
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

use std::collections::HashMap;

use url::Url;

use super::client::{Client, Reply, Request};
use super::propfind::{multistatus, propfind};
use super::{href_key, names, percent_decode, resolve, xml};
use crate::error::{Error, Result};
use crate::record::{RecordId, RecordWarning};
use crate::source::{ProgressFn, SyncProgress};
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

/// What a sync-collection report said.
#[derive(Debug, Default)]
pub(crate) struct Delta {
    pub changed: Vec<RemoteCard>,
    pub removed: Vec<String>,
    pub token: String,
    pub warnings: Vec<RecordWarning>,
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

/// Depth 1 PROPFIND of the book: ETags of its cards plus its CTag and sync-token.
pub(crate) fn list_etags(client: &Client, book: &Url) -> Result<EtagListing> {
    let ms = book_propfind(client, book, "1", xml::LISTING_PROPS)?;
    let mut out = EtagListing::default();
    let mut seen = HashMap::new();
    for r in ms.responses {
        if is_book(book, &r.href) {
            out.ctag = r.props.ctag.or(out.ctag);
            out.sync_token = r.props.sync_token.or(out.sync_token);
            continue;
        }
        if r.status.is_some_and(|s| !(200..300).contains(&s))
            || r.props.resourcetype.as_ref().is_some_and(|t| t.collection)
        {
            continue;
        }
        // An entry without an ETag still names a card: listed with an empty ETag it
        // matches no cached version and is fetched, and the fetch brings its ETag.
        // Dropping it would make a sync read the card as deleted.
        let etag = r.props.etag.unwrap_or_default();
        if !inside(book, &r.href) {
            out.warnings.push(outside_warning(&r.href));
            continue;
        }
        // Duplicate hrefs (Zimbra, DavMail): the first one counts.
        if seen.insert(href_key(book, &r.href), ()).is_none() {
            out.entries.push((r.href, etag));
        }
    }
    Ok(out)
}

/// Depth 0 check of the book's CTag and sync-token: the cheap "anything changed?".
pub(crate) fn check(client: &Client, book: &Url) -> Result<(Option<String>, Option<String>)> {
    let ms = book_propfind(client, book, "0", xml::CHECK_PROPS)?;
    let mut ctag = None;
    let mut token = None;
    for r in ms.responses {
        if r.status.is_none_or(|s| (200..300).contains(&s)) {
            ctag = ctag.or(r.props.ctag);
            token = token.or(r.props.sync_token);
        }
    }
    Ok((ctag, token))
}

/// How [`fetch`] asks for cards: hrefs per multiget, and multigets in flight at once
/// (the server prepares the next batch while we parse the last one).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batching {
    pub size: usize,
    pub in_flight: usize,
}

/// Fetches `hrefs` with multigets of `batching.size` hrefs each, up to
/// `batching.in_flight` at a time. After each batch, `done` is told how many hrefs are dealt with so far
/// (fetched, skipped or gone); the count only grows. The cards come back in the order
/// of `hrefs`' batches.
///
/// # Errors
/// Only [`Error::Unauthorized`], [`Error::Certificate`] and an [`Error::Network`] that
/// is no answer at all: everything else about single cards (a 5xx, an answer that
/// breaks off) becomes a warning. After such an error no further batch is started.
pub(crate) fn fetch(
    client: &Client,
    book: &Url,
    hrefs: &[String],
    batching: Batching,
    done: &(dyn Fn(usize) + Sync),
) -> Result<Fetched> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let chunks: Vec<&[String]> = hrefs.chunks(batching.size.max(1)).collect();
    let results: Vec<Mutex<Option<Result<Fetched>>>> =
        chunks.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let finished = Mutex::new(0usize);
    let work = || {
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = chunks.get(i) else { break };
            let mut out = Fetched::default();
            let r = fetch_chunk(client, book, chunk, &mut out).map(|()| out);
            if r.is_err() {
                stop.store(true, Ordering::Relaxed);
            } else {
                // Told under the lock, so that the counts arrive in order.
                let mut n = finished.lock().unwrap_or_else(|e| e.into_inner());
                *n += chunk.len();
                done(*n);
            }
            *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        }
    };
    let helpers = batching.in_flight.min(chunks.len()).saturating_sub(1);
    std::thread::scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(work);
        }
        work();
    });
    let mut out = Fetched::default();
    for r in results {
        match r.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(Ok(f)) => {
                out.cards.extend(f.cards);
                out.warnings.extend(f.warnings);
                out.gone.extend(f.gone);
            }
            Some(Err(e)) => return Err(e),
            // Not started after another batch failed.
            None => {}
        }
    }
    Ok(out)
}

fn fetch_chunk(client: &Client, book: &Url, chunk: &[String], out: &mut Fetched) -> Result<()> {
    if chunk.is_empty() {
        return Ok(());
    }
    let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
    let req = Request::new("REPORT", book.clone())
        .header("Depth", "0")
        .body(names::XML_CONTENT_TYPE, xml::multiget(&refs));
    let parsed = match client.send(&req) {
        Ok(reply) if reply.status == 207 => multistatus(&reply).map_err(|e| e.to_string()),
        Ok(reply) => Err(format!("multiget answered {}", reply.status)),
        Err(e) if stops_the_sync(&e) => return Err(e),
        Err(e) => Err(e.to_string()),
    };
    let ms = match parsed {
        Ok(ms) => ms,
        Err(why) => {
            // The whole batch failed: sabre/dav 1.8 does that for one missing href;
            // a huge card does it through the size cap. Halve until it is one card.
            if chunk.len() > 1 {
                let (a, b) = chunk.split_at(chunk.len() / 2);
                for half in [a, b] {
                    if half.len() == 1 {
                        get_one(client, book, &half[0], &why, out)?;
                    } else {
                        fetch_chunk(client, book, half, out)?;
                    }
                }
                return Ok(());
            }
            return get_one(client, book, &chunk[0], &why, out);
        }
    };
    let wanted: HashMap<String, &String> = chunk.iter().map(|h| (href_key(book, h), h)).collect();
    let mut done: HashMap<String, ()> = HashMap::new();
    for r in ms.responses {
        let key = href_key(book, &r.href);
        // Ours are answered under the href we asked with; unknown ones are ignored.
        let Some(&asked) = wanted.get(&key) else {
            continue;
        };
        if done.contains_key(&key) {
            continue; // duplicate href
        }
        if r.status == Some(404) {
            done.insert(key, ());
            out.gone.push(asked.clone());
            continue;
        }
        // Without data or ETag (or with an error status) it is fetched by GET below.
        if let (Some(data), Some(etag)) = (r.props.address_data, r.props.etag) {
            done.insert(key, ());
            match parse_card(asked, etag, &data) {
                Ok(c) => out.cards.push(c),
                Err(w) => out.warnings.push(w),
            }
        }
    }
    for (key, href) in &wanted {
        if !done.contains_key(key) {
            // Left out of the answer or answered incompletely: GET tells.
            get_one(client, book, href, "not in the multiget answer", out)?;
        }
    }
    Ok(())
}

/// The fallback for one card whose multiget failed: GET it; gone is gone, anything
/// else is a warning.
fn get_one(client: &Client, book: &Url, href: &str, why: &str, out: &mut Fetched) -> Result<()> {
    match get(client, book, href) {
        Ok(c) => out.cards.push(c),
        Err(Error::NotFound { .. }) => out.gone.push(href.to_owned()),
        Err(e) if stops_the_sync(&e) => return Err(e),
        Err(e) => out.warnings.push(warning(
            href,
            format!("card skipped: {e} (multiget: {why})"),
        )),
    }
    Ok(())
}

/// GET one card. A missing `ETag` header is fetched with a Depth 0 PROPFIND.
///
/// # Errors
/// [`Error::NotFound`]; [`Error::InvalidResponse`] when the body is not a vCard.
pub(crate) fn get(client: &Client, book: &Url, href: &str) -> Result<RemoteCard> {
    let url = resolve(book, href)?;
    let reply = client.send(
        &Request::new("GET", url.clone())
            .header("Accept", "text/vcard, text/x-vcard;q=0.9, */*;q=0.5"),
    )?;
    match reply.status {
        200 => {}
        404 | 410 => return Err(Error::not_found(href)),
        s => return Err(reply.invalid(format!("GET answered {s}"))),
    }
    let card = VCard::parse(&reply.body).map_err(|e| reply.invalid(format!("not a vCard: {e}")))?;
    let etag = match reply.etag() {
        Some(e) => e,
        None => fetch_etag(client, &url)?,
    };
    Ok(RemoteCard {
        href: href.to_owned(),
        etag,
        card,
    })
}

fn fetch_etag(client: &Client, url: &Url) -> Result<String> {
    let reply = propfind(client, url, "0", xml::propfind(&[("d", "getetag")]))?;
    if reply.status == 404 {
        return Err(Error::not_found(url));
    }
    let ms = multistatus(&reply)?;
    ms.responses
        .into_iter()
        .find_map(|r| r.props.etag)
        .ok_or_else(|| reply.invalid("the server gives no ETag for the card"))
}

/// A changed card in a sync report: ETag and, when sent, its data.
type Change = (String, Option<String>);

/// What the rounds of one sync-collection report listed.
#[derive(Default)]
struct Report {
    /// href key -> (href, `Some((etag, data))` for changed / `None` for removed).
    state: HashMap<String, (String, Option<Change>)>,
    /// The keys of `state` in the order the server listed them.
    order: Vec<String>,
    /// Entries whose href points outside the book.
    outside: Vec<RecordWarning>,
    token: String,
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

/// RFC 6578 sync-collection from `token` (empty: initial), following 507 truncation.
/// Cards the report lists without `address-data` are fetched with multiget.
///
/// A report with card data that fails as a whole (one card the server cannot render
/// makes some servers answer 500 to every such report) is asked again without card
/// data, and the cards are then fetched by multiget, which narrows down to single GETs
/// around a card that cannot be served. A warning on the book's href says so.
///
/// `progress` hears, while the report streams in, how many cards it brought so far (no
/// total yet); once it is in (the cards it carried count as fetched, the total is all
/// changed cards); and after each multiget batch.
///
/// # Errors
/// [`Error::TokenExpired`] for an invalid token; [`Error::Unsupported`] when the
/// server has no sync-collection; the error of the report with card data when the one
/// without fails too.
pub(crate) fn sync_collection(
    client: &Client,
    book: &Url,
    token: &str,
    batching: Batching,
    progress: ProgressFn<'_>,
) -> Result<Delta> {
    // `fetched` only grows: the cards counted while the report streamed in may be a few
    // more than the ones it carried in the end (empty card data is fetched later).
    let last = std::sync::atomic::AtomicUsize::new(0);
    let progress = &|p: SyncProgress| {
        let mut n = p
            .fetched
            .max(last.load(std::sync::atomic::Ordering::Relaxed));
        if let Some(total) = p.total {
            n = n.min(total);
        }
        last.store(n, std::sync::atomic::Ordering::Relaxed);
        progress(SyncProgress::new(n, p.total));
    };
    let (report, note) = match sync_report(client, book, token, true, progress) {
        Ok(r) => (r, None),
        Err(e) if narrower_may_help(&e) => match sync_report(client, book, token, false, &|_| {}) {
            Ok(r) => (
                r,
                Some(warning(
                    book.as_str(),
                    format!(
                        "the sync report with card data failed ({e}); \
                         the cards were fetched in batches instead"
                    ),
                )),
            ),
            Err(_) => return Err(e),
        },
        Err(e) => return Err(e),
    };
    let Report {
        mut state,
        order,
        outside,
        token,
    } = report;
    let mut delta = Delta {
        token,
        warnings: note.into_iter().chain(outside).collect(),
        ..Delta::default()
    };
    let noted = delta.warnings.len();
    let mut missing = Vec::new();
    for key in order {
        let Some((href, entry)) = state.remove(&key) else {
            continue;
        };
        match entry {
            None => delta.removed.push(href),
            Some((etag, Some(data))) => match parse_card(&href, etag, &data) {
                Ok(c) => delta.changed.push(c),
                Err(w) => delta.warnings.push(w),
            },
            Some((_, None)) => missing.push(href),
        }
    }
    // Parsed or skipped: either way dealt with.
    let inline = delta.changed.len() + delta.warnings.len() - noted;
    let total = Some(inline + missing.len());
    progress(SyncProgress::new(inline, total));
    if !missing.is_empty() {
        let f = fetch(client, book, &missing, batching, &|n| {
            progress(SyncProgress::new(inline + n, total));
        })?;
        delta.changed.extend(f.cards);
        delta.warnings.extend(f.warnings);
        delta.removed.extend(f.gone);
    }
    Ok(delta)
}

/// The rounds of one sync-collection report, with or without card data. While an
/// answer streams in, `progress` hears how many cards have arrived so far (with no
/// total: the report does not say in advance).
fn sync_report(
    client: &Client,
    book: &Url,
    token: &str,
    with_data: bool,
    progress: ProgressFn<'_>,
) -> Result<Report> {
    let mut out = Report {
        token: token.to_owned(),
        ..Report::default()
    };
    let counter = std::sync::Mutex::new(CardCounter::default());
    let on_body = |chunk: &[u8]| {
        let mut c = counter.lock().unwrap_or_else(|e| e.into_inner());
        let before = c.count;
        c.feed(chunk);
        if c.count > before {
            progress(SyncProgress::new(c.count, None));
        }
    };
    let mut depth = "0";
    let mut rounds = 0;
    loop {
        rounds += 1;
        if rounds > 100 {
            return Err(Error::InvalidResponse {
                url: book.to_string(),
                reason: "sync-collection still truncated (507) after 100 rounds".into(),
            });
        }
        let req = Request::new("REPORT", book.clone())
            .header("Depth", depth)
            .body(
                names::XML_CONTENT_TYPE,
                xml::sync_collection(&out.token, with_data),
            )
            .keeping_server_errors();
        let reply = client.send_observed(&req, &on_body)?;
        match reply.status {
            207 => {}
            // Google wants Depth 1 (RFC 6578 says 0).
            400 if depth == "0" => {
                depth = "1";
                rounds -= 1;
                continue;
            }
            403 | 412 | 400 | 409 => {
                let cond = xml::error_conditions(&reply.body);
                if cond.iter().any(|c| c == "valid-sync-token") || reply.status == 412 {
                    return Err(Error::TokenExpired);
                }
                if cond
                    .iter()
                    .any(|c| c == "supported-report" || c == "exception")
                {
                    return Err(Error::Unsupported(format!(
                        "{book} has no sync-collection ({})",
                        reply.body_excerpt()
                    )));
                }
                return Err(reply.invalid(format!(
                    "sync-collection answered {}: {}",
                    reply.status,
                    reply.body_excerpt()
                )));
            }
            404 => return Err(Error::not_found(book)),
            501 => return Err(Error::Unsupported(format!("{book} has no sync-collection"))),
            s if s >= 500 => return Err(super::client::server_error(&reply)),
            s => return Err(reply.invalid(format!("sync-collection answered {s}"))),
        }
        let ms = multistatus(&reply)?;
        let mut truncated = false;
        for r in ms.responses {
            if is_book(book, &r.href) {
                if r.status == Some(507) {
                    truncated = true;
                }
                continue;
            }
            if r.props.resourcetype.as_ref().is_some_and(|t| t.collection) {
                continue;
            }
            if !inside(book, &r.href) {
                out.outside.push(outside_warning(&r.href));
                continue;
            }
            let key = href_key(book, &r.href);
            let entry = match r.status {
                Some(404) | Some(410) => None,
                Some(s) if !(200..300).contains(&s) => continue,
                _ => match r.props.etag {
                    Some(etag) => Some((etag, r.props.address_data)),
                    // Changed, but without an ETag its data cannot be used: fetched.
                    None => Some((String::new(), None)),
                },
            };
            if !out.state.contains_key(&key) {
                out.order.push(key.clone());
            }
            out.state.insert(key, (r.href, entry));
        }
        out.token = ms
            .sync_token
            .ok_or_else(|| reply.invalid("sync-collection answer without sync-token"))?;
        if !truncated {
            return Ok(out);
        }
    }
}

/// Counts the cards of a multistatus as its bytes arrive: each closing `address-data`
/// tag (`</address-data>`, `</C:address-data>`) is one card received. Pieces may split
/// a tag; the end of the previous piece is kept to see it whole.
#[derive(Default)]
struct CardCounter {
    count: usize,
    tail: Vec<u8>,
}

impl CardCounter {
    const TAG: &'static [u8] = b"address-data>";
    /// Enough of a piece's end to hold `</prefix:address-data` split anywhere.
    const KEEP: usize = 64;

    fn feed(&mut self, chunk: &[u8]) {
        let mut text = std::mem::take(&mut self.tail);
        let seen = text.len();
        text.extend_from_slice(chunk);
        let mut from = 0;
        while let Some(i) = text[from..]
            .windows(Self::TAG.len())
            .position(|w| w == Self::TAG)
        {
            let at = from + i;
            // Counted once: a tag ending inside the kept tail was counted before.
            if at + Self::TAG.len() > seen && Self::is_closing(&text[..at]) {
                self.count += 1;
            }
            from = at + 1;
        }
        let keep = text.len().saturating_sub(Self::KEEP);
        self.tail = text[keep..].to_vec();
    }

    /// Whether the bytes before `address-data>` end in `</` or `</prefix:`.
    fn is_closing(before: &[u8]) -> bool {
        if before.ends_with(b"</") {
            return true;
        }
        let Some(rest) = before.strip_suffix(b":") else {
            return false;
        };
        let prefix = rest
            .iter()
            .rev()
            .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
            .count();
        prefix > 0 && rest[..rest.len() - prefix].ends_with(b"</")
    }
}

#[cfg(test)]
mod tests {
    use super::CardCounter;

    #[test]
    fn counts_closing_address_data_tags_across_pieces() {
        let body = b"<d:multistatus xmlns:d='DAV:'><d:response><C:address-data>A</C:address-data>\
<address-data>B</address-data><card:address-data x='1'>C</card:address-data>\
<C:address-data/><x:my-address-data>n</x:my-address-data><x:address-datas>n</x:address-datas>\
</d:response></d:multistatus>";
        for size in 1..body.len() {
            let mut c = CardCounter::default();
            for piece in body.chunks(size) {
                c.feed(piece);
            }
            assert_eq!(c.count, 3, "pieces of {size}");
        }
    }
}

/// The precondition of a PUT.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Precondition<'a> {
    /// `If-None-Match: *`: create, never overwrite.
    Create,
    /// `If-Match: etag`: update exactly this version.
    Match(&'a str),
}

/// What a PUT or DELETE did.
#[derive(Debug)]
pub(crate) enum WriteOutcome {
    /// Done; the new ETag if the server sent a strong one.
    Done(Option<String>),
    /// 412: the precondition failed (the card changed, or exists already).
    PreconditionFailed,
}

fn write_error(reply: &Reply, what: &str, href: &str) -> Error {
    match reply.status {
        404 | 410 => Error::not_found(href),
        403 | 405 => Error::ReadOnly(format!(
            "{} refused the {what} ({}): {}",
            reply.url,
            reply.status,
            reply.body_excerpt()
        )),
        s => reply.invalid(format!("{what} answered {s}: {}", reply.body_excerpt())),
    }
}

/// Sends a write, waiting out `423 Locked` and `500`/`503`: Xandikos answers those to
/// a write that comes while another one commits (git's lock). Retrying is safe because
/// every write we send is conditional (`If-Match` / `If-None-Match`): a retry of a
/// write that did happen meets a 412, never overwrites.
fn send_write(client: &Client, req: &Request) -> Result<Reply> {
    let req = req.clone().keeping_server_errors();
    let mut wait = std::time::Duration::from_millis(50);
    let mut reply = client.send(&req)?;
    for _ in 0..6 {
        if !matches!(reply.status, 423 | 500 | 503) {
            break;
        }
        std::thread::sleep(wait);
        wait *= 2;
        reply = client.send(&req)?;
    }
    if reply.status >= 500 {
        return Err(super::client::server_error(&reply));
    }
    Ok(reply)
}

/// PUT `body` to `href`.
pub(crate) fn put(
    client: &Client,
    book: &Url,
    href: &str,
    body: Vec<u8>,
    pre: Precondition<'_>,
) -> Result<WriteOutcome> {
    let url = resolve(book, href)?;
    let req = Request::new("PUT", url).body(names::VCARD_CONTENT_TYPE, body);
    let req = match pre {
        Precondition::Create => req.header("If-None-Match", "*"),
        Precondition::Match(etag) => req.header("If-Match", etag),
    };
    let reply = send_write(client, &req)?;
    match reply.status {
        200..=299 => Ok(WriteOutcome::Done(
            // A weak ETag cannot be used in If-Match: fetch the card instead.
            reply.etag().filter(|e| !e.starts_with("W/")),
        )),
        412 => Ok(WriteOutcome::PreconditionFailed),
        _ => Err(write_error(&reply, "PUT", href)),
    }
}

/// DELETE `href` if its ETag is still `etag`.
pub(crate) fn delete(client: &Client, book: &Url, href: &str, etag: &str) -> Result<WriteOutcome> {
    let url = resolve(book, href)?;
    let reply = send_write(
        client,
        &Request::new("DELETE", url).header("If-Match", etag),
    )?;
    match reply.status {
        // Radicale answers 200 with a multistatus body.
        200..=299 => Ok(WriteOutcome::Done(None)),
        412 => Ok(WriteOutcome::PreconditionFailed),
        _ => Err(write_error(&reply, "DELETE", href)),
    }
}
