//! A lossless vCard engine (vCard 2.1, 3.0 and 4.0).
//!
//! A card is kept as its content lines: each line remembers the exact bytes it was read
//! from, so a card that was not edited is written back byte for byte, and an edit
//! rewrites only the lines it touches, in the card's own version and line ending,
//! folded at 75 octets. Typed views ([`VCard::tels`], [`VCard::name`], ...) read the
//! lines; the edit methods ([`VCard::set_text`], [`VCard::push`], [`VCard::remove`],
//! ...) change them.
//!
//! Parsing is lenient: a line that is not a property (`#` comments, garbage) is kept
//! verbatim and reported in [`VCard::warnings`]; a card without `BEGIN`/`END` is an
//! [`Entry::Invalid`] of its [`Document`] that keeps its bytes. Nothing panics,
//! whatever the input.
//!
//! ```
//! use cti_phonebook::vcard::VCard;
//!
//! let mut card = VCard::parse(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nTEL;TYPE=CELL:+49 30 1\r\nEND:VCARD\r\n")?;
//! assert_eq!(card.formatted_name().as_deref(), Some("Ada"));
//! let tel = card.tels()[0].id;
//! card.set_text(tel, "+49 30 2");
//! assert!(card.to_bytes().ends_with(b"TEL;TYPE=CELL:+49 30 2\r\nEND:VCARD\r\n"));
//! # Ok::<(), cti_phonebook::vcard::ParseError>(())
//! ```

mod document;
mod edit;
mod lexer;
mod property;
mod read;
pub(crate) mod text;
mod views;
mod write;

use std::fmt;
use std::sync::OnceLock;

pub use property::{Param, Property};
pub(crate) use views::decode_ablabel;
pub use views::{Address, Email, Name, Organization, Tel, Url};

/// vCard version of a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// vCard 2.1 (quoted-printable, charsets, bare type parameters).
    V2_1,
    /// vCard 3.0 (RFC 2426).
    V3_0,
    /// vCard 4.0 (RFC 6350).
    V4_0,
}

impl Version {
    /// Reads a VERSION value; anything unknown counts as 3.0.
    pub fn from_value(v: &str) -> Version {
        match v.trim() {
            "2.1" | "2.0" => Version::V2_1,
            "4.0" => Version::V4_0,
            _ => Version::V3_0,
        }
    }

    /// The VERSION value.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2_1 => "2.1",
            Version::V3_0 => "3.0",
            Version::V4_0 => "4.0",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why bytes could not be read as a card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// No `BEGIN:VCARD` line before the card's content.
    #[error("line {line}: missing BEGIN:VCARD")]
    MissingBegin {
        /// 1-based line number where the stray content starts.
        line: usize,
    },
    /// The input ended before `END:VCARD`.
    #[error("line {line}: card is truncated (no END:VCARD)")]
    Truncated {
        /// 1-based line number of the card's BEGIN.
        line: usize,
    },
    /// The input holds no card at all.
    #[error("no vCard found")]
    Empty,
    /// The input holds more than one card where one was expected.
    #[error("{count} vCards where one was expected")]
    SeveralCards {
        /// How many cards there were.
        count: usize,
    },
}

/// A non-fatal problem found while reading a card; the line is kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based physical line number within the parsed input.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

/// Identifies a content line of a card; stays valid across edits of the same card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropId(usize);

#[derive(Debug, Clone)]
enum LineKind {
    /// A property (including BEGIN, VERSION and END). A line read from the input is
    /// parsed into its [`Property`] only when first asked for: a phone book reads a
    /// handful of properties per card, and building every one (PHOTO, X- lines) was
    /// most of the parsing time. Edited and added lines hold theirs from the start.
    Prop(OnceLock<Property>),
    /// A blank line or one that is not a property; only ever written verbatim.
    Other,
}

fn prop_kind(prop: Property) -> LineKind {
    LineKind::Prop(OnceLock::from(prop))
}

#[derive(Debug, Clone)]
struct Line {
    /// Byte span in `VCard::source`; `None` once the line was edited or added.
    span: Option<(usize, usize)>,
    kind: LineKind,
    /// Nesting depth: 0 for the card's own BEGIN/END, 1 for its properties, 2+ inside
    /// a nested 2.1 card.
    depth: u8,
    removed: bool,
}

