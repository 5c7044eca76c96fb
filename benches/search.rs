//! Name search at scale: 100,000 contacts (names with diacritics, a company and
//! department, an e-mail address, three numbers), searched three ways on the same
//! data in the same run:
//!
//! * `SearchIndex` (this crate): folded vocabulary and posting lists;
//! * a plain scan over the contacts' folded texts, made once beforehand (the best a
//!   scan can do: no folding at query time);
//! * SQLite FTS5 in memory, `unicode61 remove_diacritics 2` with prefix indexes
//!   for 1 to 3 characters, and a second FTS5 table with the `trigram` tokenizer
//!   over the numbers' digits for digit queries.
//!
//! Prints build time, memory per contact and median query times (own timing, many
//! different queries) before criterion's own measurements of one query each.
//! Goals: median 3-letter prefix ≤ 20 µs, build ≤ 150 ms, ≤ 64 bytes per contact.
//!
//! `cargo bench --bench search -- --quick`
//!
//! The figures of a run, and what they decided, are in the `search` module docs.
//! For a profiler, `SEARCH_BENCH_PROFILE=1` runs only the index's 3-letter prefix
//! searches for ten seconds after the set-up, `SEARCH_BENCH_PROFILE=two` the
//! two-prefix ones, and `SEARCH_BENCH_PROFILE=build` only builds (it prints
//! `profiling` to stderr when that starts, to attach to).

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use cti_phonebook::cache::{CachedFolder, Snapshot};
use cti_phonebook::search::{SearchIndex, fold};
use cti_phonebook::vcard::VCard;
use cti_phonebook::{MemorySource, PhonebookSource, Schema};
use rusqlite::Connection;
use support::contacts::Lcg;
use support::cpu_clock::cpu_ns;

const CONTACTS: usize = 100_000;
const LIMIT: usize = 20;

const FIRST: &[&str] = &[
    "Agnieszka",
    "Anna",
    "Hans",
    "Jürgen",
    "Zoë",
    "Łukasz",
    "Ђорђе",
    "Maria",
    "Peter",
    "Søren",
    "Ines",
    "José",
    "François",
    "Małgorzata",
    "Björn",
    "Chloé",
    "Emil",
    "Jan",
    "Katarzyna",
    "Lars",
    "Mehmet",
    "Nikola",
    "Olga",
    "Paweł",
    "Renée",
    "Stefan",
    "Tomáš",
    "Ursula",
    "Václav",
    "Wojciech",
    "Yusuf",
    "Zdeněk",
    "Ágnes",
    "Åsa",
    "Ørjan",
    "Ömer",
];
/// Last names from syllables: tens of thousands of distinct words, as a real
/// phone book has.
const SYLLABLES: &[&str] = &[
    "kow", "al", "czyk", "mül", "ler", "schmi", "dt", "nowa", "ski", "wój", "cik", "berg", "mann",
    "hof", "er", "łódz", "ić", "ović", "pet", "ro", "vić", "sen", "dahl", "ström", "gar", "cía",
    "fer", "nán", "dez", "ba", "uer", "ke", "ßler", "wag", "ner", "fisch", "brü", "ning", "haus",
    "stein",
];
const COMPANY_KIND: &[&str] = &[
    "GmbH",
    "AG",
    "KG",
    "Logistik",
    "Bau",
    "Consulting",
    "Sp. z o.o.",
    "s.r.o.",
    "Textil",
    "Software",
];
const DEPARTMENTS: &[&str] = &[
    "Vertrieb",
    "Einkauf",
    "Buchhaltung",
    "Technik",
    "Support",
    "Marketing",
    "Personal",
    "Geschäftsführung",
];

fn last_name(rng: &mut Lcg) -> String {
    let n = 2 + rng.next() % 2;
    let mut s: String = (0..n).map(|_| rng.pick(SYLLABLES)).collect();
    let first = s.remove(0).to_uppercase().to_string();
    s.insert_str(0, &first);
    s
}

