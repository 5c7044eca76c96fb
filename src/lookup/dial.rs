//! Dialling, the other direction: a stored number, or a `tel:`, `callto:` or `sip:`
//! link handed over by another application (click-to-dial), becomes the digits the
//! PBX must dial under the line's [`DialPlan`].

use super::dialplan::DialPlan;
use super::normalize::{Normalized, NotANumber, read};

impl DialPlan {
    /// The digits to dial for `number` on this line.
    ///
    /// * Internal extensions are dialled as they are.
    /// * Everything else gets the outside-line prefix, then: numbers in the own area
    ///   without the area code (unless the country has closed numbering or
    ///   [`with_local_dialling`](Self::with_local_dialling) says otherwise); other
    ///   numbers of the own country with the trunk prefix; foreign numbers with the
    ///   international prefix and country code.
    /// * Extensions (`;ext=89`, `x89`) and pauses (`,`) follow after a `,` pause when
    ///   [`with_post_dial`](Self::with_post_dial) is on, and are dropped otherwise.
    ///
    /// The result holds only `0`–`9`, `*`, `#` and `,`.
    ///
    /// # Errors
    /// [`NotANumber`] when the text or link names no phone number, and
    /// [`NotANumber::NeedsAreaCode`] for a local number when the plan has no area code.
    pub fn dial(&self, number: &str) -> Result<String, NotANumber> {
        let (normalized, parsed) = read(self, number, false)?;
        let mut out = String::with_capacity(24);
        let ext = match normalized {
            Normalized::Internal(ext) => {
                out.push_str(&ext.to_string());
                None
            }
            Normalized::Public(p) => {
                out.push_str(&self.outside_line);
                let rules = &self.country;
                let nsn = p.national_digits();
                if p.country_code() == rules.calling_code() {
                    let area = &*self.area_code;
                    // A local part starting with the trunk prefix (`+43 1 010000` in
                    // Vienna) would be read back as a trunk call to another area:
                    // dial those with the area code (found by the property test
                    // `every_written_form_normalises_to_the_same_key`).
                    let local = self.dial_local_without_area_code
                        && !area.is_empty()
                        && nsn.len() > area.len()
                        && nsn.starts_with(area)
                        && !rules
                            .trunk_prefix()
                            .is_some_and(|t| nsn[area.len()..].starts_with(t));
                    if local {
                        out.push_str(&nsn[area.len()..]);
                    } else {
                        out.push_str(rules.trunk_prefix().unwrap_or(""));
                        out.push_str(&nsn);
                    }
                } else {
                    out.push_str(rules.international_prefix());
                    out.push_str(&p.country_code().to_string());
                    out.push_str(&nsn);
                }
                p.extension()
            }
        };
        if self.dial_post_dial {
            if let Some(ext) = ext {
                out.push(',');
                out.push_str(&ext.to_string());
            }
            if let Some(parsed) = parsed {
                out.push_str(parsed.post_dial.as_str());
            }
        }
        Ok(out)
    }
}