/// One vCard, kept losslessly. See the [module docs](self).
#[derive(Clone)]
pub struct VCard {
    source: Vec<u8>,
    /// Blank lines or a byte-order mark before BEGIN and after END in the resource the
    /// card was read from by [`VCard::parse`]: written back as they were, so that a
    /// card round-trips as the bytes a server holds, not only as its lines.
    around: Option<Box<(Vec<u8>, Vec<u8>)>>,
    lines: Vec<Line>,
    version: Version,
    eol: &'static [u8],
    modified: bool,
    warnings: Vec<Warning>,
}

/// Two cards are equal when they would write the same bytes and hold the same
/// properties (whether or not those were parsed yet).
impl PartialEq for VCard {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && self.warnings == other.warnings
            && self.to_bytes() == other.to_bytes()
            && self.lines.len() == other.lines.len()
            && self.lines.iter().zip(&other.lines).all(|(a, b)| {
                a.depth == b.depth && a.removed == b.removed && self.prop_of(a) == other.prop_of(b)
            })
    }
}

impl Eq for VCard {}

impl fmt::Debug for VCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VCard")
            .field("version", &self.version)
            .field("fn", &self.formatted_name())
            .field("lines", &self.lines.len())
            .field("modified", &self.modified)
            .finish()
    }
}

pub use document::{Document, Entry};

impl VCard {
    /// The card's version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// Problems found while reading (lines kept verbatim).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Whether any line was edited, added or removed since parsing.
    pub fn is_modified(&self) -> bool {
        self.modified
    }

    /// The property of line `l`, parsed from the card's bytes on first use.
    fn prop_of<'a>(&'a self, l: &'a Line) -> Option<&'a Property> {
        let LineKind::Prop(cell) = &l.kind else {
            return None;
        };
        Some(cell.get_or_init(|| {
            // A line without its property was read from the input and kept its span.
            let (s, e) = l.span.unwrap_or_default();
            let content = lexer::unfold(&self.source[s..e], self.version);
            // check_line accepted this line when the card was read.
            property::parse_line(&content, self.version).unwrap_or_else(|_| Property::new("X-", ""))
        }))
    }

    /// The card's own properties in order (not BEGIN/END, not those of nested cards).
    pub fn properties(&self) -> impl Iterator<Item = (PropId, &Property)> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.depth == 1 && !l.removed)
            .filter_map(|(i, l)| Some((PropId(i), self.prop_of(l)?)))
    }

    /// The card's properties named `name`.
    pub fn find<'a>(&'a self, name: &'a str) -> impl Iterator<Item = (PropId, &'a Property)> + 'a {
        self.lines
            .iter()
            .enumerate()
            .filter(move |(_, l)| l.depth == 1 && !l.removed && self.may_be(l, name))
            .filter_map(|(i, l)| Some((PropId(i), self.prop_of(l)?)))
            .filter(move |(_, p)| p.is(name))
    }

    /// The first property named `name`.
    pub fn first(&self, name: &str) -> Option<(PropId, &Property)> {
        self.lines.iter().enumerate().find_map(|(i, l)| {
            if l.depth != 1 || l.removed || !self.may_be(l, name) {
                return None;
            }
            self.prop_of(l)
                .filter(|p| p.is(name))
                .map(|p| (PropId(i), p))
        })
    }

    /// Whether line `l` may be a `name` property, looking at its bytes when it was not
    /// parsed yet, so that looking for TEL does not parse the PHOTO.
    fn may_be(&self, l: &Line, name: &str) -> bool {
        match (&l.kind, l.span) {
            (LineKind::Prop(cell), _) if cell.get().is_some() => true,
            (LineKind::Prop(_), Some((s, e))) => {
                let raw = &self.source[s..e];
                let Some(end) = raw
                    .iter()
                    .position(|&b| matches!(b, b';' | b':' | b'\r' | b'\n' | b'"'))
                else {
                    return true;
                };
                if !matches!(raw[end], b';' | b':') {
                    // A fold or a quote before the name ends: let the parser decide.
                    return true;
                }
                let full = &raw[..end];
                let n = match full.iter().rposition(|&b| b == b'.') {
                    Some(dot) => &full[dot + 1..],
                    None => full,
                };
                let n = n.trim_ascii();
                // Names with non-ASCII white space around them go to the parser too.
                !n.is_ascii() || n.eq_ignore_ascii_case(name.as_bytes())
            }
            _ => false,
        }
    }

    /// The property behind `id`, unless it was removed.
    pub fn property(&self, id: PropId) -> Option<&Property> {
        match self.lines.get(id.0) {
            Some(l) if !l.removed => self.prop_of(l),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
