//! Output formats: JSON documents, the plain-text table and CSV fields, and the
//! escaping that keeps card data from steering the terminal.
use std::io::Write;

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

/// Prints `v` as one line of JSON. JSON escapes C0 controls; the other characters
/// [`printable`] escapes (C1 controls, bidirectional overrides) are valid in JSON
/// strings as they are, so they are written as `\uXXXX` here, which reads back the
/// same: JSON printed to a terminal cannot steer it either.
pub(crate) fn print_json(v: &Value) {
    let text = v.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            // Outside strings JSON has no such characters, and inside them C0 and
            // DEL are escaped already (DEL is harmless, and escaped here too).
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    println!("{out}");
}

/// `text` with the characters that steer a terminal (C0 and C1 controls, DEL, and
/// the bidirectional overrides that reorder what is shown) written as visible
/// escapes such as `\x1B` or `\u{202E}`: card data comes from servers, and must not
/// set a window title, clear the screen or hide text. `keep_newlines` keeps line
/// breaks and tabs (for CSV, whose quoting carries them); a backslash stays as it is.
pub(crate) fn printable(text: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    let steers = |c: char| {
        (c.is_control() && !(keep_newlines && matches!(c, '\n' | '\t')))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.contains(steers) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !steers(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Prints `rows` (the first the header) as a table: each column as wide as its widest
/// cell, at most 80 terminal columns for the first and 32 for the others (longer
/// cells are cut), two spaces between columns. Widths are display widths, so that
/// CJK characters and emoji, which take two terminal columns, keep the columns
/// aligned.
pub(crate) fn print_table(rows: &[Vec<String>]) {
    let cols = rows.first().map_or(0, Vec::len);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| {
                    let n = r.get(c).map_or(0, |v| printable(v, false).width());
                    n.min(if c == 0 { 80 } else { 32 })
                })
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .zip(&width)
            .map(|(v, &w)| fit(&printable(v, false), w))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
}

/// `text` cut to at most `width` terminal columns (a wide character that would
/// straddle the edge is left out) and padded with spaces to `width`.
fn fit(text: &str, width: usize) -> String {
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let next = i + c.len_utf8();
        if text[..next].width() > width {
            break;
        }
        end = next;
    }
    let cut = &text[..end];
    format!("{cut}{}", " ".repeat(width.saturating_sub(cut.width())))
}

/// A CSV field: quoted when it must be, with the characters that steer a terminal
/// escaped ([`printable`]; line breaks and tabs stay, inside quotes).
pub(crate) fn csv_field(s: &str) -> String {
    let s = printable(s, true);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(printable("Esc\u{1b}]0;x\u{7}", false), "Esc\\x1B]0;x\\x07");
        assert_eq!(
            printable("a\u{9b}b\u{202e}c", false),
            "a\\u{009B}b\\u{202E}c"
        );
        assert_eq!(printable("a\nb\tc", false), "a\\x0Ab\\x09c");
        assert_eq!(printable("a\nb\tc", true), "a\nb\tc");
        assert!(matches!(
            printable("Müller \\ Co", false),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn cells_are_cut_and_padded_by_display_width() {
        use super::fit;
        assert_eq!(fit("Ada", 5), "Ada  ");
        assert_eq!(fit("王小明", 7), "王小明 ");
        // A wide character that would straddle the edge is left out.
        assert_eq!(fit("王小明", 5), "王小 ");
        assert_eq!(fit("ab😀", 3), "ab ");
        assert_eq!(fit("", 0), "");
    }
}
