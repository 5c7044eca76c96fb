//! Hrefs as the server sends them: resolving them against the book's URL, and the
//! key that compares two spellings of one href.

use url::Url;

use crate::error::{Error, Result};

/// Percent-decodes `s` (invalid escapes are kept as they are; bytes that are no
/// UTF-8 become U+FFFD).
pub(crate) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The comparison key of an href: resolved against `base`, percent-decoded
/// (`%40` = `@`, `%2b` = `%2B` = `+`), without scheme. Requests always use the href as
/// the server sent it; only comparisons use this key.
pub(crate) fn href_key(base: &Url, href: &str) -> String {
    match base.join(href.trim()) {
        Ok(u) => format!(
            "{}:{}{}",
            u.host_str().unwrap_or(""),
            u.port_or_known_default().unwrap_or(0),
            percent_decode(u.path())
        ),
        Err(_) => percent_decode(href.trim()),
    }
}

/// The URL of `href` (a path or an absolute URL) relative to `base`.
pub(crate) fn resolve(base: &Url, href: &str) -> Result<Url> {
    base.join(href.trim()).map_err(|e| Error::InvalidResponse {
        url: base.to_string(),
        reason: format!("bad href {href:?}: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn href_keys_ignore_encoding_and_form() {
        let base = Url::parse("http://127.0.0.1:5232/alice/contacts/").unwrap();
        let k = href_key(&base, "/alice/contacts/a%20b%40c%2Bd.vcf");
        assert_eq!(k, href_key(&base, "/alice/contacts/a%20b@c%2bd.vcf"));
        assert_eq!(
            k,
            href_key(&base, "http://127.0.0.1:5232/alice/contacts/a%20b@c+d.vcf")
        );
        assert_eq!(k, href_key(&base, "a%20b@c%2Bd.vcf"));
        assert_ne!(k, href_key(&base, "/alice/contacts/other.vcf"));
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }
}
