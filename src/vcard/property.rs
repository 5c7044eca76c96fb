//! Content lines: [`Property`] and [`Param`], and how a logical line is split into
//! group, name, parameters and value.

use super::Version;
use super::text;

/// A parameter: `NAME=v1,v2`, or a bare 2.1 value such as `WORK` (name `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Parameter name as written, or `None` for a bare vCard 2.1 type (`TEL;WORK:`).
    pub name: Option<String>,
    /// Values, quotes removed and RFC 6868 escapes decoded.
    pub values: Vec<String>,
}

impl Param {
    /// A named parameter with one value.
    pub fn new(name: &str, value: &str) -> Self {
        Param {
            name: Some(name.to_owned()),
            values: vec![value.to_owned()],
        }
    }

    /// Whether this parameter is `name` (case-insensitive). A bare 2.1 parameter counts
    /// as `TYPE`, except the bare encodings and charsets it also allows.
    pub fn is(&self, name: &str) -> bool {
        match &self.name {
            Some(n) => n.eq_ignore_ascii_case(name),
            None => {
                let bare_kind = match self.values.first().map(|v| v.to_ascii_uppercase()) {
                    Some(v)
                        if matches!(
                            v.as_str(),
                            "QUOTED-PRINTABLE" | "BASE64" | "8BIT" | "7BIT" | "B"
                        ) =>
                    {
                        "ENCODING"
                    }
                    _ => "TYPE",
                };
                bare_kind.eq_ignore_ascii_case(name)
            }
        }
    }
}

/// One property of a card: `group.NAME;params:value`.
///
/// `value` is the value text after transfer decoding (quoted-printable, charset) but
/// with the version's escapes still in place; use [`Property::text`] or
/// [`Property::components`] for decoded values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// Group (`item1` in `item1.TEL`), if any.
    pub group: Option<String>,
    /// Property name as written (compare with [`Property::is`]).
    pub name: String,
    /// Parameters in their order.
    pub params: Vec<Param>,
    /// Value text, still escaped.
    pub value: String,
}

impl Property {
    /// A property with a raw (already escaped) value and no parameters.
    pub fn new(name: &str, raw_value: &str) -> Self {
        Property {
            group: None,
            name: name.to_owned(),
            params: Vec::new(),
            value: raw_value.to_owned(),
        }
    }

