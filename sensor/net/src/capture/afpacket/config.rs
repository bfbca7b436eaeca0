//! Configuration of a live capture socket.

/// How a fanout group spreads packets over its sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FanoutMode {
    /// `PACKET_FANOUT_HASH`: by (symmetric) flow hash, so a flow stays on one socket.
    #[default]
    Hash,
}

/// Membership in a `PACKET_FANOUT` group: every socket opened with the same `group_id` on
/// the same interface (and network namespace) receives a share of the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FanoutConfig {
    /// Group identifier (shared by the worker sockets of one sensor).
    pub group_id: u16,
    /// Distribution mode.
    pub mode: FanoutMode,
    /// `PACKET_FANOUT_FLAG_DEFRAG`: the kernel reassembles IP fragments before choosing the
    /// socket, so fragments reach the worker of their flow (delivered reassembled).
    pub defrag: bool,
}

impl FanoutConfig {
    /// Hash fanout for `group_id`, with defragmentation (as Suricata's `cluster_flow`).
    pub fn hash(group_id: u16) -> Self {
        FanoutConfig {
            group_id,
            mode: FanoutMode::Hash,
            defrag: true,
        }
    }
}

/// Options of [`super::LiveCapture::open`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveConfig {
    /// Interface name (`eth1`).
    pub interface: String,
    /// Put the interface in promiscuous mode (`PACKET_MR_PROMISC`) while the socket is open.
    pub promiscuous: bool,
    /// Largest number of bytes kept per packet.
    pub snaplen: u32,
    /// Size of one ring block in bytes (a multiple of the page size).
    pub block_size: u32,
    /// Number of ring blocks.
    pub block_count: u32,
    /// Nominal frame size (a multiple of 16; with TPACKET_V3 it only sizes `tp_frame_nr`).
    pub frame_size: u32,
    /// Time after which the kernel hands over a block that is not full.
    pub block_timeout_ms: u32,
    /// Optional fanout group membership.
    pub fanout: Option<FanoutConfig>,
    /// Optional filter expression (see [`super::filter`]).
    pub filter: Option<String>,
}

impl LiveConfig {
    /// Defaults for `interface`: promiscuous, snaplen 65535, 64 blocks of 1 MiB, 2048-byte
    /// frames, 10 ms block timeout, no fanout, no filter.
    pub fn new(interface: impl Into<String>) -> Self {
        LiveConfig {
            interface: interface.into(),
            promiscuous: true,
            snaplen: 65535,
            block_size: 1 << 20,
            block_count: 64,
            frame_size: 2048,
            block_timeout_ms: 10,
            fanout: None,
            filter: None,
        }
    }
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig::new(String::new())
    }
}
