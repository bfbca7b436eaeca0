//! The memory-mapped `TPACKET_V3` receive ring: blocks handed between kernel and user space
//! through `block_status`, each holding a chain of `tpacket3_hdr` packets.
//!
//! Every offset read from the ring is checked against the block size before use, so a
//! corrupt header makes the block be skipped, never an out-of-bounds read.

use std::os::fd::{AsRawFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{fence, Ordering};

use super::error::LiveError;

/// `TP_STATUS_USER`: the block belongs to user space.
const TP_STATUS_USER: u32 = 1;
/// `TP_STATUS_KERNEL`: the block belongs to the kernel.
const TP_STATUS_KERNEL: u32 = 0;

// Offsets in `struct tpacket_block_desc` (version, offset_to_priv, then `tpacket_hdr_v1`).
const BLK_STATUS: usize = 8;
const BLK_NUM_PKTS: usize = 12;
const BLK_FIRST_PKT: usize = 16;
// Offsets in `struct tpacket3_hdr`.
const PKT_NEXT: usize = 0;
const PKT_SEC: usize = 4;
const PKT_NSEC: usize = 8;
const PKT_SNAPLEN: usize = 12;
const PKT_LEN: usize = 16;
const PKT_STATUS: usize = 20;
const PKT_MAC: usize = 24;
const PKT_VLAN_TCI: usize = 32;
const PKT_VLAN_TPID: usize = 36;
/// `sizeof(struct tpacket3_hdr)`; the `sockaddr_ll` follows at this offset (16-aligned).
const PKT_HDR_LEN: usize = 48;
/// `sll_pkttype` inside the `sockaddr_ll` that follows the header.
const PKT_SLL_PKTTYPE: usize = PKT_HDR_LEN + 10;

/// One packet of the current block, as offsets into the mapping.
#[derive(Debug, Clone, Copy)]
pub struct RawPacket {
    /// Offset of the first captured byte in the mapping.
    pub start: usize,
    /// Captured length.
    pub snaplen: usize,
    /// Length on the wire.
    pub len: u32,
    /// Seconds.
    pub sec: u32,
    /// Nanoseconds.
    pub nsec: u32,
    /// `tp_status` flags (`TP_STATUS_VLAN_VALID` ...).
    pub status: u32,
    /// VLAN TCI of a stripped tag.
    pub vlan_tci: u16,
    /// VLAN TPID of a stripped tag.
    pub vlan_tpid: u16,
    /// `PACKET_HOST`, `PACKET_OUTGOING` ...
    pub pkttype: u8,
}

/// Position inside a block owned by user space.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    remaining: u32,
    offset: usize,
}

/// The mapped ring.
pub struct Ring {
    base: NonNull<u8>,
    len: usize,
    block_size: usize,
    block_count: usize,
    current: usize,
    cursor: Option<Cursor>,
    corrupt_blocks: u64,
}

// SAFETY: the mapping is owned by this value alone; moving it to another thread is sound.
unsafe impl Send for Ring {}

