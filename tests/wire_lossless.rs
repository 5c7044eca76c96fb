//! Lossless through the wire, on every real test server (Radicale, Xandikos, sabre/dav):
//! cards are PUT raw, synced through REPORT answers (multiget for a full listing,
//! sync-collection for a refresh where the server has it), and each cached card must
//! be byte for byte what a GET of it returns. An edit of one cell must change exactly
//! one line of the stored card.
//!
//! The corpora of other projects' cards are read at test time from
//! `../shared/corpus` (or the directory `CTI_CORPUS_DIR` names); they are never part
//! of this repository. Without them the corpus tests fail and say where they looked.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use cti_phonebook::cache::CachedFolder;
use cti_phonebook::carddav::{CardDavConfig, CardDavSource};
use cti_phonebook::source::{Record, RecordId};
use support::raw_http::Raw;
use support::servers::Server;

fn folder(s: &Server, dir: &std::path::Path) -> CachedFolder {
    let config = CardDavConfig::builder(&s.book_url)
        .password(&s.user, &s.password)
        .build()
        .expect("config");
    let source = CardDavSource::open(config).expect("open the book");
    CachedFolder::open(dir, "wire", Arc::new(source)).expect("open the folder")
}

fn cached(f: &CachedFolder) -> BTreeMap<RecordId, Record> {
    let ids: Vec<RecordId> = f.snapshot().rows().map(|(id, _)| id.clone()).collect();
    ids.into_iter()
        .map(|id| {
            let r = f.cached_record(&id).expect("cached record");
            (id, r)
        })
        .collect()
}

/// Every cached card is what GET returns; the number of cards that differ, listed.
fn differing(s: &Server, raw: &Raw, f: &CachedFolder) -> Vec<String> {
    cached(f)
        .into_iter()
        .filter_map(|(id, r)| {
            let served = raw.get(id.as_str());
            let ours = r.card.to_bytes();
            (served != ours).then(|| {
                format!(
                    "{}: {} differs from GET ({} bytes cached, {} served; CRs {} vs {})",
                    s.kind,
                    id,
                    ours.len(),
                    served.len(),
                    ours.iter().filter(|&&b| b == b'\r').count(),
                    served.iter().filter(|&&b| b == b'\r').count()
                )
            })
        })
        .collect()
}

/// Lines with their endings.
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

// Our own cards, covering what the wire can change: CRLF (the only form RFC 6350
// allows) with groups, folds and a photo; a 4.0 card with tel: URIs; an LF-only card;
// blank lines after END; a card whose last line has no line break.
const APPLE_STYLE: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Wire Test//EN\r\n\
N:Wiśniewska;Zofia;;;\r\nFN:Zofia Wiśniewska\r\nORG:Przykład Sp. z o.o.;Sprzedaż\r\n\
item1.TEL;type=pref:+48 22 555 0101\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n\
TEL;type=CELL:+48 601 555 010\r\nTEL;type=WORK;type=FAX:+48 22 555 0199\r\n\
item2.ADR;type=WORK:;;ul. Długa 1;Warszawa;;00-001;Polska\r\nitem2.X-ABADR:pl\r\n\
NOTE:A note long enough to be folded by any writer that folds at seventy-five o\r\n ctets.\r\n\
PHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4\r\n \
nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==\r\nUID:wire-apple\r\nEND:VCARD\r\n";

const V4_TEL_URI: &str = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Luca Bianchi\r\nN:Bianchi;Luca;;;\r\n\
TEL;VALUE=uri;TYPE=\"work,voice\";PREF=1:tel:+39-06-5550-1234\r\n\
TEL;VALUE=uri;TYPE=cell:tel:+39-333-555-0101\r\nEMAIL;TYPE=work:luca@example.org\r\n\
UID:urn:uuid:4f1c2b4e-0000-4000-8000-000000000001\r\nEND:VCARD\r\n";

const LF_ONLY: &str = "BEGIN:VCARD\nVERSION:3.0\nFN:Line Feed\nN:Feed;Line;;;\n\
TEL;TYPE=HOME:+1 212 555 0142\nUID:wire-lf\nEND:VCARD\n";

const TRAILING_BLANKS: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Blank After\r\nN:After;Blank;;;\r\n\
TEL;TYPE=WORK:+44 20 7946 0018\r\nUID:wire-blank\r\nEND:VCARD\r\n\r\n\r\n";

const NO_FINAL_BREAK: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Break\r\nN:Break;No;;;\r\n\
TEL;TYPE=WORK:+33 1 55 55 01 23\r\nUID:wire-nobreak\r\nEND:VCARD";

