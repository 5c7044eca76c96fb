//! Number normalisation: any written form of a phone number, read under a
//! [`DialPlan`], becomes a compact [`NumberKey`] (its E.164 digits as an integer) or an
//! internal [`Extension`].
//!
//! The common forms (`+49 30 1234567`, `0049…`, `030…`, local numbers, `(0)`, `tel:`,
//! `sip:` and `callto:` links, `ext.`/`x` extensions, upper-case vanity letters) are read
//! by a digits-only fast path that allocates nothing. Only text it does not understand
//! (other scripts' digits, exotic punctuation) goes to the `phonenumber` crate, and
//! then only after guarding against its known bugs in 0.3.10:
//!
//! * numbers already in `+CC` form are parsed *without* a default region, because with
//!   one they lose that region's trunk prefix (upstream issue #30: with region US,
//!   `+49 1512 3456789` came out wrong);
//! * text with ASCII letters never reaches it, because it maps letters to digits
//!   silently (#100), turning words into "numbers"; vanity letters are mapped here,
//!   upper case only, and only after a digit prefix;
//! * its regex cache thrashes when numbers come from many countries (#103, about 1 ms a
//!   parse), which is why the fast path covers every country by itself and the slow
//!   path is the exception.

use std::fmt;

use super::dialplan::{DialPlan, split_country_code, strips_trunk_zero};
use super::numbering_plan::NationalReading;

/// Why a text is not a phone number. A typed result, never a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotANumber {
    /// Nothing but white space.
    #[error("empty")]
    Empty,
    /// No digits at all.
    #[error("no digits")]
    NoDigits,
    /// A character that has no place in a phone number.
    #[error("unexpected character {0:?}")]
    InvalidCharacter(char),
    /// Letters that are not a vanity number (lower case, or before any digits).
    #[error("letters that are not a vanity number")]
    Letters,
    /// More digits than any phone number has (E.164 allows 15).
    #[error("too many digits")]
    TooLong,
    /// The country code after `+` or the international prefix does not exist.
    #[error("unknown country code")]
    UnknownCountryCode,
    /// A local number, but the dial plan has no area code to complete it.
    #[error("local number but no area code configured")]
    NeedsAreaCode,
    /// A `sip:`/`callto:` link whose user part is a name, not a number.
    #[error("the link names no phone number")]
    NotAPhoneUri,
}

/// A public phone number in E.164 form packed into an integer: the country code's
/// digits followed by the national significant number's. Country codes never start
/// with 0, so leading zeros of the national number (Italy) survive.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NumberKey(pub(crate) u64);

impl NumberKey {
    /// The integer value (`4930123456` for `+49 30 123456`).
    pub fn value(self) -> u64 {
        self.0
    }
}

impl fmt::Display for NumberKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{}", self.0)
    }
}

impl fmt::Debug for NumberKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NumberKey(+{})", self.0)
    }
}

/// An extension: an internal number of the own PBX, or the extension part of a public
/// number (`;ext=89`, `x89`). Leading zeros count.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Extension {
    value: u64,
    len: u8,
}

impl Extension {
    pub(crate) fn from_digits(d: &[u8]) -> Option<Extension> {
        if d.is_empty() || d.len() > 15 || !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let value = d.iter().fold(0u64, |v, b| v * 10 + u64::from(b - b'0'));
        Some(Extension {
            value,
            len: d.len() as u8,
        })
    }

    /// Number of digits.
    pub fn len(self) -> usize {
        usize::from(self.len)
    }

    /// Always false: an extension has at least one digit.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    pub(crate) fn packed(self) -> u64 {
        // Tag bit 63 keeps extensions apart from E.164 keys (< 10^15 < 2^50).
        1 << 63 | u64::from(self.len) << 56 | self.value
    }
}

impl fmt::Display for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = usize::from(self.len))
    }
}

impl fmt::Debug for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Extension({self})")
    }
}

/// What the dial plan had to supply because the written number left it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Assumed {
    /// Nothing: the number carried its country code (`+49…`, `0049…`).
    Nothing,
    /// The country code (a national number, `030 1234567`).
    CountryCode,
    /// Country and area code (a local number, `1234567`).
    AreaCode,
}

/// A public number after normalisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PublicNumber {
    pub(crate) key: NumberKey,
    pub(crate) country_code: u16,
    pub(crate) national_len: u8,
    pub(crate) assumed: Assumed,
    pub(crate) extension: Option<Extension>,
}

