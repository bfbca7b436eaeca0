//! Rulesets on the sensor's disk and building an engine from them.
//!
//! A ruleset fetched from the SOC server is kept as `DATA/rulesets/soc-VERSION.rules`,
//! written atomically (temporary file, fsync, rename, fsync of the folder); the file
//! `DATA/rulesets/current` names the version the sensor runs, and is switched (the same
//! atomic way) only after the ruleset built into a working engine. A restart therefore
//! comes back with the last good ruleset, never a half-written or a broken one.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::cli::RuleArgs;
use crate::commands::load::{load, Loaded};

/// Version label of the rules given on the command line or in the config file.
pub const LOCAL_VERSION: &str = "local";

/// The SOC rulesets kept in `DATA/rulesets`.
#[derive(Debug, Clone)]
pub struct RulesetDir {
    dir: PathBuf,
}

impl RulesetDir {
    /// The folder `data_dir/rulesets` (created on first save).
    pub fn new(data_dir: &Path) -> Self {
        RulesetDir {
            dir: data_dir.join("rulesets"),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, version: &str) -> PathBuf {
        self.dir.join(format!("soc-{version}.rules"))
    }

    /// The version marked current and its file, when both exist.
    pub fn current(&self) -> Option<(String, PathBuf)> {
        let v = std::fs::read_to_string(self.dir.join("current")).ok()?;
        let v = v.trim().to_string();
        if !sensor_ship::client::control::valid_version(&v) {
            return None;
        }
        let f = self.file(&v);
        f.is_file().then_some((v, f))
    }

    /// Writes the text of `version` durably; returns its path. Does not make it current.
    pub fn save(&self, version: &str, text: &str) -> anyhow::Result<PathBuf> {
        if !sensor_ship::client::control::valid_version(version) {
            bail!("ruleset version {version:?} is not a valid label");
        }
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("creating {}", self.dir.display()))?;
        let path = self.file(version);
        write_atomic(&path, text.as_bytes())?;
        Ok(path)
    }

    /// Marks `version` as the one to run (also after a restart) and removes the files of
    /// versions other than it and the previous one.
    pub fn mark_current(&self, version: &str) -> anyhow::Result<()> {
        let previous = self.current().map(|(v, _)| v);
        write_atomic(&self.dir.join("current"), format!("{version}\n").as_bytes())?;
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let Some(v) = name
                    .strip_prefix("soc-")
                    .and_then(|n| n.strip_suffix(".rules"))
                else {
                    continue;
                };
                if v != version && Some(v) != previous.as_deref() {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(())
    }
}

/// Writes `bytes` to `path` so that a crash leaves either the old or the new content.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| anyhow::anyhow!("{} has no parent folder", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .map_or("file".into(), |n| n.to_string_lossy())
    ));
    let mut f = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    drop(f);
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing folder {}", dir.display()))?;
    Ok(())
}

/// Loads the configuration and rules for a reload: the SOC ruleset `soc_file` when given
/// (it replaces the rule files of the command line and config), else the configured rule
/// files. Fails when the result must not replace a running engine: unreadable files, or
/// no rule loaded from rule text that had some.
pub fn build(args: &RuleArgs, soc_file: Option<&Path>) -> anyhow::Result<Loaded> {
    let mut args = args.clone();
    if let Some(f) = soc_file {
        args.exclusive_rules = vec![f.to_path_buf()];
        args.extra_rules.clear();
    }
    let loaded = load(&args)?;
    if let Some(e) = loaded.parse_errors.first() {
        bail!("{e}");
    }
    if loaded.engine.is_empty() && !loaded.skipped.is_empty() {
        let s = &loaded.skipped[0];
        bail!(
            "no rule loaded ({} skipped; first: {}:{}: keyword `{}`: {})",
            loaded.skipped.len(),
            s.file.display(),
            s.line,
            s.keyword,
            s.reason
        );
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_rulesets_become_current_only_when_marked() {
        let tmp = std::env::temp_dir().join(format!("sensor-rulesets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let d = RulesetDir::new(&tmp);
        assert!(d.current().is_none());
        let p1 = d
            .save("1", "alert tcp any any -> any any (sid:1;)\n")
            .expect("save");
        assert!(d.current().is_none(), "saving must not switch");
        d.mark_current("1").expect("mark");
        assert_eq!(d.current().map(|(v, _)| v).as_deref(), Some("1"));
        d.save("2", "x").expect("save 2");
        d.mark_current("2").expect("mark 2");
        d.save("3", "y").expect("save 3");
        d.mark_current("3").expect("mark 3");
        assert!(!p1.exists(), "old versions are pruned");
        assert!(
            d.dir().join("soc-2.rules").exists(),
            "the previous one is kept"
        );
        assert!(d.save("../evil", "z").is_err());
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
