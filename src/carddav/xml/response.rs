//! Reading multistatus answers and error bodies (no I/O).
//!
//! Parsing is tolerant on purpose, because servers differ:
//! * properties are matched by local name, whatever their namespace
//!   (cyrus-imapd#4489 put some in the wrong one);
//! * ETags may come without quotes (groupoffice#556): they are kept as sent, and
//!   [`normalize_etag`] is there to compare them;
//! * the same href may appear twice (Zimbra, DavMail): all responses are returned, the
//!   caller merges;
//! * only properties inside a `propstat` with a 2xx status (or none) count; a response's
//!   own `status` (RFC 4918 §14.24, e.g. a 404 for a deleted card in a sync report) is in
//!   [`Response::status`].
//!
//! The body's `Content-Type` is never checked: some servers answer a 207 as
//! `text/html` (dav4jvm handles the same).

/// What `resourcetype` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceType {
    /// `DAV:collection`.
    pub collection: bool,
    /// `CARDDAV:addressbook`.
    pub addressbook: bool,
    /// `DAV:principal`.
    pub principal: bool,
}

/// The properties of one response (from the 2xx `propstat`s only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Props {
    /// `resourcetype`, when returned.
    pub resourcetype: Option<ResourceType>,
    /// `getetag` as sent (quotes kept; unquoted ones too).
    pub etag: Option<String>,
    /// `getctag`.
    pub ctag: Option<String>,
    /// `sync-token` property.
    pub sync_token: Option<String>,
    /// `address-data` text (the vCard).
    pub address_data: Option<String>,
    /// `current-user-principal` href.
    pub current_user_principal: Option<String>,
    /// `addressbook-home-set` hrefs.
    pub addressbook_home_set: Vec<String>,
    /// `displayname`.
    pub displayname: Option<String>,
    /// `addressbook-description`.
    pub description: Option<String>,
    /// `supported-address-data`: `(content-type, version)` pairs.
    pub supported_address_data: Vec<(String, String)>,
    /// `supported-report-set`: local names of the reports.
    pub supported_reports: Vec<String>,
}

impl Props {
    /// Fills in what `self` lacks from `other` (the answers to several PROPFINDs of
    /// the same resource).
    pub fn merge(&mut self, other: Props) {
        fn fill<T>(a: &mut Option<T>, b: Option<T>) {
            if a.is_none() {
                *a = b;
            }
        }
        fn extend<T>(a: &mut Vec<T>, b: Vec<T>) {
            if a.is_empty() {
                *a = b;
            }
        }
        fill(&mut self.resourcetype, other.resourcetype);
        fill(&mut self.etag, other.etag);
        fill(&mut self.ctag, other.ctag);
        fill(&mut self.sync_token, other.sync_token);
        fill(&mut self.address_data, other.address_data);
        fill(
            &mut self.current_user_principal,
            other.current_user_principal,
        );
        extend(&mut self.addressbook_home_set, other.addressbook_home_set);
        fill(&mut self.displayname, other.displayname);
        fill(&mut self.description, other.description);
        extend(
            &mut self.supported_address_data,
            other.supported_address_data,
        );
        extend(&mut self.supported_reports, other.supported_reports);
    }
}

/// One `response` of a multistatus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    /// The href exactly as sent (trimmed of surrounding white space).
    pub href: String,
    /// The response's own status, if it has one (e.g. 404 for a removed card).
    pub status: Option<u16>,
    /// Properties from successful propstats.
    pub props: Props,
}

/// A parsed `multistatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Multistatus {
    /// All responses, duplicates included, in document order.
    pub responses: Vec<Response>,
    /// The top-level `sync-token` of a sync-collection answer.
    pub sync_token: Option<String>,
}

/// Why a body is not a usable multistatus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError(pub String);

fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    let mut s = String::new();
    for d in node.descendants() {
        if d.is_text() {
            s.push_str(d.text().unwrap_or(""));
        }
    }
    s
}

fn child_hrefs(node: roxmltree::Node<'_, '_>) -> Vec<String> {
    node.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "href")
        .map(|n| text_of(n).trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Reads the status code out of `HTTP/1.1 404 Not Found`.
pub fn parse_status_line(line: &str) -> Option<u16> {
    line.split_whitespace().nth(1)?.parse().ok()
}

fn non_empty(s: String) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_owned())
    }
}

