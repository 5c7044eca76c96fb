//! Authentication: the scheme learned per origin, the `Authorization` value each
//! request carries, and the handshakes that learn it (a 401 challenge; a 5xx that
//! sabre/dav sends instead of one).
//!
//! Basic is sent up front only over https; over http the first request learns the
//! scheme from the 401 challenge, and later requests answer it straight away. A second
//! 401 after answering a challenge is [`Error::Unauthorized`], unless a Digest server
//! called our nonce stale. Credentials go only to trusted origins ([`super::trust`]).

mod challenge;
mod digest;

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::header;
use url::Url;

use self::challenge::{DigestChallenge, Offered, parse_digest};
pub(crate) use self::digest::hex;
use super::classify::server_error;
use super::transport::{Client, Reply, Request};
use super::trust::origin;
use crate::carddav::{AuthScheme, CardDavConfig, Credentials};
use crate::error::{Error, Result};

/// The scheme an origin asked for.
#[derive(Debug, Clone)]
enum Scheme {
    Basic,
    Digest(DigestChallenge),
}

/// The credentials of one account and the scheme learned for each origin.
#[derive(Debug)]
pub(super) struct Auth {
    pub(super) credentials: Credentials,
    schemes: Mutex<HashMap<String, Scheme>>,
}

impl Auth {
    /// The account's credentials; Basic is known up front for the configured origin
    /// when the configuration says so.
    pub(super) fn new(config: &CardDavConfig) -> Self {
        let mut schemes = HashMap::new();
        // Only to the configured origin: Basic, or a Digest challenge of an earlier run.
        if config.known_auth == Some(AuthScheme::Basic) {
            schemes.insert(origin(&config.url), Scheme::Basic);
        }
        if let Some(scheme) = config.resume_auth.as_deref().and_then(resume) {
            schemes.insert(origin(&config.url), scheme);
        }
        Auth {
            credentials: config.credentials.clone(),
            schemes: Mutex::new(schemes),
        }
    }

    /// The scheme learned for `url`'s origin, if any.
    pub(super) fn scheme(&self, url: &Url) -> Option<AuthScheme> {
        let schemes = self.schemes.lock().unwrap_or_else(|e| e.into_inner());
        match schemes.get(&origin(url))? {
            Scheme::Basic => Some(AuthScheme::Basic),
            Scheme::Digest(_) => Some(AuthScheme::Digest),
        }
    }

    /// What a later run needs to answer `url`'s origin with its first request (see
    /// [`resume`]): `basic`, or `digest nc=N` and the last Digest challenge.
    pub(super) fn resume_state(&self, url: &Url) -> Option<String> {
        let schemes = self.schemes.lock().unwrap_or_else(|e| e.into_inner());
        match schemes.get(&origin(url))? {
            Scheme::Basic => Some("basic".to_owned()),
            Scheme::Digest(d) => Some(format!("digest nc={} {}", d.nc, d.to_header())),
        }
    }

    fn has_password(&self) -> bool {
        matches!(self.credentials, Credentials::Password { .. })
    }

    /// Reads the challenge of a 401. Returns whether a retry makes sense: not when we
    /// had already answered the same scheme and the server did not call the nonce stale.
    fn learn(&self, reply: &Reply, sent_auth: bool) -> bool {
        let mut offered = Offered::default();
        for v in reply.headers.get_all(header::WWW_AUTHENTICATE) {
            if let Ok(v) = v.to_str() {
                offered.add(v);
            }
        }
        let key = origin(&reply.url);
        let mut schemes = self.schemes.lock().unwrap_or_else(|e| e.into_inner());
        let previous = schemes.get(&key).cloned();
        let new = match offered {
            Offered {
                digest: Some(d), ..
            } => Scheme::Digest(d),
            Offered { basic: true, .. } => Scheme::Basic,
            _ => return false,
        };
        if sent_auth {
            let retry = match (&previous, &new) {
                // A nonce of an earlier run may be long expired, whether or not the
                // server says `stale`.
                (Some(Scheme::Digest(p)), Scheme::Digest(d)) => d.stale || p.resumed,
                (Some(Scheme::Basic), Scheme::Basic) => false,
                // Basic sent up front over https, server wants Digest (or the reverse).
                _ => true,
            };
            if !retry {
                return false;
            }
        }
        schemes.insert(key, new);
        true
    }

