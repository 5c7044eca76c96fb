//! Parse and write throughput of the vCard engine on a generated corpus of 10,000
//! realistic cards, side by side with `calcard` and `vcard-rs` (Pimalaya, lib name
//! `vcard`) in the same run, and with a plain copy of the same bytes as the floor
//! for writing.
//!
//! The corpus is one buffer, as a `.vcf` export or a CardDAV multiget body would be:
//! vCard 3.0 and 4.0 mixed, 1-4 numbers per card (some in Apple `itemN` groups with
//! `X-ABLabel`), e-mail, some addresses and organisations, notes folded at 75 octets,
//! and on 5% of the cards a base64 photo of a few KB.
//!
//! Run: `cargo bench --bench vcard` (criterion; `-- --quick` for a short run).

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cti_phonebook::vcard::Document;

/// A small deterministic generator (xorshift), so every run measures the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const GIVEN: &[&str] = &[
    "Anna",
    "Jörg",
    "Françoise",
    "Kenji",
    "Maria",
    "Łukasz",
    "Olivia",
    "Ahmed",
    "Søren",
    "Li",
];
const FAMILY: &[&str] = &[
    "Müller", "Smith", "García", "Tanaka", "Nowak", "O'Brien", "Dubois", "Rossi", "Kim", "Berg",
];
const COMPANIES: &[&str] = &[
    "ACME GmbH",
    "Müller & Söhne KG",
    "Example Corp\\, Inc.",
    "Stadtwerke Köln",
];
const NOTE_WORDS: &[&str] = &[
    "call",
    "after",
    "14:00",
    "prefers",
    "e-mail",
    "Rückruf",
    "erbeten",
    "contract",
    "renewal",
    "due",
    "Q3",
    "ask",
    "for",
    "Frau",
    "Schmidt",
    "at",
    "reception",
    "urgent",
    "not",
];

/// Appends `line` folded at 75 octets (RFC 6350 §3.2), not inside a UTF-8 character.
fn fold(out: &mut String, line: &str) {
    let mut rest = line;
    let mut first = true;
    while !rest.is_empty() {
        let room = if first { 75 } else { 74 };
        let mut end = room.min(rest.len());
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        if !first {
            out.push(' ');
        }
        out.push_str(&rest[..end]);
        out.push_str("\r\n");
        rest = &rest[end..];
        first = false;
    }
}

fn photo(rng: &mut Rng) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let len = 2000 + rng.below(3000) as usize;
    (0..len)
        .map(|_| B64[rng.below(64) as usize] as char)
        .collect()
}

fn card(rng: &mut Rng, i: usize) -> String {
    let v4 = rng.below(2) == 0;
    let given = rng.pick(GIVEN);
    let family = rng.pick(FAMILY);
    let mut c = String::with_capacity(1024);
    c.push_str("BEGIN:VCARD\r\n");
    c.push_str(if v4 {
        "VERSION:4.0\r\n"
    } else {
        "VERSION:3.0\r\n"
    });
    if !v4 {
        c.push_str("PRODID:-//Apple Inc.//iOS 17.1//EN\r\n");
    }
    writeln!(c, "N:{family};{given};;;\r").unwrap();
    writeln!(c, "FN:{given} {family}\r").unwrap();
    if rng.below(2) == 0 {
        writeln!(c, "ORG:{};Vertrieb\r", rng.pick(COMPANIES)).unwrap();
        c.push_str("TITLE:Account Manager\r\n");
    }
    let tels = 1 + rng.below(4);
    for t in 0..tels {
        let number = format!(
            "+49 {} {}",
            200 + rng.below(700),
            1_000_000 + rng.below(8_999_999)
        );
        let kind = ["cell", "work", "home", "fax"][(t as usize + i) % 4];
        match (v4, rng.below(3)) {
            (_, 0) => {
                writeln!(c, "item{t}.TEL;TYPE={kind}:{number}\r").unwrap();
                writeln!(c, "item{t}.X-ABLabel:_$!<Other>!$_\r").unwrap();
            }
            (true, _) => writeln!(
                c,
                "TEL;VALUE=uri;TYPE=\"{kind},voice\";PREF={}:tel:{}\r",
                t + 1,
                number.replace(' ', "-")
            )
            .unwrap(),
            (false, _) => {
                writeln!(c, "TEL;type={};type=VOICE:{number}\r", kind.to_uppercase()).unwrap()
            }
        }
    }
    writeln!(
        c,
        "EMAIL;TYPE=work:{}.{}@example.com\r",
        given.to_lowercase(),
        family.to_lowercase()
    )
    .unwrap();
    if rng.below(3) == 0 {
        c.push_str("ADR;TYPE=work:;;Hauptstraße 5;Köln;;50667;Deutschland\r\n");
    }
    if rng.below(2) == 0 {
        let words = 12 + rng.below(30);
        let note: Vec<&str> = (0..words).map(|_| rng.pick(NOTE_WORDS)).collect();
        fold(
            &mut c,
            &format!("NOTE:{}\\n{}", note.join(" "), note.join("\\, ")),
        );
    }
    writeln!(
        c,
        "UID:urn:uuid:{:08x}-0000-4000-8000-{:012x}\r",
        i,
        rng.below(1 << 40)
    )
    .unwrap();
    writeln!(
        c,
        "REV:2024{:02}{:02}T101500Z\r",
        1 + rng.below(12),
        1 + rng.below(28)
    )
    .unwrap();
    if rng.below(20) == 0 {
        let data = photo(rng);
        if v4 {
            fold(&mut c, &format!("PHOTO:data:image/jpeg;base64,{data}"));
        } else {
            fold(&mut c, &format!("PHOTO;ENCODING=b;TYPE=JPEG:{data}"));
        }
    }
    c.push_str("END:VCARD\r\n");
    c
}

