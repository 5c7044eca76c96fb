//! Helpers shared by the tests of the C ABI.

pub mod library;
