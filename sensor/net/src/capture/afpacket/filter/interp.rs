//! A classic BPF interpreter used to check compiled programs against expected verdicts
//! (test-only). It follows the kernel: out-of-bounds loads end the program with 0.

use super::insn::{op, BpfInsn};

/// Kernel metadata the program can read through ancillary loads.
#[derive(Debug, Clone, Copy, Default)]
pub struct Meta {
    /// VLAN TCI of a tag the kernel stripped from the frame.
    pub vlan_tci: Option<u16>,
}

fn load(pkt: &[u8], off: u32, size: u16) -> Option<u32> {
    let off = usize::try_from(off).ok()?;
    let n = match size {
        op::W => 4,
        op::H => 2,
        _ => 1,
    };
    let b = pkt.get(off..off.checked_add(n)?)?;
    Some(b.iter().fold(0u32, |acc, x| (acc << 8) | u32::from(*x)))
}

/// Runs `prog` over `pkt`; returns the program's return value (0 = drop).
pub fn run(prog: &[BpfInsn], pkt: &[u8], meta: Meta) -> u32 {
    let (mut a, mut x) = (0u32, 0u32);
    let mut pc = 0usize;
    while let Some(i) = prog.get(pc) {
        pc += 1;
        let class = i.code & 0x07;
        match class {
            op::LD => {
                let size = i.code & 0x18;
                let mode = i.code & 0xe0;
                let v = match mode {
                    op::ABS if i.k >= op::SKF_AD_OFF => match i.k.wrapping_sub(op::SKF_AD_OFF) {
                        op::SKF_AD_VLAN_TAG => u32::from(meta.vlan_tci.unwrap_or(0)),
                        op::SKF_AD_VLAN_TAG_PRESENT => u32::from(meta.vlan_tci.is_some()),
                        other => panic!("unsupported ancillary load {other}"),
                    },
                    op::ABS => match load(pkt, i.k, size) {
                        Some(v) => v,
                        None => return 0,
                    },
                    op::IND => match load(pkt, x.wrapping_add(i.k), size) {
                        Some(v) => v,
                        None => return 0,
                    },
                    op::IMM => i.k,
                    m => panic!("unsupported load mode {m:#x}"),
                };
                a = v;
            }
            op::LDX => {
                assert_eq!(i.code, op::LDX | op::B | op::MSH, "unsupported ldx");
                match load(pkt, i.k, op::B) {
                    Some(v) => x = 4 * (v & 0xf),
                    None => return 0,
                }
            }
            op::ALU => {
                assert_eq!(i.code, op::ALU | op::AND | op::K, "unsupported alu");
                a &= i.k;
            }
            op::JMP => {
                let jop = i.code & 0xf0;
                if jop == op::JA {
                    pc += i.k as usize;
                    continue;
                }
                let cond = match jop {
                    op::JEQ => a == i.k,
                    op::JGT => a > i.k,
                    op::JGE => a >= i.k,
                    op::JSET => a & i.k != 0,
                    j => panic!("unsupported jump {j:#x}"),
                };
                pc += usize::from(if cond { i.jt } else { i.jf });
            }
            op::RET => return i.k,
            c => panic!("unsupported class {c}"),
        }
    }
    panic!("program fell off the end");
}
