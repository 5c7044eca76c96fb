//! Call events from a phone system over TCP: the Fritz!Box call monitor or the
//! Asterisk Manager Interface, read with the crate's sans-IO parsers. A dropped
//! connection is made again, after a wait that doubles up to a minute; a refused
//! AMI login ends the program (retrying would only lock the account).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use cti_phonebook::Phonebook;
use cti_phonebook::calls::ami::{self, AmiItem, AmiSession};
use cti_phonebook::calls::fritzbox::{self, CallMonitor};
use cti_phonebook::calls::{CallEvent, CallEventError, CallKind, Party};

/// The environment variable that holds the AMI secret.
pub const AMI_SECRET_ENV: &str = "CALLER_POPUP_AMI_SECRET";

/// Where the call events come from (stdin when neither is given).
#[derive(clap::Args)]
pub struct SourceArgs {
    /// Connect to a Fritz!Box call monitor (port 1012 unless given; enable it with
    /// `#96*5*` on a phone).
    #[arg(long, value_name = "HOST[:PORT]", conflicts_with = "ami")]
    fritzbox: Option<String>,
    /// Connect to an Asterisk Manager Interface (port 5038 unless given); the
    /// secret comes from the environment variable CALLER_POPUP_AMI_SECRET.
    #[arg(long, value_name = "HOST[:PORT]", requires = "ami_user")]
    ami: Option<String>,
    /// AMI user name.
    #[arg(long, value_name = "USER")]
    ami_user: Option<String>,
    /// Our own extension on the AMI (may be given more than once): a call it
    /// makes is shown as an outgoing call, with the callee looked up.
    #[arg(long = "ami-extension", value_name = "EXT")]
    ami_extensions: Vec<String>,
    /// Pop up only the calls that ring one of our own extensions, not every call
    /// that reaches the PBX.
    #[arg(long, requires = "ami_extensions")]
    ami_own_calls_only: bool,
    /// Give up after this many failed connection attempts in a row (default:
    /// never).
    #[arg(long, value_name = "N")]
    max_retries: Option<u32>,
    /// First wait before connecting again, in milliseconds; it doubles up to a
    /// minute.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    retry_ms: u64,
}

/// A phone system to connect to.
enum Peer {
    Fritzbox(String),
    Ami {
        addr: String,
        user: String,
        secret: String,
        own: Vec<String>,
        own_calls_only: bool,
    },
}

/// How a connection ended.
enum Ended {
    /// The peer closed it or it broke; connecting again may help.
    Dropped(String),
    /// Connecting again will not help.
    Fatal(String),
}

type Failure = Box<dyn std::error::Error>;

/// Reads events from the phone system the arguments name, showing a pop-up for
/// each; `Ok(false)` when they name none (read stdin instead).
pub fn run(book: &Phonebook, args: &SourceArgs) -> Result<bool, Failure> {
    let peer = match (&args.fritzbox, &args.ami) {
        (Some(host), _) => Peer::Fritzbox(with_port(host, fritzbox::PORT)),
        (None, Some(host)) => Peer::Ami {
            addr: with_port(host, ami::PORT),
            user: args.ami_user.clone().unwrap_or_default(),
            secret: std::env::var(AMI_SECRET_ENV)
                .map_err(|_| format!("set the AMI secret in {AMI_SECRET_ENV}"))?,
            own: args.ami_extensions.clone(),
            own_calls_only: args.ami_own_calls_only,
        },
        (None, None) => return Ok(false),
    };
    let first_wait = Duration::from_millis(args.retry_ms.max(1));
    let mut wait = first_wait;
    let mut failures = 0u32;
    loop {
        let (connected, ended) = match &peer {
            Peer::Fritzbox(addr) => session(addr, |s| fritzbox_session(book, s)),
            Peer::Ami {
                addr,
                user,
                secret,
                own,
                own_calls_only,
            } => session(addr, |s| {
                ami_session(book, s, user, secret, own, *own_calls_only)
            }),
        };
        if connected {
            failures = 0;
            wait = first_wait;
        } else {
            failures += 1;
        }
        match ended {
            Ended::Fatal(why) => return Err(why.into()),
            Ended::Dropped(why) => eprintln!("connection lost: {why}"),
        }
        if args.max_retries.is_some_and(|max| failures > max) {
            return Err(format!("gave up after {failures} failed connection attempts").into());
        }
        eprintln!("connecting again in {:.1} s", wait.as_secs_f64());
        std::thread::sleep(wait);
        wait = (wait * 2).min(Duration::from_secs(60));
    }
}

/// `host` with `port` added when it names none (`fritz.box`, `10.0.0.1`, `::1`).
fn with_port(host: &str, port: u16) -> String {
    if host.parse::<SocketAddr>().is_ok() {
        return host.to_owned();
    }
    match host.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') && p.parse::<u16>().is_ok() => host.to_owned(),
        _ if host.contains(':') && !host.starts_with('[') => format!("[{host}]:{port}"),
        _ => format!("{host}:{port}"),
    }
}

/// Connects to `addr` and runs `read` on the connection: (whether it connected,
/// how it ended).
fn session(addr: &str, read: impl FnOnce(&mut TcpStream) -> Ended) -> (bool, Ended) {
    let addrs: Vec<SocketAddr> = match addr.to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => return (false, Ended::Dropped(format!("{addr}: {e}"))),
    };
    let mut last = format!("{addr}: no address");
    for a in addrs {
        match TcpStream::connect_timeout(&a, Duration::from_secs(5)) {
            Ok(mut stream) => {
                eprintln!("connected to {a}");
                keepalive(&stream);
                return (true, read(&mut stream));
            }
            Err(e) => last = format!("{a}: {e}"),
        }
    }
    (false, Ended::Dropped(last))
}

