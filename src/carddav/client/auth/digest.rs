//! The Digest answer (RFC 7616 §3.4): the `Authorization: Digest ...` value for a
//! challenge, with a client nonce from the operating system's CSPRNG.

use url::Url;

use super::challenge::{Algorithm, DigestChallenge};
use crate::error::{Error, Result};

/// The lower-case hex digest of `data` with `alg`'s hash.
fn hex_hash(alg: &Algorithm, data: &[u8]) -> String {
    use sha2::Digest as _;
    let bytes: Vec<u8> = match alg {
        Algorithm::Md5 | Algorithm::Md5Sess => md5::Md5::digest(data).to_vec(),
        Algorithm::Sha256 | Algorithm::Sha256Sess => sha2::Sha256::digest(data).to_vec(),
    };
    hex(&bytes)
}

/// `bytes` in lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh client nonce: 16 random bytes from the operating system, in hex.
///
/// # Errors
/// [`Error::Io`] when the system has no randomness to give.
pub(super) fn cnonce() -> Result<String> {
    let mut raw = [0u8; 16];
    getrandom::getrandom(&mut raw).map_err(|e| {
        Error::Io(std::io::Error::other(format!(
            "no system randomness for a Digest client nonce: {e}"
        )))
    })?;
    Ok(hex(&raw))
}

/// Path and query of `url`, as the Digest `uri` parameter wants it.
pub(super) fn request_target(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The `Authorization: Digest ...` value (RFC 7616 §3.4) answering `d` with nonce
/// count `d.nc`.
pub(super) fn digest_header(
    d: &DigestChallenge,
    user: &str,
    password: &str,
    method: &str,
    uri: &str,
    cnonce: &str,
) -> String {
    let alg = &d.algorithm;
    let mut ha1 = hex_hash(alg, format!("{user}:{}:{password}", d.realm).as_bytes());
    if alg.session() {
        ha1 = hex_hash(alg, format!("{ha1}:{}:{cnonce}", d.nonce).as_bytes());
    }
    let ha2 = hex_hash(alg, format!("{method}:{uri}").as_bytes());
    let nc = format!("{:08x}", d.nc);
    let response = if d.qop_auth {
        hex_hash(
            alg,
            format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", d.nonce).as_bytes(),
        )
    } else {
        hex_hash(alg, format!("{ha1}:{}:{ha2}", d.nonce).as_bytes())
    };
    let username = if d.userhash {
        hex_hash(alg, format!("{user}:{}", d.realm).as_bytes())
    } else {
        user.to_owned()
    };
    let mut h = format!(
        "Digest username={}, realm={}, nonce={}, uri={}, algorithm={}, response=\"{response}\"",
        quote(&username),
        quote(&d.realm),
        quote(&d.nonce),
        quote(uri),
        alg.name(),
    );
    if d.qop_auth {
        h.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
    }
    if let Some(o) = &d.opaque {
        h.push_str(&format!(", opaque={}", quote(o)));
    }
    if d.userhash {
        h.push_str(", userhash=true");
    }
    h
}

#[cfg(test)]
mod tests {
    use super::super::challenge::parse_digest;
    use super::*;

    /// RFC 7616 §3.9.1: the example for Mufasa, MD5 and SHA-256.
    #[test]
    fn digest_matches_rfc7616_examples() {
        let mut d = parse_digest(
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
        )
        .unwrap();
        d.nc = 1;
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        let answer = |d: &DigestChallenge| {
            digest_header(
                d,
                "Mufasa",
                "Circle of Life",
                "GET",
                "/dir/index.html",
                cnonce,
            )
        };
        let h = answer(&d);
        assert!(
            h.contains(r#"response="8ca523f5e9506fed4657c9700eebdbec""#),
            "{h}"
        );
        assert!(h.contains("nc=00000001"));
        d.algorithm = Algorithm::Sha256;
        let h = answer(&d);
        assert!(
            h.contains(
                r#"response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1""#
            ),
            "{h}"
        );
    }

    #[test]
    fn digest_without_qop() {
        // RFC 2069 style, as old servers send it.
        let mut d = parse_digest(r#"Digest realm="r", nonce="n""#).unwrap();
        d.nc = 1;
        assert!(!d.qop_auth);
        let h = digest_header(&d, "u", "p", "GET", "/", "c");
        assert!(!h.contains("qop="));
        let ha1 = hex_hash(&Algorithm::Md5, b"u:r:p");
        let ha2 = hex_hash(&Algorithm::Md5, b"GET:/");
        let want = hex_hash(&Algorithm::Md5, format!("{ha1}:n:{ha2}").as_bytes());
        assert!(h.contains(&want));
    }

    #[test]
    fn client_nonces_are_random_hex() {
        let a = cnonce().unwrap();
        let b = cnonce().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
