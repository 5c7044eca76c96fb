//! The Fritz!Box call monitor: TCP port [`PORT`], one line per event, fields
//! separated by `;`:
//!
//! ```text
//! 04.12.26 17:20:33;RING;0;0301234567;4930555000;SIP0;
//! 04.12.26 17:21:02;CALL;1;10;4930555000;01705550001;SIP0;
//! 04.12.26 17:21:09;CONNECT;1;10;01705550001;
//! 04.12.26 17:22:41;DISCONNECT;1;92;
//! ```
//!
//! `RING`: connection id, caller (empty when withheld), the called own number,
//! line. `CALL`: connection id, extension, own number, called number, line.
//! `CONNECT`: connection id, extension, the other number. `DISCONNECT`:
//! connection id, duration in seconds.

use super::lines::Lines;
use super::{CallEvent, CallEventError, CallKind, Party};

/// The call monitor's TCP port.
pub const PORT: u16 = 1012;

/// Reads the call monitor's stream: push bytes as they arrive, then take events
/// until [`next_event`](Self::next_event) says `None`.
#[derive(Debug, Default)]
pub struct CallMonitor {
    lines: Lines,
}

impl CallMonitor {
    /// A reader at the start of a connection.
    pub fn new() -> CallMonitor {
        CallMonitor::default()
    }

    /// Adds bytes read from the connection, in any pieces.
    pub fn push(&mut self, bytes: &[u8]) {
        self.lines.push(bytes);
    }

    /// The next event of the bytes pushed so far; `None` until more arrive. A
    /// malformed line is an error item, and reading goes on after it.
    pub fn next_event(&mut self) -> Option<Result<CallEvent, CallEventError>> {
        loop {
            match self.lines.next_line()? {
                Ok(line) if line.trim().is_empty() => continue,
                Ok(line) => return Some(parse_line(&line)),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// One line of the call monitor.
///
/// # Errors
/// [`CallEventError::Malformed`] for an unknown event or missing fields.
pub fn parse_line(line: &str) -> Result<CallEvent, CallEventError> {
    let f: Vec<&str> = line.trim().split(';').map(str::trim).collect();
    let field = |i: usize| -> Result<&str, CallEventError> {
        f.get(i)
            .copied()
            .ok_or_else(|| CallEventError::malformed(line, format!("field {} missing", i + 1)))
    };
    let kind = match field(1)? {
        "RING" => CallKind::Ring,
        "CALL" => CallKind::Call,
        "CONNECT" => CallKind::Connect,
        "DISCONNECT" => CallKind::Disconnect,
        other => {
            return Err(CallEventError::malformed(
                line,
                format!(
                    "unknown event {:?}",
                    other.chars().take(20).collect::<String>()
                ),
            ));
        }
    };
    let call_id = field(2)?;
    if call_id.is_empty() {
        return Err(CallEventError::malformed(line, "no connection id"));
    }
    let some = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    let (remote, local, line_name) = match kind {
        CallKind::Ring => (
            Some(Party::from_reported(field(3)?)),
            some(field(4)?),
            f.get(5).and_then(|s| some(s)),
        ),
        CallKind::Call => (
            Some(Party::from_reported(field(5)?)),
            some(field(4)?),
            f.get(6).and_then(|s| some(s)),
        ),
        CallKind::Connect => (Some(Party::from_reported(field(4)?)), some(field(3)?), None),
        CallKind::Disconnect => {
            let secs = field(3)?;
            if secs.parse::<u64>().is_err() {
                return Err(CallEventError::malformed(line, "duration is not a number"));
            }
            (None, None, None)
        }
    };
    Ok(CallEvent {
        kind,
        call_id: call_id.to_owned(),
        remote,
        local,
        line: line_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_events() {
        let ring = parse_line("04.12.26 17:20:33;RING;0;0301234567;4930555000;SIP0;").unwrap();
        assert_eq!(
            ring,
            CallEvent {
                kind: CallKind::Ring,
                call_id: "0".into(),
                remote: Some(Party::Number("0301234567".into())),
                local: Some("4930555000".into()),
                line: Some("SIP0".into()),
            }
        );
        let call = parse_line("04.12.26 17:21:02;CALL;1;10;4930555000;01705550001;SIP0;").unwrap();
        assert_eq!(call.kind, CallKind::Call);
        assert_eq!(call.remote, Some(Party::Number("01705550001".into())));
        assert_eq!(call.local.as_deref(), Some("4930555000"));
        let connect = parse_line("04.12.26 17:21:09;CONNECT;1;10;01705550001;").unwrap();
        assert_eq!(connect.kind, CallKind::Connect);
        assert_eq!(connect.remote, Some(Party::Number("01705550001".into())));
        let disc = parse_line("04.12.26 17:22:41;DISCONNECT;1;92;").unwrap();
        assert_eq!((disc.kind, disc.remote), (CallKind::Disconnect, None));
    }

    #[test]
    fn a_withheld_caller_has_an_empty_field() {
        let ring = parse_line("04.12.26 17:20:33;RING;2;;4930555000;SIP1;").unwrap();
        assert_eq!(ring.remote, Some(Party::Withheld));
    }

    #[test]
    fn bad_lines_are_errors_and_reading_goes_on() {
        for bad in [
            "",
            "hello",
            "04.12.26 17:20:33;BUZZ;0;1;2;",
            "04.12.26 17:20:33;RING;0",
            "04.12.26 17:20:33;RING;;0301234567;4930555000;SIP0;",
            "04.12.26 17:22:41;DISCONNECT;1;ninety;",
        ] {
            assert!(
                matches!(parse_line(bad), Err(CallEventError::Malformed { .. })),
                "{bad:?}"
            );
        }
        let mut m = CallMonitor::new();
        m.push(b"garbage\r\n\r\n04.12.26 17:20:33;RI");
        assert!(matches!(m.next_event(), Some(Err(_))));
        assert_eq!(m.next_event(), None);
        m.push(b"NG;0;0301234567;4930555000;SIP0;\r\n");
        assert_eq!(m.next_event().unwrap().unwrap().kind, CallKind::Ring);
        assert_eq!(m.next_event(), None);
    }
}
