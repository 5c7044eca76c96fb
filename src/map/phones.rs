//! Which phone column a TEL belongs in: what its types and label say it is
//! ([`TelTraits`]) and how well it fits a column's kind ([`TelTraits::fit`]).
//!
//! Types and labels are read the same way, so `TYPE=CELL`, vCard 4.0's `type=cell`,
//! Apple's `X-ABLabel:_$!<Mobile>!$_` (decoded to `Mobile` by the vCard view), Google's
//! `WORK_MOBILE`, Outlook's bare `CELL` and custom `X-` types such as `X-MOBIL` or a
//! German `Handy` all say "mobile". A value is first matched whole, with case,
//! an `X-` prefix and punctuation ignored (`HomeFAX`, `AssistantPhone`,
//! `main-number`), then word by word (`Work Fax`, `@work`).

use crate::schema::PhoneKind;
use crate::vcard::Tel;

/// What a TEL's types and label say about it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct TelTraits {
    work: bool,
    home: bool,
    cell: bool,
    fax: bool,
    pager: bool,
    car: bool,
    assistant: bool,
    main: bool,
    isdn: bool,
    sip: bool,
    /// Labelled "other" (Apple `_$!<Other>!$_`, `TYPE=OTHER`).
    other: bool,
    /// A line for data, not for people: modem, BBS, telex (Outlook's `TLX`).
    data: bool,
}

/// A fit of a TEL for a column kind: [`EXACT`] is what its header names, [`KIN`] a
/// close relative (a switchboard in a business column), [`FALLBACK`] any voice number
/// in an "other" column, 0 never.
pub(super) const EXACT: u8 = 3;
/// See [`EXACT`].
pub(super) const KIN: u8 = 2;
/// See [`EXACT`].
pub(super) const FALLBACK: u8 = 1;

impl TelTraits {
    /// The traits of `tel`, from its types, its label and a `sip:` value.
    pub(super) fn of(tel: &Tel) -> TelTraits {
        let mut t = TelTraits::default();
        for raw in tel
            .types
            .iter()
            .map(String::as_str)
            .chain(tel.label.as_deref())
        {
            t.read(raw);
        }
        if tel
            .number
            .trim_start()
            .get(..4)
            .is_some_and(|s| s.eq_ignore_ascii_case("sip:"))
        {
            t.sip = true;
        }
        t
    }

