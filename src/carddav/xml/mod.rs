//! Pure XML for WebDAV and CardDAV (no I/O): the request bodies we send and the
//! multistatus answers we read.

mod request;
mod response;
mod stream;

pub use request::*;
pub use response::*;
pub use stream::MultistatusReader;
