//! The CPU time of the running thread, so that figures taken on a busy machine are
//! not inflated by time spent waiting for a core.

/// Nanoseconds this thread has run on a CPU (Linux; `None` elsewhere).
pub fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
