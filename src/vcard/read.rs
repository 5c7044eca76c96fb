//! Reading one card from its bytes into content lines ([`VCard::parse`]), and a new
//! empty card.

use std::sync::OnceLock;

use super::lexer::LogicalLine;
use super::{Document, Entry, Line, LineKind, ParseError, VCard, Version, Warning, property};

impl VCard {
    /// Reads exactly one card. Blank lines or a byte-order mark around it are no error;
    /// they are kept and written back by [`VCard::to_bytes`] as they were.
    ///
    /// # Errors
    /// [`ParseError::Empty`] without a card, [`ParseError::SeveralCards`] with more than
    /// one, or the card's own error ([`ParseError::Truncated`], ...).
    pub fn parse(input: &[u8]) -> Result<VCard, ParseError> {
        let mut card = None;
        let mut count = 0;
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for e in Document::parse(input).into_entries() {
            match e {
                Entry::Card(c) => {
                    count += 1;
                    card.get_or_insert(c);
                }
                Entry::Invalid { error, .. } => return Err(error),
                Entry::Filler(raw) if card.is_none() => before.extend_from_slice(&raw),
                Entry::Filler(raw) => after.extend_from_slice(&raw),
            }
        }
        match (card, count) {
            (Some(mut c), 1) => {
                if !before.is_empty() || !after.is_empty() {
                    c.around = Some(Box::new((before, after)));
                }
                Ok(c)
            }
            (Some(_), n) => Err(ParseError::SeveralCards { count: n }),
            (None, _) => Err(ParseError::Empty),
        }
    }

    /// A new, empty card of `version` (BEGIN, VERSION, END; CRLF line endings).
    pub fn new(version: Version) -> VCard {
        let text = format!("BEGIN:VCARD\r\nVERSION:{version}\r\nEND:VCARD\r\n");
        let mut card = VCard::parse(text.as_bytes()).expect("a fixed, valid card");
        card.modified = true;
        card
    }

    pub(super) fn from_lines(input: &[u8], lines: &[LogicalLine]) -> VCard {
        let base = lines[0].start;
        let source = input[base..lines[lines.len() - 1].end].to_vec();
        let eol: &'static [u8] = match lines[0].eol_len {
            1 if input[lines[0].end - 1] == b'\n' => b"\n",
            _ => b"\r\n",
        };
        let mut version = None;
        let mut warnings = Vec::new();
        let mut out = Vec::with_capacity(lines.len());
        let mut depth = 0u8;
        // VERSION normally follows BEGIN; read it first so that every line is parsed
        // under the right rules.
        for l in lines {
            if l.content.len() > 8 && l.content[..8].eq_ignore_ascii_case(b"VERSION:") {
                version = Some(Version::from_value(&String::from_utf8_lossy(
                    &l.content[8..],
                )));
                break;
            }
        }
        if version.is_none() {
            warnings.push(Warning {
                line: lines[0].line_no,
                message: "no VERSION; read as 3.0".into(),
            });
        }
        let version = version.unwrap_or(Version::V3_0);
        for l in lines {
            let begin = is_begin(&l.content);
            let end = is_end(&l.content);
            if end {
                depth = depth.saturating_sub(1);
            }
            let kind = if is_blank(&l.content) {
                LineKind::Other
            } else {
                match property::check_line(&l.content, version) {
                    Ok(()) => LineKind::Prop(OnceLock::new()),
                    Err(problem) => {
                        warnings.push(Warning {
                            line: l.line_no,
                            message: format!(
                                "not a property ({}), kept verbatim: {}",
                                match problem {
                                    property::LineProblem::NoColon => "no colon",
                                    property::LineProblem::BadName => "bad name",
                                },
                                String::from_utf8_lossy(&l.content)
                                    .chars()
                                    .take(60)
                                    .collect::<String>()
                            ),
                        });
                        LineKind::Other
                    }
                }
            };
            out.push(Line {
                span: Some((l.start - base, l.end - base)),
                kind,
                depth,
                removed: false,
            });
            if begin {
                depth = depth.saturating_add(1);
            }
        }
        VCard {
            source,
            around: None,
            lines: out,
            version,
            eol,
            modified: false,
            warnings,
        }
    }
}

// The three line tests are `#[inline]`: `Document::parse`, in another module and so
// possibly another codegen unit, calls them for every line of a document.
#[inline]
pub(super) fn is_begin(content: &[u8]) -> bool {
    let c = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    c.trim_ascii().eq_ignore_ascii_case(b"BEGIN:VCARD")
}

#[inline]
pub(super) fn is_end(content: &[u8]) -> bool {
    content.trim_ascii().eq_ignore_ascii_case(b"END:VCARD")
}

#[inline]
pub(super) fn is_blank(content: &[u8]) -> bool {
    content
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(content)
        .trim_ascii()
        .is_empty()
}
