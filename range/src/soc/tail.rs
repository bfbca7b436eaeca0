//! Follows the game's journal (JSON Lines, append-only) from a byte offset: every complete
//! new line is parsed as a [`Record`]; a torn last line waits for its newline. Readers of the
//! journal never touch the game's lock, so watching it costs the game nothing.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use crate::game::journal::Record;

/// A reader of the journal's new lines.
#[derive(Debug)]
pub struct JournalTail {
    path: PathBuf,
    offset: u64,
    partial: Vec<u8>,
}

impl JournalTail {
    /// Starts at byte `offset` of the journal at `path` (0: from the beginning).
    pub fn new(path: PathBuf, offset: u64) -> Self {
        JournalTail {
            path,
            offset,
            partial: Vec::new(),
        }
    }

    /// The journal file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The offset after the last complete line returned.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The journal's current length (for starting at its end).
    pub fn len_now(&self) -> u64 {
        std::fs::metadata(&self.path).map_or(0, |m| m.len())
    }

    /// New records since the last call, each with the offset just after its line. Lines that
    /// are not records (should not happen) are skipped with a warning.
    pub fn poll(&mut self) -> std::io::Result<Vec<(Record, u64)>> {
        let mut f = File::open(&self.path)?;
        let start = self.offset + self.partial.len() as u64;
        f.seek(SeekFrom::Start(start))?;
        let mut buf = std::mem::take(&mut self.partial);
        (&mut f).take(16 * 1024 * 1024).read_to_end(&mut buf)?;
        let mut out = Vec::new();
        let mut consumed = 0usize;
        while let Some(nl) = buf[consumed..].iter().position(|b| *b == b'\n') {
            let line = &buf[consumed..consumed + nl];
            consumed += nl + 1;
            let end = self.offset + consumed as u64;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<Record>(line) {
                Ok(r) => out.push((r, end)),
                Err(e) => {
                    tracing::warn!(path = %self.path.display(), offset = end, error = %e, "journal line is not a record")
                }
            }
        }
        self.offset += consumed as u64;
        self.partial = buf[consumed..].to_vec();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn complete_lines_only_and_resume_from_offset() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("j.jsonl");
        let mut f = File::create(&p).unwrap();
        writeln!(f, r#"{{"type":"resume"}}"#).unwrap();
        write!(f, r#"{{"type":"pause","at_"#).unwrap();
        f.flush().unwrap();
        let mut t = JournalTail::new(p.clone(), 0);
        let got = t.poll().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, Record::Resume);
        writeln!(f, r#"ms":5}}"#).unwrap();
        f.flush().unwrap();
        let got = t.poll().unwrap();
        assert_eq!(got, vec![(Record::Pause { at_ms: 5 }, t.offset())]);
        let mut again = JournalTail::new(p, got[0].1);
        assert!(again.poll().unwrap().is_empty());
    }
}
