//! Reading `WWW-Authenticate` challenges (RFC 7235 §4.1): a header value split into
//! its challenges, their parameters, and a Digest challenge (RFC 7616 §3.3) as we
//! answer it.
//!
//! Lenient where servers are: quoted values may hold any UTF-8, parameters repeat
//! (the last one counts), a Digest challenge without a realm has an empty one.

use std::collections::HashMap;

/// A Digest hash algorithm we answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Algorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

impl Algorithm {
    /// Whether H(A1) is hashed again with the nonces (`-sess`).
    pub(super) fn session(&self) -> bool {
        matches!(self, Algorithm::Md5Sess | Algorithm::Sha256Sess)
    }

    /// Whether it is one of the SHA-256 variants (preferred over MD5).
    pub(super) fn is_sha256(&self) -> bool {
        matches!(self, Algorithm::Sha256 | Algorithm::Sha256Sess)
    }

    /// The name as sent in `algorithm=`.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
        }
    }
}

/// A Digest challenge we can answer, and the nonce count used with its nonce so far.
#[derive(Debug, Clone)]
pub(super) struct DigestChallenge {
    pub(super) realm: String,
    pub(super) nonce: String,
    pub(super) opaque: Option<String>,
    pub(super) algorithm: Algorithm,
    /// `qop=auth` offered; without it the answer is RFC 2069 style.
    pub(super) qop_auth: bool,
    pub(super) userhash: bool,
    /// The server turned down our last answer only because its nonce had expired.
    pub(super) stale: bool,
    pub(super) nc: u32,
    /// Taken over from an earlier run rather than from this server's 401: a 401 to
    /// it says the nonce is old, not that the credentials are wrong.
    pub(super) resumed: bool,
}

impl DigestChallenge {
    /// The challenge as a `WWW-Authenticate` value that [`parse_digest`] reads back.
    pub(super) fn to_header(&self) -> String {
        let quoted = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
        let mut h = format!(
            "Digest realm={}, nonce={}, algorithm={}",
            quoted(&self.realm),
            quoted(&self.nonce),
            self.algorithm.name()
        );
        if let Some(o) = &self.opaque {
            h.push_str(&format!(", opaque={}", quoted(o)));
        }
        if self.qop_auth {
            h.push_str(", qop=\"auth\"");
        }
        if self.userhash {
            h.push_str(", userhash=true");
        }
        h
    }
}

/// What a 401's `WWW-Authenticate` headers offer that we can answer.
#[derive(Debug, Default)]
pub(super) struct Offered {
    /// The strongest Digest challenge (RFC 7616 §3.7: SHA-256 before MD5).
    pub(super) digest: Option<DigestChallenge>,
    /// A Basic challenge was among them.
    pub(super) basic: bool,
}

impl Offered {
    /// Takes in the challenges of one `WWW-Authenticate` value.
    pub(super) fn add(&mut self, value: &str) {
        for ch in split_challenges(value) {
            let lower = ch.to_ascii_lowercase();
            if lower.starts_with("digest") {
                if let Some(d) = parse_digest(&ch) {
                    let better = match &self.digest {
                        None => true,
                        Some(old) => d.algorithm.is_sha256() && !old.algorithm.is_sha256(),
                    };
                    if better {
                        self.digest = Some(d);
                    }
                }
            } else if lower.starts_with("basic") {
                self.basic = true;
            }
        }
    }
}

/// Splits a `WWW-Authenticate` value that may hold several challenges
/// (`Basic realm="x", Digest realm="y", nonce="z"`) into one string per challenge.
fn split_challenges(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_quotes = false;
    let mut current = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                current.push(c);
            }
            '\\' if in_quotes => {
                current.push(c);
                if let Some(n) = chars.next() {
                    current.push(n);
                }
            }
            ',' if !in_quotes => {
                // A new challenge starts when the next token is a bare word followed by
                // a space (a scheme name), not `name=`.
                let rest: String = chars.clone().collect();
                let rest = rest.trim_start();
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                let after = rest[word.len()..].chars().next();
                if !word.is_empty() && (after.is_none() || after == Some(' ')) {
                    out.push(current.trim().to_owned());
                    current = String::new();
                } else {
                    current.push(c);
                }
            }
            c => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out
}

/// `name=value` pairs of a challenge after its scheme; names lower-cased, quotes removed.
fn auth_params(challenge: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let rest = challenge
        .split_once(char::is_whitespace)
        .map(|(_, r)| r)
        .unwrap_or("");
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let name: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if name.is_empty() {
            break;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek() {
                if *c == ',' {
                    break;
                }
                value.push(*c);
                chars.next();
            }
        }
        map.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    map
}

/// The Digest challenge `challenge` (scheme included), if we can answer it: MD5 or
/// SHA-256 (with or without `-sess`), `qop=auth` or no qop, a nonce.
pub(super) fn parse_digest(challenge: &str) -> Option<DigestChallenge> {
    let p = auth_params(challenge);
    let algorithm = match p
        .get("algorithm")
        .map(|s| s.to_ascii_uppercase())
        .as_deref()
    {
        None | Some("MD5") => Algorithm::Md5,
        Some("MD5-SESS") => Algorithm::Md5Sess,
        Some("SHA-256") => Algorithm::Sha256,
        Some("SHA-256-SESS") => Algorithm::Sha256Sess,
        // SHA-512-256 and unknown algorithms: not offered by any CardDAV server we know.
        Some(_) => return None,
    };
    let qop = p.get("qop").map(|q| q.to_ascii_lowercase());
    let qop_auth = match &qop {
        None => false,
        Some(q) if q.split(',').any(|t| t.trim() == "auth") => true,
        // Only auth-int offered: we do not implement it.
        Some(_) => return None,
    };
    Some(DigestChallenge {
        realm: p.get("realm").cloned().unwrap_or_default(),
        nonce: p.get("nonce")?.clone(),
        opaque: p.get("opaque").cloned(),
        algorithm,
        qop_auth,
        userhash: p
            .get("userhash")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        stale: p
            .get("stale")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        nc: 0,
        resumed: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_several_challenges() {
        let v = r#"Basic realm="a, b", Digest realm="SabreDAV", nonce="n1", qop="auth,auth-int", opaque="o""#;
        let parts = split_challenges(v);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert_eq!(parts[0], r#"Basic realm="a, b""#);
        let d = parse_digest(&parts[1]).unwrap();
        assert_eq!(d.realm, "SabreDAV");
        assert_eq!(d.nonce, "n1");
        assert!(d.qop_auth);
        assert_eq!(d.opaque.as_deref(), Some("o"));
        assert_eq!(d.algorithm, Algorithm::Md5);
    }

    #[test]
    fn a_challenge_reads_back_as_it_was_written() {
        let d = parse_digest(
            r#"Digest realm="a \"quoted\" \\ realm", nonce="n,1", opaque="o", qop="auth", algorithm=SHA-256-sess, userhash=true"#,
        )
        .unwrap();
        let back = parse_digest(&d.to_header()).unwrap();
        assert_eq!(back.realm, r#"a "quoted" \ realm"#);
        assert_eq!(
            (back.nonce.as_str(), back.opaque.as_deref()),
            ("n,1", Some("o"))
        );
        assert_eq!(back.algorithm, Algorithm::Sha256Sess);
        assert!(back.qop_auth && back.userhash && !back.stale);
    }

    #[test]
    fn auth_int_only_is_not_answered() {
        assert!(parse_digest(r#"Digest realm="r", nonce="n", qop="auth-int""#).is_none());
        assert!(parse_digest(r#"Digest realm="r", nonce="n", algorithm=SHA-512-256"#).is_none());
    }
}
