//! Byte readers with the semantics of Suricata's streaming SMB record parsers: every
//! field must be present in the record, a short record is a parse failure.

/// A little-endian cursor over one record; each read fails (`None`) when the record is
/// too short, like a streaming parser's "incomplete".
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rd<'a> {
    b: &'a [u8],
}

impl<'a> Rd<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Rd<'a> {
        Rd { b }
    }

    /// Bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.b
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.b.len() < n {
            return None;
        }
        let (h, t) = self.b.split_at(n);
        self.b = t;
        Some(h)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    pub(crate) fn peek_u8(&self) -> Option<u8> {
        self.b.first().copied()
    }

    pub(crate) fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        let lo = u64::from(self.u32()?);
        let hi = u64::from(self.u32()?);
        Some(hi << 32 | lo)
    }

    /// Bytes up to a NUL, which is consumed (`take_until_and_consume("\0")`).
    pub(crate) fn until_nul(&mut self) -> Option<&'a [u8]> {
        let i = memchr::memchr(0, self.b)?;
        let s = &self.b[..i];
        self.b = &self.b[i + 1..];
        Some(s)
    }

    /// A UTF-16 string ended by two NULs (or one NUL at the very end of the data):
    /// Suricata's `smb_get_unicode_string`.
    /// Returns the low byte of each character.
    pub(crate) fn unicode(&mut self) -> Option<Vec<u8>> {
        let mut c = self.b;
        let mut name = Vec::new();
        while !c.is_empty() {
            if c.len() == 1 {
                if c[0] == 0 {
                    self.b = &c[1..];
                    return Some(name);
                }
                return None;
            }
            if c[0] == 0 && c[1] == 0 {
                self.b = &c[2..];
                return Some(name);
            }
            name.push(c[0]);
            c = &c[2..];
        }
        None
    }

    /// A string in the record's encoding; `offset` (from the SMB header) decides the
    /// alignment byte before a UTF-16 string.
    pub(crate) fn smb1_string(&mut self, unicode: bool, offset: usize) -> Option<Vec<u8>> {
        if unicode {
            if offset % 2 == 1 {
                self.take(1)?;
            }
            self.unicode()
        } else {
            self.until_nul().map(<[u8]>::to_vec)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_string_needs_its_terminator() {
        let mut r = Rd::new(b"a\0b\0\0\0x");
        assert!(r.unicode().is_some());
        assert_eq!(r.rest(), b"x");
        assert!(Rd::new(b"a\0b\0").unicode().is_none());
        assert!(Rd::new(b"").unicode().is_none());
        let mut r = Rd::new(b"a\0\0");
        assert!(r.unicode().is_some());
        assert!(r.rest().is_empty());
    }

    #[test]
    fn short_reads_fail() {
        let mut r = Rd::new(&[1, 2, 3]);
        assert_eq!(r.u16(), Some(0x0201));
        assert_eq!(r.u16(), None);
        assert_eq!(r.u8(), Some(3));
    }
}
