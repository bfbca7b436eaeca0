//! A YAML document as a tree of nodes that remember their `line:column`.
//!
//! `serde_yaml` is archived and its values carry no positions, so the scenario is read with
//! `yaml-rust2` (maintained, pure Rust, YAML 1.2) through its marked event API, and the tree
//! built here lets validation report every error at the node it concerns.

use thiserror::Error;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based position in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
}

impl From<Marker> for Pos {
    fn from(m: Marker) -> Self {
        Pos {
            line: m.line(),
            col: m.col() + 1,
        }
    }
}

/// The shape of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar; `quoted` is true when written in quotes (then it is always a string).
    Scalar {
        /// The text of the scalar.
        text: String,
        /// Whether it was quoted.
        quoted: bool,
    },
    /// A sequence of nodes.
    Seq(Vec<Node>),
    /// A mapping, in source order (duplicates kept so that validation can report them).
    Map(Vec<(Node, Node)>),
    /// An alias (`*name`), which scenarios do not support.
    Alias,
}

/// A node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// What it is.
    pub kind: Kind,
}

impl Node {
    /// A short name of the node's shape for error messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar { text, quoted } => {
                if !quoted && is_null(text) {
                    "null"
                } else {
                    "a scalar"
                }
            }
            Kind::Seq(_) => "a sequence",
            Kind::Map(_) => "a mapping",
            Kind::Alias => "an alias",
        }
    }

    /// True for an unquoted `~`, `null` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, quoted: false } if is_null(text))
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Broken YAML.
#[derive(Debug, Error)]
#[error("{line}:{col}: {msg}")]
pub struct SyntaxError {
    /// Line of the error.
    pub line: usize,
    /// Column of the error.
    pub col: usize,
    /// What went wrong.
    pub msg: String,
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Pos, Vec<Node>, bool)>,
    docs: Vec<Node>,
}

impl Builder {
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some((_, items, _)) => items.push(node),
            None => self.docs.push(node),
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = Pos::from(mark);
        match ev {
            Event::Scalar(text, style, _, _) => self.push(Node {
                pos,
                kind: Kind::Scalar {
                    text,
                    quoted: style != TScalarStyle::Plain,
                },
            }),
            Event::Alias(_) => self.push(Node {
                pos,
                kind: Kind::Alias,
            }),
            Event::SequenceStart(..) => self.stack.push((pos, Vec::new(), false)),
            Event::MappingStart(..) => self.stack.push((pos, Vec::new(), true)),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((pos, items, is_map)) = self.stack.pop() {
                    let kind = if is_map {
                        let mut pairs = Vec::with_capacity(items.len() / 2);
                        let mut it = items.into_iter();
                        while let (Some(k), Some(v)) = (it.next(), it.next()) {
                            pairs.push((k, v));
                        }
                        Kind::Map(pairs)
                    } else {
                        Kind::Seq(items)
                    };
                    self.push(Node { pos, kind });
                }
            }
            _ => {}
        }
    }
}

/// Parses one YAML document into a positioned tree (an empty document is a null scalar).
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| SyntaxError {
        line: e.marker().line(),
        col: e.marker().col() + 1,
        msg: e.info().to_string(),
    })?;
    if builder.docs.len() > 1 {
        let pos = builder.docs[1].pos;
        return Err(SyntaxError {
            line: pos.line,
            col: pos.col,
            msg: "expected a single YAML document".into(),
        });
    }
    Ok(builder.docs.pop().unwrap_or(Node {
        pos: Pos { line: 1, col: 1 },
        kind: Kind::Scalar {
            text: String::new(),
            quoted: false,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_line_and_column() {
        let n = parse("a: 1\nb:\n  - x\n").unwrap();
        let Kind::Map(pairs) = &n.kind else { panic!() };
        assert_eq!(pairs[0].0.pos, Pos { line: 1, col: 1 });
        assert_eq!(pairs[0].1.pos, Pos { line: 1, col: 4 });
        let Kind::Seq(items) = &pairs[1].1.kind else {
            panic!()
        };
        assert_eq!(items[0].pos, Pos { line: 3, col: 5 });
    }

    #[test]
    fn broken_yaml_is_a_syntax_error_with_position() {
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.line >= 1);
    }

    #[test]
    fn quoted_scalars_are_marked() {
        let n = parse("a: \"1\"").unwrap();
        let Kind::Map(pairs) = &n.kind else { panic!() };
        assert!(matches!(
            &pairs[0].1.kind,
            Kind::Scalar { quoted: true, .. }
        ));
    }
}