impl Ring {
    /// Maps `block_size * block_count` bytes of the ring configured on `fd`.
    pub fn map(fd: &OwnedFd, block_size: usize, block_count: usize) -> Result<Ring, LiveError> {
        let len = block_size
            .checked_mul(block_count)
            .ok_or_else(|| LiveError::Config("ring size overflows".into()))?;
        // SAFETY: maps the socket's ring (set up with PACKET_RX_RING) shared, at no fixed address.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(LiveError::last_os("mmap(PACKET_RX_RING)"));
        }
        let base = NonNull::new(p.cast::<u8>()).ok_or_else(|| LiveError::Sys {
            op: "mmap(PACKET_RX_RING)",
            source: std::io::Error::other("null mapping"),
        })?;
        Ok(Ring {
            base,
            len,
            block_size,
            block_count,
            current: 0,
            cursor: None,
            corrupt_blocks: 0,
        })
    }

    /// Blocks skipped because a header pointed outside the block.
    pub fn corrupt_blocks(&self) -> u64 {
        self.corrupt_blocks
    }

    fn block_base(&self, i: usize) -> usize {
        i * self.block_size
    }

    /// Reads a `u32` at `off` (in bounds: callers check against the block size).
    fn u32_at(&self, off: usize) -> u32 {
        debug_assert!(off + 4 <= self.len);
        // SAFETY: `off + 4 <= len` (checked by callers); unaligned read of plain bytes.
        unsafe { self.base.as_ptr().add(off).cast::<u32>().read_unaligned() }
    }

    fn u16_at(&self, off: usize) -> u16 {
        debug_assert!(off + 2 <= self.len);
        // SAFETY: as `u32_at`.
        unsafe { self.base.as_ptr().add(off).cast::<u16>().read_unaligned() }
    }

    fn block_status(&self, i: usize) -> u32 {
        // SAFETY: the status word is inside block `i`; volatile because the kernel writes it.
        let s = unsafe {
            self.base
                .as_ptr()
                .add(self.block_base(i) + BLK_STATUS)
                .cast::<u32>()
                .read_volatile()
        };
        // Reads of the block's contents must not move before the status check.
        fence(Ordering::Acquire);
        s
    }

    fn release(&mut self, i: usize) {
        // Our reads of the block must complete before the kernel may reuse it.
        fence(Ordering::Release);
        // SAFETY: the status word is inside block `i`, which user space owns until this write.
        unsafe {
            self.base
                .as_ptr()
                .add(self.block_base(i) + BLK_STATUS)
                .cast::<u32>()
                .write_volatile(TP_STATUS_KERNEL)
        };
    }

    /// Returns the current block to the kernel and moves to the next one.
    fn finish_block(&mut self) {
        self.release(self.current);
        self.current = (self.current + 1) % self.block_count;
        self.cursor = None;
    }

    /// Next packet without waiting, or `None` when the kernel has not handed over the next
    /// block. The previous packet's bytes must no longer be in use (its block may be released).
    pub fn next_packet(&mut self) -> Option<RawPacket> {
        loop {
            match self.cursor {
                Some(c) if c.remaining > 0 => match self.parse_packet(c.offset) {
                    Some((pkt, next)) => {
                        self.cursor = Some(Cursor {
                            remaining: c.remaining - 1,
                            offset: c.offset + next,
                        });
                        if next == 0 && c.remaining > 1 {
                            self.corrupt_blocks += 1;
                            self.cursor = Some(Cursor {
                                remaining: 0,
                                offset: 0,
                            });
                        }
                        return Some(pkt);
                    }
                    None => {
                        self.corrupt_blocks += 1;
                        self.finish_block();
                    }
                },
                Some(_) => self.finish_block(),
                None => {
                    if self.block_status(self.current) & TP_STATUS_USER == 0 {
                        return None;
                    }
                    let base = self.block_base(self.current);
                    let remaining = self.u32_at(base + BLK_NUM_PKTS);
                    let first = self.u32_at(base + BLK_FIRST_PKT) as usize;
                    self.cursor = Some(Cursor {
                        remaining,
                        offset: first,
                    });
                }
            }
        }
    }

    /// Parses the packet header at `offset` in the current block: the packet and the offset to
    /// the next header, or `None` if anything lies outside the block.
    fn parse_packet(&self, offset: usize) -> Option<(RawPacket, usize)> {
        if offset.checked_add(PKT_SLL_PKTTYPE + 1)? > self.block_size {
            return None;
        }
        let h = self.block_base(self.current) + offset;
        let snaplen = self.u32_at(h + PKT_SNAPLEN) as usize;
        let mac = usize::from(self.u16_at(h + PKT_MAC));
        let end = offset.checked_add(mac)?.checked_add(snaplen)?;
        if mac < PKT_HDR_LEN || end > self.block_size {
            return None;
        }
        // SAFETY: `h + PKT_SLL_PKTTYPE` is inside the block (checked above).
        let pkttype = unsafe { *self.base.as_ptr().add(h + PKT_SLL_PKTTYPE) };
        let pkt = RawPacket {
            start: h + mac,
            snaplen,
            len: self.u32_at(h + PKT_LEN),
            sec: self.u32_at(h + PKT_SEC),
            nsec: self.u32_at(h + PKT_NSEC),
            status: self.u32_at(h + PKT_STATUS),
            vlan_tci: self.u32_at(h + PKT_VLAN_TCI) as u16,
            vlan_tpid: self.u16_at(h + PKT_VLAN_TPID),
            pkttype,
        };
        Some((pkt, self.u32_at(h + PKT_NEXT) as usize))
    }

    /// The captured bytes of `p` (valid until the next call to [`Ring::next_packet`]).
    pub fn bytes(&self, p: &RawPacket) -> &[u8] {
        if p.start.saturating_add(p.snaplen) > self.len {
            return &[];
        }
        // SAFETY: the range is inside the mapping (checked above and when parsed) and in a
        // block user space owns until the next `next_packet` call, which needs `&mut self`.
        unsafe { std::slice::from_raw_parts(self.base.as_ptr().add(p.start), p.snaplen) }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping created in `map`.
        unsafe { libc::munmap(self.base.as_ptr().cast(), self.len) };
    }
}
