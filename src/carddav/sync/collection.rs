//! Incremental sync: RFC 6578 `sync-collection` reports, with card data or
//! without, and counting cards as the answer streams in.

use std::collections::HashMap;

use url::Url;

use super::listing::{Batching, fetch};
use super::{Delta, inside, is_book, narrower_may_help, outside_warning, parse_card, warning};
use crate::carddav::client::{Client, Request, server_error};
use crate::carddav::propfind::multistatus;
use crate::carddav::{href_key, names, xml};
use crate::error::{Error, Result};
use crate::record::RecordWarning;
use crate::source::{ProgressFn, SyncProgress};

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
            s if s >= 500 => return Err(server_error(&reply)),
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
