//! Cache goals: cold open of 100,000 contacts with every row ready
//! (< 300 ms), and the local work of an incremental sync of 100 changes (< 20 ms).
//! Also the other half of an application's start-up: indexing the opened folder's
//! 200,000 numbers for caller lookup (`Phonebook::add`).
//!
//! `cargo bench --bench cache`
//!
//! `phonebook_add_100k` on the 2-core development VM, 2026-11-26, two runs each,
//! interleaved: 389-419 and 444-563 ms when every row was turned into owned texts
//! through `Schema::columns()` (commit bf78c0d); 67-88 and 70-88 ms with the phone
//! columns found once per batch and the texts borrowed.
//!
//! `phonebook_add_100k_numbers_beyond_columns`: the same contacts under one phone
//! column, so that each has a number no column shows, which the phone book reads
//! from the cached card: on 2026-12-04, 1.27-1.34 s when `phonebook_add_100k` took
//! 79-86 ms (80-95 ms before numbers beyond the columns were indexed), and
//! 1.42-1.57 s against 175-237 ms with the VM busy (load 5).

use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use cti_phonebook::cache::{CachedFolder, OfflineSource};
use cti_phonebook::lookup::DialPlan;
use cti_phonebook::vcard::VCard;
use cti_phonebook::{MemorySource, Phonebook};

const N: usize = 100_000;

fn card(i: usize, round: usize) -> VCard {
    let text = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{i:08}\r\nFN:Person {i}\r\nN:Person;{i};;;\r\nORG:Company {c}\r\nTEL;TYPE=WORK,VOICE:+49 30 {i:07}\r\nTEL;TYPE=CELL:+49 170 {r:07}\r\nEMAIL;TYPE=INTERNET,WORK:p{i}@example.com\r\nEND:VCARD\r\n",
        c = i % 500,
        r = (i + round) % 10_000_000
    );
    VCard::parse(text.as_bytes()).unwrap()
}

fn source() -> Arc<MemorySource> {
    let src = Arc::new(MemorySource::new("bench"));
    for i in 0..N {
        src.put_card(format!("{i}.vcf"), card(i, 0));
    }
    src
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    {
        let f = CachedFolder::open(dir.path(), "big", source()).unwrap();
        f.reload().unwrap();
        let size = std::fs::metadata(f.path()).unwrap().len();
        eprintln!("cache file for {N} contacts: {:.1} MB", size as f64 / 1e6);
    }
    let mut g = c.benchmark_group("cache");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    // What an application does at start-up: open the folder from disk, no network.
    g.bench_function("cold_open_100k", |b| {
        b.iter(|| {
            let f =
                CachedFolder::open(dir.path(), "big", Arc::new(OfflineSource::new("big"))).unwrap();
            assert_eq!(f.snapshot().len(), N);
            f
        })
    });
    // Start-up's second half: the opened folder's numbers into the caller index.
    let opened = Arc::new(
        CachedFolder::open(dir.path(), "big", Arc::new(OfflineSource::new("big"))).unwrap(),
    );
    let plan = DialPlan::new("DE").unwrap().with_area_code("30").unwrap();
    g.bench_function("phonebook_add_100k", |b| {
        b.iter_with_large_drop(|| {
            let book = Phonebook::new(dir.path(), plan.clone());
            book.add(opened.clone());
            assert_eq!(book.index().snapshot().len(), 2 * N);
            book
        })
    });
    // The same, with one phone column: every contact has a number beyond the
    // columns, which the phone book reads from the cached card (a SQLite read and a
    // parse per contact).
    let narrow_dir = tempfile::tempdir().unwrap();
    let narrow = {
        let f = CachedFolder::open(narrow_dir.path(), "big", source()).unwrap();
        let mut schema = cti_phonebook::Schema::default();
        schema.set_phone_count(1).unwrap();
        f.set_schema(schema).unwrap();
        f.reload().unwrap();
        Arc::new(f.with_source(Arc::new(OfflineSource::new("big"))))
    };
    g.bench_function("phonebook_add_100k_numbers_beyond_columns", |b| {
        b.iter_with_large_drop(|| {
            let book = Phonebook::new(narrow_dir.path(), plan.clone());
            book.add(narrow.clone());
            assert_eq!(book.index().snapshot().len(), 2 * N);
            book
        })
    });
    // The same contents again (same versions and token), now as the live source.
    let src = source();
    // No escalation: every refresh is incremental. The in-memory source answers in
    // microseconds, so this measures the cache's local work (diff, one transaction,
    // snapshot swap).
    let folder = CachedFolder::open(dir.path(), "big", src.clone())
        .unwrap()
        .with_escalation_window(Duration::ZERO);
    let mut round = 0;
    g.bench_function("incremental_sync_100_changes", |b| {
        b.iter_batched(
            || {
                round += 1;
                for i in 0..100 {
                    src.put_card(format!("{}.vcf", i * 997 % N), card(i * 997 % N, round));
                }
            },
            |()| {
                let r = folder.refresh().unwrap();
                assert_eq!(r.changed, 100);
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
