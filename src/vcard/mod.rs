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

mod lexer;
mod property;
pub(crate) mod text;
mod views;

use std::fmt;
use std::sync::OnceLock;

pub use property::{Param, Property};
pub(crate) use views::decode_ablabel;
pub use views::{Address, Email, Name, Organization, Tel, Url};

use lexer::{LogicalLine, logical_lines};

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

fn is_begin(content: &[u8]) -> bool {
    let c = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    c.trim_ascii().eq_ignore_ascii_case(b"BEGIN:VCARD")
}

fn is_end(content: &[u8]) -> bool {
    content.trim_ascii().eq_ignore_ascii_case(b"END:VCARD")
}

fn is_blank(content: &[u8]) -> bool {
    content
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(content)
        .trim_ascii()
        .is_empty()
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

    fn from_lines(input: &[u8], lines: &[LogicalLine]) -> VCard {
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

    /// Replaces the property behind `id` (the line is rewritten). Returns false when
    /// `id` names no live property.
    pub fn replace(&mut self, id: PropId, prop: Property) -> bool {
        let Some(current) = self.property(id) else {
            return false;
        };
        if *current != prop {
            let l = &mut self.lines[id.0];
            l.kind = prop_kind(prop);
            l.span = None;
            self.modified = true;
        }
        true
    }

    /// Sets the value of `id` to `text`, escaped for the card's version; group and
    /// parameters are kept. Returns false when `id` names no live property.
    pub fn set_text(&mut self, id: PropId, text: &str) -> bool {
        let raw = text::escape_text(text, self.version);
        self.set_text_value(id, raw)
    }

    /// Sets a structured value (N, ADR, ORG) from its components.
    pub fn set_components(&mut self, id: PropId, components: &[&str]) -> bool {
        let raw = self.join_components(components);
        self.set_text_value(id, raw)
    }

    /// Sets an escaped text value: a base64 transfer encoding the old value had no
    /// longer applies, so it is dropped.
    fn set_text_value(&mut self, id: PropId, raw: String) -> bool {
        let Some(mut prop) = self.property(id).cloned() else {
            return false;
        };
        if !prop.is_base64() {
            return self.set_raw_value(id, raw);
        }
        prop.params.retain(|p| {
            !(p.is("ENCODING")
                && p.values
                    .iter()
                    .any(|v| v.eq_ignore_ascii_case("B") || v.eq_ignore_ascii_case("BASE64")))
        });
        prop.value = raw;
        self.replace(id, prop)
    }

    fn join_components(&self, components: &[&str]) -> String {
        components
            .iter()
            .map(|c| text::escape_component(c, self.version))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Sets the value of `id` to an already escaped value.
    pub fn set_raw_value(&mut self, id: PropId, raw: String) -> bool {
        let Some(mut prop) = self.property(id).cloned() else {
            return false;
        };
        if prop.value == raw {
            return true;
        }
        prop.value = raw;
        self.replace(id, prop)
    }

    /// Removes the property behind `id`. Returns false when there was none.
    pub fn remove(&mut self, id: PropId) -> bool {
        match self.lines.get_mut(id.0) {
            Some(l) if !l.removed && l.depth == 1 && matches!(l.kind, LineKind::Prop(_)) => {
                l.removed = true;
                self.modified = true;
                true
            }
            _ => false,
        }
    }

    /// Appends a property before `END:VCARD` and returns its id.
    pub fn push(&mut self, prop: Property) -> PropId {
        let end = self
            .lines
            .iter()
            .rposition(|l| l.depth == 0 && self.prop_of(l).is_some_and(|p| p.is("END")))
            .unwrap_or(self.lines.len());
        self.lines.insert(
            end,
            Line {
                span: None,
                kind: prop_kind(prop),
                depth: 1,
                removed: false,
            },
        );
        self.modified = true;
        PropId(end)
    }

    /// Appends a text property (`NAME:value`, escaped for the card's version).
    pub fn push_text(&mut self, name: &str, value: &str) -> PropId {
        let raw = text::escape_text(value, self.version);
        self.push(Property::new(name, &raw))
    }

    /// Appends a structured property from components.
    pub fn push_components(&mut self, name: &str, components: &[&str]) -> PropId {
        let raw = self.join_components(components);
        self.push(Property::new(name, &raw))
    }

    /// Sets the first `name` property to `value` (adding it when missing), or removes
    /// every `name` property when `value` is `None`.
    pub fn set_single(&mut self, name: &str, value: Option<&str>) {
        let ids: Vec<PropId> = self.find(name).map(|(id, _)| id).collect();
        match (value, ids.first()) {
            (Some(v), Some(&id)) => {
                let current = self.property(id).map(|p| p.text(self.version));
                if current.as_deref() != Some(v) {
                    self.set_text(id, v);
                }
            }
            (Some(v), None) => {
                self.push_text(name, v);
            }
            (None, _) => {
                for id in ids {
                    self.remove(id);
                }
            }
        }
    }

    /// The card's bytes: the bytes it was read from when nothing was edited.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.source.len() + 64);
        self.write_to(&mut out);
        out
    }

    /// Appends the card's bytes to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        if let Some(around) = &self.around {
            out.extend_from_slice(&around.0);
        }
        self.write_lines(out);
        if let Some(around) = &self.around {
            out.extend_from_slice(&around.1);
        }
    }

    fn write_lines(&self, out: &mut Vec<u8>) {
        if !self.modified {
            out.extend_from_slice(&self.source);
            return;
        }
        for l in &self.lines {
            if l.removed {
                continue;
            }
            match (l.span, &l.kind) {
                (Some((s, e)), _) => out.extend_from_slice(&self.source[s..e]),
                (None, LineKind::Prop(_)) => {
                    if let Some(p) = self.prop_of(l) {
                        self.write_property(out, p);
                    }
                }
                (None, LineKind::Other) => {}
            }
        }
    }

    fn write_property(&self, out: &mut Vec<u8>, prop: &Property) {
        let prop = self.normalise_for_write(prop);
        let (line, qp) = prop.write_unfolded(self.version, self.eol);
        if qp {
            // Quoted-printable lines carry their own soft line breaks.
            out.extend_from_slice(&line);
            out.extend_from_slice(self.eol);
        } else {
            text::fold_into(out, &line, self.eol);
        }
    }

    /// Adjusts transfer parameters so that the written bytes mean what the value says:
    /// values are written as UTF-8, and 2.1 values with line breaks or non-ASCII text
    /// travel as quoted-printable.
    fn normalise_for_write(&self, prop: &Property) -> Property {
        let mut p = prop.clone();
        // A raw line break must never reach the output, whatever produced it (found by
        // fuzzing: a 2.1 continuation line inside a 3.0 card): 3.0/4.0 escape it, 2.1
        // carries it as quoted-printable.
        if !p.is_quoted_printable() && p.value.contains(['\r', '\n']) {
            if self.version == Version::V2_1 {
                p.params.retain(|x| !x.is("ENCODING"));
                p.params.push(Param::new("ENCODING", "QUOTED-PRINTABLE"));
            } else {
                p.value = p
                    .value
                    .replace("\r\n", "\n")
                    .replace('\r', "\n")
                    .replace('\n', "\\n");
            }
        }
        // After the line-break rule, which may turn a base64 value into quoted-printable
        // text: the charset and encoding rules then see the final encoding, so that
        // rewriting a rewritten line changes nothing (found by fuzzing).
        let non_ascii = !p.value.is_ascii();
        if p.is_base64() {
            // The charset of a base64 value names the encoded bytes, which are
            // written as they are (found by fuzzing).
        } else if let Some(cs) = p.params.iter_mut().find(|x| x.is("CHARSET")) {
            cs.values = vec!["UTF-8".into()];
        } else if non_ascii && self.version == Version::V2_1 {
            p.params.push(Param::new("CHARSET", "UTF-8"));
        }
        if self.version == Version::V2_1
            && (non_ascii || p.value.contains('\n'))
            && !p.is_quoted_printable()
            && p.param("ENCODING").is_none()
        {
            p.params.push(Param::new("ENCODING", "QUOTED-PRINTABLE"));
        }
        p
    }
}

#[cfg(test)]
mod tests;
