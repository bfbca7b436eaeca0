//! Lowers the syntax tree to a tree of single packet-field comparisons for one link layer.

use std::net::IpAddr;

use super::ast::{Dir, Expr, IpVersion, PortProto, Primitive};
use super::LinkLayer;

/// Width of a packet load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// 1 byte.
    B,
    /// 2 bytes.
    H,
    /// 4 bytes.
    W,
}

/// Where the compared value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// Fixed offset from the start of the frame.
    Abs(Size, u32),
    /// Offset `off` into the transport header that follows the (variable-length) IPv4 header.
    AfterIpv4(Size, u32),
    /// Kernel ancillary data (`SKF_AD_*`).
    Ancillary(u32),
}

/// Comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// A == k.
    Eq,
    /// A > k.
    Gt,
    /// A >= k.
    Ge,
    /// A & k != 0.
    Set,
}

/// One comparison: `(load & mask) OP k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cmp {
    /// Value loaded.
    pub load: Load,
    /// Mask applied before comparing.
    pub mask: Option<u32>,
    /// Operator.
    pub op: CmpOp,
    /// Constant.
    pub k: u32,
}

/// Boolean tree of comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Always true.
    True,
    /// Always false.
    False,
    /// All children.
    And(Vec<Node>),
    /// Any child.
    Or(Vec<Node>),
    /// Negation.
    Not(Box<Node>),
    /// A comparison.
    Test(Cmp),
}

fn test(load: Load, mask: Option<u32>, op: CmpOp, k: u32) -> Node {
    Node::Test(Cmp { load, mask, op, k })
}

fn and(v: Vec<Node>) -> Node {
    let mut out = Vec::with_capacity(v.len());
    for n in v {
        match n {
            Node::True => {}
            Node::False => return Node::False,
            Node::And(inner) => out.extend(inner),
            n => out.push(n),
        }
    }
    match out.len() {
        0 => Node::True,
        1 => out.pop().unwrap_or(Node::True),
        _ => Node::And(out),
    }
}

fn or(v: Vec<Node>) -> Node {
    let mut out = Vec::with_capacity(v.len());
    for n in v {
        match n {
            Node::False => {}
            Node::True => return Node::True,
            Node::Or(inner) => out.extend(inner),
            n => out.push(n),
        }
    }
    match out.len() {
        0 => Node::False,
        1 => out.pop().unwrap_or(Node::False),
        _ => Node::Or(out),
    }
}

fn not(n: Node) -> Node {
    match n {
        Node::True => Node::False,
        Node::False => Node::True,
        Node::Not(inner) => *inner,
        n => Node::Not(Box::new(n)),
    }
}

/// Offsets of the link layer.
struct Link {
    layer: LinkLayer,
    /// Start of the network layer.
    nl: u32,
}

impl Link {
    fn is_v4(&self) -> Node {
        match self.layer {
            LinkLayer::Ethernet => test(Load::Abs(Size::H, 12), None, CmpOp::Eq, 0x0800),
            LinkLayer::RawIp => test(Load::Abs(Size::B, 0), Some(0xf0), CmpOp::Eq, 0x40),
        }
    }

    fn is_v6(&self) -> Node {
        match self.layer {
            LinkLayer::Ethernet => test(Load::Abs(Size::H, 12), None, CmpOp::Eq, 0x86dd),
            LinkLayer::RawIp => test(Load::Abs(Size::B, 0), Some(0xf0), CmpOp::Eq, 0x60),
        }
    }

    fn at(&self, size: Size, off: u32) -> Load {
        Load::Abs(size, self.nl + off)
    }

    /// IPv4 packet with protocol `p`.
    fn v4_proto(&self, p: u8) -> Node {
        and(vec![
            self.is_v4(),
            test(self.at(Size::B, 9), None, CmpOp::Eq, u32::from(p)),
        ])
    }

    /// IPv6 next header `p`, directly or after one fragment header (as libpcap does).
    fn v6_nh(&self, p: u8) -> Node {
        or(vec![
            test(self.at(Size::B, 6), None, CmpOp::Eq, u32::from(p)),
            and(vec![
                test(self.at(Size::B, 6), None, CmpOp::Eq, 44),
                test(self.at(Size::B, 40), None, CmpOp::Eq, u32::from(p)),
            ]),
        ])
    }

    fn v6_proto(&self, p: u8) -> Node {
        and(vec![self.is_v6(), self.v6_nh(p)])
    }

    fn addr(&self, dir: Dir, addr: IpAddr, prefix: u8) -> Node {
        let (fam, src_off, dst_off, bits, words) = match addr {
            IpAddr::V4(a) => (self.is_v4(), 12, 16, u128::from(u32::from(a)) << 96, 1u32),
            IpAddr::V6(a) => (self.is_v6(), 8, 24, u128::from(a), 4u32),
        };
        let mask_all: u128 = if prefix == 0 {
            0
        } else {
            u128::MAX << (128 - u32::from(prefix))
        };
        let side = |base: u32| -> Node {
            let mut tests = Vec::new();
            for w in 0..words {
                let shift = 96 - 32 * w;
                let m = (mask_all >> shift) as u32;
                let v = (bits >> shift) as u32;
                if m == 0 {
                    continue;
                }
                let mask = if m == u32::MAX { None } else { Some(m) };
                tests.push(test(self.at(Size::W, base + 4 * w), mask, CmpOp::Eq, v));
            }
            and(tests)
        };
        let sides = match dir {
            Dir::Src => side(src_off),
            Dir::Dst => side(dst_off),
            Dir::Either => or(vec![side(src_off), side(dst_off)]),
        };
        and(vec![fam, sides])
    }