    /// Reads one type value or label.
    fn read(&mut self, raw: &str) {
        let lower = raw.trim().to_lowercase();
        let lower = lower.strip_prefix("x-").unwrap_or(&lower);
        let compact: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        if self.compound(&compact) {
            return;
        }
        for word in lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            self.word(word);
        }
    }

    /// Whole values that name two traits at once or are not words: Apple's
    /// `HomeFAX`, Google's `WORK_MOBILE`, vCard 4.0's `main-number`.
    fn compound(&mut self, compact: &str) -> bool {
        match compact {
            "homefax" | "privatefax" => (self.home, self.fax) = (true, true),
            "workfax" | "businessfax" | "officefax" => (self.work, self.fax) = (true, true),
            "otherfax" => (self.other, self.fax) = (true, true),
            "workmobile" | "workcell" | "businessmobile" => (self.work, self.cell) = (true, true),
            "workpager" => (self.work, self.pager) = (true, true),
            "homephone" | "privatephone" => self.home = true,
            "workphone" | "businessphone" | "officephone" => self.work = true,
            "otherphone" => self.other = true,
            "mobilephone" | "cellphone" | "cellular" | "iphone" | "applewatch" => {
                self.cell = true;
            }
            "carphone" | "autotelefon" => self.car = true,
            "assistantphone" | "assistanttel" => self.assistant = true,
            "companymain" | "mainnumber" | "mainphone" | "companyphone" => self.main = true,
            _ => return false,
        }
        true
    }

    fn word(&mut self, w: &str) {
        match w {
            "work" | "business" | "office" | "firma" | "geschäftlich" | "geschaeftlich"
            | "büro" | "buero" | "arbeit" | "dienstlich" => self.work = true,
            "home" | "private" | "privat" | "personal" | "zuhause" => self.home = true,
            "cell" | "mobile" | "mobil" | "handy" | "iphone" | "phs" => self.cell = true,
            "fax" | "telefax" | "facsimile" => self.fax = true,
            "pager" | "beeper" => self.pager = true,
            "car" => self.car = true,
            "assistant" | "assistent" | "assistentin" | "secretary" | "sekretariat" => {
                self.assistant = true;
            }
            "main" | "company" | "zentrale" | "switchboard" => self.main = true,
            "isdn" => self.isdn = true,
            "sip" => self.sip = true,
            "other" | "sonstige" | "sonstiges" | "andere" | "weitere" => self.other = true,
            "modem" | "bbs" | "telex" | "tlx" => self.data = true,
            _ => {}
        }
    }

    /// Whether people call it: not a fax, pager or data line.
    fn voice(&self) -> bool {
        !self.fax && !self.pager && !self.data
    }

    /// The kind of column this TEL would fit exactly, for a number shown in none: a
    /// switchboard (`MAIN`) or pager first, since they say what the number is for
    /// whatever else is typed; a mobile with `WORK` is a mobile; a number labelled
    /// "Other", or with no type at all, is [`PhoneKind::Other`].
    pub(super) fn kind(&self) -> PhoneKind {
        if self.main {
            PhoneKind::CompanyMain
        } else if self.pager {
            PhoneKind::Pager
        } else if self.fax {
            if self.home && !self.work {
                PhoneKind::HomeFax
            } else {
                PhoneKind::BusinessFax
            }
        } else if self.assistant {
            PhoneKind::Assistant
        } else if self.car {
            PhoneKind::Car
        } else if self.isdn {
            PhoneKind::Isdn
        } else if self.sip {
            PhoneKind::Sip
        } else if self.cell {
            PhoneKind::Mobile
        } else if self.other {
            PhoneKind::Other
        } else if self.work {
            PhoneKind::Business
        } else if self.home {
            PhoneKind::Home
        } else {
            PhoneKind::Other
        }
    }

    /// How well this TEL fits a column of `column`'s kind: [`EXACT`], [`KIN`],
    /// [`FALLBACK`] or 0.
    ///
    /// A column takes only numbers its header does not contradict: a home, mobile or
    /// "other" number never goes into a business column (business fax included), a
    /// fax or pager never into a voice column. Beyond its own kind a column takes
    /// kin only: a switchboard or assistant, or a work car, ISDN or SIP number, in a
    /// business column; a home car, ISDN or SIP number in a home column; a fax typed
    /// neither work nor home in either fax column; and any voice number in an "other"
    /// column.
    pub(super) fn fit(&self, column: PhoneKind) -> u8 {
        let kind = self.kind();
        let same = |a: PhoneKind, b: PhoneKind| family(a) == family(b);
        let plain_fax = self.fax && !self.work && !self.home && !self.other;
        let business = matches!(
            column,
            PhoneKind::Business | PhoneKind::Business2 | PhoneKind::BusinessFax
        );
        if business && (self.home || self.cell || self.other) {
            return 0;
        }
        match column {
            PhoneKind::BusinessFax if self.fax && self.work => EXACT,
            PhoneKind::HomeFax if kind == PhoneKind::HomeFax => EXACT,
            PhoneKind::BusinessFax | PhoneKind::HomeFax if plain_fax && !self.pager => KIN,
            PhoneKind::BusinessFax | PhoneKind::HomeFax => 0,
            _ if !self.voice() => u8::from(column == PhoneKind::Pager && self.pager) * EXACT,
            _ if same(column, kind) => EXACT,
            PhoneKind::Business | PhoneKind::Business2 => {
                let kin = matches!(kind, PhoneKind::CompanyMain | PhoneKind::Assistant)
                    || (self.work
                        && matches!(kind, PhoneKind::Car | PhoneKind::Isdn | PhoneKind::Sip));
                u8::from(kin) * KIN
            }
            PhoneKind::Home | PhoneKind::Home2 if self.home && !self.work && !self.cell => {
                u8::from(matches!(
                    kind,
                    PhoneKind::Car | PhoneKind::Isdn | PhoneKind::Sip
                )) * KIN
            }
            PhoneKind::Other => FALLBACK,
            _ => 0,
        }
    }
}

/// A column kind with its numbered twin folded in: business 2 is business.
fn family(kind: PhoneKind) -> PhoneKind {
    match kind {
        PhoneKind::Business2 => PhoneKind::Business,
        PhoneKind::Home2 => PhoneKind::Home,
        k => k,
    }
}
