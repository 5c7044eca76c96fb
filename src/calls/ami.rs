//! The Asterisk Manager Interface (AMI), TCP port [`PORT`], as a sans-IO session:
//!
//! 1. the manager sends a banner line (`Asterisk Call Manager/5.0.1`);
//! 2. the session then asks to send the login action (see
//!    [`AmiSession::take_output`]): `Action: Login`, `Username`, `Secret`,
//!    `Events: call`, and an `ActionID` of its own;
//! 3. the manager answers `Response: Success` or `Response: Error` with that
//!    `ActionID` ([`AmiItem::LoggedIn`] or [`CallEventError::LoginFailed`]), and
//!    sends events: `Key: value` lines ended by a blank line. Responses and events
//!    may come in any order, and responses to other actions are ignored.
//!
//! Calls come from `Newchannel` and `Newstate` events whose `ChannelStateDesc` is
//! `Ring` or `Ringing`; each channel (`Uniqueid`) gives one event. A channel that
//! the PBX dialled for another one (its `Linkedid` is not its own `Uniqueid`: the
//! leg to our phone for an incoming call, the trunk leg of our outgoing call) is
//! not reported again. A ringing channel whose `CallerIDNum` is one of our own
//! extensions ([`AmiSession::with_own_extensions`]) is an outgoing call to its
//! `Exten`; any other is an incoming call from `CallerIDNum`. `Hangup` of a
//! reported channel is a [`CallKind::Disconnect`].
//!
//! A desk's pop-up wants only the calls that ring its own phone, not every call
//! that reaches the PBX: with [`AmiSession::only_calls_to_own_extensions`], an
//! incoming call is reported when a channel the PBX dialled to one of our
//! extensions (its `CallerIDNum`, or the device in its name, `PJSIP/100-…`) is
//! `Ringing`, from that channel's `ConnectedLineNum`; other incoming calls are
//! not reported. Outgoing calls are reported as before.

use std::collections::VecDeque;

use super::lines::Lines;
use super::{CallEvent, CallEventError, CallKind, Party};

/// The manager's TCP port.
pub const PORT: u16 = 5038;

/// The `ActionID` of the session's login.
const LOGIN_ID: &str = "cti-phonebook-login";
/// Most lines of one message; a longer one is dropped as malformed.
const MAX_FIELDS: usize = 256;
/// Channels remembered as reported, so that `Newchannel` and `Newstate` of one
/// channel give one event.
const MAX_SEEN: usize = 1024;

/// What the session reads besides errors.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AmiItem {
    /// The manager accepted the login.
    LoggedIn,
    /// A call event.
    Call(CallEvent),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Banner,
    LoggingIn,
    Ready,
    Refused,
}

/// One AMI connection's protocol state. See the [module docs](self).
#[derive(Debug)]
pub struct AmiSession {
    lines: Lines,
    state: State,
    fields: Vec<(String, String)>,
    malformed: Option<String>,
    output: Vec<u8>,
    login: Vec<u8>,
    own: Vec<String>,
    only_own: bool,
    seen: VecDeque<String>,
}

impl AmiSession {
    /// A session that logs in as `username` with `secret`.
    ///
    /// # Errors
    /// [`Error::Config`](crate::Error::Config) when either holds a line break,
    /// which would end the action early.
    pub fn new(username: &str, secret: &str) -> crate::Result<AmiSession> {
        if [username, secret].iter().any(|s| s.contains(['\r', '\n'])) {
            return Err(crate::Error::Config(
                "AMI user name and secret must be one line".into(),
            ));
        }
        let login = format!(
            "Action: Login\r\nActionID: {LOGIN_ID}\r\nUsername: {username}\r\nSecret: {secret}\r\nEvents: call\r\n\r\n"
        );
        Ok(AmiSession {
            lines: Lines::default(),
            state: State::Banner,
            fields: Vec::new(),
            malformed: None,
            output: Vec::new(),
            login: login.into_bytes(),
            own: Vec::new(),
            only_own: false,
            seen: VecDeque::new(),
        })
    }

    /// Our own extensions (`CallerIDNum` of our phones): a call they ring out is
    /// an outgoing call.
    pub fn with_own_extensions(mut self, own: impl IntoIterator<Item = String>) -> AmiSession {
        self.own = own.into_iter().collect();
        self
    }

