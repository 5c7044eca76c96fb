//! Damage inside a folder's card data: a cache file whose rows still read and some of
//! whose cards do not.
//!
//! A test binary includes this file with `#[path = "support/damage.rs"] mod damage;`.

use std::path::Path;

/// Zeroes 64 KiB of a copy of `path` at offsets 64 KiB apart until one leaves the
/// records readable but some cards not (damage inside the card data), and puts that
/// copy in place. Returns whether one did.
pub fn damage_card_pages(path: &Path) -> bool {
    let good = std::fs::read(path).unwrap();
    let probe = path.with_extension("probe");
    for start in (1..good.len() / 65536).map(|k| k * 65536) {
        let mut bytes = good.clone();
        bytes[start..(start + 65536).min(good.len())].fill(0);
        std::fs::write(&probe, &bytes).unwrap();
        let conn = rusqlite::Connection::open(&probe).unwrap();
        let rows = conn
            .query_row("SELECT sum(length(row)) FROM records", [], |r| {
                r.get::<_, i64>(0)
            })
            .and_then(|_| conn.query_row("SELECT count(*) FROM meta", [], |r| r.get::<_, i64>(0)));
        let cards = conn.query_row("SELECT sum(length(card)) FROM cards", [], |r| {
            r.get::<_, i64>(0)
        });
        drop(conn);
        if rows.is_ok() && cards.is_err() {
            std::fs::rename(&probe, path).unwrap();
            return true;
        }
    }
    let _ = std::fs::remove_file(&probe);
    false
}