    /// Whether the property is named `name` (case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// All values of the parameters named `name` (repeated parameters are merged).
    pub fn param_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.params
            .iter()
            .filter(move |p| p.is(name))
            .flat_map(|p| p.values.iter().map(String::as_str))
    }

    /// The first value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .filter(|p| p.is(name))
            .flat_map(|p| p.values.iter())
            .next()
            .map(String::as_str)
    }

    /// Upper-cased TYPE values, with comma lists and repeated parameters merged
    /// (`TYPE=HOME;TYPE=FAX` and `TYPE="HOME,FAX"` both give `["HOME", "FAX"]`).
    pub fn types(&self) -> Vec<String> {
        let mut out = Vec::new();
        for v in self.param_values("TYPE") {
            for t in v.split(',') {
                let t = t.trim().to_ascii_uppercase();
                if !t.is_empty() && !out.contains(&t) {
                    out.push(t);
                }
            }
        }
        out
    }

    /// The preference (1 = most preferred): `PREF=n` (4.0) or a `PREF` type (2.1/3.0).
    pub fn pref(&self) -> Option<u8> {
        if let Some(p) = self.param("PREF") {
            return p.trim().parse().ok().or(Some(1));
        }
        self.types().iter().any(|t| t == "PREF").then_some(1)
    }

    /// The value as one unescaped text. Line breaks come out as `\n` whatever the
    /// card wrote (quoted-printable `=0D=0A` included).
    pub fn text(&self, version: Version) -> String {
        text::normalise_breaks(text::unescape_text(&self.text_source(), version))
    }

    /// The value as structured components (split on `;`), each unescaped.
    pub fn components(&self, version: Version) -> Vec<String> {
        text::split_unescaped(&self.text_source(), ';')
            .into_iter()
            .map(|c| text::normalise_breaks(text::unescape_component(c, version)))
            .collect()
    }

    /// The value as a list (split on `,`), each unescaped (CATEGORIES, NICKNAME).
    pub fn list(&self, version: Version) -> Vec<String> {
        let source = self.text_source();
        if version == Version::V2_1 {
            return source
                .split(',')
                .map(|s| text::normalise_breaks(s.trim().to_owned()))
                .collect();
        }
        text::split_unescaped(&source, ',')
            .into_iter()
            .map(|c| text::normalise_breaks(text::unescape_text(c, version)))
            .collect()
    }

    /// Whether the value is transfer-encoded as base64 (`ENCODING=b`, `ENCODING=BASE64`
    /// or a bare `BASE64`).
    pub fn is_base64(&self) -> bool {
        self.param_values("ENCODING")
            .any(|e| e.eq_ignore_ascii_case("B") || e.eq_ignore_ascii_case("BASE64"))
    }

    /// The escaped text the text views read: the value itself, or for a base64 text
    /// value (some writers encode NOTE that way) the text it encodes, when that is
    /// UTF-8 or in the named charset.
    fn text_source(&self) -> std::borrow::Cow<'_, str> {
        if self.is_base64()
            && let Some(bytes) = text::decode_base64(&self.value)
        {
            if let Some(label) = self.param("CHARSET") {
                return std::borrow::Cow::Owned(text::decode_charset(&bytes, Some(label)).0);
            }
            if let Ok(s) = String::from_utf8(bytes) {
                return std::borrow::Cow::Owned(s);
            }
        }
        std::borrow::Cow::Borrowed(&self.value)
    }

    /// Whether the value is transfer-encoded as quoted-printable (2.1).
    pub fn is_quoted_printable(&self) -> bool {
        self.param_values("ENCODING")
            .any(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
    }

    /// Writes the property as one unfolded logical line (without line ending), in
    /// `version`'s syntax. Quoted-printable values are written with soft line breaks.
    pub(crate) fn write_unfolded(&self, version: Version, eol: &[u8]) -> (Vec<u8>, bool) {
        let mut head = String::with_capacity(self.name.len() + 16);
        if let Some(g) = &self.group {
            head.push_str(g);
            head.push('.');
        }
        head.push_str(&self.name);
        for p in &self.params {
            head.push(';');
            let Some(n) = &p.name else {
                // A bare type is read as written, without quotes or escapes; write it
                // the same way (found by fuzzing: a quoted bare value grew quotes).
                head.push_str(&p.values.join(","));
                continue;
            };
            head.push_str(n);
            head.push('=');
            let vals: Vec<String> = p
                .values
                .iter()
                .map(|v| text::encode_param_value(v, version))
                .collect();
            head.push_str(&vals.join(","));
        }
        head.push(':');
        let mut line = head.into_bytes();
        if self.is_quoted_printable() {
            let enc = text::encode_qp(&self.value, line.len(), eol);
            line.extend_from_slice(&enc);
            (line, true)
        } else {
            line.extend_from_slice(self.value.as_bytes());
            (line, false)
        }
    }
}

/// Why a content line could not be read as a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineProblem {
    NoColon,
    BadName,
}

/// Whether `content` is a property line, without building the property: the same
/// decision as [`parse_line`], made when a card is read so that only the lines that
/// are asked for get parsed.
pub(crate) fn check_line(content: &[u8], version: Version) -> Result<(), LineProblem> {
    let colon = head_end(content, version).ok_or(LineProblem::NoColon)?;
    let head = &content[..colon];
    // The name segment ends at the first `;` outside quotes (2.1 has no quoting).
    let mut in_quotes = false;
    let mut seg_end = head.len();
    for (i, &b) in head.iter().enumerate() {
        match b {
            b'"' if version != Version::V2_1 => in_quotes = !in_quotes,
            b';' if !in_quotes => {
                seg_end = i;
                break;
            }
            _ => {}
        }
    }
    let full_name = &head[..seg_end];
    let name = match full_name.iter().rposition(|&b| b == b'.') {
        Some(dot) => &full_name[dot + 1..],
        None => full_name,
    };
    let name = trim_unicode(name);
    if name.is_empty()
        || !name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(LineProblem::BadName);
    }
    Ok(())
}

