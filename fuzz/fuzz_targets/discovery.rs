//! Arbitrary server answers to discovery and to opening a book: the whole flow
//! (`discover`, `CardDavSource::open`) runs against a local server that answers every
//! request with the fuzz input. It never panics, never loops, and returns in bounded
//! time.
//!
//! Hosts named in an input (hrefs, `Location`) are never contacted: all HTTP goes
//! through a "proxy" that is the same local server (`http_proxy`/`https_proxy`), so
//! the only traffic is to 127.0.0.1.
#![no_main]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use cti_phonebook::carddav::{self, CardDavConfig, CardDavSource};
use libfuzzer_sys::fuzz_target;

/// The answer every request gets: status line, headers and body, as raw bytes.
static ANSWER: Mutex<Vec<u8>> = Mutex::new(Vec::new());

fn server() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let proxy = format!("http://127.0.0.1:{port}");
        // SAFETY of the environment: set once, before any client exists.
        unsafe {
            for k in [
                "http_proxy",
                "https_proxy",
                "HTTP_PROXY",
                "HTTPS_PROXY",
                "ALL_PROXY",
                "all_proxy",
            ] {
                std::env::set_var(k, &proxy);
            }
            std::env::remove_var("NO_PROXY");
            std::env::remove_var("no_proxy");
        }
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(mut s) = conn else { continue };
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut len = 0usize;
                let mut line = String::new();
                loop {
                    line.clear();
                    match r.read_line(&mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                    let l = line.to_ascii_lowercase();
                    if let Some(v) = l.strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; len.min(1 << 20)];
                let _ = r.read_exact(&mut body);
                let answer = ANSWER.lock().unwrap().clone();
                let _ = s.write_all(&answer);
            }
        });
        port
    })
}

fuzz_target!(|data: &[u8]| {
    let port = server();
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    // The first byte picks the status (mostly 207), the rest is the body; for a
    // redirect the body's first line is the Location.
    let status =
        [207, 207, 207, 207, 301, 302, 401, 404, 403, 200, 500, 507][usize::from(pick) % 12];
    let mut answer = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n").into_bytes();
    if matches!(status, 301 | 302) {
        let loc = rest.split(|b| *b == b'\n').next().unwrap_or(b"/");
        if !loc.contains(&b'\r') {
            answer.extend_from_slice(b"Location: ");
            answer.extend_from_slice(loc);
            answer.extend_from_slice(b"\r\n");
        }
    }
    if status == 401 {
        answer.extend_from_slice(
            b"WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", qop=\"auth\"\r\n",
        );
    }
    answer.extend_from_slice(format!("Content-Length: {}\r\n\r\n", rest.len()).as_bytes());
    answer.extend_from_slice(rest);
    *ANSWER.lock().unwrap() = answer;

    let config = CardDavConfig::builder(&format!("http://127.0.0.1:{port}/dav/"))
        .password("fuzz", "secret")
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(5))
        .max_response_bytes(1 << 20)
        .build()
        .unwrap();
    if let Err(e) = carddav::discover(&config) {
        assert!(!e.to_string().contains("secret"));
    }
    let _ = CardDavSource::open(config);
});
