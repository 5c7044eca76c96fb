//! Arbitrary text as a phone number under several dial plans: normalising never
//! panics, and the E.164 form of a result normalises to the same key.
#![no_main]

use std::sync::OnceLock;

use cti_phonebook::DialPlan;
use libfuzzer_sys::fuzz_target;

fn plans() -> &'static [DialPlan] {
    static PLANS: OnceLock<Vec<DialPlan>> = OnceLock::new();
    PLANS.get_or_init(|| {
        vec![
            DialPlan::new("DE").unwrap(),
            DialPlan::new("DE")
                .unwrap()
                .with_area_code("30")
                .unwrap()
                .with_outside_line("0", cti_phonebook::lookup::OutsideLine::AlsoInCallerNumbers)
                .unwrap()
                .with_extension_lengths(&[2, 3]),
            DialPlan::new("US").unwrap().with_area_code("212").unwrap(),
            DialPlan::new("GB").unwrap(),
            DialPlan::new("FR").unwrap(),
            DialPlan::new("CH").unwrap().with_post_dial(true),
            DialPlan::new("IT").unwrap(),
            DialPlan::new("JP").unwrap(),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let plans = plans();
    let plan = &plans[usize::from(pick) % plans.len()];
    let input = String::from_utf8_lossy(rest);
    if let Ok(n) = plan.normalize(&input) {
        if let (Some(e164), Some(key)) = (n.e164(), n.key()) {
            let again = plan
                .normalize(&e164)
                .expect("an E.164 result normalises again");
            assert_eq!(again.key(), Some(key), "{input:?} → {e164}");
        }
    }
    let _ = plan.dial(&input);
});
