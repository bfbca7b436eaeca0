//! Kernel packet counters of a capture socket.

/// Counters accumulated from `PACKET_STATISTICS` (the kernel resets them on every read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiveStats {
    /// Packets that reached the socket, including the dropped ones (`tp_packets`).
    pub packets: u64,
    /// Packets dropped because the ring was full (`tp_drops`).
    pub drops: u64,
    /// Times the ring was frozen because user space held every block (`tp_freeze_q_cnt`).
    pub freeze_q_cnt: u64,
}
