//! Emits classic BPF for a lowered comparison tree: short-circuit evaluation with forward jumps
//! to symbolic labels, resolved to relative offsets at the end.

use std::collections::HashSet;

use super::error::FilterError;
use super::insn::{op, BpfInsn};
use super::lower::{CmpOp, Load, Node, Size};

/// Largest program the kernel accepts (`BPF_MAXINSNS`).
const MAX_INSNS: usize = 4096;

type Label = usize;

/// An instruction whose jump targets are still labels.
#[derive(Debug, Clone, Copy)]
enum Sym {
    Stmt(BpfInsn),
    /// A conditional jump; `ordinal` numbers the conditional jumps in emission order.
    Cond {
        code: u16,
        k: u32,
        t: Label,
        f: Label,
        ordinal: usize,
    },
    Jump(Label),
}

#[derive(Default)]
struct Emitter {
    code: Vec<Sym>,
    /// Instruction index each label points at (`usize::MAX` until placed).
    labels: Vec<usize>,
    /// Offset of the network layer in the frame.
    nl: u32,
    /// Conditional jumps emitted so far.
    conds: usize,
    /// Ordinals of conditional jumps that go through `ja` trampolines (targets too far).
    long: HashSet<usize>,
}

impl Emitter {
    fn label(&mut self) -> Label {
        self.labels.push(usize::MAX);
        self.labels.len() - 1
    }

    fn place(&mut self, l: Label) {
        if let Some(slot) = self.labels.get_mut(l) {
            *slot = self.code.len();
        }
    }

    fn size(s: Size) -> u16 {
        match s {
            Size::B => op::B,
            Size::H => op::H,
            Size::W => op::W,
        }
    }

    fn gen(&mut self, n: &Node, t: Label, f: Label) {
        match n {
            Node::True => self.code.push(Sym::Jump(t)),
            Node::False => self.code.push(Sym::Jump(f)),
            Node::Not(inner) => self.gen(inner, f, t),
            Node::And(children) => {
                let last = children.len().saturating_sub(1);
                for (i, c) in children.iter().enumerate() {
                    if i == last {
                        self.gen(c, t, f);
                    } else {
                        let next = self.label();
                        self.gen(c, next, f);
                        self.place(next);
                    }
                }
                if children.is_empty() {
                    self.code.push(Sym::Jump(t));
                }
            }
            Node::Or(children) => {
                let last = children.len().saturating_sub(1);
                for (i, c) in children.iter().enumerate() {
                    if i == last {
                        self.gen(c, t, f);
                    } else {
                        let next = self.label();
                        self.gen(c, t, next);
                        self.place(next);
                    }
                }
                if children.is_empty() {
                    self.code.push(Sym::Jump(f));
                }
            }
            Node::Test(c) => {
                match c.load {
                    Load::Abs(s, off) => self.code.push(Sym::Stmt(BpfInsn::stmt(
                        op::LD | Self::size(s) | op::ABS,
                        off,
                    ))),
                    Load::AfterIpv4(s, off) => {
                        // X = IPv4 header length; `off` is relative to the transport header.
                        self.code
                            .push(Sym::Stmt(BpfInsn::stmt(op::LDX | op::B | op::MSH, self.nl)));
                        self.code.push(Sym::Stmt(BpfInsn::stmt(
                            op::LD | Self::size(s) | op::IND,
                            self.nl + off,
                        )));
                    }
                    Load::Ancillary(k) => self
                        .code
                        .push(Sym::Stmt(BpfInsn::stmt(op::LD | op::W | op::ABS, k))),
                }
                if let Some(m) = c.mask {
                    self.code
                        .push(Sym::Stmt(BpfInsn::stmt(op::ALU | op::AND | op::K, m)));
                }
                let jop = match c.op {
                    CmpOp::Eq => op::JEQ,
                    CmpOp::Gt => op::JGT,
                    CmpOp::Ge => op::JGE,
                    CmpOp::Set => op::JSET,
                };
                let code = op::JMP | jop | op::K;
                let ordinal = self.conds;
                self.conds += 1;
                if self.long.contains(&ordinal) {
                    // jcond 0/1; ja t; ja f: the 32-bit `ja` reaches any distance.
                    let (near_t, near_f) = (self.label(), self.label());
                    self.code.push(Sym::Cond {
                        code,
                        k: c.k,
                        t: near_t,
                        f: near_f,
                        ordinal,
                    });
                    self.place(near_t);
                    self.code.push(Sym::Jump(t));
                    self.place(near_f);
                    self.code.push(Sym::Jump(f));
                } else {
                    self.code.push(Sym::Cond {
                        code,
                        k: c.k,
                        t,
                        f,
                        ordinal,
                    });
                }
            }
        }
    }
}

