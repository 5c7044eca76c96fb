//! How search writes letters in ASCII beyond stripping Latin diacritics: Greek
//! and Cyrillic letters in Latin, and the second spellings that names are often
//! typed with (`ü` as `ue`, `ø` as `oe`, Cyrillic as English writes it).
//!
//! Every mapping takes one lower-case letter.

/// The ASCII form of a lower-case Greek or Cyrillic letter, when it is one. For
/// Cyrillic this is the Latin spelling of the South Slavic languages with its
/// diacritics dropped (`ш` → `s`, `ћ` → `c`, `ђ` → `dj`, `ж` → `z`), which is how
/// `Петровић` is typed `petrovic`; Greek letters lose their accents.
pub(super) fn in_latin(l: char) -> Option<&'static str> {
    greek(l).or_else(|| cyrillic(l, false))
}

/// The second spelling of a lower-case letter, when it has one: German umlauts
/// and the Nordic `ø` and `å` spelled out (`ue`, `oe`, `aa`), `đ` as `dj`, and
/// Cyrillic as English writes it (`ш` → `sh`, `х` → `kh`, `я` → `ya`).
pub(super) fn second(l: char) -> Option<&'static str> {
    match l {
        'ä' => Some("ae"),
        'ö' | 'ø' => Some("oe"),
        'ü' => Some("ue"),
        'å' => Some("aa"),
        'đ' => Some("dj"),
        _ => cyrillic(l, true),
    }
}

/// A Cyrillic letter in ASCII: the South Slavic spelling, or the English one
/// (`english`).
fn cyrillic(l: char, english: bool) -> Option<&'static str> {
    // (letter, South Slavic, English)
    let (south, eng) = match l {
        'а' => ("a", "a"),
        'б' => ("b", "b"),
        'в' => ("v", "v"),
        'г' | 'ґ' => ("g", "g"),
        'д' => ("d", "d"),
        'ђ' => ("dj", "dj"),
        'ѓ' => ("gj", "gj"),
        'е' | 'ё' | 'э' => ("e", "e"),
        'є' => ("je", "ye"),
        'ж' => ("z", "zh"),
        'з' => ("z", "z"),
        'ѕ' => ("dz", "dz"),
        'и' | 'і' => ("i", "i"),
        'ї' => ("ji", "yi"),
        'й' => ("j", "y"),
        'ј' => ("j", "j"),
        'к' => ("k", "k"),
        'ќ' => ("kj", "kj"),
        'л' => ("l", "l"),
        'љ' => ("lj", "lj"),
        'м' => ("m", "m"),
        'н' => ("n", "n"),
        'њ' => ("nj", "nj"),
        'о' => ("o", "o"),
        'п' => ("p", "p"),
        'р' => ("r", "r"),
        'с' => ("s", "s"),
        'т' => ("t", "t"),
        'ћ' => ("c", "ch"),
        'у' | 'ў' => ("u", "u"),
        'ф' => ("f", "f"),
        'х' => ("h", "kh"),
        'ц' => ("c", "ts"),
        'ч' => ("c", "ch"),
        'џ' => ("dz", "dzh"),
        'ш' => ("s", "sh"),
        'щ' => ("sc", "shch"),
        'ъ' | 'ь' => ("", ""),
        'ы' => ("y", "y"),
        'ю' => ("ju", "yu"),
        'я' => ("ja", "ya"),
        _ => return None,
    };
    Some(if english { eng } else { south })
}

/// A lower-case Greek letter in ASCII, accents dropped.
fn greek(l: char) -> Option<&'static str> {
    Some(match l {
        'α' | 'ά' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' | 'έ' => "e",
        'ζ' => "z",
        'η' | 'ή' => "i",
        'θ' => "th",
        'ι' | 'ί' | 'ϊ' | 'ΐ' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' | 'ό' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' | 'ύ' | 'ϋ' | 'ΰ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' | 'ώ' => "o",
        _ => return None,
    })
}
