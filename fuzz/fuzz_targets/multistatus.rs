//! Arbitrary bytes as a WebDAV multistatus or error body: the parser never panics,
//! and whatever it accepts is usable (hrefs trimmed, statuses in range).
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
    if let Ok(ms) = xml::parse_multistatus(body) {
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