/// Emits the program for `root`: accepted packets return `accept_len` (the snap length), the
/// others 0. `nl` is the offset of the network layer (for loads after the IPv4 header).
/// Conditional jumps farther than 255 instructions are rewritten through `ja` trampolines.
pub fn emit(root: &Node, nl: u32, accept_len: u32) -> Result<Vec<BpfInsn>, FilterError> {
    let accept = BpfInsn::stmt(op::RET | op::K, accept_len);
    let reject = BpfInsn::stmt(op::RET | op::K, 0);
    match root {
        Node::True => return Ok(vec![accept]),
        Node::False => return Ok(vec![reject]),
        _ => {}
    }
    let mut long = HashSet::new();
    // Each round turns at least one more far jump into a long one; bounded by the jump count.
    loop {
        let mut e = Emitter {
            nl,
            long: long.clone(),
            ..Emitter::default()
        };
        let yes = e.label();
        let no = e.label();
        e.gen(root, yes, no);
        e.place(yes);
        e.code.push(Sym::Stmt(accept));
        e.place(no);
        e.code.push(Sym::Stmt(reject));
        if e.code.len() > MAX_INSNS {
            return Err(FilterError::TooLarge("more than 4096 instructions"));
        }
        match resolve(&e) {
            Ok(prog) => return Ok(prog),
            Err(Resolve::Far(ordinals)) => {
                let before = long.len();
                long.extend(ordinals);
                if long.len() == before {
                    return Err(FilterError::TooLarge("jump distance"));
                }
            }
            Err(Resolve::Broken) => {
                return Err(FilterError::TooLarge(
                    "internal: unresolved or backward jump",
                ))
            }
        }
    }
}

enum Resolve {
    Far(Vec<usize>),
    Broken,
}

fn resolve(e: &Emitter) -> Result<Vec<BpfInsn>, Resolve> {
    let target = |l: Label, from: usize| -> Result<usize, Resolve> {
        let to = e.labels.get(l).copied().unwrap_or(usize::MAX);
        if to == usize::MAX || to <= from {
            return Err(Resolve::Broken);
        }
        Ok(to - from - 1)
    };
    let mut out = Vec::with_capacity(e.code.len());
    let mut far = Vec::new();
    for (i, s) in e.code.iter().enumerate() {
        out.push(match *s {
            Sym::Stmt(insn) => insn,
            Sym::Jump(l) => BpfInsn::stmt(op::JMP | op::JA, target(l, i)? as u32),
            Sym::Cond {
                code,
                k,
                t,
                f,
                ordinal,
            } => match (u8::try_from(target(t, i)?), u8::try_from(target(f, i)?)) {
                (Ok(jt), Ok(jf)) => BpfInsn { code, jt, jf, k },
                _ => {
                    far.push(ordinal);
                    BpfInsn {
                        code,
                        jt: 0,
                        jf: 0,
                        k,
                    }
                }
            },
        });
    }
    if far.is_empty() {
        Ok(out)
    } else {
        Err(Resolve::Far(far))
    }
}
