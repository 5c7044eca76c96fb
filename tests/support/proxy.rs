//! A TCP proxy on 127.0.0.1 that forwards to a real server and breaks the n-th
//! connection on purpose: the network failing at a chosen request of a sync.
//!
//! Radicale and sabre/dav (`php -S`) close every connection after one request, so
//! connection n is request n.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a broken request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The connection is closed without an answer.
    Drop,
    /// `500 Internal Server Error`.
    ServerError,
    /// A 207 whose XML is cut off.
    Garbage,
    /// The real answer, cut off after its first 60 bytes.
    Truncated,
}

/// A running proxy; stops when dropped.
pub struct Proxy {
    /// The proxy's port on 127.0.0.1.
    pub port: u16,
    count: Arc<AtomicU32>,
    fault: Arc<Mutex<Option<(u32, Fault)>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    /// Forwards 127.0.0.1:`port` to `target`.
    pub fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let count = Arc::new(AtomicU32::new(0));
        let fault: Arc<Mutex<Option<(u32, Fault)>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (c, f, s) = (count.clone(), fault.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let n = c.fetch_add(1, Ordering::SeqCst) + 1;
                        let plan = *f.lock().unwrap();
                        let fault = plan.filter(|(at, _)| *at == n).map(|(_, k)| k);
                        std::thread::spawn(move || serve(conn, target, fault));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Proxy {
            port,
            count,
            fault,
            stop,
        }
    }

    /// Breaks request number `n` (counted from the next one, 1-based) with `fault`.
    pub fn break_request(&self, n: u32, fault: Fault) {
        let base = self.count.load(Ordering::SeqCst);
        *self.fault.lock().unwrap() = Some((base + n, fault));
    }

    /// Stops breaking anything.
    pub fn heal(&self) {
        *self.fault.lock().unwrap() = None;
    }

    /// Requests seen so far.
    pub fn requests(&self) -> u32 {
        self.count.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads one request head (and whatever body came with it).
fn read_request(conn: &mut TcpStream) {
    conn.set_read_timeout(Some(Duration::from_millis(500))).ok();
    let mut buf = [0u8; 65536];
    let _ = conn.read(&mut buf);
}

fn serve(mut client: TcpStream, target: SocketAddr, fault: Option<Fault>) {
    match fault {
        Some(Fault::Drop) => {
            read_request(&mut client);
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        Some(Fault::ServerError) => {
            read_request(&mut client);
            let _ = client.write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops!");
            return;
        }
        Some(Fault::Garbage) => {
            read_request(&mut client);
            let body =
                "<?xml version=\"1.0\"?><d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/x";
            let _ = client.write_all(
                format!(
                    "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
            return;
        }
        _ => {}
    }
    let Ok(mut server) = TcpStream::connect(target) else {
        return;
    };
    let mut c2 = client.try_clone().unwrap();
    let mut s2 = server.try_clone().unwrap();
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(Shutdown::Write);
    });
    if fault == Some(Fault::Truncated) {
        let mut buf = [0u8; 60];
        let mut got = 0;
        while got < buf.len() {
            match server.read(&mut buf[got..]) {
                Ok(0) | Err(_) => break,
                Ok(k) => got += k,
            }
        }
        let _ = client.write_all(&buf[..got]);
        let _ = client.shutdown(Shutdown::Both);
        let _ = server.shutdown(Shutdown::Both);
    } else {
        let _ = std::io::copy(&mut server, &mut client);
        let _ = client.shutdown(Shutdown::Write);
    }
    let _ = up.join();
}
