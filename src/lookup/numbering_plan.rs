//! A country's numbering plan as the `phonenumber` metadata describes it, compiled
//! once per country: how a number written without country code reads, and how a
//! number of the country is dialled within it.
//!
//! * The trunk (national) prefix, if the country has one, and the
//!   `national_prefix_for_parsing` pattern with its transform rule, where the
//!   metadata has more than the plain prefix: Argentina's mobile token
//!   (`0 11 15-2345-6789` is `+54 9 11 2345-6789`), Brazil's carrier codes
//!   (`0 21 11 2345-6789`), China's IP-call prefixes.
//! * Which national numbers are complete without a trunk prefix: every valid one
//!   where the country has none (Spain, Denmark, Poland, ...), and those whose
//!   national format leaves the prefix out where it has one (Chinese mobiles,
//!   Brazilian numbers). A number is valid when it matches the country's national
//!   number pattern at one of its possible lengths.
//! * The national format of each number pattern, for dialling: its digits are
//!   what is dialled within the country (`131 2345 6789` for a Chinese mobile,
//!   `011 15-2345-6789` for an Argentinian one).
//!
//! The patterns are compiled here, with the `regex` crate, from the metadata's
//! sources, never matched through the metadata's own regex cache, which thrashes
//! when numbers come from many countries (`phonenumber` #103). A plan is built the
//! first time a dial plan of its country is made and kept for the process.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use phonenumber::metadata::{DATABASE, Metadata};
use regex::{Regex, RegexBuilder};

/// One national format: the numbers it applies to and how it writes them.
#[derive(Debug)]
struct NationalFormat {
    /// The most specific leading-digits pattern, anchored at the start.
    leading: Option<Regex>,
    /// The whole national significant number, with its groups.
    pattern: Regex,
    /// The groups as written (`$1 $2 $3`, Argentina's mobiles `$2 15-$3-$4`).
    format: Box<str>,
    /// How the first group is written nationally, with `$NP` already replaced by
    /// the trunk prefix and `$FG` for the group (`0$FG`, `($FG)`); `None` when
    /// the national format has no prefix.
    first_group: Option<Box<str>>,
}

impl NationalFormat {
    fn applies_to(&self, nsn: &str) -> bool {
        self.leading.as_ref().is_none_or(|l| l.is_match(nsn)) && self.pattern.is_match(nsn)
    }

    /// Whether the national format writes the trunk prefix.
    fn writes_trunk(&self, trunk: &str) -> bool {
        self.first_group.as_deref().is_some_and(|r| {
            r.split("$FG")
                .next()
                .is_some_and(|before| before.contains(trunk))
        })
    }

    /// The number in this format, as text (`011 15-2345-6789`).
    fn write(&self, nsn: &str) -> Option<String> {
        let groups = self.pattern.captures(nsn)?;
        let mut format = self.format.to_string();
        if let Some(rule) = &self.first_group
            && let Some(at) = format.find('$')
            && format
                .as_bytes()
                .get(at + 1)
                .is_some_and(u8::is_ascii_digit)
        {
            let token = format[at..at + 2].to_string();
            format.replace_range(at..at + 2, &rule.replace("$FG", &token));
        }
        let mut out = String::with_capacity(format.len() + 4);
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek().and_then(|d| d.to_digit(10))) {
                ('$', Some(n)) => {
                    chars.next();
                    out.push_str(groups.get(n as usize).map_or("", |g| g.as_str()));
                }
                _ => out.push(c),
            }
        }
        Some(out)
    }
}

/// A country's numbering plan, from the `phonenumber` metadata.
#[derive(Debug)]
pub(crate) struct NumberingPlan {
    id: Box<str>,
    trunk: Option<Box<str>>,
    /// The international prefixes, anchored at the start, where the metadata allows
    /// more than one (`00(?:1[245]|2[1-35]|...)`, Brazil's carrier selection).
    international: Option<Regex>,
    /// The international prefix to dial: the preferred one, or the only one, or
    /// else the smallest the pattern allows.
    dial_international: Option<Box<str>>,
    /// The national prefix for parsing, anchored at the start, when it is more than
    /// the plain trunk prefix; with the transform rule (`9$1`) where there is one.
    parsing: Option<(Regex, Option<Box<str>>)>,
    /// The national significant number pattern of every valid number.
    valid: Option<Regex>,
    /// Bit `n` set: `n` digits is a possible length of a national number.
    lengths: u32,
    /// Bit `n` set: `n` digits is a possible length of a local number only.
    local_lengths: u32,
    formats: Vec<NationalFormat>,
    /// The country has a trunk prefix, nothing else to strip, and every national
    /// format writes it: a national number is the prefix and the number, and
    /// anything else is local. No pattern needs to be matched.
    trunk_always: bool,
}

