//! Recursive-descent parser for the pcap-filter subset.
//!
//! Grammar (as in libpcap, `and` and `or` have equal precedence and associate left to right;
//! `not` binds tightest):
//!
//! ```text
//! expr    := unary (("and" | "&&" | "or" | "||") unary)*
//! unary   := ("not" | "!") unary | "(" expr ")" | prim
//! prim    := "vlan" [ID] | ("ip" | "ip6") ["proto" N | addrprim] | ("tcp" | "udp" | "sctp") [portprim]
//!          | "icmp" | "icmp6" | "proto" N | addrprim | portprim | VALUE
//! addrprim := ["src" | "dst"] ("host" ADDR | "net" ADDR[/LEN]) | ("src" | "dst") ADDR
//! portprim := ["src" | "dst"] ("port" N | "portrange" A-B)
//! ```
//!
//! A bare `VALUE` after `and`/`or`/`not` reuses the qualifiers of the previous primitive, as
//! libpcap does (`port 80 or 443`, `host 10.0.0.1 or 10.0.0.2`).

use std::net::IpAddr;

use super::ast::{Dir, Expr, IpVersion, PortProto, Primitive};
use super::error::FilterError;
use super::lexer::{tokenize, Tok, Token};

/// What a value is (the last keyword before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Host,
    Net,
    Port,
    PortRange,
}

/// Qualifiers in force for a value; remembered for bare values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Qual {
    dir: Dir,
    kind: Kind,
    family: Option<IpVersion>,
    proto: Option<PortProto>,
}

const PRIMITIVE: &str = "a primitive (host, net, port, portrange, src, dst, tcp, udp, sctp, icmp, \
     icmp6, ip, ip6, proto, vlan), 'not' or '('";

/// Parses a filter expression. The empty expression parses to [`Expr::All`].
pub fn parse(src: &str) -> Result<Expr, FilterError> {
    let tokens = tokenize(src)?;
    if tokens.is_empty() {
        return Ok(Expr::All);
    }
    let mut p = Parser {
        tokens,
        i: 0,
        end: src.len(),
        last: None,
    };
    let e = p.expr()?;
    if let Some(t) = p.peek() {
        return Err(p.syntax(t.pos, "'and', 'or' or end of expression", t));
    }
    Ok(e)
}

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    end: usize,
    last: Option<Qual>,
}

