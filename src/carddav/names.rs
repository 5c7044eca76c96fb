//! Protocol constants: XML namespaces and the WebDAV/CardDAV property names we use.
//!
//! Matching in [`super::xml`] is by local name (some servers put properties in the wrong
//! namespace, cyrus-imapd#4489); the namespaces matter only when we write requests.

/// WebDAV namespace (RFC 4918).
pub const DAV: &str = "DAV:";
/// CardDAV namespace (RFC 6352).
pub const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
/// Apple's calendarserver namespace, home of `getctag`.
pub const CALENDARSERVER: &str = "http://calendarserver.org/ns/";

/// Content type sent with every XML request body (Xandikos answers 415 without it).
pub const XML_CONTENT_TYPE: &str = "application/xml; charset=utf-8";
/// Content type of a vCard PUT.
pub const VCARD_CONTENT_TYPE: &str = "text/vcard; charset=utf-8";
