//! YARA rule scanning for the sensor.
//!
//! `sensor run --yara rules.yar` compiles the rule files once into [`YaraRules`] (shared by all
//! worker threads), and each worker scans HTTP bodies and reassembled TCP streams with its own
//! [`YaraScanner`], raising one alert per [`YaraMatch`]. [`YaraRules::rule_names`] lists the
//! rules in declaration order so the sensor can derive a stable signature id per rule
//! (`sid = base + index`; [`YaraMatch::rule_index`] is that index).
//!
//! # Why the system libyara (and not yara-x or the `yara` crate)
//!
//! * The pure-Rust yara-x engine costs minutes of extra build time on the 2-core build hosts
//!   (wasmtime, cranelift and friends), for every clean build and CI run.
//! * libyara is what YARA users already run: rules behave exactly as with the `yara` CLI, and it
//!   needs only a Debian package (`apt-get install libyara-dev`, 4.2.x on bookworm).
//! * The surface we need is tiny (compile, list rules, scan a buffer, read rule metadata), so a
//!   small hand-written FFI (see `ffi.rs`, checked against the 4.2.3 headers and verified by a
//!   unit test that compiles a C probe against the installed headers) avoids both bindgen
//!   (libclang at build time) and a `-sys` crate dependency.
//!
//! # Build: the `yara` feature
//!
//! The default-on cargo feature `yara` links libyara; the build script fails with a clear
//! message naming `libyara-dev` when `libyara.so` is missing (or `YARA_LIB_DIR` can point at
//! it). A missing library is an error rather than a silent downgrade because an operator who
//! passes `--yara` must not get a sensor that quietly ignores it. Hosts without libyara can
//! still build with `--no-default-features`: the same API is then provided by stubs whose
//! constructors return [`YaraError::Unavailable`], so the CLI can report it.
//!
//! # libyara lifecycle and threading
//!
//! `yr_initialize` is called once per process (thread-safe, on first compile); `yr_finalize` is
//! never called, so rules and scanners stay valid until exit. Compiled rules are immutable and
//! `Send + Sync`; a scanner is `Send` but used by one thread at a time (`&mut self`). Scans use
//! `SCAN_FLAGS_NO_TRYCATCH` (no SIGSEGV/SIGBUS handlers are installed: we only scan owned
//! memory, never memory-mapped files) and a per-scan timeout ([`DEFAULT_SCAN_TIMEOUT_SECS`]).
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "yara")] {
//! use sensor_yara::{YaraRules, YaraScanner};
//! let rules = YaraRules::compile_str(r#"rule eicar { strings: $a = "EICAR" condition: $a }"#)
//!     .expect("compiles");
//! let mut scanner = YaraScanner::new(&rules).expect("scanner");
//! let mut hits = Vec::new();
//! scanner.scan(b"xxEICARxx", &mut hits).expect("scan");
//! assert_eq!(hits[0].rule, "eicar");
//! # }
//! ```

#![warn(missing_docs)]

mod error;
mod matches;

#[cfg(feature = "yara")]
mod compile;
#[cfg(feature = "yara")]
mod ffi;
#[cfg(feature = "yara")]
mod init;
#[cfg(feature = "yara")]
mod scan;
#[cfg(not(feature = "yara"))]
mod stub;

pub use error::{error_meaning, CompileDiagnostic, YaraError};
pub use matches::YaraMatch;

#[cfg(feature = "yara")]
pub use compile::YaraRules;
#[cfg(feature = "yara")]
pub use scan::{YaraScanner, DEFAULT_SCAN_TIMEOUT_SECS};
#[cfg(not(feature = "yara"))]
pub use stub::{YaraRules, YaraScanner, DEFAULT_SCAN_TIMEOUT_SECS};
