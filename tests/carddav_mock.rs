//! The CardDAV backend against scripted servers (wiremock): the quirks of servers that
//! do not run here (Nextcloud, iCloud, sabre/dav 4, Zimbra, SOGo, ...), and failures no
//! well-behaved server produces. Each test names the report that shows the quirk.
//!
//! `reqwest::blocking` must not run inside a tokio runtime, so the mock servers run on a
//! runtime of their own and the test thread stays outside it.

mod support;

use support::mock::Mocked;

use std::io::{Read, Write};
use std::net::TcpListener;

use cti_phonebook::carddav::{self, CardDavConfig, CardDavSource};
use cti_phonebook::source::{KnownVersions, RecordId, SyncToken, Version};
use cti_phonebook::{Error, PhonebookSource, Row, SyncProgress};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Match, Mock, Request, ResponseTemplate};

/// Matches requests without an `Authorization` header.
struct NoAuth;
impl Match for NoAuth {
    fn matches(&self, r: &Request) -> bool {
        !r.headers.contains_key("authorization")
    }
}

/// Matches requests whose `Authorization` starts with `prefix`.
struct AuthStarts(&'static str);
impl Match for AuthStarts {
    fn matches(&self, r: &Request) -> bool {
        r.headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(self.0))
    }
}

fn ms(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/">{inner}</d:multistatus>"#
    )
}

fn prop_response(href: &str, props: &str) -> String {
    format!(
        "<d:response><d:href>{href}</d:href><d:propstat><d:prop>{props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
    )
}

fn book_props(extra: &str) -> String {
    format!(
        "<d:resourcetype><d:collection/><c:addressbook/></d:resourcetype><d:displayname>Book</d:displayname>{extra}"
    )
}

fn xml207(body: String) -> ResponseTemplate {
    ResponseTemplate::new(207).set_body_raw(body, "application/xml; charset=utf-8")
}

fn card(uid: &str, tel: &str) -> String {
    format!("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{uid}\r\nTEL:{tel}\r\nEND:VCARD\r\n")
}

/// A GET of any card, answered with `card(uid, tel)` and `etag`.
fn card_get(etag: &str, uid: &str, tel: &str) -> Mock {
    Mock::given(method("GET")).respond_with(
        ResponseTemplate::new(200)
            .insert_header("ETag", etag)
            .set_body_string(card(uid, tel)),
    )
}

/// The `Authorization` header of the `i`th request `m` received.
fn authorization(m: &Mocked, i: usize) -> String {
    m.requests()[i].headers["authorization"]
        .to_str()
        .unwrap()
        .to_owned()
}

fn card_response(href: &str, etag: &str, data: &str) -> String {
    prop_response(
        href,
        &format!("<d:getetag>{etag}</d:getetag><c:address-data>{data}</c:address-data>"),
    )
}

/// Mounts the Depth 0 PROPFIND that `CardDavSource::open` sends for `/book/`.
fn mount_book(m: &Mocked, extra: &str) {
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/book/"))
            .and(header("Depth", "0"))
            .respond_with(xml207(ms(&prop_response("/book/", &book_props(extra))))),
    );
}

fn open(m: &Mocked) -> CardDavSource {
    CardDavSource::open(
        CardDavConfig::builder(&m.url("/book/"))
            .password("alice", "secret")
            .build()
            .unwrap(),
    )
    .expect("open")
}

/// Nextcloud's DAV root lists no `addressbook` in its DAV header (nextcloud/server#37374):
/// discovery must not ask for it.
#[test]
fn nextcloud_root_without_addressbook_in_dav_header() {
    let m = Mocked::new();
    m.mount(
        Mock::given(method("OPTIONS"))
            .respond_with(ResponseTemplate::new(200).insert_header("DAV", "1, 3, extended-mkcol")),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/remote.php/dav/"))
            .respond_with(xml207(ms(&prop_response(
                "/remote.php/dav/",
                "<d:resourcetype><d:collection/></d:resourcetype><d:current-user-principal><d:href>/remote.php/dav/principals/users/alice/</d:href></d:current-user-principal>",
            )))),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/remote.php/dav/principals/users/alice/"))
            .respond_with(xml207(ms(&prop_response(
                "/remote.php/dav/principals/users/alice/",
                "<c:addressbook-home-set><d:href>/remote.php/dav/addressbooks/users/alice/</d:href></c:addressbook-home-set>",
            )))),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/remote.php/dav/addressbooks/users/alice/"))
            .and(header("Depth", "1"))
            .respond_with(xml207(ms(&format!(
                "{}{}",
                prop_response(
                    "/remote.php/dav/addressbooks/users/alice/",
                    "<d:resourcetype><d:collection/></d:resourcetype>"
                ),
                prop_response(
                    "/remote.php/dav/addressbooks/users/alice/contacts/",
                    &book_props(
                        "<cs:getctag>7</cs:getctag><d:sync-token>http://sabre.io/ns/sync/7</d:sync-token>"
                    )
                )
            )))),
    );
    let books = carddav::discover(
        &CardDavConfig::builder(&m.url("/remote.php/dav"))
            .password("alice", "secret")
            .build()
            .unwrap(),
    )
    .expect("discovery");
    assert_eq!(books.len(), 1);
    assert_eq!(
        books[0].url.as_str(),
        m.url("/remote.php/dav/addressbooks/users/alice/contacts/")
    );
    assert!(books[0].supports_sync);
    assert_eq!(books[0].ctag.as_deref(), Some("7"));
    assert!(m.requests().iter().all(|r| r.method.as_str() != "OPTIONS"));
}

