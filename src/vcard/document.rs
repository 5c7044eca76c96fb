//! A file or answer of several cards ([`Document`]): splitting it into cards and
//! the bytes between them, each kept so that the whole is written back as it was.

use super::lexer::logical_lines;
use super::read::{is_begin, is_blank, is_end};
use super::{ParseError, VCard};

/// A parsed file or response body: the cards and whatever stood between them, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    entries: Vec<Entry>,
}

/// A piece of a [`Document`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A card.
    Card(VCard),
    /// Bytes that could not be read as a card, kept verbatim.
    Invalid {
        /// The bytes.
        raw: Vec<u8>,
        /// Why.
        error: ParseError,
    },
    /// Blank lines (or a byte-order mark) between cards.
    Filler(Vec<u8>),
}

impl Document {
    /// Reads every card in `input`. Never fails: what is not a card becomes an
    /// [`Entry::Invalid`] that keeps its bytes.
    pub fn parse(input: &[u8]) -> Document {
        let lines = logical_lines(input);
        let mut entries = Vec::new();
        let mut i = 0;
        // Start of bytes outside any card not yet emitted, and whether they hold text.
        let mut loose_start = 0;
        let mut loose_line = 1;
        let mut loose_text = false;
        let flush_loose =
            |entries: &mut Vec<Entry>, start: usize, end: usize, text: bool, line: usize| {
                if start < end {
                    let raw = input[start..end].to_vec();
                    entries.push(if text {
                        Entry::Invalid {
                            raw,
                            error: ParseError::MissingBegin { line },
                        }
                    } else {
                        Entry::Filler(raw)
                    });
                }
            };
        while i < lines.len() {
            let l = &lines[i];
            if is_begin(&l.content) {
                // Find the matching END, counting nested cards.
                let mut depth = 0usize;
                let mut j = i;
                let mut end = None;
                while j < lines.len() {
                    if is_begin(&lines[j].content) {
                        depth += 1;
                    } else if is_end(&lines[j].content) {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break;
                        }
                    }
                    j += 1;
                }
                flush_loose(&mut entries, loose_start, l.start, loose_text, loose_line);
                match end {
                    Some(j) => {
                        entries.push(Entry::Card(VCard::from_lines(input, &lines[i..=j])));
                        i = j + 1;
                        loose_start = lines[j].end;
                    }
                    None => {
                        entries.push(Entry::Invalid {
                            raw: input[l.start..].to_vec(),
                            error: ParseError::Truncated { line: l.line_no },
                        });
                        return Document { entries };
                    }
                }
                loose_text = false;
                loose_line = lines.get(i).map_or(0, |l| l.line_no);
                continue;
            }
            if !is_blank(&l.content) {
                if !loose_text {
                    loose_line = l.line_no;
                }
                loose_text = true;
            }
            if is_end(&l.content) {
                // A card whose BEGIN is missing: keep its bytes as one invalid entry.
                flush_loose(&mut entries, loose_start, l.end, true, loose_line);
                loose_start = l.end;
                loose_text = false;
            }
            i += 1;
        }
        flush_loose(
            &mut entries,
            loose_start,
            input.len(),
            loose_text,
            loose_line,
        );
        Document { entries }
    }

    /// The entries in input order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Consumes the document, giving its entries.
    pub fn into_entries(self) -> Vec<Entry> {
        self.entries
    }

    /// The cards that could be read.
    pub fn cards(&self) -> impl Iterator<Item = &VCard> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Card(c) => Some(c),
            _ => None,
        })
    }

    /// The document's bytes: the input itself when nothing was edited.
    pub fn to_bytes(&self) -> Vec<u8> {
        // One allocation of the right size for an unedited document: writing is then
        // little more than a copy of each card's bytes.
        let size = self
            .entries
            .iter()
            .map(|e| match e {
                Entry::Card(c) => c.source.len(),
                Entry::Invalid { raw, .. } | Entry::Filler(raw) => raw.len(),
            })
            .sum();
        let mut out = Vec::with_capacity(size);
        for e in &self.entries {
            match e {
                Entry::Card(c) => c.write_to(&mut out),
                Entry::Invalid { raw, .. } | Entry::Filler(raw) => out.extend_from_slice(raw),
            }
        }
        out
    }
}