impl PublicNumber {
    /// The E.164 key.
    pub fn key(&self) -> NumberKey {
        self.key
    }
    /// The country calling code.
    pub fn country_code(&self) -> u16 {
        self.country_code
    }
    /// Number of digits of the national significant number (after the country code).
    pub fn national_len(&self) -> usize {
        usize::from(self.national_len)
    }
    /// The national significant number as digits (`301234567`, Italian: `0612345678`).
    pub fn national_digits(&self) -> String {
        let all = self.key.0.to_string();
        all[all.len() - self.national_len()..].to_string()
    }
    /// What the dial plan supplied.
    pub fn assumed(&self) -> Assumed {
        self.assumed
    }
    /// The extension written after the number, if any.
    pub fn extension(&self) -> Option<Extension> {
        self.extension
    }
}

/// The result of normalising a number under a dial plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Normalized {
    /// A number of the public network.
    Public(PublicNumber),
    /// An internal extension of the own PBX.
    Internal(Extension),
}

impl Normalized {
    /// `+49301234567` for a public number, `None` for an internal extension.
    pub fn e164(&self) -> Option<String> {
        match self {
            Normalized::Public(p) => Some(p.key.to_string()),
            Normalized::Internal(_) => None,
        }
    }

    /// The key of a public number.
    pub fn key(&self) -> Option<NumberKey> {
        match self {
            Normalized::Public(p) => Some(p.key),
            Normalized::Internal(_) => None,
        }
    }
}

/// A small inline digit buffer: normalisation allocates nothing.
#[derive(Clone, Copy)]
pub(crate) struct Digits {
    buf: [u8; 32],
    len: u8,
}

impl Digits {
    pub(crate) const fn new() -> Digits {
        Digits {
            buf: [0; 32],
            len: 0,
        }
    }
    /// Pushes a byte; false when full.
    pub(crate) fn push(&mut self, b: u8) -> bool {
        if usize::from(self.len) < self.buf.len() {
            self.buf[usize::from(self.len)] = b;
            self.len += 1;
            true
        } else {
            false
        }
    }
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII is ever pushed.
        std::str::from_utf8(self.as_slice()).unwrap_or("")
    }
    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A number as written, before the dial plan is applied.
#[derive(Clone, Copy)]
pub(crate) struct Parsed {
    /// Written with `+` (or `%2B` in a link).
    pub plus: bool,
    pub digits: Digits,
    /// Extension digits (`;ext=`, `ext.`, `x`, `#`).
    pub ext: Digits,
    /// Post-dial sequence after a pause: digits, `*`, `#` and `,` for each pause.
    pub post_dial: Digits,
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '/' | '(' | ')' | '[' | ']' | '\t' | '\u{a0}' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{202f}'
    )
}

fn vanity_digit(c: u8) -> u8 {
    match c {
        b'A'..=b'C' => b'2',
        b'D'..=b'F' => b'3',
        b'G'..=b'I' => b'4',
        b'J'..=b'L' => b'5',
        b'M'..=b'O' => b'6',
        b'P'..=b'S' => b'7',
        b'T'..=b'V' => b'8',
        _ => b'9',
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.is_char_boundary(s.len() - suffix.len())
        && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Reads digits with visual separators only (the body of a `tel:` link or an `ext=`).
fn visual_digits(s: &str, out: &mut Digits) -> Result<(), NotANumber> {
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !out.push(c as u8) {
                return Err(NotANumber::TooLong);
            }
        } else if !is_separator(c) {
            return Err(NotANumber::InvalidCharacter(c));
        }
    }
    Ok(())
}

/// `str::trim`, with a fast path for ASCII ends (the common case).
fn trim(s: &str) -> &str {
    let t = s.trim_ascii();
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii() && b.is_ascii() => t,
        _ => t.trim(),
    }
}

/// What [`plain_digits`] makes of each byte: [`DIGIT`], [`OTHER`], or 0 for a separator.
const DIGIT: u8 = 1;
const OTHER: u8 = 2;
static PLAIN_CLASS: [u8; 256] = {
    let mut class = [OTHER; 256];
    let mut b = b'0';
    while b <= b'9' {
        class[b as usize] = DIGIT;
        b += 1;
    }
    let separators = b" -./()[]\t";
    let mut i = 0;
    while i < separators.len() {
        class[separators[i] as usize] = 0;
        i += 1;
    }
    class
};

