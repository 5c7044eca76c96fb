//! The CardDAV backend against real servers on 127.0.0.1: Radicale, Xandikos (plain,
//! and TLS with a password and its own CA) and sabre/dav 1.8 (Basic and Digest).
//!
//! Each test starts its server (see `support/servers.rs`; a missing server fails with
//! the install command unless `CTI_SKIP_SERVERS` names it), then checks discovery from
//! each URL form, login, the conformance suite, and request counts. Counts and times
//! are printed (`cargo test --test carddav_servers -- --nocapture`).
//!
//! `CTI_CARDDAV_BIG=N` adds an N-card timing run (slow on Radicale and Xandikos, whose
//! writes get slower as the book grows).
#![cfg(feature = "conformance")]

mod support;

use std::time::Instant;

use cti_phonebook::carddav::{self, CardDavConfig, CardDavSource};
use cti_phonebook::source::KnownVersions;
use cti_phonebook::{Error, PhonebookSource, Row, conformance};
use support::dns::{DnsServer, Rdata};
use support::servers::Server;

fn config(s: &Server, url: &str) -> CardDavConfig {
    let mut b = CardDavConfig::builder(url).password(&s.user, &s.password);
    if let Some(ca) = &s.ca_file {
        b = b.ca_file(ca);
    }
    b.build().expect("config")
}

