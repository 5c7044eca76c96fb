//! Country names as address books write them (`Deutschland`, `Austria`, `UK`,
//! `Schweiz`), to ISO 3166 codes: the country of a contact's addresses says where its
//! numbers stored without country code are.

use std::collections::HashMap;
use std::sync::OnceLock;

use foldhash::fast::RandomState;

/// Names by ISO code: English, German, French, Italian and Spanish forms, the
/// country's own, and common short forms. Compared without case and without
/// surrounding blanks and dots.
#[rustfmt::skip]
const NAMES: &[(&str, &[&str])] = &[
    ("DE", &["germany", "deutschland", "allemagne", "germania", "alemania", "brd", "federal republic of germany", "bundesrepublik deutschland"]),
    ("AT", &["austria", "österreich", "oesterreich", "autriche"]),
    ("CH", &["switzerland", "schweiz", "suisse", "svizzera", "suiza", "confoederatio helvetica"]),
    ("LI", &["liechtenstein"]),
    ("GB", &["united kingdom", "uk", "u k", "great britain", "britain", "england", "scotland", "wales", "northern ireland", "vereinigtes königreich", "großbritannien", "grossbritannien", "royaume-uni", "regno unito", "reino unido"]),
    ("IE", &["ireland", "irland", "irlande", "irlanda", "éire", "eire"]),
    ("US", &["united states", "united states of america", "usa", "u s a", "us", "u s", "america", "vereinigte staaten", "états-unis", "etats-unis", "stati uniti", "estados unidos"]),
    ("CA", &["canada", "kanada"]),
    ("FR", &["france", "frankreich", "francia"]),
    ("IT", &["italy", "italia", "italien", "italie"]),
    ("ES", &["spain", "spanien", "españa", "espana", "espagne", "spagna"]),
    ("PT", &["portugal", "portogallo"]),
    ("NL", &["netherlands", "the netherlands", "holland", "niederlande", "nederland", "pays-bas", "paesi bassi", "países bajos", "paises bajos"]),
    ("BE", &["belgium", "belgien", "belgique", "belgië", "belgie", "belgio", "bélgica", "belgica"]),
    ("LU", &["luxembourg", "luxemburg", "lussemburgo", "luxemburgo"]),
    ("DK", &["denmark", "dänemark", "daenemark", "danmark", "danemark", "danimarca", "dinamarca"]),
    ("SE", &["sweden", "schweden", "sverige", "suède", "suede", "svezia", "suecia"]),
    ("NO", &["norway", "norwegen", "norge", "norvège", "norvege", "norvegia", "noruega"]),
    ("FI", &["finland", "finnland", "suomi", "finlande", "finlandia"]),
    ("PL", &["poland", "polen", "polska", "pologne", "polonia"]),
    ("CZ", &["czech republic", "czechia", "tschechien", "tschechische republik", "česko", "cesko", "république tchèque", "repubblica ceca", "república checa"]),
    ("SK", &["slovakia", "slowakei", "slovensko", "slovaquie", "slovacchia", "eslovaquia"]),
    ("HU", &["hungary", "ungarn", "magyarország", "magyarorszag", "hongrie", "ungheria", "hungría", "hungria"]),
    ("SI", &["slovenia", "slowenien", "slovenija", "slovénie"]),
    ("HR", &["croatia", "kroatien", "hrvatska", "croatie", "croazia", "croacia"]),
    ("GR", &["greece", "griechenland", "ελλάδα", "grèce", "grece", "grecia"]),
    ("TR", &["turkey", "türkei", "tuerkei", "türkiye", "turkiye", "turquie", "turchia", "turquía", "turquia"]),
    ("RU", &["russia", "russland", "russie", "russian federation", "россия"]),
    ("CN", &["china", "chine", "cina", "中国"]),
    ("JP", &["japan", "japon", "giappone", "japón", "日本"]),
    ("IN", &["india", "indien", "inde"]),
    ("AU", &["australia", "australien", "australie"]),
    ("NZ", &["new zealand", "neuseeland", "nouvelle-zélande"]),
    ("BR", &["brazil", "brasilien", "brasil", "brésil", "bresil"]),
    ("MX", &["mexico", "mexiko", "méxico", "mexique", "messico"]),
    ("ZA", &["south africa", "südafrika", "suedafrika", "afrique du sud"]),
    ("IL", &["israel", "israël"]),
    ("AE", &["united arab emirates", "uae", "vereinigte arabische emirate", "émirats arabes unis"]),
];