/// Whether the head of `content` declares quoted-printable the way [`parse_line`]
/// reads it (`ENCODING=QUOTED-PRINTABLE` or a bare `QUOTED-PRINTABLE`), so that the
/// lexer applies soft line breaks exactly to the lines the parser decodes (found by
/// fuzzing: a garbled `E\xc4CODING=QUOTED-PRINTABLE` was unfolded as QP but not
/// decoded as QP).
pub(crate) fn head_declares_qp(content: &[u8], version: Version) -> bool {
    let Some(colon) = head_end(content, version) else {
        return false;
    };
    let head = String::from_utf8_lossy(&content[..colon]);
    split_params(&head, version)
        .into_iter()
        .skip(1)
        .map(|p| parse_param(p, version))
        .any(|p| {
            p.is("ENCODING")
                && p.values
                    .iter()
                    .any(|v| v.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
        })
}

/// Trims what `str::trim` would around an ASCII name: a name with other characters is
/// rejected anyway, so only the ASCII white space and the UTF-8 spaces matter.
fn trim_unicode(b: &[u8]) -> &[u8] {
    match std::str::from_utf8(b) {
        Ok(s) => s.trim().as_bytes(),
        Err(_) => b,
    }
}

/// Offset of the colon that ends the head: the first outside double quotes, or the
/// first at all when the quotes do not balance.
fn head_end(content: &[u8], version: Version) -> Option<usize> {
    let mut in_quotes = false;
    for (i, &b) in content.iter().enumerate() {
        match b {
            b'"' if version != Version::V2_1 => in_quotes = !in_quotes,
            b':' if !in_quotes => return Some(i),
            _ => {}
        }
    }
    content.iter().position(|&b| b == b':')
}

/// Parses one unfolded logical line.
pub(crate) fn parse_line(content: &[u8], version: Version) -> Result<Property, LineProblem> {
    let colon = head_end(content, version).ok_or(LineProblem::NoColon)?;
    let head = String::from_utf8_lossy(&content[..colon]);
    let raw_value = &content[colon + 1..];

    let mut parts = split_params(&head, version).into_iter();
    let full_name = parts.next().unwrap_or_default();
    let (group, name) = match full_name.rfind('.') {
        Some(dot) => (Some(full_name[..dot].to_owned()), &full_name[dot + 1..]),
        None => (None, full_name),
    };
    let name = name.trim();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(LineProblem::BadName);
    }
    let params: Vec<Param> = parts.map(|p| parse_param(p, version)).collect();
    let mut prop = Property {
        group,
        name: name.to_owned(),
        params,
        value: String::new(),
    };
    let bytes = if prop.is_quoted_printable() {
        std::borrow::Cow::Owned(text::decode_qp(raw_value))
    } else {
        std::borrow::Cow::Borrowed(raw_value)
    };
    let (value, _unknown_charset) = text::decode_charset(&bytes, prop.param("CHARSET"));
    prop.value = value;
    Ok(prop)
}

