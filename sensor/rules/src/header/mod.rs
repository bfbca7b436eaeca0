//! Rule header: action, protocol, addresses, ports, direction.

mod addr;
mod port;
mod proto;
pub(crate) mod ranges;

pub use addr::AddrSet;
pub use port::PortSet;
pub use proto::{Action, Protocol};

/// The parsed header of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Protocol keyword.
    pub proto: Protocol,
    /// Source addresses.
    pub src: AddrSet,
    /// Source ports.
    pub sport: PortSet,
    /// Destination addresses.
    pub dst: AddrSet,
    /// Destination ports.
    pub dport: PortSet,
    /// `<>`: the rule matches both directions.
    pub bidirectional: bool,
}