const OWN_CARDS: &[(&str, &str)] = &[
    ("apple.vcf", APPLE_STYLE),
    ("v4.vcf", V4_TEL_URI),
    ("lf.vcf", LF_ONLY),
    ("blank.vcf", TRAILING_BLANKS),
    ("nobreak.vcf", NO_FINAL_BREAK),
];

/// Our cards through a full listing and through a refresh; then an edit of one cell.
fn own_cards(kind: &'static str) {
    let Some(s) = Server::start(kind) else { return };
    let raw = Raw::new(&s);
    let (first, later) = OWN_CARDS.split_at(3);
    for (name, body) in first {
        assert!(raw.put(name, body.as_bytes()), "{kind}: PUT {name}");
    }
    let dir = tempfile::tempdir().unwrap();
    let f = folder(&s, dir.path());
    let r = f.reload().expect("full listing");
    assert_eq!(r.added, first.len(), "{kind}: {:?}", r.warnings);
    assert_eq!(differing(&s, &raw, &f), Vec::<String>::new());
    for (name, body) in later {
        assert!(raw.put(name, body.as_bytes()), "{kind}: PUT {name}");
    }
    let r = f.refresh().expect("refresh");
    assert_eq!(r.added, later.len(), "{kind}: {:?}", r.warnings);
    assert!(r.warnings.is_empty(), "{kind}: {:?}", r.warnings);
    assert_eq!(differing(&s, &raw, &f), Vec::<String>::new());

    // One cell edited: the stored card differs from before in exactly that line.
    let all = cached(&f);
    let (id, rec) = all
        .iter()
        .find(|(_, r)| {
            r.card
                .to_bytes()
                .windows(15)
                .any(|w| w == b"+48 601 555 010")
        })
        .expect("the Apple-style card");
    let before = raw.get(id.as_str());
    let (column, _) = rec
        .row
        .cells()
        .find(|(_, v)| *v == "+48 601 555 010")
        .expect("the mobile number has a column");
    let row = rec.row.clone().with(column, "+48 601 555 011");
    f.update(rec, &row).expect("update");
    let after = raw.get(id.as_str());
    let (b, a) = (lines(&before), lines(&after));
    assert_eq!(b.len(), a.len(), "{kind}: line count changed");
    let changed: Vec<(String, String)> = b
        .iter()
        .zip(&a)
        .filter(|(x, y)| x != y)
        .map(|(x, y)| {
            (
                String::from_utf8_lossy(x).into_owned(),
                String::from_utf8_lossy(y).into_owned(),
            )
        })
        .collect();
    assert_eq!(
        changed.len(),
        1,
        "{kind}: exactly one line changes: {changed:?}"
    );
    let (old_line, new_line) = &changed[0];
    assert!(
        old_line.ends_with("+48 601 555 010\r\n")
            && *new_line == old_line.replace("555 010", "555 011"),
        "{kind}: the edited line, CRLF kept: {changed:?}"
    );
    assert_eq!(differing(&s, &raw, &f), Vec::<String>::new());
}

#[test]
fn own_cards_radicale() {
    own_cards("radicale");
}

#[test]
fn own_cards_xandikos() {
    own_cards("xandikos");
}

#[test]
fn own_cards_sabredav() {
    own_cards("sabredav");
}

fn corpus_files() -> Vec<(String, Vec<u8>)> {
    let root = support::corpus::dir();
    support::corpus::vcf_files(&root)
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(&root).unwrap().display().to_string();
            (name, std::fs::read(&p).expect("corpus file"))
        })
        .collect()
}

