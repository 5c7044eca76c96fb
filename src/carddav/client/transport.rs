//! The transport: one blocking reqwest client per account, sending a request with its
//! redirects followed by hand and its answer read whole, under a size cap, or handed
//! on piece by piece, under a deadline for the whole request.

use std::io::Read;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::blocking::Client as HttpClient;
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use super::auth::Auth;
use super::classify::{READ_FAILED, network, network_caused, send_error};
use super::trust::{MAX_REDIRECTS, Trusted, redirect_allowed};
use crate::carddav::{AuthScheme, CardDavConfig};
use crate::error::{Error, Result};

/// A streamed answer may be this many times the size cap on answers read whole
/// (4 GiB by default): a book of 100,000 cards with photos fits, a server that never
/// stops does not.
pub const STREAMED_CAP_FACTOR: u64 = 64;

/// One HTTP answer, body read in full (up to the size cap).
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// The URL that answered (after redirects).
    pub url: Url,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The `ETag` header, if any.
    pub fn etag(&self) -> Option<String> {
        self.header(header::ETAG.as_str())
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    /// A short, safe excerpt of the body for error messages.
    pub fn body_excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let t: String = text.chars().take(200).collect();
        t.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// [`Error::InvalidResponse`] for this reply.
    pub fn invalid(&self, reason: impl std::fmt::Display) -> Error {
        Error::InvalidResponse {
            url: self.url.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// HTTP method (`PROPFIND`, `REPORT`, `GET`, `PUT`, `DELETE`, `OPTIONS`).
    pub method: &'static str,
    /// Target URL.
    pub url: Url,
    /// Extra headers (`Depth`, `If-Match`, ...).
    pub headers: Vec<(&'static str, String)>,
    /// Body and its content type.
    pub body: Option<(&'static str, Vec<u8>)>,
    /// Hand 5xx answers back as replies instead of [`Error::Server`] (for callers
    /// that retry them).
    pub keep_server_errors: bool,
    /// A 2xx answer's body goes only to the observer of
    /// [`Client::send_observed`], piece by piece, and is not kept in the
    /// [`Reply`]; the observer bounds the memory it takes, so the size cap applies
    /// [`STREAMED_CAP_FACTOR`] times over, as a bound on what a server can make us
    /// write to disk. Other answers are read whole as usual.
    pub streamed: bool,
}

impl Request {
    /// A request without headers or body.
    pub fn new(method: &'static str, url: Url) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: None,
            keep_server_errors: false,
            streamed: false,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some((content_type, body.into()));
        self
    }

    /// Hands 5xx answers back as replies (see [`Request::keep_server_errors`]).
    pub fn keeping_server_errors(mut self) -> Self {
        self.keep_server_errors = true;
        self
    }

    /// Hands a 2xx body to the observer only (see [`Request::streamed`]).
    pub fn streamed(mut self) -> Self {
        self.streamed = true;
        self
    }
}

/// The blocking HTTP client of one CardDAV account.
pub struct Client {
    http: HttpClient,
    /// Credentials and the auth scheme learned per origin.
    pub(super) auth: Auth,
    max_body: u64,
    /// Time allowed for one whole request, body included.
    timeout: Duration,
    /// Origins (`scheme://host:port`) that may receive credentials.
    pub(super) trusted: Trusted,
    requests: AtomicU32,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("credentials", &self.auth.credentials)
            .field("requests", &self.requests.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds the client for `config`; the configured URL's host is trusted.
    ///
    /// # Errors
    /// [`Error::Config`] when the CA file cannot be read or TLS cannot be set up.
    pub fn new(config: &CardDavConfig) -> Result<Self> {
        let mut b = HttpClient::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("cti-phonebook/", env!("CARGO_PKG_VERSION")))
            .danger_accept_invalid_certs(config.accept_invalid_certs);
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                Error::Config(format!("cannot read CA file {}: {e}", path.display()))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                Error::Config(format!("CA file {} is not PEM: {e}", path.display()))
            })?;
            if certs.is_empty() {
                return Err(Error::Config(format!(
                    "CA file {} holds no certificate",
                    path.display()
                )));
            }
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        let http = b
            .build()
            .map_err(|e| Error::Config(format!("cannot set up HTTP client: {e}")))?;
        Ok(Client {
            http,
            auth: Auth::new(config),
            max_body: config.max_response_bytes,
            timeout: config.timeout,
            trusted: Trusted::new(&config.url),
            requests: AtomicU32::new(0),
        })
    }

    /// What a later run needs to send credentials to `url`'s origin with its first
    /// request, if anything (an opaque text, no secret in it).
    pub fn auth_resume(&self, url: &Url) -> Option<String> {
        self.auth.resume_state(url)
    }

    /// The scheme learned for `url`'s origin, if any.
    pub fn auth_scheme(&self, url: &Url) -> Option<AuthScheme> {
        self.auth.scheme(url)
    }

    /// The size cap on answers read whole, which also bounds one response of a
    /// streamed one.
    pub fn max_body(&self) -> usize {
        usize::try_from(self.max_body).unwrap_or(usize::MAX)
    }

    /// HTTP round trips made so far.
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Allows credentials to go to `url`'s origin, because the server sent us there.
    pub fn trust(&self, url: &Url) {
        self.trusted.add(url);
    }

    /// Sends `req`, following redirects and answering auth challenges.
    ///
    /// Any status comes back as a [`Reply`] except: 401 (after answering the challenge)
    /// → [`Error::Unauthorized`]; 5xx → [`Error::Server`]; connection failures and
    /// timeouts → [`Error::Network`]; a refused TLS certificate → [`Error::Certificate`]; a body
    /// over the cap → [`Error::InvalidResponse`].
    pub fn send(&self, req: &Request) -> Result<Reply> {
        self.send_observed(req, &mut |_| Ok(()))
    }

    /// [`send`](Self::send), handing each piece of a 2xx answer's body to `on_body` as
    /// it arrives (for progress while a large answer streams in, or to read a
    /// [streamed](Request::streamed) one). An error of `on_body` ends the request
    /// with that error.
    pub fn send_observed(
        &self,
        req: &Request,
        on_body: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<Reply> {
        let mut url = req.url.clone();
        for hop in 0..=MAX_REDIRECTS {
            let reply = self.send_authed(req, &url, on_body)?;
            if !matches!(reply.status, 301 | 302 | 303 | 307 | 308) {
                return Ok(reply);
            }
            let Some(location) = reply.header("location") else {
                return Ok(reply);
            };
            if hop == MAX_REDIRECTS {
                return Err(reply.invalid(format!("more than {MAX_REDIRECTS} redirects")));
            }
            let next = url
                .join(&location)
                .map_err(|e| reply.invalid(format!("bad redirect location: {e}")))?;
            redirect_allowed(&url, &next).map_err(|why| reply.invalid(why))?;
            self.trusted.follow(&url, &next);
            url = next;
        }
        unreachable!("the loop returns on its last hop")
    }

    /// One round trip to `url` with `auth` as its `Authorization`, the body read whole
    /// (handing 2xx pieces to `on_body`) within the size cap and the deadline.
    pub(super) fn exchange(
        &self,
        req: &Request,
        url: &Url,
        auth: Option<String>,
        on_body: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<Reply> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|e| Error::Config(format!("bad method {}: {e}", req.method)))?;
        let mut b = self.http.request(method, url.clone());
        for (name, value) in &req.headers {
            b = b.header(*name, value.as_str());
        }
        if let Some(a) = auth {
            let mut v = HeaderValue::from_str(&a).map_err(|_| {
                Error::Config("credentials contain characters HTTP cannot carry".into())
            })?;
            v.set_sensitive(true);
            b = b.header(header::AUTHORIZATION, v);
        }
        if let Some((ct, body)) = &req.body {
            b = b.header(header::CONTENT_TYPE, *ct).body(body.clone());
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let mut resp = b.send().map_err(|e| send_error(url, e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let success = (200..300).contains(&status);
        let streamed = req.streamed && success;
        let cap = if streamed {
            self.max_body.saturating_mul(STREAMED_CAP_FACTOR)
        } else {
            self.max_body
        };
        let too_large = || Error::InvalidResponse {
            url: url.to_string(),
            reason: format!("response larger than the {cap} byte limit"),
        };
        if resp.content_length().is_some_and(|n| n > cap) {
            return Err(too_large());
        }
        // reqwest's blocking timeout bounds each read of the body, not the whole of
        // it: a server dripping a byte at a time would hold the sync forever. So the
        // body is read against a deadline for the whole request (worst case: the
        // deadline plus one read's timeout).
        let mut body = Vec::new();
        let mut read = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if started.elapsed() > self.timeout {
                return Err(network(
                    url,
                    format!(
                        "timed out: the answer took longer than {} s",
                        self.timeout.as_secs_f32()
                    ),
                ));
            }
            let n = resp
                .read(&mut buf)
                .map_err(|e| network_caused(url, format!("{READ_FAILED}: {e}"), e))?;
            if n == 0 {
                break;
            }
            read += n as u64;
            if read > cap {
                return Err(too_large());
            }
            if success {
                on_body(&buf[..n])?;
            }
            if !streamed {
                body.extend_from_slice(&buf[..n]);
            }
        }
        Ok(Reply {
            status,
            url: url.clone(),
            headers,
            body,
        })
    }
}
