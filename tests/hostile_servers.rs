//! Hostile and broken servers: XML bombs, deep nesting, huge and endless
//! answers, slow drips, redirect loops and hops to other hosts, a thousand bogus hrefs,
//! cards of several MB, invalid UTF-8 and a card that changes under the sync.
//!
//! Every case goes through a [`CachedFolder`] over a [`CardDavSource`] that first
//! synced two good cards, and asserts: a clear error or a warning, the cache as it was
//! (or holding only what the server consistently said), no panic, and bounded reading
//! (the size cap and the timeouts stop the client, which the raw servers below count).
//!
//! The scripted servers are wiremock (on a runtime of its own thread, as in
//! `carddav_mock.rs`) and, for what wiremock cannot do (endless and dripping bodies),
//! a few lines of `std::net` with every loop bounded in count and time. All traffic is
//! to 127.0.0.1 (and `localhost` for "another host").

mod support;

use support::mock::Mocked;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cti_phonebook::cache::CachedFolder;
use cti_phonebook::carddav::{CardDavConfig, CardDavSource};
use cti_phonebook::source::RecordId;
use cti_phonebook::{Error, PhonebookSource};
use wiremock::matchers::{header, method, path};
use wiremock::{Match, Mock, Request, ResponseTemplate};

struct HasAuth;
impl Match for HasAuth {
    fn matches(&self, r: &Request) -> bool {
        r.headers.contains_key("authorization")
    }
}

const PASSWORD: &str = "Zq7-hostile-PASSWORD";

fn ms(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">{inner}</d:multistatus>"#
    )
}

fn prop_response(href: &str, props: &str) -> String {
    format!(
        "<d:response><d:href>{href}</d:href><d:propstat><d:prop>{props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
    )
}

fn xml207(body: impl Into<Vec<u8>>) -> ResponseTemplate {
    ResponseTemplate::new(207).set_body_raw(body.into(), "application/xml; charset=utf-8")
}

fn card(uid: &str, tel: &str) -> String {
    format!("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{uid}\r\nTEL:{tel}\r\nEND:VCARD\r\n")
}

fn listing(entries: &[(&str, &str)]) -> String {
    let mut inner = prop_response(
        "/book/",
        "<d:resourcetype><d:collection/><c:addressbook/></d:resourcetype>",
    );
    for (href, etag) in entries {
        inner.push_str(&prop_response(
            href,
            &format!("<d:getetag>{etag}</d:getetag>"),
        ));
    }
    ms(&inner)
}

fn multiget(cards: &[(&str, &str, &str)]) -> String {
    let mut inner = String::new();
    for (href, etag, data) in cards {
        inner.push_str(&prop_response(
            href,
            &format!("<d:getetag>{etag}</d:getetag><c:address-data>{data}</c:address-data>"),
        ));
    }
    ms(&inner)
}

/// The Depth 0 PROPFIND of `open`: a book without CTag or sync-token, so every sync
/// is a Depth 1 ETag listing plus multigets, the path most hostile answers hit.
fn mount_book(m: &Mocked) {
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/book/"))
            .and(header("Depth", "0"))
            .respond_with(xml207(ms(&prop_response(
                "/book/",
                "<d:resourcetype><d:collection/><c:addressbook/></d:resourcetype><d:displayname>Book</d:displayname>",
            )))),
    );
}

fn mount_listing(m: &Mocked, body: impl Into<Vec<u8>>) {
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/book/"))
            .and(header("Depth", "1"))
            .respond_with(xml207(body)),
    );
}

fn mount_multiget(m: &Mocked, body: impl Into<Vec<u8>>) {
    m.mount(
        Mock::given(method("REPORT"))
            .and(path("/book/"))
            .respond_with(xml207(body)),
    );
}

/// The well-behaved state: two cards.
fn mount_good(m: &Mocked) {
    mount_book(m);
    mount_listing(
        m,
        listing(&[("/book/a.vcf", "\"a1\""), ("/book/b.vcf", "\"b1\"")]),
    );
    mount_multiget(
        m,
        multiget(&[
            ("/book/a.vcf", "\"a1\"", &card("a", "+49 30 1111")),
            ("/book/b.vcf", "\"b1\"", &card("b", "+49 30 2222")),
        ]),
    );
}

fn config(url: &str) -> cti_phonebook::carddav::CardDavConfigBuilder {
    CardDavConfig::builder(url)
        .password("alice", PASSWORD)
        .timeout(Duration::from_secs(10))
}

