//! Errors keep their underlying cause as `std::error::Error::source`, so that a host
//! can log the whole chain rather than one flattened string.

use std::error::Error as _;
use std::net::TcpListener;
use std::sync::Arc;

use cti_phonebook::Error;
use cti_phonebook::cache::CachedFolder;
use cti_phonebook::carddav::{CardDavConfig, discover};
use cti_phonebook::memory::MemorySource;

/// A loopback port with nothing listening on it.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[test]
fn a_refused_connection_keeps_the_transport_error_as_its_source() {
    let url = format!("http://127.0.0.1:{}/dav/", closed_port());
    let config = CardDavConfig::builder(&url)
        .password("user", "pass")
        .build()
        .expect("config");
    let err = discover(&config).expect_err("nothing listens there");
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    let source = err.source().expect("a network error carries its cause");
    assert!(
        source.downcast_ref::<reqwest::Error>().is_some(),
        "the cause is the HTTP client's error: {source:?}"
    );
}

#[test]
fn an_unusable_cache_directory_keeps_the_io_error_as_its_source() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A file where the cache directory should be.
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, b"x").expect("write");
    let err = CachedFolder::open(
        not_a_dir.join("cache"),
        "Book",
        Arc::new(MemorySource::new("Book")),
    )
    .expect_err("a file cannot hold a cache directory");
    assert!(matches!(err, Error::Cache { .. }), "{err:?}");
    let source = err.source().expect("a cache error carries its cause");
    assert!(
        source.downcast_ref::<std::io::Error>().is_some(),
        "the cause is the file system's error: {source:?}"
    );
}
