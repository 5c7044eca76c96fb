//! Folding text for search: words split at anything that is not a letter or digit,
//! lower-cased, Latin letters stripped of their diacritics (`Łódź` → `lodz`,
//! `ß` → `ss`, `Æ` → `ae`), and Greek and Cyrillic letters written in Latin
//! (`Ђорђе` → `djordje`, `Петровић` → `petrovic`), so that a name is found whether
//! it is typed in its own script or in ASCII. Other scripts are only lower-cased
//! and found by themselves.
//!
//! Many names have a second spelling: German umlauts are also written out
//! (`Müller` as `Mueller`), so are the Nordic `ø` and `å` (`Søren` as `Soeren`),
//! `đ` is also `dj`, and Cyrillic is also written as English does (`Михаил` as
//! `mikhail` beside `mihail`). A word with such a letter is therefore indexed
//! twice ([`fold_word_into`] gives both forms), while a query is folded once:
//! `müller` and `muller` find the first form, `mueller` the second.

use std::ops::Range;

use super::spellings;

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
    match tabled(c) {
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

/// Appends the folded form of one character to `out`: its second spelling
/// where it has one and `second` is set.
fn push_folded(c: char, second: bool, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if let Some(f) = tabled(c) {
        out.push_str(if second { &f.second } else { &f.folded });
    } else {
        fold_char(c, second, out);
    }
}

/// [`push_folded`] by the rules, for any character.
fn fold_char(c: char, second: bool, out: &mut String) {
    // Lower-casing may itself give a combining mark (`İ` → `i` + `◌̇`).
    for l in c.to_lowercase().filter(|&l| !is_combining(l)) {
        let other = second.then(|| spellings::second(l)).flatten();
        match other
            .or_else(|| latin(l))
            .or_else(|| spellings::in_latin(l))
        {
            Some(f) => out.push_str(f),
            None => out.push(l),
        }
    }
}

/// What search makes of one character: whether it belongs to a word, and its
/// folded form and second spelling.
struct CharFold {
    word: bool,
    folded: Box<str>,
    second: Box<str>,
}

/// The characters after ASCII up to the end of Cyrillic Supplement: Latin with
/// diacritics, Greek and Cyrillic, which names are written with.
const TABLED: std::ops::Range<u32> = 0x80..0x530;

/// How search reads `c` when it is in [`TABLED`]: worked out once by the rules,
/// then looked up, since folding names reads these characters all the time.
fn tabled(c: char) -> Option<&'static CharFold> {
    static TABLE: std::sync::OnceLock<Vec<CharFold>> = std::sync::OnceLock::new();
    let i = (c as u32).checked_sub(TABLED.start)?;
    if c as u32 >= TABLED.end {
        return None;
    }
    let table = TABLE.get_or_init(|| {
        TABLED
            .filter_map(char::from_u32)
            .map(|c| {
                let (mut folded, mut second) = (String::new(), String::new());
                fold_char(c, false, &mut folded);
                fold_char(c, true, &mut second);
                CharFold {
                    word: c.is_alphanumeric() || is_combining(c),
                    folded: folded.into(),
                    second: second.into(),
                }
            })
            .collect()
    });
    table.get(i as usize)
}

/// Whether `c` has a second spelling.
fn has_second_spelling(c: char) -> bool {
    // Every letter with one is in the table.
    tabled(c).is_some_and(|f| f.folded != f.second)
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

/// Folds `word` into `first` and, when it has a letter with a second spelling
/// (`ü` → `ue`, `ш` → `sh`, see the [module docs](self)), that spelling into
/// `second`; whether it has one. Both are cleared first.
pub fn fold_word_into(word: &str, first: &mut String, second: &mut String) -> bool {
    first.clear();
    second.clear();
    let mut two = false;
    for c in word.chars() {
        push_folded(c, false, first);
        if !c.is_ascii() {
            two |= has_second_spelling(c);
        }
    }
    if two {
        for c in word.chars() {
            push_folded(c, true, second);
        }
    }
    two
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
    for second in [false, true] {
        scratch.clear();
        for (i, c) in word.char_indices() {
            push_folded(c, second, scratch);
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
        assert_eq!(fold("Ђорђе"), "djordje");
        assert_eq!(fold("Петровић"), "petrovic");
        assert_eq!(fold("Άννα"), "anna");
        assert_eq!(fold("שרה"), "שרה");
        assert_eq!(fold("Mu\u{0308}ller"), "muller");
        assert_eq!(fold("İpek"), "ipek");
    }

    fn fold_word(word: &str) -> (String, Option<String>) {
        let (mut first, mut second) = (String::new(), String::new());
        let two = fold_word_into(word, &mut first, &mut second);
        (first, two.then_some(second))
    }

    #[test]
    fn some_letters_have_a_second_spelling() {
        assert_eq!(
            fold_word("Müller"),
            ("muller".into(), Some("mueller".into()))
        );
        assert_eq!(fold_word("Łódź"), ("lodz".into(), None));
        assert_eq!(fold_word("ÖZ"), ("oz".into(), Some("oez".into())));
        assert_eq!(fold_word("Søren"), ("soren".into(), Some("soeren".into())));
        assert_eq!(fold_word("Åsa"), ("asa".into(), Some("aasa".into())));
        assert_eq!(fold_word("Đorđe"), ("dorde".into(), Some("djordje".into())));
        assert_eq!(
            fold_word("Михаил"),
            ("mihail".into(), Some("mikhail".into()))
        );
        assert_eq!(
            fold_word("Щукин"),
            ("scukin".into(), Some("shchukin".into()))
        );
        // Letters that English writes as the South Slavic spelling does give no
        // second form.
        assert_eq!(fold_word("Петров"), ("petrov".into(), None));
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
        for c in (0x80..0x600).filter_map(char::from_u32) {
            for second in [false, true] {
                let (mut looked_up, mut by_rule) = (String::new(), String::new());
                push_folded(c, second, &mut looked_up);
                fold_char(c, second, &mut by_rule);
                assert_eq!(looked_up, by_rule, "{c:?}");
            }
            assert_eq!(
                is_word_char(c),
                c.is_alphanumeric() || is_combining(c),
                "{c:?}"
            );
            let rule = c.to_lowercase().any(|l| {
                spellings::second(l).is_some_and(|s| Some(s) != latin(l).or(spellings::in_latin(l)))
            });
            assert_eq!(has_second_spelling(c), rule, "{c:?}");
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
        assert_eq!(matched_len("Ђорђе", "djo", s), Some(4));
        assert_eq!(matched_len("Ђорђе", "d", s), Some(2));
        assert_eq!(matched_len("Михаил", "mikh", s), Some(6));
        assert_eq!(matched_len("Søren", "soe", s), Some(3));
    }
}
