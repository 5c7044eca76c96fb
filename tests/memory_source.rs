//! The conformance suite on the in-memory source, plus what only it can show.
#![cfg(feature = "conformance")]

use std::sync::Arc;

use cti_phonebook::source::{KnownVersions, PhonebookSource, RecordId};
use cti_phonebook::{Error, MemorySource, Row, conformance};

#[test]
fn memory_source_passes_conformance() {
    conformance::run_all(&MemorySource::new("test"));
}

#[test]
fn expired_tokens_need_a_full_listing() {
    let src = MemorySource::new("t");
    let token = src.list().unwrap().token.unwrap();
    src.create(&Row::new().with("display_name", "x")).unwrap();
    src.expire_tokens();
    assert!(matches!(
        src.changes_since(&token, &KnownVersions::new()),
        Err(Error::TokenExpired)
    ));
    let fresh = src.list().unwrap();
    assert_eq!(fresh.records.len(), 1);
    let ch = src
        .changes_since(fresh.token.as_ref().unwrap(), &KnownVersions::new())
        .unwrap();
    assert!(ch.changed.is_empty());
}

#[test]
fn read_only_refuses_writes() {
    let src = MemorySource::new("ro").read_only();
    assert!(matches!(src.create(&Row::new()), Err(Error::ReadOnly(_))));
    assert!(matches!(
        src.delete(&RecordId::new("x"), &"v".into()),
        Err(Error::ReadOnly(_))
    ));
}

#[test]
fn unknown_columns_are_a_config_error() {
    let src = MemorySource::new("t");
    assert!(matches!(
        src.create(&Row::new().with("phone99", "1")),
        Err(Error::Config(_))
    ));
}

#[test]
fn dyn_source_and_public_types_are_send_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Arc<dyn PhonebookSource>>();
    assert_send_sync::<cti_phonebook::Record>();
    assert_send_sync::<cti_phonebook::Error>();
    assert_send_sync::<cti_phonebook::Schema>();
    assert_send_sync::<cti_phonebook::vcard::VCard>();
    let src: Arc<dyn PhonebookSource> = Arc::new(MemorySource::new("dyn"));
    assert_eq!(src.info().name, "dyn");
}
