//! Reading a multistatus as it arrives: [`MultistatusReader`] takes the body in
//! pieces and hands back the responses of each stretch that has come in whole, so
//! that a sync of 100,000 cards never holds the whole answer, its text and its tree
//! at once.
//!
//! The reader only finds the boundaries of the root's children. It tracks tags,
//! comments, CDATA sections, processing instructions and a DOCTYPE at the byte level,
//! without interpreting names or namespaces. A stretch of complete children is then
//! parsed as a small document of its own: the root's start tag exactly as the server
//! sent it (so every namespace declaration is in scope), the children, the root's end
//! tag. Interpreting a response is thus the same code for a streamed answer and a
//! whole one ([`parse_multistatus`](super::parse_multistatus) is this reader fed once).

use super::response::{Multistatus, XmlError, read_multistatus};

/// Complete children are parsed once this many bytes of them have gathered: large
/// enough that the root tag repeated per stretch costs nothing, small enough to keep
/// memory flat.
const STRETCH: usize = 256 * 1024;

/// A multistatus body read piece by piece: [`feed`](Self::feed) it the pieces as they
/// arrive, then [`finish`](Self::finish) it. Only the root's children are framed at
/// the byte level; each stretch of complete children is parsed as a document of its
/// own, under the root's start tag as the server sent it.
#[derive(Debug)]
pub struct MultistatusReader {
    /// Bytes not yet handed back: from the start of the first child not yet parsed.
    buf: Vec<u8>,
    /// Where scanning resumes in `buf`.
    pos: usize,
    /// Elements open at `pos`: 0 before and after the root, 1 between its children.
    depth: usize,
    /// The root's start tag as sent, once seen.
    root_tag: Option<Vec<u8>>,
    /// The root's name as sent (with its prefix), for the end tag of each stretch.
    root_name: Vec<u8>,
    /// End of the last complete child in `buf`: `buf[..complete]` is ready to parse.
    complete: usize,
    /// Whether the root has been closed.
    closed: bool,
    /// Most bytes one child (a response) may take.
    max_child: usize,
    /// Whether the start of the body (a byte order mark) has been dealt with.
    started: bool,
}

impl MultistatusReader {
    /// A reader that refuses a single child (one response) larger than `max_child`
    /// bytes.
    pub fn new(max_child: usize) -> MultistatusReader {
        MultistatusReader {
            buf: Vec::new(),
            pos: 0,
            depth: 0,
            root_tag: None,
            root_name: Vec::new(),
            complete: 0,
            closed: false,
            max_child,
            started: false,
        }
    }

