//! Which team a submission comes from: the team whose subnet holds the source address.

use std::net::IpAddr;

use crate::scenario::network::Cidr;

/// Maps a source address to a team index.
pub trait TeamResolver: Send + Sync {
    /// The team of `ip`, if any.
    fn team_of(&self, ip: IpAddr) -> Option<usize>;
}

/// Resolution by team subnets (the scenario's address plan).
#[derive(Debug, Clone)]
pub struct BySubnet(pub Vec<Cidr>);

impl TeamResolver for BySubnet {
    fn team_of(&self, ip: IpAddr) -> Option<usize> {
        let v4 = match ip {
            IpAddr::V4(v) => v,
            IpAddr::V6(v) => v.to_ipv4_mapped()?,
        };
        self.0.iter().position(|c| c.contains(v4))
    }
}

impl<F: Fn(IpAddr) -> Option<usize> + Send + Sync> TeamResolver for F {
    fn team_of(&self, ip: IpAddr) -> Option<usize> {
        self(ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_address_picks_the_team_subnet() {
        let r = BySubnet(vec![
            "10.60.1.0/24".parse().unwrap(),
            "10.60.2.0/24".parse().unwrap(),
        ]);
        assert_eq!(r.team_of("10.60.2.77".parse().unwrap()), Some(1));
        assert_eq!(r.team_of("::ffff:10.60.1.9".parse().unwrap()), Some(0));
        assert_eq!(r.team_of("10.60.0.2".parse().unwrap()), None);
    }
}
