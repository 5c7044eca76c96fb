//! The dial plan of one line: which country and area it is in, how its PBX reaches the
//! outside world, and which short numbers are internal extensions.
//!
//! Trunk and international prefixes follow from the country: a built-in table for the
//! countries whose rules matter most to us (DE, AT, CH, GB, US, CA, FR, IT), and the
//! `phonenumber` crate's metadata for every other country. How numbers written without
//! country code read, and how numbers of the country are dialled within it, follow
//! the country's numbering plan in that metadata (see `numbering_plan.rs`): where a
//! trunk prefix exists, which numbers are complete without it, their lengths and
//! national formats. The built-in countries other than Italy keep a fast path that
//! needs none of it: a number with the trunk prefix is national, any other is local.
//! That metadata is read once, when the first plan of a country is made (or by
//! [`preload`]), never while a call is ringing.

use std::fmt;
use std::sync::OnceLock;

use super::numbering_plan::NumberingPlan;
use crate::error::{Error, Result};

/// Country codes are at most three digits; this table says which of the 1000 exist.
struct CountryCodes {
    valid: Vec<bool>,
    /// The country code's usual trunk prefix is `0` and no national number starts with
    /// `0`, so `+49 (0)30`/`+49 030` written with the trunk zero can drop it.
    strips_zero: Vec<bool>,
}

static COUNTRY_CODES: OnceLock<CountryCodes> = OnceLock::new();

/// Countries whose national numbers keep a leading zero after the country code (the
/// "Italian leading zero"): the zero is part of the number, not a trunk prefix.
const LEADING_ZERO_CODES: &[u16] = &[39, 378, 225, 241, 242];

fn country_codes() -> &'static CountryCodes {
    COUNTRY_CODES.get_or_init(|| {
        let mut valid = vec![false; 1000];
        let mut strips_zero = vec![false; 1000];
        for meta in phonenumber::metadata::DATABASE.iter() {
            let cc = usize::from(meta.country_code());
            if cc < 1000 {
                valid[cc] = true;
                if meta.national_prefix() == Some("0")
                    && !LEADING_ZERO_CODES.contains(&meta.country_code())
                {
                    strips_zero[cc] = true;
                }
            }
        }
        CountryCodes { valid, strips_zero }
    })
}

/// Loads the `phonenumber` metadata and the country code table now.
///
/// [`DialPlan::new`] does this too; call it at start-up when numbers may be normalised
/// before any plan is made, so that the first incoming call does not pay for it.
pub fn preload() {
    let _ = country_codes();
}

/// Splits a country code off the front of `digits` (country codes are prefix-free).
pub(crate) fn split_country_code(digits: &[u8]) -> Option<(u16, usize)> {
    let table = country_codes();
    if digits.first() == Some(&b'0') {
        return None; // no country code starts with 0
    }
    let mut cc = 0usize;
    for (i, d) in digits.iter().take(3).enumerate() {
        cc = cc * 10 + usize::from(d - b'0');
        if table.valid[cc] && cc != 0 {
            return Some((cc as u16, i + 1));
        }
    }
    None
}

/// True when numbers of `country_code` written as `+CC 0…` carry a trunk zero to drop.
pub(crate) fn strips_trunk_zero(country_code: u16) -> bool {
    country_codes()
        .strips_zero
        .get(usize::from(country_code))
        .copied()
        .unwrap_or(false)
}

/// How numbers are written and dialled in one country.
#[derive(Clone, PartialEq, Eq)]
pub struct CountryRules {
    iso: [u8; 2],
    calling_code: u16,
    trunk_prefix: Option<Box<str>>,
    international_prefix: Box<str>,
    closed_numbering: bool,
    /// The country's numbering plan from the metadata.
    numbering: Option<&'static NumberingPlan>,
    /// A national number is the trunk prefix and the number, and anything else is
    /// local: no pattern of the numbering plan needs to be matched.
    trunk_always: bool,
}

