//! What a pop-up shows beyond the lookup: whether the card has a photo, and the
//! whole record (the contact's data mask) when its folder opens it automatically.

use cti_phonebook::Phonebook;
use cti_phonebook::calls::auto_open;
use cti_phonebook::lookup::CallerMatch;

/// Prints the photo line and, for a folder with auto-open on, the record.
pub fn show(book: &Phonebook, m: &CallerMatch) {
    let Some(folder) = book.folder(m.folder()) else {
        return;
    };
    let Ok(record) = folder.cached_record(m.id()) else {
        return;
    };
    let photo = record.card.first("PHOTO").is_some();
    println!("│    photo: {}", if photo { "yes" } else { "no" });
    if auto_open(&folder) {
        println!("│  ─ data mask (opened automatically) ─");
        for (column, value) in record.row.cells() {
            println!("│    {column}: {value}");
        }
    }
}
