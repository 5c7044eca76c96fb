//! Reading a number as written: links (`tel:`, `sip:`, `callto:`), extensions,
//! pauses, separators, `(0)` and vanity letters become digits in a [`Parsed`],
//! without allocating and without knowing any dial plan.

use super::number::NotANumber;

/// A small inline digit buffer: normalisation allocates nothing.
#[derive(Clone, Copy)]
pub(crate) struct Digits {
    buf: [u8; 32],
    len: u8,
}

impl Digits {
    pub(crate) const fn new() -> Digits {
        Digits {
            buf: [0; 32],
            len: 0,
        }
    }
    /// Pushes a byte; false when full.
    pub(crate) fn push(&mut self, b: u8) -> bool {
        if usize::from(self.len) < self.buf.len() {
            self.buf[usize::from(self.len)] = b;
            self.len += 1;
            true
        } else {
            false
        }
    }
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII is ever pushed.
        std::str::from_utf8(self.as_slice()).unwrap_or("")
    }
    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A number as written, before the dial plan is applied.
#[derive(Clone, Copy)]
pub(crate) struct Parsed {
    /// Written with `+` (or `%2B` in a link).
    pub plus: bool,
    pub digits: Digits,
    /// Extension digits (`;ext=`, `ext.`, `x`, `#`).
    pub ext: Digits,
    /// Post-dial sequence after a pause: digits, `*`, `#` and `,` for each pause.
    pub post_dial: Digits,
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '/' | '(' | ')' | '[' | ']' | '\t' | '\u{a0}' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{202f}'
    )
}

fn vanity_digit(c: u8) -> u8 {
    match c {
        b'A'..=b'C' => b'2',
        b'D'..=b'F' => b'3',
        b'G'..=b'I' => b'4',
        b'J'..=b'L' => b'5',
        b'M'..=b'O' => b'6',
        b'P'..=b'S' => b'7',
        b'T'..=b'V' => b'8',
        _ => b'9',
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.is_char_boundary(s.len() - suffix.len())
        && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Reads digits with visual separators only (the body of a `tel:` link or an `ext=`).
fn visual_digits(s: &str, out: &mut Digits) -> Result<(), NotANumber> {
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !out.push(c as u8) {
                return Err(NotANumber::TooLong);
            }
        } else if !is_separator(c) {
            return Err(NotANumber::InvalidCharacter(c));
        }
    }
    Ok(())
}

/// `str::trim`, with a fast path for ASCII ends (the common case). Inlined: every
/// normalisation starts with it.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let t = s.trim_ascii();
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii() && b.is_ascii() => t,
        _ => t.trim(),
    }
}

/// Parses the written form of a number: links, extensions, pauses, separators, `(0)`,
/// vanity letters. Knows nothing of dial plans.
pub(crate) fn parse_text(input: &str) -> Result<Parsed, NotANumber> {
    let s = trim(input);
    if s.is_empty() {
        return Err(NotANumber::Empty);
    }
    let mut p = Parsed {
        plus: false,
        digits: Digits::new(),
        ext: Digits::new(),
        post_dial: Digits::new(),
    };
    // Most numbers start with a digit, `+` or `(`: no link to look for.
    if matches!(s.as_bytes()[0], b'0'..=b'9' | b'+' | b'(') {
        parse_free(s, &mut p)?;
        return finish(p);
    }
    if let Some(body) = strip_prefix_ci(s, "tel:") {
        parse_tel_body(body, &mut p)?;
        return finish(p);
    }
    if let Some(body) = strip_prefix_ci(s, "sip:").or_else(|| strip_prefix_ci(s, "sips:")) {
        let user = body.split('@').next().unwrap_or("");
        let user = if let Some(rest) = strip_prefix_ci(user, "%2b") {
            p.plus = true;
            rest
        } else {
            user
        };
        if user.bytes().any(|b| b.is_ascii_alphabetic())
            && !user.split(';').skip(1).all(|param| param.contains('='))
        {
            return Err(NotANumber::NotAPhoneUri);
        }
        parse_tel_body(user, &mut p).map_err(|e| match e {
            NotANumber::InvalidCharacter(_) => NotANumber::NotAPhoneUri,
            e => e,
        })?;
        return finish(p);
    }
    if let Some(body) = strip_prefix_ci(s, "callto:") {
        let body = body.trim_start_matches('/');
        if body.contains('@') {
            return Err(NotANumber::NotAPhoneUri);
        }
        let body = body.trim();
        parse_free(body, &mut p).map_err(|e| match e {
            NotANumber::Letters | NotANumber::InvalidCharacter(_) => NotANumber::NotAPhoneUri,
            e => e,
        })?;
        return finish(p);
    }
    parse_free(s, &mut p)?;
    finish(p)
}