/// iCloud names a home set on another host (go-webdav#61, vdirsyncer#471): follow the
/// whole URL, with credentials, because the authenticated server pointed there.
#[test]
fn icloud_home_set_on_another_host() {
    let a = Mocked::new();
    let b = Mocked::new();
    let home = b.url("/123/carddavhome/");
    a.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/"))
            .and(AuthStarts("Basic "))
            .respond_with(xml207(ms(&prop_response(
                "/",
                "<d:current-user-principal><d:href>/123/principal/</d:href></d:current-user-principal>",
            )))),
    );
    a.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/"))
            .and(NoAuth)
            .respond_with(
                ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"x\""),
            ),
    );
    a.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/123/principal/"))
            .respond_with(xml207(ms(&prop_response(
                "/123/principal/",
                &format!(
                    "<c:addressbook-home-set><d:href>{home}</d:href></c:addressbook-home-set>"
                ),
            )))),
    );
    b.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/123/carddavhome/"))
            .and(NoAuth)
            .respond_with(
                ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"y\""),
            ),
    );
    b.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/123/carddavhome/"))
            .and(AuthStarts("Basic "))
            .respond_with(xml207(ms(&prop_response(
                "/123/carddavhome/card/",
                &book_props(""),
            )))),
    );
    let books = carddav::discover(
        &CardDavConfig::builder(&a.url("/"))
            .password("alice", "secret")
            .build()
            .unwrap(),
    )
    .expect("discovery");
    assert_eq!(books.len(), 1);
    assert_eq!(books[0].url.as_str(), b.url("/123/carddavhome/card/"));
}

/// A host the server never named gets no credentials, even if a card or the user's
/// listing points there: only redirects and discovery answers extend trust.
#[test]
fn no_credentials_to_unnamed_hosts() {
    let a = Mocked::new();
    let other = Mocked::new();
    mount_book(&a, "");
    other.mount(card_get("\"1\"", "x", "1"));
    let src = open(&a);
    // An id is an href; one naming another host is fetched without credentials.
    let _ = src.get(&RecordId::new(other.url("/evil/x.vcf")));
    for r in other.requests() {
        assert!(
            !r.headers.contains_key("authorization"),
            "credentials leaked to an unnamed host"
        );
    }
    assert!(!other.requests().is_empty());
}

/// sabre/dav 4 answers a PUT without ETag when it changed the card (sabre-io/dav#732);
/// reusing the old ETag would cause endless conflicts (nametag#392): fetch it.
#[test]
fn put_without_etag_fetches_the_stored_card() {
    let m = Mocked::new();
    mount_book(&m, "");
    m.mount(Mock::given(method("PUT")).respond_with(ResponseTemplate::new(201)));
    m.mount(
        Mock::given(method("GET")).respond_with(
            ResponseTemplate::new(200)
                .insert_header("ETag", "\"server-1\"")
                .insert_header("Content-Type", "text/vcard")
                .set_body_string(
                    "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Sabre//EN\r\nUID:u\r\nFN:Ada\r\nEND:VCARD\r\n",
                ),
        ),
    );
    let src = CardDavSource::open(
        CardDavConfig::builder(&m.url("/book/"))
            .password("alice", "hunter2")
            .build()
            .unwrap(),
    )
    .unwrap();
    assert!(
        !format!("{src:?}").contains("hunter2"),
        "Debug shows no password"
    );
    let rec = src
        .create(&Row::new().with("display_name", "Ada"))
        .expect("create");
    assert_eq!(rec.version, Version::new("\"server-1\""));
    assert!(rec.card.first("PRODID").is_some(), "the server's card");
    let methods: Vec<String> = m.requests().iter().map(|r| r.method.to_string()).collect();
    assert_eq!(methods, ["PROPFIND", "PUT", "GET"]);
    let put = m
        .requests()
        .into_iter()
        .find(|r| r.method.as_str() == "PUT")
        .unwrap();
    assert_eq!(put.headers.get("if-none-match").unwrap(), "*");
    assert!(put.url.path().starts_with("/book/") && put.url.path().ends_with(".vcf"));
}

/// RFC 6578 §3.6: a 507 on the collection means "truncated, ask again with the new
/// token"; no `<limit>` is ever sent (Xandikos truncates silently with it).
#[test]
fn sync_follows_507_truncation() {
    let m = Mocked::new();
    mount_book(&m, "<d:sync-token>t0</d:sync-token>");
    m.mount(
        Mock::given(method("REPORT"))
            .and(body_string_contains("<d:sync-token>t0</d:sync-token>"))
            .respond_with(xml207(ms(&format!(
                "{}<d:response><d:href>/book/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response><d:sync-token>t1</d:sync-token>",
                card_response("/book/a.vcf", "\"a1\"", &card("a", "1"))
            )))),
    );
    m.mount(
        Mock::given(method("REPORT"))
            .and(body_string_contains("<d:sync-token>t1</d:sync-token>"))
            .respond_with(xml207(ms(&format!(
                "{}<d:response><d:href>/book/gone.vcf</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response><d:sync-token>t2</d:sync-token>",
                card_response("/book/b.vcf", "\"b1\"", &card("b", "2"))
            )))),
    );
    let src = open(&m);
    let ch = src
        .changes_since(&SyncToken::new("sync:t0"), &KnownVersions::new())
        .expect("sync");
    let ids: Vec<&str> = ch.changed.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["/book/a.vcf", "/book/b.vcf"]);
    assert_eq!(ch.removed, [RecordId::new("/book/gone.vcf")]);
    assert_eq!(ch.token, Some(SyncToken::new("sync:t2")));
    assert_eq!(ch.requests, 2);
    for r in m.requests() {
        assert!(!String::from_utf8_lossy(&r.body).contains("limit"));
    }
}

