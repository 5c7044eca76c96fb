//! Every region's numbering plan, table-driven from the `phonenumber` metadata: the
//! example number of every type (fixed line, mobile, toll-free, premium rate, shared
//! cost, personal, VoIP, pager, UAN, voicemail) of every region, read and dialled
//! on a line in that region and from a second one.
//!
//! For each example:
//! 1. its national digits (the digits of the metadata's national format, as a PBX in
//!    the region delivers a domestic caller) read on a line of the region give the
//!    E.164 key;
//! 2. its E.164 form dialled on a line of the region gives those national digits;
//! 3. dialled on a line of a second region (Germany; Austria for German numbers) it
//!    gives that region's international prefix, the country code and the national
//!    significant number.
//!
//! And for each region, a number abroad dialled on its line starts with the
//! region's international prefix, and those digits read back on its line.
//!
//! The national format comes from the `phonenumber` crate's own formatter, an
//! oracle independent of the crate's reading and dialling. What does not hold is
//! listed in `EXCEPTIONS` with the reason; an exception that no longer fails
//! fails the test too, so that the list stays true.

use cti_phonebook::lookup::DialPlan;
use phonenumber::Mode;
use phonenumber::metadata::DATABASE;

/// (region, or `+1` for every NANP region; example type or `*`; check 1-3, or 0 for
/// all; why).
const EXCEPTIONS: &[(&str, &str, u8, &str)] = &[
    (
        "+1",
        "*",
        2,
        "the NANP dials its trunk 1 before every national number (1 212 555 0147), \
         which its national format (212-555-0147) leaves out",
    ),
    (
        "CA",
        "uan",
        1,
        "seven digits on a NANP line are a local number; the 310-xxxx numbers are \
         seven-digit service numbers",
    ),
    (
        "DE",
        "pager",
        0,
        "Germany's built-in rule: every national number is dialled and delivered \
         with the trunk 0 (0164 12345); the metadata has no national format for \
         pagers, so the oracle writes the number bare",
    ),
    (
        "BY",
        "toll_free",
        0,
        "the phonenumber crate's formatter drops digits (801 123 4567 comes out as \
         11234567); we read and dial 8 801 123 4567",
    ),
    (
        "LT",
        "toll_free",
        0,
        "the phonenumber crate's formatter drops digits (0 800 12 345 comes out as \
         012345); we read and dial 0 800 12 345",
    ),
    (
        "LT",
        "shared_cost",
        0,
        "the phonenumber crate's formatter drops digits (0 808 12 345 comes out as \
         812345); we read and dial 0 808 12 345",
    ),
    (
        "LT",
        "voip",
        0,
        "the phonenumber crate's formatter drops digits (0 801 23 456 comes out as \
         123456); we read and dial 0 801 23 456",
    ),
    (
        "RU",
        "toll_free",
        0,
        "the phonenumber crate's formatter drops digits (8 (800) 123-45-67 comes \
         out as 001234567); we read and dial 8 800 123 45 67",
    ),
    (
        "RU",
        "premium_rate",
        0,
        "the phonenumber crate's formatter drops digits (8 (809) ... comes out as \
         091234567); we read and dial 8 809 123 45 67",
    ),
    (
        "RU",
        "personal_number",
        0,
        "the phonenumber crate's formatter drops digits (8 (808) ... comes out as \
         081234567); we read and dial 8 808 123 45 67",
    ),
    (
        "KZ",
        "toll_free",
        0,
        "Kazakhstan is written in Russia's formats (+7): as RU toll_free",
    ),
    (
        "KZ",
        "premium_rate",
        0,
        "Kazakhstan is written in Russia's formats (+7): as RU premium_rate",
    ),
    (
        "KZ",
        "personal_number",
        0,
        "Kazakhstan is written in Russia's formats (+7): as RU personal_number",
    ),
];