/// The most digits [`plain_digits`] hands on; longer numbers take the general path,
/// which says why they are no number.
const PLAIN_MAX: usize = 24;

/// The common case on its own: an optional leading `+`, then ASCII digits and the
/// usual separators (`+49 (30) 123-4567`), nothing else. The digits go to `out`.
/// `None` for anything else (links, extensions, pauses, letters, other scripts, more
/// than [`PLAIN_MAX`] digits): [`parse_text`] reads those, to the same result.
///
/// One table look-up a byte and no branch on its value: every byte is stored at the
/// next free place, which only a digit takes, so separators at unpredictable places
/// cost no mispredicted branch. Lookups and builds both start here.
fn plain_digits(s: &[u8], out: &mut [u8; 32]) -> Option<(bool, usize)> {
    let (plus, body) = match s.split_first() {
        Some((b'+', rest)) => (true, rest),
        _ => (false, s),
    };
    let mut n = 0usize;
    let mut seen = 0u8;
    for &b in body {
        let class = PLAIN_CLASS[usize::from(b)];
        // Past 31 digits the writes wrap around; such a count is rejected below.
        out[n & 31] = b;
        n += usize::from(class & DIGIT);
        seen |= class;
    }
    (seen & OTHER == 0 && (1..=PLAIN_MAX).contains(&n)).then_some((plus, n))
}

/// Parses the written form of a number: links, extensions, pauses, separators, `(0)`,
/// vanity letters. Knows nothing of dial plans.
pub(crate) fn parse_text(input: &str) -> Result<Parsed, NotANumber> {
    let s = trim(input);
    if s.is_empty() {
        return Err(NotANumber::Empty);
    }
    let mut p = Parsed {
        plus: false,
        digits: Digits::new(),
        ext: Digits::new(),
        post_dial: Digits::new(),
    };
    // Most numbers start with a digit, `+` or `(`: no link to look for.
    if matches!(s.as_bytes()[0], b'0'..=b'9' | b'+' | b'(') {
        parse_free(s, &mut p)?;
        return finish(p);
    }
    if let Some(body) = strip_prefix_ci(s, "tel:") {
        parse_tel_body(body, &mut p)?;
        return finish(p);
    }
    if let Some(body) = strip_prefix_ci(s, "sip:").or_else(|| strip_prefix_ci(s, "sips:")) {
        let user = body.split('@').next().unwrap_or("");
        let user = if let Some(rest) = strip_prefix_ci(user, "%2b") {
            p.plus = true;
            rest
        } else {
            user
        };
        if user.bytes().any(|b| b.is_ascii_alphabetic())
            && !user.split(';').skip(1).all(|param| param.contains('='))
        {
            return Err(NotANumber::NotAPhoneUri);
        }
        parse_tel_body(user, &mut p).map_err(|e| match e {
            NotANumber::InvalidCharacter(_) => NotANumber::NotAPhoneUri,
            e => e,
        })?;
        return finish(p);
    }
    if let Some(body) = strip_prefix_ci(s, "callto:") {
        let body = body.trim_start_matches('/');
        if body.contains('@') {
            return Err(NotANumber::NotAPhoneUri);
        }
        let body = body.trim();
        parse_free(body, &mut p).map_err(|e| match e {
            NotANumber::Letters | NotANumber::InvalidCharacter(_) => NotANumber::NotAPhoneUri,
            e => e,
        })?;
        return finish(p);
    }
    parse_free(s, &mut p)?;
    finish(p)
}

fn finish(p: Parsed) -> Result<Parsed, NotANumber> {
    if p.digits.is_empty() && p.ext.is_empty() {
        return Err(NotANumber::NoDigits);
    }
    Ok(p)
}