    /// Takes the next piece of the body. Returns the responses (and a sync-token) of
    /// the children completed so far once enough of them have gathered, else `None`.
    ///
    /// # Errors
    /// When the body is not a multistatus, or one child is larger than allowed.
    pub fn feed(&mut self, piece: &[u8]) -> Result<Option<Multistatus>, XmlError> {
        self.buf.extend_from_slice(piece);
        if !self.started {
            if self.buf.len() < 3 && b"\xEF\xBB\xBF".starts_with(&self.buf) {
                return Ok(None);
            }
            if self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.buf.drain(..3);
            }
            self.started = true;
        }
        self.scan()?;
        if self.depth >= 1 && self.buf.len() - self.complete > self.max_child {
            return Err(XmlError(format!(
                "one response is larger than the {} byte limit",
                self.max_child
            )));
        }
        if self.complete >= STRETCH {
            return self.take().map(Some);
        }
        Ok(None)
    }

    /// Ends the body: the responses not handed back yet.
    ///
    /// # Errors
    /// When the body ended before its root element did, or had none.
    pub fn finish(mut self) -> Result<Multistatus, XmlError> {
        if self.root_tag.is_none() {
            return Err(XmlError("not XML: no root element".into()));
        }
        if !self.closed {
            return Err(XmlError(
                "not XML: the answer ends inside <multistatus>".into(),
            ));
        }
        if self.pos < self.buf.len() {
            // Markup after the root that never ended (`<!-- ...`).
            return Err(XmlError("not XML: the answer ends inside markup".into()));
        }
        self.take()
    }

    /// Parses `buf[..complete]` and drops it from the buffer.
    fn take(&mut self) -> Result<Multistatus, XmlError> {
        let root = self.root_tag.as_deref().unwrap_or_default();
        let mut doc = Vec::with_capacity(root.len() + self.complete + self.root_name.len() + 3);
        doc.extend_from_slice(root);
        doc.extend_from_slice(&self.buf[..self.complete]);
        doc.extend_from_slice(b"</");
        doc.extend_from_slice(&self.root_name);
        doc.push(b'>');
        self.buf.drain(..self.complete);
        self.pos -= self.complete;
        self.complete = 0;
        read_multistatus(&String::from_utf8_lossy(&doc))
    }

    /// Advances `pos` over every construct that has arrived whole.
    fn scan(&mut self) -> Result<(), XmlError> {
        while self.pos < self.buf.len() {
            let rest = &self.buf[self.pos..];
            if rest[0] != b'<' {
                match rest.iter().position(|&b| b == b'<') {
                    Some(n) => {
                        if self.depth == 0 && !rest[..n].iter().all(u8::is_ascii_whitespace) {
                            return Err(XmlError("not XML: text outside the root element".into()));
                        }
                        self.pos += n;
                        continue;
                    }
                    None => {
                        if self.depth == 0 && !rest.iter().all(u8::is_ascii_whitespace) {
                            return Err(XmlError("not XML: text outside the root element".into()));
                        }
                        self.pos = self.buf.len();
                        return Ok(());
                    }
                }
            }
            let Some(len) = construct_len(rest)? else {
                return Ok(());
            };
            let start = self.pos;
            self.pos += len;
            match self.buf.get(start + 1) {
                Some(b'/') => self.end_tag(start)?,
                Some(b'!' | b'?') => {
                    // A comment or CDATA between the root's children belongs to no
                    // child; one before the root is skipped with the prolog.
                    if self.depth <= 1 {
                        self.skip_to(self.pos);
                    }
                }
                _ => self.start_tag(start)?,
            }
        }
        Ok(())
    }

    fn start_tag(&mut self, start: usize) -> Result<(), XmlError> {
        let tag = &self.buf[start..self.pos];
        let empty = tag.ends_with(b"/>");
        match self.depth {
            0 => {
                if self.closed || self.root_tag.is_some() {
                    return Err(XmlError("not XML: a second root element".into()));
                }
                let name = tag_name(tag);
                let local = name.rsplit(|&b| b == b':').next().unwrap_or_default();
                if local != b"multistatus" {
                    return Err(XmlError(format!(
                        "root element is <{}>, not <multistatus>",
                        String::from_utf8_lossy(local)
                    )));
                }
                self.root_name = name.to_vec();
                if empty {
                    let mut open = tag[..tag.len() - 2].to_vec();
                    open.push(b'>');
                    self.root_tag = Some(open);
                    self.closed = true;
                } else {
                    self.root_tag = Some(tag.to_vec());
                    self.depth = 1;
                }
                self.skip_to(self.pos);
            }
            1 if empty => self.complete = self.pos,
            _ if empty => {}
            _ => self.depth += 1,
        }
        Ok(())
    }

    fn end_tag(&mut self, start: usize) -> Result<(), XmlError> {
        match self.depth {
            0 => Err(XmlError(
                "not XML: an end tag outside the root element".into(),
            )),
            1 => {
                if tag_name(&self.buf[start..self.pos]) != self.root_name {
                    return Err(XmlError("not XML: mismatched end tag".into()));
                }
                self.depth = 0;
                self.closed = true;
                // The root's end tag is added back to each stretch; what follows it
                // is scanned like anything else outside the root, whether it came
                // in this piece or a later one.
                self.buf.drain(start..self.pos);
                self.pos = start;
                Ok(())
            }
            2 => {
                self.depth = 1;
                self.complete = self.pos;
                Ok(())
            }
            _ => {
                self.depth -= 1;
                Ok(())
            }
        }
    }

    /// Drops what lies before `to` when no child is pending, so that the prolog, the
    /// root's start tag and what lies between children take no memory.
    fn skip_to(&mut self, to: usize) {
        if self.complete == 0 {
            self.buf.drain(..to);
            self.pos -= to;
        }
    }
}

