//! Secrets: passwords and bearer tokens never show in `Debug` or `Display`
//! of configs, builders, sources, folders and errors, never land in the cache files,
//! and plain `http://` with credentials is warned about. TLS certificate errors are
//! errors (a real TLS server, Xandikos behind its own CA).
//!
//! wiremock runs on a runtime of its own thread, as in `carddav_mock.rs`.

mod support;

use support::mock::Mocked;

use std::net::TcpListener;
use std::sync::Arc;

use cti_phonebook::Error;
use cti_phonebook::cache::CachedFolder;
use cti_phonebook::carddav::{self, CardDavConfig, CardDavSource};
use wiremock::matchers::{header, method, path};
use wiremock::{Match, Mock, Request, ResponseTemplate};

const PASSWORD: &str = "pw-9f3K-never-shown";
const TOKEN: &str = "tok-Q81x-never-shown";

/// Forms in which a secret could leak: itself, and Basic's base64 of `user:password`.
fn forbidden() -> Vec<Vec<u8>> {
    let b64 = |s: &str| {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in s.as_bytes().chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for i in 0..=c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    };
    vec![
        PASSWORD.as_bytes().to_vec(),
        TOKEN.as_bytes().to_vec(),
        // The middle of the base64 text, whatever the padding.
        b64(&format!("alice:{PASSWORD}")).as_bytes()[4..28].to_vec(),
        "never-shown".as_bytes().to_vec(),
    ]
}

fn assert_clean(what: &str, bytes: &[u8]) {
    for f in forbidden() {
        assert!(
            !bytes.windows(f.len()).any(|w| w == f.as_slice()),
            "a secret in {what}: {}",
            String::from_utf8_lossy(bytes)
        );
    }
}

fn shown(x: &(impl std::fmt::Debug + std::fmt::Display)) -> String {
    format!("{x:?}\n{x}")
}

struct HasAuth;
impl Match for HasAuth {
    fn matches(&self, r: &Request) -> bool {
        r.headers.contains_key("authorization")
    }
}

fn ms(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">{inner}</d:multistatus>"#
    )
}

fn resp(href: &str, props: &str) -> String {
    format!(
        "<d:response><d:href>{href}</d:href><d:propstat><d:prop>{props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
    )
}

/// A book that wants credentials (401 with a Basic challenge without them).
fn book_server() -> Mocked {
    let m = Mocked::new();
    let book = "<d:resourcetype><d:collection/><c:addressbook/></d:resourcetype>";
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/book/"))
            .and(header("Depth", "0"))
            .and(HasAuth)
            .respond_with(ResponseTemplate::new(207).set_body_string(ms(&resp("/book/", book)))),
    );
    m.mount(
        Mock::given(method("PROPFIND"))
            .and(path("/book/"))
            .and(header("Depth", "1"))
            .and(HasAuth)
            .respond_with(ResponseTemplate::new(207).set_body_string(ms(&format!(
                "{}{}",
                resp("/book/", book),
                resp("/book/a.vcf", "<d:getetag>\"1\"</d:getetag>")
            )))),
    );
    m.mount(
        Mock::given(method("REPORT"))
            .and(HasAuth)
            .respond_with(ResponseTemplate::new(207).set_body_string(ms(&resp(
                "/book/a.vcf",
                "<d:getetag>\"1\"</d:getetag><c:address-data>BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a\r\nFN:Ada\r\nTEL:+49 30 1\r\nEND:VCARD\r\n</c:address-data>",
            )))),
    );
    m.mount(
        Mock::given(path("/broken/"))
            .and(HasAuth)
            .respond_with(ResponseTemplate::new(207).set_body_string("<not xml")),
    );
    m.mount(
        Mock::given(path("/fail/"))
            .respond_with(ResponseTemplate::new(503).set_body_string("down")),
    );
    m.mount(Mock::given(path("/refuse/")).respond_with(
        ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"refuse\""),
    ));
    m.mount(Mock::given(method("PROPFIND")).respond_with(
        ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"book\""),
    ));
    m
}

type Builder = fn(&str) -> cti_phonebook::carddav::CardDavConfigBuilder;

fn with_password(url: &str) -> cti_phonebook::carddav::CardDavConfigBuilder {
    CardDavConfig::builder(url).password("alice", PASSWORD)
}

fn with_token(url: &str) -> cti_phonebook::carddav::CardDavConfigBuilder {
    CardDavConfig::builder(url).bearer_token(TOKEN)
}

