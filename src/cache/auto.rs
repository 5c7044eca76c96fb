//! [`AutoSync`]: a background thread that syncs folders when their interval is due.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{CachedFolder, SyncReport};
use crate::error::Error;

/// Runs the automatic sync of some folders on a background thread until dropped or
/// [stopped](AutoSync::stop).
///
/// Every `poll` it syncs each folder whose interval is due
/// ([`CachedFolder::sync_if_due`]) and hands each outcome to the `report` callback.
/// A failed sync is retried at the next poll.
#[derive(Debug)]
pub struct AutoSync {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl AutoSync {
    /// Starts the thread.
    ///
    /// # Errors
    /// When the operating system refuses a new thread.
    pub fn spawn(
        folders: Vec<Arc<CachedFolder>>,
        poll: Duration,
        report: impl Fn(&str, Result<SyncReport, Error>) + Send + 'static,
    ) -> std::io::Result<AutoSync> {
        let (tx, rx) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("cti-phonebook-autosync".into())
            .spawn(move || {
                loop {
                    for f in &folders {
                        match f.sync_if_due() {
                            Ok(None) => {}
                            Ok(Some(r)) => report(f.name(), Ok(r)),
                            Err(e) => report(f.name(), Err(e)),
                        }
                    }
                    match rx.recv_timeout(poll) {
                        Err(RecvTimeoutError::Timeout) => {}
                        _ => break,
                    }
                }
            })?;
        Ok(AutoSync {
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    /// Stops the thread and waits for a running sync to finish.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for AutoSync {
    fn drop(&mut self) {
        self.shutdown();
    }
}