fn describe(t: &Token) -> String {
    match &t.tok {
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Not => "'not'".into(),
        Tok::And => "'and'".into(),
        Tok::Or => "'or'".into(),
        Tok::Word(w) => format!("'{w}'"),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.i)
    }

    fn peek_word(&self) -> Option<String> {
        match self.peek() {
            Some(Token {
                tok: Tok::Word(w), ..
            }) => Some(w.to_ascii_lowercase()),
            _ => None,
        }
    }

    fn syntax(&self, pos: usize, expected: &'static str, t: &Token) -> FilterError {
        FilterError::Syntax {
            pos,
            expected,
            found: describe(t),
        }
    }

    fn unexpected(&self, expected: &'static str) -> FilterError {
        match self.peek() {
            Some(t) => self.syntax(t.pos, expected, t),
            None => FilterError::Syntax {
                pos: self.end,
                expected,
                found: "end of expression".into(),
            },
        }
    }

    fn expr(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.unary()?;
        loop {
            let is_and = match self.peek().map(|t| &t.tok) {
                Some(Tok::And) => true,
                Some(Tok::Or) => false,
                _ => return Ok(left),
            };
            self.i += 1;
            let right = self.unary()?;
            left = if is_and {
                Expr::And(Box::new(left), Box::new(right))
            } else {
                Expr::Or(Box::new(left), Box::new(right))
            };
        }
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        match self.peek().map(|t| t.tok.clone()) {
            Some(Tok::Not) => {
                self.i += 1;
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Some(Tok::LParen) => {
                self.i += 1;
                let e = self.expr()?;
                match self.peek().map(|t| &t.tok) {
                    Some(Tok::RParen) => {
                        self.i += 1;
                        Ok(e)
                    }
                    _ => Err(self.unexpected("')', 'and' or 'or'")),
                }
            }
            Some(Tok::Word(_)) => Ok(Expr::Prim(self.primitive()?)),
            _ => Err(self.unexpected(PRIMITIVE)),
        }
    }

    /// Takes the current word token as a value: (text, position).
    fn value(&mut self, expected: &'static str) -> Result<(String, usize), FilterError> {
        match self.peek() {
            Some(Token {
                tok: Tok::Word(w),
                pos,
            }) => {
                let r = (w.clone(), *pos);
                self.i += 1;
                Ok(r)
            }
            _ => Err(self.unexpected(expected)),
        }
    }

    fn number(&mut self, expected: &'static str, max: u32) -> Result<u32, FilterError> {
        let (w, pos) = self.value(expected)?;
        parse_number(&w, pos, max)
    }

    fn primitive(&mut self) -> Result<Primitive, FilterError> {
        let Some(word) = self.peek_word() else {
            return Err(self.unexpected(PRIMITIVE));
        };
        match word.as_str() {
            "vlan" => {
                self.i += 1;
                match self.peek_word() {
                    Some(w) if w.starts_with(|c: char| c.is_ascii_digit()) => {
                        let id = self.number("a VLAN id", 4095)?;
                        Ok(Primitive::Vlan(Some(id as u16)))
                    }
                    _ => Ok(Primitive::Vlan(None)),
                }
            }
            "ip" | "ip6" => {
                self.i += 1;
                let version = if word == "ip" {
                    IpVersion::V4
                } else {
                    IpVersion::V6
                };
                match self.peek_word().as_deref() {
                    Some("proto") => {
                        self.i += 1;
                        let proto = self.number("a protocol number", 255)? as u8;
                        Ok(Primitive::IpProto { version, proto })
                    }
                    Some("src" | "dst" | "host" | "net") => self.qualified(Some(version), None),
                    _ => Ok(if word == "ip" {
                        Primitive::Ip
                    } else {
                        Primitive::Ip6
                    }),
                }
            }
            "tcp" | "udp" | "sctp" => {
                self.i += 1;
                let proto = match word.as_str() {
                    "tcp" => PortProto::Tcp,
                    "udp" => PortProto::Udp,
                    _ => PortProto::Sctp,
                };
                match self.peek_word().as_deref() {
                    Some("src" | "dst" | "port" | "portrange") => self.qualified(None, Some(proto)),
                    _ => Ok(Primitive::IpProto {
                        version: IpVersion::Any,
                        proto: proto.number(),
                    }),
                }
            }
            "icmp" => {
                self.i += 1;
                Ok(Primitive::IpProto {
                    version: IpVersion::V4,
                    proto: 1,
                })
            }
            "icmp6" => {
                self.i += 1;
                Ok(Primitive::IpProto {
                    version: IpVersion::V6,
                    proto: 58,
                })
            }
            "proto" => {
                self.i += 1;
                let proto = self.number("a protocol number", 255)? as u8;
                Ok(Primitive::IpProto {
                    version: IpVersion::Any,
                    proto,
                })
            }
            "src" | "dst" | "host" | "net" | "port" | "portrange" => self.qualified(None, None),
            _ => match self.last {
                // A bare value reuses the previous primitive's qualifiers.
                Some(q) if looks_like_value(&word) => self.value_for(q),
                _ => Err(self.unexpected(PRIMITIVE)),
            },
        }
    }

    /// Parses `[src|dst] (host|net|port|portrange) VALUE` after optional family / protocol.
    fn qualified(
        &mut self,
        family: Option<IpVersion>,
        proto: Option<PortProto>,
    ) -> Result<Primitive, FilterError> {
        let mut dir = Dir::Either;
        match self.peek_word().as_deref() {
            Some("src") => {
                dir = Dir::Src;
                self.i += 1;
            }
            Some("dst") => {
                dir = Dir::Dst;
                self.i += 1;
            }
            _ => {}
        }
        let kind = match self.peek_word().as_deref() {
            Some("host") if proto.is_none() => Some(Kind::Host),
            Some("net") if proto.is_none() => Some(Kind::Net),
            Some("port") if family.is_none() => Some(Kind::Port),
            Some("portrange") if family.is_none() => Some(Kind::PortRange),
            _ => None,
        };
        let kind = match kind {
            Some(k) => {
                self.i += 1;
                k
            }
            // `src 10.0.0.1` means `src host 10.0.0.1`.
            None if dir != Dir::Either && proto.is_none() => Kind::Host,
            None if proto.is_some() => return Err(self.unexpected("'port' or 'portrange'")),
            None if family.is_some() => return Err(self.unexpected("'host' or 'net'")),
            None => return Err(self.unexpected("'host', 'net', 'port' or 'portrange'")),
        };
        self.value_for(Qual {
            dir,
            kind,
            family,
            proto,
        })
    }

    fn value_for(&mut self, q: Qual) -> Result<Primitive, FilterError> {
        self.last = Some(q);
        match q.kind {
            Kind::Host => {
                let (w, pos) = self.value("an IPv4 or IPv6 address")?;
                let addr = parse_addr(&w, pos)?;
                check_family(q.family, addr, pos)?;
                Ok(Primitive::Host { dir: q.dir, addr })
            }
            Kind::Net => {
                let (w, pos) = self.value("a network (ADDR/LEN)")?;
                let (addr, prefix) = parse_net(&w, pos)?;
                check_family(q.family, addr, pos)?;
                Ok(Primitive::Net {
                    dir: q.dir,
                    addr,
                    prefix,
                })
            }
            Kind::Port => {
                let port = self.number("a port number", 65535)? as u16;
                Ok(Primitive::Port {
                    dir: q.dir,
                    proto: q.proto,
                    lo: port,
                    hi: port,
                })
            }
            Kind::PortRange => {
                let (w, pos) = self.value("a port range (A-B)")?;
                let Some((a, b)) = w.split_once('-') else {
                    return Err(FilterError::Syntax {
                        pos,
                        expected: "a port range (A-B)",
                        found: format!("'{w}'"),
                    });
                };
                let a = parse_number(a, pos, 65535)? as u16;
                let b = parse_number(b, pos + w.find('-').unwrap_or(0) + 1, 65535)? as u16;
                Ok(Primitive::Port {
                    dir: q.dir,
                    proto: q.proto,
                    lo: a.min(b),
                    hi: a.max(b),
                })
            }
        }
    }
}

