//! Helpers shared by integration tests.
pub mod mock;
pub mod proxy;
pub mod servers;