#[test]
fn secrets_stay_out_of_debug_display_errors_and_cache() {
    let m = book_server();
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    for make in [with_password as Builder, with_token as Builder] {
        let builder = make(&m.url("/book/"));
        assert_clean("a builder's Debug", format!("{builder:?}").as_bytes());
        let config = builder.build().unwrap();
        assert_clean("a config's Debug", format!("{config:?}").as_bytes());

        let src = CardDavSource::open(config.clone()).expect("open");
        assert_clean("a source's Debug", format!("{src:?}").as_bytes());
        let dir = tempfile::tempdir().unwrap();
        let folder = CachedFolder::open(dir.path(), "book", Arc::new(src)).unwrap();
        let report = folder.reload().expect("sync");
        assert_eq!(report.added, 1);
        assert_clean("a folder's Debug", format!("{folder:?}").as_bytes());
        assert_clean("a sync report", format!("{report:?}").as_bytes());
        drop(folder);
        // Every file the cache wrote (the database and any journal next to it).
        let mut files = 0;
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let p = e.unwrap().path();
            assert_clean(&p.display().to_string(), &std::fs::read(&p).unwrap());
            files += 1;
        }
        assert!(files >= 1);

        // Errors of every kind.
        let mut errors: Vec<Error> = Vec::new();
        for p in ["/broken/", "/fail/", "/refuse/"] {
            errors
                .push(CardDavSource::open(config.with_url(m.url(p).parse().unwrap())).unwrap_err());
        }
        errors.push(
            CardDavSource::open(
                make(&format!("http://127.0.0.1:{closed}/book/"))
                    .build()
                    .unwrap(),
            )
            .unwrap_err(),
        );
        errors.push(carddav::discover(&make(&m.url("/nothing/")).build().unwrap()).unwrap_err());
        assert!(
            matches!(errors[0], Error::InvalidResponse { .. }),
            "{:?}",
            errors[0]
        );
        assert!(
            matches!(errors[1], Error::Server { status: 503, .. }),
            "{:?}",
            errors[1]
        );
        assert!(
            matches!(errors[2], Error::Unauthorized { .. }),
            "{:?}",
            errors[2]
        );
        assert!(
            matches!(errors[3], Error::Network { .. }),
            "{:?}",
            errors[3]
        );
        for e in &errors {
            assert_clean("an error", shown(e).as_bytes());
        }
    }
}

/// A password inside the URL (`http://alice:pw@host/`) is moved out of it: no error
/// message or `Debug` output repeats the URL with it.
#[test]
fn password_in_the_url_is_not_repeated() {
    let m = book_server();
    let url = m
        .url("/refuse/")
        .replace("http://", &format!("http://alice:{PASSWORD}@"));
    let config = CardDavConfig::builder(&url).build().unwrap();
    assert_clean("config", format!("{config:?} {}", config.url()).as_bytes());
    let e = CardDavSource::open(config).unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
    assert_clean("error", shown(&e).as_bytes());
}

/// Credentials over plain http to a non-local host are warned about, on the config
/// and on the source; https and loopback hosts are not.
#[test]
fn plain_http_with_credentials_is_warned_about() {
    let w = with_password("http://dav.example.org/")
        .build()
        .unwrap()
        .warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_clean("a warning", w[0].as_bytes());
    assert!(
        !with_token("http://dav.example.org/")
            .build()
            .unwrap()
            .warnings()
            .is_empty()
    );
    assert!(
        with_password("https://dav.example.org/")
            .build()
            .unwrap()
            .warnings()
            .is_empty()
    );
    let m = book_server();
    let src = CardDavSource::open(with_password(&m.url("/book/")).build().unwrap()).unwrap();
    assert!(src.warnings().is_empty(), "loopback: {:?}", src.warnings());
}

/// Real TLS servers whose certificate, from the trusted CA, is expired or names
/// another host: refused with an [`Error::Certificate`] that says which, not
/// transient; with the checks turned off the same server answers, so the
/// certificate is what was refused.
#[cfg(feature = "conformance")]
#[test]
fn expired_and_wrong_name_certificates_are_refused() {
    use support::servers::Server;
    for (kind, says) in [
        ("xandikos-tls-expired", "it has expired"),
        (
            "xandikos-tls-wrong-name",
            "it was issued for another host name",
        ),
    ] {
        let Some(s) = Server::start(kind) else {
            continue;
        };
        let ca = s.ca_file.clone().expect("a CA file");
        let base = || {
            CardDavConfig::builder(&s.book_url)
                .password(&s.user, &s.password)
                .ca_file(&ca)
        };
        let e = CardDavSource::open(base().build().unwrap()).expect_err(kind);
        eprintln!("{kind}: {e}");
        assert!(
            matches!(&e, Error::Certificate { reason, .. } if reason.contains(says)),
            "{kind}: {e:?}"
        );
        assert!(!e.is_transient(), "{kind}");
        assert!(!format!("{e} {e:?}").contains(&s.password), "{kind}: {e:?}");
        let e = carddav::discover(&base().build().unwrap()).expect_err("discovery too");
        assert!(matches!(e, Error::Certificate { .. }), "{kind}: {e:?}");
        CardDavSource::open(base().accept_invalid_certs(true).build().unwrap())
            .unwrap_or_else(|e| panic!("{kind} without certificate checks: {e}"));
    }
}

