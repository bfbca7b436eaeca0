//! Splits a filter expression into tokens, remembering each token's byte offset.

use super::error::FilterError;

/// Kind of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `!` or `not`.
    Not,
    /// `&&` or `and`.
    And,
    /// `||` or `or`.
    Or,
    /// Any other word: keyword, number, address, CIDR, port range.
    Word(String),
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Byte offset in the expression.
    pub pos: usize,
}

/// Tokenises `src`.
pub fn tokenize(src: &str) -> Result<Vec<Token>, FilterError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' | b')' | b'!' => {
                let tok = match c {
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    _ => Tok::Not,
                };
                out.push(Token { tok, pos: i });
                i += 1;
            }
            b'&' | b'|' => {
                if bytes.get(i + 1) != Some(&c) {
                    return Err(FilterError::Syntax {
                        pos: i,
                        expected: if c == b'&' { "'&&'" } else { "'||'" },
                        found: (c as char).to_string(),
                    });
                }
                let tok = if c == b'&' { Tok::And } else { Tok::Or };
                out.push(Token { tok, pos: i });
                i += 2;
            }
            _ => {
                let start = i;
                while i < bytes.len() && !b" \t\n\r()!&|".contains(&bytes[i]) {
                    i += 1;
                }
                // Word boundaries are ASCII bytes, so the slice is on char boundaries.
                let word = &src[start..i];
                let tok = match word.to_ascii_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    _ => Tok::Word(word.to_string()),
                };
                out.push(Token { tok, pos: start });
            }
        }
    }
    Ok(out)
}