fn looks_like_value(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_digit()) || w.contains(':')
}

fn parse_number(w: &str, pos: usize, max: u32) -> Result<u32, FilterError> {
    if w.is_empty() || !w.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FilterError::Syntax {
            pos,
            expected: "a decimal number",
            found: format!("'{w}'"),
        });
    }
    match w.parse::<u32>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(FilterError::Value {
            pos,
            reason: format!("{w} is out of range 0..={max}"),
        }),
    }
}

fn parse_addr(w: &str, pos: usize) -> Result<IpAddr, FilterError> {
    w.parse::<IpAddr>().map_err(|_| FilterError::Syntax {
        pos,
        expected: "an IPv4 or IPv6 address",
        found: format!("'{w}'"),
    })
}

fn parse_net(w: &str, pos: usize) -> Result<(IpAddr, u8), FilterError> {
    let (a, len) = match w.split_once('/') {
        Some((a, l)) => (a, Some((l, pos + a.len() + 1))),
        None => (w, None),
    };
    let addr = parse_addr(a, pos)?;
    let max: u32 = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match len {
        Some((l, lpos)) => parse_number(l, lpos, max)?,
        None => max,
    };
    let bits: u128 = match addr {
        IpAddr::V4(v4) => u128::from(u32::from(v4)) << 96,
        IpAddr::V6(v6) => u128::from(v6),
    };
    let mask: u128 = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    if bits & !mask != 0 {
        return Err(FilterError::Value {
            pos,
            reason: format!("{w} has address bits set beyond the /{prefix} prefix"),
        });
    }
    Ok((addr, prefix as u8))
}

fn check_family(family: Option<IpVersion>, addr: IpAddr, pos: usize) -> Result<(), FilterError> {
    match (family, addr) {
        (Some(IpVersion::V4), IpAddr::V6(_)) => Err(FilterError::Value {
            pos,
            reason: "an IPv6 address after the 'ip' qualifier".into(),
        }),
        (Some(IpVersion::V6), IpAddr::V4(_)) => Err(FilterError::Value {
            pos,
            reason: "an IPv4 address after the 'ip6' qualifier".into(),
        }),
        _ => Ok(()),
    }
}
