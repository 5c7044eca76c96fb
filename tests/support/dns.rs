//! A small authoritative DNS server on 127.0.0.1 for the discovery tests: it answers
//! SRV and TXT questions from a fixed table over UDP, and NXDOMAIN for anything else.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

const SRV: u16 = 33;
const TXT: u16 = 16;

/// One answer record's data.
#[derive(Debug, Clone)]
pub enum Rdata {
    /// priority, weight, port, target host.
    Srv(u16, u16, u16, String),
    /// The strings of a TXT record.
    Txt(Vec<String>),
}

impl Rdata {
    fn kind(&self) -> u16 {
        match self {
            Rdata::Srv(..) => SRV,
            Rdata::Txt(_) => TXT,
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Rdata::Srv(priority, weight, port, target) => {
                for n in [priority, weight, port] {
                    out.extend_from_slice(&n.to_be_bytes());
                }
                out.extend(name(target));
            }
            Rdata::Txt(strings) => {
                for s in strings {
                    out.push(s.len() as u8);
                    out.extend_from_slice(s.as_bytes());
                }
            }
        }
        out
    }
}

/// A name in DNS wire form (labels, then the root).
fn name(host: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in host
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
    {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}

/// The question of a query: its name (lower case, no trailing dot), type, and where
/// the question section ends.
fn question(query: &[u8]) -> Option<(String, u16, usize)> {
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = *query.get(at)? as usize;
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(at..at + len)?).to_ascii_lowercase());
        at += len;
    }
    let kind = u16::from_be_bytes([*query.get(at)?, *query.get(at + 1)?]);
    Some((labels.join("."), kind, at + 4))
}

/// The server; stops when dropped.
pub struct DnsServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DnsServer {
    /// Serves `records` (by lower-case name without trailing dot).
    pub fn start(records: Vec<(&str, Rdata)>) -> DnsServer {
        let mut table: HashMap<(String, u16), Vec<Rdata>> = HashMap::new();
        for (n, r) in records {
            table
                .entry((n.trim_end_matches('.').to_ascii_lowercase(), r.kind()))
                .or_default()
                .push(r);
        }
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP port on 127.0.0.1");
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while !stopping.load(Ordering::SeqCst) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                if let Some(reply) = answer(&table, &buf[..n]) {
                    let _ = socket.send_to(&reply, from);
                }
            }
        });
        DnsServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn answer(table: &HashMap<(String, u16), Vec<Rdata>>, query: &[u8]) -> Option<Vec<u8>> {
    let (qname, kind, end) = question(query)?;
    let found = table.get(&(qname, kind));
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&query[..2]); // id
    // A response, authoritative, recursion desired and available; NXDOMAIN when
    // nothing is known.
    let rcode = if found.is_some() { 0 } else { 3 };
    out.extend_from_slice(&[0x85, 0x80 | rcode]);
    let answers = found.map_or(0, Vec::len) as u16;
    for n in [1u16, answers, 0, 0] {
        out.extend_from_slice(&n.to_be_bytes());
    }
    out.extend_from_slice(&query[12..end]);
    for r in found.into_iter().flatten() {
        out.extend_from_slice(&[0xc0, 12]); // the question's name
        out.extend_from_slice(&r.kind().to_be_bytes());
        out.extend_from_slice(&1u16.to_be_bytes()); // IN
        out.extend_from_slice(&60u32.to_be_bytes());
        let data = r.encode();
        out.extend_from_slice(&(data.len() as u16).to_be_bytes());
        out.extend(data);
    }
    Some(out)
}
