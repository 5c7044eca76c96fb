//! The invariants the `vcard_parse` fuzz target checks, shared with the regression
//! tests of its findings (`tests/vcard_fuzz_regressions.rs`).

use cti_phonebook::vcard::{Document, Param, Property, VCard, Version};

/// What a property means: group, name, parameters without the transfer ones (the
/// writer writes UTF-8 and adds quoted-printable where 2.1 needs it), and its decoded
/// text (a raw line break may come back escaped).
type Meaning = (Option<String>, String, Vec<Param>, String);

fn comparable(p: &Property, v: Version) -> Meaning {
    let mut params = p.params.clone();
    params.retain(|x| !(x.is("CHARSET") || x.is("ENCODING")));
    (p.group.clone(), p.name.clone(), params, p.text(v))
}

/// Rewrites every own line of `card` from its parsed form.
fn rewrite_all(card: &mut VCard) {
    let ids: Vec<_> = card.properties().map(|(id, _)| id).collect();
    for id in ids {
        let Some(p) = card.property(id).cloned() else {
            continue;
        };
        let mut other = p.clone();
        other.value.push('\u{1}');
        card.replace(id, other);
        card.replace(id, p);
    }
}

/// Calls every view of every card.
pub fn exercise_views(doc: &Document) {
    for card in doc.cards() {
        let v = card.version();
        let _ = (card.formatted_name(), card.name(), card.nicknames());
        let _ = (card.organization(), card.title(), card.note());
        let _ = (card.birthday(), card.uid(), card.rev(), card.kind());
        let _ = (card.categories(), card.tels(), card.emails());
        let _ = (card.urls(), card.addresses(), card.warnings());
        for (_, p) in card.properties() {
            let _ = (p.text(v), p.components(v), p.list(v), p.types(), p.pref());
        }
    }
}

/// Parse → write is lossless; views do not panic; a card whose every line is
/// rewritten reads back as the same properties, and rewriting again changes nothing.
pub fn check(data: &[u8]) {
    let doc = Document::parse(data);
    assert_eq!(doc.to_bytes(), data, "not lossless");
    exercise_views(&doc);
    for card in doc.cards() {
        let mut c = card.clone();
        rewrite_all(&mut c);
        let once = c.to_bytes();
        let again = VCard::parse(&once).unwrap_or_else(|e| {
            panic!(
                "rewritten card no longer parses ({e}): {:?}",
                String::from_utf8_lossy(&once)
            )
        });
        let before: Vec<Meaning> = card
            .properties()
            .map(|(_, p)| comparable(p, card.version()))
            .collect();
        let after: Vec<Meaning> = again
            .properties()
            .map(|(_, p)| comparable(p, again.version()))
            .collect();
        assert_eq!(before, after, "{:?}", String::from_utf8_lossy(&once));
        let mut again2 = again.clone();
        rewrite_all(&mut again2);
        assert_eq!(again2.to_bytes(), once, "rewrite is not a fixed point");
        let doc2 = Document::parse(&once);
        exercise_views(&doc2);
    }
}