/// The name in a start or end tag (`<d:response ...>` → `d:response`).
fn tag_name(tag: &[u8]) -> &[u8] {
    let inner = tag
        .strip_prefix(b"</")
        .or_else(|| tag.strip_prefix(b"<"))
        .unwrap_or(tag);
    let end = inner
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
        .unwrap_or(inner.len());
    &inner[..end]
}

/// The length of the markup construct at the start of `s` (which starts with `<`),
/// or `None` when it has not arrived whole.
///
/// # Errors
/// When it is no markup at all (`<` followed by white space or the end of a DOCTYPE
/// that never closes its internal subset).
fn construct_len(s: &[u8]) -> Result<Option<usize>, XmlError> {
    let after = |open: usize, close: &[u8]| {
        s.get(open..)
            .and_then(|t| t.windows(close.len()).position(|w| w == close))
            .map(|i| open + i + close.len())
    };
    const PREFIXES: [&[u8]; 3] = [b"<!--", b"<![CDATA[", b"<!DOCTYPE"];
    for p in PREFIXES {
        if s.len() < p.len() && p.starts_with(s) {
            return Ok(None);
        }
    }
    if s.starts_with(b"<!--") {
        return Ok(after(4, b"-->"));
    }
    if s.starts_with(b"<![CDATA[") {
        return Ok(after(9, b"]]>"));
    }
    if s.starts_with(b"<?") {
        return Ok(after(2, b"?>"));
    }
    if s.starts_with(b"<!") {
        // A DOCTYPE, maybe with an internal subset in brackets.
        return Ok(markup_end(s, 2, true));
    }
    match s.get(1) {
        None => return Ok(None),
        Some(b) if b.is_ascii_whitespace() || *b == b'<' || *b == b'>' => {
            return Err(XmlError("not XML: a `<` that starts no tag".into()));
        }
        _ => {}
    }
    // A start or end tag: up to the `>` outside quoted attribute values.
    Ok(markup_end(s, 1, false))
}