    fn port_cmp(&self, load: Load, lo: u16, hi: u16) -> Node {
        if lo == hi {
            test(load, None, CmpOp::Eq, u32::from(lo))
        } else {
            and(vec![
                test(load, None, CmpOp::Ge, u32::from(lo)),
                not(test(load, None, CmpOp::Gt, u32::from(hi))),
            ])
        }
    }

    fn ports(&self, dir: Dir, proto: Option<PortProto>, lo: u16, hi: u16) -> Node {
        let protos: Vec<u8> = match proto {
            Some(p) => vec![p.number()],
            None => vec![6, 17, 132],
        };
        let pick = |mk: &dyn Fn(u32) -> Load| -> Node {
            match dir {
                Dir::Src => self.port_cmp(mk(0), lo, hi),
                Dir::Dst => self.port_cmp(mk(2), lo, hi),
                Dir::Either => or(vec![
                    self.port_cmp(mk(0), lo, hi),
                    self.port_cmp(mk(2), lo, hi),
                ]),
            }
        };
        // IPv4: protocol, first fragment only (offset 0), ports after the variable header.
        let v4 = and(vec![
            self.is_v4(),
            or(protos
                .iter()
                .map(|p| test(self.at(Size::B, 9), None, CmpOp::Eq, u32::from(*p)))
                .collect()),
            not(test(self.at(Size::H, 6), None, CmpOp::Set, 0x1fff)),
            pick(&|o| Load::AfterIpv4(Size::H, o)),
        ]);
        // IPv6: ports only when the transport header directly follows the fixed header.
        let v6 = and(vec![
            self.is_v6(),
            or(protos
                .iter()
                .map(|p| test(self.at(Size::B, 6), None, CmpOp::Eq, u32::from(*p)))
                .collect()),
            pick(&|o| self.at(Size::H, 40 + o)),
        ]);
        or(vec![v4, v6])
    }

    fn vlan(&self, id: Option<u16>) -> Node {
        if self.layer != LinkLayer::Ethernet {
            return Node::False;
        }
        let anc = |k| Load::Ancillary(super::insn::op::SKF_AD_OFF.wrapping_add(k));
        let tagged_in_band = or(vec![
            test(Load::Abs(Size::H, 12), None, CmpOp::Eq, 0x8100),
            test(Load::Abs(Size::H, 12), None, CmpOp::Eq, 0x88a8),
            test(Load::Abs(Size::H, 12), None, CmpOp::Eq, 0x9100),
        ]);
        let stripped = test(
            anc(super::insn::op::SKF_AD_VLAN_TAG_PRESENT),
            None,
            CmpOp::Eq,
            1,
        );
        match id {
            None => or(vec![stripped, tagged_in_band]),
            Some(id) => or(vec![
                and(vec![
                    stripped,
                    test(
                        anc(super::insn::op::SKF_AD_VLAN_TAG),
                        Some(0x0fff),
                        CmpOp::Eq,
                        u32::from(id),
                    ),
                ]),
                and(vec![
                    tagged_in_band,
                    test(
                        Load::Abs(Size::H, 14),
                        Some(0x0fff),
                        CmpOp::Eq,
                        u32::from(id),
                    ),
                ]),
            ]),
        }
    }

    fn primitive(&self, p: &Primitive) -> Node {
        match *p {
            Primitive::Host { dir, addr } => {
                let full = if addr.is_ipv4() { 32 } else { 128 };
                self.addr(dir, addr, full)
            }
            Primitive::Net { dir, addr, prefix } => self.addr(dir, addr, prefix),
            Primitive::Port { dir, proto, lo, hi } => self.ports(dir, proto, lo, hi),
            Primitive::IpProto { version, proto } => match version {
                IpVersion::V4 => self.v4_proto(proto),
                IpVersion::V6 => self.v6_proto(proto),
                IpVersion::Any => or(vec![self.v4_proto(proto), self.v6_proto(proto)]),
            },
            Primitive::Ip => self.is_v4(),
            Primitive::Ip6 => self.is_v6(),
            Primitive::Vlan(id) => self.vlan(id),
        }
    }
}

/// Lowers `e` for frames of link layer `layer`.
pub fn lower(e: &Expr, layer: LinkLayer) -> Node {
    let link = Link {
        layer,
        nl: match layer {
            LinkLayer::Ethernet => 14,
            LinkLayer::RawIp => 0,
        },
    };
    lower_with(&link, e)
}

fn lower_with(link: &Link, e: &Expr) -> Node {
    match e {
        Expr::All => Node::True,
        Expr::And(a, b) => and(vec![lower_with(link, a), lower_with(link, b)]),
        Expr::Or(a, b) => or(vec![lower_with(link, a), lower_with(link, b)]),
        Expr::Not(a) => not(lower_with(link, a)),
        Expr::Prim(p) => link.primitive(p),
    }
}
