//! Counters the capture workers publish for the heartbeat (read from another thread).

use std::sync::atomic::{AtomicU64, Ordering};

/// One worker's counters (written by that worker only).
#[derive(Debug, Default)]
pub struct WorkerHealth {
    /// Frames read from the capture.
    pub frames: AtomicU64,
    /// Packets the kernel delivered to the socket (PACKET_STATISTICS).
    pub kernel_packets: AtomicU64,
    /// Packets the kernel dropped because the ring was full.
    pub kernel_drops: AtomicU64,
}

impl WorkerHealth {
    /// Publishes the worker's totals.
    pub fn set(&self, frames: u64, kernel_packets: u64, kernel_drops: u64) {
        self.frames.store(frames, Ordering::Relaxed);
        self.kernel_packets.store(kernel_packets, Ordering::Relaxed);
        self.kernel_drops.store(kernel_drops, Ordering::Relaxed);
    }
}

/// The counters of every worker.
#[derive(Debug, Default)]
pub struct Health {
    pub workers: Vec<WorkerHealth>,
}

impl Health {
    /// Counters for `n` workers.
    pub fn new(n: usize) -> Self {
        Health {
            workers: (0..n).map(|_| WorkerHealth::default()).collect(),
        }
    }

    /// (frames, kernel drops) summed over the workers.
    pub fn totals(&self) -> (u64, u64) {
        self.workers.iter().fold((0, 0), |(f, d), w| {
            (
                f + w.frames.load(Ordering::Relaxed),
                d + w.kernel_drops.load(Ordering::Relaxed),
            )
        })
    }
}