    /// Reports an incoming call only when it rings one of our own extensions (see
    /// the [module docs](self)), not every call that reaches the PBX. Without own
    /// extensions no incoming call is reported.
    pub fn only_calls_to_own_extensions(mut self) -> AmiSession {
        self.only_own = true;
        self
    }

    /// Whether the manager accepted the login.
    pub fn is_logged_in(&self) -> bool {
        self.state == State::Ready
    }

    /// Adds bytes read from the connection, in any pieces.
    pub fn push(&mut self, bytes: &[u8]) {
        self.lines.push(bytes);
    }

    /// Bytes to send to the manager now (the login, once the banner came); empty
    /// when there is nothing to send.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    /// The next item of the bytes pushed so far; `None` until more arrive. After
    /// [`CallEventError::LoginFailed`] nothing more is read.
    pub fn next_item(&mut self) -> Option<Result<AmiItem, CallEventError>> {
        while self.state != State::Refused {
            let line = match self.lines.next_line()? {
                Ok(line) => line,
                Err(e) => {
                    // A message with a dropped line is not to be trusted.
                    self.malformed.get_or_insert_with(|| e.to_string());
                    continue;
                }
            };
            if self.state == State::Banner {
                if line.trim().is_empty() {
                    continue;
                }
                self.state = State::LoggingIn;
                self.output.extend_from_slice(&self.login);
                continue;
            }
            if !line.is_empty() {
                match line.split_once(':') {
                    _ if self.fields.len() >= MAX_FIELDS => {
                        self.malformed
                            .get_or_insert_with(|| "too many lines".into());
                    }
                    Some((k, v)) => self.fields.push((k.trim().to_owned(), v.trim().to_owned())),
                    None => {
                        self.malformed
                            .get_or_insert_with(|| format!("line without a key: {line:?}"));
                    }
                }
                continue;
            }
            let fields = std::mem::take(&mut self.fields);
            if let Some(reason) = self.malformed.take() {
                let what = fields
                    .first()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .unwrap_or_else(|| "message".into());
                return Some(Err(CallEventError::malformed(&what, reason)));
            }
            if let Some(item) = self.message(&fields) {
                return Some(item);
            }
        }
        None
    }

    /// What one complete message means, if anything.
    fn message(&mut self, fields: &[(String, String)]) -> Option<Result<AmiItem, CallEventError>> {
        let get = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str())
        };
        if let Some(response) = get("Response") {
            let ours = get("ActionID").is_none_or(|id| id == LOGIN_ID);
            if self.state != State::LoggingIn || !ours {
                return None;
            }
            if response.eq_ignore_ascii_case("Success") {
                self.state = State::Ready;
                return Some(Ok(AmiItem::LoggedIn));
            }
            self.state = State::Refused;
            let message = get("Message").unwrap_or(response);
            return Some(Err(CallEventError::LoginFailed(message.to_owned())));
        }
        let event = get("Event")?;
        let unique = get("Uniqueid").unwrap_or("");
        if event.eq_ignore_ascii_case("Hangup") {
            let at = self.seen.iter().position(|u| u == unique)?;
            self.seen.remove(at);
            return Some(Ok(AmiItem::Call(CallEvent {
                kind: CallKind::Disconnect,
                call_id: unique.to_owned(),
                remote: None,
                local: None,
                line: get("Channel").map(str::to_owned),
            })));
        }
        if !(event.eq_ignore_ascii_case("Newchannel") || event.eq_ignore_ascii_case("Newstate")) {
            return None;
        }
        let state = get("ChannelStateDesc").or_else(|| get("State"))?;
        if !(state.eq_ignore_ascii_case("Ring") || state.eq_ignore_ascii_case("Ringing")) {
            return None;
        }
        if unique.is_empty() {
            return Some(Err(CallEventError::malformed(event, "no Uniqueid")));
        }
        let dialled = get("Linkedid").is_some_and(|l| !l.is_empty() && l != unique);
        let caller = get("CallerIDNum").or_else(|| get("CallerID")).unwrap_or("");
        let exten = get("Exten").filter(|e| !e.is_empty() && *e != "s");
        let own_caller = self.own.iter().any(|o| o == caller);
        // The one kind of dialled channel reported, when only such calls are wanted:
        // the PBX ringing our own phone. This is the extension it rings.
        let channel_device = get("Channel").and_then(device);
        let rung = (dialled && self.only_own && state.eq_ignore_ascii_case("Ringing"))
            .then(|| {
                self.own
                    .iter()
                    .find(|o| *o == caller || Some(o.as_str()) == channel_device)
            })
            .flatten();
        if (dialled && rung.is_none()) || (!dialled && self.only_own && !own_caller) {
            return None;
        }
        if self.seen.iter().any(|u| u == unique) {
            return None;
        }
        if self.seen.len() >= MAX_SEEN {
            self.seen.pop_front();
        }
        self.seen.push_back(unique.to_owned());
        let channel = get("Channel").map(str::to_owned);
        if let Some(own) = rung {
            return Some(Ok(AmiItem::Call(CallEvent {
                kind: CallKind::Ring,
                call_id: unique.to_owned(),
                remote: Some(Party::from_reported(get("ConnectedLineNum").unwrap_or(""))),
                local: Some(own.clone()),
                line: channel,
            })));
        }
        let event = if own_caller {
            CallEvent {
                kind: CallKind::Call,
                call_id: unique.to_owned(),
                remote: Some(Party::from_reported(exten.unwrap_or(""))),
                local: Some(caller.to_owned()),
                line: channel,
            }
        } else {
            CallEvent {
                kind: CallKind::Ring,
                call_id: unique.to_owned(),
                remote: Some(Party::from_reported(caller)),
                local: exten.map(str::to_owned),
                line: channel,
            }
        };
        Some(Ok(AmiItem::Call(event)))
    }
}

