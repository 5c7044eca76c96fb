//! Helpers shared by integration tests.
pub mod proxy;
pub mod servers;
