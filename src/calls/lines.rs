//! [`Lines`]: bytes in any pieces to complete lines, with a bound on what is kept.

use super::CallEventError;

/// Longest line kept; longer ones are dropped with [`CallEventError::TooLong`].
pub(crate) const MAX_LINE: usize = 8 * 1024;

/// Splits received bytes into lines ended by `\n` (a `\r` before it is removed).
/// Invalid UTF-8 is replaced, not an error: numbers and keys are ASCII.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    buf: Vec<u8>,
    /// Discarding the rest of a line that was too long.
    skipping: bool,
}

impl Lines {
    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete line, or `None` until more bytes arrive.
    pub fn next_line(&mut self) -> Option<Result<String, CallEventError>> {
        loop {
            let Some(end) = memchr::memchr(b'\n', &self.buf) else {
                // One more byte than a line may hold: its `\r`, before the `\n`
                // arrives, so that the outcome does not depend on where reads split.
                if self.buf.len() > MAX_LINE + 1 {
                    self.buf.clear();
                    if !std::mem::replace(&mut self.skipping, true) {
                        return Some(Err(CallEventError::TooLong(MAX_LINE)));
                    }
                }
                return None;
            };
            let mut line: Vec<u8> = self.buf.drain(..=end).collect();
            if std::mem::replace(&mut self.skipping, false) {
                continue;
            }
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.len() > MAX_LINE {
                return Some(Err(CallEventError::TooLong(MAX_LINE)));
            }
            return Some(Ok(String::from_utf8_lossy(&line).into_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_in_pieces() {
        let mut l = Lines::default();
        l.push(b"ab");
        assert_eq!(l.next_line(), None);
        l.push(b"c\r\nde\nf");
        assert_eq!(l.next_line(), Some(Ok("abc".into())));
        assert_eq!(l.next_line(), Some(Ok("de".into())));
        assert_eq!(l.next_line(), None);
        l.push(b"\n");
        assert_eq!(l.next_line(), Some(Ok("f".into())));
    }

    #[test]
    fn an_overlong_line_is_dropped_once() {
        let mut l = Lines::default();
        l.push(&vec![b'x'; MAX_LINE + 10]);
        assert_eq!(l.next_line(), Some(Err(CallEventError::TooLong(MAX_LINE))));
        l.push(&vec![b'x'; MAX_LINE + 10]);
        assert_eq!(l.next_line(), None);
        l.push(b"tail\nnext\n");
        assert_eq!(l.next_line(), Some(Ok("next".into())));
    }
}