/// The ISO 3166 code for a country as an address gives it: its name in English,
/// German, French, Italian or Spanish, its own, or a common short form, in any
/// case; or its two-letter code (`de`, `AT`). Covers about forty countries; `None`
/// for others and for text that names no country.
///
/// ```
/// use cti_phonebook::lookup::country_code;
/// assert_eq!(country_code(" Österreich "), Some("AT"));
/// assert_eq!(country_code("U.K."), Some("GB"));
/// assert_eq!(country_code("ch"), Some("CH"));
/// assert_eq!(country_code("Atlantis"), None);
/// ```
pub fn country_code(name: &str) -> Option<&'static str> {
    static BY_NAME: OnceLock<HashMap<&'static str, &'static str, RandomState>> = OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| {
        let mut m = HashMap::with_hasher(RandomState::default());
        for &(iso, names) in NAMES {
            for &n in names {
                m.insert(n, iso);
            }
        }
        m
    });
    // Lower case, dots as blanks, runs of blanks as one, none at the ends: one pass
    // into a buffer on the stack (a phone book asks this for every contact with an
    // address). Text longer than the longest name names no country.
    let mut key = [0u8; KEY_MAX];
    let mut len = 0;
    let mut blank = false;
    for c in name.chars() {
        if c == '.' || c.is_whitespace() {
            blank = len > 0;
            continue;
        }
        // One byte at least follows, and the loop needs room for it.
        if len + usize::from(blank) >= KEY_MAX {
            return None;
        }
        if blank {
            key[len] = b' ';
            len += 1;
            blank = false;
        }
        if c.is_ascii() {
            key[len] = c.to_ascii_lowercase() as u8;
            len += 1;
            continue;
        }
        for lower in c.to_lowercase() {
            let room = key.get_mut(len..len + lower.len_utf8())?;
            lower.encode_utf8(room);
            len += lower.len_utf8();
        }
    }
    let key = std::str::from_utf8(&key[..len]).ok()?;
    if let Some(&iso) = by_name.get(key) {
        return Some(iso);
    }
    if key.len() != 2 {
        return None;
    }
    NAMES
        .iter()
        .map(|&(iso, _)| iso)
        .find(|iso| iso.eq_ignore_ascii_case(key))
}

/// Room for the longest name in [`NAMES`] and then some.
const KEY_MAX: usize = 48;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_codes_and_unknowns() {
        for (text, iso) in [
            ("Deutschland", "DE"),
            ("GERMANY", "DE"),
            ("oesterreich", "AT"),
            ("Schweiz", "CH"),
            ("United  Kingdom", "GB"),
            ("u.s.a.", "US"),
            ("Italia", "IT"),
            ("de", "DE"),
            ("Fr", "FR"),
        ] {
            assert_eq!(country_code(text), Some(iso), "{text}");
        }
        for text in ["", "  ", "Atlantis", "Berlin", "XX", "D"] {
            assert_eq!(country_code(text), None, "{text:?}");
        }
    }

    #[test]
    fn long_text_and_other_scripts_are_no_trouble() {
        assert_eq!(country_code(&"Deutschland ".repeat(100)), None);
        assert_eq!(country_code(&"ß".repeat(30)), None);
        assert_eq!(
            country_code("  Vereinigte   Arabische Emirate. "),
            Some("AE")
        );
        assert_eq!(country_code("ΕΛΛΆΔΑ"), Some("GR"));
        assert_eq!(country_code("İ"), None); // lowercases to two chars
    }

    #[test]
    fn every_code_is_one_the_dial_plans_know() {
        for (iso, names) in NAMES {
            assert!(super::super::DialPlan::new(iso).is_ok(), "{iso}");
            for n in *names {
                assert!(n.len() + 4 < KEY_MAX, "{n}");
                assert_eq!(country_code(n), Some(*iso), "{n}");
            }
        }
    }
}
