//! Splits a query into tokens, remembering each token's column (1-based, in characters).

use super::parser::ParseError;

/// A token of the query language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `NOT` or a leading `-`
    Not,
    /// A word (may contain `field:`); `quoted` marks a phrase in double quotes.
    Word {
        /// Text of the word, quotes removed.
        text: String,
        /// Whether it was a quoted phrase.
        quoted: bool,
    },
    /// `field:` immediately followed by a quoted phrase: `signature:"ET SCAN"`.
    FieldPhrase {
        /// Field name.
        field: String,
        /// Phrase text.
        value: String,
    },
}

/// Tokens with their 1-based columns.
pub fn lex(input: &str) -> Result<Vec<(usize, Tok)>, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                out.push((col, Tok::LParen));
                i += 1;
            }
            ')' => {
                out.push((col, Tok::RParen));
                i += 1;
            }
            '"' => {
                let (text, next) = phrase(&chars, i)?;
                out.push((col, Tok::Word { text, quoted: true }));
                i = next;
            }
            '-' if chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) && starts_term(&out) => {
                out.push((col, Tok::Not));
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '"')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if word.ends_with(':') && chars.get(i) == Some(&'"') {
                    let (value, next) = phrase(&chars, i)?;
                    let field = word.trim_end_matches(':').to_string();
                    out.push((col, Tok::FieldPhrase { field, value }));
                    i = next;
                    continue;
                }
                let tok = match word.as_str() {
                    "AND" => Tok::And,
                    "OR" => Tok::Or,
                    "NOT" => Tok::Not,
                    _ => Tok::Word {
                        text: word,
                        quoted: false,
                    },
                };
                out.push((col, tok));
            }
        }
    }
    Ok(out)
}

/// Whether a `-` at this point starts a negated term (not inside a word).
fn starts_term(prev: &[(usize, Tok)]) -> bool {
    !matches!(prev.last(), Some((_, Tok::FieldPhrase { .. })))
}

/// Reads a quoted phrase starting at the opening quote; `\"` and `\\` escape.
fn phrase(chars: &[char], open: usize) -> Result<(String, usize), ParseError> {
    let mut text = String::new();
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                text.push(chars[i + 1]);
                i += 2;
            }
            '"' => return Ok((text, i + 1)),
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    Err(ParseError {
        column: open + 1,
        message: "unterminated quoted phrase: expected a closing '\"'".into(),
    })
}
