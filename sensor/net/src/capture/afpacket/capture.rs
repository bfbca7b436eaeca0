//! [`LiveCapture`]: one `AF_PACKET` socket with a `TPACKET_V3` ring on one interface.

use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use super::config::{FanoutMode, LiveConfig};
use super::error::LiveError;
use super::filter::{self, BpfInsn, LinkLayer};
use super::ring::{RawPacket, Ring};
use super::stats::LiveStats;
use super::sys::{self, Poll};
use crate::capture::{Frame, Timestamp, LINKTYPE_ETHERNET, LINKTYPE_RAW};

/// `ARPHRD_ETHER`.
const ARPHRD_ETHER: u16 = 1;
/// `ARPHRD_LOOPBACK`.
const ARPHRD_LOOPBACK: u16 = 772;
/// `ARPHRD_NONE` (tun devices, WireGuard: raw IP).
const ARPHRD_NONE: u16 = 0xfffe;
/// `TP_STATUS_VLAN_VALID`.
const TP_STATUS_VLAN_VALID: u32 = 1 << 4;
/// `TP_STATUS_VLAN_TPID_VALID`.
const TP_STATUS_VLAN_TPID_VALID: u32 = 1 << 6;
/// `PACKET_IGNORE_OUTGOING` (Linux 4.20).
const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
/// `PACKET_FANOUT_FLAG_DEFRAG`.
const PACKET_FANOUT_FLAG_DEFRAG: u32 = 0x8000;
/// Smallest usable nominal frame: `TPACKET3_HDRLEN` (68) rounded up to 16.
const MIN_FRAME_SIZE: u32 = 80;
/// Largest ring accepted (4 GiB).
const MAX_RING_BYTES: u64 = 4 << 30;

/// A live capture socket. Not shared between threads: open one per worker (with a fanout
/// group to split the traffic); it can be moved to the worker thread.
pub struct LiveCapture {
    // Field order matters: the ring is unmapped before the socket closes.
    ring: Ring,
    fd: OwnedFd,
    interface: String,
    ifindex: libc::c_int,
    linktype: u32,
    /// Loopback: skip the `PACKET_OUTGOING` copy of each packet.
    skip_outgoing: bool,
    stats: LiveStats,
    delivered: u64,
    /// Frame with a stripped VLAN tag put back (the ring holds it without the tag).
    vlan_buf: Vec<u8>,
}

impl std::fmt::Debug for LiveCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveCapture")
            .field("interface", &self.interface)
            .field("ifindex", &self.ifindex)
            .field("linktype", &self.linktype)
            .field("stats", &self.stats)
            .field("delivered", &self.delivered)
            .finish_non_exhaustive()
    }
}

fn validate(cfg: &LiveConfig) -> Result<(), LiveError> {
    let bad = |m: String| Err(LiveError::Config(m));
    let page = sys::page_size();
    if cfg.block_size == 0 || cfg.block_size as usize % page != 0 {
        return bad(format!(
            "block_size {} must be a non-zero multiple of the page size {page}",
            cfg.block_size
        ));
    }
    if cfg.block_count == 0 {
        return bad("block_count must be at least 1".into());
    }
    if cfg.frame_size < MIN_FRAME_SIZE
        || cfg.frame_size % 16 != 0
        || cfg.frame_size > cfg.block_size
    {
        return bad(format!(
            "frame_size {} must be a multiple of 16 between {MIN_FRAME_SIZE} and block_size",
            cfg.frame_size
        ));
    }
    if u64::from(cfg.block_size) * u64::from(cfg.block_count) > MAX_RING_BYTES {
        return bad("ring larger than 4 GiB".into());
    }
    if cfg.snaplen == 0 {
        return bad("snaplen must be at least 1".into());
    }
    Ok(())
}