/// An invalid token: 403 (Radicale, sabre 4) or 412 (Xandikos) with
/// `valid-sync-token` → TokenExpired, so the caller does a full listing.
#[test]
fn invalid_sync_token_is_token_expired() {
    for status in [403, 412] {
        let m = Mocked::new();
        mount_book(&m, "<d:sync-token>t0</d:sync-token>");
        m.mount(Mock::given(method("REPORT")).respond_with(
            ResponseTemplate::new(status).set_body_raw(
                r#"<?xml version="1.0"?><error xmlns="DAV:"><valid-sync-token/></error>"#,
                "application/xml",
            ),
        ));
        let src = open(&m);
        match src.changes_since(&SyncToken::new("sync:old"), &KnownVersions::new()) {
            Err(Error::TokenExpired) => {}
            other => panic!("{status}: {other:?}"),
        }
    }
}

/// Duplicate hrefs (Zimbra, DavMail: vdirsyncer#88), ETags without quotes
/// (groupoffice#556) and a 207 served as text/html (dav4jvm): all tolerated.
#[test]
fn duplicate_hrefs_unquoted_etags_and_html_content_type() {
    let m = Mocked::new();
    mount_book(&m, "");
    let listing = ms(&format!(
        "{}{}{}{}",
        prop_response("/book/", "<d:resourcetype><d:collection/></d:resourcetype>"),
        prop_response("/book/a.vcf", "<d:getetag>etag-a</d:getetag>"),
        prop_response("/book/a.vcf", "<d:getetag>etag-a</d:getetag>"),
        prop_response("/book/b%40x.vcf", "<d:getetag>\"etag-b\"</d:getetag>"),
    ));
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(header("Depth", "1"))
            .respond_with(ResponseTemplate::new(207).set_body_raw(listing, "text/html")),
    );
    m.mount(
        Mock::given(method("REPORT")).respond_with(ResponseTemplate::new(207).set_body_raw(
            ms(&format!(
                "{}{}{}",
                card_response("/book/a.vcf", "etag-a", &card("a", "1")),
                card_response("/book/a.vcf", "etag-a", &card("a", "1")),
                // The server spells the href differently than in the listing.
                card_response("/book/b@x.vcf", "\"etag-b\"", &card("b", "2")),
            )),
            "text/plain",
        )),
    );
    let src = open(&m);
    let l = src.list().expect("list");
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    let mut got: Vec<(String, String)> = l
        .records
        .iter()
        .map(|r| (r.id.to_string(), r.version.to_string()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("/book/a.vcf".to_owned(), "\"etag-a\"".to_owned()),
            ("/book/b%40x.vcf".to_owned(), "\"etag-b\"".to_owned())
        ]
    );
    assert_eq!(l.requests, 2, "one listing, one multiget");
    // A refresh without sync support compares ETags: nothing changed.
    let known: KnownVersions = l
        .records
        .iter()
        .map(|r| (r.id.clone(), r.version.clone()))
        .collect();
    let ch = src
        .changes_since(&SyncToken::new("etags:"), &known)
        .expect("refresh");
    assert!(ch.changed.is_empty() && ch.removed.is_empty(), "{ch:?}");
}

/// sabre/dav 1.8 fails a whole multiget with 404 when one href is gone
/// (nextcloud/server#3583): split the batch down to GETs, skip the missing card.
#[test]
fn multiget_failing_as_a_whole_falls_back_to_get() {
    let m = Mocked::new();
    mount_book(&m, "");
    let mut listing = prop_response("/book/", "<d:resourcetype><d:collection/></d:resourcetype>");
    for i in 0..4 {
        listing.push_str(&prop_response(
            &format!("/book/{i}.vcf"),
            &format!("<d:getetag>\"{i}\"</d:getetag>"),
        ));
    }
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(header("Depth", "1"))
            .respond_with(xml207(ms(&listing))),
    );
    m.mount(Mock::given(method("REPORT")).respond_with(ResponseTemplate::new(404)));
    for i in 0..3 {
        m.mount(
            Mock::given(method("GET"))
                .and(path(format!("/book/{i}.vcf")))
                .respond_with(
                    ResponseTemplate::new(200)
                        .insert_header("ETag", format!("\"{i}\""))
                        .set_body_string(card(&format!("u{i}"), "1")),
                ),
        );
    }
    m.mount(
        Mock::given(method("GET"))
            .and(path("/book/3.vcf"))
            .respond_with(ResponseTemplate::new(404)),
    );
    let src = open(&m);
    let l = src.list().expect("list");
    assert_eq!(l.records.len(), 3);
    assert!(
        l.warnings.is_empty(),
        "a card deleted meanwhile is no warning"
    );
    // 1 PROPFIND + multigets of 4, 2, 2 + 4 GETs.
    assert_eq!(l.requests, 1 + 3 + 4);
}

