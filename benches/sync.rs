//! Sync against real servers on 127.0.0.1, side by side with the server's own floor.
//!
//! `cargo bench --bench sync` (sizes and servers: `CTI_SYNC_BENCH_CARDS=2000,10000`,
//! `CTI_SYNC_BENCH_SERVERS=radicale,xandikos,sabredav`; defaults 2000 and all three).
//!
//! For each server and book size, three rounds of each, medians printed:
//! * **floor, initial**: one sync-collection REPORT with all `address-data` from an
//!   empty token, sent raw (Basic credentials up front, no parsing): the least any
//!   client can ask of the server for a first sync;
//! * **floor, no change**: the same REPORT from the token it returned;
//! * **ours, initial**: a fresh cache and `CachedFolder::reload` through a
//!   `CardDavSource` opened from the stored book and auth scheme (what the CLI does),
//!   cards parsed, mapped and written to SQLite;
//! * **ours, listing path**: the same with the book's sync support hidden, i.e. the
//!   ETag PROPFIND plus multigets of 100 that servers without RFC 6578 get, with 3
//!   multigets in flight (the default) and with one after the other;
//! * **ours, no change**: `CachedFolder::refresh` of the synced folder.
//!
//! With the requests on the wire (every request the client made, auth included) and
//! the peak RSS of the process during our initial sync (`VmHWM`, reset before it).
//! sabre/dav 1.8 has no sync-collection: its floor is the PROPFIND plus multigets,
//! so only our figures are printed for it.
//!
//! Cards are ~600-byte 3.0 cards. Radicale's are written into its storage directory
//! (a PUT each takes 0.1 s on a growing book); the others get parallel PUTs.

#[path = "../tests/support/raw_http.rs"]
mod raw_http;
#[path = "../tests/support/servers.rs"]
mod servers;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cti_phonebook::cache::CachedFolder;
use cti_phonebook::carddav::{AddressBook, AuthScheme, CardDavConfig, CardDavSource};
use raw_http::Raw;
use servers::Server;

fn card(i: usize) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-{i:07}\r\nN:Person{i};Given{i};;;\r\n\
FN:Given{i} Person{i}\r\nORG:Company {c};Department {d}\r\nTITLE:Engineer\r\n\
TEL;TYPE=WORK,VOICE:+49 30 {i:07}\r\nTEL;TYPE=CELL:+49 170 {i:07}\r\n\
TEL;TYPE=HOME:+49 89 {i:07}\r\nEMAIL;TYPE=INTERNET,WORK:person{i}@company{c}.example\r\n\
ADR;TYPE=WORK:;;Hauptstraße {i};Berlin;;10115;Germany\r\nURL:https://company{c}.example/\r\n\
NOTE:Generated for the sync benchmark; about six hundred bytes a card, as real cards \r\n \
with an address, three numbers and a note have.\r\nEND:VCARD\r\n",
        c = i % 700,
        d = i % 13
    )
}

/// The floor: one sync-collection REPORT, its body read whole. The new token.
fn report(raw: &Raw, token: &str) -> (Duration, String) {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><d:sync-collection xmlns:d=\"DAV:\" \
         xmlns:c=\"urn:ietf:params:xml:ns:carddav\"><d:sync-token>{token}</d:sync-token>\
         <d:sync-level>1</d:sync-level><d:prop><d:getetag/><c:address-data/></d:prop>\
         </d:sync-collection>"
    );
    let t = Instant::now();
    let reply = raw
        .request(reqwest::Method::from_bytes(b"REPORT").unwrap(), "")
        .header("Depth", "0")
        .header("Content-Type", "application/xml; charset=utf-8")
        .body(body)
        .send()
        .expect("REPORT");
    assert_eq!(reply.status().as_u16(), 207, "floor REPORT");
    let text = reply.text().expect("REPORT body");
    let elapsed = t.elapsed();
    let doc = roxmltree::Document::parse(&text).expect("REPORT answer is XML");
    let token = doc
        .root_element()
        .children()
        .find(|n| n.tag_name().name() == "sync-token")
        .and_then(|n| n.text())
        .expect("a sync-token")
        .trim()
        .to_owned();
    (elapsed, token)
}

fn upload(s: &Server, raw: &Raw, from: usize, to: usize) {
    if s.kind == "radicale" {
        let dir = s
            .data_dir()
            .join("collections/collection-root/alice/contacts");
        assert!(dir.is_dir(), "Radicale's book at {}", dir.display());
        for i in from..to {
            std::fs::write(dir.join(format!("bench-{i:07}.vcf")), card(i)).unwrap();
        }
        return;
    }
    let next = AtomicUsize::new(from);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= to {
                        break;
                    }
                    let name = format!("bench-{i:07}.vcf");
                    for _ in 0..20 {
                        let r = raw
                            .request(reqwest::Method::PUT, &name)
                            .header("Content-Type", "text/vcard; charset=utf-8")
                            .body(card(i))
                            .send()
                            .expect("PUT");
                        if r.status().is_success() {
                            break;
                        }
                        // Xandikos: 423 while another write commits.
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            });
        }
    });
}