/// RFC 3966 `telephone-subscriber`: number, then `;ext=`, `;phone-context=`, others.
fn parse_tel_body(body: &str, p: &mut Parsed) -> Result<(), NotANumber> {
    let mut parts = body.split(';');
    let number = parts.next().unwrap_or("");
    let number = if let Some(rest) = number.strip_prefix('+') {
        p.plus = true;
        rest
    } else {
        number
    };
    let mut local = Digits::new();
    visual_digits(number, &mut local)?;
    let mut context: Option<&str> = None;
    for param in parts {
        if let Some(ext) = strip_prefix_ci(param, "ext=") {
            visual_digits(ext, &mut p.ext)?;
        } else if let Some(ctx) = strip_prefix_ci(param, "phone-context=") {
            context = Some(ctx);
        }
    }
    // A local number with a global context (`tel:1234567;phone-context=+49-30`) is the
    // context's digits followed by the number's (RFC 3966 section 5.1.5).
    if !p.plus
        && let Some(ctx) = context.and_then(|c| c.strip_prefix('+'))
    {
        p.plus = true;
        visual_digits(ctx, &mut p.digits)?;
    }
    for &b in local.as_slice() {
        if !p.digits.push(b) {
            return Err(NotANumber::TooLong);
        }
    }
    Ok(())
}

/// Splits `x12`, `ext. 12`, `extension 12`, `#12` off the end of `s`.
fn split_extension(s: &str) -> (&str, Option<&str>) {
    let t = trim(s);
    let digits_start = t
        .bytes()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    if digits_start == t.len() {
        return (s, None);
    }
    let ext = &t[digits_start..];
    let before = t[..digits_start]
        .trim_end()
        .trim_end_matches([':', '.', '=']);
    for marker in ["extension", "ext", "x", "#", "durchwahl", "dw"] {
        if ends_with_ci(before, marker) {
            let main = &before[..before.len() - marker.len()];
            // A marker is a word of its own: `fax12` is no extension.
            if main.chars().next_back().is_none_or(|c| !c.is_alphabetic()) {
                return (main, Some(ext));
            }
        }
    }
    (s, None)
}

fn parse_free(s: &str, p: &mut Parsed) -> Result<(), NotANumber> {
    // Pauses: everything after the first `,` or `;` is post-dial.
    let (main, post) = match s.bytes().position(|b| b == b',' || b == b';') {
        Some(i) => (&s[..i], Some(&s[i..])),
        None => (s, None),
    };
    if let Some(post) = post {
        for c in post.chars() {
            let b = match c {
                '0'..='9' | '*' | '#' => c as u8,
                ',' | ';' => b',',
                c if is_separator(c) => continue,
                c => return Err(NotANumber::InvalidCharacter(c)),
            };
            if !p.post_dial.push(b) {
                return Err(NotANumber::TooLong);
            }
        }
    }
    // Extension markers are letters or `#`; without any, there is nothing to split.
    let (main, ext) = if main.bytes().any(|b| b.is_ascii_alphabetic() || b == b'#') {
        split_extension(main)
    } else {
        (main, None)
    };
    if let Some(ext) = ext {
        visual_digits(ext, &mut p.ext)?;
    }
    // `+49 (0)30` needs no special case: the bracketed trunk zero is dropped after
    // the country code, like the one in `+49 030`, except where it belongs to the
    // number (Italy).
    let mut letters = 0usize;
    let mut seen_any = false;
    for c in main.chars() {
        match c {
            '0'..='9' => {
                if !p.digits.push(c as u8) {
                    return Err(NotANumber::TooLong);
                }
                seen_any = true;
            }
            '+' | '\u{ff0b}' if !seen_any && !p.plus => {
                p.plus = true;
                seen_any = true;
            }
            c if is_separator(c) => {}
            'A'..='Z' => {
                // Vanity letters (`1-800-FLOWERS`): only after a prefix of digits.
                if p.digits.len < 3 {
                    return Err(NotANumber::Letters);
                }
                letters += 1;
                if !p.digits.push(vanity_digit(c as u8)) {
                    return Err(NotANumber::TooLong);
                }
            }
            c if c.is_ascii_alphabetic() => return Err(NotANumber::Letters),
            '\u{ff10}'..='\u{ff19}' => {
                // Full-width digits, as typed with an East Asian input method.
                let d = b'0' + (c as u32 - 0xff10) as u8;
                if !p.digits.push(d) {
                    return Err(NotANumber::TooLong);
                }
                seen_any = true;
            }
            c => return Err(NotANumber::InvalidCharacter(c)),
        }
    }
    if letters > 10 {
        // Longer than any vanity word: text, not a number.
        return Err(NotANumber::Letters);
    }
    Ok(())
}