impl CountryRules {
    /// The rules of the country with ISO 3166 code `iso` (`"DE"`, `"it"`, ...).
    ///
    /// # Errors
    /// [`Error::Config`] when the code is not a country the metadata knows.
    pub fn for_country(iso: &str) -> Result<CountryRules> {
        let upper = iso.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(Error::Config(format!("not an ISO country code: {iso:?}")));
        }
        let iso2 = [bytes[0], bytes[1]];
        // (calling code, trunk prefix, international prefix, closed numbering,
        // every national number is written with the trunk prefix)
        let known: Option<(u16, Option<&str>, &str, bool, bool)> = match &upper[..] {
            "DE" => Some((49, Some("0"), "00", false, true)),
            "AT" => Some((43, Some("0"), "00", false, true)),
            // Switzerland, France and Italy have closed numbering plans: the area code
            // is always dialled, even within the area.
            "CH" => Some((41, Some("0"), "00", true, true)),
            "GB" => Some((44, Some("0"), "00", false, true)),
            "US" | "CA" => Some((1, Some("1"), "011", false, false)),
            "FR" => Some((33, Some("0"), "00", true, true)),
            // No trunk prefix: the leading 0 of Italian fixed-line numbers is part of
            // the number and stays after +39. Which numbers are complete (fixed
            // lines, mobiles, toll-free, ...) is the metadata's to say.
            "IT" => Some((39, None, "00", true, false)),
            _ => None,
        };
        preload();
        let numbering = NumberingPlan::of(&upper);
        if let Some((calling_code, trunk, intl, closed, trunk_always)) = known {
            return Ok(CountryRules {
                iso: iso2,
                calling_code,
                trunk_prefix: trunk.map(Box::from),
                international_prefix: intl.into(),
                closed_numbering: closed,
                numbering,
                trunk_always,
            });
        }
        let meta = phonenumber::metadata::DATABASE
            .by_id(&upper[..])
            .ok_or_else(|| Error::Config(format!("unknown country: {iso:?}")))?;
        // Where the metadata allows several international prefixes (carrier
        // selection), the preferred one, or else the smallest it allows; the
        // numbering plan reads every one of them in incoming numbers.
        let international_prefix = numbering
            .and_then(NumberingPlan::dial_international)
            .unwrap_or("00");
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let trunk_prefix = meta.national_prefix().filter(|s| all_digits(s));
        Ok(CountryRules {
            iso: iso2,
            calling_code: meta.country_code(),
            trunk_prefix: trunk_prefix.map(Box::from),
            international_prefix: international_prefix.into(),
            // Without a trunk prefix there are no local numbers: the whole national
            // number is always dialled.
            closed_numbering: trunk_prefix.is_none(),
            trunk_always: numbering.is_some_and(NumberingPlan::trunk_always),
            numbering,
        })
    }

    /// The ISO 3166 code, upper case.
    pub fn iso(&self) -> &str {
        std::str::from_utf8(&self.iso).unwrap_or("??")
    }

    /// The country calling code (`49` for Germany).
    pub fn calling_code(&self) -> u16 {
        self.calling_code
    }

    /// The trunk (national) prefix dialled before the area code, `None` in Italy.
    pub fn trunk_prefix(&self) -> Option<&str> {
        self.trunk_prefix.as_deref()
    }

    /// The prefix dialled before a foreign country code (`00`, `011` in the US).
    pub fn international_prefix(&self) -> &str {
        &self.international_prefix
    }

    /// Whether the area code is dialled even within the area (CH, FR, IT, and every
    /// country without a trunk prefix: ES, PT, PL, DK, ...).
    pub fn closed_numbering(&self) -> bool {
        self.closed_numbering
    }

    /// The numbering plan from the metadata; `None` for none known.
    pub(crate) fn numbering(&self) -> Option<&'static NumberingPlan> {
        self.numbering
    }

    /// Whether a national number is always the trunk prefix and the number, and any
    /// other digits local.
    pub(crate) fn trunk_always(&self) -> bool {
        self.trunk_always
    }

    pub(crate) fn is_nanp(&self) -> bool {
        self.calling_code == 1
    }
}

