//! The full listing: the ETags of a book's cards, then the cards in batched
//! multigets, narrowed down to single GETs around a card that cannot be had.

use std::collections::HashMap;

use url::Url;

use super::{
    CardSink, EtagListing, Fetched, RemoteCard, book_propfind, inside, is_book, outside_warning,
    parse_card, stops_the_sync, warning,
};
use crate::carddav::client::{Client, Request};
use crate::carddav::propfind::{multistatus, propfind};
use crate::carddav::{href_key, names, resolve, xml};
use crate::error::{Error, Result};
use crate::record::RecordWarning;
use crate::vcard::VCard;

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
/// `batching.in_flight` at a time, and collects what they bring, in the order of
/// `hrefs`' batches. See [`fetch_each`].
///
/// # Errors
/// As [`fetch_each`].
pub(crate) fn fetch(
    client: &Client,
    book: &Url,
    hrefs: &[String],
    batching: Batching,
    done: &(dyn Fn(usize) + Sync),
) -> Result<Fetched> {
    let batches = std::sync::Mutex::new(Vec::new());
    fetch_each(client, book, hrefs, batching, done, &|i, f| {
        batches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((i, f));
        Ok(())
    })?;
    let mut batches = batches.into_inner().unwrap_or_else(|e| e.into_inner());
    batches.sort_by_key(|(i, _)| *i);
    let mut out = Fetched::default();
    for (_, f) in batches {
        out.cards.extend(f.cards);
        out.warnings.extend(f.warnings);
        out.gone.extend(f.gone);
    }
    Ok(out)
}

/// Fetches `hrefs` as [`fetch_each`] does, handing each batch's cards, and the
/// hrefs found gone, to `sink`. Returns the warnings about single cards.
///
/// # Errors
/// As [`fetch_each`].
pub(crate) fn fetch_into(
    client: &Client,
    book: &Url,
    hrefs: &[String],
    batching: Batching,
    done: &(dyn Fn(usize) + Sync),
    sink: &mut dyn CardSink,
) -> Result<Vec<RecordWarning>> {
    let warnings = std::sync::Mutex::new(Vec::new());
    let sink = std::sync::Mutex::new(sink);
    fetch_each(client, book, hrefs, batching, done, &|_, f| {
        warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(f.warnings);
        let mut sink = sink.lock().unwrap_or_else(|e| e.into_inner());
        sink.cards(f.cards)?;
        sink.removed(f.gone)
    })?;
    Ok(warnings.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// Fetches `hrefs` with multigets of `batching.size` hrefs each, up to
/// `batching.in_flight` at a time, handing each batch's result to `deliver` with the
/// batch's number as it comes in, so that no more than a few batches are ever held.
/// After each batch, `done` is told how many hrefs are dealt with so far (fetched,
/// skipped or gone); the count only grows. Both are called under one lock, one batch
/// at a time.
///
/// # Errors
/// Only [`Error::Unauthorized`], [`Error::Certificate`], an [`Error::Network`] that
/// is no answer at all, and an error of `deliver`: everything else about single cards
/// (a 5xx, an answer that breaks off) becomes a warning. After such an error no
/// further batch is started.
fn fetch_each(
    client: &Client,
    book: &Url,
    hrefs: &[String],
    batching: Batching,
    done: &(dyn Fn(usize) + Sync),
    deliver: &(dyn Fn(usize, Fetched) -> Result<()> + Sync),
) -> Result<()> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let chunks: Vec<&[String]> = hrefs.chunks(batching.size.max(1)).collect();
    let failure: Mutex<Option<Error>> = Mutex::new(None);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let finished = Mutex::new(0usize);
    let work = || {
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = chunks.get(i) else { break };
            let mut out = Fetched::default();
            let r = fetch_chunk(client, book, chunk, &mut out).and_then(|()| {
                // Under the lock, so that the counts arrive in order.
                let mut n = finished.lock().unwrap_or_else(|e| e.into_inner());
                deliver(i, out)?;
                *n += chunk.len();
                done(*n);
                Ok(())
            });
            if let Err(e) = r {
                stop.store(true, Ordering::Relaxed);
                failure
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(e);
            }
        }
    };
    let helpers = batching.in_flight.min(chunks.len()).saturating_sub(1);
    std::thread::scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(work);
        }
        work();
    });
    match failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
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
