//! Folding text for search: words split at anything that is not a letter or digit,
//! lower-cased, and Latin letters stripped of their diacritics (`Łódź` → `lodz`,
//! `ß` → `ss`, `Æ` → `ae`). Other scripts are only lower-cased (`Ђорђе` →
//! `ђорђе`), so they are found by themselves.
//!
//! German umlauts have two spellings: `Müller` is also written `Mueller`. A word
//! with `ä`, `ö` or `ü` is therefore indexed twice, as `muller` and as `mueller`
//! ([`fold_word_into`] gives both), while a query is folded once: `müller` and `muller`
//! find the first form, `mueller` the second.

use std::ops::Range;

/// The words of `text` with their byte ranges: maximal runs of letters, digits
/// and combining marks.
pub fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// The iterator of [`words`]. ASCII characters are told apart byte by byte; only
/// the others are decoded.
#[derive(Debug, Clone)]
pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl Words<'_> {
    /// Whether the character at byte `at` (a character boundary) is a word's, and
    /// where the next character starts.
    fn class_at(&self, at: usize) -> (bool, usize) {
        let b = self.text.as_bytes()[at];
        if b.is_ascii() {
            return (b.is_ascii_alphanumeric(), at + 1);
        }
        match self.text[at..].chars().next() {
            Some(c) => (is_word_char(c), at + c.len_utf8()),
            None => (false, self.text.len()),
        }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = (Range<usize>, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let len = self.text.len();
        let mut at = self.at;
        let start = loop {
            if at >= len {
                self.at = len;
                return None;
            }
            let (word, next) = self.class_at(at);
            if word {
                break at;
            }
            at = next;
        };
        let mut end = start;
        while end < len {
            let (word, next) = self.class_at(end);
            if !word {
                break;
            }
            end = next;
        }
        self.at = end;
        Some((start..end, &self.text[start..end]))
    }
}

fn is_word_char(c: char) -> bool {
    match near_latin(c) {
        Some(f) => f.word,
        None => c.is_alphanumeric() || is_combining(c),
    }
}

/// Combining diacritical marks: dropped, so that decomposed text (`u` + `◌̈`) folds
/// like composed text.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// What one lower-case Latin letter folds to, when it is not itself.
fn latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ǎ' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'ǒ' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ǔ' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => return None,
    })
}

/// The second spelling of a German umlaut.
fn umlaut(c: char) -> Option<&'static str> {
    match c {
        'ä' => Some("ae"),
        'ö' => Some("oe"),
        'ü' => Some("ue"),
        _ => None,
    }
}

/// Appends the folded form of one character to `out`.
fn push_folded(c: char, expand_umlauts: bool, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if let Some(f) = near_latin(c) {
        out.push_str(if expand_umlauts {
            &f.expanded
        } else {
            &f.folded
        });
    } else {
        fold_char(c, expand_umlauts, out);
    }
}

/// [`push_folded`] by the rules, for any character.
fn fold_char(c: char, expand_umlauts: bool, out: &mut String) {
    // Lower-casing may itself give a combining mark (`İ` → `i` + `◌̇`).
    for l in c.to_lowercase().filter(|&l| !is_combining(l)) {
        match (expand_umlauts.then(|| umlaut(l)).flatten(), latin(l)) {
            (Some(u), _) => out.push_str(u),
            (None, Some(f)) => out.push_str(f),
            (None, None) => out.push(l),
        }
    }
}

/// What search makes of one character: whether it belongs to a word, and its
/// folded forms, without and with German umlauts spelled out.
struct CharFold {
    word: bool,
    folded: Box<str>,
    expanded: Box<str>,
}

/// The characters after ASCII up to the end of Latin Extended-B, which names in
/// Latin script are written with.
const NEAR_LATIN: std::ops::Range<u32> = 0x80..0x250;

/// How search reads `c` when it is in [`NEAR_LATIN`]: worked out once by the
/// rules, then looked up, since folding names reads these characters all the time.
fn near_latin(c: char) -> Option<&'static CharFold> {
    static TABLE: std::sync::OnceLock<Vec<CharFold>> = std::sync::OnceLock::new();
    let i = (c as u32).checked_sub(NEAR_LATIN.start)?;
    if c as u32 >= NEAR_LATIN.end {
        return None;
    }
    let table = TABLE.get_or_init(|| {
        NEAR_LATIN
            .filter_map(char::from_u32)
            .map(|c| {
                let (mut folded, mut expanded) = (String::new(), String::new());
                fold_char(c, false, &mut folded);
                fold_char(c, true, &mut expanded);
                CharFold {
                    word: c.is_alphanumeric() || is_combining(c),
                    folded: folded.into(),
                    expanded: expanded.into(),
                }
            })
            .collect()
    });
    table.get(i as usize)
}

/// Whether `c` has a second spelling as a German umlaut.
fn has_umlaut(c: char) -> bool {
    // Ä, Ö and Ü and their lower-case forms are all in the table.
    near_latin(c).is_some_and(|f| f.folded != f.expanded)
}

