//! Decoded fields of chosen corpus cards against expectations written by hand in
//! `tests/data/expected/<file>.txt`.
//!
//! The expectation files were written from the card bytes (Shift_JIS and
//! quoted-printable decoded independently, with Python), not produced by this code:
//! the test never writes them. A mismatch is either an engine bug or a wrong
//! expectation, and is to be settled by reading the card again.
//!
//! Format: one `card N (version)` header per card, then one line per field that is
//! present, values in Rust debug quoting; optional parts (`ext=`, `types=`, `pref=`,
//! `label=`) only when set. `label-prop` is the decoded value of each LABEL line.

mod support;

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use cti_phonebook::vcard::{Document, VCard};

/// The cards with hand-written expectations.
const CHECKED: &[&str] = &[
    "aosp--v21_adr_multiple_line.vcf",
    "aosp--v21_backslash.vcf",
    "aosp--v21_japanese_2.vcf",
    "aosp--v30_ios_613_multiline.vcf",
    "aosp--v40_sip.vcf",
    "audriga--ms_exchange.vcf",
    "calcard--051.vcf",
    "calcard--060.vcf",
    "ezvcard--John_Doe_GMAIL.vcf",
    "ezvcard--John_Doe_MS_OUTLOOK.vcf",
    "ezvcard--outlook-2003.vcf",
    "ezvcard--outlook-2007.vcf",
    "ezvcard--rfc6350-example.vcf",
    "jeroen--encoding.vcf",
];

fn extras(out: &mut String, types: &[String], pref: Option<u8>, label: Option<&String>) {
    if !types.is_empty() {
        write!(out, " types={}", types.join(",")).unwrap();
    }
    if let Some(p) = pref {
        write!(out, " pref={p}").unwrap();
    }
    if let Some(l) = label {
        write!(out, " label={l:?}").unwrap();
    }
}

/// Renders the decoded fields of one card.
fn render(n: usize, card: &VCard) -> String {
    let mut out = String::new();
    writeln!(out, "card {n} ({})", card.version()).unwrap();
    let text = |out: &mut String, key: &str, v: Option<String>| {
        if let Some(v) = v {
            writeln!(out, "{key}: {v:?}").unwrap();
        }
    };
    text(&mut out, "fn", card.formatted_name());
    if let Some(name) = card.name() {
        let parts = [
            name.family,
            name.given,
            name.additional,
            name.prefix,
            name.suffix,
        ];
        writeln!(out, "n: {parts:?}").unwrap();
    }
    let nicknames = card.nicknames();
    if !nicknames.is_empty() {
        writeln!(out, "nickname: {nicknames:?}").unwrap();
    }
    if let Some(org) = card.organization() {
        write!(out, "org: {:?}", org.name).unwrap();
        if !org.units.is_empty() {
            write!(out, " units={:?}", org.units).unwrap();
        }
        out.push('\n');
    }
    text(&mut out, "title", card.title());
    for t in card.tels() {
        write!(out, "tel: {:?}", t.number).unwrap();
        if let Some(ext) = &t.ext {
            write!(out, " ext={ext:?}").unwrap();
        }
        extras(&mut out, &t.types, t.pref, t.label.as_ref());
        out.push('\n');
    }
    for e in card.emails() {
        write!(out, "email: {:?}", e.address).unwrap();
        extras(&mut out, &e.types, e.pref, e.label.as_ref());
        out.push('\n');
    }
    for a in card.addresses() {
        write!(out, "adr: {:?}", a.components()).unwrap();
        extras(&mut out, &a.types, None, a.label.as_ref());
        out.push('\n');
    }
    for (_, p) in card.find("LABEL") {
        writeln!(out, "label-prop: {:?}", p.text(card.version())).unwrap();
    }
    for u in card.urls() {
        write!(out, "url: {:?}", u.url).unwrap();
        extras(&mut out, &u.types, None, u.label.as_ref());
        out.push('\n');
    }
    text(&mut out, "note", card.note());
    text(&mut out, "bday", card.birthday());
    let categories = card.categories();
    if !categories.is_empty() {
        writeln!(out, "categories: {categories:?}").unwrap();
    }
    text(&mut out, "uid", card.uid());
    text(&mut out, "rev", card.rev());
    text(&mut out, "kind", card.kind());
    if !card.warnings().is_empty() {
        writeln!(out, "warnings: {}", card.warnings().len()).unwrap();
    }
    out
}

#[test]
fn decoded_fields_match_hand_written_expectations() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut failures = Vec::new();
    for name in CHECKED {
        let bytes = fs::read(support::corpus::vcards().join(name)).unwrap();
        let expected_path = root.join("expected").join(name.replace(".vcf", ".txt"));
        let expected = fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let doc = Document::parse(&bytes);
        let actual: String = doc
            .cards()
            .enumerate()
            .map(|(i, c)| render(i + 1, c))
            .collect::<Vec<_>>()
            .join("\n");
        if actual.trim_end() != expected.trim_end() {
            failures.push(format!(
                "== {name}\n-- expected\n{expected}\n-- actual\n{actual}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