impl LiveCapture {
    /// Opens a capture on `cfg.interface` (in the calling thread's network namespace).
    ///
    /// Order: socket (receiving nothing yet), `TPACKET_V3`, ring, mmap, filter, bind to the
    /// interface, promiscuous membership, fanout group. Needs `CAP_NET_RAW` (and
    /// `CAP_NET_ADMIN` for promiscuous mode on some systems).
    pub fn open(cfg: LiveConfig) -> Result<LiveCapture, LiveError> {
        validate(&cfg)?;
        let ifindex = sys::if_index(&cfg.interface)?;
        let fd = sys::packet_socket()?;
        let arphrd = sys::hardware_type(&fd, &cfg.interface)?;
        let (linktype, layer) = match arphrd {
            ARPHRD_ETHER | ARPHRD_LOOPBACK => (LINKTYPE_ETHERNET, LinkLayer::Ethernet),
            ARPHRD_NONE => (LINKTYPE_RAW, LinkLayer::RawIp),
            other => {
                return Err(LiveError::UnsupportedLinkType {
                    interface: cfg.interface.clone(),
                    arphrd: other,
                })
            }
        };
        // Compile first: a bad expression should fail before any kernel state is created.
        let program = match &cfg.filter {
            Some(expr) => Some(filter::compile(expr, layer, cfg.snaplen)?),
            None if cfg.snaplen < 65535 => Some(filter::accept_all(cfg.snaplen)),
            None => None,
        };

        sys::setsockopt(
            &fd,
            libc::SOL_PACKET,
            libc::PACKET_VERSION,
            &sys::TPACKET_V3,
            "setsockopt(PACKET_VERSION)",
        )?;
        let frames_per_block = cfg.block_size / cfg.frame_size;
        let req = libc::tpacket_req3 {
            tp_block_size: cfg.block_size,
            tp_block_nr: cfg.block_count,
            tp_frame_size: cfg.frame_size,
            tp_frame_nr: frames_per_block * cfg.block_count,
            tp_retire_blk_tov: cfg.block_timeout_ms,
            tp_sizeof_priv: 0,
            tp_feature_req_word: 0,
        };
        sys::setsockopt(
            &fd,
            libc::SOL_PACKET,
            libc::PACKET_RX_RING,
            &req,
            "setsockopt(PACKET_RX_RING)",
        )?;
        let ring = Ring::map(&fd, cfg.block_size as usize, cfg.block_count as usize)?;
        if let Some(program) = &program {
            attach_filter(&fd, program)?;
        }
        let skip_outgoing = arphrd == ARPHRD_LOOPBACK;
        if skip_outgoing {
            // Best effort (Linux >= 4.20); the ring walk skips outgoing copies regardless.
            let _ = sys::setsockopt(
                &fd,
                libc::SOL_PACKET,
                PACKET_IGNORE_OUTGOING,
                &1 as &libc::c_int,
                "setsockopt(PACKET_IGNORE_OUTGOING)",
            );
        }
        sys::bind_interface(&fd, ifindex)?;
        if cfg.promiscuous {
            let mreq = libc::packet_mreq {
                mr_ifindex: ifindex,
                mr_type: libc::PACKET_MR_PROMISC as libc::c_ushort,
                mr_alen: 0,
                mr_address: [0; 8],
            };
            sys::setsockopt(
                &fd,
                libc::SOL_PACKET,
                libc::PACKET_ADD_MEMBERSHIP,
                &mreq,
                "setsockopt(PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC)",
            )?;
        }
        if let Some(fanout) = cfg.fanout {
            let mut kind = match fanout.mode {
                FanoutMode::Hash => libc::PACKET_FANOUT_HASH,
            };
            if fanout.defrag {
                kind |= PACKET_FANOUT_FLAG_DEFRAG;
            }
            let arg: u32 = u32::from(fanout.group_id) | (kind << 16);
            sys::setsockopt(
                &fd,
                libc::SOL_PACKET,
                libc::PACKET_FANOUT,
                &arg,
                "setsockopt(PACKET_FANOUT)",
            )?;
        }
        Ok(LiveCapture {
            ring,
            fd,
            interface: cfg.interface,
            ifindex,
            linktype,
            skip_outgoing,
            stats: LiveStats::default(),
            delivered: 0,
            vlan_buf: Vec::with_capacity(cfg.snaplen.min(65535) as usize + 4),
        })
    }

    /// Link type of the frames (`LINKTYPE_ETHERNET`, or `LINKTYPE_RAW` for raw-IP devices).
    pub fn linktype(&self) -> u32 {
        self.linktype
    }