impl PartialEq for NumberingPlan {
    fn eq(&self, other: &NumberingPlan) -> bool {
        self.id == other.id
    }
}

impl Eq for NumberingPlan {}

/// What digits written without country code are under a numbering plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NationalReading {
    /// A complete national significant number, held in the buffer given (a prefix
    /// stripped, transformed where the plan says so).
    National(usize),
    /// A number local to an area: the area code is missing.
    Local,
}

fn compile(source: &str, whole: bool) -> Option<Regex> {
    let anchored = if whole {
        format!("^(?:{source})$")
    } else {
        format!("^(?:{source})")
    };
    RegexBuilder::new(&anchored)
        .ignore_whitespace(true)
        .size_limit(1 << 22)
        .build()
        .ok()
}

fn length_bits(lengths: &[u16]) -> u32 {
    lengths
        .iter()
        .filter(|&&n| n < 32)
        .fold(0, |bits, &n| bits | 1 << n)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl NumberingPlan {
    /// The plan of region `id` (an upper-case ISO code), built on first use.
    pub(crate) fn of(id: &str) -> Option<&'static NumberingPlan> {
        static PLANS: OnceLock<Mutex<HashMap<Box<str>, &'static NumberingPlan>>> = OnceLock::new();
        let plans = PLANS.get_or_init(Mutex::default);
        if let Some(&plan) = plans.lock().unwrap_or_else(|e| e.into_inner()).get(id) {
            return Some(plan);
        }
        let meta = DATABASE.by_id(id)?;
        // Built outside the lock: threads racing for a new region each build one,
        // the first is kept and the others stay unused (once per region at most).
        let plan: &'static NumberingPlan = Box::leak(Box::new(NumberingPlan::new(meta)));
        Some(
            *plans
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(id.into())
                .or_insert(plan),
        )
    }

    fn new(meta: &Metadata) -> NumberingPlan {
        let trunk = meta.national_prefix().filter(|p| all_digits(p));
        let intl_source = meta.international_prefix().map(|re| re.as_str());
        let international = intl_source
            .filter(|src| !all_digits(src))
            .and_then(|src| compile(src, false));
        let dial_international = match (intl_source, meta.preferred_international_prefix()) {
            (Some(p), _) if all_digits(p) => Some(p.into()),
            (_, Some(p)) if all_digits(p) => Some(p.into()),
            (Some(src), _) => compile(src, true).and_then(|whole| smallest_match(&whole)),
            (None, _) => None,
        };
        let parsing = meta
            .national_prefix_for_parsing()
            .map(|re| re.as_str())
            .filter(|src| Some(*src) != trunk)
            .and_then(|src| compile(src, false))
            .map(|re| {
                let rule = meta.national_prefix_transform_rule().map(Box::<str>::from);
                (re, rule)
            });
        let d = meta.descriptors();
        let typed = [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ];
        let mut lengths = length_bits(d.general().possible_length());
        let mut local_lengths = length_bits(d.general().possible_local_length());
        for t in typed.iter().flatten() {
            lengths |= length_bits(t.possible_length());
            local_lengths |= length_bits(t.possible_local_length());
        }
        // Regions that share a country code and have no formats of their own are
        // written in the formats of the code's main region (Guernsey in Britain's).
        let mut sources = meta.formats();
        if sources.is_empty()
            && let Some(main) = DATABASE
                .by_code(&meta.country_code())
                .and_then(|all| all.into_iter().find(|m| m.is_main_country_for_code()))
        {
            sources = main.formats();
        }
        let formats: Vec<NationalFormat> = sources
            .iter()
            .filter_map(|f| {
                Some(NationalFormat {
                    leading: match f.leading_digits().last() {
                        Some(l) => Some(compile(l.as_str(), false)?),
                        None => None,
                    },
                    pattern: compile(f.pattern().as_str(), true)?,
                    format: f.format().into(),
                    first_group: f
                        .national_prefix()
                        .map(|r| r.replace("$NP", trunk.unwrap_or("")).into()),
                })
            })
            .collect();
        let trunk_always = trunk.is_some_and(|t| {
            parsing.is_none() && !formats.is_empty() && formats.iter().all(|f| f.writes_trunk(t))
        });
        NumberingPlan {
            id: meta.id().into(),
            trunk: trunk.map(Box::from),
            international,
            dial_international,
            parsing,
            valid: compile(d.general().national_number().as_str(), true),
            lengths,
            local_lengths,
            formats,
            trunk_always,
        }
    }

    /// Whether every national number is written with the trunk prefix, so that
    /// any other digits are local.
    pub(crate) fn trunk_always(&self) -> bool {
        self.trunk_always
    }

    /// The international prefix to dial: the metadata's preferred one, its only
    /// one, or where it allows several and prefers none, the smallest it allows
    /// (Singapore `000`, Brazil `0012`, Korea `001`).
    pub(crate) fn dial_international(&self) -> Option<&str> {
        self.dial_international.as_deref()
    }

    /// How many digits of `digits` are an international prefix, where the country
    /// has several (`0021` in Brazil, `001` in Singapore) and more digits follow.
    pub(crate) fn international_prefix_len(&self, digits: &str) -> Option<usize> {
        let end = self.international.as_ref()?.find(digits)?.end();
        (end > 0 && end < digits.len()).then_some(end)
    }

    /// Whether `nsn` is a valid national significant number: one of the possible
    /// lengths, and the national number pattern.
    pub(crate) fn is_valid(&self, nsn: &str) -> bool {
        nsn.len() < 32
            && self.lengths & (1 << nsn.len()) != 0
            && self.valid.as_ref().is_some_and(|v| v.is_match(nsn))
    }

    fn format_of(&self, nsn: &str) -> Option<&NationalFormat> {
        self.formats.iter().find(|f| f.applies_to(nsn))
    }

    /// Reads `digits`, a number written without country code (and without
    /// international or outside-line prefix), into `out`; `area_code`: the line has
    /// an area code to complete local numbers with.
    ///
    /// * The trunk prefix, or the national prefix for parsing, is stripped, and
    ///   transformed where the plan says so, when what is left is a valid number
    ///   (or the whole was not one either).
    /// * Where the country has a trunk prefix, and so local dialling, digits of a
    ///   local number's length are local when the line has an area code (`6234 5678`
    ///   on a Beijing line).
    /// * A valid number is complete where the country has no trunk prefix, or its
    ///   national format leaves the prefix out (Chinese mobiles, Brazilian
    ///   numbers) or no national format applies, so that the metadata writes it
    ///   bare (Kiribati).
    /// * Anything else is local where the country has a trunk prefix. In a closed
    ///   plan only digits of a local length that are shorter than every national
    ///   number are; the rest is read as a national number, which simply matches
    ///   nothing when it is wrong.
    pub(crate) fn read(
        &self,
        digits: &str,
        area_code: bool,
        out: &mut [u8; 32],
    ) -> NationalReading {
        let trunk = self.trunk.as_deref();
        if self.trunk_always {
            return match trunk {
                Some(t) if digits.len() > t.len() && digits.starts_with(t) => {
                    national(&digits[t.len()..], out)
                }
                _ => NationalReading::Local,
            };
        }
        if let Some(stripped) = self.strip_prefix(digits, out) {
            return stripped;
        }
        let n = digits.len();
        let local_length = n < 32 && self.local_lengths & (1 << n) != 0;
        if trunk.is_some() && area_code && local_length {
            return NationalReading::Local;
        }
        let complete = self.is_valid(digits)
            && trunk.is_none_or(|t| self.format_of(digits).is_none_or(|f| !f.writes_trunk(t)));
        if complete {
            return national(digits, out);
        }
        let shorter_than_any = n < 32 && self.lengths & ((1u32 << n) | ((1u32 << n) - 1)) == 0;
        if trunk.is_some() || (local_length && shorter_than_any) {
            NationalReading::Local
        } else {
            national(digits, out)
        }
    }

    /// The national significant number after the national prefix, if `digits`
    /// starts with one that may be stripped.
    fn strip_prefix(&self, digits: &str, out: &mut [u8; 32]) -> Option<NationalReading> {
        let was_valid = || self.is_valid(digits);
        if let Some((re, rule)) = &self.parsing {
            let caps = re.captures(digits)?;
            let end = caps.get(0)?.end();
            let rest = &digits[end..];
            let last = caps.len().checked_sub(1).and_then(|i| caps.get(i));
            let mut nsn = String::with_capacity(digits.len());
            match (rule, last) {
                (Some(rule), Some(_)) if caps.len() > 1 => {
                    caps.expand(rule, &mut nsn);
                    nsn.push_str(rest);
                }
                _ if end == 0 => return None,
                _ => nsn.push_str(rest),
            }
            if nsn.is_empty() || !all_digits(&nsn) || (!self.is_valid(&nsn) && was_valid()) {
                return None;
            }
            return Some(national(&nsn, out));
        }
        let t = self.trunk.as_deref()?;
        let rest = digits.strip_prefix(t).filter(|r| !r.is_empty())?;
        if !self.is_valid(rest) && was_valid() {
            return None;
        }
        Some(national(rest, out))
    }

    /// The digits of `nsn`'s national format, as dialled within the country: with
    /// the trunk prefix only where the format writes one (`0 30 1234567`, but
    /// `131 2345 6789` for a Chinese mobile); `None` when no format applies.
    pub(crate) fn national_digits(&self, nsn: &str) -> Option<String> {
        let written = self.format_of(nsn)?.write(nsn)?;
        Some(written.chars().filter(char::is_ascii_digit).collect())
    }
}