/// One contact's vCard.
fn card(i: usize, rng: &mut Lcg) -> VCard {
    let first = rng.pick(FIRST);
    let last = last_name(rng);
    let company = format!("{} {}", last_name(rng), rng.pick(COMPANY_KIND));
    let department = rng.pick(DEPARTMENTS);
    let mail = format!("{}.{}@example.com", fold(first), fold(&last));
    let text = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{i:08}\r\nFN:{first} {last}\r\nN:{last};{first};;;\r\n\
         ORG:{company};{department}\r\nEMAIL;TYPE=WORK:{mail}\r\n\
         TEL;TYPE=WORK:+49 30 {w:07}\r\nTEL;TYPE=CELL:+49 17{c} {m:07}\r\nTEL;TYPE=HOME:0{a} {h:06}\r\nEND:VCARD\r\n",
        w = rng.next() % 10_000_000,
        c = rng.next() % 10,
        m = rng.next() % 10_000_000,
        a = 30 + rng.next() % 900,
        h = rng.next() % 1_000_000,
    );
    VCard::parse(text.as_bytes()).unwrap()
}

/// The contacts as a cache's snapshot, as a phone book indexes them.
fn folder(n: usize, dir: &std::path::Path) -> (Arc<Snapshot>, Schema) {
    let src = Arc::new(MemorySource::new("bench"));
    let mut rng = Lcg(23);
    for i in 0..n {
        src.put_card(format!("{i:08}.vcf"), card(i, &mut rng));
    }
    let f = CachedFolder::open(dir, "bench", src).unwrap();
    f.reload().unwrap();
    (f.snapshot(), f.schema())
}

/// What the plain scan and FTS5 read of a contact: its words as one folded text
/// per class, and its digits.
struct Texts {
    names: String,
    org: String,
    email: String,
    digits: String,
}

fn texts(snap: &Snapshot) -> Vec<Texts> {
    let fold_all = |row: &cti_phonebook::Row, cols: &[&str]| {
        let mut out = String::from(" ");
        for c in cols {
            if let Some(v) = row.get(c) {
                for w in v
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                {
                    out.push_str(&fold(w));
                    out.push(' ');
                }
            }
        }
        out
    };
    snap.rows()
        .map(|(_, r)| Texts {
            names: fold_all(
                &r.row,
                &["display_name", "first_name", "last_name", "nickname"],
            ),
            org: fold_all(&r.row, &["company", "department"]),
            email: fold_all(&r.row, &["email1", "email2", "email3"]),
            digits: ["phone1", "phone2", "phone3", "phone4", "phone5", "phone6"]
                .iter()
                .filter_map(|c| r.row.get(c))
                .map(|n| n.chars().filter(char::is_ascii_digit).collect::<String>() + "/")
                .collect(),
        })
        .collect()
}

/// The plain scan: every contact, every term a word start (` term`) or digits,
/// ranked as the index ranks (a whole word before a prefix, names before
/// companies before e-mails), the best `LIMIT`.
fn scan(texts: &[Texts], query: &str) -> usize {
    let terms: Vec<(String, bool)> = query
        .split_whitespace()
        .map(|t| {
            let digits = t.bytes().all(|b| b.is_ascii_digit());
            (
                if digits {
                    t.to_owned()
                } else {
                    format!(" {}", fold(t))
                },
                digits,
            )
        })
        .collect();
    // The tier of a term in one text: 0 for a whole word, 3 for a prefix.
    let tier = |text: &str, t: &str| {
        let at = text.find(t)?;
        Some(if text[at + t.len()..].starts_with(' ') {
            0
        } else {
            3
        })
    };
    let mut found: Vec<(u32, usize)> = texts
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let mut rank = 0;
            for (t, digits) in &terms {
                rank += if *digits {
                    c.digits.contains(t.as_str()).then_some(3)?
                } else {
                    [&c.names, &c.org, &c.email]
                        .iter()
                        .enumerate()
                        .filter_map(|(class, text)| Some(tier(text, t)? + class as u32))
                        .min()?
                };
            }
            Some((rank, i))
        })
        .collect();
    let n = found.len().min(LIMIT);
    if n > 0 {
        found.select_nth_unstable(n - 1);
    }
    found[..n].sort_unstable();
    n
}

