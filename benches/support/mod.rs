//! What the benches share to make their data and read their clocks. Each bench
//! includes it with `mod support;` and uses part of it.
#![allow(dead_code)] // each bench binary uses part of it

pub mod contacts;
pub mod cpu_clock;