    /// The `Authorization` value for `method` at `url`, if there is one to send.
    ///
    /// # Errors
    /// [`Error::Io`] when the system gives no randomness for a Digest client nonce.
    fn authorization(&self, method: &str, url: &Url) -> Result<Option<String>> {
        match &self.credentials {
            Credentials::None => Ok(None),
            Credentials::Bearer(token) => Ok(Some(format!("Bearer {}", token.expose()))),
            Credentials::Password { username, password } => {
                let mut schemes = self.schemes.lock().unwrap_or_else(|e| e.into_inner());
                Ok(match schemes.get_mut(&origin(url)) {
                    Some(Scheme::Digest(d)) => {
                        d.nc += 1;
                        Some(digest::digest_header(
                            d,
                            username,
                            password.expose(),
                            method,
                            &digest::request_target(url),
                            &digest::cnonce()?,
                        ))
                    }
                    Some(Scheme::Basic) => Some(basic_header(username, password.expose())),
                    // Up front only where TLS protects it (as DAVx5 does).
                    None if url.scheme() == "https" => {
                        Some(basic_header(username, password.expose()))
                    }
                    None => None,
                })
            }
        }
    }
}

/// The scheme that [`Auth::resume_state`] wrote, for the first request of a new run.
/// A Digest challenge goes on counting where the earlier run stopped: servers that
/// track the nonce count refuse a count used before. `None` for anything unreadable.
fn resume(state: &str) -> Option<Scheme> {
    let state = state.trim();
    if state.eq_ignore_ascii_case("basic") {
        return Some(Scheme::Basic);
    }
    let rest = state.strip_prefix("digest nc=")?;
    let (nc, challenge) = rest.split_once(' ')?;
    let mut d = parse_digest(challenge)?;
    d.nc = nc.parse().ok()?;
    d.resumed = true;
    Some(Scheme::Digest(d))
}

/// The `Authorization: Basic ...` value (RFC 7617), standard base64 with padding.
fn basic_header(user: &str, password: &str) -> String {
    format!("Basic {}", BASE64.encode(format!("{user}:{password}")))
}

impl Client {
    /// One request to `url` (no redirects followed), with credentials where `url` is
    /// trusted, answering a 401 challenge once.
    pub(super) fn send_authed(
        &self,
        req: &Request,
        url: &Url,
        on_body: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<Reply> {
        let trusted = self.trusted.contains(url);
        let auth = if trusted {
            self.auth.authorization(req.method, url)?
        } else {
            None
        };
        let sent_auth = auth.is_some();
        let mut reply = self.exchange(req, url, auth, on_body)?;
        let has_password = self.auth.has_password();
        if reply.status >= 500 && !sent_auth && has_password && trusted {
            // sabre-io/dav#932: Digest + unauthenticated REPORT → 500. Ask for the
            // challenge without a body and try again with it.
            let probe = self.exchange(
                &Request::new("OPTIONS", url.clone()),
                url,
                None,
                &mut |_| Ok(()),
            )?;
            if probe.status == 401 && self.auth.learn(&probe, false) {
                let auth = self.auth.authorization(req.method, url)?;
                reply = self.exchange(req, url, auth, on_body)?;
                if reply.status == 401 {
                    return Err(Error::Unauthorized {
                        url: url.to_string(),
                    });
                }
            }
        }
        if reply.status == 401 {
            if has_password && trusted && self.auth.learn(&reply, sent_auth) {
                let auth = self.auth.authorization(req.method, url)?;
                reply = self.exchange(req, url, auth, on_body)?;
            }
            if reply.status == 401 {
                return Err(Error::Unauthorized {
                    url: url.to_string(),
                });
            }
        }
        if reply.status >= 500 && !req.keep_server_errors {
            return Err(server_error(&reply));
        }
        Ok(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(BASE64.encode(i.as_bytes()), o);
        }
        assert_eq!(basic_header("alice", "secret"), "Basic YWxpY2U6c2VjcmV0");
    }
}
