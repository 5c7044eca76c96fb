//! Arbitrary bytes as a WebDAV multistatus or error body: the parser never panics,
//! whatever it accepts is usable (hrefs trimmed, statuses in range), and reading the
//! body in pieces, as a streamed answer is read, gives the same answer as reading it
//! whole.
#![no_main]

use cti_phonebook::carddav::xml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Half of the runs inside a multistatus envelope, so that mutations reach the
    // response/propstat/prop code quickly instead of dying at the root element.
    let wrapped;
    let body: &[u8] = match data.split_first() {
        Some((b, rest)) if b & 1 == 1 => {
            let mut v = br#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">"#.to_vec();
            v.extend_from_slice(rest);
            v.extend_from_slice(b"</d:multistatus>");
            wrapped = v;
            &wrapped
        }
        _ => data,
    };
    let whole = xml::parse_multistatus(body);
    let piece = 1 + data.first().map_or(0, |b| usize::from(b >> 1));
    let mut reader = xml::MultistatusReader::new(usize::MAX);
    let mut streamed = xml::Multistatus::default();
    let read = body
        .chunks(piece)
        .try_for_each(|p| {
            if let Some(ms) = reader.feed(p)? {
                streamed.responses.extend(ms.responses);
                streamed.sync_token = ms.sync_token.or(streamed.sync_token.take());
            }
            Ok(())
        })
        .and_then(|()| reader.finish());
    match (&whole, read) {
        (Ok(w), Ok(rest)) => {
            streamed.responses.extend(rest.responses);
            streamed.sync_token = rest.sync_token.or(streamed.sync_token.take());
            assert_eq!(*w, streamed, "pieces of {piece}");
        }
        (Err(_), Err(_)) => {}
        (w, r) => panic!("whole: {w:?}, in pieces of {piece}: {r:?}"),
    }
    if let Ok(ms) = whole {
        for r in &ms.responses {
            assert!(!r.href.is_empty());
            assert_eq!(r.href, r.href.trim());
            if let Some(e) = &r.props.etag {
                let n = xml::normalize_etag(e);
                assert_eq!(xml::normalize_etag(&n), n, "normalize_etag is idempotent");
            }
        }
    }
    let _ = xml::error_conditions(body);
});
