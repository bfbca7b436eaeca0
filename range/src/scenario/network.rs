//! IPv4 CIDR arithmetic for the address plan.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 network `a.b.c.d/len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    /// Network address (host bits zero).
    pub addr: Ipv4Addr,
    /// Prefix length 0..=32.
    pub len: u8,
}

impl Cidr {
    fn mask(len: u8) -> u32 {
        if len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(len))
        }
    }

    /// Number of addresses.
    pub fn size(&self) -> u64 {
        1u64 << (32 - u32::from(self.len))
    }

    /// The `n`-th address of the network.
    pub fn host(&self, n: u32) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr).wrapping_add(n))
    }

    /// Whether `ip` is inside.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & Self::mask(self.len) == u32::from(self.addr)
    }

    /// Whether the two networks share an address.
    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.contains(other.addr) || other.contains(self.addr)
    }

    /// The `index`-th subnet of prefix length `len`, if it exists.
    pub fn subnet(&self, len: u8, index: u64) -> Option<Cidr> {
        if len < self.len || len > 32 {
            return None;
        }
        let count = 1u64 << (len - self.len);
        if index >= count {
            return None;
        }
        let step = 1u64 << (32 - u32::from(len));
        let addr = u64::from(u32::from(self.addr)) + index * step;
        Some(Cidr {
            addr: Ipv4Addr::from(u32::try_from(addr).ok()?),
            len,
        })
    }

    /// How many subnets of prefix length `len` fit.
    pub fn subnet_count(&self, len: u8) -> u64 {
        if len < self.len || len > 32 {
            0
        } else {
            1u64 << (len - self.len)
        }
    }
}

/// Why a CIDR does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// Not `address/length`.
    #[error("expected an IPv4 network like 10.60.0.0/16")]
    Syntax,
    /// Host bits set.
    #[error("host bits are set (network address would be {0})")]
    HostBits(Ipv4Addr),
}

impl FromStr for Cidr {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, l) = s.split_once('/').ok_or(CidrError::Syntax)?;
        let addr: Ipv4Addr = a.trim().parse().map_err(|_| CidrError::Syntax)?;
        let len: u8 = l.trim().parse().map_err(|_| CidrError::Syntax)?;
        if len > 32 {
            return Err(CidrError::Syntax);
        }
        let net = Ipv4Addr::from(u32::from(addr) & Self::mask(len));
        if net != addr {
            return Err(CidrError::HostBits(net));
        }
        Ok(Cidr { addr, len })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_are_derived_in_order() {
        let c: Cidr = "10.60.0.0/16".parse().unwrap();
        assert_eq!(c.subnet(24, 3).unwrap().to_string(), "10.60.3.0/24");
        assert_eq!(c.subnet_count(24), 256);
        assert!(c.subnet(24, 256).is_none());
    }

    #[test]
    fn host_bits_are_rejected() {
        assert!(matches!(
            "10.60.1.0/16".parse::<Cidr>(),
            Err(CidrError::HostBits(_))
        ));
    }

    #[test]
    fn overlap_is_detected_both_ways() {
        let a: Cidr = "10.0.0.0/8".parse().unwrap();
        let b: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(a.overlaps(&b) && b.overlaps(&a));
    }
}