fn read_prop(props: &mut Props, node: roxmltree::Node<'_, '_>) {
    for p in node.children().filter(|n| n.is_element()) {
        match p.tag_name().name() {
            "resourcetype" => {
                let mut rt = ResourceType::default();
                for t in p.children().filter(|n| n.is_element()) {
                    match t.tag_name().name() {
                        "collection" => rt.collection = true,
                        "addressbook" => rt.addressbook = true,
                        "principal" => rt.principal = true,
                        _ => {}
                    }
                }
                props.resourcetype = Some(rt);
            }
            "getetag" => props.etag = non_empty(text_of(p)),
            "getctag" => props.ctag = non_empty(text_of(p)),
            "sync-token" => props.sync_token = non_empty(text_of(p)),
            // Not trimmed, and read with its own line endings: the card's bytes are
            // the server's.
            "address-data" => {
                let t = text_of(p);
                if !t.trim().is_empty() {
                    props.address_data =
                        Some(crate::carddav::raw_text::raw_text(p, &t).unwrap_or(t));
                }
            }
            "current-user-principal" => {
                props.current_user_principal = child_hrefs(p).into_iter().next()
            }
            "addressbook-home-set" => props.addressbook_home_set = child_hrefs(p),
            "displayname" => props.displayname = non_empty(text_of(p)),
            "addressbook-description" => props.description = non_empty(text_of(p)),
            "supported-address-data" => {
                for t in p.children().filter(|n| n.is_element()) {
                    let ct = t
                        .attribute("content-type")
                        .unwrap_or("text/vcard")
                        .to_owned();
                    let v = t.attribute("version").unwrap_or("3.0").to_owned();
                    props.supported_address_data.push((ct, v));
                }
            }
            "supported-report-set" => {
                for r in p
                    .descendants()
                    .filter(|n| n.is_element() && n.tag_name().name() == "report")
                {
                    if let Some(first) = r.children().find(|n| n.is_element()) {
                        props
                            .supported_reports
                            .push(first.tag_name().name().to_owned());
                    }
                }
            }
            _ => {}
        }
    }
}

fn body_text(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.trim_start_matches('\u{feff}').to_owned()
}

/// Parses a `multistatus` body held whole (a streamed one goes through
/// [`MultistatusReader`](super::MultistatusReader), which this is fed once).
///
/// # Errors
/// When the body is not XML or its root is not `multistatus`.
pub fn parse_multistatus(body: &[u8]) -> Result<Multistatus, XmlError> {
    let mut reader = super::stream::MultistatusReader::new(usize::MAX);
    let mut ms = reader.feed(body)?.unwrap_or_default();
    let rest = reader.finish()?;
    ms.responses.extend(rest.responses);
    ms.sync_token = rest.sync_token.or(ms.sync_token);
    Ok(ms)
}

/// Parses a `multistatus` document that is in memory as text.
///
/// # Errors
/// When the text is not XML or its root is not `multistatus`.
pub(super) fn read_multistatus(text: &str) -> Result<Multistatus, XmlError> {
    let doc = roxmltree::Document::parse(text).map_err(|e| XmlError(format!("not XML: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "multistatus" {
        return Err(XmlError(format!(
            "root element is <{}>, not <multistatus>",
            root.tag_name().name()
        )));
    }
    let mut ms = Multistatus::default();
    for node in root.children().filter(|n| n.is_element()) {
        match node.tag_name().name() {
            "sync-token" => ms.sync_token = non_empty(text_of(node)),
            "response" => read_response(node, &mut ms.responses),
            _ => {}
        }
    }
    Ok(ms)
}

/// Reads one `response` element into `out`: one [`Response`] per href it names.
fn read_response(node: roxmltree::Node<'_, '_>, out: &mut Vec<Response>) {
    let mut r = Response::default();
    for c in node.children().filter(|n| n.is_element()) {
        match c.tag_name().name() {
            // RFC 4918 allows several hrefs with one status; we keep the first and
            // repeat the response for the others below.
            "href" if r.href.is_empty() => r.href = text_of(c).trim().to_owned(),
            "status" => r.status = parse_status_line(&text_of(c)),
            "propstat" => {
                let status = c
                    .children()
                    .find(|n| n.is_element() && n.tag_name().name() == "status")
                    .and_then(|s| parse_status_line(&text_of(s)));
                if status.is_none_or(|s| (200..300).contains(&s)) {
                    for p in c
                        .children()
                        .filter(|n| n.is_element() && n.tag_name().name() == "prop")
                    {
                        read_prop(&mut r.props, p);
                    }
                }
            }
            _ => {}
        }
    }
    let extra: Vec<String> = node
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "href")
        .skip(1)
        .map(|n| text_of(n).trim().to_owned())
        .collect();
    if !r.href.is_empty() {
        let copies: Vec<Response> = extra
            .into_iter()
            .map(|href| Response { href, ..r.clone() })
            .collect();
        out.push(r);
        out.extend(copies);
    }
}

/// Local names of the elements inside a WebDAV `<error>` body (RFC 4918 §16), e.g.
/// `valid-sync-token`. Empty when the body is not such XML.
pub fn error_conditions(body: &[u8]) -> Vec<String> {
    let text = body_text(body);
    let Ok(doc) = roxmltree::Document::parse(&text) else {
        return Vec::new();
    };
    let root = doc.root_element();
    if root.tag_name().name() != "error" {
        return Vec::new();
    }
    root.children()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name().to_owned())
        .collect()
}