fn peak_rss_reset() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

struct Ours {
    initial: Duration,
    initial_requests: u32,
    nochange: Duration,
    nochange_requests: u32,
    rss_mb: f64,
}

fn ours(s: &Server, book: &AddressBook, n: usize, in_flight: usize) -> Ours {
    let config = CardDavConfig::builder(&s.book_url)
        .password(&s.user, &s.password)
        .multigets_in_flight(in_flight)
        .known_auth_scheme(Some(AuthScheme::Basic))
        .timeout(Duration::from_secs(600))
        .max_response_bytes(1 << 30)
        .build()
        .unwrap();
    let source = Arc::new(CardDavSource::with_address_book(config, book.clone()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let folder = CachedFolder::open(dir.path(), "bench", source.clone())
        .unwrap()
        .with_escalation_window(Duration::ZERO);
    peak_rss_reset();
    let t = Instant::now();
    let r = folder.reload().expect("initial sync");
    let initial = t.elapsed();
    let rss_mb = peak_rss_mb();
    assert_eq!(r.added, n, "{}: {:?}", s.kind, r.warnings);
    let initial_requests = source.requests();
    let t = Instant::now();
    let r = folder.refresh().expect("no-change sync");
    let nochange = t.elapsed();
    assert_eq!(r.added + r.changed + r.removed, 0);
    Ours {
        initial,
        initial_requests,
        nochange,
        nochange_requests: source.requests() - initial_requests,
        rss_mb,
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::var("CTI_SYNC_BENCH_CARDS")
        .unwrap_or_else(|_| "2000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let kinds: Vec<&'static str> = std::env::var("CTI_SYNC_BENCH_SERVERS")
        .unwrap_or_else(|_| "radicale,xandikos,sabredav".into())
        .split(',')
        .filter_map(|k| match k.trim() {
            "radicale" => Some("radicale"),
            "xandikos" => Some("xandikos"),
            "sabredav" => Some("sabredav"),
            _ => None,
        })
        .collect();
    // `cargo bench` passes --bench; a plain `cargo test --benches` run passes nothing
    // and should not start servers.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    println!(
        "| server | cards | floor initial ms | ours initial ms (ratio) | listing path ms, 3 / 1 \
         in flight | requests initial | floor no-change ms | ours no-change ms (ratio) | \
         requests no-change | peak RSS MB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for kind in kinds {
        let Some(s) = Server::start(kind) else {
            continue;
        };
        let mut raw = Raw::new(&s);
        raw.http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(600))
            .build()
            .unwrap();
        let mut have = 0;
        for &n in &sizes {
            let t = Instant::now();
            upload(&s, &raw, have, n.max(have));
            have = have.max(n);
            eprintln!(
                "[{kind}] {n} cards in the book ({:?} to upload)",
                t.elapsed()
            );
            let opened = CardDavSource::open(
                CardDavConfig::builder(&s.book_url)
                    .password(&s.user, &s.password)
                    .build()
                    .unwrap(),
            )
            .unwrap();
            let book = opened.address_book().clone();
            let listing_book = AddressBook {
                supports_sync: false,
                ..book.clone()
            };
            let (mut fi, mut fn_, mut oi, mut on) = (vec![], vec![], vec![], vec![]);
            let (mut lp, mut lp1) = (vec![], vec![]);
            let (mut ri, mut rn, mut rss) = (0, 0, 0.0f64);
            for _ in 0..3 {
                if book.supports_sync {
                    let (d, token) = report(&raw, "");
                    fi.push(d);
                    fn_.push(report(&raw, &token).0);
                }
                let o = ours(&s, &book, n, 3);
                oi.push(o.initial);
                on.push(o.nochange);
                ri = o.initial_requests;
                rn = o.nochange_requests;
                rss = rss.max(o.rss_mb);
                lp.push(ours(&s, &listing_book, n, 3).initial);
                lp1.push(ours(&s, &listing_book, n, 1).initial);
            }
            let (oi, on) = (median(oi), median(on));
            let ratio = |ours: Duration, floor: &[Duration]| {
                if floor.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({:.2}x)",
                        ours.as_secs_f64() / median(floor.to_vec()).as_secs_f64()
                    )
                }
            };
            let floor = |v: &[Duration]| {
                if v.is_empty() {
                    "n/a".to_owned()
                } else {
                    ms(median(v.to_vec()))
                }
            };
            println!(
                "| {kind} | {n} | {} | {}{} | {} / {} | {ri} | {} | {}{} | {rn} | {rss:.0} |",
                floor(&fi),
                ms(oi),
                ratio(oi, &fi),
                ms(median(lp)),
                ms(median(lp1)),
                floor(&fn_),
                ms(on),
                ratio(on, &fn_),
            );
        }
    }
}
