//! EVE JSON output: one JSON object per line in `LOGDIR/eve.json`.

mod writer;

pub use writer::{EveWriter, OutputError};