/// Cards of many MB exist (161 MB: nextcloud/contacts#2743). One over the size cap is
/// a warning with its href; the others arrive. Here 50 MB against a 1 MB cap.
#[test]
fn huge_card_over_the_cap_is_a_warning() {
    let m = Mocked::new();
    mount_book(&m, "");
    let mut listing = prop_response("/book/", "<d:resourcetype><d:collection/></d:resourcetype>");
    for name in ["a", "big", "c"] {
        listing.push_str(&prop_response(
            &format!("/book/{name}.vcf"),
            &format!("<d:getetag>\"{name}\"</d:getetag>"),
        ));
    }
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(header("Depth", "1"))
            .respond_with(xml207(ms(&listing))),
    );
    let photo = "A".repeat(50 * 1024 * 1024);
    let big = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:big\r\nFN:Big\r\nPHOTO;ENCODING=b:{photo}\r\nEND:VCARD\r\n"
    );
    m.mount(
        Mock::given(method("REPORT"))
            .and(body_string_contains("big.vcf"))
            .respond_with(xml207(ms(&card_response("/book/big.vcf", "\"big\"", &big))))
            .with_priority(1),
    );
    m.mount(
        Mock::given(method("REPORT"))
            .and(body_string_contains("a.vcf"))
            .respond_with(xml207(ms(&card_response(
                "/book/a.vcf",
                "\"a\"",
                &card("a", "1"),
            )))),
    );
    m.mount(
        Mock::given(method("REPORT"))
            .and(body_string_contains("c.vcf"))
            .respond_with(xml207(ms(&card_response(
                "/book/c.vcf",
                "\"c\"",
                &card("c", "1"),
            )))),
    );
    for name in ["a", "c"] {
        m.mount(
            Mock::given(method("GET"))
                .and(path(format!("/book/{name}.vcf")))
                .respond_with(
                    ResponseTemplate::new(200)
                        .insert_header("ETag", format!("\"{name}\""))
                        .set_body_string(card(name, "1")),
                ),
        );
    }
    m.mount(
        Mock::given(method("GET"))
            .and(path("/book/big.vcf"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("ETag", "\"big\"")
                    .set_body_string(big.clone()),
            ),
    );
    let src = CardDavSource::open(
        CardDavConfig::builder(&m.url("/book/"))
            .password("alice", "secret")
            .max_response_bytes(1024 * 1024)
            .build()
            .unwrap(),
    )
    .unwrap();
    let l = src.list().expect("list survives the huge card");
    let mut ids: Vec<&str> = l.records.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["/book/a.vcf", "/book/c.vcf"]);
    assert_eq!(l.warnings.len(), 1);
    assert_eq!(l.warnings[0].id.as_str(), "/book/big.vcf");
    assert!(l.warnings[0].message.contains("limit"), "{:?}", l.warnings);
}

/// sabre/dav with Digest answers an unauthenticated REPORT (and here any request) with
/// 500 instead of 401 (sabre-io/dav#932): fetch the challenge, then answer it.
#[test]
fn digest_server_answering_500_before_401() {
    let m = Mocked::new();
    let challenge =
        r#"Digest realm="SabreDAV", qop="auth", nonce="abc123", opaque="xyz", algorithm=MD5"#;
    m.mount(
        Mock::given(method("OPTIONS"))
            .and(NoAuth)
            .respond_with(ResponseTemplate::new(401).insert_header("WWW-Authenticate", challenge)),
    );
    m.mount(
        Mock::given(NoAuth)
            .respond_with(ResponseTemplate::new(500).set_body_string("Internal Server Error")),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(AuthStarts(
                "Digest username=\"alice\", realm=\"SabreDAV\", nonce=\"abc123\"",
            ))
            .respond_with(xml207(ms(&prop_response("/book/", &book_props(""))))),
    );
    let src = open(&m);
    assert_eq!(src.requests(), 3, "PROPFIND 500, OPTIONS 401, PROPFIND 207");
    let auth = authorization(&m, 2);
    assert!(
        auth.contains("qop=auth") && auth.contains("nc=00000001"),
        "{auth}"
    );
    assert!(auth.contains("opaque=\"xyz\""), "{auth}");
    assert!(!auth.contains("secret"));
}

/// A Digest challenge resumed from an earlier run goes with the first request, its
/// nonce count going on from where that run stopped. A server that turns the old
/// nonce down, even without calling it stale, gets the fresh challenge answered: the
/// run costs one request more, never a login failure.
#[test]
fn a_resumed_digest_challenge_the_server_refuses_is_answered_afresh() {
    let m = Mocked::new();
    let fresh = r#"Digest realm="SabreDAV", qop="auth", nonce="new", opaque="o2", algorithm=MD5"#;
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(AuthStarts(
                "Digest username=\"alice\", realm=\"SabreDAV\", nonce=\"new\"",
            ))
            .respond_with(xml207(ms(&prop_response("/book/", &book_props(""))))),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .respond_with(ResponseTemplate::new(401).insert_header("WWW-Authenticate", fresh)),
    );
    let resumed = r#"digest nc=41 Digest realm="SabreDAV", nonce="old", algorithm=MD5, opaque="o1", qop="auth""#;
    let open_resumed = |m: &Mocked| {
        CardDavSource::open(
            CardDavConfig::builder(&m.url("/book/"))
                .password("alice", "secret")
                .resume_auth(Some(resumed))
                .build()
                .unwrap(),
        )
    };
    let src = open_resumed(&m).expect("the fresh challenge is answered");
    assert_eq!(src.requests(), 2);
    let first = authorization(&m, 0);
    assert!(
        first.contains("nonce=\"old\"") && first.contains("nc=0000002a"),
        "{first}"
    );
    let state = src.auth_resume().unwrap();
    assert!(
        state.starts_with("digest nc=1 ") && state.contains("nonce=\"new\""),
        "{state}"
    );

    // The same with the right password refused twice is a login failure, as ever.
    let m = Mocked::new();
    m.mount(
        Mock::given(method("PROPFIND"))
            .respond_with(ResponseTemplate::new(401).insert_header("WWW-Authenticate", fresh)),
    );
    let err = open_resumed(&m).unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert_eq!(m.requests().len(), 2);
}