/// TLS on a real server with its own CA: without the CA file the certificate is
/// refused with [`Error::Certificate`], which says so and is not transient; with it,
/// all is well; turning the checks off is possible but warned about.
#[cfg(feature = "conformance")]
#[test]
fn tls_certificate_errors_are_not_ignored() {
    use cti_phonebook::PhonebookSource;
    use support::servers::Server;
    let Some(s) = Server::start("xandikos-tls") else {
        return;
    };
    let ca = s.ca_file.clone().expect("a CA file");
    let base = || CardDavConfig::builder(&s.book_url).password(&s.user, &s.password);

    let e = CardDavSource::open(base().build().unwrap()).expect_err("an unknown CA");
    eprintln!("without the CA: {e}\n{e:?}");
    let text = e.to_string().to_lowercase();
    assert!(
        text.contains("certificate is not trusted"),
        "not clear enough: {e}"
    );
    assert!(text.contains("unknown certificate authority"), "{e}");
    assert!(
        matches!(&e, Error::Certificate { url, .. } if url == &s.book_url),
        "{e:?}"
    );
    assert!(
        !e.is_transient(),
        "retrying an untrusted certificate never helps"
    );
    assert!(!format!("{e} {e:?}").contains(&s.password), "{e:?}");
    let e = carddav::discover(&CardDavConfig::builder(&s.url).build().unwrap())
        .expect_err("discovery refuses it too");
    assert!(matches!(e, Error::Certificate { .. }), "{e:?}");
    assert!(!e.is_transient());

    // A CA file that is not the server's: still refused.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.pem");
    std::fs::write(&other, OTHER_CA).unwrap();
    let e = CardDavSource::open(base().ca_file(&other).build().unwrap()).expect_err("the wrong CA");
    assert!(matches!(e, Error::Certificate { .. }), "{e:?}");
    assert!(!e.is_transient());
    // An unreadable or empty CA file is a configuration error, not a silent default.
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    for bad in [dir.path().join("missing.pem"), empty] {
        let e = CardDavSource::open(base().ca_file(&bad).build().unwrap()).unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{e:?}");
    }

    let src = CardDavSource::open(base().ca_file(&ca).build().unwrap()).expect("with the CA");
    assert!(src.warnings().is_empty(), "{:?}", src.warnings());
    src.list().expect("list over TLS");

    let lax = CardDavSource::open(base().accept_invalid_certs(true).build().unwrap())
        .expect("checks off");
    assert!(
        lax.warnings().iter().any(|w| w.contains("certificate")),
        "{:?}",
        lax.warnings()
    );
}

/// A self-signed CA that signed nothing here (generated once for this test).
#[cfg(feature = "conformance")]
const OTHER_CA: &str = include_str!("data/other-ca.pem");

/// The `phonebook` example CLI: discovering and adding a folder with a password, then
/// a wrong password: neither its output nor its cache directory holds the secret.
/// The example is built by the test itself (`tests/support/example.rs`).
#[cfg(feature = "conformance")]
#[test]
fn cli_output_and_cache_hold_no_secret() {
    use std::process::Command;
    let exe = support::phonebook_exe();
    let m = book_server();
    let dir = tempfile::tempdir().unwrap();
    let run = |password: &str, args: &[&str]| {
        let out = Command::new(&exe)
            .arg("--cache-dir")
            .arg(dir.path())
            .args(args)
            .env("PHONEBOOK_PASSWORD", password)
            .output()
            .unwrap();
        let text = [out.stdout, out.stderr].concat();
        assert_clean(&format!("the output of {args:?}"), &text);
        (
            out.status.success(),
            String::from_utf8_lossy(&text).into_owned(),
        )
    };
    let book = m.url("/book/");
    let (ok, text) = run(PASSWORD, &["discover", &book, "--user", "alice", "--json"]);
    assert!(ok, "{text}");
    let (ok, text) = run(
        PASSWORD,
        &["folder", "add", "Work", "--url", &book, "--user", "alice"],
    );
    assert!(ok, "{text}");
    let (ok, text) = run(
        "wrong-never-shown",
        &["discover", &m.url("/refuse/"), "--user", "alice"],
    );
    assert!(!ok, "{text}");
    let mut files = 0;
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            assert_clean(&p.display().to_string(), &std::fs::read(&p).unwrap());
            files += 1;
        }
    }
    assert!(files >= 1, "the CLI wrote no cache file");
}