impl fmt::Debug for CountryRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountryRules")
            .field("iso", &self.iso())
            .field("calling_code", &self.calling_code)
            .field("trunk_prefix", &self.trunk_prefix)
            .field("international_prefix", &self.international_prefix)
            .field("closed_numbering", &self.closed_numbering)
            .finish()
    }
}

/// Where a PBX's outside-line prefix appears, for [`DialPlan::with_outside_line`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutsideLine {
    /// Only dialled: the PBX reports caller numbers as the network delivers them
    /// (`030 8812345`). Most PBXes do.
    DialOnly,
    /// Dialled, and also put in front of the caller numbers the PBX reports
    /// (`0 030 8812345`), so that a call-back works by redialling them: the prefix is
    /// taken off before an incoming number is read.
    AlsoInCallerNumbers,
}

/// The dial plan of one line (one PBX trunk), used to read incoming numbers, to read
/// stored numbers written without a country code, and to dial.
///
/// ```
/// use cti_phonebook::lookup::{DialPlan, OutsideLine};
///
/// let plan = DialPlan::new("DE")?
///     .with_area_code("30")?
///     .with_outside_line("0", OutsideLine::DialOnly)?
///     .with_extension_lengths(&[2, 3]);
/// assert_eq!(plan.normalize("030 1234567")?.e164(), Some("+49301234567".to_string()));
/// assert_eq!(plan.dial("+49 89 1234567")?, "00891234567");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DialPlan {
    pub(crate) country: CountryRules,
    pub(crate) area_code: Box<str>,
    pub(crate) outside_line: Box<str>,
    pub(crate) outside_line_in_caller_numbers: bool,
    /// Bit `n` set: internal extensions have `n` digits.
    pub(crate) extension_lengths: u32,
    pub(crate) min_significant_digits: u8,
    pub(crate) switchboard_max_stripped: u8,
    pub(crate) dial_post_dial: bool,
    pub(crate) dial_local_without_area_code: bool,
}

fn digits_only(what: &str, s: &str) -> Result<Box<str>> {
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '/' | '.'))
        .collect();
    if s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.into())
    } else {
        Err(Error::Config(format!("{what} must be digits: {s:?}")))
    }
}

impl DialPlan {
    /// A plan for a line in the country with ISO 3166 code `iso`, with no area code,
    /// no outside-line prefix, no internal extensions, a minimum of 7 significant
    /// digits for a match and at most 4 digits stripped for a switchboard match.
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown country.
    pub fn new(iso: &str) -> Result<DialPlan> {
        let country = CountryRules::for_country(iso)?;
        let dial_local_without_area_code = !country.closed_numbering;
        Ok(DialPlan {
            country,
            area_code: "".into(),
            outside_line: "".into(),
            outside_line_in_caller_numbers: false,
            extension_lengths: 0,
            min_significant_digits: 7,
            switchboard_max_stripped: 4,
            dial_post_dial: false,
            dial_local_without_area_code,
        })
    }

    /// The own area code, without the trunk prefix (`"30"` for Berlin; in Italy with
    /// its leading zero, `"06"` for Rome). Local numbers (no trunk prefix) get it
    /// prepended. Default: none, so local numbers cannot be read.
    ///
    /// # Errors
    /// [`Error::Config`] when it is not digits.
    pub fn with_area_code(mut self, area_code: &str) -> Result<DialPlan> {
        let mut digits = digits_only("area code", area_code)?;
        if let Some(trunk) = self.country.trunk_prefix()
            && digits.starts_with(trunk)
            && !self.country.is_nanp()
        {
            digits = digits[trunk.len()..].into();
        }
        self.area_code = digits;
        Ok(self)
    }

