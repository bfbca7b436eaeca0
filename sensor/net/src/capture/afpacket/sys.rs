//! Thin wrappers over the `libc` calls live capture needs. Every `unsafe` block is here or in
//! `ring.rs`, each with its justification.

use std::ffi::CString;
use std::mem::{size_of, zeroed};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use super::error::LiveError;

/// `TPACKET_V3` (enum value 2 in `linux/if_packet.h`).
pub const TPACKET_V3: libc::c_int = 2;
/// `ETH_P_ALL`: every protocol.
pub const ETH_P_ALL: u16 = 0x0003;

/// Opens an `AF_PACKET` raw socket that receives nothing until it is bound (protocol 0).
pub fn packet_socket() -> Result<OwnedFd, LiveError> {
    // SAFETY: plain syscall with constant arguments.
    let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(LiveError::last_os("socket(AF_PACKET)"));
    }
    // SAFETY: `fd` is a fresh descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `setsockopt(fd, level, name, value)`.
pub fn setsockopt<T>(
    fd: &OwnedFd,
    level: libc::c_int,
    name: libc::c_int,
    value: &T,
    op: &'static str,
) -> Result<(), LiveError> {
    // SAFETY: `value` points to a live `T` of the size passed.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (value as *const T).cast(),
            size_of::<T>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(LiveError::last_os(op));
    }
    Ok(())
}

/// `getsockopt(fd, level, name)` into a zeroed `T` (a plain C struct or integer).
pub fn getsockopt<T: Copy>(
    fd: &OwnedFd,
    level: libc::c_int,
    name: libc::c_int,
    op: &'static str,
) -> Result<T, LiveError> {
    // SAFETY: only used with integer / C struct types for which all-zero is valid.
    let mut value: T = unsafe { zeroed() };
    let mut len = size_of::<T>() as libc::socklen_t;
    // SAFETY: `value` is writable for `len` bytes; the kernel writes at most `len`.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&mut value as *mut T).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(LiveError::last_os(op));
    }
    Ok(value)
}

fn c_name(interface: &str) -> Result<CString, LiveError> {
    if interface.is_empty() || interface.len() >= libc::IFNAMSIZ {
        return Err(LiveError::NoSuchInterface(interface.to_string()));
    }
    CString::new(interface).map_err(|_| LiveError::NoSuchInterface(interface.to_string()))
}

/// Interface index of `interface` in the calling thread's network namespace.
pub fn if_index(interface: &str) -> Result<libc::c_int, LiveError> {
    let name = c_name(interface)?;
    // SAFETY: `name` is a valid NUL-terminated string.
    let idx = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if idx == 0 {
        return Err(LiveError::NoSuchInterface(interface.to_string()));
    }
    libc::c_int::try_from(idx).map_err(|_| LiveError::NoSuchInterface(interface.to_string()))
}

/// Hardware type (`ARPHRD_*`) of `interface`, via `SIOCGIFHWADDR`.
pub fn hardware_type(fd: &OwnedFd, interface: &str) -> Result<u16, LiveError> {
    let name = c_name(interface)?;
    // SAFETY: `ifreq` is a plain C struct; all-zero is valid.
    let mut req: libc::ifreq = unsafe { zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(name.as_bytes_with_nul()) {
        *dst = *src as libc::c_char;
    }
    // SAFETY: `req` is a valid `ifreq` with a NUL-terminated name; the kernel fills the union.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::SIOCGIFHWADDR, &mut req) };
    if rc != 0 {
        return Err(LiveError::last_os("ioctl(SIOCGIFHWADDR)"));
    }
    // SAFETY: SIOCGIFHWADDR fills the `ifru_hwaddr` member.
    Ok(unsafe { req.ifr_ifru.ifru_hwaddr.sa_family })
}

/// Binds `fd` to every protocol on interface `ifindex`.
pub fn bind_interface(fd: &OwnedFd, ifindex: libc::c_int) -> Result<(), LiveError> {
    // SAFETY: `sockaddr_ll` is a plain C struct; all-zero is valid.
    let mut sll: libc::sockaddr_ll = unsafe { zeroed() };
    sll.sll_family = libc::AF_PACKET as libc::c_ushort;
    sll.sll_protocol = ETH_P_ALL.to_be();
    sll.sll_ifindex = ifindex;
    // SAFETY: `sll` is a valid `sockaddr_ll` of the size passed.
    let rc = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&sll as *const libc::sockaddr_ll).cast(),
            size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(LiveError::last_os("bind(AF_PACKET)"));
    }
    Ok(())
}

/// Outcome of [`poll_readable`].
pub enum Poll {
    /// Data may be ready.
    Ready,
    /// The timeout passed, or a signal interrupted the wait.
    Timeout,
    /// The socket reported an error (for example the interface went down).
    Error(std::io::Error),
}

/// Waits up to `timeout` for `fd` to become readable.
pub fn poll_readable(fd: RawFd, timeout: Duration) -> Poll {
    let ms = timeout.as_millis().clamp(0, i32::MAX as u128) as libc::c_int;
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN | libc::POLLERR,
        revents: 0,
    };
    // SAFETY: one valid `pollfd`.
    let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
    if rc < 0 {
        let e = std::io::Error::last_os_error();
        if e.kind() == std::io::ErrorKind::Interrupted {
            return Poll::Timeout;
        }
        return Poll::Error(e);
    }
    if rc == 0 {
        return Poll::Timeout;
    }
    if pfd.revents & (libc::POLLERR | libc::POLLNVAL) != 0 {
        let mut err: libc::c_int = 0;
        let mut len = size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: `err` is writable for `len` bytes.
        unsafe {
            libc::getsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_ERROR,
                (&mut err as *mut libc::c_int).cast(),
                &mut len,
            )
        };
        if err != 0 {
            return Poll::Error(std::io::Error::from_raw_os_error(err));
        }
        if pfd.revents & libc::POLLNVAL != 0 {
            return Poll::Error(std::io::Error::from_raw_os_error(libc::EBADF));
        }
    }
    Poll::Ready
}

/// System page size.
pub fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).ok().filter(|n| *n > 0).unwrap_or(4096)
}
