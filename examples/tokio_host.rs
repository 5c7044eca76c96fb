//! Using the blocking API from an async (tokio) application.
//!
//! The crate's calls are blocking (see the crate docs for why). In an async host, run
//! them on tokio's blocking pool with `spawn_blocking`; never call them directly on an
//! async worker thread (reqwest's blocking client panics inside a runtime). The hot
//! path, caller lookup, is an in-memory index and cheap enough to call inline.
//!
//! The background task calls `sync_if_due`, which syncs only once the folder's sync
//! interval has passed since its last sync. The folder here runs on a `ManualClock`
//! and has an interval of one day, so that each tick of the task can stand for half a
//! day: the first tick finds nothing due, the second syncs and picks up a contact
//! added meanwhile, the third again finds nothing due.
//!
//! `cargo run --example tokio_host`

use std::sync::Arc;
use std::time::Duration;

use cti_phonebook::cache::{CachedFolder, ManualClock};
use cti_phonebook::vcard::VCard;
use cti_phonebook::{DialPlan, MemorySource, Phonebook};

/// Any error of the example, as it crosses threads.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

const HALF_A_DAY: Duration = Duration::from_secs(12 * 3600);

/// A supplier's card with one work number.
fn supplier(name: &str, number: &str) -> Result<VCard, BoxError> {
    Ok(VCard::parse(
        format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nTEL;TYPE=WORK:{number}\r\nEND:VCARD\r\n"
        )
        .as_bytes(),
    )?)
}

/// Prints who calls from `incoming`, by the in-memory index.
fn show_caller(book: &Phonebook, incoming: &str) -> Result<(), BoxError> {
    match book.lookup(incoming)?.first() {
        Some(m) => println!("{incoming} → {} ({:?})", m.display_name(), m.quality()),
        None => println!("{incoming} → unknown"),
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    let dir = tempfile::tempdir()?;
    let book = Arc::new(Phonebook::new(
        dir.path(),
        DialPlan::new("GB")?.with_area_code("20")?,
    ));
    // The server stands in as a source in memory; the clock moves when told to.
    let server = Arc::new(MemorySource::new("Suppliers"));
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));

    // Opening folders and syncing do I/O: blocking pool.
    let folder = {
        let (book, server, clock) = (book.clone(), server.clone(), clock.clone());
        tokio::task::spawn_blocking(move || {
            server.put_card(
                "tvc.vcf",
                supplier("Thames Valley Components", "+44 20 7946 0000")?,
            );
            let folder = Arc::new(CachedFolder::open_with_clock(
                book.dir(),
                "Suppliers",
                server,
                clock,
            )?);
            folder.set_sync_interval(Duration::from_secs(86_400))?;
            book.add(folder.clone());
            folder.refresh()?;
            Ok::<_, BoxError>(folder)
        })
        .await??
    };

    // Incoming calls: the lookup is in memory, fine to call on an async thread.
    for incoming in ["020 7946 0000", "+44 20 7946 0123", "0044 20 79460000"] {
        show_caller(&book, incoming)?;
    }

    // Meanwhile a colleague adds a supplier on the server.
    server.put_card(
        "dlf.vcf",
        supplier("Docklands Freight", "+44 20 7946 0999")?,
    );
    show_caller(&book, "020 7946 0999")?;

    // A periodic background sync as an async task; each run goes to the blocking pool.
    let sync_task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        for half_days in 1..=3 {
            tick.tick().await;
            clock.advance(HALF_A_DAY);
            let f = folder.clone();
            match tokio::task::spawn_blocking(move || f.sync_if_due()).await? {
                Ok(Some(r)) => println!(
                    "{} h later: synced, {} added, {} changed, {} removed",
                    half_days * 12,
                    r.added,
                    r.changed,
                    r.removed
                ),
                Ok(None) => println!("{} h later: not due, nothing fetched", half_days * 12),
                Err(e) => println!("{} h later: sync failed: {e}", half_days * 12),
            }
        }
        Ok::<_, tokio::task::JoinError>(())
    });
    sync_task.await??;

    // The synced folder updated the index: the new supplier is known.
    show_caller(&book, "020 7946 0999")?;
    Ok(())
}
