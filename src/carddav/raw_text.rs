//! The text content of an XML element exactly as the server sent it, line endings
//! included.
//!
//! XML 1.0 §2.11 makes every parser report CR LF and a lone CR in text as LF. A vCard
//! inside `address-data` would lose the CRs that RFC 6350 §3.2 requires, so a card
//! synced by REPORT would differ from the same card fetched by GET, and a write-back
//! would change every line of it. [`raw_text`] reads the element's content from the
//! document's own bytes instead and decodes only what XML escapes: the five named
//! entities, character references and CDATA sections (comments and processing
//! instructions are dropped). A CR the server escaped as `&#13;` is a CR either way.
//!
//! The result is checked against the parser's text: with line endings normalised on
//! both sides they must be equal, otherwise (an entity declared in a DTD, a child element, a body
//! we misread) the parser's text is the answer.

use roxmltree::Node;

/// The text of `node`'s content with its original line endings, or `None` when it
/// cannot be read that way (see the [module docs](self)).
pub(crate) fn raw_text(node: Node<'_, '_>, parsed: &str) -> Option<String> {
    let doc = node.document().input_text();
    let element = doc.get(node.range())?;
    let open_end = start_tag_end(element)?;
    if element[..open_end].ends_with("/>") {
        return None;
    }
    let close_start = element.rfind("</")?;
    let inner = element.get(open_end..close_start)?;
    let decoded = decode(inner)?;
    (normalise_newlines(&decoded) == normalise_newlines(parsed)).then_some(decoded)
}

/// The index just after the `>` that ends the start tag at the beginning of `element`
/// (quoted attribute values may hold a `>`).
fn start_tag_end(element: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in element.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Decodes XML character data without touching line endings. `None` for anything but
/// text, references, CDATA, comments and processing instructions.
fn decode(inner: &str) -> Option<String> {
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(i) = rest.find(['&', '<']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let end = r.find("]]>")?;
            out.push_str(&r[..end]);
            rest = &r[end + 3..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if rest.starts_with('<') {
            return None;
        } else {
            let end = rest.find(';')?;
            out.push(reference(&rest[1..end])?);
            rest = &rest[end + 1..];
        }
    }
    out.push_str(rest);
    Some(out)
}

fn reference(name: &str) -> Option<char> {
    let code = match name {
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "amp" => return Some('&'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        _ => match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => name.strip_prefix('#')?.parse().ok()?,
        },
    };
    char::from_u32(code)
}

/// Line endings as an XML parser reports them: CR LF and a lone CR become LF.
fn normalise_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(xml: &str) -> Option<String> {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let node = doc.root_element();
        let parsed: String = node
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        raw_text(node, &parsed)
    }

    #[test]
    fn keeps_crlf_lone_cr_and_lf_as_sent() {
        assert_eq!(
            content("<a>BEGIN:VCARD\r\nFN:A\nX:1\rEND:VCARD\r\n</a>").as_deref(),
            Some("BEGIN:VCARD\r\nFN:A\nX:1\rEND:VCARD\r\n")
        );
    }

    #[test]
    fn decodes_references_and_cdata() {
        assert_eq!(
            content(
                "<a x='>'>N:&lt;&amp;&#13;&#x0A;&#233;<![CDATA[<b>&amp;\r\n]]><!-- c --><?p?>z</a>"
            )
            .as_deref(),
            Some("N:<&\r\né<b>&amp;\r\nz")
        );
    }

    #[test]
    fn gives_up_on_children_and_empty_elements() {
        assert_eq!(content("<a>x<b/>y</a>"), None);
        assert_eq!(content("<a/>"), None);
    }

    #[test]
    fn prefixed_names_and_attributes_with_slashes() {
        assert_eq!(
            content("<C:address-data xmlns:C='urn:x' type='a/b'>A\r\nB</C:address-data>")
                .as_deref(),
            Some("A\r\nB")
        );
    }
}