/// The smallest digit string of two to five digits that `whole` (anchored at both
/// ends) matches, shortest first.
fn smallest_match(whole: &Regex) -> Option<Box<str>> {
    (2..=5u32).find_map(|len| {
        (0..10u32.pow(len))
            .map(|n| format!("{n:0width$}", width = len as usize))
            .find(|candidate| whole.is_match(candidate))
            .map(Box::from)
    })
}

fn national(nsn: &str, out: &mut [u8; 32]) -> NationalReading {
    let n = nsn.len().min(out.len());
    out[..n].copy_from_slice(&nsn.as_bytes()[..n]);
    NationalReading::National(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(region: &str, digits: &str, area_code: bool) -> Option<String> {
        let plan = NumberingPlan::of(region)?;
        let mut out = [0u8; 32];
        match plan.read(digits, area_code, &mut out) {
            NationalReading::National(n) => Some(String::from_utf8_lossy(&out[..n]).into()),
            NationalReading::Local => None,
        }
    }

    #[test]
    fn prefixes_are_stripped_and_transformed_as_the_metadata_says() {
        // Argentina: the mobile token 15 after the area code becomes a 9 in front.
        assert_eq!(
            read("AR", "0111523456789", false).as_deref(),
            Some("91123456789")
        );
        assert_eq!(
            read("AR", "01123456789", false).as_deref(),
            Some("1123456789")
        );
        // Brazil: a carrier code between trunk and area code goes.
        assert_eq!(
            read("BR", "0211123456789", false).as_deref(),
            Some("1123456789")
        );
        // No trunk prefix: a valid number is complete, area code or not.
        assert_eq!(read("ES", "612345678", true).as_deref(), Some("612345678"));
        // A trunk prefix that every format writes: without it, a number is local.
        let se = NumberingPlan::of("SE").unwrap();
        assert!(se.trunk_always());
        assert_eq!(read("SE", "81234567", true), None);
        assert!(!NumberingPlan::of("CN").unwrap().trunk_always());
    }

    #[test]
    fn national_formats_write_prefix_and_tokens_where_they_belong() {
        let digits = |region: &str, nsn: &str| NumberingPlan::of(region)?.national_digits(nsn);
        assert_eq!(
            digits("AR", "91123456789").as_deref(),
            Some("0111523456789")
        );
        assert_eq!(digits("CN", "13123456789").as_deref(), Some("13123456789"));
        assert_eq!(digits("CN", "1012345678").as_deref(), Some("01012345678"));
        assert_eq!(digits("BR", "1123456789").as_deref(), Some("1123456789"));
        assert_eq!(digits("ES", "612345678").as_deref(), Some("612345678"));
        assert_eq!(NumberingPlan::of("XX"), None);
    }
}
