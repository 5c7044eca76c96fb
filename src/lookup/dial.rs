//! Dialling, the other direction: a stored number, or a `tel:`, `callto:` or `sip:`
//! link handed over by another application (click-to-dial), becomes the digits the
//! PBX must dial under the line's [`DialPlan`].

use super::dialplan::DialPlan;
use super::normalize::read;
use super::number::{Normalized, NotANumber};

impl DialPlan {
    /// The digits to dial for `number` on this line.
    ///
    /// * Internal extensions are dialled as they are.
    /// * Everything else gets the outside-line prefix, then: numbers in the own area
    ///   without the area code (unless the country has closed numbering or
    ///   [`with_local_dialling`](Self::with_local_dialling) says otherwise); other
    ///   numbers of the own country as their national format writes them (the
    ///   trunk prefix where it has one: not for a Chinese mobile; Argentina's
    ///   mobile token `15`), or in DE, AT, CH, GB, FR and the NANP always with the
    ///   trunk prefix; foreign numbers with the international prefix and country
    ///   code.
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
                    // Dialled without its area code, a number must not read as
                    // something else: a trunk-prefixed number or an extension.
                    let local = self.dial_local_without_area_code
                        && !area.is_empty()
                        && nsn.len() > area.len()
                        && nsn.starts_with(area)
                        && !self.is_extension_length(nsn.len() - area.len())
                        && !rules
                            .trunk_prefix()
                            .is_some_and(|t| nsn[area.len()..].starts_with(t))
                        && !nsn[area.len()..].starts_with(rules.international_prefix());
                    // Elsewhere in the country: where every national number has
                    // the trunk prefix (and in the NANP, which dials its trunk 1
                    // before every national number), the prefix and the number.
                    // Otherwise the digits of the national format of the number's
                    // pattern: the trunk prefix only where it writes one (not for
                    // Chinese mobiles or Brazilian numbers), Argentina's mobile
                    // token; a number no format applies to is written, and
                    // dialled, bare.
                    let numbering = rules
                        .numbering()
                        .filter(|_| !rules.is_nanp() && !rules.trunk_always());
                    if local {
                        out.push_str(&nsn[area.len()..]);
                    } else if let Some(numbering) = numbering {
                        out.push_str(&numbering.national_digits(&nsn).unwrap_or(nsn));
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