/// A folder over the mock's book, synced once with the two good cards.
struct Setup {
    m: Mocked,
    folder: CachedFolder,
    _dir: tempfile::TempDir,
}

fn setup_with(
    cfg: impl FnOnce(
        cti_phonebook::carddav::CardDavConfigBuilder,
    ) -> cti_phonebook::carddav::CardDavConfigBuilder,
) -> Setup {
    let m = Mocked::new();
    mount_good(&m);
    let src = CardDavSource::open(cfg(config(&m.url("/book/"))).build().unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // No escalation of a quick second refresh into a reload: each call does what it says.
    let folder = CachedFolder::open(dir.path(), "book", Arc::new(src))
        .unwrap()
        .with_escalation_window(Duration::ZERO);
    let r = folder.reload().unwrap();
    assert_eq!(r.added, 2, "{r:?}");
    m.reset();
    mount_book(&m);
    Setup {
        m,
        folder,
        _dir: dir,
    }
}

fn setup() -> Setup {
    setup_with(|b| b)
}

/// Everything the cache holds: rows, versions, card bytes, token.
fn state(f: &CachedFolder) -> Vec<String> {
    let snap = f.snapshot();
    let mut out: Vec<String> = snap
        .rows()
        .map(|(id, r)| {
            let card = f.cached_record(id).unwrap().card.to_bytes();
            format!(
                "{id:?} {:?} {:?} {}",
                r.version,
                r.row,
                String::from_utf8_lossy(&card)
            )
        })
        .collect();
    out.push(format!("token {:?}", snap.token()));
    out
}

/// Runs a reload and an incremental refresh against the hostile server and checks
/// that both fail with an error `check` accepts and leave the cache as it was.
fn assert_fails_unchanged(s: &Setup, check: impl Fn(&Error) -> bool) {
    let before = state(&s.folder);
    for round in 0..2 {
        let res = if round == 0 {
            s.folder.reload()
        } else {
            s.folder.refresh()
        };
        match res {
            Err(e) => {
                assert!(check(&e), "unexpected error: {e:?}");
                assert!(!format!("{e:?}{e}").contains(PASSWORD));
            }
            Ok(r) => panic!("a hostile answer was accepted: {r:?}"),
        }
        assert_eq!(state(&s.folder), before, "the cache changed");
    }
}

fn invalid_response(e: &Error) -> bool {
    matches!(e, Error::InvalidResponse { .. })
}

// ---------------------------------------------------------------------------------
// XML

/// Billion laughs: ten levels of ten entity references would expand to 10^9 `lol`s.
/// roxmltree refuses DTDs by default, so nothing is expanded at all.
fn billion_laughs() -> String {
    let mut s =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE d:multistatus [\n<!ENTITY lol \"lol\">\n");
    let mut prev = "lol".to_owned();
    for i in 1..10 {
        let name = format!("lol{i}");
        s.push_str(&format!(
            "<!ENTITY {name} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
        prev = name;
    }
    s.push_str(&format!(
        "]>\n<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/book/x.vcf</d:href><d:propstat><d:prop><d:getetag>&{prev};</d:getetag></d:prop></d:propstat></d:response></d:multistatus>"
    ));
    s
}

#[test]
fn xml_bomb_in_listing_is_refused() {
    let s = setup();
    mount_listing(&s.m, billion_laughs());
    let t = Instant::now();
    assert_fails_unchanged(&s, invalid_response);
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}

/// An external entity (XXE) must not be read either.
#[test]
fn external_entity_is_refused() {
    let s = setup();
    mount_listing(
        &s.m,
        "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/book/&x;.vcf</d:href></d:response></d:multistatus>",
    );
    assert_fails_unchanged(&s, invalid_response);
}

/// A bomb in the multiget answer: the batch is split down to single GETs, which are
/// answered with the bomb too. Each card is a warning, and the reload keeps the cached
/// copies of the cards it could not read.
#[test]
fn xml_bomb_in_multiget_costs_warnings_not_cards() {
    let s = setup();
    mount_listing(
        &s.m,
        listing(&[("/book/a.vcf", "\"a2\""), ("/book/b.vcf", "\"b1\"")]),
    );
    mount_multiget(&s.m, billion_laughs());
    s.m.mount(Mock::given(method("GET")).respond_with(xml207(billion_laughs())));
    let before = state(&s.folder);
    let r = s
        .folder
        .reload()
        .expect("a bad answer for cards is a warning");
    assert_eq!(r.warnings.len(), 2, "{r:?}");
    let snap = s.folder.snapshot();
    assert_eq!(snap.len(), 2);
    assert_eq!(
        state(&s.folder)[..2],
        before[..2],
        "cards kept as they were"
    );
}

fn deep(n: usize) -> String {
    let mut s = String::with_capacity(n * 8 + 200);
    s.push_str("<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/book/a.vcf</d:href><d:propstat><d:prop><d:getetag>");
    for _ in 0..n {
        s.push_str("<x>");
    }
    s.push('1');
    for _ in 0..n {
        s.push_str("</x>");
    }
    s.push_str("</d:getetag></d:prop></d:propstat></d:response></d:multistatus>");
    s
}

/// 100,000 nested elements: no stack overflow (the parser and our tree walks are
/// iterative), and the answer, which lists only card a, is taken for what it says.
#[test]
fn deep_nesting_does_not_overflow() {
    let s = setup();
    mount_listing(&s.m, deep(100_000));
    mount_multiget(
        &s.m,
        multiget(&[("/book/a.vcf", "\"1\"", &card("a", "+49 30 1111"))]),
    );
    let t = Instant::now();
    match s.folder.reload() {
        // roxmltree may refuse it (a nesting limit) or parse it: both are fine.
        Err(e) => assert!(invalid_response(&e), "{e:?}"),
        Ok(r) => assert_eq!(s.folder.snapshot().len(), 1, "{r:?}"),
    }
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    // Deeper still, so that the parser alone would overflow a recursive walk.
    s.m.reset();
    mount_listing(&s.m, deep(1_000_000));
    let _ = s.folder.reload();
}

/// Invalid UTF-8 inside the XML (in an href, an ETag and a card): decoded lossily,
/// no panic; the one card with a broken href is simply another card.
#[test]
fn invalid_utf8_in_xml_and_cards() {
    let s = setup();
    let mut body = listing(&[("/book/a.vcf", "\"a1\""), ("/book/b.vcf", "\"b2\"")]).into_bytes();
    // Raw bytes that are no UTF-8 anywhere: between two responses and in a text node.
    let at = body.len() - "</d:multistatus>".len();
    body.splice(
        at..at,
        b"<d:response><d:href>/book/\xff\xfe.vcf</d:href></d:response>"
            .iter()
            .copied(),
    );
    mount_listing(&s.m, body);
    let mut mg = multiget(&[
        ("/book/a.vcf", "\"a1\"", &card("a", "+49 30 1111")),
        (
            "/book/b.vcf",
            "\"b2\"",
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:b\r\nFN:B@@\r\nTEL:+49 30 2222\r\nEND:VCARD\r\n",
        ),
    ])
    .into_bytes();
    let p = mg.windows(2).position(|w| w == b"@@").unwrap();
    mg[p] = 0xC3; // a lead byte without its continuation
    mg[p + 1] = 0x28;
    mount_multiget(&s.m, mg);
    let r = s.folder.reload().expect("lossy, not fatal");
    assert_eq!(s.folder.snapshot().len(), 2, "{r:?}");
    let b = s
        .folder
        .cached_record(&RecordId::new("/book/b.vcf"))
        .unwrap();
    assert!(b.card.first("FN").is_some());

    // A card fetched by GET whose body is no UTF-8 at all (Latin-1 bytes, no charset).
    s.m.reset();
    mount_book(&s.m);
    mount_listing(
        &s.m,
        listing(&[("/book/a.vcf", "\"a3\""), ("/book/b.vcf", "\"b2\"")]),
    );
    mount_multiget(&s.m, ms(""));
    s.m.mount(
        Mock::given(method("GET")).and(path("/book/a.vcf")).respond_with(
            ResponseTemplate::new(200)
                .insert_header("ETag", "\"a3\"")
                .set_body_raw(
                    b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a\r\nFN:J\xfcrgen \xff\xfe\r\nTEL:+49 30 1111\r\nEND:VCARD\r\n".to_vec(),
                    "text/vcard",
                ),
        ),
    );
    let r = s.folder.refresh().expect("lossy, not fatal");
    assert_eq!(s.folder.snapshot().len(), 2, "{r:?}");
}

// ---------------------------------------------------------------------------------
// Size

/// A listing far over the cap (Content-Length known): refused before reading it.
#[test]
fn huge_listing_is_cut_at_the_cap() {
    let s = setup_with(|b| b.max_response_bytes(256 * 1024));
    let mut entries = String::new();
    for i in 0..40_000 {
        entries.push_str(&prop_response(
            &format!("/book/{i}.vcf"),
            "<d:getetag>\"1\"</d:getetag>",
        ));
    }
    mount_listing(&s.m, ms(&entries));
    assert_fails_unchanged(
        &s,
        |e| matches!(e, Error::InvalidResponse { reason, .. } if reason.contains("byte limit")),
    );
}

/// A raw server for what wiremock cannot do. It answers every connection with the
/// headers, then calls `body` with the stream until it returns false; it counts the
/// body bytes it managed to write. At most `max_conns` connections, then it stops.
fn raw_server(
    max_conns: usize,
    head: &'static str,
    body: impl Fn(&mut std::net::TcpStream, u64) -> std::io::Result<bool> + Send + 'static,
) -> (String, Arc<AtomicU64>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/book/", l.local_addr().unwrap().port());
    let written = Arc::new(AtomicU64::new(0));
    let w = written.clone();
    std::thread::spawn(move || {
        for conn in l.incoming().take(max_conns) {
            let Ok(mut s) = conn else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
            // Read the request head and body.
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut len = 0usize;
            let mut line = String::new();
            for _ in 0..100 {
                line.clear();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut buf = vec![0; len.min(1 << 20)];
            let _ = r.read_exact(&mut buf);
            if s.write_all(head.as_bytes()).is_err() {
                continue;
            }
            let started = Instant::now();
            let mut i = 0;
            // Bounded: 30 s per connection at most, whatever `body` does.
            while started.elapsed() < Duration::from_secs(30) {
                match body(&mut s, i) {
                    Ok(true) => i += 1,
                    _ => break,
                }
                w.store(i, Ordering::Relaxed);
            }
        }
    });
    (url, written)
}

/// An endless chunked body (no Content-Length): the client stops reading at the cap,
/// so the server manages to write little more than the cap plus socket buffers.
#[test]
fn endless_response_is_cut_at_the_cap() {
    const CHUNK: usize = 64 * 1024;
    let chunk = format!("{CHUNK:x}\r\n{}\r\n", "x".repeat(CHUNK));
    let (url, chunks) = raw_server(
        4,
        "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n",
        move |s, i| {
            // At most 1 GiB, in case the client never stops.
            if i >= 16 * 1024 {
                return Ok(false);
            }
            s.write_all(chunk.as_bytes()).map(|_| true)
        },
    );
    let cap = 1024 * 1024;
    let cfg = config(&url).max_response_bytes(cap).build().unwrap();
    let t = Instant::now();
    let e = CardDavSource::open(cfg).expect_err("endless answer");
    assert!(
        matches!(&e, Error::InvalidResponse { reason, .. } if reason.contains("byte limit")),
        "{e:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    // Let the server notice the closed connection.
    std::thread::sleep(Duration::from_millis(300));
    let sent = chunks.load(Ordering::Relaxed) * CHUNK as u64;
    assert!(
        sent < cap + 16 * 1024 * 1024,
        "the client read on: the server wrote {sent} bytes"
    );
}

/// A body that drips one byte every 100 ms: the request timeout ends it.
#[test]
fn slow_drip_is_ended_by_the_timeout() {
    let (url, bytes) = raw_server(
        4,
        "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: 100000\r\n\r\n",
        |s, i| {
            if i >= 600 {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(100));
            s.write_all(b" ").map(|_| true)
        },
    );
    let cfg = config(&url)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let t = Instant::now();
    let e = CardDavSource::open(cfg).expect_err("slow drip");
    assert!(
        matches!(&e, Error::Network { .. }) && e.is_transient(),
        "{e:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
    assert!(
        bytes.load(Ordering::Relaxed) < 100,
        "{}",
        bytes.load(Ordering::Relaxed)
    );
}

/// A server that accepts and never answers: the timeout again, and a slow wiremock
/// answer during a sync leaves the cache alone.
#[test]
fn slow_answer_during_sync_leaves_the_cache_alone() {
    let s = setup_with(|b| b.timeout(Duration::from_millis(800)));
    s.m.mount(
        Mock::given(method("PROPFIND"))
            .and(header("Depth", "1"))
            .respond_with(xml207(listing(&[])).set_delay(Duration::from_secs(5))),
    );
    let t = Instant::now();
    assert_fails_unchanged(&s, |e| matches!(e, Error::Network { .. }));
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
}

/// A card of 6 MB (a photo) syncs under the default cap; under a 1 MB cap it is a
/// warning and the cached copy stays, while the other card is updated.
#[test]
fn cards_of_several_megabytes() {
    let photo = "A".repeat(6 * 1024 * 1024);
    let big = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a\r\nFN:a\r\nTEL:+49 30 1111\r\nPHOTO;ENCODING=b;TYPE=JPEG:{photo}\r\nEND:VCARD\r\n"
    );
    let mount_big = |m: &Mocked| {
        mount_listing(
            m,
            listing(&[("/book/a.vcf", "\"a2\""), ("/book/b.vcf", "\"b2\"")]),
        );
        mount_multiget(
            m,
            multiget(&[
                ("/book/a.vcf", "\"a2\"", &big),
                ("/book/b.vcf", "\"b2\"", &card("b", "+49 30 3333")),
            ]),
        );
        m.mount(
            Mock::given(method("GET"))
                .and(path("/book/a.vcf"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .insert_header("ETag", "\"a2\"")
                        .set_body_raw(big.clone(), "text/vcard"),
                ),
        );
        m.mount(
            Mock::given(method("GET"))
                .and(path("/book/b.vcf"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .insert_header("ETag", "\"b2\"")
                        .set_body_raw(card("b", "+49 30 3333"), "text/vcard"),
                ),
        );
    };

    let capped = setup_with(|b| b.max_response_bytes(1024 * 1024));
    let a_before = state(&capped.folder)[0].clone();
    mount_big(&capped.m);
    let r = capped.folder.reload().expect("one big card is a warning");
    assert_eq!(r.warnings.len(), 1, "{r:?}");
    assert!(r.warnings[0].message.contains("byte limit"), "{r:?}");
    assert_eq!(state(&capped.folder)[0], a_before, "card a kept as cached");
    let b = capped
        .folder
        .cached_record(&RecordId::new("/book/b.vcf"))
        .unwrap();
    assert_eq!(b.version.as_str(), "\"b2\"");

    let open = setup();
    mount_big(&open.m);
    let r = open.folder.reload().expect("6 MB under the 64 MB default");
    assert!(r.warnings.is_empty(), "{r:?}");
    let a = open
        .folder
        .cached_record(&RecordId::new("/book/a.vcf"))
        .unwrap();
    // Byte for byte, CRLF included, although XML parsers turn CRLF into LF.
    assert!(
        a.card.to_bytes() == big.as_bytes(),
        "card a is not as served"
    );
}

// ---------------------------------------------------------------------------------
// Hrefs

/// A 207 listing a thousand bogus hrefs: hrefs outside the book (other hosts, other
/// paths, other schemes) are warnings and never requested; hrefs inside it that the
/// server then does not have cost one GET each and vanish. The real cards stay.
#[test]
fn a_thousand_bogus_hrefs() {
    let s = setup();
    let mut entries: Vec<(String, String)> = vec![
        ("/book/a.vcf".into(), "\"a1\"".into()),
        ("/book/b.vcf".into(), "\"b1\"".into()),
    ];
    let outside = [
        "http://127.0.0.1:9/book/x.vcf".to_owned(),
        "http://localhost:9/x.vcf".to_owned(),
        "//127.0.0.2/book/x.vcf".to_owned(),
        "/etc/passwd".to_owned(),
        "/book/../../etc/passwd".to_owned(),
        "/book/%2e%2e/secret".to_owned(),
        "mailto:alice@example.org".to_owned(),
        "file:///etc/passwd".to_owned(),
        "/bookkeeping/x.vcf".to_owned(),
        "/other/book/x.vcf".to_owned(),
    ];
    for (i, h) in outside.iter().enumerate() {
        entries.push((h.clone(), format!("\"o{i}\"")));
    }
    for i in 0..990 {
        entries.push((format!("/book/bogus-{i}%zz.vcf"), format!("\"{i}\"")));
    }
    let refs: Vec<(&str, &str)> = entries
        .iter()
        .map(|(h, e)| (h.as_str(), e.as_str()))
        .collect();
    mount_listing(&s.m, listing(&refs));
    // The multiget knows a and b (unchanged) and nothing else; GETs answer 404.
    mount_multiget(
        &s.m,
        multiget(&[
            ("/book/a.vcf", "\"a1\"", &card("a", "+49 30 1111")),
            ("/book/b.vcf", "\"b1\"", &card("b", "+49 30 2222")),
        ]),
    );
    s.m.mount(Mock::given(method("GET")).respond_with(ResponseTemplate::new(404)));
    let before = state(&s.folder);
    let t = Instant::now();
    let r = s.folder.reload().expect("bogus hrefs are not fatal");
    assert_eq!(r.warnings.len(), outside.len(), "{:?}", r.warnings);
    assert_eq!(state(&s.folder)[..2], before[..2]);
    assert_eq!(s.folder.snapshot().len(), 2);
    // 1 listing + 10 multigets + one GET per bogus href inside the book.
    assert!(r.requests <= 1 + 11 + 990, "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
    for req in s.m.requests() {
        assert!(
            req.url.path().starts_with("/book/"),
            "requested outside the book: {}",
            req.url
        );
    }
}

// ---------------------------------------------------------------------------------
// Redirects

#[test]
fn redirect_loop_ends_with_an_error() {
    let m = Mocked::new();
    m.mount(
        Mock::given(path("/book/"))
            .respond_with(ResponseTemplate::new(302).insert_header("Location", "/loop/")),
    );
    m.mount(
        Mock::given(path("/loop/"))
            .respond_with(ResponseTemplate::new(307).insert_header("Location", "/book/")),
    );
    let e = CardDavSource::open(config(&m.url("/book/")).build().unwrap()).expect_err("loop");
    assert!(
        matches!(&e, Error::InvalidResponse { reason, .. } if reason.contains("redirects")),
        "{e:?}"
    );
    assert!(m.requests().len() <= 12, "{}", m.requests().len());
}

/// A redirect to another host (here `localhost` instead of `127.0.0.1`, another
/// origin) that the configured server named: followed, with credentials, as for a
/// `.well-known` on another host. A redirect to `http://` from `https://` is refused
/// (unit test in `carddav/client/trust.rs`: wiremock has no TLS).
#[test]
fn redirect_named_by_the_server_is_followed() {
    let a = Mocked::new();
    let b = Mocked::new();
    let target = b.localhost_url("/book/");
    a.mount(
        Mock::given(path("/start/"))
            .respond_with(ResponseTemplate::new(301).insert_header("Location", target.as_str())),
    );
    b.mount(
        Mock::given(method("PROPFIND"))
            .and(HasAuth)
            .respond_with(xml207(ms(&prop_response(
                "/book/",
                "<d:resourcetype><d:collection/><c:addressbook/></d:resourcetype>",
            )))),
    );
    b.mount(Mock::given(method("PROPFIND")).respond_with(
        ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"b\""),
    ));
    let src = CardDavSource::open(config(&a.url("/start/")).build().unwrap()).expect("open");
    assert!(
        src.warnings().is_empty(),
        "loopback http: {:?}",
        src.warnings()
    );
    assert!(
        b.requests()
            .iter()
            .any(|r| r.headers.contains_key("authorization")),
        "the named host was answered with credentials"
    );
}

/// A host no trusted server named (a record id on another host) gets no credentials,
/// and cannot gain them by redirecting to a third host either.
#[test]
fn untrusted_host_cannot_launder_trust_by_redirect() {
    let a = Mocked::new();
    let evil = Mocked::new();
    let third = Mocked::new();
    mount_book(&a);
    let third_url = third.localhost_url("/steal/x.vcf");
    evil.mount(
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(302).insert_header("Location", third_url.as_str())),
    );
    third.mount(Mock::given(method("GET")).respond_with(
        ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"steal\""),
    ));
    let src = CardDavSource::open(config(&a.url("/book/")).build().unwrap()).unwrap();
    let e = src
        .get(&RecordId::new(evil.url("/x.vcf")))
        .expect_err("401 without credentials");
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
    assert!(!third.requests().is_empty());
    for r in evil.requests().iter().chain(third.requests().iter()) {
        assert!(
            !r.headers.contains_key("authorization"),
            "credentials went to {}",
            r.url
        );
    }
}

// ---------------------------------------------------------------------------------
// A moving target

/// The server changes card a between the listing (ETag a2) and the multiget (ETag a3,
/// other data): the cache stores the pair the multiget sent, version and data
/// together, never the listing's ETag with newer data. Card b vanishes in between:
/// it is gone.
#[test]
fn card_changed_between_listing_and_fetch() {
    let s = setup();
    mount_listing(
        &s.m,
        listing(&[("/book/a.vcf", "\"a2\""), ("/book/b.vcf", "\"b2\"")]),
    );
    mount_multiget(
        &s.m,
        ms(&format!(
            "{}<d:response><d:href>/book/b.vcf</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>",
            prop_response(
                "/book/a.vcf",
                &format!(
                    "<d:getetag>\"a3\"</d:getetag><c:address-data>{}</c:address-data>",
                    card("a", "+49 30 9999")
                )
            )
        )),
    );
    let r = s.folder.refresh().expect("refresh");
    assert_eq!((r.changed, r.removed), (1, 1), "{r:?}");
    let a = s
        .folder
        .cached_record(&RecordId::new("/book/a.vcf"))
        .unwrap();
    assert_eq!(a.version.as_str(), "\"a3\"");
    assert_eq!(a.card.tels()[0].number, "+49 30 9999");
    // The next sync sees a3 ≠ a2 in the listing? No: the listing now says a3 too.
    s.m.reset();
    mount_book(&s.m);
    mount_listing(&s.m, listing(&[("/book/a.vcf", "\"a3\"")]));
    mount_multiget(&s.m, ms(""));
    let r = s.folder.refresh().expect("refresh");
    assert_eq!((r.changed, r.added, r.removed), (0, 0, 0), "{r:?}");
}

/// Not a multistatus at all, a 200 HTML page, an empty 207 body and a truncated one:
/// each an error, cache unchanged.
#[test]
fn garbage_listings() {
    let s = setup();
    for body in [
        "<html><body>Login</body></html>".to_owned(),
        String::new(),
        listing(&[("/book/a.vcf", "\"a1\"")])[..120].to_owned(),
        "\u{feff}\u{0}\u{0}".to_owned(),
    ] {
        s.m.reset();
        mount_book(&s.m);
        mount_listing(&s.m, body);
        assert_fails_unchanged(&s, invalid_response);
    }
}

/// The error text of every failure above is free of the password (checked in
/// `assert_fails_unchanged`); here the source, folder and config `Debug` too.
#[test]
fn debug_output_holds_no_secret() {
    let s = setup();
    let shown = format!("{:?} {:?}", s.folder, s.folder.source());
    assert!(!shown.contains(PASSWORD), "{shown}");
    let _ = s.folder.source().info();
}

/// A listing entry without `getetag` names a card all the same: it is fetched (the
/// multiget brings its ETag), never taken for deleted. When it cannot be fetched
/// either, it is a warning and the cached card stays.
#[test]
fn listing_entry_without_etag_keeps_the_card() {
    let s = setup();
    let mut inner = prop_response(
        "/book/",
        "<d:resourcetype><d:collection/><c:addressbook/></d:resourcetype>",
    );
    inner.push_str(&prop_response(
        "/book/a.vcf",
        "<d:getetag>\"a1\"</d:getetag>",
    ));
    inner.push_str(&prop_response(
        "/book/b.vcf",
        "<d:displayname>b</d:displayname>",
    ));
    mount_listing(&s.m, ms(&inner));
    mount_multiget(
        &s.m,
        multiget(&[
            ("/book/a.vcf", "\"a1\"", &card("a", "+49 30 1111")),
            ("/book/b.vcf", "\"b1\"", &card("b", "+49 30 2222")),
        ]),
    );
    let before = state(&s.folder);
    for round in 0..2 {
        let r = if round == 0 {
            s.folder.refresh()
        } else {
            s.folder.reload()
        }
        .expect("sync");
        assert_eq!(r.removed, 0, "round {round}: {r:?}");
        assert_eq!(state(&s.folder), before, "round {round}");
    }

    // Now the card cannot be had at all: a warning, and the cached copy stays.
    s.m.reset();
    mount_book(&s.m);
    mount_listing(&s.m, ms(&inner));
    mount_multiget(&s.m, multiget(&[]));
    s.m.mount(
        Mock::given(method("GET"))
            .and(path("/book/b.vcf"))
            .respond_with(ResponseTemplate::new(500)),
    );
    let r = s.folder.refresh().expect("sync");
    assert_eq!(r.removed, 0, "{r:?}");
    assert!(
        r.warnings.iter().any(|w| w.id.as_str() == "/book/b.vcf"),
        "{r:?}"
    );
    assert_eq!(state(&s.folder), before);
}
