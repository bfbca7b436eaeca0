//! HTTP/1.0 and HTTP/1.1 parsing (libhtp-like, as used by Suricata).

pub mod decompress;
pub mod eve;
pub mod headers;
pub mod normalize;
pub mod parser;
pub mod tx;

pub use headers::{Header, HeaderSet};
pub use parser::HttpState;
pub use tx::{HttpTx, Progress};