/// Applies the dial plan to a parsed number.
///
/// `from_pbx`: the number was reported by the PBX (an incoming call), so it may carry
/// the outside-line prefix when the plan says the PBX puts it there.
pub(crate) fn classify(
    plan: &DialPlan,
    p: &Parsed,
    from_pbx: bool,
) -> Result<Normalized, NotANumber> {
    let ext = Extension::from_digits(p.ext.as_slice());
    let digits = p.digits.as_slice();
    if digits.is_empty() {
        // `x12`, `ext. 12`: an internal extension.
        return ext.map(Normalized::Internal).ok_or(NotANumber::NoDigits);
    }
    classify_number(plan, p.plus, digits, ext, from_pbx)
}

/// `d` starts with `prefix` and has more after it. An inlined loop: dial-plan prefixes
/// are one to three digits, too short to be worth a `memcmp` call.
fn has_prefix(d: &[u8], prefix: &[u8]) -> bool {
    d.len() > prefix.len() && d.iter().zip(prefix).all(|(a, b)| a == b)
}

/// Applies the dial plan to the digits of a public number (at least one digit).
fn classify_number(
    plan: &DialPlan,
    plus: bool,
    digits: &[u8],
    ext: Option<Extension>,
    from_pbx: bool,
) -> Result<Normalized, NotANumber> {
    if digits.len() > 24 {
        return Err(NotANumber::TooLong);
    }
    if plus {
        return international(digits, ext);
    }
    let outside = plan.outside_line.as_bytes();
    let has_outside = !outside.is_empty() && has_prefix(digits, outside);
    if from_pbx && plan.outside_line_in_caller_numbers && has_outside {
        return classify_digits(plan, &digits[outside.len()..], ext);
    }
    let intl = plan.country.international_prefix().as_bytes();
    match classify_digits(plan, digits, ext) {
        // An international prefix followed by 0 (`000 30 1234567`) is no international
        // number, since no country code starts with 0: the PBX put its outside-line
        // prefix and another 0 in front of a national number. Read the rest as one.
        Err(NotANumber::UnknownCountryCode)
            if has_outside
                && digits.len() > intl.len() + 1
                && has_prefix(digits, intl)
                && digits[intl.len()] == b'0'
                && !has_prefix(&digits[intl.len()..], intl) =>
        {
            classify_digits(plan, &digits[intl.len()..], ext)
        }
        r => r,
    }
}

fn classify_digits(
    plan: &DialPlan,
    digits: &[u8],
    ext: Option<Extension>,
) -> Result<Normalized, NotANumber> {
    let rules = &plan.country;
    let intl = rules.international_prefix().as_bytes();
    if has_prefix(digits, intl) {
        return international(&digits[intl.len()..], ext);
    }
    // Where the country has several international prefixes (carrier selection in
    // Brazil, Korea, Singapore), any of them.
    if let Some(numbering) = rules.numbering().filter(|_| !rules.trunk_always())
        && let Some(len) =
            numbering.international_prefix_len(std::str::from_utf8(digits).unwrap_or(""))
        && split_country_code(&digits[len..]).is_some()
    {
        return international(&digits[len..], ext);
    }
    if plan.is_extension_length(digits.len()) {
        return ext_or_internal(digits, ext);
    }
    if rules.is_nanp() {
        return match digits.len() {
            11 if digits[0] == b'1' => national(plan, &digits[1..], Assumed::CountryCode, ext),
            10 => national(plan, digits, Assumed::CountryCode, ext),
            _ => local(plan, digits, ext),
        };
    }
    if !rules.trunk_always()
        && let Some(numbering) = rules.numbering()
    {
        // The country's numbering plan says which numbers are complete, with or
        // without a trunk prefix, and which are local.
        let mut nsn = [0u8; 32];
        let text = std::str::from_utf8(digits).unwrap_or("");
        return match numbering.read(text, !plan.area_code.is_empty(), &mut nsn) {
            NationalReading::National(n) => national(plan, &nsn[..n], Assumed::CountryCode, ext),
            NationalReading::Local => local(plan, digits, ext),
        };
    }
    match rules.trunk_prefix() {
        Some(trunk) if has_prefix(digits, trunk.as_bytes()) => {
            national(plan, &digits[trunk.len()..], Assumed::CountryCode, ext)
        }
        _ => local(plan, digits, ext),
    }
}

