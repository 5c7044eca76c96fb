//! Using the blocking API from an async (tokio) application.
//!
//! The crate's calls are blocking (see the crate docs for why). In an async host, run
//! them on tokio's blocking pool with `spawn_blocking`; never call them directly on an
//! async worker thread (reqwest's blocking client panics inside a runtime). The hot
//! path, caller lookup, is an in-memory index and cheap enough to call inline.
//!
//! `cargo run --example tokio_host`

use std::sync::Arc;

use cti_phonebook::vcard::VCard;
use cti_phonebook::{DialPlan, MemorySource, Phonebook};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let dir = tempfile::tempdir()?;
    let book = Arc::new(Phonebook::new(
        dir.path(),
        DialPlan::new("GB")?.with_area_code("20")?,
    ));

    // Opening folders and syncing do I/O: blocking pool.
    let folder = {
        let book = book.clone();
        tokio::task::spawn_blocking(move || {
            let src = Arc::new(MemorySource::new("Suppliers"));
            let card = VCard::parse(
                b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Thames Valley Components\r\nTEL;TYPE=WORK:+44 20 7946 0000\r\nEND:VCARD\r\n",
            )?;
            src.put_card("tvc.vcf", card);
            let folder = book.attach("Suppliers", src)?;
            folder.refresh()?;
            Ok::<_, cti_phonebook::Error>(folder)
        })
        .await??
    };

    // A periodic background sync as an async task; each run goes to the blocking pool.
    let sync_task = {
        let folder = folder.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(50));
            for _ in 0..3 {
                tick.tick().await;
                let f = folder.clone();
                let report = tokio::task::spawn_blocking(move || f.sync_if_due()).await;
                println!("background sync: {report:?}");
            }
        })
    };

    // Incoming calls: the lookup is in memory, fine to call on an async thread.
    for incoming in ["020 7946 0000", "+44 20 7946 0123", "0044 20 79460000"] {
        let hits = book.lookup(incoming)?;
        match hits.first() {
            Some(m) => println!("{incoming} → {} ({:?})", m.display_name(), m.quality()),
            None => println!("{incoming} → unknown"),
        }
    }
    sync_task.await?;
    Ok(())
}
