//! The behaviour every [`PhonebookSource`] must show, as plain functions over
//! `&dyn PhonebookSource`.
//!
//! Each backend's tests call [`run_all`] on a fresh, empty, writable source: the
//! in-memory source, CardDAV on each real server. Each function panics with a message
//! naming the broken promise. Available with the `conformance` feature.

use std::collections::HashSet;
use std::sync::{Barrier, Mutex};

use crate::error::Error;
use crate::schema::Row;
use crate::source::{KnownVersions, PhonebookSource, Record, RecordId, SyncProgress};

/// Runs the whole suite. The source must start empty and be writable.
pub fn run_all(src: &dyn PhonebookSource) {
    empty_source_lists_nothing(src);
    create_list_get_update_delete(src);
    incremental_changes(src);
    invalid_token_is_token_expired(src);
    concurrent_writers_conflict(src);
    unicode_and_long_values(src);
    progress_is_reported_in_order(src);
    delete_all(src);
}

fn known(records: &[Record]) -> KnownVersions {
    records
        .iter()
        .map(|r| (r.id.clone(), r.version.clone()))
        .collect()
}

/// Removes every record (cleanup between suites).
pub fn delete_all(src: &dyn PhonebookSource) {
    for r in src.list().expect("list").records {
        src.delete(&r.id, &r.version)
            .expect("delete during cleanup");
    }
    assert!(
        src.list().expect("list").records.is_empty(),
        "source not empty after cleanup"
    );
}

/// An empty source lists no records and no warnings.
pub fn empty_source_lists_nothing(src: &dyn PhonebookSource) {
    let l = src.list().expect("list of an empty source");
    assert!(
        l.records.is_empty(),
        "expected an empty source, got {} records",
        l.records.len()
    );
    assert!(
        l.warnings.is_empty(),
        "warnings on an empty source: {:?}",
        l.warnings
    );
}

/// Create → list → get → update (right and stale version) → delete (stale and right).
pub fn create_list_get_update_delete(src: &dyn PhonebookSource) {
    let row = Row::new()
        .with("first_name", "Ada")
        .with("last_name", "Lovelace")
        .with("company", "Analytical Engines Ltd")
        .with("phone1", "+44 20 7946 0001")
        .with("phone3", "+44 7700 900001")
        .with("email1", "ada@example.com");
    let created = src.create(&row).expect("create");
    assert_eq!(created.row.get("last_name"), Some("Lovelace"));
    assert_eq!(created.row.get("phone3"), Some("+44 7700 900001"));
    assert_eq!(
        created.row.get("display_name"),
        Some("Ada Lovelace"),
        "FN derived from the name"
    );

    let listed = src.list().expect("list");
    let found = listed
        .records
        .iter()
        .find(|r| r.id == created.id)
        .expect("created record listed");
    assert_eq!(
        found.version, created.version,
        "listing shows the version create returned"
    );

    let got = src.get(&created.id).expect("get");
    assert_eq!(got.version, created.version);
    assert_eq!(got.row.get("email1"), Some("ada@example.com"));

    let mut edited = got.row.clone();
    edited.set("phone1", "+44 20 7946 0002");
    edited.set("email1", "");
    let updated = src
        .update(&got, &edited)
        .expect("update with the current version");
    assert_ne!(
        updated.version, got.version,
        "an update changes the version"
    );
    assert_eq!(updated.row.get("phone1"), Some("+44 20 7946 0002"));
    assert_eq!(updated.row.get("email1"), None);
    assert_eq!(
        updated.row.get("phone3"),
        Some("+44 7700 900001"),
        "untouched cells survive"
    );

    let mut stale_edit = got.row.clone();
    stale_edit.set("job_title", "Countess");
    match src.update(&got, &stale_edit) {
        Err(Error::Conflict { current, .. }) => {
            if let Some(cur) = current {
                assert_eq!(
                    cur.version, updated.version,
                    "conflict carries the current version"
                );
            }
        }
        other => panic!("update with a stale version must conflict, got {other:?}"),
    }
    assert_eq!(
        src.get(&created.id).expect("get").row.get("job_title"),
        None,
        "a conflicting update changed nothing"
    );

    match src.delete(&created.id, &got.version) {
        Err(Error::Conflict { .. }) => {}
        other => panic!("delete with a stale version must conflict, got {other:?}"),
    }
    src.delete(&created.id, &updated.version)
        .expect("delete with the current version");
    match src.get(&created.id) {
        Err(Error::NotFound { .. }) => {}
        other => panic!("get after delete must be NotFound, got {other:?}"),
    }
    match src.delete(&created.id, &updated.version) {
        Err(Error::NotFound { .. }) => {}
        other => panic!("second delete must be NotFound, got {other:?}"),
    }
}

