//! `sensor enroll`: trade an enrollment token for this sensor's own credentials and keep
//! them in a file only its owner can read (mode 0600).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// What `sensor run --credentials FILE` reads.
#[derive(Debug, Serialize, Deserialize)]
pub struct Credentials {
    pub server: String,
    pub sensor: String,
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<std::path::PathBuf>,
}

impl Credentials {
    /// Reads a credentials file written by `sensor enroll`.
    pub fn load(path: &Path) -> anyhow::Result<Credentials> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read credentials {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| {
            format!(
                "credentials {}: not a file written by `sensor enroll`",
                path.display()
            )
        })
    }
}

/// Enrolls at `server` with `token` and writes `out` (0600, created atomically).
pub fn enroll(
    server: &str,
    token: &str,
    out: &Path,
    pin_sha256: Option<String>,
    ca_file: Option<std::path::PathBuf>,
) -> anyhow::Result<ExitCode> {
    let tls = sensor_ship::TlsOptions {
        pin_sha256: pin_sha256.clone(),
        ca_file: ca_file.clone(),
    };
    let e = sensor_ship::enroll(server, &sensor_ship::SensorToken::new(token), &tls, false)
        .map_err(|err| anyhow::anyhow!("enrollment at {server} failed: {err}"))?;
    let creds = Credentials {
        server: server.to_string(),
        sensor: e.sensor.clone(),
        token: e.token.secret().to_string(),
        pin_sha256,
        ca_file,
    };
    write_private(out, &serde_json::to_vec_pretty(&creds)?)?;
    println!(
        "enrolled as sensor '{}'; credentials written to {} (mode 0600)",
        e.sensor,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to `path` with mode 0600 through a temporary file and a rename.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