/// Turns on TCP keepalive: a Fritz!Box sends nothing while there are no calls, so
/// a box that lost power would otherwise leave the connection waiting for ever.
/// Probes start after 30 s of silence; a dead peer ends the read with an error
/// after the system's number of probes, and the connection is made again.
fn keepalive(stream: &TcpStream) {
    let params = socket2::TcpKeepalive::new().with_time(Duration::from_secs(30));
    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
    let params = params.with_interval(Duration::from_secs(10));
    if let Err(e) = socket2::SockRef::from(stream).set_tcp_keepalive(&params) {
        eprintln!("no TCP keepalive ({e}): a peer that loses power may go unnoticed");
    }
}

/// Reads the next bytes; `None` when the connection ended, with why.
fn read_some(stream: &mut TcpStream, buf: &mut [u8]) -> Result<usize, Ended> {
    match stream.read(buf) {
        Ok(0) => Err(Ended::Dropped("closed by the peer".into())),
        Ok(n) => Ok(n),
        Err(e) => Err(Ended::Dropped(e.to_string())),
    }
}

fn fritzbox_session(book: &Phonebook, stream: &mut TcpStream) -> Ended {
    let mut monitor = CallMonitor::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = match read_some(stream, &mut buf) {
            Ok(n) => n,
            Err(ended) => return ended,
        };
        monitor.push(&buf[..n]);
        while let Some(item) = monitor.next_event() {
            match item {
                Ok(event) => show_event(book, &event),
                Err(e) => eprintln!("fritzbox: {e}"),
            }
        }
    }
}

fn ami_session(
    book: &Phonebook,
    stream: &mut TcpStream,
    user: &str,
    secret: &str,
    own: &[String],
    own_calls_only: bool,
) -> Ended {
    let mut session = match AmiSession::new(user, secret) {
        Ok(s) if own_calls_only => s
            .with_own_extensions(own.iter().cloned())
            .only_calls_to_own_extensions(),
        Ok(s) => s.with_own_extensions(own.iter().cloned()),
        Err(e) => return Ended::Fatal(e.to_string()),
    };
    let mut buf = [0u8; 4096];
    loop {
        let n = match read_some(stream, &mut buf) {
            Ok(n) => n,
            Err(ended) => return ended,
        };
        session.push(&buf[..n]);
        loop {
            let item = session.next_item();
            let out = session.take_output();
            if !out.is_empty()
                && let Err(e) = stream.write_all(&out)
            {
                return Ended::Dropped(e.to_string());
            }
            match item {
                None => break,
                Some(Ok(AmiItem::LoggedIn)) => eprintln!("logged in as {user}"),
                Some(Ok(AmiItem::Call(event))) => show_event(book, &event),
                Some(Err(CallEventError::LoginFailed(why))) => {
                    return Ended::Fatal(format!("AMI login refused: {why}"));
                }
                Some(Err(e)) => eprintln!("ami: {e}"),
                Some(Ok(_)) => {}
            }
        }
    }
}

/// Shows the pop-up of an incoming call whose number (`anonymous`, `unknown`,
/// empty, ...) says it was withheld, and says whether it was.
pub fn withheld(number: &str, line: Option<&str>) -> bool {
    let withheld = Party::from_reported(number) == Party::Withheld;
    if withheld {
        popup_withheld("incoming call", line);
    }
    withheld
}

fn popup_withheld(what: &str, line: Option<&str>) {
    println!(
        "┌─ {what}{}\n│  number withheld\n└─\n",
        line.map(|l| format!(" on {l}")).unwrap_or_default()
    );
}

/// One pop-up for a ringing or dialled call, a line for the others.
fn show_event(book: &Phonebook, event: &CallEvent) {
    let line = event.line.as_deref();
    match (event.kind, &event.remote) {
        (CallKind::Ring, Some(Party::Number(n))) => super::popup(book, n, line),
        (CallKind::Call, Some(Party::Number(n))) => popup_outgoing(book, n),
        (CallKind::Ring, _) => popup_withheld("incoming call", line),
        (CallKind::Call, _) => popup_withheld("outgoing call", line),
        (CallKind::Connect, _) => println!("· call {} answered\n", event.call_id),
        (CallKind::Disconnect, _) => println!("· call {} ended\n", event.call_id),
        _ => {}
    }
}

/// The pop-up of a call we make: the callee's contact.
fn popup_outgoing(book: &Phonebook, number: &str) {
    println!("┌─ outgoing call to {number}");
    match book.lookup(number) {
        Err(e) => println!("│  (not a number: {e})"),
        Ok(m) if m.is_empty() => println!("│  unknown callee"),
        Ok(matches) => {
            for m in matches.iter().take(3) {
                super::show(book, m);
            }
        }
    }
    println!("└─\n");
}

#[cfg(test)]
mod tests {
    use super::with_port;

    #[test]
    fn a_port_is_added_when_missing() {
        assert_eq!(with_port("fritz.box", 1012), "fritz.box:1012");
        assert_eq!(with_port("127.0.0.1:9", 1012), "127.0.0.1:9");
        assert_eq!(with_port("::1", 5038), "[::1]:5038");
        assert_eq!(with_port("[::1]:7", 5038), "[::1]:7");
    }
}
