//! WebDAV and CardDAV request bodies: PROPFIND, addressbook-multiget and
//! sync-collection, with the property sets each request asks for.

use std::fmt::Write as _;

use crate::carddav::names;

/// Properties a discovery PROPFIND asks for (principal, home set, and what describes a
/// book), so one request tells what the URL is. The first [`DISCOVERY_ESSENTIAL`] of
/// them are the ones discovery cannot do without; a server that fails on the whole set
/// is asked for those alone and for each of the others on its own.
pub const DISCOVERY_PROPS: &[(&str, &str)] = &[
    ("d", "resourcetype"),
    ("d", "current-user-principal"),
    ("c", "addressbook-home-set"),
    ("d", "displayname"),
    ("c", "addressbook-description"),
    ("cs", "getctag"),
    ("d", "sync-token"),
    ("c", "supported-address-data"),
    ("d", "supported-report-set"),
];

/// How many of [`DISCOVERY_PROPS`] are essential: `resourcetype` and
/// `current-user-principal`.
pub const DISCOVERY_ESSENTIAL: usize = 2;

/// Properties of a Depth 1 listing: ETags of the cards, and the collection's CTag and
/// sync-token from the same answer.
pub const LISTING_PROPS: &[(&str, &str)] = &[
    ("d", "resourcetype"),
    ("d", "getetag"),
    ("cs", "getctag"),
    ("d", "sync-token"),
];

/// Properties of a Depth 0 "anything changed?" check.
pub const CHECK_PROPS: &[(&str, &str)] = &[("cs", "getctag"), ("d", "sync-token")];

fn open_root(out: &mut String, root: &str) {
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<{root} xmlns:d=\"{}\" xmlns:c=\"{}\" xmlns:cs=\"{}\">",
        names::DAV,
        names::CARDDAV,
        names::CALENDARSERVER
    );
}

fn push_props(out: &mut String, props: &[(&str, &str)]) {
    out.push_str("<d:prop>");
    for (prefix, name) in props {
        let _ = write!(out, "<{prefix}:{name}/>");
    }
    out.push_str("</d:prop>");
}

/// Escapes text for an XML element or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A PROPFIND body asking for `props` (`(prefix, local name)`, prefixes `d`, `c`, `cs`).
pub fn propfind(props: &[(&str, &str)]) -> String {
    let mut out = String::new();
    open_root(&mut out, "d:propfind");
    push_props(&mut out, props);
    out.push_str("</d:propfind>");
    out
}

/// An `addressbook-multiget` REPORT body (RFC 6352 §8.7) for `hrefs`, which are sent
/// exactly as the server gave them.
pub fn multiget(hrefs: &[&str]) -> String {
    let mut out = String::new();
    open_root(&mut out, "c:addressbook-multiget");
    out.push_str("<d:prop><d:getetag/><c:address-data/></d:prop>");
    for h in hrefs {
        let _ = write!(out, "<d:href>{}</d:href>", escape(h));
    }
    out.push_str("</c:addressbook-multiget>");
    out
}

/// A `sync-collection` REPORT body (RFC 6578 §3.2); `token` is empty for an initial
/// sync. No `<limit>`: Xandikos silently truncates with it, others ignore it.
pub fn sync_collection(token: &str, with_data: bool) -> String {
    let mut out = String::new();
    open_root(&mut out, "d:sync-collection");
    let _ = write!(
        out,
        "<d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level>",
        escape(token)
    );
    if with_data {
        out.push_str("<d:prop><d:getetag/><c:address-data/></d:prop>");
    } else {
        out.push_str("<d:prop><d:getetag/></d:prop>");
    }
    out.push_str("</d:sync-collection>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_well_formed() {
        for body in [
            propfind(DISCOVERY_PROPS),
            propfind(LISTING_PROPS),
            multiget(&["/a/b&c.vcf", "/a/d.vcf"]),
            sync_collection("http://x/ns/sync/1?a=<b>", true),
            sync_collection("", false),
        ] {
            roxmltree::Document::parse(&body).unwrap();
        }
        assert!(multiget(&["/a/b&c.vcf"]).contains("<d:href>/a/b&amp;c.vcf</d:href>"));
        assert!(!sync_collection("", true).contains("limit"));
    }
}