/// Splits the head on `;` outside double quotes (2.1 has no quoting).
fn split_params(head: &str, version: Version) -> Vec<&str> {
    if version == Version::V2_1 || !head.contains('"') {
        return head.split(';').collect();
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    // The delimiters are ASCII, so byte offsets are character boundaries.
    for (i, b) in head.bytes().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b';' if !in_quotes => {
                out.push(&head[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&head[start..]);
    out
}

fn parse_param(raw: &str, version: Version) -> Param {
    let Some(eq) = raw.find('=') else {
        return Param {
            name: None,
            values: vec![raw.trim().to_owned()],
        };
    };
    let name = raw[..eq].trim();
    if version != Version::V2_1 && name.contains('"') {
        // No parameter name has a quote; written back as a name it would reopen the
        // quoting differently (found by fuzzing). Keep the text as a bare value.
        return Param {
            name: None,
            values: vec![raw.trim().to_owned()],
        };
    }
    let name = name.to_owned();
    let rest = &raw[eq + 1..];
    let values = if version == Version::V2_1 {
        rest.split(',').map(str::to_owned).collect()
    } else if !rest.contains('"') {
        rest.split(',').map(text::decode_caret).collect()
    } else {
        // Split on commas outside quotes; the quotes themselves are dropped.
        let mut values = Vec::new();
        let mut cur = String::new();
        let mut in_quotes = false;
        let mut start = 0;
        for (i, b) in rest.bytes().enumerate() {
            match b {
                b'"' => {
                    cur.push_str(&rest[start..i]);
                    start = i + 1;
                    in_quotes = !in_quotes;
                }
                b',' if !in_quotes => {
                    cur.push_str(&rest[start..i]);
                    start = i + 1;
                    values.push(text::decode_caret(&std::mem::take(&mut cur)));
                }
                _ => {}
            }
        }
        cur.push_str(&rest[start..]);
        values.push(text::decode_caret(&cur));
        values
    };
    Param {
        name: Some(name),
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_params_value() {
        let p = parse_line(
            b"item1.TEL;TYPE=\"COMMA,SEPARATED:INSIDE.DQUOTE\",PREF:1",
            Version::V3_0,
        )
        .unwrap();
        assert_eq!(p.group.as_deref(), Some("item1"));
        assert_eq!(p.name, "TEL");
        assert_eq!(
            p.params[0].values,
            ["COMMA,SEPARATED:INSIDE.DQUOTE", "PREF"]
        );
        assert_eq!(p.value, "1");
        assert_eq!(p.pref(), Some(1));
    }

    #[test]
    fn bare_and_repeated_types() {
        let p = parse_line(b"TEL;WORK;VOICE:1", Version::V2_1).unwrap();
        assert_eq!(p.types(), ["WORK", "VOICE"]);
        let p = parse_line(b"TEL;TYPE=HOME;TYPE=FAX:1", Version::V3_0).unwrap();
        assert_eq!(p.types(), ["HOME", "FAX"]);
        let p = parse_line(b"NOTE;QUOTED-PRINTABLE:a=3Db", Version::V2_1).unwrap();
        assert_eq!(p.value, "a=b");
        assert!(p.types().is_empty());
    }

    #[test]
    fn caret_in_params() {
        let p = parse_line(b"ADR;LABEL=\"a^nb ^'c^'\":;;x", Version::V4_0).unwrap();
        assert_eq!(p.param("LABEL"), Some("a\nb \"c\""));
    }

    proptest::proptest! {
        /// The cheap check made when a card is read and the full parse made later
        /// must agree on which lines are properties.
        #[test]
        fn check_line_agrees_with_parse_line(
            line in proptest::string::bytes_regex("(?s-u)[a-zA-Z0-9 .;:=\",\\-_\\t\\x80-\\xff]{0,40}").unwrap(),
            v21 in proptest::bool::ANY,
        ) {
            let v = if v21 { Version::V2_1 } else { Version::V3_0 };
            proptest::prop_assert_eq!(check_line(&line, v), parse_line(&line, v).map(|_| ()));
        }
    }

    #[test]
    fn problems() {
        assert_eq!(
            parse_line(b"blablabla", Version::V3_0),
            Err(LineProblem::NoColon)
        );
        assert_eq!(
            parse_line(b"# x: y", Version::V3_0),
            Err(LineProblem::BadName)
        );
    }
}