/// Changes since a token report each kind of edit.
pub fn incremental_changes(src: &dyn PhonebookSource) {
    let a = src
        .create(&Row::new().with("display_name", "A").with("phone1", "1001"))
        .expect("create A");
    let b = src
        .create(&Row::new().with("display_name", "B").with("phone1", "1002"))
        .expect("create B");
    let listing = src.list().expect("list");
    let token = listing.token.clone().expect("a listing gives a token");
    let mut have = known(&listing.records);

    let none = src
        .changes_since(&token, &have)
        .expect("changes with nothing changed");
    assert!(
        none.changed.is_empty() && none.removed.is_empty(),
        "phantom changes: {none:?}"
    );

    let c = src
        .create(&Row::new().with("display_name", "C"))
        .expect("create C");
    let mut a_row = a.row.clone();
    a_row.set("phone1", "1009");
    let a2 = src
        .update(&src.get(&a.id).expect("get A"), &a_row)
        .expect("update A");
    src.delete(&b.id, &b.version).expect("delete B");

    let ch = src.changes_since(&token, &have).expect("changes");
    let changed: HashSet<&RecordId> = ch.changed.iter().map(|r| &r.id).collect();
    assert!(changed.contains(&c.id), "created record reported");
    assert!(changed.contains(&a.id), "updated record reported");
    assert!(
        ch.removed.contains(&b.id),
        "deleted record reported as removed"
    );
    let a_now = ch.changed.iter().find(|r| r.id == a.id).expect("A");
    assert_eq!(a_now.version, a2.version);
    assert_eq!(a_now.row.get("phone1"), Some("1009"));

    // Chained: the new token starts from here.
    have.remove(&b.id);
    for r in &ch.changed {
        have.insert(r.id.clone(), r.version.clone());
    }
    let token2 = ch.token.clone().expect("changes give a token");
    let again = src
        .changes_since(&token2, &have)
        .expect("changes after catching up");
    assert!(
        again.changed.is_empty() && again.removed.is_empty(),
        "changes after catching up: {again:?}"
    );

    for r in src.list().expect("list").records {
        src.delete(&r.id, &r.version).expect("cleanup");
    }
}

/// A token the source never issued fails with [`Error::TokenExpired`] on sources
/// with a change log; sources without one must still answer correctly.
pub fn invalid_token_is_token_expired(src: &dyn PhonebookSource) {
    let bogus = crate::source::SyncToken::new("http://example.invalid/ns/sync/999999999");
    let res = src.changes_since(&bogus, &KnownVersions::new());
    if src.info().incremental {
        match res {
            Err(Error::TokenExpired) => {}
            other => panic!("an unknown token must be TokenExpired, got {other:?}"),
        }
    } else {
        // Version comparison: nothing known, nothing there.
        let ch = res.expect("changes on a source without a change log");
        assert!(ch.changed.is_empty());
    }
}

/// Two writers updating the same version: exactly one wins, the other conflicts.
pub fn concurrent_writers_conflict(src: &dyn PhonebookSource) {
    let rec = src
        .create(
            &Row::new()
                .with("display_name", "Shared")
                .with("phone1", "2000"),
        )
        .expect("create");
    let barrier = Barrier::new(2);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = ["2001", "2002"]
            .into_iter()
            .map(|n| {
                let (rec, barrier) = (&rec, &barrier);
                s.spawn(move || {
                    let row = rec.row.clone().with("phone1", n);
                    barrier.wait();
                    src.update(rec, &row)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("writer thread"))
            .collect()
    });
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(Error::Conflict { .. })))
        .count();
    assert_eq!(
        (ok, conflicts),
        (1, 1),
        "one writer wins, one conflicts: {results:?}"
    );
    let now = src.get(&rec.id).expect("get");
    let winner = results
        .iter()
        .find_map(|r| r.as_ref().ok())
        .expect("winner");
    assert_eq!(now.row.get("phone1"), winner.row.get("phone1"));
    src.delete(&now.id, &now.version).expect("cleanup");
}

