//! What the engine reports when a rule fires.

/// One alert raised on a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertHit {
    /// Index of the rule in [`crate::Engine::rule`].
    pub rule: u32,
    /// Index into the packet's transactions when the rule matched application-layer
    /// buffers of one of them.
    pub tx: Option<usize>,
    /// The payload match was made on reassembled stream data.
    pub stream: bool,
}