/// The index after the `>` that ends the markup at the start of `s`, scanning from
/// `from`: a `>` inside a quoted value does not count, nor, with `subset`, one inside
/// a DOCTYPE's bracketed internal subset. `None` until it has arrived.
fn markup_end(s: &[u8], from: usize, subset: bool) -> Option<usize> {
    let mut quote = None;
    let mut bracket = false;
    for (i, &b) in s.iter().enumerate().skip(from) {
        match (quote, b) {
            (Some(q), _) if q == b => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'[') if subset => bracket = true,
            (None, b']') if subset => bracket = false,
            (None, b'>') if !bracket => return Some(i + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "\u{feff}<?xml version=\"1.0\"?>\n<!-- hi -->\n\
<d:multistatus xmlns:d=\"DAV:\" xmlns:C='urn:ietf:params:xml:ns:carddav' a='x>y'>\n\
 <d:response><d:href>/b/1.vcf</d:href><d:propstat><d:prop><d:getetag>\"1\"</d:getetag>\
<C:address-data><![CDATA[BEGIN:VCARD\r\nNOTE:</d:response> <!-- not a comment\r\nEND:VCARD\r\n]]></C:address-data>\
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>\n\
 <!-- between -->\n\
 <d:response><d:href>/b/2.vcf</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>\n\
 <d:response/>\n\
 <d:sync-token>tok</d:sync-token>\n\
</d:multistatus>\n";

    fn read_in_pieces(body: &[u8], size: usize) -> Result<Multistatus, XmlError> {
        let mut r = MultistatusReader::new(1 << 20);
        let mut all = Multistatus::default();
        let mut absorb = |ms: Multistatus| {
            all.responses.extend(ms.responses);
            all.sync_token = ms.sync_token.or(all.sync_token.take());
        };
        for piece in body.chunks(size) {
            if let Some(ms) = r.feed(piece)? {
                absorb(ms);
            }
        }
        absorb(r.finish()?);
        Ok(all)
    }

    #[test]
    fn the_same_answer_whatever_the_pieces() {
        let whole = read_in_pieces(BODY.as_bytes(), BODY.len()).unwrap();
        assert_eq!(whole.responses.len(), 2);
        assert_eq!(whole.responses[0].href, "/b/1.vcf");
        assert_eq!(
            whole.responses[0].props.address_data.as_deref(),
            Some("BEGIN:VCARD\r\nNOTE:</d:response> <!-- not a comment\r\nEND:VCARD\r\n")
        );
        assert_eq!(whole.responses[1].status, Some(404));
        assert_eq!(whole.sync_token.as_deref(), Some("tok"));
        for size in 1..BODY.len() {
            assert_eq!(
                read_in_pieces(BODY.as_bytes(), size).unwrap(),
                whole,
                "pieces of {size}"
            );
        }
    }

    #[test]
    fn stretches_are_handed_back_as_they_complete() {
        let card = "x".repeat(1000);
        let mut body = String::from("<multistatus xmlns='DAV:'>");
        for i in 0..1000 {
            body.push_str(&format!(
                "<response><href>/b/{i}</href><propstat><prop><getetag>e</getetag>\
                 <address-data xmlns='urn:ietf:params:xml:ns:carddav'>{card}</address-data>\
                 </prop></propstat></response>"
            ));
        }
        body.push_str("</multistatus>");
        let mut r = MultistatusReader::new(1 << 20);
        let mut early = 0;
        let mut held = 0;
        for piece in body.as_bytes().chunks(4096) {
            if let Some(ms) = r.feed(piece).unwrap() {
                early += ms.responses.len();
            }
            held = held.max(r.buf.len());
        }
        let rest = r.finish().unwrap().responses.len();
        assert_eq!(early + rest, 1000);
        assert!(early > 900, "only {early} handed back early");
        assert!(held < 2 * STRETCH, "held {held} bytes");
    }

    #[test]
    fn refuses_what_is_no_multistatus() {
        for body in [
            &b""[..],
            b"not xml",
            b"<html><body>hi</body></html>",
            b"<d:multistatus xmlns:d='DAV:'><d:response>",
            b"<d:multistatus xmlns:d='DAV:'></d:other>",
            b"<d:multistatus xmlns:d='DAV:'></d:multistatus><d:multistatus>",
            b"</d:multistatus>",
            b"< d:multistatus>",
            b"<d:multistatus xmlns:d='DAV:'></d:multistatus><!-- open",
            b"<d:multistatus xmlns:d='DAV:'></d:multistatus>K",
            b"<d:multistatus xmlns:d='DAV:'>x</d:multistatus>K</d:multistatus>",
        ] {
            // Whole, and in pieces that split the root's end tag from what follows.
            for size in [1, 3, body.len().max(1)] {
                let r = read_in_pieces(body, size);
                assert!(
                    r.is_err(),
                    "{:?} in pieces of {size} read as {r:?}",
                    String::from_utf8_lossy(body)
                );
            }
        }
        let ms = read_in_pieces(b"<d:multistatus xmlns:d='DAV:'/>", 5).unwrap();
        assert!(ms.responses.is_empty());
    }

    #[test]
    fn one_response_over_the_limit_is_refused() {
        let body = format!(
            "<multistatus xmlns='DAV:'><response><href>/a</href>{}</response></multistatus>",
            "<x/>".repeat(1000)
        );
        let mut r = MultistatusReader::new(1000);
        let failed = body
            .as_bytes()
            .chunks(100)
            .map(|p| r.feed(p))
            .any(|res| res.is_err());
        assert!(failed);
    }
}
