//! Number normalisation: any written form of a phone number, read under a
//! [`DialPlan`], becomes a compact [`NumberKey`] (its E.164 digits as an integer) or an
//! internal [`Extension`]. This file applies the plan; `written.rs` reads the text
//! into digits and `number.rs` holds the result types.
//!
//! The common forms (`+49 30 1234567`, `0049…`, `030…`, local numbers, `(0)`, `tel:`,
//! `sip:` and `callto:` links, `ext.`/`x` extensions, upper-case vanity letters) are read
//! by a digits-only fast path that allocates nothing. Only text it does not understand
//! (other scripts' digits, exotic punctuation) goes to the `phonenumber` crate, and
//! then only after guarding against its known bugs in 0.3.10:
//!
//! * numbers already in `+CC` form are parsed *without* a default region, because with
//!   one they lose that region's trunk prefix (phonenumber issue #30: with region US,
//!   `+49 1512 3456789` came out wrong);
//! * text with ASCII letters never reaches it, because it maps letters to digits
//!   silently (phonenumber issue #100), turning words into "numbers"; vanity letters
//!   are mapped here, upper case only, and only after a digit prefix;
//! * its regex cache thrashes when numbers come from many countries (phonenumber
//!   issue #103, about 1 ms a parse), which is why the fast path covers every country
//!   by itself and the slow path is the exception.

use super::dialplan::{DialPlan, split_country_code, strips_trunk_zero};
use super::number::{Assumed, Extension, Normalized, NotANumber, NumberKey, PublicNumber};
use super::numbering_plan::NationalReading;
use super::written::{Digits, Parsed, parse_text, trim};

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
/// letters (phonenumber issue #100); `+` numbers are parsed without a default region
/// (phonenumber issue #30).
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