/// FTS5 tables over the same texts: `c` for words, `d` (trigram) for digits.
fn fts5(texts: &[Texts]) -> Connection {
    let db = Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE VIRTUAL TABLE c USING fts5(names, org, email, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
         CREATE VIRTUAL TABLE d USING fts5(digits, tokenize = 'trigram');",
    )
    .unwrap();
    let tx = db.unchecked_transaction().unwrap();
    {
        let mut c = tx
            .prepare("INSERT INTO c(rowid, names, org, email) VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        let mut d = tx
            .prepare("INSERT INTO d(rowid, digits) VALUES (?1, ?2)")
            .unwrap();
        for (i, t) in texts.iter().enumerate() {
            c.execute((i as i64, &t.names, &t.org, &t.email)).unwrap();
            d.execute((i as i64, &t.digits)).unwrap();
        }
    }
    tx.commit().unwrap();
    db
}

/// An FTS5 query: prefix terms (`"kow"*`) ranked by bm25, or digits in the
/// trigram table.
fn fts5_query(db: &Connection, query: &str) -> usize {
    let digits = query.bytes().all(|b| b.is_ascii_digit());
    let (sql, arg) = if digits {
        (
            "SELECT rowid FROM d WHERE d MATCH ?1 LIMIT 20",
            format!("\"{query}\""),
        )
    } else {
        (
            "SELECT rowid FROM c WHERE c MATCH ?1 ORDER BY rank LIMIT 20",
            query
                .split_whitespace()
                .map(|t| format!("\"{}\"*", fold(t)))
                .collect::<Vec<_>>()
                .join(" "),
        )
    };
    let mut stmt = db.prepare_cached(sql).unwrap();
    let rows = stmt.query_map([arg], |r| r.get::<_, i64>(0)).unwrap();
    rows.count()
}

fn db_bytes(db: &Connection) -> usize {
    let pages: i64 = db.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    let size: i64 = db.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    (pages * size) as usize
}

/// Queries of each kind, from the contacts themselves so that they find something.
fn queries(texts: &[Texts]) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut rng = Lcg(5);
    let mut prefix3 = Vec::new();
    let mut two = Vec::new();
    let mut digits = Vec::new();
    for _ in 0..500 {
        let t = &texts[(rng.next() % texts.len() as u64) as usize];
        let words: Vec<&str> = t.names.split_whitespace().collect();
        let last = words.get(1).copied().unwrap_or(words[0]);
        prefix3.push(last.chars().take(3).collect());
        two.push(format!(
            "{} {}",
            last.chars().take(3).collect::<String>(),
            words[0].chars().take(2).collect::<String>()
        ));
        let d = &t.digits[5..9];
        digits.push(d.to_owned());
    }
    (prefix3, two, digits)
}

