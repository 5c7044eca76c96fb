//! Value codecs: backslash escaping per version, RFC 6868 parameter escaping,
//! quoted-printable, charsets, and folding of written lines.

use super::Version;

/// Unescapes a text value (3.0/4.0 backslash escapes). 2.1 text values carry no escapes
/// and are returned as they are.
pub fn unescape_text(raw: &str, version: Version) -> String {
    if version == Version::V2_1 || !raw.contains('\\') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(e @ ('\\' | ',' | ';' | ':')) => out.push(e),
            // Writers escape more punctuation than the RFC lists (Google writes `\"`);
            // the character itself is what they meant.
            Some(e) if e.is_ascii_punctuation() => out.push(e),
            // Unknown escape of a letter or digit: keep it as written rather than guess.
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Escapes a text value for writing in `version`.
pub fn escape_text(value: &str, version: Version) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        match (c, version) {
            // 2.1 has no escapes for text; newlines travel as quoted-printable.
            (_, Version::V2_1) => out.push(c),
            ('\\', _) => out.push_str("\\\\"),
            (',', _) => out.push_str("\\,"),
            (';', _) => out.push_str("\\;"),
            ('\n', _) => out.push_str("\\n"),
            ('\r', _) => {}
            _ => out.push(c),
        }
    }
    out
}

