//! The progress UI of a sync: a spinner on stderr that becomes a bar once the
//! number of cards to fetch is known.
use std::io::IsTerminal;
use std::time::Duration;

use cti_phonebook::SyncProgress;

/// A spinner on stderr while a sync runs, when stderr is a terminal; it becomes a bar
/// (`syncing NAME  1200/10000`) once the sync knows how many cards it fetches.
pub(crate) fn progress(msg: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = spinner(msg, indicatif::ProgressDrawTarget::stderr());
    pb.enable_steady_tick(Duration::from_millis(100));
    Some(pb)
}

/// The spinner [`progress`] shows, drawn to `target` (the tests draw to a fake
/// terminal: indicatif draws nothing when stderr is not one).
fn spinner(msg: &str, target: indicatif::ProgressDrawTarget) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::with_draw_target(None, target);
    pb.set_style(indicatif::ProgressStyle::default_spinner());
    pb.set_message(msg.to_owned());
    pb
}

/// Moves the sync's bar; the first event with a total turns the spinner into a bar.
pub(crate) fn show_progress(pb: &indicatif::ProgressBar, p: SyncProgress) {
    let Some(total) = p.total else { return };
    if pb.length() != Some(total as u64) {
        if pb.length().is_none() {
            let style =
                indicatif::ProgressStyle::with_template("{spinner} {msg}  {pos}/{len} [{bar:30}]")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> ");
            pb.set_style(style);
        }
        // A refresh that turns into a reload starts over with another total.
        pb.set_length(total as u64);
    }
    pb.set_position(p.fetched as u64);
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use cti_phonebook::SyncProgress;
    use indicatif::{ProgressDrawTarget, TermLike};

    use super::{show_progress, spinner};

    /// A terminal of one line: what was written since the line was last cleared.
    #[derive(Debug, Default, Clone)]
    struct Screen(Arc<Mutex<String>>);

    impl Screen {
        fn line(&self) -> String {
            self.0.lock().unwrap().trim_end().to_owned()
        }
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.0.lock().unwrap().clear();
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_spinner_becomes_a_bar_once_the_total_is_known() {
        let screen = Screen::default();
        // Without a refresh rate: every change is drawn at once.
        let pb = spinner(
            "syncing Work",
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        );
        pb.tick();
        assert!(
            screen.line().ends_with(" syncing Work"),
            "{:?}",
            screen.line()
        );

        // Listing: no total yet, the spinner stays.
        show_progress(&pb, SyncProgress::new(0, None));
        assert_eq!(pb.length(), None);
        assert!(!screen.line().contains('/'), "{:?}", screen.line());

        show_progress(&pb, SyncProgress::new(0, Some(10)));
        show_progress(&pb, SyncProgress::new(4, Some(10)));
        let line = screen.line();
        assert!(line.contains(" syncing Work  4/10 ["), "{line:?}");
        // 4 of 10 in a bar of 30: 12 filled, the head, 17 empty.
        let bar = &line[line.find('[').unwrap()..];
        assert_eq!(bar, format!("[{}>{}]", "=".repeat(12), " ".repeat(17)));

        // A refresh that turns into a reload starts over with its own total.
        show_progress(&pb, SyncProgress::new(0, Some(25)));
        assert!(screen.line().contains("  0/25 ["), "{:?}", screen.line());
        show_progress(&pb, SyncProgress::new(25, Some(25)));
        assert!(screen.line().contains("  25/25 ["), "{:?}", screen.line());
        assert_eq!((pb.position(), pb.length()), (25, Some(25)));
    }
}