/// A wrong password is Unauthorized, not a parse error, and the password appears
/// nowhere in the error.
#[test]
fn wrong_password_is_unauthorized() {
    let m = Mocked::new();
    m.mount(Mock::given(method("PROPFIND")).respond_with(
        ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"r\""),
    ));
    let err = CardDavSource::open(
        CardDavConfig::builder(&m.url("/book/"))
            .password("alice", "hunter2")
            .build()
            .unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("hunter2"));
    assert_eq!(
        m.requests().len(),
        2,
        "one try, one answer to the challenge"
    );
}

/// SOGo/mailcow answered the well-known URL with 405 (mailcow#359): move on to `/`.
#[test]
fn well_known_405_moves_on() {
    let m = Mocked::new();
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/.well-known/carddav"))
            .respond_with(ResponseTemplate::new(405)),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/SOGo/"))
            .respond_with(ResponseTemplate::new(404)),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/"))
            .respond_with(xml207(ms(&prop_response(
                "/",
                "<c:addressbook-home-set><d:href>/SOGo/dav/alice/Contacts/</d:href></c:addressbook-home-set>",
            )))),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/SOGo/dav/alice/Contacts/"))
            .respond_with(xml207(ms(&prop_response(
                "/SOGo/dav/alice/Contacts/personal/",
                &book_props(""),
            )))),
    );
    let books = carddav::discover(
        &CardDavConfig::builder(&m.url("/SOGo/"))
            .password("alice", "secret")
            .build()
            .unwrap(),
    )
    .expect("discovery");
    assert_eq!(
        books[0].url.as_str(),
        m.url("/SOGo/dav/alice/Contacts/personal/")
    );
    let paths: Vec<String> = m
        .requests()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(paths[..3], ["/SOGo/", "/.well-known/carddav", "/"]);
}

/// Redirects: the PROPFIND body is resent (vdirsyncer `_fix_redirects`), loops end.
/// (https → http downgrades are refused; unit-tested in `carddav/client/trust.rs`, wiremock has no TLS.)
#[test]
fn redirects_resend_the_body_and_loops_end() {
    let m = Mocked::new();
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/.well-known/carddav"))
            .respond_with(ResponseTemplate::new(301).insert_header("Location", "/dav/")),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/dav/"))
            .and(body_string_contains("current-user-principal"))
            .respond_with(xml207(ms(&prop_response(
                "/dav/",
                "<c:addressbook-home-set><d:href>/dav/home/</d:href></c:addressbook-home-set>",
            )))),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/dav/home/"))
            .respond_with(xml207(ms(&prop_response(
                "/dav/home/book/",
                &book_props(""),
            )))),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/loop"))
            .respond_with(ResponseTemplate::new(302).insert_header("Location", "/loop")),
    );
    let books = carddav::discover(
        &CardDavConfig::builder(&m.url("/.well-known/carddav"))
            .build()
            .unwrap(),
    )
    .expect("discovery through a redirect");
    assert_eq!(books[0].url.as_str(), m.url("/dav/home/book/"));

    let err =
        CardDavSource::open(CardDavConfig::builder(&m.url("/loop")).build().unwrap()).unwrap_err();
    assert!(err.to_string().contains("redirects"), "{err}");
}

/// The connection drops in the middle of the answer: a transient network error.
#[test]
fn dropped_connection_is_a_network_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        let _ = s.write_all(
            b"HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: 100000\r\n\r\n<d:multistatus xmlns:d=\"DAV:\"><d:response>",
        );
        // Dropping the stream closes the connection 99,9xx bytes early.
    });
    let err = CardDavSource::open(
        CardDavConfig::builder(&format!("http://{addr}/book/"))
            .build()
            .unwrap(),
    )
    .unwrap_err();
    t.join().unwrap();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    assert!(err.is_transient());
}

/// Nothing listens: a transient network error naming the URL.
#[test]
fn refused_connection_is_a_network_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = carddav::discover(
        &CardDavConfig::builder(&format!("http://127.0.0.1:{port}/"))
            .password("alice", "secret")
            .build()
            .unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
}

/// A redirect from https to http is refused (nextcloud/docker#2437; dav4jvm does the
/// same): it would send the credentials in clear. wiremock has no TLS, so an
/// `openssl s_server -HTTP` serves the redirect (it answers GET only, which is enough).
#[test]
fn https_to_http_redirect_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
        ])
        .current_dir(dir.path())
        .output()
        .expect("the openssl command is needed for this test (apt-get install openssl)");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let http = Mocked::new();
    mount_book(&http, "");
    std::fs::write(
        dir.path().join("moved.vcf"),
        format!(
            "HTTP/1.0 301 Moved Permanently\r\nLocation: {}\r\nContent-Length: 0\r\n\r\n",
            http.url("/book/moved.vcf")
        ),
    )
    .unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new("openssl")
        .args([
            "s_server", "-quiet", "-HTTP", "-cert", "cert.pem", "-key", "key.pem",
        ])
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl s_server starts");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let src = CardDavSource::open(
        CardDavConfig::builder(&http.url("/book/"))
            .password("alice", "secret")
            .accept_invalid_certs(true)
            .build()
            .unwrap(),
    )
    .unwrap();
    let res = src.get(&RecordId::new(format!(
        "https://127.0.0.1:{port}/moved.vcf"
    )));
    let _ = server.kill();
    let _ = server.wait();
    let err = res.unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("https to http"), "{err}");
    assert!(
        http.requests()
            .iter()
            .all(|r| r.url.path() != "/book/moved.vcf"),
        "the http URL was never requested"
    );
}