/// An ETag in the form we compare: surrounding white space removed, quotes added when
/// the server left them out (groupoffice#556). A weak `W/` prefix is kept.
pub fn normalize_etag(etag: &str) -> String {
    let t = etag.trim();
    let (weak, rest) = match t.strip_prefix("W/") {
        Some(r) => ("W/", r),
        None => ("", t),
    };
    if rest.len() >= 2 && rest.starts_with('"') && rest.ends_with('"') {
        format!("{weak}{rest}")
    } else {
        format!("{weak}\"{}\"", rest.trim_matches('"'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carddav::xml::escape;

    #[test]
    fn discovery_answer() {
        let body = br#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/">
 <d:response>
  <d:href>/remote.php/dav/addressbooks/alice/contacts/</d:href>
  <d:propstat><d:prop>
    <d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>
    <d:displayname>Contacts</d:displayname>
    <card:addressbook-description>Work &amp; home</card:addressbook-description>
    <cs:getctag>"42"</cs:getctag>
    <card:supported-address-data><card:address-data-type content-type="text/vcard" version="3.0"/><card:address-data-type content-type="text/vcard" version="4.0"/></card:supported-address-data>
    <d:supported-report-set><d:supported-report><d:report><card:addressbook-multiget/></d:report></d:supported-report><d:supported-report><d:report><d:sync-collection/></d:report></d:supported-report></d:supported-report-set>
    <d:current-user-principal><d:href>/remote.php/dav/principals/alice/</d:href></d:current-user-principal>
  </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
  <d:propstat><d:prop><d:sync-token/><card:addressbook-home-set/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
 </d:response>
</d:multistatus>"#;
        let ms = parse_multistatus(body).unwrap();
        assert_eq!(ms.responses.len(), 1);
        let r = &ms.responses[0];
        assert_eq!(r.href, "/remote.php/dav/addressbooks/alice/contacts/");
        let p = &r.props;
        assert!(p.resourcetype.as_ref().unwrap().addressbook);
        assert_eq!(p.displayname.as_deref(), Some("Contacts"));
        assert_eq!(p.description.as_deref(), Some("Work & home"));
        assert_eq!(p.ctag.as_deref(), Some("\"42\""));
        assert_eq!(p.sync_token, None);
        assert!(p.addressbook_home_set.is_empty());
        assert_eq!(p.supported_address_data.len(), 2);
        assert_eq!(
            p.supported_reports,
            ["addressbook-multiget", "sync-collection"]
        );
        assert_eq!(
            p.current_user_principal.as_deref(),
            Some("/remote.php/dav/principals/alice/")
        );
    }

    #[test]
    fn sync_answer_with_removed_and_token_after_responses() {
        // Xandikos puts the token after the responses; Radicale lists tombstones as 404.
        let body = br#"<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
<response><href>/alice/c/a%40b.vcf</href><propstat><prop><getetag>"1"</getetag><C:address-data>BEGIN:VCARD&#13;
VERSION:3.0&#13;
END:VCARD&#13;
</C:address-data></prop><status>HTTP/1.1 200 OK</status></propstat></response>
<response><href>http://127.0.0.1:1/alice/c/gone.vcf</href><status>HTTP/1.1 404 Not Found</status></response>
<sync-token>abc123</sync-token></multistatus>"#;
        let ms = parse_multistatus(body).unwrap();
        assert_eq!(ms.sync_token.as_deref(), Some("abc123"));
        assert_eq!(ms.responses[0].status, None);
        assert_eq!(
            ms.responses[0].props.address_data.as_deref(),
            Some("BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n")
        );
        assert_eq!(ms.responses[1].status, Some(404));
        assert_eq!(ms.responses[1].props, Props::default());
    }

    #[test]
    fn tolerates_odd_namespaces_unquoted_etags_and_duplicates() {
        // getetag in the CardDAV namespace (cyrus-imapd#4489), no quotes, a duplicate.
        let body = br#"<?xml version="1.0"?><x:multistatus xmlns:x="DAV:" xmlns:y="urn:ietf:params:xml:ns:carddav">
<x:response><x:href> /b/1.vcf </x:href><x:propstat><x:prop><y:getetag>abc</y:getetag></x:prop></x:propstat></x:response>
<x:response><x:href>/b/1.vcf</x:href><x:propstat><x:prop><x:getetag>abc</x:getetag></x:prop><x:status>HTTP/1.1 200 OK</x:status></x:propstat></x:response>
</x:multistatus>"#;
        let ms = parse_multistatus(body).unwrap();
        assert_eq!(ms.responses.len(), 2);
        assert_eq!(ms.responses[0].href, "/b/1.vcf");
        assert_eq!(ms.responses[0].props.etag.as_deref(), Some("abc"));
        assert_eq!(normalize_etag("abc"), "\"abc\"");
        assert_eq!(normalize_etag(" \"abc\" "), "\"abc\"");
        assert_eq!(normalize_etag("W/\"abc\""), "W/\"abc\"");
    }

    #[test]
    fn several_hrefs_in_one_response() {
        let body = br#"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/a</d:href><d:href>/b</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response></d:multistatus>"#;
        let ms = parse_multistatus(body).unwrap();
        let hrefs: Vec<_> = ms.responses.iter().map(|r| r.href.as_str()).collect();
        assert_eq!(hrefs, ["/a", "/b"]);
        assert!(ms.responses.iter().all(|r| r.status == Some(404)));
    }

    proptest::proptest! {
        /// Whatever a server sends, parsing returns (an error at worst), never panics.
        #[test]
        fn parsing_never_panics(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let _ = parse_multistatus(&body);
            let _ = error_conditions(&body);
        }

        /// Mangled but well-formed multistatus documents: still no panic.
        #[test]
        fn odd_multistatus_never_panics(
            href in "[ -~]{0,40}",
            status in "[ -~]{0,20}",
            etag in "[ -~&&[^<&]]{0,20}",
        ) {
            let body = format!(
                "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>{}</d:href><d:status>{}</d:status><d:propstat><d:prop><d:getetag>{etag}</d:getetag></d:prop><d:status>{}</d:status></d:propstat></d:response></d:multistatus>",
                escape(&href), escape(&status), escape(&status)
            );
            let ms = parse_multistatus(body.as_bytes()).unwrap();
            let _ = normalize_etag(&etag);
            proptest::prop_assert!(ms.responses.len() <= 1);
        }
    }

    #[test]
    fn not_a_multistatus() {
        assert!(parse_multistatus(b"<html><body>hi</body></html>").is_err());
        assert!(parse_multistatus(b"not xml").is_err());
        assert!(parse_multistatus(b"").is_err());
    }

    #[test]
    fn error_bodies() {
        assert_eq!(
            error_conditions(
                br#"<?xml version="1.0"?><error xmlns="DAV:"><valid-sync-token /></error>"#
            ),
            ["valid-sync-token"]
        );
        assert_eq!(
            error_conditions(b"<d:error xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\"><s:exception>X</s:exception></d:error>"),
            ["exception"]
        );
        assert!(error_conditions(b"Forbidden").is_empty());
    }
}