fn corpus() -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..10_000).map(|i| card(&mut rng, i)).collect()
}

fn parse(c: &mut Criterion) {
    let text = corpus();
    let bytes = text.as_bytes();
    // The engines must read the corpus as we mean it, or the comparison is moot.
    assert_eq!(Document::parse(bytes).cards().count(), 10_000);
    let cst: Vec<_> = vcard::tree::cst::VcardCst::parse_many(bytes)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(cst.len(), 10_000);
    assert_eq!(calcard_parse(&text), 10_000);

    let mut g = c.benchmark_group("vcard_parse");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("cti_phonebook", |b| {
        b.iter(|| Document::parse(black_box(bytes)))
    });
    g.bench_function("vcard-rs (VcardCst)", |b| {
        b.iter(|| {
            vcard::tree::cst::VcardCst::parse_many(black_box(bytes))
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
        })
    });
    g.bench_function("calcard", |b| b.iter(|| calcard_parse(black_box(&text))));
    // Properties are parsed when first read: this is the cost a phone book sync
    // pays, reading name and numbers of every card.
    g.bench_function("cti_phonebook + FN, N, TELs read", |b| {
        b.iter(|| {
            let doc = Document::parse(black_box(bytes));
            for card in doc.cards() {
                black_box((card.formatted_name(), card.name(), card.tels()));
            }
            doc
        })
    });
    g.finish();
}

fn calcard_parse(text: &str) -> usize {
    let mut parser = calcard::Parser::new(text);
    let mut cards = Vec::new();
    loop {
        match parser.entry() {
            calcard::Entry::VCard(card) => cards.push(card),
            calcard::Entry::Eof | calcard::Entry::TooManyComponents => break,
            _ => {}
        }
    }
    black_box(&cards);
    cards.len()
}

fn write(c: &mut Criterion) {
    let text = corpus();
    let bytes = text.as_bytes();
    let doc = Document::parse(bytes);
    let mut edited_cards: Vec<_> = doc
        .clone()
        .into_entries()
        .into_iter()
        .filter_map(|e| match e {
            cti_phonebook::vcard::Entry::Card(c) => Some(c),
            _ => None,
        })
        .collect();
    for card in &mut edited_cards {
        let id = card.tels()[0].id;
        card.set_text(id, "+49 221 1234567");
    }
    let cst: Vec<_> = vcard::tree::cst::VcardCst::parse_many(bytes)
        .collect::<Result<_, _>>()
        .unwrap();
    let mut parser = calcard::Parser::new(&text);
    let mut cal = Vec::new();
    while let calcard::Entry::VCard(card) = parser.entry() {
        cal.push(card);
    }
    assert_eq!(cal.len(), 10_000);
    assert_eq!(doc.to_bytes(), bytes);

    let mut g = c.benchmark_group("vcard_write");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("memcpy", |b| {
        let mut out = Vec::with_capacity(bytes.len());
        b.iter(|| {
            out.clear();
            out.extend_from_slice(black_box(bytes));
            black_box(&out);
        })
    });
    g.bench_function("cti_phonebook unedited", |b| {
        b.iter(|| black_box(&doc).to_bytes())
    });
    // Like memcpy above: into a buffer allocated once, so that both measure the copy
    // and not the page faults of a fresh 7 MB allocation.
    let cards: Vec<_> = doc.cards().cloned().collect();
    g.bench_function("cti_phonebook unedited, reused buffer", |b| {
        let mut out = Vec::with_capacity(bytes.len());
        b.iter(|| {
            out.clear();
            for card in black_box(&cards) {
                card.write_to(&mut out);
            }
            black_box(&out);
        })
    });
    g.bench_function("cti_phonebook first TEL edited", |b| {
        let mut out = Vec::with_capacity(bytes.len() + 4096);
        b.iter(|| {
            out.clear();
            for card in black_box(&edited_cards) {
                card.write_to(&mut out);
            }
            black_box(&out);
        })
    });
    g.bench_function("vcard-rs (VcardCst)", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(bytes.len());
            for card in black_box(&cst) {
                out.extend_from_slice(&card.to_bytes());
            }
            out
        })
    });
    g.bench_function("calcard", |b| {
        b.iter(|| {
            let mut out = String::with_capacity(bytes.len());
            for card in black_box(&cal) {
                write!(out, "{card}").unwrap();
            }
            out
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = parse, write
}
criterion_main!(benches);
