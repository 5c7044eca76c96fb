//! The whole job on a fresh machine: `cargo run --example demo`.
//!
//! Installs Radicale into a venv under `target/` if it is missing, starts it on a free
//! 127.0.0.1 port with a temporary store, uploads the sample contacts from
//! `examples/data/contacts.vcf`, discovers the address book from the bare server URL,
//! syncs it into a temporary cache, prints the folder as a table, looks up incoming
//! numbers written in several ways, edits a contact as another user would and shows
//! the refresh picking it up (and a stale write turned into a conflict), then stops
//! the server.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use cti_phonebook::cache::CachedFolder;
use cti_phonebook::carddav::{CardDavConfig, CardDavSource, discover};
use cti_phonebook::lookup::CallerLookup;
use cti_phonebook::vcard::Document;
use cti_phonebook::{DialPlan, Error, MatchQuality, Phonebook, PhonebookSource};

type Res<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// A Radicale server on 127.0.0.1, stopped on drop.
struct Radicale {
    script: PathBuf,
    data: tempfile::TempDir,
    env: HashMap<String, String>,
}

impl Radicale {
    fn start() -> Res<Radicale> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/servers/radicale.sh");
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let shm = Path::new("/dev/shm");
        let data = if shm.is_dir() {
            tempfile::tempdir_in(shm)?
        } else {
            tempfile::tempdir()?
        };
        let t = Instant::now();
        let out = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg(port.to_string())
            .arg(data.path().join("radicale"))
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "could not start Radicale ({}):\n{}",
                script.display(),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let env = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        println!(
            "Radicale running on 127.0.0.1:{port} ({:.1} s, installed on first use)",
            t.elapsed().as_secs_f64()
        );
        Ok(Radicale { script, data, env })
    }

    fn get(&self, k: &str) -> &str {
        self.env.get(k).map(String::as_str).unwrap_or("")
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(&self.script)
            .arg("stop")
            .arg(self.data.path().join("radicale"))
            .status();
        println!("Radicale stopped.");
    }
}

fn config(server: &Radicale, url: &str) -> Res<CardDavConfig> {
    Ok(CardDavConfig::builder(url)
        .password(server.get("CARDDAV_USER"), server.get("CARDDAV_PASSWORD"))
        .build()?)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("demo failed: {e}");
        std::process::exit(1);
    }
}

fn heading(s: &str) {
    println!("\n== {s} ==");
}

