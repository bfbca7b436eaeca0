//! The parsed form of a query, independent of any store backend.

/// How a `field:value` term compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Equal (or wildcard match when the value contains `*`).
    Eq,
    /// `field:>value`.
    Gt,
    /// `field:>=value`.
    Ge,
    /// `field:<value`.
    Lt,
    /// `field:<=value`.
    Le,
}

/// One leaf of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// `field:value`.
    Field {
        /// Field name as typed (`src_ip`, `alert.signature`, `http.hostname` …).
        field: String,
        /// How to compare.
        cmp: Comparison,
        /// The value, unquoted.
        value: String,
    },
    /// A bare word or quoted phrase matched anywhere in the record.
    Text(String),
}

/// A query expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Matches everything (the empty query).
    All,
    /// A leaf.
    Term(Term),
    /// Both sides.
    And(Box<Expr>, Box<Expr>),
    /// Either side.
    Or(Box<Expr>, Box<Expr>),
    /// Not the inner expression.
    Not(Box<Expr>),
}
