//! Property: whatever damage a cache file takes (bytes overwritten anywhere, the file
//! cut short), opening the folder never panics and never fails, its settings are
//! all there, and one reload brings back every record, readable, in a sound file.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use cti_phonebook::cache::{CachedFolder, OfflineSource, folder_path};
use cti_phonebook::vcard::VCard;
use cti_phonebook::{MemorySource, PhonebookSource};
use proptest::prelude::*;

const CARDS: usize = 40;

fn source() -> Arc<MemorySource> {
    let src = Arc::new(MemorySource::new("work"));
    for i in 0..CARDS {
        let card = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u{i}\r\nFN:Name {i}\r\nTEL:+49 30 {i:06}\r\nNOTE:{}\r\nEND:VCARD\r\n",
            "n".repeat(i * 40)
        );
        src.put_card(
            format!("{i:02}.vcf"),
            VCard::parse(card.as_bytes()).unwrap(),
        );
    }
    src
}

/// The bytes of a sound cache file and of its settings file, made once.
fn template() -> &'static (Vec<u8>, Vec<u8>) {
    static T: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    T.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let f =
            CachedFolder::create_new(dir.path(), "work", source(), &[("user", "alice")]).unwrap();
        f.reload().unwrap();
        let db = f.path();
        drop(f);
        (
            std::fs::read(&db).unwrap(),
            std::fs::read(db.with_extension("settings")).unwrap(),
        )
    })
}

/// One kind of damage.
#[derive(Debug, Clone)]
enum Hit {
    /// `len` bytes from `at` (a fraction of the file, in thousandths) set to `byte`.
    Fill { at: u16, len: u16, byte: u8 },
    /// One byte flipped.
    Flip { at: u16, bit: u8 },
    /// The file cut to a fraction of its length.
    Cut { to: u16 },
}

fn hit() -> impl Strategy<Value = Hit> {
    prop_oneof![
        (0..1000u16, 1..8192u16, any::<u8>()).prop_map(|(at, len, byte)| Hit::Fill {
            at,
            len,
            byte
        }),
        (0..1000u16, 0..8u8).prop_map(|(at, bit)| Hit::Flip { at, bit }),
        (0..1000u16).prop_map(|to| Hit::Cut { to }),
    ]
}

fn damage(bytes: &mut Vec<u8>, hits: &[Hit]) {
    for h in hits {
        let n = bytes.len();
        if n == 0 {
            return;
        }
        let pos = |at: u16| (n * at as usize / 1000).min(n - 1);
        match *h {
            Hit::Fill { at, len, byte } => {
                let start = pos(at);
                let end = (start + len as usize).min(n);
                bytes[start..end].fill(byte);
            }
            Hit::Flip { at, bit } => bytes[pos(at)] ^= 1 << bit,
            Hit::Cut { to } => bytes.truncate(n * to as usize / 1000),
        }
    }
}

fn check(dir: &Path) {
    let f = CachedFolder::open(dir, "work", Arc::new(OfflineSource::new("work")))
        .expect("a damaged file opens");
    assert_eq!(f.setting("user").unwrap().as_deref(), Some("alice"));
    // Whatever survived reads without panicking; damage is an error or a warning.
    for (id, _) in f.snapshot().rows() {
        let _ = f.cached_record(id);
    }
    drop(f);
    let src = source();
    let f = CachedFolder::open(dir, "work", src.clone()).unwrap();
    let r = f.reload().expect("a reload always rebuilds");
    assert_eq!(f.snapshot().len(), CARDS, "{r:?}");
    for (id, _) in f.snapshot().rows() {
        assert_eq!(f.cached_record(id).unwrap().card, src.get(id).unwrap().card);
    }
    assert_eq!(f.open_warning(), None);
    let path = f.path();
    drop(f);
    let conn = rusqlite::Connection::open(path).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_damage_is_survived_and_repaired(hits in proptest::collection::vec(hit(), 1..4)) {
        let (db, settings) = template();
        let dir = tempfile::tempdir().unwrap();
        let path = folder_path(dir.path(), "work").unwrap();
        let mut bytes = db.clone();
        damage(&mut bytes, &hits);
        std::fs::write(&path, &bytes).unwrap();
        std::fs::write(path.with_extension("settings"), settings).unwrap();
        check(dir.path());
    }
}
