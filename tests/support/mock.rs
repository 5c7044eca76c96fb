//! A wiremock server on its own tokio runtime, so that the blocking CardDAV client
//! (`reqwest::blocking` must not run inside a runtime) can talk to it from the test
//! thread.

#![allow(dead_code)] // each test binary uses part of it

use tokio::runtime::Runtime;
use wiremock::{Mock, MockServer, Request};

/// A running mock server.
pub struct Mocked {
    rt: Runtime,
    /// The server.
    pub server: MockServer,
}

impl Mocked {
    pub fn new() -> Mocked {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(MockServer::start());
        Mocked { rt, server }
    }

    pub fn url(&self, p: &str) -> String {
        format!("{}{p}", self.server.uri())
    }

    /// The same server named `localhost` instead of `127.0.0.1`: another host.
    pub fn localhost_url(&self, p: &str) -> String {
        format!("http://localhost:{}{p}", self.server.address().port())
    }

    pub fn mount(&self, mock: Mock) {
        self.rt.block_on(mock.mount(&self.server));
    }

    pub fn reset(&self) {
        self.rt.block_on(self.server.reset());
    }

    pub fn requests(&self) -> Vec<Request> {
        self.rt
            .block_on(self.server.received_requests())
            .unwrap_or_default()
    }
}
