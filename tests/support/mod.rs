//! Helpers shared by integration tests.
pub mod cli;
pub mod corpus;
pub mod dns;
mod example;
pub mod mock;
pub mod proxy;
pub mod raw_http;
pub mod servers;

pub use example::phonebook_exe;