/// Splits a raw value on an unescaped `sep`, leaving the escapes in place.
pub fn split_unescaped(raw: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in raw.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(&raw[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&raw[start..]);
    parts
}

/// Unescapes one component of a structured value (N, ADR, ORG).
pub fn unescape_component(raw: &str, version: Version) -> String {
    if version != Version::V2_1 {
        return unescape_text(raw, version);
    }
    // vCard 2.1 escapes only the separators and the backslash inside structured values.
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(&n) = chars
            .peek()
            .filter(|n| c == '\\' && matches!(n, ';' | '\\' | ':' | ','))
        {
            out.push(n);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// Escapes one component of a structured value.
pub fn escape_component(value: &str, version: Version) -> String {
    if version != Version::V2_1 {
        return escape_text(value, version);
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, ';' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Decodes RFC 6868 caret escapes in a parameter value (`^n`, `^'`, `^^`).
pub fn decode_caret(raw: &str) -> String {
    if !raw.contains('^') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '^' {
            match chars.peek() {
                Some('n') => {
                    out.push('\n');
                    chars.next();
                    continue;
                }
                Some('\'') => {
                    out.push('"');
                    chars.next();
                    continue;
                }
                Some('^') => {
                    out.push('^');
                    chars.next();
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

/// Writes a parameter value, quoting and caret-escaping when needed.
///
/// A caret is escaped even in an unquoted value: readers decode RFC 6868 escapes in
/// every 3.0/4.0 parameter value, so a bare `^n` would come back as a line break.
pub fn encode_param_value(value: &str, version: Version) -> String {
    let needs_quotes = value.contains([',', ';', ':', ' ', '"', '\n']);
    if version == Version::V2_1 || !(needs_quotes || value.contains('^')) {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    if needs_quotes {
        out.push('"');
    }
    for c in value.chars() {
        match c {
            '^' => out.push_str("^^"),
            '"' => out.push_str("^'"),
            '\n' => out.push_str("^n"),
            _ => out.push(c),
        }
    }
    if needs_quotes {
        out.push('"');
    }
    out
}

/// Decodes quoted-printable bytes (soft line breaks already removed by the lexer).
/// Malformed escapes are kept as written.
pub fn decode_qp(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if let (b'=', Some(h), Some(l)) = (
            b,
            raw.get(i + 1).and_then(|c| hex(*c)),
            raw.get(i + 2).and_then(|c| hex(*c)),
        ) {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    out
}

/// The value of one hex digit.
fn hex(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Encodes UTF-8 text as quoted-printable with soft line breaks so that no physical
/// line exceeds 76 octets. `first_line_used` is the length of the line's head
/// (`NAME;PARAMS:`). `eol` is the card's line ending.
pub fn encode_qp(value: &str, first_line_used: usize, eol: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() * 2);
    let mut line_len = first_line_used;
    for &b in value.as_bytes() {
        let mut enc = [0u8; 3];
        let piece: &[u8] = if (b.is_ascii_graphic() && b != b'=') || b == b' ' {
            enc[0] = b;
            &enc[..1]
        } else {
            const H: &[u8; 16] = b"0123456789ABCDEF";
            enc = [b'=', H[(b >> 4) as usize], H[(b & 15) as usize]];
            &enc[..]
        };
        if line_len + piece.len() > 75 {
            out.push(b'=');
            out.extend_from_slice(eol);
            line_len = 0;
        }
        out.extend_from_slice(piece);
        line_len += piece.len();
    }
    out
}

/// Decodes value bytes to text: by `charset` when given and known, else UTF-8 when
/// valid, else Windows-1252 (what Outlook and old phones write). Returns the text and
/// whether a fallback was needed for a named but unknown charset.
pub fn decode_charset(bytes: &[u8], charset: Option<&str>) -> (String, bool) {
    if let Some(label) = charset {
        if let Some(enc) = encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
            // Not `decode`: it sniffs a byte-order mark and may switch to another
            // encoding than the label names, and it drops a UTF-8 one (found by
            // fuzzing: a value starting with U+FEFF lost it when rewritten).
            let (text, _) = enc.decode_without_bom_handling(bytes);
            return (text.into_owned(), false);
        }
        let (text, _) = decode_charset(bytes, None);
        return (text, true);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), false),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), false)
        }
    }
}

/// Decodes standard base64 (RFC 4648 §4), ignoring white space and padding wherever
/// they stand (folded lines, cards that join encoded parts). `None` for any other
/// character.
pub fn decode_base64(raw: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    // Lenient like the cards in the wild: no padding needed, and bits left over in
    // the last character are ignored.
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    let mut digits: Vec<u8> = raw
        .bytes()
        .filter(|b| !matches!(b, b'=' | b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    // A lone last character holds six bits, no whole byte.
    if digits.len() % 4 == 1 {
        let last = digits.pop()?;
        if !(last.is_ascii_alphanumeric() || last == b'+' || last == b'/') {
            return None;
        }
    }
    LENIENT.decode(&digits).ok()
}

/// Turns the CR LF and lone CR line breaks that quoted-printable values carry
/// (Outlook writes `=0D=0A`) into `\n`, the line break of decoded text.
pub fn normalise_breaks(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Folds one logical line at 75 octets (RFC 6350 §3.2) without splitting a UTF-8
/// character, appending it with `eol` to `out`.
pub fn fold_into(out: &mut Vec<u8>, line: &[u8], eol: &[u8]) {
    const MAX: usize = 75;
    let mut start = 0;
    let mut first = true;
    while start < line.len() {
        let room = if first { MAX } else { MAX - 1 };
        let mut end = (start + room).min(line.len());
        // Back off to a character boundary: continuation bytes are 0b10xx_xxxx.
        while end < line.len() && end > start + 1 && (line[end] & 0xC0) == 0x80 {
            end -= 1;
        }
        if !first {
            out.push(b' ');
        }
        out.extend_from_slice(&line[start..end]);
        out.extend_from_slice(eol);
        start = end;
        first = false;
    }
    if line.is_empty() {
        out.extend_from_slice(eol);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_per_version() {
        assert_eq!(
            unescape_text(r"a\,b\;c\nd\\e", Version::V3_0),
            "a,b;c\nd\\e"
        );
        assert_eq!(unescape_text(r"a\,b", Version::V2_1), r"a\,b");
        // Google escapes quotes; unknown letter escapes stay as written.
        assert_eq!(unescape_text(r#"\"x\" \t"#, Version::V3_0), r#""x" \t"#);
        assert_eq!(unescape_component(r"A\;B\\", Version::V2_1), r"A;B\");
    }

    #[test]
    fn escape_round_trips() {
        for v in [Version::V3_0, Version::V4_0] {
            let s = "a,b;c\nd\\e";
            assert_eq!(unescape_text(&escape_text(s, v), v), s);
        }
    }

    #[test]
    fn caret_escapes() {
        assert_eq!(decode_caret("a^nb^'c^^d^x"), "a\nb\"c^d^x");
        assert_eq!(encode_param_value("a\"b", Version::V4_0), "\"a^'b\"");
        // Found by the property test: an unquoted caret was written bare.
        assert_eq!(encode_param_value("a^n", Version::V4_0), "a^^n");
        assert_eq!(
            decode_caret(&encode_param_value("a^n", Version::V4_0)),
            "a^n"
        );
    }

    #[test]
    fn base64_and_breaks() {
        assert_eq!(decode_base64("TGllYm x=").unwrap(), b"Liebl");
        assert_eq!(decode_base64("a*b"), None);
        assert_eq!(normalise_breaks("a\r\nb\rc".into()), "a\nb\nc");
    }

    #[test]
    fn qp_round_trip() {
        let s = "Grüße aus Köln = schön, and a long tail that needs soft line breaks to fit";
        let enc = encode_qp(s, 20, b"\r\n");
        let joined: Vec<u8> = String::from_utf8(enc)
            .unwrap()
            .replace("=\r\n", "")
            .into_bytes();
        assert_eq!(decode_qp(&joined), s.as_bytes());
        assert_eq!(decode_qp(b"a=4"), b"a=4");
        assert_eq!(decode_qp(b"="), b"=");
    }

    #[test]
    fn folding_keeps_utf8_whole() {
        let line = "NOTE:".to_string() + &"ä".repeat(100);
        let mut out = Vec::new();
        fold_into(&mut out, line.as_bytes(), b"\r\n");
        for phys in out.split(|&b| b == b'\n') {
            assert!(phys.len() <= 76);
            let phys = phys.strip_suffix(b"\r").unwrap_or(phys);
            let phys = phys.strip_prefix(b" ").unwrap_or(phys);
            assert!(std::str::from_utf8(phys).is_ok());
        }
    }

    #[test]
    fn charsets() {
        assert_eq!(decode_charset(b"K\xf6ln", None).0, "Köln");
        assert_eq!(decode_charset(b"K\xf6ln", Some("ISO-8859-1")).0, "Köln");
        assert_eq!(decode_charset(b"\x93\x8c", Some("SHIFT_JIS")).0, "東");
        assert!(decode_charset(b"x", Some("invalid-encoding")).1);
        // A byte-order mark is text in the named charset, not a switch of charset.
        assert_eq!(
            decode_charset(b"\xef\xbb\xbfa", Some("UTF-8")).0,
            "\u{feff}a"
        );
        assert_eq!(decode_charset(b"\xef\xbb\xbf", Some("ISO-8859-1")).0, "ï»¿");
    }
}
