//! Property tests of the vCard engine: cards written from random properties read back
//! as written and are written back byte for byte; edits read back; arbitrary bytes
//! never panic and always write back unchanged.
//!
//! The generators escape and fold values with their own small code, not the engine's,
//! so that a shared misunderstanding cannot hide.

use cti_phonebook::vcard::{Document, Entry, Param, Property, VCard, Version};
use proptest::prelude::*;

/// One generated property with the decoded form it must read back as.
#[derive(Debug, Clone)]
struct GenProp {
    group: Option<String>,
    name: String,
    /// Parameters: `None` name for a bare 2.1 type.
    params: Vec<(Option<String>, Vec<String>)>,
    /// Decoded text value.
    text: String,
}

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![
        Just(Version::V2_1),
        Just(Version::V3_0),
        Just(Version::V4_0)
    ]
}

fn eol() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("\r\n"), Just("\n"), Just("\r\r\n")]
}

fn group() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[a-z][a-z0-9-]{0,6}")
}

fn prop_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "TEL",
            "EMAIL",
            "NOTE",
            "FN",
            "ADR",
            "ORG",
            "N",
            "NICKNAME",
            "CATEGORIES",
            "URL",
            "TITLE",
            "X-ABLabel",
            "tel",
        ])
        .prop_map(str::to_owned),
        "X-[A-Z0-9-]{1,8}",
    ]
}

/// Text with the characters that need escaping, line breaks and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,;:\\\\\n\"^=.äöüß€東京😀\t-]{0,90}"
}

/// A parameter value for 3.0/4.0: anything printable, quoted and caret-escaped
/// as needed by the writer.
fn param_value_modern() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,;:\"^\n=.ä東-]{0,12}"
}

fn params(v: Version) -> BoxedStrategy<Vec<(Option<String>, Vec<String>)>> {
    let named_name = prop_oneof![
        prop::sample::select(vec!["TYPE", "PREF", "LABEL", "type", "LANGUAGE"])
            .prop_map(str::to_owned),
        "X-[A-Z]{1,5}",
    ];
    if v == Version::V2_1 {
        let bare = prop::sample::select(vec!["WORK", "HOME", "VOICE", "CELL", "PREF", "X-Foo"])
            .prop_map(|s| (None, vec![s.to_owned()]));
        let named = (named_name, prop::collection::vec("[A-Za-z0-9-]{1,8}", 1..3))
            .prop_map(|(n, v)| (Some(n), v));
        prop::collection::vec(prop_oneof![bare, named], 0..4).boxed()
    } else {
        let named = (
            named_name,
            prop::collection::vec(param_value_modern(), 1..3),
        )
            .prop_map(|(n, v)| (Some(n), v));
        prop::collection::vec(named, 0..4).boxed()
    }
}

fn gen_prop(v: Version) -> impl Strategy<Value = GenProp> {
    let text = if v == Version::V2_1 {
        // Raw 2.1 lines cannot carry line breaks without quoted-printable.
        "[a-zA-Z0-9 ,;:\\\\\"^=.äöü€東😀-]{0,90}".boxed()
    } else {
        text().boxed()
    };
    (group(), prop_name(), params(v), text).prop_map(|(group, name, params, text)| GenProp {
        group,
        name,
        params,
        text,
    })
}

