//! byte_test, byte_jump, byte_extract, byte_math and isdataat parsing.

use crate::error::RuleError;
use crate::ops::{
    ByteExtractOp, ByteJumpOp, ByteMathOp, ByteOp, ByteTestOp, Endian, IsDataAtOp, MathOp, NumBase,
    ValueRef,
};
use crate::parse::util::parse_i64;

/// Resolves byte_extract variable names to slots.
pub(crate) trait VarResolver {
    /// Slot of an existing variable.
    fn lookup(&self, name: &str) -> Option<usize>;
}

fn value_ref(kw: &str, s: &str, vars: &dyn VarResolver) -> Result<ValueRef, RuleError> {
    let s = s.trim();
    if let Some(v) = parse_i64(s) {
        return Ok(ValueRef::Lit(v));
    }
    vars.lookup(s)
        .map(ValueRef::Var)
        .ok_or_else(|| RuleError::invalid(kw, format!("unknown variable or bad number `{s}`")))
}

fn nbytes(kw: &str, s: &str, base: NumBase) -> Result<u8, RuleError> {
    let n: u8 = s
        .trim()
        .parse()
        .map_err(|_| RuleError::invalid(kw, format!("bad byte count `{s}`")))?;
    let max = if base == NumBase::Binary { 8 } else { 23 };
    if n > max {
        return Err(RuleError::invalid(kw, format!("cannot extract {n} bytes")));
    }
    Ok(n)
}

struct Common {
    relative: bool,
    endian: Endian,
    base: NumBase,
    string: bool,
    bitmask: Option<u64>,
}

