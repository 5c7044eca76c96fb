//! Regression tests for what the fuzz targets in `fuzz/` found. Each test
//! names the target and the artifact's input.

use cti_phonebook::DialPlan;

/// `normalize`, artifact `crash-3b13c742…`: under the Italian plan, text the fast
/// path rejects (here two U+FFFD) goes to the `phonenumber` crate, which read
/// `0 (04)30 123455/0564.0` as `+43 0123455…`, keeping Austria's trunk zero as an
/// Italian leading zero; the E.164 form of that key normalised to another key.
#[test]
fn normalize_e164_round_trip_it_plan() {
    let plan = DialPlan::new("IT").unwrap();
    // (input, whether it must normalise): the artifacts may be rejected as garbage,
    // the clean forms of the same number may not.
    for (input, must) in [
        ("\u{fffd}\u{fffd}0 (04)30 123455/0564.0", false),
        ("0 (04)30 123455/0564.0", true),
        ("0043 0123455 05640", true),
        ("(04)30 123455", true),
    ] {
        assert_round_trip(&plan, input, must);
    }
}

/// Asserts that `input`, if it normalises under `plan` (and it must when `must`),
/// has an E.164 form that normalises to the same key.
fn assert_round_trip(plan: &DialPlan, input: &str, must: bool) {
    let n = match plan.normalize(input) {
        Ok(n) => n,
        Err(e) => {
            assert!(!must, "{input:?} must normalise, got {e:?}");
            return;
        }
    };
    let (e164, key) = match (n.e164(), n.key()) {
        (Some(e164), Some(key)) => (e164, key),
        _ => {
            assert!(!must, "{input:?} must be a public number, got {n:?}");
            return;
        }
    };
    let again = plan.normalize(&e164).unwrap();
    assert_eq!(again.key(), Some(key), "{input:?} → {e164}");
}

/// `normalize`, artifact `crash-23bc744f…`: `+1-1 [2185` plus a stray byte went to the
/// `phonenumber` crate, which kept NANP's trunk 1 after the country code (`+1 12185`),
/// while the fast path drops it (`+1 2185`).
#[test]
fn normalize_e164_round_trip_nanp_trunk_one() {
    for iso in ["DE", "US", "IT"] {
        let plan = DialPlan::new(iso).unwrap();
        for (input, must) in [
            ("+1-1 [2185\u{fffd}", false),
            ("+1-1 2185", true),
            ("+1 1 212 555 0100 \u{fffd}", false),
            ("+1 1 212 555 0100", true),
        ] {
            assert_round_trip(&plan, input, must);
        }
    }
}

/// `normalize`, artifact `crash-7001d9f7…`: under the Japanese plan the
/// `phonenumber` crate read `00/) (061)1230` with junk around it as `+81 00611230`
/// (two leading zeros); one was stripped, and the E.164 form of the result lost the
/// other. A trunk prefix written twice is now dropped entirely, on both paths.
#[test]
fn normalize_e164_round_trip_repeated_trunk() {
    for iso in ["JP", "DE", "GB", "US"] {
        let plan = DialPlan::new(iso).unwrap();
        for input in [
            ".\u{fffd}\u{fffd}\u{fffd}\u{3}\u{2}00/) (061)1230\u{fffd}",
            "+81 00611230",
            "+49 (0)030 1234567",
            "+1 1 1 212 555 0100",
            // Artifact `crash-131e6d8f…` (fast path, national): trunk zero, then more zeros.
            "/0 003126 544567",
        ] {
            if let Ok(n) = plan.normalize(input)
                && let (Some(e164), Some(key)) = (n.e164(), n.key())
            {
                let again = plan.normalize(&e164).unwrap();
                assert_eq!(again.key(), Some(key), "{iso}: {input:?} → {e164}");
            }
        }
    }
    let de = DialPlan::new("DE").unwrap();
    assert_eq!(
        de.normalize("+49 (0)030 1234567").unwrap().key(),
        de.normalize("+49 30 1234567").unwrap().key()
    );
}

/// `normalize`, artifact `crash-44b57fd4…`: the `phonenumber` crate accepted a
/// country code (from `+8/…/8/…21-1634-567` and a stray byte) that the fast path
/// does not know, so the key's E.164 form did not read back at all.
#[test]
fn normalize_slow_path_knows_only_known_country_codes() {
    let plan = DialPlan::new("GB").unwrap();
    let junk = |cc: &str| {
        let (a, b) = cc.split_at(1);
        format!(
            "+{a}{}{b}{}21-1634-567\u{fffd}",
            "/".repeat(54),
            "/".repeat(15)
        )
    };
    // The artifact may be rejected; the same text with a known country code, and a
    // plain number with the stray byte, go the slow path too and must normalise.
    assert_round_trip(&plan, &junk("88"), false);
    assert_round_trip(&plan, &junk("44"), true);
    assert_round_trip(&plan, "+44 20 7946 0456\u{fffd}", true);
}