fn finish(p: Parsed) -> Result<Parsed, NotANumber> {
    if p.digits.is_empty() && p.ext.is_empty() {
        return Err(NotANumber::NoDigits);
    }
    Ok(p)
}

/// RFC 3966 `telephone-subscriber`: number, then `;ext=`, `;phone-context=`, others.
fn parse_tel_body(body: &str, p: &mut Parsed) -> Result<(), NotANumber> {
    let mut parts = body.split(';');
    let number = parts.next().unwrap_or("");
    let number = if let Some(rest) = number.strip_prefix('+') {
        p.plus = true;
        rest
    } else {
        number
    };
    let mut local = Digits::new();
    visual_digits(number, &mut local)?;
    let mut context: Option<&str> = None;
    for param in parts {
        if let Some(ext) = strip_prefix_ci(param, "ext=") {
            visual_digits(ext, &mut p.ext)?;
        } else if let Some(ctx) = strip_prefix_ci(param, "phone-context=") {
            context = Some(ctx);
        }
    }
    // A local number with a global context (`tel:1234567;phone-context=+49-30`) is the
    // context's digits followed by the number's (RFC 3966 section 5.1.5).
    if !p.plus
        && let Some(ctx) = context.and_then(|c| c.strip_prefix('+'))
    {
        p.plus = true;
        visual_digits(ctx, &mut p.digits)?;
    }
    for &b in local.as_slice() {
        if !p.digits.push(b) {
            return Err(NotANumber::TooLong);
        }
    }
    Ok(())
}

/// Splits `x12`, `ext. 12`, `extension 12`, `#12` off the end of `s`.
fn split_extension(s: &str) -> (&str, Option<&str>) {
    let t = trim(s);
    let digits_start = t
        .bytes()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    if digits_start == t.len() {
        return (s, None);
    }
    let ext = &t[digits_start..];
    let before = t[..digits_start]
        .trim_end()
        .trim_end_matches([':', '.', '=']);
    for marker in ["extension", "ext", "x", "#", "durchwahl", "dw"] {
        if ends_with_ci(before, marker) {
            let main = &before[..before.len() - marker.len()];
            // A marker is a word of its own: `fax12` is no extension.
            if main.chars().next_back().is_none_or(|c| !c.is_alphabetic()) {
                return (main, Some(ext));
            }
        }
    }
    (s, None)
}

fn parse_free(s: &str, p: &mut Parsed) -> Result<(), NotANumber> {
    // Pauses: everything after the first `,` or `;` is post-dial.
    let (main, post) = match s.bytes().position(|b| b == b',' || b == b';') {
        Some(i) => (&s[..i], Some(&s[i..])),
        None => (s, None),
    };
    if let Some(post) = post {
        for c in post.chars() {
            let b = match c {
                '0'..='9' | '*' | '#' => c as u8,
                ',' | ';' => b',',
                c if is_separator(c) => continue,
                c => return Err(NotANumber::InvalidCharacter(c)),
            };
            if !p.post_dial.push(b) {
                return Err(NotANumber::TooLong);
            }
        }
    }
    // Extension markers are letters or `#`; without any, there is nothing to split.
    let (main, ext) = if main.bytes().any(|b| b.is_ascii_alphabetic() || b == b'#') {
        split_extension(main)
    } else {
        (main, None)
    };
    if let Some(ext) = ext {
        visual_digits(ext, &mut p.ext)?;
    }
    // `+49 (0)30` needs no special case: the bracketed trunk zero is dropped after
    // the country code, like the one in `+49 030`, except where it belongs to the
    // number (Italy).
    let mut letters = 0usize;
    let mut seen_any = false;
    for c in main.chars() {
        match c {
            '0'..='9' => {
                if !p.digits.push(c as u8) {
                    return Err(NotANumber::TooLong);
                }
                seen_any = true;
            }
            '+' | '\u{ff0b}' if !seen_any && !p.plus => {
                p.plus = true;
                seen_any = true;
            }
            c if is_separator(c) => {}
            'A'..='Z' => {
                // Vanity letters (`1-800-FLOWERS`): only after a prefix of digits.
                if p.digits.len < 3 {
                    return Err(NotANumber::Letters);
                }
                letters += 1;
                if !p.digits.push(vanity_digit(c as u8)) {
                    return Err(NotANumber::TooLong);
                }
            }
            c if c.is_ascii_alphabetic() => return Err(NotANumber::Letters),
            '\u{ff10}'..='\u{ff19}' => {
                // Full-width digits, as typed with an East Asian input method.
                let d = b'0' + (c as u32 - 0xff10) as u8;
                if !p.digits.push(d) {
                    return Err(NotANumber::TooLong);
                }
                seen_any = true;
            }
            c => return Err(NotANumber::InvalidCharacter(c)),
        }
    }
    if letters > 10 {
        // Longer than any vanity word: text, not a number.
        return Err(NotANumber::Letters);
    }
    Ok(())
}
