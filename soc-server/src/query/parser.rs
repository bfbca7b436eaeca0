//! Recursive-descent parser from tokens to [`Expr`].

use super::ast::{Comparison, Expr, Term};
use super::lexer::{lex, Tok};
use thiserror::Error;

/// A query that could not be parsed: where (1-based column) and what was expected.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("column {column}: {message}")]
pub struct ParseError {
    /// 1-based column (in characters) of the offending token.
    pub column: usize,
    /// What was found and what was expected.
    pub message: String,
}

/// Parses a query; the empty (or blank) query is [`Expr::All`].
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    let toks = lex(input)?;
    if toks.is_empty() {
        return Ok(Expr::All);
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end_col: input.chars().count() + 1,
        depth: 0,
    };
    let e = p.or()?;
    if let Some((col, t)) = p.toks.get(p.pos) {
        return Err(ParseError {
            column: *col,
            message: format!(
                "unexpected {}: expected AND, OR or the end of the query",
                describe(t)
            ),
        });
    }
    Ok(e)
}

/// Deepest nesting accepted, so that hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    end_col: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn col(&self) -> usize {
        self.toks
            .get(self.pos)
            .map(|(c, _)| *c)
            .unwrap_or(self.end_col)
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        loop {
            match self.peek() {
                Some(Tok::And) => {
                    self.pos += 1;
                }
                Some(Tok::Or) | Some(Tok::RParen) | None => break,
                Some(_) => {}
            }
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError {
                column: self.col(),
                message: "query nested too deeply".into(),
            });
        }
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> Result<Expr, ParseError> {
        let col = self.col();
        let Some(tok) = self.peek().cloned() else {
            return Err(ParseError {
                column: col,
                message: "unexpected end of query: expected a term, NOT or '('".into(),
            });
        };
        self.pos += 1;
        match tok {
            Tok::Not => Ok(Expr::Not(Box::new(self.unary()?))),
            Tok::LParen => {
                let inner = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(ParseError {
                        column: self.col(),
                        message: format!(
                            "{}: expected ')' to close the '(' at column {col}",
                            self.toks
                                .get(self.pos)
                                .map(|(_, t)| describe(t))
                                .unwrap_or_else(|| "end of query".into())
                        ),
                    });
                }
                self.pos += 1;
                Ok(inner)
            }
            Tok::Word { text, quoted: true } => Ok(Expr::Term(Term::Text(text))),
            Tok::Word {
                text,
                quoted: false,
            } => word_term(&text, col),
            Tok::FieldPhrase { field, value } => {
                check_field(&field, col)?;
                Ok(Expr::Term(Term::Field {
                    field,
                    cmp: Comparison::Eq,
                    value,
                }))
            }
            other => Err(ParseError {
                column: col,
                message: format!(
                    "unexpected {}: expected a term, NOT or '('",
                    describe(&other)
                ),
            }),
        }
    }
}

/// `field:value`, `field:>=3` or a free-text word.
fn word_term(text: &str, col: usize) -> Result<Expr, ParseError> {
    let Some((field, value)) = text.split_once(':') else {
        return Ok(Expr::Term(Term::Text(text.to_string())));
    };
    // `1:abc` community ids, IPv6 addresses and URLs are text, not fields.
    if field.is_empty()
        || !field
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
    {
        return Ok(Expr::Term(Term::Text(text.to_string())));
    }
    check_field(field, col)?;
    let (cmp, value) = if let Some(v) = value.strip_prefix(">=") {
        (Comparison::Ge, v)
    } else if let Some(v) = value.strip_prefix("<=") {
        (Comparison::Le, v)
    } else if let Some(v) = value.strip_prefix('>') {
        (Comparison::Gt, v)
    } else if let Some(v) = value.strip_prefix('<') {
        (Comparison::Lt, v)
    } else {
        (Comparison::Eq, value)
    };
    if value.is_empty() {
        return Err(ParseError {
            column: col + field.chars().count() + 1,
            message: format!("field '{field}' has no value: expected a value after ':'"),
        });
    }
    Ok(Expr::Term(Term::Field {
        field: field.to_string(),
        cmp,
        value: value.to_string(),
    }))
}

/// Field names are letters, digits, `_` and `.` (they end up in JSON paths).
fn check_field(field: &str, col: usize) -> Result<(), ParseError> {
    let ok = !field.is_empty()
        && field.len() <= 64
        && field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && !field.starts_with('.')
        && !field.ends_with('.')
        && !field.contains("..");
    if ok {
        Ok(())
    } else {
        Err(ParseError {
            column: col,
            message: format!("invalid field name '{field}': expected letters, digits, '_' and '.'"),
        })
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::And => "AND".into(),
        Tok::Or => "OR".into(),
        Tok::Not => "NOT".into(),
        Tok::Word { text, .. } => format!("'{text}'"),
        Tok::FieldPhrase { field, .. } => format!("'{field}:'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(field: &str, value: &str) -> Expr {
        Expr::Term(Term::Field {
            field: field.into(),
            cmp: Comparison::Eq,
            value: value.into(),
        })
    }

    #[test]
    fn empty_query_matches_all() {
        assert_eq!(parse("   "), Ok(Expr::All));
    }

    #[test]
    fn adjacent_terms_are_anded_and_or_binds_looser() {
        let e = parse("a:1 b:2 OR c:3").unwrap();
        assert_eq!(
            e,
            Expr::Or(
                Box::new(Expr::And(Box::new(f("a", "1")), Box::new(f("b", "2")))),
                Box::new(f("c", "3"))
            )
        );
    }

    #[test]
    fn phrases_parentheses_and_not() {
        let e = parse(r#"NOT (signature:"ET SCAN" OR "evil phrase") -src_ip:10.0.0.1"#).unwrap();
        let expect = Expr::And(
            Box::new(Expr::Not(Box::new(Expr::Or(
                Box::new(f("signature", "ET SCAN")),
                Box::new(Expr::Term(Term::Text("evil phrase".into()))),
            )))),
            Box::new(Expr::Not(Box::new(f("src_ip", "10.0.0.1")))),
        );
        assert_eq!(e, expect);
    }

    #[test]
    fn comparisons_are_parsed() {
        assert_eq!(
            parse("severity:<=2").unwrap(),
            Expr::Term(Term::Field {
                field: "severity".into(),
                cmp: Comparison::Le,
                value: "2".into()
            })
        );
    }

    #[test]
    fn community_ids_and_ipv6_are_text() {
        assert_eq!(
            parse("1:abc=").unwrap(),
            Expr::Term(Term::Text("1:abc=".into()))
        );
    }

    #[test]
    fn errors_name_the_column_and_what_was_expected() {
        let e = parse("a:1 AND (b:2 OR").unwrap_err();
        assert_eq!(e.column, 16);
        assert!(e.message.contains("expected a term"), "{e}");
        let e = parse("(a:1 b:2").unwrap_err();
        assert_eq!(e.column, 9);
        assert!(e.message.contains("expected ')'"), "{e}");
        let e = parse("a:1 )").unwrap_err();
        assert_eq!(e.column, 5);
        let e = parse("\"open").unwrap_err();
        assert_eq!(e.column, 1);
        let e = parse("src_ip:").unwrap_err();
        assert!(e.message.contains("expected a value"), "{e}");
        assert!(parse("b$d:1").is_err());
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let q = "(".repeat(10_000);
        assert!(parse(&q).is_err());
        let q = "NOT ".repeat(10_000) + "x";
        assert!(parse(&q).is_err());
    }
}
