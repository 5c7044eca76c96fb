//! What looking up an incoming caller comes to, as a value rather than an error:
//! the contacts found (none for an unknown caller), a withheld number, or text that
//! is no phone number. [`is_withheld`] recognises what PBXes deliver for a caller
//! who suppressed the number.

use super::index::CallerMatch;
use super::number::NotANumber;

/// The outcome of [`CallerIndex::lookup_caller`](super::CallerIndex::lookup_caller):
/// every call has one, and none of them is an error.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CallerLookup {
    /// The number was read: the contacts whose numbers match it, best first (see
    /// [`IndexSnapshot::lookup_normalized`](super::IndexSnapshot::lookup_normalized));
    /// empty for an unknown caller.
    Matches(Vec<CallerMatch>),
    /// The caller withheld the number: the PBX delivered nothing or a placeholder
    /// (`anonymous`, `unknown`, `CLIR`, `-`, ...; see [`is_withheld`]).
    Withheld,
    /// The PBX delivered text that is neither a phone number nor a placeholder for
    /// a withheld one; it says why.
    NotANumber(NotANumber),
}

impl CallerLookup {
    /// The contacts found; empty when the number was withheld or is no number.
    pub fn matches(&self) -> &[CallerMatch] {
        match self {
            CallerLookup::Matches(m) => m,
            CallerLookup::Withheld | CallerLookup::NotANumber(_) => &[],
        }
    }

    /// The contacts found, taken out; empty when the number was withheld or is no
    /// number.
    pub fn into_matches(self) -> Vec<CallerMatch> {
        match self {
            CallerLookup::Matches(m) => m,
            CallerLookup::Withheld | CallerLookup::NotANumber(_) => Vec::new(),
        }
    }

    /// True when the caller withheld the number.
    pub fn is_withheld(&self) -> bool {
        matches!(self, CallerLookup::Withheld)
    }

    /// Makes the outcome of a lookup that read `text` as a number (`Ok`, with the
    /// matches) or did not (`Err`). A placeholder for a withheld number is withheld
    /// unless it found a contact: a PBX whose operator's extension is `0` still
    /// finds the operator.
    pub(super) fn of(text: &str, read: Result<Vec<CallerMatch>, NotANumber>) -> CallerLookup {
        match read {
            Ok(m) if !m.is_empty() => CallerLookup::Matches(m),
            _ if is_withheld(text) => CallerLookup::Withheld,
            Ok(m) => CallerLookup::Matches(m),
            Err(e) => CallerLookup::NotANumber(e),
        }
    }
}

/// Words PBXes and carriers put where a caller's number would be, once lower-cased
/// and with spaces, `-`, `_` and `.` taken out.
const WITHHELD_WORDS: &[&str] = &[
    "anonymous",
    "anonym",
    "anonyme",
    "anonimo",
    "unknown",
    "unknownnumber",
    "unbekannt",
    "unavailable",
    "notavailable",
    "n/a",
    "private",
    "privat",
    "privatenumber",
    "restricted",
    "withheld",
    "numberwithheld",
    "withheldnumber",
    "clir",
    "blocked",
    "nocallerid",
    "none",
    "null",
];

/// True when `text`, as a PBX delivers it for an incoming call, stands for a
/// withheld number rather than for a number:
///
/// * nothing at all, or only punctuation (`""`, `-`, `+`, `*`);
/// * only zeros (`0`, `00`, `+0`), which some PBXes send for an unknown caller;
/// * a placeholder word, in any case: `anonymous`, `unknown`, `private`,
///   `restricted`, `withheld`, `unavailable`, `CLIR`, `blocked`, `no caller ID`
///   and a few more (also in German and French forms);
/// * any of these as the user of a SIP or `tel:` link
///   (`"Anonymous" <sip:anonymous@anonymous.invalid>`, RFC 3323).
///
/// A number a PBX could deliver is never withheld, and garbage is not either
/// (`hello` is no number, not a withheld one).
pub fn is_withheld(text: &str) -> bool {
    let mut t = text.trim();
    // `"Display" <sip:user@host>`: the link inside the brackets.
    if let (Some(open), true) = (t.rfind('<'), t.ends_with('>')) {
        t = t[open + 1..t.len() - 1].trim();
    }
    for scheme in ["sips:", "sip:", "tel:"] {
        if t.len() >= scheme.len()
            && t.is_char_boundary(scheme.len())
            && t[..scheme.len()].eq_ignore_ascii_case(scheme)
        {
            t = &t[scheme.len()..];
            break;
        }
    }
    // The user part of a link, without host and parameters.
    let t = t.split(['@', ';']).next().unwrap_or("").trim();
    if t.chars()
        .all(|c| c.is_ascii_punctuation() || c.is_whitespace())
    {
        return true;
    }
    if t.chars()
        .all(|c| matches!(c, '0' | '+' | ' ' | '-' | '.' | '/' | '(' | ')'))
    {
        return true;
    }
    if t.len() > 24 {
        return false;
    }
    let mut word = String::with_capacity(t.len());
    for c in t.chars() {
        if !matches!(c, ' ' | '-' | '_' | '.' | '\t') {
            word.extend(c.to_lowercase());
        }
    }
    WITHHELD_WORDS.contains(&word.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_of_pbxes_are_withheld_and_numbers_are_not() {
        for w in [
            "",
            "  ",
            "-",
            "+",
            "*",
            "--",
            "0",
            "00",
            "+0",
            "anonymous",
            "Anonymous",
            "ANONYMOUS",
            "unknown",
            "Unknown",
            "private",
            "Private Number",
            "restricted",
            "CLIR",
            "withheld",
            "Number withheld",
            "unavailable",
            "Not available",
            "no-caller-id",
            "unbekannt",
            "sip:anonymous@anonymous.invalid",
            "\"Anonymous\" <sip:anonymous@anonymous.invalid>",
            "<sip:Restricted@192.0.2.1;user=phone>",
            "tel:unknown",
        ] {
            assert!(is_withheld(w), "{w:?}");
        }
        for n in [
            "+49 30 1234567",
            "030 1234567",
            "12",
            "0800 FLOWERS",
            "sip:+4930123@pbx.example",
            "hello",
            "anonymous caller from Berlin",
            "unknownx",
            "10",
            "01",
        ] {
            assert!(!is_withheld(n), "{n:?}");
        }
    }
}
