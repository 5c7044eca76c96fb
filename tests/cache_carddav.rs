//! The cache over the CardDAV backend on real servers: every sync mode, and the network
//! failing at each request of a sync in turn (a proxy breaks request 1, 2, ..., n),
//! which must leave the cache exactly as it was.
#![cfg(feature = "conformance")]

mod support;

use std::net::ToSocketAddrs;
use std::sync::{Arc, Mutex};

use chrono::{Duration, TimeZone, Utc};
use cti_phonebook::cache::{CachedFolder, ManualClock, SyncMode};
use cti_phonebook::carddav::{CardDavConfig, CardDavSource};
use cti_phonebook::{Error, PhonebookSource, Row};
use support::proxy::{Fault, Proxy};
use support::servers::Server;

fn source(s: &Server, book_url: &str) -> CardDavSource {
    let mut b = CardDavConfig::builder(book_url).password(&s.user, &s.password);
    if let Some(ca) = &s.ca_file {
        b = b.ca_file(ca);
    }
    CardDavSource::open(b.build().unwrap()).unwrap()
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap(),
    ))
}

fn rows(f: &CachedFolder) -> Vec<(String, String, Option<String>)> {
    f.snapshot()
        .rows()
        .map(|(id, r)| {
            (
                id.to_string(),
                r.version.to_string(),
                r.row.get("phone1").map(str::to_owned),
            )
        })
        .collect()
}

/// Every sync mode of the cache against one server.
fn sync_modes(kind: &'static str) {
    let Some(s) = Server::start(kind) else { return };
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let other = source(&s, &s.book_url);
    let a = other
        .create(
            &Row::new()
                .with("display_name", "A")
                .with("phone1", "+49 30 100"),
        )
        .unwrap();
    other
        .create(
            &Row::new()
                .with("display_name", "B")
                .with("phone1", "+49 30 200"),
        )
        .unwrap();
    let f = CachedFolder::open_with_clock(
        dir.path(),
        kind,
        Arc::new(source(&s, &s.book_url)),
        clock.clone(),
    )
    .unwrap();

    let r = f.refresh().unwrap();
    assert_eq!((r.mode, r.added), (SyncMode::Reload, 2), "{kind}");
    clock.advance(Duration::minutes(1));
    let r = f.refresh().unwrap();
    assert_eq!(
        (r.mode, r.added, r.changed, r.removed),
        (SyncMode::Incremental, 0, 0, 0),
        "{kind}"
    );
    assert_eq!(
        r.requests, 1,
        "{kind}: a no-change refresh costs one request"
    );

    // Someone else edits, creates and deletes.
    let a_now = other.get(&a.id).unwrap();
    other
        .update(&a_now, &a_now.row.clone().with("phone1", "+49 30 101"))
        .unwrap();
    let c = other.create(&Row::new().with("display_name", "C")).unwrap();
    let b = other
        .list()
        .unwrap()
        .records
        .into_iter()
        .find(|r| r.row.get("display_name") == Some("B"))
        .unwrap();
    other.delete(&b.id, &b.version).unwrap();
    clock.advance(Duration::minutes(1));
    let r = f.refresh().unwrap();
    assert_eq!(
        (r.mode, r.added, r.changed, r.removed),
        (SyncMode::Incremental, 1, 1, 1),
        "{kind}"
    );
    eprintln!("{kind}: refresh after 3 changes: {} requests", r.requests);

    // F5 twice.
    clock.advance(Duration::seconds(3));
    assert_eq!(f.refresh().unwrap().mode, SyncMode::Escalated, "{kind}");

    // One record.
    let c_now = other.get(&c.id).unwrap();
    other
        .update(&c_now, &c_now.row.clone().with("phone1", "+49 30 300"))
        .unwrap();
    let r = f.refresh_record(&c.id).unwrap();
    assert_eq!(r.changed, 1, "{kind}");
    assert_eq!(
        f.snapshot().get(&c.id).unwrap().row.get("phone1"),
        Some("+49 30 300")
    );

    // Automatic sync: due after the interval.
    assert!(f.sync_if_due().unwrap().is_none());
    clock.advance(Duration::days(8));
    assert!(f.sync_if_due().unwrap().is_some());

    // Write-through and a conflict that keeps both sides.
    let mine = f.cached_record(&a.id).unwrap();
    let theirs = other.get(&a.id).unwrap();
    other
        .update(&theirs, &theirs.row.clone().with("phone1", "+49 30 555"))
        .unwrap();
    match f.update(&mine, &mine.row.clone().with("phone1", "+49 30 777")) {
        Err(Error::Conflict {
            current: Some(cur), ..
        }) => assert_eq!(cur.row.get("phone1"), Some("+49 30 555")),
        other => panic!("{kind}: expected a conflict, got {other:?}"),
    }
    assert_eq!(
        f.snapshot().get(&a.id).unwrap().row.get("phone1"),
        Some("+49 30 555")
    );
    let fresh = f.cached_record(&a.id).unwrap();
    let done = f
        .update(&fresh, &fresh.row.clone().with("phone1", "+49 30 777"))
        .unwrap();
    assert_eq!(
        other.get(&a.id).unwrap().version,
        done.version,
        "{kind}: the cache holds the server's ETag"
    );
}