/// Whether an exception's region `r` names `region`.
fn is_region(r: &str, region: &str) -> bool {
    r == region
        || (r == "+1"
            && DATABASE
                .by_id(region)
                .is_some_and(|m| m.country_code() == 1))
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[test]
fn every_region_reads_and_dials_its_example_numbers() {
    let mut regions: Vec<_> = DATABASE.iter().collect();
    regions.sort_by_key(|m| m.id().to_owned());
    // (region, type, check, what happened)
    let mut failures: Vec<(String, &str, u8, String)> = Vec::new();
    let mut checked = 0usize;
    for meta in regions {
        let region = meta.id();
        let Ok(plan) = DialPlan::new(region) else {
            // `001`: the non-geographic codes (+800, +808, +870, ...) are no country
            // a line can be in.
            assert!(!region.chars().all(|c| c.is_ascii_alphabetic()), "{region}");
            continue;
        };
        let cc = meta.country_code();
        let second = DialPlan::new(if cc == 49 { "AT" } else { "DE" }).unwrap();
        let d = meta.descriptors();
        let types = [
            ("fixed_line", d.fixed_line()),
            ("mobile", d.mobile()),
            ("toll_free", d.toll_free()),
            ("premium_rate", d.premium_rate()),
            ("shared_cost", d.shared_cost()),
            ("personal_number", d.personal_number()),
            ("voip", d.voip()),
            ("pager", d.pager()),
            ("uan", d.uan()),
            ("voicemail", d.voicemail()),
        ];
        // 4. A German number dialled on a line of the region: the region's
        //    international prefix (the metadata's only or preferred one; where it
        //    allows several and prefers none, any it allows), 49 and the number;
        // 5. and those digits, as the region's PBX delivers a caller from abroad,
        //    read back as the German number.
        let berlin = if cc == 49 {
            "+4312345678"
        } else {
            "+49301234567"
        };
        let abroad = plan.dial(berlin).unwrap_or_default();
        let prefix = abroad.strip_suffix(&berlin[1..]).unwrap_or("");
        let intl = meta
            .international_prefix()
            .map(|re| re.as_str())
            .unwrap_or("");
        let allowed = match meta.preferred_international_prefix() {
            _ if digits(intl) == intl && !intl.is_empty() => prefix == intl,
            Some(p) if digits(p) == p => prefix == p,
            _ => meta
                .international_prefix()
                .and_then(|re| re.find(prefix))
                .is_some_and(|m| m.start() == 0 && m.end() == prefix.len() && !prefix.is_empty()),
        };
        checked += 1;
        if !allowed {
            let what = format!("dial {berlin} -> {abroad:?}, international prefix {intl}");
            failures.push((region.to_owned(), "abroad", 4, what));
        }
        let back = plan.normalize(&abroad).ok().and_then(|n| n.e164());
        if back.as_deref() != Some(berlin) {
            let what = format!("read {abroad} -> {back:?}, want {berlin}");
            failures.push((region.to_owned(), "abroad", 5, what));
        }
        for (kind, desc) in types {
            let Some(nsn) = desc.and_then(|d| d.example()) else {
                continue;
            };
            let e164 = format!("+{cc}{nsn}");
            let parsed = phonenumber::parse(None, &e164).unwrap();
            let national = digits(&parsed.format().mode(Mode::National).to_string());
            checked += 1;

            let key = plan.normalize(&national).ok().and_then(|n| n.e164());
            if key.as_deref() != Some(&*e164) {
                let what = format!("read {national} -> {key:?}, want {e164}");
                failures.push((region.to_owned(), kind, 1, what));
            }
            let dialled = plan.dial(&e164).ok();
            if dialled.as_deref() != Some(&*national) {
                let what = format!("dial {e164} -> {dialled:?}, want {national}");
                failures.push((region.to_owned(), kind, 2, what));
            }
            let abroad = format!("{}{cc}{nsn}", second.country().international_prefix());
            let dialled = second.dial(&e164).ok();
            if dialled.as_deref() != Some(&*abroad) {
                let from = second.country().iso();
                let what = format!("dial from {from} {e164} -> {dialled:?}, want {abroad}");
                failures.push((region.to_owned(), kind, 3, what));
            }
        }
    }
    let excepted = |region: &str, kind: &str, check: u8| {
        EXCEPTIONS.iter().any(|&(r, k, c, _)| {
            is_region(r, region) && (k == "*" || k == kind) && (c == 0 || c == check)
        })
    };
    eprintln!(
        "{checked} example numbers checked, {} failures",
        failures.len()
    );
    let mut unexpected = 0;
    for (region, kind, check, what) in &failures {
        let known = excepted(region, kind, *check);
        unexpected += usize::from(!known);
        let mark = if known { "excepted" } else { "FAILED" };
        eprintln!("{mark}: {region} {kind} check {check}: {what}");
    }
    assert_eq!(unexpected, 0, "unexpected failures, listed above");
    for &(r, k, c, why) in EXCEPTIONS {
        assert!(
            failures
                .iter()
                .any(|(region, kind, check, _)| is_region(r, region)
                    && (k == "*" || k == *kind)
                    && (c == 0 || c == *check)),
            "exception {r} {k} {c} ({why}) no longer fails"
        );
    }
}

/// Where the oracle's national format is wrong (see `EXCEPTIONS`), the national
/// digits as libphonenumber writes them read and dial right.
#[test]
fn numbers_the_oracle_formats_wrong_read_and_dial_right() {
    for (region, national, e164) in [
        ("BY", "88011234567", "+3758011234567"),
        ("LT", "080012345", "+37080012345"),
        ("LT", "080812345", "+37080812345"),
        ("LT", "080123456", "+37080123456"),
        ("RU", "88001234567", "+78001234567"),
        ("RU", "88091234567", "+78091234567"),
        ("KZ", "88001234567", "+78001234567"),
        ("DE", "016412345", "+4916412345"),
    ] {
        let plan = DialPlan::new(region).unwrap();
        let key = plan.normalize(national).ok().and_then(|n| n.e164());
        assert_eq!(key.as_deref(), Some(e164), "{region} {national}");
        assert_eq!(plan.dial(e164).as_deref(), Ok(national), "{region} {e164}");
    }
}

/// A domestic caller as a PBX of each country delivers it, and the digits dialled
/// within the country: closed plans without a trunk prefix (ES, PT, PL, CZ, DK, NO,
/// GR, HK, SG, MX, CL), Brazil's numbers without trunk, Chinese mobiles, and
/// Argentina's mobile token.
#[test]
fn domestic_callers_of_every_kind_of_plan() {
    // (line, area code, as delivered, E.164)
    let reads: &[(&str, &str, &str, &str)] = &[
        ("ES", "", "612345678", "+34612345678"),
        ("ES", "", "912 345 678", "+34912345678"),
        // An area code does not turn a complete national number into a local one.
        ("ES", "91", "612345678", "+34612345678"),
        ("PT", "", "912345678", "+351912345678"),
        ("PL", "", "123456789", "+48123456789"),
        ("CZ", "", "212345678", "+420212345678"),
        ("DK", "", "32123456", "+4532123456"),
        ("NO", "", "21234567", "+4721234567"),
        ("GR", "", "2123456789", "+302123456789"),
        ("HK", "", "21234567", "+85221234567"),
        ("SG", "", "61234567", "+6561234567"),
        ("MX", "", "2001234567", "+522001234567"),
        ("CL", "", "221234567", "+56221234567"),
        ("BR", "", "1123456789", "+551123456789"),
        ("BR", "", "11961234567", "+5511961234567"),
        ("BR", "", "0 21 11 2345-6789", "+551123456789"),
        ("CN", "", "13123456789", "+8613123456789"),
        ("CN", "", "010 1234 5678", "+861012345678"),
        // Local numbers only where they are too short to be national ones: the
        // metadata's local-only lengths (5 and 6 digits in China).
        ("CN", "10", "234567", "+8610234567"),
        ("CN", "10", "13123456789", "+8613123456789"),
        ("AR", "", "011 15-2345-6789", "+5491123456789"),
        ("AR", "", "011 2345-6789", "+541123456789"),
        ("IT", "06", "800 123456", "+39800123456"),
        ("DE", "30", "1234567", "+49301234567"),
        // Callers from abroad behind any of the country's international prefixes.
        ("BR", "", "0021 49 30 1234567", "+49301234567"),
        ("BR", "", "0015 49 30 1234567", "+49301234567"),
        ("SG", "", "008 49 30 1234567", "+49301234567"),
        ("KR", "", "00700 49 30 1234567", "+49301234567"),
        ("CN", "", "17951 00 49 30 1234567", "+49301234567"),
    ];
    for &(line, area, delivered, e164) in reads {
        let mut plan = DialPlan::new(line).unwrap();
        if !area.is_empty() {
            plan = plan.with_area_code(area).unwrap();
        }
        let key = plan.normalize(delivered).map(|n| n.e164());
        assert_eq!(key, Ok(Some(e164.to_owned())), "{line} {delivered}");
    }
    // (line, number, dialled within the country)
    let dials: &[(&str, &str, &str)] = &[
        ("ES", "+34 612 345 678", "612345678"),
        ("CZ", "+420 212 345 678", "212345678"),
        ("BR", "+55 11 2345-6789", "1123456789"),
        ("CN", "+86 131 2345 6789", "13123456789"),
        ("CN", "+86 10 1234 5678", "01012345678"),
        ("AR", "+54 9 11 2345-6789", "0111523456789"),
        ("AR", "+54 11 2345-6789", "01123456789"),
        ("MX", "+52 200 123 4567", "2001234567"),
        ("DE", "+49 89 1234567", "0891234567"),
        ("US", "+1 212 555 0147", "12125550147"),
        // Abroad: the only or preferred international prefix, or the smallest one
        // the metadata allows where it prefers none.
        ("RU", "+49 30 1234567", "81049301234567"),
        ("AU", "+49 30 1234567", "001149301234567"),
        ("KR", "+49 30 1234567", "00149301234567"),
        ("BR", "+49 30 1234567", "001249301234567"),
    ];
    for &(line, number, want) in dials {
        let plan = DialPlan::new(line).unwrap();
        assert_eq!(plan.dial(number).as_deref(), Ok(want), "{line} {number}");
    }
    // Closed plans have no local numbers, so local dialling is off by default.
    assert!(DialPlan::new("ES").unwrap().country().closed_numbering());
    assert!(!DialPlan::new("CN").unwrap().country().closed_numbering());
}

proptest::proptest! {
    /// Lines in countries read by their numbering plan take any phone-like text
    /// without a panic.
    #[test]
    fn plans_from_the_metadata_take_any_number(
        line in proptest::sample::select(&["AR", "BR", "CN", "ES", "RU", "JP", "LT", "KI", "IT", "MX"][..]),
        text in "[+]?[0-9 ]{0,20}",
    ) {
        let plan = DialPlan::new(line).unwrap();
        let _ = plan.normalize(&text);
        let _ = plan.dial(&text);
    }
}

proptest::proptest! {
    // The `phonenumber` validity check, the oracle here, costs about a millisecond
    // when regions change (its regex cache thrashes).
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// A valid number (an example number with other last digits, valid by the
    /// metadata) dialled within its country reads back as the same number.
    #[test]
    fn valid_numbers_dialled_within_their_country_read_back(
        region in proptest::sample::select(&["AR", "BR", "CN", "ES", "RU", "JP", "LT", "MX", "PL", "GR", "HK", "CL"][..]),
        mobile in proptest::bool::ANY,
        last in 0u32..1000,
    ) {
        let meta = DATABASE.by_id(region).unwrap();
        let d = meta.descriptors();
        let example = if mobile { d.mobile() } else { d.fixed_line() }
            .and_then(|d| d.example())
            .unwrap();
        let nsn = format!("{}{last:03}", &example[..example.len() - 3]);
        let e164 = format!("+{}{nsn}", meta.country_code());
        let valid = phonenumber::parse(None, &e164).is_ok_and(|n| phonenumber::is_valid(&n));
        proptest::prop_assume!(valid);
        let plan = DialPlan::new(region).unwrap();
        let dialled = plan.dial(&e164).unwrap();
        let again = plan.normalize(&dialled).ok().and_then(|n| n.e164());
        proptest::prop_assert_eq!(again.as_deref(), Some(&*e164), "dialled {}", dialled);
    }
}

/// Every region's line takes digit strings of every length without a panic, and
/// what it reads as a public number reads back from its E.164 form to the same key.
#[test]
fn every_region_reads_any_digits_and_its_keys_read_back() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut read = 0usize;
    for meta in DATABASE.iter() {
        let Ok(plan) = DialPlan::new(meta.id()) else {
            continue;
        };
        for len in 1..=18 {
            for _ in 0..8 {
                let digits: String = (0..len)
                    .map(|_| char::from(b'0' + (next() % 10) as u8))
                    .collect();
                let _ = plan.dial(&digits);
                let Ok(n) = plan.normalize(&digits) else {
                    continue;
                };
                let (Some(e164), Some(key)) = (n.e164(), n.key()) else {
                    continue;
                };
                read += 1;
                let again = plan.normalize(&e164).ok().and_then(|n| n.key());
                assert_eq!(again, Some(key), "{} {digits} -> {e164}", meta.id());
            }
        }
    }
    assert!(read > 10_000, "{read}");
}
