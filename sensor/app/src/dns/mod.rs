//! DNS over UDP and TCP: message parsing, transactions and EVE output.

pub mod eve;
pub mod message;
pub mod name;
pub mod names;
pub mod state;

pub use message::{parse_message, DnsAnswer, DnsMessage, DnsQuery, DnsRdata};
pub use state::{DnsState, DnsTx};