#[test]
fn cache_sync_modes_on_radicale() {
    sync_modes("radicale");
}

#[test]
fn cache_sync_modes_on_sabredav_without_sync_collection() {
    sync_modes("sabredav");
}

/// Breaks each request of a reload and of a refresh in turn, in each way.
fn interrupted_syncs(kind: &'static str) {
    let Some(s) = Server::start(kind) else { return };
    let book = url::Url::parse(&s.book_url).unwrap();
    let target = (book.host_str().unwrap(), book.port().unwrap())
        .to_socket_addrs()
        .unwrap()
        .next()
        .unwrap();
    let proxy = Proxy::start(target);
    let mut via = book.clone();
    via.set_port(Some(proxy.port)).unwrap();
    let other = source(&s, &s.book_url);
    for i in 0..5 {
        other
            .create(
                &Row::new()
                    .with("display_name", format!("P{i}"))
                    .with("phone1", format!("+49 30 10{i}")),
            )
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let f = CachedFolder::open_with_clock(
        dir.path(),
        kind,
        Arc::new(source(&s, via.as_str())),
        clock.clone(),
    )
    .unwrap()
    .with_escalation_window(Duration::zero());
    f.reload().unwrap();
    // How many requests each kind of sync makes, measured once without faults.
    let before = proxy.requests();
    f.reload().unwrap();
    let reload_requests = proxy.requests() - before;
    let all = other.list().unwrap().records;
    let mut cases = 0;
    for (round, fault) in [
        Fault::Drop,
        Fault::ServerError,
        Fault::Garbage,
        Fault::Truncated,
    ]
    .into_iter()
    .enumerate()
    {
        // A change on the server, so that the refresh has work to do.
        let target = &all[round % all.len()];
        let cur = other.get(&target.id).unwrap();
        other
            .update(
                &cur,
                &cur.row.clone().with("phone1", format!("+49 30 9{round}")),
            )
            .unwrap();
        let before = proxy.requests();
        // Measure the refresh's requests on a throw-away copy of the cache.
        let refresh_requests = {
            let copy = tempfile::tempdir().unwrap();
            std::fs::copy(f.path(), copy.path().join(format!("{kind}.sqlite"))).unwrap();
            let g = CachedFolder::open_with_clock(
                copy.path(),
                kind,
                Arc::new(source(&s, via.as_str())),
                clock.clone(),
            )
            .unwrap();
            let start = proxy.requests();
            g.refresh().unwrap();
            proxy.requests() - start
        };
        let _ = before;
        for (what, n_requests) in [("refresh", refresh_requests), ("reload", reload_requests)] {
            for k in 1..=n_requests {
                let state = rows(&f);
                let token = f.snapshot().token().cloned();
                proxy.break_request(k, fault);
                clock.advance(Duration::minutes(1));
                let res = if what == "refresh" {
                    f.refresh()
                } else {
                    f.reload()
                };
                proxy.heal();
                if let Err(e) = &res {
                    assert_eq!(
                        rows(&f),
                        state,
                        "{kind}: {what} broken at request {k} by {fault:?} changed the cache ({e})"
                    );
                    assert_eq!(f.snapshot().token().cloned(), token, "{kind}: token moved");
                    // And the same from disk.
                    let reopened = CachedFolder::open(
                        dir.path(),
                        kind,
                        Arc::new(cti_phonebook::cache::OfflineSource::new(kind)),
                    )
                    .unwrap();
                    assert_eq!(rows(&reopened), state, "{kind}: on disk");
                } else {
                    // A failure the client recovered from (a retried GET, a fallback):
                    // then the result must be complete.
                    assert_eq!(
                        f.snapshot().len(),
                        all.len(),
                        "{kind}: {what} recovered at request {k} by {fault:?} but is incomplete"
                    );
                }
                cases += 1;
            }
        }
        clock.advance(Duration::minutes(1));
        f.refresh().unwrap();
        assert_eq!(
            f.snapshot()
                .get(&target.id)
                .unwrap()
                .row
                .get("phone1")
                .map(str::to_owned),
            Some(format!("+49 30 9{round}")),
            "{kind}: the next refresh succeeds and brings the change"
        );
    }
    eprintln!(
        "{kind}: {cases} interrupted syncs (reload: {reload_requests} requests), cache intact after each"
    );
    assert!(cases >= 8);
}

#[test]
fn interrupted_syncs_leave_the_cache_as_it_was_radicale() {
    interrupted_syncs("radicale");
}

#[test]
fn interrupted_syncs_leave_the_cache_as_it_was_sabredav() {
    interrupted_syncs("sabredav");
}

/// Progress of a first sync on a real server. Without sync-collection (sabre/dav
/// 1.8): 250 cards in multigets of 100, the events 0 of 250 once the listing is in,
/// then one after each batch, ending at 250 of 250. With it (Radicale): one report, the
/// cards received so far (no total yet) while it streams in, then 250 of 250.
fn reload_progress(kind: &'static str) {
    let Some(s) = Server::start(kind) else { return };
    let other = source(&s, &s.book_url);
    for i in 0..250 {
        other
            .create(
                &Row::new()
                    .with("display_name", format!("P{i:03}"))
                    .with("phone1", format!("+49 30 {i:04}")),
            )
            .unwrap();
    }
    let mut b = CardDavConfig::builder(&s.book_url)
        .password(&s.user, &s.password)
        .multiget_batch_size(100);
    if let Some(ca) = &s.ca_file {
        b = b.ca_file(ca);
    }
    let dir = tempfile::tempdir().unwrap();
    let f = CachedFolder::open(
        dir.path(),
        kind,
        Arc::new(CardDavSource::open(b.build().unwrap()).unwrap()),
    )
    .unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    f.on_progress(move |p| sink.lock().unwrap().push((p.fetched, p.total)));
    let r = f.reload().unwrap();
    assert_eq!(r.added, 250, "{kind}");
    let events = events.lock().unwrap().clone();
    eprintln!("{kind}: reload progress {events:?}");
    assert!(
        events.windows(2).all(|w| w[0].0 <= w[1].0),
        "{kind}: not monotonic: {events:?}"
    );
    assert_eq!(events.last(), Some(&(250, Some(250))), "{kind}");
    if kind == "radicale" {
        assert_eq!(r.requests, 1, "{kind}: one sync-collection report");
        assert!(
            events
                .iter()
                .all(|&(n, t)| n <= 250 && (t.is_none() || t == Some(250))),
            "{kind}: {events:?}"
        );
        return;
    }
    assert!(events.len() >= 3, "{kind}: {events:?}");
    assert!(
        events.iter().all(|&(n, t)| t == Some(250) && n <= 250),
        "{kind}: {events:?}"
    );
    // One event when the listing is in, one per multiget of 100; batches in flight
    // together may finish in any order.
    assert_eq!(events[0], (0, Some(250)), "{kind}");
    let mut steps: Vec<usize> = events.windows(2).map(|w| w[1].0 - w[0].0).collect();
    steps.sort();
    assert_eq!(steps, [50, 100, 100], "{kind}: {events:?}");
}

#[test]
fn reload_reports_progress_per_multiget_on_sabredav() {
    reload_progress("sabredav");
}

#[test]
fn reload_reports_progress_while_the_report_streams_on_radicale() {
    reload_progress("radicale");
}