/// Median microseconds per query over rounds of all `queries`.
fn median_us(queries: &[String], mut f: impl FnMut(&str) -> usize) -> f64 {
    let mut per = Vec::new();
    let deadline = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < deadline || per.len() < 3 {
        for q in queries {
            let start = Instant::now();
            black_box(f(q));
            per.push(start.elapsed().as_secs_f64() * 1e6);
        }
    }
    per.sort_by(f64::total_cmp);
    per[per.len() / 2]
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    // `cargo test --all-targets` runs this binary without `--bench`: check that the
    // three agree on a small set instead of measuring for minutes.
    let n = if bench { CONTACTS } else { 2_000 };
    let dir = tempfile::tempdir().unwrap();
    let (snap, schema) = folder(n, dir.path());
    let texts = texts(&snap);
    let (prefix3, two, digits) = queries(&texts);

    let mut builds = Vec::new();
    let mut builds_cpu = Vec::new();
    let mut index = SearchIndex::new();
    for _ in 0..5 {
        let cpu = cpu_ns();
        let start = Instant::now();
        let built = SearchIndex::new();
        built.index_folder("bench", &schema, snap.clone());
        built.prepare();
        builds.push(start.elapsed().as_secs_f64() * 1e3);
        if let (Some(a), Some(b)) = (cpu, cpu_ns()) {
            builds_cpu.push((b - a) as f64 / 1e6);
        }
        index = built;
    }
    builds.sort_by(f64::total_cmp);
    builds_cpu.sort_by(f64::total_cmp);
    // For a profiler: only builds, or only one kind of query, for ten seconds.
    if std::env::var_os("SEARCH_BENCH_PROFILE").is_some_and(|v| v == "build") {
        eprintln!("profiling");
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            let built = SearchIndex::new();
            built.index_folder("bench", &schema, snap.clone());
            built.prepare();
        }
        return;
    }
    if let Some(what) = std::env::var_os("SEARCH_BENCH_PROFILE") {
        let queries = if what == "two" { &two } else { &prefix3 };
        eprintln!("profiling");
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            for q in queries {
                black_box(index.search(q, LIMIT));
            }
        }
        return;
    }
    let start = Instant::now();
    let scan_texts = self::texts(&snap);
    let scan_build = start.elapsed().as_secs_f64() * 1e3;
    let scan_bytes: usize = scan_texts
        .iter()
        .map(|t| {
            4 * 24
                + t.names.capacity()
                + t.org.capacity()
                + t.email.capacity()
                + t.digits.capacity()
        })
        .sum();
    let start = Instant::now();
    let db = fts5(&texts);
    let fts_build = start.elapsed().as_secs_f64() * 1e3;

    // Each finds something for every query, and the index everything the scan finds.
    for q in prefix3.iter().chain(&two).chain(&digits) {
        let ours = index.search(q, LIMIT).len();
        assert!(ours > 0, "{q}");
        assert_eq!(index.find(q, LIMIT).len(), ours, "{q}");
        assert_eq!(ours, scan(&scan_texts, q), "{q}");
        assert!(fts5_query(&db, q) > 0, "{q}");
    }
    if !bench {
        println!("search bench: smoke test passed (run `cargo bench` to measure)");
        return;
    }

    let per = |bytes: usize| bytes as f64 / n as f64;
    println!("name search, {n} contacts; median of many different queries, limit {LIMIT}");
    println!(
        "                       {:>12} {:>12} {:>12} {:>12}",
        "index find", "+ hits", "plain scan", "FTS5"
    );
    let row = |what: &str, q: &[String]| {
        println!(
            "  {what:20} {:9.1} µs {:9.1} µs {:9.1} µs {:9.1} µs",
            median_us(q, |q| index.find(q, LIMIT).len()),
            median_us(q, |q| index.search(q, LIMIT).len()),
            median_us(q, |q| scan(&scan_texts, q)),
            median_us(q, |q| fts5_query(&db, q)),
        )
    };
    row("3-letter prefix", &prefix3);
    row("two prefixes", &two);
    row("4 digits", &digits);
    println!(
        "  {:20} {:9.1} ms {:>12} {:9.1} ms {:9.1} ms   (index: min {:.1}, max {:.1})",
        "build (median of 5)", builds[2], "", scan_build, fts_build, builds[0], builds[4]
    );
    println!(
        "  {:20} {:9.1} ms   (CPU time of the index build, median of 5)",
        "build CPU",
        builds_cpu.get(2).copied().unwrap_or(f64::NAN)
    );
    println!(
        "  {:20} {:9.1} B  {:>12} {:9.1} B  {:9.1} B",
        "memory per contact",
        per(index.heap_bytes()),
        "",
        per(scan_bytes),
        per(db_bytes(&db))
    );

    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("search");
    let q3 = prefix3[0].clone();
    let q2 = two[0].clone();
    let qd = digits[0].clone();
    g.bench_function("index_find_prefix3", |b| {
        b.iter(|| index.find(black_box(&q3), LIMIT).len())
    });
    g.bench_function("index_prefix3", |b| {
        b.iter(|| index.search(black_box(&q3), LIMIT).len())
    });
    g.bench_function("index_two_prefixes", |b| {
        b.iter(|| index.search(black_box(&q2), LIMIT).len())
    });
    g.bench_function("index_digits", |b| {
        b.iter(|| index.search(black_box(&qd), LIMIT).len())
    });
    g.bench_function("scan_prefix3", |b| {
        b.iter(|| scan(&scan_texts, black_box(&q3)))
    });
    g.bench_function("fts5_prefix3", |b| {
        b.iter(|| fts5_query(&db, black_box(&q3)))
    });
    g.finish();
    let mut g = c.benchmark_group("search_build");
    g.sample_size(10);
    g.bench_function("index_100k", |b| {
        b.iter_with_large_drop(|| {
            let built = SearchIndex::new();
            built.index_folder("bench", &schema, snap.clone());
            built.prepare();
            built
        })
    });
    g.finish();
    c.final_summary();
}
