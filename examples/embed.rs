//! What a CTI desktop tool does with the crate, start to finish, against a real server:
//! discover the book from the bare server URL, keep one phone book over a DE line,
//! sync in the background with progress and change notifications, start offline,
//! look callers up, dial, edit, and meet a conflict.
//!
//! `CARDDAV_URL=http://127.0.0.1:5232/ CARDDAV_USER=alice CARDDAV_PASSWORD=secret \
//!  cargo run --example embed` (`tests/embed_example.rs` runs it against Radicale,
//! with a contact "ACME Zentrale" at `+49 30 8812345-0` in the book).

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use cti_phonebook::cache::{AutoSync, OfflineSource};
use cti_phonebook::carddav::{CardDavConfig, CardDavSource, discover};
use cti_phonebook::lookup::CallerLookup;
use cti_phonebook::{DialPlan, Error, Phonebook};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |k: &str| std::env::var(k).map_err(|_| format!("set {k}"));
    let (url, user, password) = (
        env("CARDDAV_URL")?,
        env("CARDDAV_USER")?,
        env("CARDDAV_PASSWORD")?,
    );
    let dir = std::env::var("PHONEBOOK_DIR")
        .map_or_else(|_| std::env::temp_dir().join("embed"), Into::into);

    // 1. Discover: the bare server URL is enough.
    let config = CardDavConfig::builder(&url)
        .password(&user, &password)
        .build()?;
    let books = discover(&config)?;
    let book_url = books.first().ok_or("no address book")?.url.clone();
    println!("1. found {} book(s), using {book_url}", books.len());

    // 2. One phone book for the line: every folder's numbers in one caller index.
    let plan = DialPlan::new("DE")?.with_area_code("30")?;
    let book = Phonebook::new(&dir, plan.clone());

    // 3. Start offline (no network needed to show the cache), then connect in place
    //    and let the background sync do the first sync, with progress and a change
    //    notification.
    let folder = book.attach("Kontakte", Arc::new(OfflineSource::new("Kontakte")))?;
    println!(
        "3. offline start: {} contacts in the cache",
        folder.snapshot().len()
    );
    folder.set_source(Arc::new(CardDavSource::open(
        config.with_url(book_url.clone()),
    )?));
    folder.on_progress(|p| println!("   progress: {} of {:?}", p.fetched, p.total));
    let (tx, changed) = mpsc::channel();
    folder.on_change(move |c| {
        let _ = tx.send(c.changed.len() + c.removed.len());
    });
    let auto = AutoSync::spawn(
        vec![folder.clone()],
        Duration::from_millis(200),
        |name, r| match r {
            Ok(r) => println!(
                "   background sync of {name}: {} added, {} changed",
                r.added, r.changed
            ),
            Err(e) => println!("   background sync of {name} failed: {e}"),
        },
    )?;
    let n = changed.recv_timeout(Duration::from_secs(60))?;
    println!("3. notified: {n} contacts changed");
    drop(auto);

    // 4. Incoming calls, in the forms PBXes deliver them.
    for number in [
        "+49 30 8812345-0",
        "030 8812345",
        "0049308812345",
        "+49 30 8812345-21",
        "anonymous",
    ] {
        match book.lookup_caller(number) {
            CallerLookup::Matches(m) if !m.is_empty() => println!(
                "4. {number}: {} ({}, {:?}, {:?})",
                m[0].display_name(),
                m[0].company(),
                m[0].kind(),
                m[0].quality()
            ),
            CallerLookup::Withheld => println!("4. {number}: withheld"),
            other => println!("4. {number}: unknown caller ({other:?})"),
        }
    }

    // 5. Dialling a stored number and a click-to-dial link from the line.
    println!(
        "5. dial {} and {}",
        plan.dial("+49 30 8812345-0")?,
        plan.dial("tel:+49-89-1234567")?
    );

    // 6. An edit, then a stale edit: a conflict that hands back the server's version.
    let hit = book
        .lookup("+49 30 8812345-0")?
        .into_iter()
        .next()
        .ok_or("no contact")?;
    let record = folder.cached_record(hit.id())?;
    let edited = folder.update(&record, &record.row.clone().with("note", "Called today"))?;
    println!("6. edited {}: version {}", edited.id, edited.version);
    match folder.update(&record, &record.row.clone().with("note", "Stale edit")) {
        Err(Error::Conflict {
            current: Some(cur), ..
        }) => {
            println!(
                "6. conflict: the server has version {} (note {:?})",
                cur.version,
                cur.row.get("note")
            )
        }
        other => return Err(format!("expected a conflict, got {other:?}").into()),
    }

    // 7. The next start: offline again, and the callers are known at once.
    drop(book);
    let book = Phonebook::new(&dir, plan);
    book.attach("Kontakte", Arc::new(OfflineSource::new("Kontakte")))?;
    let again = book.lookup("030 8812345")?;
    println!(
        "7. offline lookup after a restart: {}",
        again.first().map_or("-", |m| m.display_name())
    );
    Ok(())
}