/// Appends the folded form of `word` to `out`.
pub fn fold_into(word: &str, out: &mut String) {
    for c in word.chars() {
        push_folded(c, false, out);
    }
}

/// The folded form of `word`.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_into(word, &mut out);
    out
}

/// Folds `word` into `first` and, when it has a German umlaut, its second
/// spelling (`ae`, `oe`, `ue`) into `second`; whether it has one. Both are
/// cleared first.
pub fn fold_word_into(word: &str, first: &mut String, second: &mut String) -> bool {
    first.clear();
    second.clear();
    let mut umlauts = false;
    for c in word.chars() {
        push_folded(c, false, first);
        if !c.is_ascii() {
            umlauts |= has_umlaut(c);
        }
    }
    if umlauts {
        for c in word.chars() {
            push_folded(c, true, second);
        }
    }
    umlauts
}

/// The byte length of the shortest start of `word` whose folded form (either form
/// of [`fold_word_into`]) begins with `folded_prefix`, for highlighting; `None` when
/// neither does. `scratch` is reused between calls.
pub fn matched_len(word: &str, folded_prefix: &str, scratch: &mut String) -> Option<usize> {
    if folded_prefix.is_empty() {
        return Some(0);
    }
    if word.is_ascii() {
        // An ASCII word folds to itself lower-cased, byte for byte.
        let start = word.as_bytes().get(..folded_prefix.len())?;
        return start
            .eq_ignore_ascii_case(folded_prefix.as_bytes())
            .then_some(folded_prefix.len());
    }
    for expand in [false, true] {
        scratch.clear();
        for (i, c) in word.char_indices() {
            push_folded(c, expand, scratch);
            if scratch.len() >= folded_prefix.len() {
                if scratch.starts_with(folded_prefix) {
                    return Some(i + c.len_utf8());
                }
                break;
            }
            if !folded_prefix.starts_with(scratch.as_str()) {
                break;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("ÆSIR"), "aesir");
        assert_eq!(fold("Ђорђе"), "ђорђе");
        assert_eq!(fold("Mu\u{0308}ller"), "muller");
        assert_eq!(fold("İpek"), "ipek");
    }

    fn fold_word(word: &str) -> (String, Option<String>) {
        let (mut first, mut second) = (String::new(), String::new());
        let two = fold_word_into(word, &mut first, &mut second);
        (first, two.then_some(second))
    }

    #[test]
    fn umlauts_have_a_second_spelling() {
        assert_eq!(
            fold_word("Müller"),
            ("muller".into(), Some("mueller".into()))
        );
        assert_eq!(fold_word("Łódź"), ("lodz".into(), None));
        assert_eq!(fold_word("ÖZ"), ("oz".into(), Some("oez".into())));
    }

    #[test]
    fn words_split_at_punctuation() {
        let w: Vec<_> = words("Dr. Agnieszka-Maria  a.k@x.de")
            .map(|(_, w)| w)
            .collect();
        assert_eq!(w, ["Dr", "Agnieszka", "Maria", "a", "k", "x", "de"]);
        let r: Vec<_> = words("Łódź!").map(|(r, _)| r).collect();
        assert_eq!(r, vec![(0..7)]);
        assert_eq!(words("  ,. ").count(), 0);
        // Other scripts, combining marks, and punctuation outside ASCII.
        let w: Vec<_> = words("«Ђорђе» Mu\u{0308}ller–Łódź 42\u{00a0}x")
            .map(|(_, w)| w)
            .collect();
        assert_eq!(w, ["Ђорђе", "Mu\u{0308}ller", "Łódź", "42", "x"]);
    }

    #[test]
    fn the_latin_table_agrees_with_the_rules() {
        for c in (0x80..0x300).filter_map(char::from_u32) {
            for expand in [false, true] {
                let (mut looked_up, mut by_rule) = (String::new(), String::new());
                push_folded(c, expand, &mut looked_up);
                fold_char(c, expand, &mut by_rule);
                assert_eq!(looked_up, by_rule, "{c:?}");
            }
            assert_eq!(
                is_word_char(c),
                c.is_alphanumeric() || is_combining(c),
                "{c:?}"
            );
            let rule = c.to_lowercase().any(|l| umlaut(l).is_some());
            assert_eq!(has_umlaut(c), rule, "{c:?}");
        }
    }

    #[test]
    fn matched_len_maps_back_to_the_original() {
        let s = &mut String::new();
        assert_eq!(matched_len("Łódź", "lo", s), Some(4));
        assert_eq!(matched_len("Müller", "mue", s), Some(3));
        assert_eq!(matched_len("Müller", "mul", s), Some(4));
        assert_eq!(matched_len("Straße", "strass", s), Some(6));
        assert_eq!(matched_len("Kowal", "x", s), None);
        assert_eq!(matched_len("Kowal", "kowalski", s), None);
        assert_eq!(matched_len("KOWAL", "kow", s), Some(3));
        assert_eq!(matched_len("Kowal", "ђо", s), None);
        assert_eq!(matched_len("Ђорђе", "ђо", s), Some(4));
    }
}