/// Unicode (accents, CJK, emoji, RTL) and very long values survive the round trip.
pub fn unicode_and_long_values(src: &dyn PhonebookSource) {
    let note = "Grüße, 東京; \"quoted\" \\ back\nslash 🎉 עברית ".repeat(200);
    let row = Row::new()
        .with("first_name", "Zoë")
        .with("last_name", "Ñúñez-東")
        .with("company", "Café; Bar, Ltd")
        .with("note", note.trim_end())
        .with("phone1", "+49 (0)30 1234-567");
    let rec = src.create(&row).expect("create unicode");
    let got = src.get(&rec.id).expect("get");
    for col in ["first_name", "last_name", "company", "note", "phone1"] {
        assert_eq!(
            got.row.get(col),
            row.get(col),
            "column {col} after a round trip"
        );
    }
    src.delete(&got.id, &got.version).expect("cleanup");
}

/// Checks the rules of [`SyncProgress`] on the events one call reported: `fetched`
/// never falls, `total` once known stays, `fetched` never passes it, and a call that
/// reported a total ends with `fetched == total`, at least one per record it
/// delivered or skipped.
fn check_progress(call: &str, events: &[SyncProgress], delivered: usize) {
    let mut total = None;
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            assert!(
                e.fetched >= events[i - 1].fetched,
                "{call}: fetched fell: {events:?}"
            );
        }
        if total.is_some() {
            assert_eq!(e.total, total, "{call}: total changed: {events:?}");
        }
        total = e.total.or(total);
        if let Some(t) = e.total {
            assert!(e.fetched <= t, "{call}: fetched passed total: {events:?}");
        }
    }
    if let (Some(last), Some(t)) = (events.last(), total) {
        assert_eq!(
            last.fetched, t,
            "{call}: ended short of its total: {events:?}"
        );
        assert!(
            t >= delivered,
            "{call}: total {t} below the {delivered} records delivered or skipped"
        );
    }
}

/// The calls with progress answer as the calls without it do, and their events
/// follow the rules of [`SyncProgress`]. A source may report no events at all.
pub fn progress_is_reported_in_order(src: &dyn PhonebookSource) {
    let mut made = Vec::new();
    for i in 0..3 {
        let row = Row::new()
            .with("display_name", format!("Progress {i}"))
            .with("phone1", format!("+49 30 555 000{i}"));
        made.push(src.create(&row).expect("create"));
    }
    let ids = |records: &[Record]| -> HashSet<RecordId> {
        records.iter().map(|r| r.id.clone()).collect()
    };

    let events = Mutex::new(Vec::new());
    let record = |p: SyncProgress| events.lock().unwrap_or_else(|e| e.into_inner()).push(p);
    // Checks the events recorded since the last check.
    let check = |call: &str, delivered: usize| {
        let seen = std::mem::take(&mut *events.lock().unwrap_or_else(|e| e.into_inner()));
        check_progress(call, &seen, delivered);
    };
    let listing = src.list_with_progress(&record).expect("list_with_progress");
    let plain = src.list().expect("list");
    assert_eq!(
        ids(&listing.records),
        ids(&plain.records),
        "list_with_progress and list disagree"
    );
    check(
        "list_with_progress",
        listing.records.len() + listing.warnings.len(),
    );

    let token = listing.token.clone().expect("a listing gives a token");
    let have = known(&listing.records);
    let mut row = made[0].row.clone();
    row.set("phone1", "+49 30 555 0009");
    src.update(&src.get(&made[0].id).expect("get"), &row)
        .expect("update");
    let latest = src.get(&made[1].id).expect("get");
    src.delete(&latest.id, &latest.version).expect("delete");
    let added = src
        .create(&Row::new().with("display_name", "Progress new"))
        .expect("create");

    let changes = src
        .changes_since_with_progress(&token, &have, &record)
        .expect("changes_since_with_progress");
    let changed = ids(&changes.changed);
    assert!(
        changed.contains(&made[0].id) && changed.contains(&added.id),
        "changes_since_with_progress misses a change: {changed:?}"
    );
    assert!(
        changes.removed.contains(&made[1].id),
        "changes_since_with_progress misses a removal"
    );
    check(
        "changes_since_with_progress",
        changes.changed.len() + changes.warnings.len(),
    );

    for r in src.list().expect("list").records {
        src.delete(&r.id, &r.version).expect("cleanup");
    }
}