/// Xandikos answers `423 Locked`, and sometimes 500, to a write that overlaps another
/// commit. Our writes are conditional, so they are retried after a pause.
#[test]
fn locked_or_failed_writes_are_retried() {
    let m = Mocked::new();
    mount_book(&m, "");
    m.mount(
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(423))
            .up_to_n_times(1)
            .with_priority(1),
    );
    m.mount(
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(500))
            .up_to_n_times(1)
            .with_priority(2),
    );
    m.mount(
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(201).insert_header("ETag", "\"1\""))
            .with_priority(3),
    );
    m.mount(card_get("\"1\"", "u", "1"));
    let src = open(&m);
    let rec = src
        .create(&Row::new().with("display_name", "u"))
        .expect("create after retries");
    assert_eq!(rec.version, Version::new("\"1\""));
    let puts = m
        .requests()
        .iter()
        .filter(|r| r.method.as_str() == "PUT")
        .count();
    assert_eq!(puts, 3);
}

/// Progress of a refresh: the sync report carries one card itself and names five
/// without data; those are fetched in multigets of 2 (here the multigets fail as a
/// whole and fall back to GETs, which still count once per batch). Events: the card
/// the report brought while it streamed in (1, no total yet), the report (1 of 6),
/// then one after each batch of 2, 2 and 1, in the order they finish.
#[test]
fn sync_collection_reports_progress_per_batch() {
    let m = Mocked::new();
    mount_book(&m, "<d:sync-token>t0</d:sync-token>");
    let mut report = card_response("/book/a.vcf", "\"a1\"", &card("a", "1"));
    for c in ["b", "c", "d", "e", "f"] {
        report.push_str(&prop_response(
            &format!("/book/{c}.vcf"),
            &format!("<d:getetag>\"{c}1\"</d:getetag>"),
        ));
        m.mount(
            Mock::given(method("GET"))
                .and(path(format!("/book/{c}.vcf")))
                .respond_with(
                    ResponseTemplate::new(200)
                        .insert_header("ETag", format!("\"{c}1\""))
                        .set_body_string(card(c, "2")),
                ),
        );
    }
    report.push_str("<d:sync-token>t1</d:sync-token>");
    m.mount(
        Mock::given(method("REPORT"))
            .and(body_string_contains("sync-collection"))
            .respond_with(xml207(ms(&report))),
    );
    m.mount(
        Mock::given(method("REPORT"))
            .and(body_string_contains("addressbook-multiget"))
            .respond_with(ResponseTemplate::new(404)),
    );
    let src = CardDavSource::open(
        CardDavConfig::builder(&m.url("/book/"))
            .password("alice", "secret")
            .multiget_batch_size(2)
            .build()
            .unwrap(),
    )
    .expect("open");
    let events = std::sync::Mutex::new(Vec::new());
    let ch = src
        .changes_since_with_progress(
            &SyncToken::new("sync:t0"),
            &KnownVersions::new(),
            &|p: SyncProgress| events.lock().unwrap().push((p.fetched, p.total)),
        )
        .expect("sync");
    assert_eq!(ch.changed.len(), 6);
    let events = events.into_inner().unwrap();
    assert_eq!(events[..2], [(1, None), (1, Some(6))], "{events:?}");
    assert_eq!(events.last(), Some(&(6, Some(6))), "{events:?}");
    // One event per batch; batches in flight together may finish in any order.
    let mut steps: Vec<usize> = events[1..].windows(2).map(|w| w[1].0 - w[0].0).collect();
    steps.sort();
    assert_eq!(steps, [1, 2, 2], "{events:?}");
}

/// A first sync whose answer is far larger than the size cap, each card well under
/// it: read as it streams in, it is still one report, every card byte for byte and
/// none of them skipped.
#[test]
fn a_first_sync_larger_than_the_cap_is_one_streamed_report() {
    let m = Mocked::new();
    mount_book(&m, "<d:sync-token>t0</d:sync-token>");
    let note = "x".repeat(900);
    let mut report = String::new();
    for i in 0..400 {
        let data = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u{i}\r\nFN:Person {i}\r\nNOTE:{note}\r\nEND:VCARD\r\n"
        );
        report.push_str(&card_response(
            &format!("/book/{i}.vcf"),
            &format!("\"e{i}\""),
            &data.replace('\r', "&#13;"),
        ));
    }
    report.push_str("<d:sync-token>t1</d:sync-token>");
    let body = ms(&report);
    assert!(body.len() > 6 * 64 * 1024);
    m.mount(
        Mock::given(method("REPORT"))
            .and(body_string_contains("sync-collection"))
            .respond_with(xml207(body)),
    );
    let src = CardDavSource::open(
        CardDavConfig::builder(&m.url("/book/"))
            .password("alice", "secret")
            .max_response_bytes(64 * 1024)
            .build()
            .unwrap(),
    )
    .expect("open");
    let listing = src.list().expect("list");
    assert!(listing.warnings.is_empty(), "{:?}", listing.warnings);
    assert_eq!(listing.requests, 1);
    assert_eq!(listing.records.len(), 400);
    assert_eq!(listing.token.unwrap().as_str(), "sync:t1");
    let r = listing
        .records
        .iter()
        .find(|r| r.id.as_str() == "/book/399.vcf")
        .unwrap();
    assert_eq!(r.version.as_str(), "\"e399\"");
    assert_eq!(
        r.card.to_bytes(),
        format!("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u399\r\nFN:Person 399\r\nNOTE:{note}\r\nEND:VCARD\r\n")
            .into_bytes()
    );
}

