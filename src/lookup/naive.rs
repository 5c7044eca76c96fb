//! The naive normaliser, with the `phonenumber` crate alone: the baseline the lookup
//! bench compares the fast path with, and the witness of the upstream bugs in the
//! tests and fuzz targets. Compiled only with the `internals` feature.

use super::dialplan::DialPlan;
use super::number::NumberKey;

/// Normalises with the `phonenumber` crate alone, as a naive implementation would:
/// the baseline the benchmark compares the fast path with, and the witness of the
/// upstream bugs in the tests. Not for production use.
pub fn normalize_with_phonenumber(plan: &DialPlan, input: &str) -> Option<NumberKey> {
    let region = plan.country.iso().parse::<phonenumber::country::Id>().ok();
    let number = phonenumber::parse(region, input).ok()?;
    let national = number.national();
    let nsn = format!(
        "{}{}",
        "0".repeat(usize::from(national.zeros())),
        national.value()
    );
    format!("{}{}", number.code().value(), nsn)
        .parse()
        .ok()
        .map(NumberKey)
}
