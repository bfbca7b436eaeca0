//! The search language of the console and the API.
//!
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := unary (["AND"] unary)*        adjacent terms are ANDed
//! unary   := "NOT" unary | "-" unary | "(" or ")" | term
//! term    := field ":" value | value       value = word or "quoted phrase"
//! ```
//!
//! `field:value` matches a field exactly (`*` is a wildcard, `>`, `>=`, `<`, `<=` compare
//! numbers); a bare word or phrase matches anywhere in the event. Keywords are upper case.
//! The parser yields an [`Expr`] that each store backend translates for itself.

mod ast;
mod lexer;
mod parser;

pub use ast::{Comparison, Expr, Term};
pub use parser::{parse, ParseError};