/// 3.0/4.0 text escaping (RFC 6350 §3.4), written independently of the engine.
fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// RFC 6868 parameter value encoding, always quoted.
fn encode_param(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '^' => out.push_str("^^"),
            '"' => out.push_str("^'"),
            '\n' => out.push_str("^n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn unfolded_line(p: &GenProp, v: Version) -> String {
    let mut s = String::new();
    if let Some(g) = &p.group {
        s.push_str(g);
        s.push('.');
    }
    s.push_str(&p.name);
    for (name, values) in &p.params {
        s.push(';');
        if let Some(n) = name {
            s.push_str(n);
            s.push('=');
        }
        let vals: Vec<String> = if v == Version::V2_1 {
            values.clone()
        } else {
            values.iter().map(|x| encode_param(x)).collect()
        };
        s.push_str(&vals.join(","));
    }
    s.push(':');
    if v == Version::V2_1 {
        s.push_str(&p.text);
    } else {
        s.push_str(&escape(&p.text));
    }
    s
}

/// Writes `line` with folds after the given byte offsets (anywhere, even inside a
/// UTF-8 character), each continuation starting with a space or a tab.
fn fold(line: &str, cuts: &[usize], eol: &str) -> Vec<u8> {
    let bytes = line.as_bytes();
    let mut cuts: Vec<usize> = cuts
        .iter()
        .map(|c| c % bytes.len().max(1))
        .filter(|&c| c > 0)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in cuts.into_iter().enumerate() {
        out.extend_from_slice(&bytes[start..c]);
        out.extend_from_slice(eol.as_bytes());
        out.push(if i % 2 == 0 { b' ' } else { b'\t' });
        start = c;
    }
    out.extend_from_slice(&bytes[start..]);
    out.extend_from_slice(eol.as_bytes());
    out
}

fn card_bytes(v: Version, eol: &str, props: &[(GenProp, Vec<usize>)]) -> Vec<u8> {
    let mut out = format!("BEGIN:VCARD{eol}VERSION:{v}{eol}").into_bytes();
    for (p, cuts) in props {
        out.extend(fold(&unfolded_line(p, v), cuts, eol));
    }
    out.extend_from_slice(format!("END:VCARD{eol}").as_bytes());
    out
}

fn assert_reads_back(card: &VCard, props: &[GenProp]) -> Result<(), TestCaseError> {
    let v = card.version();
    let read: Vec<&Property> = card
        .properties()
        .map(|(_, p)| p)
        .filter(|p| !p.is("VERSION"))
        .collect();
    prop_assert_eq!(read.len(), props.len());
    for (got, want) in read.iter().zip(props) {
        prop_assert_eq!(&got.group, &want.group);
        prop_assert_eq!(&got.name, &want.name);
        let params: Vec<(Option<String>, Vec<String>)> = got
            .params
            .iter()
            .filter(|p| !(p.is("CHARSET") || p.is("ENCODING")))
            .map(|p| (p.name.clone(), p.values.clone()))
            .collect();
        prop_assert_eq!(&params, &want.params);
        prop_assert_eq!(got.text(v), want.text.clone());
    }
    Ok(())
}

/// Every view, on every card: none may panic.
fn exercise_views(doc: &Document) {
    for card in doc.cards() {
        // `find` skips unparsed lines by their bytes; it must find what a full scan
        // finds.
        for name in ["TEL", "N", "FN", "X-ABLabel", "ADR", "END"] {
            let fresh = card.clone();
            let fast: Vec<_> = fresh.find(name).map(|(id, _)| id).collect();
            let full: Vec<_> = card
                .properties()
                .filter(|(_, p)| p.is(name))
                .map(|(id, _)| id)
                .collect();
            assert_eq!(fast, full, "{name}");
            assert_eq!(
                card.clone().first(name).map(|(id, _)| id),
                full.first().copied()
            );
        }
        let _ = card.formatted_name();
        let _ = card.name();
        let _ = card.nicknames();
        let _ = card.organization();
        let _ = card.title();
        let _ = card.note();
        let _ = card.birthday();
        let _ = card.uid();
        let _ = card.rev();
        let _ = card.kind();
        let _ = card.categories();
        let _ = card.tels();
        let _ = card.emails();
        let _ = card.urls();
        let _ = card.addresses();
        let _ = card.warnings();
        for (_, p) in card.properties() {
            let _ = p.text(card.version());
            let _ = p.components(card.version());
            let _ = p.list(card.version());
            let _ = p.types();
            let _ = p.pref();
        }
    }
}

/// Bytes made of the pieces vCard parsers trip over.
fn vcardish() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"BEGIN:VCARD",
        b"END:VCARD",
        b"VERSION:2.1",
        b"VERSION:3.0",
        b"VERSION:4.0",
        b"\r\n",
        b"\n",
        b"\r",
        b"\r\r\n",
        b" ",
        b"\t",
        b":",
        b";",
        b"=",
        b"\"",
        b",",
        b"\\",
        b"^",
        b"item1.",
        b"TEL",
        b"N",
        b"ADR",
        b"ORG",
        b"X-ABLabel",
        b"ENCODING=QUOTED-PRINTABLE",
        b"QUOTED-PRINTABLE",
        b"CHARSET=SHIFT_JIS",
        b"CHARSET=bogus",
        b"ENCODING=b",
        b"=\r\n",
        b"=C3",
        b"=0",
        b"\xff",
        b"\xc3",
        "ä".as_bytes(),
        b"tel:",
        b";ext=",
        b"TYPE=",
        b"PREF=",
        b"_$!<",
        b">!$_",
        b"\xEF\xBB\xBF",
        b"#",
        b"a",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Written, folded anywhere, with any line ending: the card reads back as written
    /// and writes back byte for byte.
    #[test]
    fn generated_cards_read_back_and_round_trip(
        (v, props) in version().prop_flat_map(|v| {
            (Just(v), prop::collection::vec((gen_prop(v), prop::collection::vec(0usize..400, 0..3)), 0..8))
        }),
        eol in eol(),
    ) {
        let bytes = card_bytes(v, eol, &props);
        let doc = Document::parse(&bytes);
        prop_assert_eq!(doc.to_bytes(), bytes.clone());
        prop_assert_eq!(doc.entries().len(), 1);
        let card = VCard::parse(&bytes).unwrap();
        prop_assert!(card.warnings().is_empty(), "{:?}", card.warnings());
        prop_assert_eq!(card.version(), v);
        prop_assert_eq!(card.to_bytes(), bytes);
        let wanted: Vec<GenProp> = props.into_iter().map(|(p, _)| p).collect();
        assert_reads_back(&card, &wanted)?;
    }

    /// Setting a property's text rewrites that property only; the written card reads
    /// back with the new text and is itself stable.
    #[test]
    fn edited_values_read_back(
        (v, props) in version().prop_flat_map(|v| {
            (Just(v), prop::collection::vec((gen_prop(v), prop::collection::vec(0usize..400, 0..3)), 1..6))
        }),
        eol in eol(),
        pick in any::<prop::sample::Index>(),
        new_text in text(),
    ) {
        let bytes = card_bytes(v, eol, &props);
        let mut card = VCard::parse(&bytes).unwrap();
        let mut wanted: Vec<GenProp> = props.into_iter().map(|(p, _)| p).collect();
        let k = pick.index(wanted.len());
        let id = card.properties().filter(|(_, p)| !p.is("VERSION")).nth(k).unwrap().0;
        prop_assert!(card.set_text(id, &new_text));
        wanted[k].text = new_text;
        let out = card.to_bytes();
        let again = VCard::parse(&out).unwrap();
        prop_assert!(again.warnings().is_empty(), "{:?}", again.warnings());
        assert_reads_back(&again, &wanted)?;
        prop_assert_eq!(again.to_bytes(), out);
    }

    /// Cards built with the editing API read back what was put in.
    #[test]
    fn built_cards_read_back(
        v in version(),
        props in prop::collection::vec(
            (group(), prop_name(), params(Version::V4_0), text()), 0..6),
        name in prop::collection::vec("[a-zA-Z ,;\\\\äö東\n]{0,10}", 5),
    ) {
        let mut card = VCard::new(v);
        let mut wanted = Vec::new();
        for (group, pname, params, text) in props {
            // N is added below and read through its own view.
            let pname = if pname.eq_ignore_ascii_case("N") { "X-N".to_owned() } else { pname };
            // 2.1 has no quoting in parameters: keep those values plain there.
            let params: Vec<(Option<String>, Vec<String>)> = if v == Version::V2_1 {
                params.into_iter().map(|(n, vals)| {
                    (n, vals.into_iter().map(|x| x.chars().filter(char::is_ascii_alphanumeric).collect()).collect())
                }).collect()
            } else {
                params
            };
            let id = card.push(Property {
                group: group.clone(),
                name: pname.clone(),
                params: params.iter().map(|(n, vals)| Param { name: n.clone(), values: vals.clone() }).collect(),
                value: String::new(),
            });
            card.set_text(id, &text);
            wanted.push(GenProp { group, name: pname, params, text });
        }
        let parts: Vec<&str> = name.iter().map(String::as_str).collect();
        card.push_components("N", &parts);
        let out = card.to_bytes();
        let again = VCard::parse(&out).unwrap();
        prop_assert!(again.warnings().is_empty(), "{:?}", again.warnings());
        let n = again.name().unwrap();
        prop_assert_eq!(
            [n.family, n.given, n.additional, n.prefix, n.suffix].to_vec(),
            name
        );
        let props_only: Vec<GenProp> = wanted;
        let mut card_without_n = again.clone();
        let nid = card_without_n.name().unwrap().id.unwrap();
        card_without_n.remove(nid);
        assert_reads_back(&card_without_n, &props_only)?;
        prop_assert_eq!(again.to_bytes(), out);
    }

    /// Any bytes: no panic, and the document writes back exactly what it read.
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let doc = Document::parse(&bytes);
        prop_assert_eq!(doc.to_bytes(), bytes.clone());
        exercise_views(&doc);
        let _ = VCard::parse(&bytes);
    }

    /// vCard-shaped noise: no panic, lossless, and edits of any card stay readable.
    #[test]
    fn vcardish_bytes_never_panic(bytes in vcardish()) {
        let doc = Document::parse(&bytes);
        prop_assert_eq!(doc.to_bytes(), bytes.clone());
        exercise_views(&doc);
        for e in doc.into_entries() {
            if let Entry::Card(mut card) = e {
                let ids: Vec<_> = card.properties().map(|(id, _)| id).collect();
                if let Some(&id) = ids.last() {
                    card.set_text(id, "x, y; z\nä");
                    let out = card.to_bytes();
                    let again = Document::parse(&out);
                    prop_assert_eq!(again.to_bytes(), out);
                    exercise_views(&again);
                }
            }
        }
    }
}