/// Every corpus file the server accepts arrives and is what GET returns: half of them
/// through a full listing, the other half through a refresh.
fn corpus(kind: &'static str) {
    let Some(s) = Server::start(kind) else { return };
    let raw = Raw::new(&s);
    let files = corpus_files();
    assert!(
        files.len() >= 380,
        "corpus incomplete: {} files",
        files.len()
    );
    let (first, later) = files.split_at(files.len() / 2);
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    // What the server holds is what a GET serves, whatever the PUT answered: some
    // servers store a card and still answer with an error.
    let mut put = |batch: &[(String, Vec<u8>)], offset: usize| -> usize {
        let mut n = 0;
        for (i, (path, body)) in batch.iter().enumerate() {
            let name = format!("corpus-{:03}.vcf", offset + i);
            let accepted = raw.put(&name, body);
            let held = raw.try_get(&name).is_ok();
            if accepted != held {
                eprintln!("[{kind}] {path}: PUT accepted {accepted}, GET serves it {held}");
            }
            if held {
                names.insert(name, path.clone());
                n += 1;
            }
        }
        n
    };
    let accepted_first = put(first, 0);
    let dir = tempfile::tempdir().unwrap();
    let f = folder(&s, dir.path());
    let r = f.reload().expect("full listing");
    let accepted_later = put(later, first.len());
    let r2 = f.refresh().expect("refresh");
    let held = cached(&f);
    eprintln!(
        "[{kind}] corpus: {} files, {} held by the server, {} cached; warnings {:?} {:?}",
        files.len(),
        accepted_first + accepted_later,
        held.len(),
        r.warnings,
        r2.warnings
    );
    let extra: Vec<&RecordId> = held
        .keys()
        .filter(|id| !names.keys().any(|n| id.as_str().ends_with(n.as_str())))
        .collect();
    assert!(extra.is_empty(), "{kind}: cached but never PUT: {extra:?}");
    // RFC 6352 §5.1 allows one card per resource; a server that stores a file of
    // several anyway gets a warning naming it, not a record.
    let warned: Vec<&str> = r
        .warnings
        .iter()
        .chain(&r2.warnings)
        .map(|w| w.id.as_str())
        .collect();
    let several = |path: &str| {
        let bytes = &files.iter().find(|(p, _)| p == path).unwrap().1;
        cti_phonebook::vcard::Document::parse(bytes).cards().count() > 1
    };
    let missing: Vec<&String> = names
        .iter()
        .filter(|(name, _)| !held.keys().any(|id| id.as_str().ends_with(name.as_str())))
        .filter(|(name, path)| {
            !(several(path) && warned.iter().any(|w| w.ends_with(name.as_str())))
        })
        .map(|(_, path)| path)
        .collect();
    assert!(
        missing.is_empty(),
        "{kind}: accepted but not synced: {missing:?}"
    );
    assert_eq!(differing(&s, &raw, &f), Vec::<String>::new());
}

#[test]
fn corpus_radicale() {
    corpus("radicale");
}

#[test]
fn corpus_xandikos() {
    corpus("xandikos");
}

#[test]
fn corpus_sabredav() {
    corpus("sabredav");
}

/// A fold that splits a UTF-8 character: some servers store such a card but cannot
/// render it inside a REPORT. Every other card still arrives, and the odd one either
/// arrives as GET serves it or is a warning naming it.
fn split_utf8(kind: &'static str) {
    let Some(s) = Server::start(kind) else { return };
    let raw = Raw::new(&s);
    let mut odd = b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:wire-split\r\nN:Split;;;;\r\nFN:Spl".to_vec();
    // "ü" is C3 BC: the fold comes between its two bytes.
    odd.extend_from_slice(b"\xC3\r\n \xBCt\r\nTEL:+49 30 555 0100\r\nEND:VCARD\r\n");
    for (name, body) in OWN_CARDS {
        assert!(raw.put(name, body.as_bytes()), "{kind}: PUT {name}");
    }
    let dir = tempfile::tempdir().unwrap();
    let f = folder(&s, dir.path());
    f.reload().expect("full listing");
    raw.put("split.vcf", &odd);
    // Some servers answer an error and keep the card all the same.
    let stored = raw.try_get("split.vcf").is_ok();
    eprintln!("[{kind}] the split-UTF-8 card was stored: {stored}");
    let late = LF_ONLY.replace("wire-lf", "wire-late");
    assert!(raw.put("late.vcf", late.as_bytes()), "{kind}: PUT late.vcf");
    for (what, report) in [("refresh", f.refresh()), ("reload", f.reload())] {
        let report = report.unwrap_or_else(|e| panic!("{kind}: {what} failed as a whole: {e}"));
        eprintln!("[{kind}] {what}: {report:?}");
        let held = cached(&f);
        for name in [
            "apple.vcf",
            "v4.vcf",
            "lf.vcf",
            "blank.vcf",
            "nobreak.vcf",
            "late.vcf",
        ] {
            assert!(
                held.keys().any(|id| id.as_str().ends_with(name)),
                "{kind}: {what}: {name} missing"
            );
        }
        let split_held = held.keys().any(|id| id.as_str().ends_with("split.vcf"));
        let split_warned = report
            .warnings
            .iter()
            .any(|w| w.id.as_str().ends_with("split.vcf"));
        assert!(
            !stored || split_held || split_warned,
            "{kind}: {what}: the odd card neither arrived nor was named in a warning"
        );
        assert_eq!(differing(&s, &raw, &f), Vec::<String>::new());
    }
}

#[test]
fn split_utf8_radicale() {
    split_utf8("radicale");
}

#[test]
fn split_utf8_xandikos() {
    split_utf8("xandikos");
}

#[test]
fn split_utf8_sabredav() {
    split_utf8("sabredav");
}