    /// Interface name.
    pub fn interface(&self) -> &str {
        &self.interface
    }

    /// Interface index.
    pub fn ifindex(&self) -> i32 {
        self.ifindex
    }

    /// Frames handed out by [`LiveCapture::next_frame`] so far.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Ring blocks skipped because their headers were inconsistent (should stay 0).
    pub fn corrupt_blocks(&self) -> u64 {
        self.ring.corrupt_blocks()
    }

    /// Next frame, waiting up to `timeout`; `Ok(None)` when none arrived in time (so the caller
    /// can check for shutdown). The frame borrows the ring: its block goes back to the kernel
    /// on the next call. Errors are socket errors (for example the interface went down).
    pub fn next_frame(&mut self, timeout: Duration) -> Result<Option<Frame<'_>>, LiveError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(p) = self.ring.next_packet() {
                if self.skip_outgoing && p.pkttype == libc::PACKET_OUTGOING {
                    continue;
                }
                self.delivered += 1;
                return Ok(Some(self.frame(p)));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            // Round up so a sub-millisecond remainder still waits instead of spinning.
            let wait = (deadline - now).max(Duration::from_millis(1));
            match sys::poll_readable(self.fd.as_raw_fd(), wait) {
                Poll::Ready | Poll::Timeout => {}
                Poll::Error(source) => {
                    return Err(LiveError::Sys {
                        op: "poll(AF_PACKET)",
                        source,
                    })
                }
            }
        }
    }

    fn frame(&mut self, p: RawPacket) -> Frame<'_> {
        let ts = Timestamp::new(i64::from(p.sec), p.nsec / 1000);
        let vlan = p.status & TP_STATUS_VLAN_VALID != 0 && self.linktype == LINKTYPE_ETHERNET;
        let data = self.ring.bytes(&p);
        if !vlan || data.len() < 12 {
            return Frame {
                ts,
                linktype: self.linktype,
                data,
                orig_len: p.len,
            };
        }
        // The kernel stripped the outer tag into the header: put it back after the MACs.
        let tpid = if p.status & TP_STATUS_VLAN_TPID_VALID != 0 && p.vlan_tpid != 0 {
            p.vlan_tpid
        } else {
            0x8100
        };
        self.vlan_buf.clear();
        self.vlan_buf.extend_from_slice(&data[..12]);
        self.vlan_buf.extend_from_slice(&tpid.to_be_bytes());
        self.vlan_buf.extend_from_slice(&p.vlan_tci.to_be_bytes());
        self.vlan_buf.extend_from_slice(&data[12..]);
        Frame {
            ts,
            linktype: self.linktype,
            data: &self.vlan_buf,
            orig_len: p.len.saturating_add(4),
        }
    }

    /// Kernel counters since the socket opened (read with `PACKET_STATISTICS`, which resets
    /// them, and accumulated here). On a read failure the previous totals are returned.
    pub fn stats(&mut self) -> LiveStats {
        if let Ok(s) = sys::getsockopt::<libc::tpacket_stats_v3>(
            &self.fd,
            libc::SOL_PACKET,
            libc::PACKET_STATISTICS,
            "getsockopt(PACKET_STATISTICS)",
        ) {
            self.stats.packets += u64::from(s.tp_packets);
            self.stats.drops += u64::from(s.tp_drops);
            self.stats.freeze_q_cnt += u64::from(s.tp_freeze_q_cnt);
        }
        self.stats
    }
}

fn attach_filter(fd: &OwnedFd, program: &[BpfInsn]) -> Result<(), LiveError> {
    let len = u16::try_from(program.len())
        .map_err(|_| LiveError::Config("filter program too long".into()))?;
    let prog = libc::sock_fprog {
        len,
        // `BpfInsn` is `#[repr(C)]` with the layout of `struct sock_filter`; the kernel copies
        // the program during the call and never writes through the pointer.
        filter: program.as_ptr() as *mut libc::sock_filter,
    };
    sys::setsockopt(
        fd,
        libc::SOL_SOCKET,
        libc::SO_ATTACH_FILTER,
        &prog,
        "setsockopt(SO_ATTACH_FILTER)",
    )
}