/// What an earlier run learned about the server's authentication, handed to a new
/// source, makes its first request carry credentials: one request where a source
/// that starts cold meets a 401 first (Basic over http, and Digest, whose last
/// challenge is answered again).
fn check_resumed_auth(s: &Server, src: &CardDavSource) {
    let missing = cti_phonebook::RecordId::new(format!("{}no-such-card.vcf", s.book_url));
    let book = src.address_book().clone();
    let cold = CardDavSource::with_address_book(config(s, &s.book_url), book.clone()).unwrap();
    assert!(matches!(cold.get(&missing), Err(Error::NotFound { .. })));
    let Some(state) = src.auth_resume() else {
        assert_eq!(cold.requests(), 1, "{}: no authentication, no 401", s.kind);
        return;
    };
    let mut b = CardDavConfig::builder(&s.book_url)
        .password(&s.user, &s.password)
        .resume_auth(Some(&state));
    if let Some(ca) = &s.ca_file {
        b = b.ca_file(ca);
    }
    let warm = CardDavSource::with_address_book(b.build().unwrap(), book).unwrap();
    assert!(matches!(warm.get(&missing), Err(Error::NotFound { .. })));
    assert_eq!(warm.requests(), 1, "{}: resumed with {state}", s.kind);
    eprintln!(
        "[{}] a cold start took {} requests, a resumed one 1 ({})",
        s.kind,
        cold.requests(),
        state.split(' ').next().unwrap_or_default()
    );
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

fn check_discovery(s: &Server) {
    for (form, url) in [
        ("address book URL", s.book_url.as_str()),
        ("DAV root", s.url.as_str()),
        ("bare server", s.bare_url.as_str()),
    ] {
        let t = Instant::now();
        let books = carddav::discover(&config(s, url))
            .unwrap_or_else(|e| panic!("{}: discovery from the {form} {url}: {e}", s.kind));
        assert!(
            books.iter().any(|b| same_url(b.url.as_str(), &s.book_url)),
            "{}: discovery from the {form} found {books:?}, not {}",
            s.kind,
            s.book_url
        );
        eprintln!(
            "[{}] discovery from the {form}: {} book(s) in {:?}",
            s.kind,
            books.len(),
            t.elapsed()
        );
    }
}

/// RFC 6764 DNS discovery from just the domain `example.test`, through a DNS server
/// on 127.0.0.1 whose SRV record points to the test server. The target (`localhost`,
/// `127.0.0.1`) is outside that domain, so it is followed only when the
/// configuration allows it; otherwise the error names it. (A target inside the
/// domain would need a name that resolves to 127.0.0.1, and the resolver answers
/// every `*.localhost` name itself; `dns.rs` tests that rule on its own.)
fn check_dns_discovery(s: &Server) {
    let dav = url::Url::parse(&s.url).unwrap();
    let port = dav
        .port()
        .expect("test servers listen on a port of their own");
    let (scheme, service) = match dav.scheme() {
        "https" => ("https", "_carddavs._tcp.example.test"),
        _ => ("http", "_carddav._tcp.example.test"),
    };
    let domain = format!("{scheme}://example.test");
    let discover = |dns: &DnsServer, follow: bool| {
        let mut b = CardDavConfig::builder(&domain)
            .password(&s.user, &s.password)
            .dns_server(dns.addr())
            .connect_timeout(std::time::Duration::from_secs(3))
            .follow_dns_to_other_domains(follow);
        if let Some(ca) = &s.ca_file {
            b = b.ca_file(ca);
        }
        carddav::discover(&b.build().expect("config"))
    };
    // The book as reached through the DNS target's name: same port and path.
    let want = url::Url::parse(&s.book_url).unwrap();
    let found = |books: &[carddav::AddressBook]| {
        books.iter().any(|b| {
            b.url.port() == want.port()
                && b.url.path().trim_end_matches('/') == want.path().trim_end_matches('/')
        })
    };
    // With a TXT path: straight to the DAV root.
    let dns = DnsServer::start(vec![
        (service, Rdata::Srv(10, 5, port, "localhost.".into())),
        (service, Rdata::Txt(vec![format!("path={}", dav.path())])),
    ]);
    let t = Instant::now();
    match discover(&dns, false) {
        Err(Error::NotCardDav { reason, .. }) => assert!(
            reason.contains("points to localhost, outside the domain"),
            "{}: {reason}",
            s.kind
        ),
        other => panic!(
            "{}: a target outside the domain was followed: {other:?}",
            s.kind
        ),
    }
    eprintln!(
        "[{}] DNS target outside the domain refused in {:?}",
        s.kind,
        t.elapsed()
    );
    let books = discover(&dns, true)
        .unwrap_or_else(|e| panic!("{}: DNS discovery from {domain}: {e}", s.kind));
    assert!(found(&books), "{}: DNS discovery found {books:?}", s.kind);
    // Without a TXT record: the target's well-known URL (the TLS test certificate
    // names 127.0.0.1 too).
    drop(dns);
    let dns = DnsServer::start(vec![(service, Rdata::Srv(0, 0, port, "127.0.0.1.".into()))]);
    let books = discover(&dns, true)
        .unwrap_or_else(|e| panic!("{}: DNS discovery without TXT: {e}", s.kind));
    assert!(
        found(&books),
        "{}: DNS discovery without TXT found {books:?}",
        s.kind
    );
    eprintln!("[{}] DNS discovery: SRV with and without TXT", s.kind);
}

fn check_login(s: &Server) {
    if !s.checks_password {
        return;
    }
    let wrong = {
        let mut b = CardDavConfig::builder(&s.book_url).password(&s.user, "wrong-password");
        if let Some(ca) = &s.ca_file {
            b = b.ca_file(ca);
        }
        b.build().unwrap()
    };
    match CardDavSource::open(wrong) {
        Err(Error::Unauthorized { url }) => {
            assert!(!url.contains("wrong-password"));
        }
        other => panic!(
            "{}: wrong password must be Unauthorized, got {other:?}",
            s.kind
        ),
    }
    if s.ca_file.is_some() {
        // Without the CA the TLS server is not trusted.
        let no_ca = CardDavConfig::builder(&s.book_url)
            .password(&s.user, &s.password)
            .build()
            .unwrap();
        match CardDavSource::open(no_ca) {
            Err(e @ Error::Certificate { .. }) => {
                assert!(!e.is_transient());
                assert!(!format!("{e:?}").contains(&s.password));
            }
            other => panic!(
                "{}: an untrusted certificate must fail, got {other:?}",
                s.kind
            ),
        }
        let insecure = CardDavConfig::builder(&s.book_url)
            .password(&s.user, &s.password)
            .accept_invalid_certs(true)
            .build()
            .unwrap();
        CardDavSource::open(insecure).expect("accept_invalid_certs opt-in");
    }
}

/// Request counts of a listing of `n` cards, a refresh with nothing changed, and a
/// refresh after `k` changes; printed for the README.
fn check_request_counts(s: &Server, src: &CardDavSource, n: usize, k: usize) {
    let t = Instant::now();
    let mut created = Vec::new();
    for i in 0..n {
        created.push(
            src.create(
                &Row::new()
                    .with("first_name", format!("Test{i}"))
                    .with("last_name", "Count")
                    .with("phone1", format!("+49 30 {:06}", i)),
            )
            .expect("create"),
        );
    }
    let create_time = t.elapsed();
    let t = Instant::now();
    let listing = src.list().expect("list");
    let list_time = t.elapsed();
    assert_eq!(listing.records.len(), n, "{}: listed all cards", s.kind);
    assert!(listing.warnings.is_empty(), "{:?}", listing.warnings);
    let token = listing.token.clone().expect("token");
    let known: KnownVersions = listing
        .records
        .iter()
        .map(|r| (r.id.clone(), r.version.clone()))
        .collect();
    let t = Instant::now();
    let none = src
        .changes_since(&token, &known)
        .expect("no-change refresh");
    let none_time = t.elapsed();
    assert!(
        none.changed.is_empty() && none.removed.is_empty(),
        "{none:?}"
    );
    assert_eq!(
        none.requests, 1,
        "{}: a no-change refresh is one request",
        s.kind
    );

    for r in created.iter().take(k) {
        src.update(r, &r.row.clone().with("phone2", "+49 30 999"))
            .expect("update");
    }
    let t = Instant::now();
    let ch = src.changes_since(&token, &known).expect("refresh after k");
    let k_time = t.elapsed();
    assert_eq!(ch.changed.len(), k, "{}: {ch:?}", s.kind);
    eprintln!(
        "[{}] {n} creates in {create_time:?}; list of {n}: {} requests in {list_time:?}; \
         no-change refresh: {} request in {none_time:?}; refresh after {k} changes: {} requests in {k_time:?}",
        s.kind, listing.requests, none.requests, ch.requests
    );
    if n >= 500 {
        // What the multiget batch size costs on a big book (picks the default).
        for batch in [10, 50, 100, 250, 1000] {
            let mut b = CardDavConfig::builder(&s.book_url)
                .password(&s.user, &s.password)
                .multiget_batch_size(batch);
            if let Some(ca) = &s.ca_file {
                b = b.ca_file(ca);
            }
            let other = CardDavSource::open(b.build().unwrap()).unwrap();
            let t = Instant::now();
            let l = other.list().expect("list");
            eprintln!(
                "[{}] list of {n} with batch {batch}: {} requests in {:?}",
                s.kind,
                l.requests,
                t.elapsed()
            );
        }
    }
    let t = Instant::now();
    let all = src.list().expect("list").records;
    for r in all {
        src.delete(&r.id, &r.version).expect("cleanup");
    }
    eprintln!("[{}] cleanup of {n}: {:?}", s.kind, t.elapsed());
}

/// Servers that rewrite what we PUT (Radicale re-serializes: folding, order, CRLF)
/// must not cause endless conflicts: chained updates on the returned record succeed,
/// and the listing shows the version the last write returned (nametag#392).
fn check_rewrites_do_not_conflict(s: &Server, src: &CardDavSource) {
    let long = "a long note that the server folds at 75 octets; ".repeat(6);
    let mut rec = src
        .create(
            &Row::new()
                .with("first_name", "Rewrite")
                .with("note", long.trim_end())
                .with("phone1", "+49 30 1"),
        )
        .expect("create");
    for i in 2..5 {
        let row = rec.row.clone().with("phone1", format!("+49 30 {i}"));
        rec = src
            .update(&rec, &row)
            .unwrap_or_else(|e| panic!("{}: chained update {i}: {e:?}", s.kind));
    }
    let listed = src.list().expect("list");
    let now = listed
        .records
        .iter()
        .find(|r| r.id == rec.id)
        .expect("listed");
    assert_eq!(now.version, rec.version, "{}: version after writes", s.kind);
    assert_eq!(now.row.get("phone1"), Some("+49 30 4"));
    assert_eq!(now.row.get("note"), Some(long.trim_end()));
    src.delete(&rec.id, &rec.version).expect("delete");
}

fn run(kind: &'static str, n: usize) {
    let Some(s) = Server::start(kind) else { return };
    check_discovery(&s);
    check_dns_discovery(&s);
    check_login(&s);
    let src = CardDavSource::open(config(&s, &s.book_url)).expect("open the book");
    assert_eq!(
        src.info().incremental,
        !kind.starts_with("sabredav"),
        "{kind}: sync-collection support as expected"
    );
    let t = Instant::now();
    conformance::run_all(&src);
    eprintln!(
        "[{kind}] conformance suite passed in {:?}, {} requests",
        t.elapsed(),
        src.requests()
    );
    check_rewrites_do_not_conflict(&s, &src);
    check_resumed_auth(&s, &src);
    check_request_counts(&s, &src, n, 3);
    if let Some(big) = std::env::var("CTI_CARDDAV_BIG")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        check_request_counts(&s, &src, big, 10);
    }
}

#[test]
fn radicale() {
    run("radicale", 20);
}

#[test]
fn xandikos() {
    run("xandikos", 20);
}

#[test]
fn xandikos_tls_with_password() {
    run("xandikos-tls", 20);
}

#[test]
fn sabredav_basic() {
    run("sabredav", 200);
}

#[test]
fn sabredav_digest() {
    run("sabredav-digest", 50);
}