fn run() -> Res {
    heading("1. A real CardDAV server");
    let server = Radicale::start()?;
    let bare = server.get("CARDDAV_URL").to_owned();

    heading("2. Upload the sample contacts (as another CardDAV client would)");
    let t = Instant::now();
    let book_url = server.get("CARDDAV_ADDRESSBOOK_URL").to_owned();
    let uploader = CardDavSource::open(config(&server, &book_url)?)?;
    let sample =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/contacts.vcf"))?;
    let doc = Document::parse(&sample);
    let mut n = 0;
    for card in doc.cards() {
        uploader.import_card(card.clone())?;
        n += 1;
    }
    println!(
        "{n} cards (vCard 2.1, 3.0 and 4.0) uploaded in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    heading("3. Discover the address book from the bare server URL");
    let books = discover(&config(&server, &bare)?)?;
    for b in &books {
        println!(
            "found '{}' at {} (sync-collection: {}, vCard {:?})",
            b.display_name.as_deref().unwrap_or(""),
            b.url,
            b.supports_sync,
            b.vcard_versions
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
        );
    }
    let book = books.first().ok_or("no address book found")?;

    heading("4. Sync it into a local cache");
    let cache = tempfile::tempdir()?;
    let plan = DialPlan::new("DE")?.with_area_code("30")?;
    cti_phonebook::lookup::preload();
    let phonebook = Phonebook::new(cache.path(), plan);
    let source = Arc::new(CardDavSource::open(config(&server, book.url.as_str())?)?);
    let folder = phonebook.attach("Contacts", source)?;
    let t = Instant::now();
    let r = folder.refresh()?;
    println!(
        "{} added in {} requests, {:.2} s; cache file {}",
        r.added,
        r.requests,
        t.elapsed().as_secs_f64(),
        folder.path().display()
    );
    for w in &r.warnings {
        println!("warning: {}: {}", w.id, w.message);
    }

    heading("5. The folder as a table");
    print_table(&folder);

    heading("6. Incoming calls (line: Germany, area code 30)");
    for incoming in [
        "030 4500-123",
        "+49304500123",
        "0049 30 4500 123",
        "+49 30 4500-555",
        "00447700900123",
        "+1 212 555 0147",
        "+49 (0)176 55598765",
        "+49 89 1111111",
        "anonymous",
    ] {
        lookup(&phonebook, incoming);
    }

    heading("7. Someone else edits a contact; refresh picks it up");
    let other = CardDavSource::open(config(&server, book.url.as_str())?)?;
    let anna = other
        .list()?
        .records
        .into_iter()
        .find(|r| r.row.get("display_name") == Some("Anna Schmidt"))
        .ok_or("Anna Schmidt not found")?;
    let row = anna.row.clone().with("phone3", "+49 170 5559999");
    other.update(&anna, &row)?;
    println!("another client changed Anna Schmidt's mobile to +49 170 5559999");
    let t = Instant::now();
    let r = folder.refresh()?;
    println!(
        "refresh: {} changed, {} added, {} removed in {} request(s), {:.0} ms",
        r.changed,
        r.added,
        r.removed,
        r.requests,
        t.elapsed().as_secs_f64() * 1e3
    );
    lookup(&phonebook, "0170 5559999");
    let untouched = folder.cached_record(&anna.id)?;
    println!(
        "her card still carries what the table does not show: {} lines, PHOTO/X-/groups kept byte for byte",
        untouched.card.properties().count()
    );

    heading("8. A stale write becomes a conflict, never an overwrite");
    let mine = anna.row.clone().with("phone3", "+49 170 5550000");
    match folder.update(&anna, &mine) {
        Err(Error::Conflict {
            current: Some(cur), ..
        }) => println!(
            "conflict: the server has mobile {} (version {}); the cache keeps it, and our edit {} is handed back",
            cur.row.get("phone3").unwrap_or("-"),
            cur.version,
            mine.get("phone3").unwrap_or("-")
        ),
        other => println!("unexpected: {other:?}"),
    }

    heading("9. Offline: the cache answers without the server");
    drop(server);
    lookup(&phonebook, "+49 30 4500-789");
    if let Err(e) = folder.refresh() {
        println!("refresh while the server is down: {e}");
    }
    Ok(())
}

fn print_table(folder: &CachedFolder) {
    let snap = folder.snapshot();
    let mut rows: Vec<_> = snap.rows().map(|(_, r)| r.row.clone()).collect();
    rows.sort_by(|a, b| a.get("display_name").cmp(&b.get("display_name")));
    println!(
        "{:<32} {:<30} {:<20} {:<20} {:<20}",
        "name", "company", "business", "mobile", "home"
    );
    for r in rows {
        let cut = |s: Option<&str>, n: usize| s.unwrap_or("").chars().take(n).collect::<String>();
        println!(
            "{:<32} {:<30} {:<20} {:<20} {:<20}{}",
            cut(r.get("display_name"), 32),
            cut(r.get("company"), 30),
            cut(r.get("phone1"), 20),
            cut(r.get("phone3"), 20),
            cut(r.get("phone4"), 20),
            if r.hidden.phones > 0 {
                format!(" (+{} more)", r.hidden.phones)
            } else {
                String::new()
            }
        );
    }
    println!("{} contacts", snap.len());
}

fn lookup(book: &Phonebook, number: &str) {
    let t = Instant::now();
    let res = book.lookup_caller(number);
    let us = t.elapsed().as_secs_f64() * 1e6;
    match res {
        CallerLookup::Withheld => println!("{number:>22} → withheld number"),
        CallerLookup::NotANumber(e) => println!("{number:>22} → not a number ({e})"),
        CallerLookup::Matches(m) if !m.is_empty() => {
            let best = &m[0];
            let q = match best.quality() {
                MatchQuality::Exact => "exact".to_owned(),
                MatchQuality::National => "national".to_owned(),
                MatchQuality::Switchboard { stripped } => {
                    format!("switchboard, {stripped} digits stripped")
                }
                MatchQuality::Extension => "extension".to_owned(),
            };
            println!(
                "{number:>22} → {} ({}) via {} {} [{q}] ({us:.1} µs)",
                best.display_name(),
                best.company(),
                best.column(),
                best.number()
            );
        }
        _ => println!("{number:>22} → unknown caller ({us:.1} µs)"),
    }
}