fn common_flag(kw: &str, f: &str, c: &mut Common) -> Result<bool, RuleError> {
    match f {
        "relative" => c.relative = true,
        "big" => c.endian = Endian::Big,
        "little" => c.endian = Endian::Little,
        "string" => c.string = true,
        "dec" => c.base = NumBase::Dec,
        "hex" => c.base = NumBase::Hex,
        "oct" => c.base = NumBase::Oct,
        "dce" => {
            return Err(RuleError::unsupported(
                kw,
                "`dce` option (DCERPC) not supported",
            ))
        }
        _ => {
            if let Some(m) = f.strip_prefix("bitmask") {
                let v = parse_i64(m)
                    .filter(|v| *v >= 0)
                    .ok_or_else(|| RuleError::invalid(kw, format!("bad bitmask `{m}`")))?;
                c.bitmask = Some(v as u64);
            } else {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

fn finish_base(c: &Common) -> NumBase {
    if c.string {
        if c.base == NumBase::Binary {
            NumBase::Dec
        } else {
            c.base
        }
    } else {
        NumBase::Binary
    }
}

fn new_common() -> Common {
    Common {
        relative: false,
        endian: Endian::Big,
        base: NumBase::Binary,
        string: false,
        bitmask: None,
    }
}

fn args(v: &str) -> Vec<&str> {
    v.split(',').map(str::trim).collect()
}

/// Parse `byte_test:nbytes, [!]op, value, offset [, flags...]`.
pub(crate) fn parse_byte_test(v: &str, vars: &dyn VarResolver) -> Result<ByteTestOp, RuleError> {
    let kw = "byte_test";
    let a = args(v);
    if a.len() < 4 {
        return Err(RuleError::invalid(kw, "needs at least 4 arguments"));
    }
    let mut c = new_common();
    for f in a.iter().skip(4) {
        if !common_flag(kw, f, &mut c)? {
            return Err(RuleError::invalid(kw, format!("unknown option `{f}`")));
        }
    }
    let base = finish_base(&c);
    let n = nbytes(kw, a.first().copied().unwrap_or(""), base)?;
    let opstr = a.get(1).copied().unwrap_or("");
    let (negated, opstr) = match opstr.strip_prefix('!') {
        Some(r) => (true, r.trim()),
        None => (false, opstr),
    };
    let op = match opstr {
        "<" => ByteOp::Lt,
        ">" => ByteOp::Gt,
        "<=" => ByteOp::Le,
        ">=" => ByteOp::Ge,
        "=" => ByteOp::Eq,
        "" if negated => ByteOp::Eq,
        "&" => ByteOp::And,
        "^" => ByteOp::Xor,
        _ => return Err(RuleError::invalid(kw, format!("bad operator `{opstr}`"))),
    };
    Ok(ByteTestOp {
        nbytes: n,
        op,
        negated,
        value: value_ref(kw, a.get(2).copied().unwrap_or(""), vars)?,
        offset: value_ref(kw, a.get(3).copied().unwrap_or(""), vars)?,
        relative: c.relative,
        endian: c.endian,
        base,
        bitmask: c.bitmask,
    })
}

/// Parse `byte_jump:nbytes, offset [, flags...]`.
pub(crate) fn parse_byte_jump(v: &str, vars: &dyn VarResolver) -> Result<ByteJumpOp, RuleError> {
    let kw = "byte_jump";
    let a = args(v);
    if a.len() < 2 {
        return Err(RuleError::invalid(kw, "needs at least 2 arguments"));
    }
    let mut c = new_common();
    let mut op = ByteJumpOp {
        nbytes: 0,
        offset: ValueRef::Lit(0),
        relative: false,
        multiplier: 1,
        post_offset: 0,
        from_beginning: false,
        from_end: false,
        align: false,
        endian: Endian::Big,
        base: NumBase::Binary,
        bitmask: None,
    };
    for f in a.iter().skip(2) {
        if common_flag(kw, f, &mut c)? {
            continue;
        }
        match *f {
            "from_beginning" => op.from_beginning = true,
            "from_end" => op.from_end = true,
            "align" => op.align = true,
            _ => {
                if let Some(m) = f.strip_prefix("multiplier") {
                    op.multiplier = parse_i64(m)
                        .filter(|v| (1..=65535).contains(v))
                        .ok_or_else(|| RuleError::invalid(kw, "bad multiplier"))?
                        as u64;
                } else if let Some(m) = f.strip_prefix("post_offset") {
                    op.post_offset = parse_i64(m)
                        .filter(|v| (-65535..=65535).contains(v))
                        .ok_or_else(|| RuleError::invalid(kw, "bad post_offset"))?;
                } else {
                    return Err(RuleError::invalid(kw, format!("unknown option `{f}`")));
                }
            }
        }
    }
    if op.from_beginning && op.from_end {
        return Err(RuleError::invalid(kw, "from_beginning and from_end"));
    }
    op.base = finish_base(&c);
    op.nbytes = nbytes(kw, a.first().copied().unwrap_or(""), op.base)?;
    op.offset = value_ref(kw, a.get(1).copied().unwrap_or(""), vars)?;
    op.relative = c.relative;
    op.endian = c.endian;
    op.bitmask = c.bitmask;
    Ok(op)
}

/// Parse `byte_extract:nbytes, offset, name [, flags...]` (slot assigned by caller).
pub(crate) fn parse_byte_extract(v: &str) -> Result<ByteExtractOp, RuleError> {
    let kw = "byte_extract";
    let a = args(v);
    if a.len() < 3 {
        return Err(RuleError::invalid(kw, "needs at least 3 arguments"));
    }
    let mut c = new_common();
    let mut multiplier = 1u64;
    let mut align = 0u8;
    for f in a.iter().skip(3) {
        if common_flag(kw, f, &mut c)? {
            continue;
        }
        if let Some(m) = f.strip_prefix("multiplier") {
            multiplier = parse_i64(m)
                .filter(|v| (1..=65535).contains(v))
                .ok_or_else(|| RuleError::invalid(kw, "bad multiplier"))?
                as u64;
        } else if let Some(m) = f.strip_prefix("align") {
            align = match parse_i64(m) {
                Some(2) => 2,
                Some(4) => 4,
                _ => return Err(RuleError::invalid(kw, "align must be 2 or 4")),
            };
        } else {
            return Err(RuleError::invalid(kw, format!("unknown option `{f}`")));
        }
    }
    let base = finish_base(&c);
    let name = a.get(2).copied().unwrap_or("").to_string();
    if name.is_empty() || name.parse::<i64>().is_ok() {
        return Err(RuleError::invalid(kw, "bad variable name"));
    }
    Ok(ByteExtractOp {
        nbytes: nbytes(kw, a.first().copied().unwrap_or(""), base)?,
        offset: parse_i64(a.get(1).copied().unwrap_or(""))
            .ok_or_else(|| RuleError::invalid(kw, "bad offset"))?,
        name,
        slot: 0,
        relative: c.relative,
        multiplier,
        align,
        endian: c.endian,
        base,
        bitmask: c.bitmask,
    })
}

/// Parse `byte_math:bytes N, offset N, oper OP, rvalue V, result NAME [, flags]`.
pub(crate) fn parse_byte_math(v: &str, vars: &dyn VarResolver) -> Result<ByteMathOp, RuleError> {
    let kw = "byte_math";
    let mut c = new_common();
    let (mut nb, mut off, mut oper, mut rv, mut res) = (None, None, None, None, None);
    for f in args(v) {
        if common_flag(kw, f, &mut c)? {
            continue;
        }
        let (k, val) = f
            .split_once(' ')
            .map(|(k, v)| (k, v.trim()))
            .unwrap_or((f, ""));
        match k {
            "bytes" => nb = Some(val),
            "offset" => off = parse_i64(val),
            "oper" => {
                oper = Some(match val {
                    "+" => MathOp::Add,
                    "-" => MathOp::Sub,
                    "*" => MathOp::Mul,
                    "/" => MathOp::Div,
                    "<<" => MathOp::Shl,
                    ">>" => MathOp::Shr,
                    _ => return Err(RuleError::invalid(kw, format!("bad oper `{val}`"))),
                })
            }
            "rvalue" => rv = Some(value_ref(kw, val, vars)?),
            "result" => res = Some(val.to_string()),
            "endian" => {
                c.endian = match val {
                    "big" => Endian::Big,
                    "little" => Endian::Little,
                    _ => return Err(RuleError::invalid(kw, "bad endian")),
                }
            }
            "string" => {
                c.string = true;
                c.base = match val {
                    "dec" => NumBase::Dec,
                    "hex" => NumBase::Hex,
                    "oct" => NumBase::Oct,
                    _ => return Err(RuleError::invalid(kw, "bad string base")),
                };
            }
            _ => return Err(RuleError::invalid(kw, format!("unknown option `{f}`"))),
        }
    }
    let base = finish_base(&c);
    let missing = |what: &str| RuleError::invalid(kw, format!("missing {what}"));
    Ok(ByteMathOp {
        nbytes: nbytes(kw, nb.ok_or_else(|| missing("bytes"))?, base)?,
        offset: off.ok_or_else(|| missing("offset"))?,
        op: oper.ok_or_else(|| missing("oper"))?,
        rvalue: rv.ok_or_else(|| missing("rvalue"))?,
        name: res.ok_or_else(|| missing("result"))?,
        slot: 0,
        relative: c.relative,
        endian: c.endian,
        base,
        bitmask: c.bitmask,
    })
}

/// Parse `isdataat:[!]N[,relative][,rawbytes]`.
pub(crate) fn parse_isdataat(v: &str, vars: &dyn VarResolver) -> Result<IsDataAtOp, RuleError> {
    let kw = "isdataat";
    let a = args(v);
    let first = a.first().copied().unwrap_or("");
    let (negated, first) = match first.strip_prefix('!') {
        Some(r) => (true, r.trim()),
        None => (false, first),
    };
    let value = value_ref(kw, first, vars)?;
    if matches!(value, ValueRef::Lit(n) if n < 0) {
        return Err(RuleError::invalid(kw, "negative value"));
    }
    let mut relative = false;
    for f in a.iter().skip(1) {
        match *f {
            "relative" => relative = true,
            "rawbytes" => {}
            _ => return Err(RuleError::invalid(kw, format!("unknown option `{f}`"))),
        }
    }
    Ok(IsDataAtOp {
        value,
        relative,
        negated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct V;
    impl VarResolver for V {
        fn lookup(&self, name: &str) -> Option<usize> {
            (name == "len").then_some(0)
        }
    }

    #[test]
    fn byte_keywords() {
        let t = parse_byte_test("1,=,0x07,0,bitmask 0xF8", &V).unwrap();
        assert_eq!(t.bitmask, Some(0xf8));
        assert_eq!(t.value, ValueRef::Lit(7));
        let t = parse_byte_test("2,!&,len,0,relative,little", &V).unwrap();
        assert!(t.negated && t.relative && t.endian == Endian::Little);
        assert_eq!(t.value, ValueRef::Var(0));
        assert!(parse_byte_test("2,=,1,0,dce", &V).is_err());
        assert!(parse_byte_test("9,=,1,0", &V).is_err());
        let j = parse_byte_jump("2,0,relative,string,from_end,post_offset -26", &V).unwrap();
        assert_eq!(j.post_offset, -26);
        assert_eq!(j.base, NumBase::Dec);
        assert!(j.from_end);
        let e = parse_byte_extract("2,0,len,relative,little").unwrap();
        assert_eq!(e.name, "len");
        let m = parse_byte_math("bytes 1, offset 0, oper +, rvalue 5, result r", &V).unwrap();
        assert_eq!(m.op, MathOp::Add);
        let i = parse_isdataat("!10,relative", &V).unwrap();
        assert!(i.negated && i.relative);
    }
}
