//! Raw HTTP to a test server's book, as curl would send it: no client logic of ours
//! between the bytes and the server.

#![allow(dead_code)] // each test binary uses part of it

use super::servers::Server;

/// A book on a test server, over plain HTTP requests.
pub struct Raw {
    /// The HTTP client (no redirects followed by us, no retries).
    pub http: reqwest::blocking::Client,
    /// The book's URL, with a trailing slash.
    pub book: url::Url,
    user: String,
    password: String,
}

impl Raw {
    /// For the book of `s`.
    pub fn new(s: &Server) -> Raw {
        let mut book = url::Url::parse(&s.book_url).expect("book URL");
        if !book.path().ends_with('/') {
            book.set_path(&format!("{}/", book.path()));
        }
        Raw {
            http: reqwest::blocking::Client::new(),
            book,
            user: s.user.clone(),
            password: s.password.clone(),
        }
    }

    /// A request for `name` (a card's name or an absolute path), with the server's
    /// credentials (Basic, up front) where it has any.
    pub fn request(
        &self,
        method: reqwest::Method,
        name: &str,
    ) -> reqwest::blocking::RequestBuilder {
        let url = self.book.join(name).expect("card URL");
        let r = self.http.request(method, url);
        if self.user.is_empty() {
            r
        } else {
            r.basic_auth(&self.user, Some(&self.password))
        }
    }

    /// PUTs `body` as `name`; whether the server took it.
    pub fn put(&self, name: &str, body: &[u8]) -> bool {
        let reply = self
            .request(reqwest::Method::PUT, name)
            .header("Content-Type", "text/vcard; charset=utf-8")
            .body(body.to_vec())
            .send()
            .expect("PUT reaches the server");
        reply.status().is_success()
    }

    /// The bytes the server holds for the card at `href` (absolute path or name).
    pub fn get(&self, href: &str) -> Vec<u8> {
        self.try_get(href)
            .unwrap_or_else(|status| panic!("GET {href}: {status}"))
    }

    /// The bytes at `href`, or the status when the server has none to give.
    pub fn try_get(&self, href: &str) -> Result<Vec<u8>, reqwest::StatusCode> {
        let reply = self
            .request(reqwest::Method::GET, href)
            .send()
            .expect("GET reaches the server");
        if !reply.status().is_success() {
            return Err(reply.status());
        }
        Ok(reply.bytes().expect("GET body").to_vec())
    }
}
