//! Splits bytes into physical lines and groups them into logical content lines,
//! remembering the exact byte span of each so that untouched lines are written back
//! as they came.

use std::borrow::Cow;

use super::Version;

/// One logical content line: its raw byte span (terminators included) and its
/// unfolded content.
#[derive(Debug)]
pub(crate) struct LogicalLine<'a> {
    /// Byte range in the input, from the first byte to after the last terminator.
    pub start: usize,
    pub end: usize,
    /// 1-based number of the first physical line, for warnings.
    pub line_no: usize,
    /// The unfolded content without terminator; borrowed from the input unless the
    /// line was folded (most lines are not, and copying each was the parser's main
    /// cost).
    pub content: Cow<'a, [u8]>,
    /// The terminator of the last physical line (`\r\n`, `\n`, `\r\r\n`, `\r`, or empty).
    pub eol_len: usize,
}

struct Physical {
    start: usize,
    content_end: usize,
    end: usize,
}

fn physical_lines(input: &[u8]) -> Vec<Physical> {
    let mut lines = Vec::with_capacity(input.len() / 32 + 1);
    let mut start = 0;
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'\n' => {
                lines.push(Physical {
                    start,
                    content_end: i,
                    end: i + 1,
                });
                i += 1;
                start = i;
            }
            b'\r' => {
                let end = if input[i + 1..].starts_with(b"\r\n") {
                    i + 3
                } else if input.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                };
                lines.push(Physical {
                    start,
                    content_end: i,
                    end,
                });
                i = end;
                start = i;
            }
            _ => i += memchr_eol(&input[i..]).unwrap_or(input.len() - i),
        }
    }
    if start < input.len() {
        lines.push(Physical {
            start,
            content_end: input.len(),
            end: input.len(),
        });
    }
    lines
}

/// Offset of the next CR or LF.
fn memchr_eol(s: &[u8]) -> Option<usize> {
    s.iter().position(|&b| b == b'\n' || b == b'\r')
}

/// Whether the head of a content line (before the first colon) declares
/// quoted-printable encoding.
fn is_quoted_printable(content: &[u8]) -> bool {
    let head_end = content
        .iter()
        .position(|&b| b == b':')
        .unwrap_or(content.len());
    let head = &content[..head_end];
    head.windows(16)
        .any(|w| w.eq_ignore_ascii_case(b"QUOTED-PRINTABLE"))
}

/// Ends with an odd number of backslashes (a 2.1 escaped line break).
fn ends_with_escape(content: &[u8]) -> bool {
    content.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// Groups physical lines into logical lines, unfolding as `version` prescribes.
/// `version_hint` is updated as VERSION lines go by.
pub(crate) fn logical_lines(input: &[u8]) -> Vec<LogicalLine<'_>> {
    logical_lines_from(input, Version::V3_0, false)
}

/// The unfolded content of `span`, the bytes of one logical line as
/// [`logical_lines`] delimited it in a card of `version`. The 2.1 backslash
/// continuation is allowed whatever the version: inside the span every break was
/// joined, so allowing it joins nothing that was not.
pub(crate) fn unfold(span: &[u8], version: Version) -> Cow<'_, [u8]> {
    logical_lines_from(span, version, true)
        .into_iter()
        .next()
        .map_or(Cow::Borrowed(&[][..]), |l| l.content)
}