/// A root that answers 500 to a PROPFIND asking for a `sync-token` (a server-side bug
/// for a collection that is no address book) but 207 to one asking less: discovery
/// asks again for the essential properties and goes on, from the bare server and from
/// the well-known URL alike. A book that fails the same way still opens, its optional
/// properties asked for one at a time.
#[test]
fn discovery_survives_a_server_failing_on_one_property() {
    let m = Mocked::new();
    for p in ["/", "/abook/"] {
        m.mount(
            Mock::given(method("PROPFIND"))
                .and(path(p))
                .and(body_string_contains("sync-token"))
                .and(body_string_contains("resourcetype"))
                .respond_with(ResponseTemplate::new(500).set_body_string("Internal Server Error"))
                .with_priority(1),
        );
    }
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/.well-known/carddav"))
            .respond_with(ResponseTemplate::new(301).insert_header("Location", "/")),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/"))
            .respond_with(xml207(ms(&prop_response(
                "/",
                "<d:resourcetype><d:collection/></d:resourcetype><d:current-user-principal><d:href>/p/alice/</d:href></d:current-user-principal>",
            )))),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/p/alice/"))
            .respond_with(xml207(ms(&prop_response(
                "/p/alice/",
                "<c:addressbook-home-set><d:href>/home/</d:href></c:addressbook-home-set>",
            )))),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/home/"))
            .respond_with(xml207(ms(&format!(
                "{}{}",
                prop_response("/home/", "<d:resourcetype><d:collection/></d:resourcetype>"),
                prop_response("/abook/", &book_props(""))
            )))),
    );
    // The book's properties, one request each once the whole set failed.
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/abook/"))
            .and(body_string_contains("sync-token"))
            .respond_with(xml207(ms(&prop_response(
                "/abook/",
                "<d:sync-token>http://example.org/sync/4</d:sync-token>",
            )))),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/abook/"))
            .and(body_string_contains("getctag"))
            .respond_with(xml207(ms(&prop_response(
                "/abook/",
                "<cs:getctag>4</cs:getctag>",
            )))),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/abook/"))
            .respond_with(xml207(ms(&prop_response("/abook/", &book_props(""))))),
    );
    for start in ["/", "/.well-known/carddav"] {
        let config = CardDavConfig::builder(&m.url(start))
            .password("alice", "secret")
            .build()
            .unwrap();
        let books = carddav::discover(&config).unwrap_or_else(|e| panic!("from {start}: {e}"));
        assert_eq!(books.len(), 1, "from {start}");
        assert_eq!(books[0].url.as_str(), m.url("/abook/"));
        let src = CardDavSource::open(config.with_url(books[0].url.clone())).expect("open");
        let book = src.address_book();
        assert!(book.supports_sync, "sync-token asked for on its own");
        assert_eq!(book.ctag.as_deref(), Some("4"));
        assert_eq!(book.display_name.as_deref(), Some("Book"));
    }
}

/// Every candidate failing: one error that lists each candidate and what it answered.
#[test]
fn discovery_names_every_failed_candidate() {
    let m = Mocked::new();
    m.mount(
        Mock::given(method("PROPFIND"))
            .respond_with(ResponseTemplate::new(500).set_body_string("boom")),
    );
    let err = carddav::discover(
        &CardDavConfig::builder(&m.url("/dav"))
            .password("alice", "secret")
            .build()
            .unwrap(),
    )
    .unwrap_err();
    let Error::NotCardDav { reason, .. } = &err else {
        panic!("{err:?}");
    };
    for c in ["/dav:", "/dav/:", "/.well-known/carddav:", "/:"] {
        assert!(reason.contains(&m.url(c)), "{c} missing in {reason}");
    }
    assert!(reason.contains("500"), "{reason}");
}