fn ext_or_internal(digits: &[u8], ext: Option<Extension>) -> Result<Normalized, NotANumber> {
    let _ = ext; // an extension of an extension has no meaning; the number wins
    Extension::from_digits(digits)
        .map(Normalized::Internal)
        .ok_or(NotANumber::TooLong)
}

fn local(plan: &DialPlan, digits: &[u8], ext: Option<Extension>) -> Result<Normalized, NotANumber> {
    if plan.area_code.is_empty() {
        return Err(NotANumber::NeedsAreaCode);
    }
    let mut nsn = Digits::new();
    for &b in plan.area_code.as_bytes().iter().chain(digits) {
        if !nsn.push(b) {
            return Err(NotANumber::TooLong);
        }
    }
    national(plan, nsn.as_slice(), Assumed::AreaCode, ext)
}

fn national(
    plan: &DialPlan,
    nsn: &[u8],
    assumed: Assumed,
    ext: Option<Extension>,
) -> Result<Normalized, NotANumber> {
    build(plan.country.calling_code(), nsn, assumed, ext)
}

fn international(digits: &[u8], ext: Option<Extension>) -> Result<Normalized, NotANumber> {
    let (cc, cc_len) = split_country_code(digits).ok_or(NotANumber::UnknownCountryCode)?;
    let nsn = without_written_trunk(cc, &digits[cc_len..]);
    build(cc, nsn, Assumed::Nothing, ext)
}

/// `+49 030…`, `0049 (0)30…`, `+1 1 212…`: a trunk prefix written after the country
/// code, dropped. Both paths use it, so that any written form and the E.164 form of
/// its result give the same key. All of them go (`+81 00…` too): where the trunk
/// prefix is 0, no national significant number starts with 0, and no NANP number
/// starts with 1, so the key is the same however often it was written.
fn without_written_trunk(cc: u16, mut nsn: &[u8]) -> &[u8] {
    let trunk = if strips_trunk_zero(cc) {
        Some(b'0')
    } else if cc == 1 {
        Some(b'1')
    } else {
        None
    };
    if let Some(t) = trunk {
        while nsn.len() > 1 && nsn[0] == t {
            nsn = &nsn[1..];
        }
    }
    nsn
}

fn build(
    cc: u16,
    nsn: &[u8],
    assumed: Assumed,
    ext: Option<Extension>,
) -> Result<Normalized, NotANumber> {
    if nsn.is_empty() {
        return Err(NotANumber::NoDigits);
    }
    // Every path ends here, so every path gives the canonical key (`0 0031…` read
    // with the trunk prefix stripped once must equal its own `+81 31…`).
    let nsn = without_written_trunk(cc, nsn);
    let cc_len = if cc >= 100 {
        3
    } else if cc >= 10 {
        2
    } else {
        1
    };
    if cc_len + nsn.len() > 15 {
        return Err(NotANumber::TooLong);
    }
    let key = nsn
        .iter()
        .fold(u64::from(cc), |v, b| v * 10 + u64::from(b - b'0'));
    Ok(Normalized::Public(PublicNumber {
        key: NumberKey(key),
        country_code: cc,
        national_len: nsn.len() as u8,
        assumed,
        extension: ext,
    }))
}

/// Reads a number: the fast path, and the `phonenumber` crate for text with
/// characters the fast path does not know. The parsed form comes along when the fast
/// path read it (dialling needs its post-dial part).
pub(crate) fn read(
    plan: &DialPlan,
    input: &str,
    from_pbx: bool,
) -> Result<(Normalized, Option<Parsed>), NotANumber> {
    match parse_text(input) {
        Ok(p) => classify(plan, &p, from_pbx).map(|n| (n, Some(p))),
        Err(NotANumber::InvalidCharacter(c)) if !c.is_ascii() => slow_path(plan, input)
            .map(|n| (n, None))
            .map_err(|_| NotANumber::InvalidCharacter(c)),
        Err(e) => Err(e),
    }
}