    /// The PBX's outside-line prefix (often `0` in Germany, `9` in the US) and where
    /// it appears ([`OutsideLine`]). Default: none.
    ///
    /// # Errors
    /// [`Error::Config`] when it is not digits.
    pub fn with_outside_line(mut self, prefix: &str, appears: OutsideLine) -> Result<DialPlan> {
        self.outside_line = digits_only("outside-line prefix", prefix)?;
        self.outside_line_in_caller_numbers =
            appears == OutsideLine::AlsoInCallerNumbers && !self.outside_line.is_empty();
        Ok(self)
    }

    /// The lengths (1 to 10 digits) of internal extensions. A number of such a length
    /// without any prefix is an internal extension, matched only against internal
    /// extensions. Default: none.
    pub fn with_extension_lengths(mut self, lengths: &[u8]) -> DialPlan {
        self.extension_lengths = lengths
            .iter()
            .filter(|&&n| (1..=10).contains(&n))
            .fold(0, |bits, &n| bits | 1 << n);
        self
    }

    /// The fewest significant (national) digits a public number must have to match
    /// anything; shorter numbers never match strangers. Default 7.
    pub fn with_min_significant_digits(mut self, digits: u8) -> DialPlan {
        self.min_significant_digits = digits;
        self
    }

    /// The most trailing digits stripped from a direct-dial number to find its
    /// company's switchboard; 0 turns the switchboard rule off. Default 4.
    pub fn with_switchboard_max_stripped(mut self, digits: u8) -> DialPlan {
        self.switchboard_max_stripped = digits.min(6);
        self
    }

    /// Whether dialling keeps extensions (`;ext=89`, `x89`) and pauses (`,`) as
    /// post-dial digits after a pause, or drops them. Default: dropped.
    pub fn with_post_dial(mut self, keep: bool) -> DialPlan {
        self.dial_post_dial = keep;
        self
    }

    /// Whether numbers in the own area are dialled without the area code. Default:
    /// yes, except in countries with closed numbering (CH, FR, IT, and every
    /// country without a trunk prefix).
    pub fn with_local_dialling(mut self, without_area_code: bool) -> DialPlan {
        self.dial_local_without_area_code = without_area_code;
        self
    }

    /// The country's rules.
    pub fn country(&self) -> &CountryRules {
        &self.country
    }

    /// The own area code (without trunk prefix), empty when not configured.
    pub fn area_code(&self) -> &str {
        &self.area_code
    }

    /// The outside-line prefix, empty when the PBX needs none.
    pub fn outside_line(&self) -> &str {
        &self.outside_line
    }

    /// Whether the PBX puts the outside-line prefix in front of caller numbers.
    pub fn outside_line_in_caller_numbers(&self) -> bool {
        self.outside_line_in_caller_numbers
    }

    /// Whether `len` digits is an internal extension length.
    pub fn is_extension_length(&self, len: usize) -> bool {
        len <= 10 && self.extension_lengths & (1 << len) != 0
    }

    /// The fewest significant digits for a match.
    pub fn min_significant_digits(&self) -> u8 {
        self.min_significant_digits
    }

    /// The most digits stripped for a switchboard match.
    pub fn switchboard_max_stripped(&self) -> u8 {
        self.switchboard_max_stripped
    }
}

impl fmt::Debug for DialPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lengths: Vec<u8> = (1..=10)
            .filter(|&n| self.extension_lengths & (1 << n) != 0)
            .collect();
        f.debug_struct("DialPlan")
            .field("country", &self.country)
            .field("area_code", &self.area_code)
            .field("outside_line", &self.outside_line)
            .field(
                "outside_line_in_caller_numbers",
                &self.outside_line_in_caller_numbers,
            )
            .field("extension_lengths", &lengths)
            .field("min_significant_digits", &self.min_significant_digits)
            .field("switchboard_max_stripped", &self.switchboard_max_stripped)
            .field("dial_post_dial", &self.dial_post_dial)
            .field(
                "dial_local_without_area_code",
                &self.dial_local_without_area_code,
            )
            .finish()
    }
}
