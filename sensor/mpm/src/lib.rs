//! Multi-pattern literal matcher used by the detection engine's prefilter.
//!
//! One interface ([`Matcher`] + per-thread [`Scratch`]) over two backends:
//! Hyperscan (system libhs through a small hand-written FFI, when available at build time) and
//! the `aho-corasick` crate (overlapping search). Patterns are arbitrary byte strings, optionally
//! ASCII case-insensitive; patterns sharing `(bytes, nocase)` are compiled once and every caller
//! id is reported at most once per scan.
//!
//! ```
//! use sensor_mpm::{Backend, Matcher, Pattern};
//! let m = Matcher::build(
//!     &[Pattern::new(&b"GET "[..], false, 1), Pattern::new(&b"host:"[..], true, 2)],
//!     Backend::Auto,
//! ).unwrap();
//! let mut s = m.new_scratch().unwrap();
//! let mut ids = Vec::new();
//! m.scan(&mut s, b"GET / HTTP/1.1\r\nHost: x\r\n", &mut |id| ids.push(id));
//! ids.sort();
//! assert_eq!(ids, vec![1, 2]);
//! ```

mod ac;
mod epoch;
mod error;
#[cfg(has_hyperscan)]
mod hs;
mod matcher;
mod pattern;
mod table;

pub use error::MpmError;
pub use matcher::{
    hyperscan_available, hyperscan_compiled, Matcher, Scratch, AUTO_HYPERSCAN_MIN_PATTERNS,
};
pub use pattern::{Backend, Pattern};