/// The device of a channel name: `PJSIP/100-0000002b` → `100`. A Local channel
/// (`Local/100@from-queue-00000007;1`) names no device.
fn device(channel: &str) -> Option<&str> {
    let (tech, rest) = channel.split_once('/')?;
    if tech.eq_ignore_ascii_case("Local") {
        return None;
    }
    Some(rest.rsplit_once('-').map_or(rest, |(d, _)| d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> AmiSession {
        let mut s = AmiSession::new("cti", "s3cret").unwrap();
        s.push(b"Asterisk Call Manager/5.0.1\r\n");
        assert_eq!(s.next_item(), None);
        let login = String::from_utf8(s.take_output()).unwrap();
        assert!(login.starts_with("Action: Login\r\n"), "{login}");
        assert!(login.contains("\r\nUsername: cti\r\nSecret: s3cret\r\n"));
        assert!(login.ends_with("\r\n\r\n"));
        assert!(s.take_output().is_empty());
        s
    }

    fn calls(s: &mut AmiSession) -> Vec<CallEvent> {
        std::iter::from_fn(|| s.next_item())
            .filter_map(|i| match i {
                Ok(AmiItem::Call(c)) => Some(c),
                _ => None,
            })
            .collect()
    }

    const INCOMING: &str = "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/trunk-00000001\r\nChannelState: 4\r\nChannelStateDesc: Ring\r\nCallerIDNum: +49301234567\r\nCallerIDName: \r\nExten: 4930555000\r\nContext: from-trunk\r\nUniqueid: 1701.1\r\nLinkedid: 1701.1\r\n\r\n";
    const PHONE_LEG: &str = "Event: Newstate\r\nChannel: PJSIP/100-00000002\r\nChannelState: 5\r\nChannelStateDesc: Ringing\r\nCallerIDNum: 100\r\nConnectedLineNum: +49301234567\r\nExten: s\r\nUniqueid: 1701.2\r\nLinkedid: 1701.1\r\n\r\n";

    #[test]
    fn login_then_an_incoming_call_once() {
        let mut s = session();
        s.push(b"Response: Success\r\nActionID: cti-phonebook-login\r\nMessage: Authentication accepted\r\n\r\n");
        assert_eq!(s.next_item(), Some(Ok(AmiItem::LoggedIn)));
        assert!(s.is_logged_in());
        s.push(INCOMING.as_bytes());
        // The same channel's Newstate, and the leg to our phone: nothing new.
        s.push(INCOMING.replace("Newchannel", "Newstate").as_bytes());
        s.push(PHONE_LEG.as_bytes());
        let got = calls(&mut s);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].kind, CallKind::Ring);
        assert_eq!(got[0].remote, Some(Party::Number("+49301234567".into())));
        assert_eq!(got[0].local.as_deref(), Some("4930555000"));
        s.push(b"Event: Hangup\r\nChannel: PJSIP/trunk-00000001\r\nUniqueid: 1701.1\r\nCause: 16\r\n\r\n");
        assert_eq!(calls(&mut s)[0].kind, CallKind::Disconnect);
    }

    #[test]
    fn events_interleaved_with_responses_in_pieces() {
        let mut s = session();
        let all = format!(
            "Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n{INCOMING}Response: Success\r\nActionID: cti-phonebook-login\r\n\r\nResponse: Error\r\nActionID: other\r\nMessage: no\r\n\r\n{}",
            INCOMING
                .replace("1701.1", "1702.1")
                .replace("+49301234567", "anonymous")
        );
        let mut items = Vec::new();
        for piece in all.as_bytes().chunks(7) {
            s.push(piece);
            items.extend(std::iter::from_fn(|| s.next_item()));
        }
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(
            matches!(&items[0], Ok(AmiItem::Call(c)) if c.remote == Some(Party::Number("+49301234567".into())))
        );
        assert_eq!(items[1], Ok(AmiItem::LoggedIn));
        assert!(matches!(&items[2], Ok(AmiItem::Call(c)) if c.remote == Some(Party::Withheld)));
    }

    /// One message of `fields`, as Asterisk sends it.
    fn message(fields: &[(&str, &str)]) -> String {
        let mut m: String = fields
            .iter()
            .map(|(k, v)| format!("{k}: {v}\r\n"))
            .collect();
        m.push_str("\r\n");
        m
    }

    /// A ringing channel of a call whose first channel is `1710.42`.
    fn leg(
        event: &'static str,
        channel: &'static str,
        unique: &'static str,
        state: &'static str,
    ) -> Vec<(&'static str, &'static str)> {
        vec![
            ("Event", event),
            ("Channel", channel),
            ("ChannelStateDesc", state),
            ("CallerIDNum", "+4930987654"),
            ("ConnectedLineNum", "+4930987654"),
            ("Exten", "100"),
            ("Context", "from-queue"),
            ("Uniqueid", unique),
            ("Linkedid", "1710.42"),
        ]
    }

    /// An incoming call to a queue whose members are dialled through Local
    /// channels (Asterisk 16 to 20): the trunk channel comes up Down and then
    /// rings; the queue creates both halves of a Local channel for a member,
    /// which dial the phones; phone 100 answers, phone 101 stops ringing, and
    /// the call ends.
    fn queue_call() -> String {
        let trunk = |event, state| {
            message(&[
                ("Event", event),
                ("Channel", "PJSIP/trunk-0000002a"),
                ("ChannelStateDesc", state),
                ("CallerIDNum", "+4930987654"),
                ("CallerIDName", "Ada"),
                ("ConnectedLineNum", "<unknown>"),
                ("Exten", "4930555000"),
                ("Context", "from-trunk"),
                ("Uniqueid", "1710.42"),
                ("Linkedid", "1710.42"),
            ])
        };
        let local1 = "Local/100@from-queue-00000007;1";
        let local2 = "Local/100@from-queue-00000007;2";
        let mut all = trunk("Newchannel", "Down") + &trunk("Newstate", "Ring");
        all += &message(&[
            ("Event", "QueueCallerJoin"),
            ("Queue", "sales"),
            ("Uniqueid", "1710.42"),
        ]);
        for (channel, unique) in [(local1, "1710.43"), (local2, "1710.44")] {
            all += &message(&leg("Newchannel", channel, unique, "Down"));
            all += &message(&leg("Newstate", channel, unique, "Ringing"));
        }
        let mut phone = leg("Newstate", "PJSIP/100-0000002b", "1710.45", "Ringing");
        phone[3] = ("CallerIDNum", "100");
        all += &message(&phone);
        all += &message(&leg("Newstate", "PJSIP/101-0000002c", "1710.46", "Ringing"));
        for (channel, unique) in [
            ("PJSIP/101-0000002c", "1710.46"),
            (local2, "1710.44"),
            ("PJSIP/trunk-0000002a", "1710.42"),
            ("PJSIP/100-0000002b", "1710.45"),
        ] {
            all += &message(&[
                ("Event", "Hangup"),
                ("Channel", channel),
                ("Uniqueid", unique),
            ]);
        }
        all
    }

    /// The call events of `all`, read in 13-byte pieces by `s` once logged in.
    fn read_in_pieces(mut s: AmiSession, all: &str) -> Vec<CallEvent> {
        s.push(b"Response: Success\r\nActionID: cti-phonebook-login\r\n\r\n");
        assert_eq!(s.next_item(), Some(Ok(AmiItem::LoggedIn)));
        let mut got = Vec::new();
        for piece in all.as_bytes().chunks(13) {
            s.push(piece);
            got.extend(calls(&mut s));
        }
        got
    }

    #[test]
    fn a_queue_call_through_local_channels_pops_up_once() {
        let s = session().with_own_extensions(["100".to_owned()]);
        let got = read_in_pieces(s, &queue_call());
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].kind, CallKind::Ring);
        assert_eq!(got[0].call_id, "1710.42");
        assert_eq!(got[0].remote, Some(Party::Number("+4930987654".into())));
        assert_eq!(got[1].kind, CallKind::Disconnect);
        assert_eq!(got[1].call_id, "1710.42");
    }

    #[test]
    fn only_calls_to_our_own_phone_pop_up_when_asked() {
        // The same queue call pops up when phone 100 rings, from the caller on the
        // trunk; the ring of phone 101 is another desk's.
        let s = session()
            .with_own_extensions(["100".to_owned()])
            .only_calls_to_own_extensions();
        let got = read_in_pieces(s, &queue_call());
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].kind, CallKind::Ring);
        assert_eq!(got[0].call_id, "1710.45");
        assert_eq!(got[0].remote, Some(Party::Number("+4930987654".into())));
        assert_eq!(got[0].local.as_deref(), Some("100"));
        assert_eq!(got[1].kind, CallKind::Disconnect);
        assert_eq!(got[1].call_id, "1710.45");
        // Found by the device in the channel's name when the phone's caller ID is
        // something else.
        let s = session()
            .with_own_extensions(["101".to_owned()])
            .only_calls_to_own_extensions();
        let got = read_in_pieces(s, &queue_call());
        assert_eq!(got[0].call_id, "1710.46", "{got:?}");
        // A desk's own outgoing call is still reported; a call to nobody of ours
        // is not.
        let s = session()
            .with_own_extensions(["100".to_owned()])
            .only_calls_to_own_extensions();
        let outgoing = "Event: Newchannel\r\nChannel: PJSIP/100-00000003\r\nChannelStateDesc: Ring\r\nCallerIDNum: 100\r\nExten: 01705550001\r\nUniqueid: 1703.1\r\nLinkedid: 1703.1\r\n\r\n";
        let got = read_in_pieces(s, &format!("{outgoing}{INCOMING}"));
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].kind, CallKind::Call);
        assert_eq!(device("PJSIP/100-0000002b"), Some("100"));
        assert_eq!(device("SIP/alice"), Some("alice"));
        assert_eq!(device("Local/100@from-queue-00000007;1"), None);
    }

    #[test]
    fn our_own_extension_rings_out() {
        let mut s = session().with_own_extensions(["100".to_owned()]);
        s.push(b"Event: Newchannel\r\nChannel: PJSIP/100-00000003\r\nChannelStateDesc: Ring\r\nCallerIDNum: 100\r\nExten: 01705550001\r\nUniqueid: 1703.1\r\nLinkedid: 1703.1\r\n\r\n");
        let c = &calls(&mut s)[0];
        assert_eq!(c.kind, CallKind::Call);
        assert_eq!(c.remote, Some(Party::Number("01705550001".into())));
    }

    #[test]
    fn a_refused_login_ends_the_session() {
        let mut s = session();
        s.push(b"Response: Error\r\nActionID: cti-phonebook-login\r\nMessage: Authentication failed\r\n\r\n");
        s.push(INCOMING.as_bytes());
        assert_eq!(
            s.next_item(),
            Some(Err(CallEventError::LoginFailed(
                "Authentication failed".into()
            )))
        );
        assert_eq!(s.next_item(), None);
        assert!(!s.is_logged_in());
    }

    #[test]
    fn a_malformed_message_is_skipped() {
        let mut s = session();
        s.push(b"Event: Newchannel\r\nthis is no field\r\n\r\n");
        s.push(INCOMING.as_bytes());
        assert!(matches!(
            s.next_item(),
            Some(Err(CallEventError::Malformed { .. }))
        ));
        assert!(matches!(s.next_item(), Some(Ok(AmiItem::Call(_)))));
    }

    #[test]
    fn credentials_are_one_line() {
        assert!(AmiSession::new("cti\r\nAction: Logoff", "x").is_err());
        assert!(AmiSession::new("cti", "x\ny").is_err());
    }
}
