//! Incremental sync: RFC 6578 `sync-collection` reports, with card data or
//! without, read as the answer streams in: cards go to a [`CardSink`] a stretch at a
//! time, so that a first sync of 100,000 cards never holds them all.

use std::sync::atomic::{AtomicUsize, Ordering};

use url::Url;

use super::listing::{Batching, fetch_into};
use super::{
    CardSink, Delta, RemoteCard, inside, is_book, narrower_may_help, outside_warning, parse_card,
    warning,
};
use crate::carddav::client::{Client, Request, server_error};
use crate::carddav::{names, xml};
use crate::error::{Error, Result};
use crate::record::RecordWarning;
use crate::source::{ProgressFn, SyncProgress};

/// What the rounds of one sync-collection report said besides the cards it carried.
#[derive(Default)]
struct Report {
    /// Changed cards listed without usable data: fetched afterwards.
    missing: Vec<String>,
    /// Cards that came with data and were delivered or skipped.
    inline: usize,
    /// Entries outside the book and cards that do not parse.
    warnings: Vec<RecordWarning>,
    token: String,
}

/// RFC 6578 sync-collection from `token` (empty: initial), following 507 truncation,
/// handing the cards to `sink` as they arrive. Cards the report lists without
/// `address-data` are fetched with multiget afterwards.
///
/// A report with card data that fails as a whole (one card the server cannot render
/// makes some servers answer 500 to every such report; an answer that breaks off) is
/// asked again without card data, after `sink` is told to start over, and the cards
/// are then fetched by multiget, which narrows down to single GETs around a card that
/// cannot be served. A warning on the book's href says so.
///
/// `progress` hears, while the report streams in, how many cards it brought so far (no
/// total yet); once it is in (the cards it carried count as fetched, the total is all
/// changed cards); and after each multiget batch.
///
/// # Errors
/// [`Error::TokenExpired`] for an invalid token; [`Error::Unsupported`] when the
/// server has no sync-collection; the error of the report with card data when the one
/// without fails too; an error of `sink`. When it fails, `sink` may hold part of the
/// cards.
pub(crate) fn sync_collection(
    client: &Client,
    book: &Url,
    token: &str,
    batching: Batching,
    progress: ProgressFn<'_>,
    sink: &mut dyn CardSink,
) -> Result<Delta> {
    // `fetched` only grows: the cards counted while the report streamed in may be a few
    // more than the ones it carried in the end (empty card data is fetched later).
    let last = AtomicUsize::new(0);
    let progress = &|p: SyncProgress| {
        let mut n = p.fetched.max(last.load(Ordering::Relaxed));
        if let Some(total) = p.total {
            n = n.min(total);
        }
        last.store(n, Ordering::Relaxed);
        progress(SyncProgress::new(n, p.total));
    };
    let mut report = match sync_report(client, book, token, true, progress, sink) {
        Ok(r) => r,
        Err(e) if narrower_may_help(&e) => {
            sink.restart()?;
            match sync_report(client, book, token, false, &|_| {}, sink) {
                Ok(mut r) => {
                    r.warnings.insert(
                        0,
                        warning(
                            book.as_str(),
                            format!(
                                "the sync report with card data failed ({e}); \
                                 the cards were fetched in batches instead"
                            ),
                        ),
                    );
                    r
                }
                Err(_) => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    let inline = report.inline;
    let total = Some(inline + report.missing.len());
    progress(SyncProgress::new(inline, total));
    if !report.missing.is_empty() {
        let warnings = fetch_into(
            client,
            book,
            &report.missing,
            batching,
            &|n| progress(SyncProgress::new(inline + n, total)),
            sink,
        )?;
        report.warnings.extend(warnings);
    }
    Ok(Delta {
        token: report.token,
        warnings: report.warnings,
    })
}

/// The rounds of one sync-collection report, with or without card data, read as
/// they stream in: each stretch's cards and removals go to `sink` as soon as it is
/// read. While an answer streams in, `progress` hears how many cards have arrived so
/// far (with no total: the report does not say in advance).
fn sync_report(
    client: &Client,
    book: &Url,
    token: &str,
    with_data: bool,
    progress: ProgressFn<'_>,
    sink: &mut dyn CardSink,
) -> Result<Report> {
    let mut out = Report {
        token: token.to_owned(),
        ..Report::default()
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
            .keeping_server_errors()
            .streamed();
        let mut round = Round {
            book,
            reader: Some(xml::MultistatusReader::new(client.max_body())),
            counter: CardCounter::default(),
            truncated: false,
            token: None,
        };
        let reply = client.send_observed(&req, &mut |piece| {
            round.piece(piece, progress, sink, &mut out)
        })?;
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
        let rest = round
            .reader
            .take()
            .map(xml::MultistatusReader::finish)
            .transpose()
            .map_err(|e| reply.invalid(e.0))?;
        if let Some(ms) = rest {
            round.absorb(ms, sink, &mut out)?;
        }
        out.token = round
            .token
            .ok_or_else(|| reply.invalid("sync-collection answer without sync-token"))?;
        if !round.truncated {
            return Ok(out);
        }
    }
}

/// One round of a sync-collection report as it streams in.
struct Round<'a> {
    book: &'a Url,
    reader: Option<xml::MultistatusReader>,
    counter: CardCounter,
    /// Whether the book's own response said 507: ask again from the new token.
    truncated: bool,
    token: Option<String>,
}

impl Round<'_> {
    /// Takes a piece of the answer: counts the cards in it for `progress` and hands
    /// what stretches are complete to `sink`.
    fn piece(
        &mut self,
        piece: &[u8],
        progress: ProgressFn<'_>,
        sink: &mut dyn CardSink,
        out: &mut Report,
    ) -> Result<()> {
        let before = self.counter.count;
        self.counter.feed(piece);
        if self.counter.count > before {
            progress(SyncProgress::new(self.counter.count, None));
        }
        let Some(reader) = self.reader.as_mut() else {
            return Ok(());
        };
        let stretch = reader.feed(piece).map_err(|e| Error::InvalidResponse {
            url: self.book.to_string(),
            reason: e.0,
        })?;
        match stretch {
            Some(ms) => self.absorb(ms, sink, out),
            None => Ok(()),
        }
    }

    /// Hands the responses of one stretch to `sink`, noting what else they say.
    fn absorb(
        &mut self,
        ms: xml::Multistatus,
        sink: &mut dyn CardSink,
        out: &mut Report,
    ) -> Result<()> {
        let book = self.book;
        if ms.sync_token.is_some() {
            self.token = ms.sync_token;
        }
        let mut cards: Vec<RemoteCard> = Vec::new();
        let mut removed = Vec::new();
        for r in ms.responses {
            if is_book(book, &r.href) {
                if r.status == Some(507) {
                    self.truncated = true;
                }
                continue;
            }
            if r.props.resourcetype.as_ref().is_some_and(|t| t.collection) {
                continue;
            }
            if !inside(book, &r.href) {
                out.warnings.push(outside_warning(&r.href));
                continue;
            }
            match r.status {
                Some(404) | Some(410) => removed.push(r.href),
                Some(s) if !(200..300).contains(&s) => {}
                // Changed, but without an ETag its data cannot be used: fetched.
                _ => match (r.props.etag, r.props.address_data) {
                    (Some(etag), Some(data)) => {
                        out.inline += 1;
                        match parse_card(&r.href, etag, &data) {
                            Ok(c) => cards.push(c),
                            Err(w) => out.warnings.push(w),
                        }
                    }
                    _ => out.missing.push(r.href),
                },
            }
        }
        // Removals first: a card listed as removed and then as changed is there.
        sink.removed(removed)?;
        sink.cards(cards)
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