/// A folder that stored its book and the server's auth scheme needs no request to open
/// and sends the credentials with its first request: a no-change refresh is one
/// request on the wire, 401 round trips included. Without them it costs two more.
#[test]
fn known_book_and_scheme_make_a_no_change_refresh_one_request() {
    let m = Mocked::new();
    m.mount(
        Mock::given(NoAuth)
            .respond_with(
                ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"x\""),
            )
            .with_priority(1),
    );
    mount_book(&m, "<d:sync-token>t1</d:sync-token>");
    m.mount(
        Mock::given(method("REPORT"))
            .and(AuthStarts("Basic "))
            .respond_with(xml207(ms("<d:sync-token>t1</d:sync-token>"))),
    );
    let builder = || CardDavConfig::builder(&m.url("/book/")).password("alice", "secret");

    // First run: open (401 + PROPFIND), then the report.
    let first = CardDavSource::open(builder().build().unwrap()).expect("open");
    let ch = first
        .changes_since(&SyncToken::new("sync:t1"), &KnownVersions::new())
        .expect("refresh");
    assert!(ch.changed.is_empty());
    assert_eq!(first.requests(), 3, "401, PROPFIND, REPORT");
    let scheme = first.auth_scheme();
    assert_eq!(scheme, Some(carddav::AuthScheme::Basic));
    let book = first.address_book().clone();

    // Next run: what the first one learned, stored as text and read back.
    let stored = scheme.map(|s| s.as_str()).unwrap();
    m.reset();
    m.mount(
        Mock::given(NoAuth)
            .respond_with(ResponseTemplate::new(401))
            .with_priority(1),
    );
    m.mount(
        Mock::given(method("REPORT"))
            .and(AuthStarts("Basic "))
            .respond_with(xml207(ms("<d:sync-token>t1</d:sync-token>"))),
    );
    let next = CardDavSource::with_address_book(
        builder()
            .known_auth_scheme(carddav::AuthScheme::from_name(stored))
            .build()
            .unwrap(),
        book,
    )
    .expect("no request to open");
    assert_eq!(next.requests(), 0);
    let ch = next
        .changes_since(&SyncToken::new("sync:t1"), &KnownVersions::new())
        .expect("refresh");
    assert_eq!(ch.requests, 1);
    assert_eq!(next.requests(), 1, "one request on the wire");
    assert_eq!(m.requests().len(), 1);
}

/// A known Basic scheme goes up front only to the configured origin: a card's href on
/// another host gets no credentials.
#[test]
fn known_scheme_goes_up_front_only_to_its_origin() {
    let m = Mocked::new();
    let other = Mocked::new();
    m.mount(
        Mock::given(NoAuth)
            .respond_with(
                ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"x\""),
            )
            .with_priority(1),
    );
    mount_book(&m, "");
    other.mount(card_get("\"x1\"", "x", "1"));
    let src = CardDavSource::open(
        CardDavConfig::builder(&m.url("/book/"))
            .password("alice", "secret")
            .known_auth_scheme(Some(carddav::AuthScheme::Basic))
            .build()
            .unwrap(),
    )
    .expect("open");
    assert_eq!(src.requests(), 1, "credentials with the first request");
    let _ = src.get(&RecordId::new(other.url("/elsewhere/x.vcf")));
    assert_eq!(other.requests().len(), 1, "the GET went to the other host");
    assert!(
        other
            .requests()
            .iter()
            .all(|r| !r.headers.contains_key("authorization")),
        "no credentials to another origin"
    );
}

/// `127.0.0.1:5232` typed without a scheme is taken as https; a server that speaks
/// plain http then answers what TLS reads as a corrupt record. That is no network
/// trouble to retry: the error says to use http://, and is not transient.
#[test]
fn https_to_a_plain_http_server_says_to_use_http() {
    let m = Mocked::new();
    mount_book(&m, "");
    let port = m.server.address().port();
    let err = CardDavSource::open(
        CardDavConfig::builder(&format!("127.0.0.1:{port}/book/"))
            .build()
            .unwrap(),
    )
    .unwrap_err();
    assert!(!err.is_transient(), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("use http://127.0.0.1:{port}/book/")),
        "{err}"
    );
}

/// A server that checks `If-Match` and then takes `WINDOW` to write, without a
/// lock: a PUT that arrives while the first accepted one is still being written
/// passes the same check. After the write, the old ETag no longer matches.
struct CheckThenWrite {
    first: std::sync::Mutex<Option<std::time::Instant>>,
}

const WINDOW: std::time::Duration = std::time::Duration::from_millis(300);

impl wiremock::Respond for CheckThenWrite {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut first = self.first.lock().unwrap();
        let written = first.is_some_and(|t| t.elapsed() >= WINDOW);
        let matches = request
            .headers
            .get("If-Match")
            .is_some_and(|v| v.to_str().unwrap_or("") == "\"e1\"");
        if !matches || written {
            return ResponseTemplate::new(412);
        }
        first.get_or_insert_with(std::time::Instant::now);
        ResponseTemplate::new(204)
            .insert_header("ETag", "\"e2\"")
            .set_delay(WINDOW)
    }
}

/// Two threads of one application updating the same card: the second must get a
/// conflict even from a server whose precondition check is not atomic (Xandikos
/// once accepted both in a CI run), so one source sends its conditional writes one
/// at a time.
#[test]
fn two_writers_of_one_source_conflict_on_a_server_without_atomic_preconditions() {
    let m = Mocked::new();
    mount_book(&m, "");
    m.mount(Mock::given(method("PUT")).respond_with(CheckThenWrite {
        first: std::sync::Mutex::new(None),
    }));
    m.mount(card_get("\"e2\"", "u", "+49 30 1"));
    let src = open(&m);
    let text = card("u", "+49 30 0");
    let base = cti_phonebook::Record {
        id: RecordId::new(m.url("/book/u.vcf")),
        version: Version::new("\"e1\""),
        card: cti_phonebook::vcard::VCard::parse(text.as_bytes()).unwrap(),
        row: Row::new(),
    };
    let barrier = std::sync::Barrier::new(2);
    let results: Vec<_> = std::thread::scope(|s| {
        let writers: Vec<_> = ["+49 30 1", "+49 30 2"]
            .into_iter()
            .map(|n| {
                let (src, base, barrier) = (&src, &base, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    src.update(
                        base,
                        &Row::new().with("display_name", "u").with("phone1", n),
                    )
                })
            })
            .collect();
        writers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(Error::Conflict { .. })))
        .count();
    assert_eq!((ok, conflicts), (1, 1), "{results:?}");
}
