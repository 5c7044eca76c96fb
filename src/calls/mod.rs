//! Call events from phone systems, for a caller pop-up: sans-IO parsers that turn
//! the bytes a PBX sends into [`CallEvent`]s. They never open a socket: the
//! application connects, feeds what it reads, and sends what they ask it to send
//! (see `examples/caller_popup.rs`).
//!
//! * [`fritzbox`] — the AVM Fritz!Box call monitor (TCP port 1012, after `#96*5*`
//!   on a phone connected to the box): one line per event, `RING`, `CALL`,
//!   `CONNECT`, `DISCONNECT`.
//! * [`ami`] — the Asterisk Manager Interface (TCP port 5038): a banner, a login
//!   action with user name and secret, then messages of `Key: value` lines ended by
//!   a blank line; calls from `Newchannel` and `Newstate` events.
//!
//! [`auto_open`] is the folder option that opens a caller's data mask at once.
//!
//! Both parsers take bytes in any pieces (a line split across reads is joined), bound what
//! they buffer, and report a malformed line or message as a typed
//! [`CallEventError`] and go on with the next one.

pub mod ami;
mod auto_open;
pub mod fritzbox;
mod lines;

pub use auto_open::{AUTO_OPEN_SETTING, auto_open, set_auto_open};

/// The other party of a call, as the phone system reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Party {
    /// A number (as delivered: digits, perhaps `+`, an outside-line prefix, or an
    /// internal extension).
    Number(String),
    /// The caller withheld the number, or the network did not deliver one.
    Withheld,
}

impl Party {
    /// A reported number: empty, `anonymous`, `unknown`, `<unknown>`, `withheld`,
    /// `private`, `restricted`, `unavailable` (any case) and `-` mean the number is
    /// withheld.
    pub fn from_reported(raw: &str) -> Party {
        let n = raw.trim();
        let lower = n.to_ascii_lowercase();
        let withheld = n.is_empty()
            || n == "-"
            || [
                "anonymous",
                "unknown",
                "<unknown>",
                "withheld",
                "private",
                "restricted",
                "unavailable",
            ]
            .contains(&lower.as_str());
        if withheld {
            Party::Withheld
        } else {
            Party::Number(n.to_owned())
        }
    }

    /// The number, unless withheld.
    pub fn number(&self) -> Option<&str> {
        match self {
            Party::Number(n) => Some(n),
            Party::Withheld => None,
        }
    }
}

/// What happened to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallKind {
    /// An incoming call rings: look up the caller.
    Ring,
    /// An outgoing call is being dialled: look up the callee.
    Call,
    /// The call was answered.
    Connect,
    /// The call ended.
    Disconnect,
}

/// One call event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEvent {
    /// What happened.
    pub kind: CallKind,
    /// The phone system's id of the call (connection id, unique id), to tie the
    /// events of one call together.
    pub call_id: String,
    /// The other party: the caller on [`Ring`](CallKind::Ring), the callee on
    /// [`Call`](CallKind::Call) and, when the system says, on
    /// [`Connect`](CallKind::Connect); `None` when the event does not name it.
    pub remote: Option<Party>,
    /// Our own number or extension on the call, when the event names it.
    pub local: Option<String>,
    /// The line or channel (`SIP0`, `PJSIP/trunk-00000001`), when named.
    pub line: Option<String>,
}

/// A line or message that could not be read, or a session that cannot go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallEventError {
    /// A line or message was not understood; the parser goes on with the next.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was read (`line`, `message`), shortened.
        what: String,
        /// Why it was not understood.
        reason: String,
    },
    /// A line longer than the parser keeps was dropped.
    #[error("a line of more than {0} bytes was dropped")]
    TooLong(usize),
    /// The Asterisk manager refused the login; the connection is of no use.
    #[error("login refused: {0}")]
    LoginFailed(String),
}

impl CallEventError {
    fn malformed(what: &str, reason: impl Into<String>) -> CallEventError {
        let what: String = what.chars().take(120).collect();
        CallEventError::Malformed {
            what,
            reason: reason.into(),
        }
    }
}
