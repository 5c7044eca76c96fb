//! What normalisation gives: the public types of a number read under a dial plan
//! ([`Normalized`]: a [`PublicNumber`] with its [`NumberKey`], or an internal
//! [`Extension`]) and why a text is none ([`NotANumber`]).

use std::fmt;

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
