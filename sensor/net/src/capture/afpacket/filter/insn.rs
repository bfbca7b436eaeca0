//! Classic BPF instruction encoding (the `struct sock_filter` layout) and opcode constants.

/// One classic BPF instruction, laid out exactly like the kernel's `struct sock_filter`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BpfInsn {
    /// Opcode (class | size | mode, or class | op | source).
    pub code: u16,
    /// Relative jump offset when the condition holds.
    pub jt: u8,
    /// Relative jump offset when the condition does not hold.
    pub jf: u8,
    /// Constant operand.
    pub k: u32,
}

impl BpfInsn {
    /// A non-jump instruction.
    pub const fn stmt(code: u16, k: u32) -> Self {
        BpfInsn {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }
}

/// Opcode building blocks (values from `linux/filter.h` / `linux/bpf_common.h`).
pub mod op {
    /// Load into A.
    pub const LD: u16 = 0x00;
    /// Load into X.
    pub const LDX: u16 = 0x01;
    /// Arithmetic on A.
    pub const ALU: u16 = 0x04;
    /// Jump.
    pub const JMP: u16 = 0x05;
    /// Return.
    pub const RET: u16 = 0x06;
    /// 32-bit word.
    pub const W: u16 = 0x00;
    /// 16-bit half word.
    pub const H: u16 = 0x08;
    /// Byte.
    pub const B: u16 = 0x10;
    /// Immediate operand.
    pub const IMM: u16 = 0x00;
    /// Absolute packet offset.
    pub const ABS: u16 = 0x20;
    /// Packet offset relative to X.
    pub const IND: u16 = 0x40;
    /// `X = 4 * (pkt[k] & 0xf)` (IPv4 header length).
    pub const MSH: u16 = 0xa0;
    /// Bitwise and.
    pub const AND: u16 = 0x50;
    /// Constant source operand.
    pub const K: u16 = 0x00;
    /// Unconditional jump.
    pub const JA: u16 = 0x00;
    /// Jump if A == k.
    pub const JEQ: u16 = 0x10;
    /// Jump if A > k.
    pub const JGT: u16 = 0x20;
    /// Jump if A >= k.
    pub const JGE: u16 = 0x30;
    /// Jump if A & k != 0.
    pub const JSET: u16 = 0x40;
    /// Base of the kernel's ancillary-data loads (`SKF_AD_OFF`, -0x1000).
    pub const SKF_AD_OFF: u32 = 0xffff_f000;
    /// Ancillary load: VLAN TCI of a tag the kernel removed from the frame.
    pub const SKF_AD_VLAN_TAG: u32 = 44;
    /// Ancillary load: 1 when the kernel removed a VLAN tag from the frame.
    pub const SKF_AD_VLAN_TAG_PRESENT: u32 = 48;
}