fn logical_lines_from(
    input: &[u8],
    mut version: Version,
    any_continuation: bool,
) -> Vec<LogicalLine<'_>> {
    let phys = physical_lines(input);
    let mut out = Vec::with_capacity(phys.len());
    let mut depth = 0usize;
    let mut version_seen = false;
    let mut i = 0;
    while i < phys.len() {
        let p = &phys[i];
        let mut content = Cow::Borrowed(&input[p.start..p.content_end]);
        let mut end = p.end;
        let mut eol_len = p.end - p.content_end;
        let qp =
            is_quoted_printable(&content) && super::property::head_declares_qp(&content, version);
        let mut j = i + 1;
        while j < phys.len() {
            let next = &phys[j];
            let next_content = &input[next.start..next.content_end];
            // A line break with no terminator cannot be continued.
            if end == phys[j - 1].content_end {
                break;
            }
            if qp && content.last() == Some(&b'=') {
                // Quoted-printable soft line break: drop the '=' and the line break.
                let c = content.to_mut();
                c.pop();
                c.extend_from_slice(next_content);
            } else if matches!(next_content.first(), Some(b' ' | b'\t')) {
                // A fold: the line break and one white-space character vanish.
                content.to_mut().extend_from_slice(&next_content[1..]);
            } else if (version == Version::V2_1 || any_continuation)
                && ends_with_escape(&content)
                && !next_content.is_empty()
                && !looks_like_property(next_content)
                && !starts_fold(input, phys.get(j + 1))
            {
                // (A next line that is itself folded is the start of a property whose
                // name was split by the fold, not the rest of this value.)
                // 2.1 writers (Android) continue a value after a backslash.
                let c = content.to_mut();
                c.pop();
                c.push(b'\n');
                c.extend_from_slice(next_content);
            } else {
                break;
            }
            end = next.end;
            eol_len = next.end - next.content_end;
            j += 1;
        }
        // The version that counts is a card's first VERSION line, as the card reads
        // it: a second one, or a nested card's, must not change how the rest of the
        // card is unfolded (found by fuzzing).
        let trimmed = content
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&content)
            .trim_ascii();
        if trimmed.eq_ignore_ascii_case(b"BEGIN:VCARD") {
            if depth == 0 {
                version = Version::V3_0;
                version_seen = false;
            }
            depth += 1;
        } else if trimmed.eq_ignore_ascii_case(b"END:VCARD") {
            depth = depth.saturating_sub(1);
        } else if !version_seen
            && content.len() > 8
            && content[..8].eq_ignore_ascii_case(b"VERSION:")
        {
            version = Version::from_value(&String::from_utf8_lossy(&content[8..]));
            version_seen = true;
        }
        out.push(LogicalLine {
            start: p.start,
            end,
            line_no: i + 1,
            content,
            eol_len,
        });
        i = j;
    }
    out
}

/// Whether the physical line `p` continues the one before it (starts with white space).
fn starts_fold(input: &[u8], p: Option<&Physical>) -> bool {
    p.is_some_and(|p| matches!(input.get(p.start), Some(b' ' | b'\t')) && p.start < p.content_end)
}

/// A rough test for "NAME[;...]:" at the start of a line.
fn looks_like_property(content: &[u8]) -> bool {
    let name_end = content
        .iter()
        .position(|&b| b == b':' || b == b';')
        .unwrap_or(0);
    name_end > 0
        && content[..name_end]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(input: &[u8]) -> Vec<String> {
        logical_lines(input)
            .into_iter()
            .map(|l| String::from_utf8_lossy(&l.content).into_owned())
            .collect()
    }

    #[test]
    fn line_endings_and_folds() {
        let input = b"A:1\r\r\nB:2\r\n 3\nC:4\rD:5";
        assert_eq!(contents(input), ["A:1", "B:23", "C:4", "D:5"]);
        let spans: Vec<_> = logical_lines(input)
            .iter()
            .map(|l| (l.start, l.end))
            .collect();
        assert_eq!(spans, [(0, 6), (6, 14), (14, 18), (18, 21)]);
    }

    #[test]
    fn fold_splitting_utf8() {
        let input = "N:K\u{f6}ln\r\n".as_bytes();
        let mut folded = input[..3].to_vec();
        folded.push(input[3]);
        folded.extend_from_slice(b"\r\n ");
        folded.extend_from_slice(&input[4..]);
        assert_eq!(contents(&folded), ["N:Köln"]);
    }

    #[test]
    fn backslash_continuation_stops_at_a_folded_property() {
        // Found by the property test: `a` + fold ` .TEL:` is the property `a.TEL:`,
        // not the rest of the value ending in a backslash.
        let input = b"VERSION:2.1\r\nTEL:\\\r\na\r\n .TEL:\r\n";
        assert_eq!(contents(input), ["VERSION:2.1", "TEL:\\", "a.TEL:"]);
        let input = b"VERSION:2.1\r\nADR:a\\\r\nb c;d\r\nEND:VCARD\r\n";
        assert_eq!(
            contents(input),
            ["VERSION:2.1", "ADR:a\nb c;d", "END:VCARD"]
        );
    }

    #[test]
    fn quoted_printable_soft_breaks() {
        let input = b"NOTE;ENCODING=QUOTED-PRINTABLE:a=\r\n#b\r\n# comment\r\n";
        assert_eq!(
            contents(input),
            ["NOTE;ENCODING=QUOTED-PRINTABLE:a#b", "# comment"]
        );
    }
}