/// Reads text the fast path rejected with the `phonenumber` crate. Never sees ASCII
/// letters (#100); `+` numbers are parsed without a default region (#30).
fn slow_path(plan: &DialPlan, input: &str) -> Result<Normalized, NotANumber> {
    let s = input.trim();
    if s.bytes().any(|b| b.is_ascii_alphabetic()) {
        return Err(NotANumber::Letters);
    }
    let region = if s.starts_with('+') || s.starts_with('\u{ff0b}') {
        None
    } else {
        plan.country.iso().parse::<phonenumber::country::Id>().ok()
    };
    let number = phonenumber::parse(region, s).map_err(|_| NotANumber::NoDigits)?;
    let cc = number.code().value();
    // Only country codes the fast path knows: otherwise the key's own E.164 form
    // would not read back (`+88…`, found by the `normalize` fuzz target).
    if split_country_code(cc.to_string().as_bytes()).map(|(c, _)| c) != Some(cc) {
        return Err(NotANumber::UnknownCountryCode);
    }
    let national = number.national();
    let mut nsn = Digits::new();
    for _ in 0..national.zeros() {
        nsn.push(b'0');
    }
    for b in national.value().to_string().bytes() {
        if !nsn.push(b) {
            return Err(NotANumber::TooLong);
        }
    }
    // phonenumber keeps a trunk prefix written after the country code: Austria's zero
    // as an "Italian leading zero" under the Italian plan (`0043 0…`), NANP's 1 in
    // `+1-1 218…`. Those keys differ from the keys of the numbers' own E.164 forms, so
    // strip it as the fast path does (both found by the `normalize` fuzz target).
    let digits = without_written_trunk(cc, nsn.as_slice());
    let assumed = if region.is_some() {
        Assumed::CountryCode
    } else {
        Assumed::Nothing
    };
    let ext = number
        .extension()
        .and_then(|e| Extension::from_digits(e.as_bytes()));
    build(cc, digits, assumed, ext)
}

impl DialPlan {
    /// Normalises a number as written (stored in a contact, or reported by the PBX for
    /// an incoming call) under this plan.
    ///
    /// # Errors
    /// [`NotANumber`] says why the text is no phone number; it never panics.
    pub fn normalize(&self, input: &str) -> Result<Normalized, NotANumber> {
        let mut buf = [0u8; 32];
        let text = trim(input).as_bytes();
        // A `tel:` link without parameters holds a plain number (vCard 4.0 stores them).
        let text = match text {
            [b't' | b'T', b'e' | b'E', b'l' | b'L', b':', body @ ..] => body,
            _ => text,
        };
        if let Some((plus, n)) = plain_digits(text, &mut buf) {
            return classify_number(self, plus, &buf[..n], None, true);
        }
        read(self, input, true).map(|(n, _)| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The general reading of a text, without the fast path.
    fn general(plan: &DialPlan, input: &str) -> Result<Normalized, NotANumber> {
        read(plan, input, true).map(|(n, _)| n)
    }

    fn plans() -> Vec<DialPlan> {
        let de = DialPlan::new("DE").unwrap().with_area_code("30").unwrap();
        vec![
            de.clone()
                .with_outside_line("0", crate::lookup::OutsideLine::AlsoInCallerNumbers)
                .unwrap()
                .with_extension_lengths(&[2, 3]),
            de,
            DialPlan::new("US").unwrap().with_area_code("212").unwrap(),
            DialPlan::new("IT").unwrap().with_area_code("06").unwrap(),
        ]
    }

    #[test]
    fn fast_path_takes_the_plain_forms_only() {
        let mut buf = [0u8; 32];
        assert_eq!(
            plain_digits(b"+49 (30) 123-4567", &mut buf),
            Some((true, 11))
        );
        assert_eq!(&buf[..11], b"49301234567");
        for other in [
            "tel:+49301234567",
            "030 1234567 x12",
            "030 123,45",
            "(+49) 30",
            "",
        ] {
            assert_eq!(plain_digits(other.as_bytes(), &mut buf), None, "{other}");
        }
        // More digits than any number has: the general path says why.
        let long = "1".repeat(25);
        assert_eq!(plain_digits(long.as_bytes(), &mut buf), None);
        assert_eq!(plans()[0].normalize(&long), Err(NotANumber::TooLong));
    }

    proptest! {
        /// The fast path is an optimisation only: it reads every text as the general
        /// path does.
        #[test]
        fn fast_path_agrees_with_the_general_path(
            text in "(tel:|TEL:)?[ +]?[0-9 ()./\\-]{0,30}",
        ) {
            for plan in plans() {
                prop_assert_eq!(plan.normalize(&text), general(&plan, &text), "{}", text);
            }
        }
    }
}
