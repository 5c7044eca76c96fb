//! [`CallerIndex`]: every phone number of every folder, normalised once, looked up in
//! nanoseconds while syncs go on. This file lays out the design and names the parts.
//!
//! The current state is an immutable [`IndexSnapshot`] behind an `RwLock<Arc<_>>`.
//! A lookup holds the read lock only for its probe (no normalisation, no allocation
//! but the result vector); a writer builds the next snapshot beside the current one,
//! without the lock, and takes the write lock only to swap the pointer. A sync
//! therefore never stalls a lookup for more than a pointer swap, and a lookup never
//! sees half an update. [`CallerIndex::snapshot`] hands out the `Arc` for a series of
//! lookups on one state.
//!
//! Layout, for memory and speed: each number is one 16-byte slot (a bijective hash of
//! its key, the record's number and the field's position), sorted by hash, with a
//! directory of bucket offsets indexed by the hash's top bits and a presence
//! filter in front, blocked by the number's first digits so that a number and its
//! switchboard forms share one cache line of it (`slots.rs`). The small overlay of
//! changes since the table was laid out has a filter of its own. Names and ids live
//! once per record, in the chunked record table of `records.rs`; folder and column
//! names once per index.
//!
//! The parts:
//!
//! * `types.rs`: the public types given to the index and answered by it
//!   ([`IndexedContact`], [`IndexChange`], [`CallerMatch`], [`IndexReport`], ...);
//! * `probe.rs`: [`IndexSnapshot`] and its lookups, the read path;
//! * `apply.rs`: a batch of changes applied, and the next snapshot built from it;
//! * `writer.rs`: the writer's bookkeeping (record numbers by id, interned names,
//!   folders' and countries' plans);
//! * `api.rs`: [`CallerIndex`], which ties them together.

mod api;
mod apply;
mod probe;
mod types;
mod writer;

pub use api::CallerIndex;
pub use probe::IndexSnapshot;
pub use types::{
    CallerMatch, IndexChange, IndexReport, IndexedContact, MatchQuality, MemoryUsage, NumberPlace,
    PhoneField, RejectedNumber,
};
