//! Images without a registry.
//!
//! The base image [`BASE`] is made from the host's static busybox (Debian's
//! `busybox-static`): a root filesystem with `/bin/busybox`, one symlink per applet
//! (`busybox --list-full`), `/etc/passwd` (root, nobody 65534), `/etc/group` and a 1777
//! `/tmp`, imported with the engine's image import (`docker import`). It carries the
//! busybox binary's SHA-256 in its environment (`RANGE_BUSYBOX_SHA256`) and is re-imported
//! when the host's busybox changes.
//!
//! Each service with `build: DIR` is built from that folder with the classic builder (never
//! BuildKit, which reaches out for metadata), tagged
//! `range/<exercise>-<service>:<hash>`, where the hash is the SHA-256 (first 16 hex digits)
//! of every file in the folder (relative path, type, executable bit, contents, in path
//! order) and the base image's id. An image whose tag exists is not rebuilt.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use bollard::query_parameters::{BuildImageOptionsBuilder, CreateImageOptionsBuilder};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::plan::{LABEL, LABEL_SERVICE};
use super::{is_not_found, Engine, OrchestrateError};
use crate::scenario::model::ImageSource;
use crate::scenario::Scenario;

/// The base image the range provides.
pub const BASE: &str = "range-base/busybox:1";
const BASE_REPO: &str = "range-base/busybox";
const BASE_TAG: &str = "1";
/// The host's static busybox.
pub const BUSYBOX: &str = "/bin/busybox";
const BUSYBOX_ENV: &str = "RANGE_BUSYBOX_SHA256";

/// Progress lines go here (the CLI prints them).
pub type Progress<'a> = &'a mut dyn FnMut(&str);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The base root filesystem as a tar archive, and the busybox binary's SHA-256.
pub fn base_tar(busybox: &Path) -> Result<(Vec<u8>, String), OrchestrateError> {
    let missing = || format!("reading {} (install busybox-static)", busybox.display());
    let bin = std::fs::read(busybox).map_err(OrchestrateError::io(missing()))?;
    let sha = hex(&Sha256::digest(&bin));
    let out = std::process::Command::new(busybox)
        .arg("--list-full")
        .output()
        .map_err(OrchestrateError::io(missing()))?;
    if !out.status.success() {
        return Err(OrchestrateError::Io {
            what: format!("{} --list-full", busybox.display()),
            source: std::io::Error::other("busybox without --list-full: install busybox-static"),
        });
    }
    let applets: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().trim_start_matches('/').to_string())
        .filter(|l| !l.is_empty() && l != "bin/busybox" && !l.contains(".."))
        .collect();
    let mut tar = tar::Builder::new(Vec::new());
    let io = |e| OrchestrateError::io("writing the base image archive")(e);
    let mut dirs: Vec<String> = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "root"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for a in &applets {
        if let Some((d, _)) = a.rsplit_once('/') {
            if !dirs.iter().any(|x| x == d) {
                dirs.push(d.to_string());
            }
        }
    }
    let header = |kind: tar::EntryType, mode: u32, size: u64| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_size(size);
        h
    };
    for d in &dirs {
        let mode = if d == "root" { 0o700 } else { 0o755 };
        let mut h = header(tar::EntryType::Directory, mode, 0);
        tar.append_data(&mut h, format!("{d}/"), std::io::empty())
            .map_err(io)?;
    }
    let mut h = header(tar::EntryType::Directory, 0o1777, 0);
    tar.append_data(&mut h, "tmp/", std::io::empty())
        .map_err(io)?;
    let mut h = header(tar::EntryType::Regular, 0o755, bin.len() as u64);
    tar.append_data(&mut h, "bin/busybox", bin.as_slice())
        .map_err(io)?;
    for a in &applets {
        let mut h = header(tar::EntryType::Symlink, 0o777, 0);
        tar.append_link(&mut h, a, "/bin/busybox").map_err(io)?;
    }
    let passwd =
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    let group = "root:x:0:\nnogroup:x:65534:\nnobody:x:65534:\n";
    for (name, text) in [("etc/passwd", passwd), ("etc/group", group)] {
        let mut h = header(tar::EntryType::Regular, 0o644, text.len() as u64);
        tar.append_data(&mut h, name, text.as_bytes()).map_err(io)?;
    }
    Ok((tar.into_inner().map_err(io)?, sha))
}

/// The id of `reference`, or `None` when the engine has no such image.
pub fn image_id(engine: &Engine, reference: &str) -> Result<Option<String>, OrchestrateError> {
    match engine.block_on(engine.docker().inspect_image(reference)) {
        Ok(i) => Ok(i.id),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(OrchestrateError::api(format!(
            "inspecting image {reference}"
        ))(e)),
    }
}

/// Makes sure [`BASE`] exists and matches the host's busybox; returns its id.
pub fn ensure_base(engine: &Engine, progress: Progress) -> Result<String, OrchestrateError> {
    let (archive, sha) = base_tar(Path::new(BUSYBOX))?;
    let want = format!("{BUSYBOX_ENV}={sha}");
    let existing = match engine.block_on(engine.docker().inspect_image(BASE)) {
        Ok(i) => {
            let env = i.config.and_then(|c| c.env).unwrap_or_default();
            env.contains(&want).then_some(i.id).flatten()
        }
        Err(e) if is_not_found(&e) => None,
        Err(e) => return Err(OrchestrateError::api(format!("inspecting image {BASE}"))(e)),
    };
    if let Some(id) = existing {
        progress(&format!("{BASE}: up to date"));
        return Ok(id);
    }
    progress(&format!(
        "{BASE}: importing {BUSYBOX} ({} KiB archive)",
        archive.len() / 1024
    ));
    let opts = CreateImageOptionsBuilder::default()
        .from_src("-")
        .repo(BASE_REPO)
        .tag(BASE_TAG)
        .changes(vec![format!("ENV {want}"), "CMD [\"/bin/sh\"]".to_string()])
        .build();
    let mut stream =
        engine
            .docker()
            .create_image(Some(opts), Some(bollard::body_full(archive.into())), None);
    engine.block_on(async {
        while let Some(item) = stream.next().await {
            item.map_err(OrchestrateError::api(format!("importing {BASE}")))?;
        }
        Ok::<_, OrchestrateError>(())
    })?;
    image_id(engine, BASE)?.ok_or_else(|| OrchestrateError::Build {
        image: BASE.into(),
        message: "the engine reported no error but has no such image after the import".into(),
    })
}

/// Files under `dir`, relative, sorted (symlinks are not followed).
fn walk(dir: &Path) -> Result<Vec<PathBuf>, OrchestrateError> {
    let mut out = Vec::new();
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        let abs = dir.join(&rel);
        let rd = std::fs::read_dir(&abs)
            .map_err(OrchestrateError::io(format!("reading {}", abs.display())))?;
        for e in rd {
            let e = e.map_err(OrchestrateError::io(format!("reading {}", abs.display())))?;
            let ft = e
                .file_type()
                .map_err(OrchestrateError::io(format!("reading {}", abs.display())))?;
            let r = rel.join(e.file_name());
            if ft.is_dir() {
                todo.push(r.clone());
            }
            out.push(r);
        }
    }
    out.sort();
    Ok(out)
}

/// The content hash of a build folder on top of the base image `base_id`.
pub fn content_hash(dir: &Path, base_id: &str) -> Result<String, OrchestrateError> {
    use std::os::unix::fs::PermissionsExt;
    let mut h = Sha256::new();
    h.update(base_id.as_bytes());
    h.update([0]);
    for rel in walk(dir)? {
        let abs = dir.join(&rel);
        let what = || format!("reading {}", abs.display());
        let md = std::fs::symlink_metadata(&abs).map_err(OrchestrateError::io(what()))?;
        h.update(rel.to_string_lossy().as_bytes());
        h.update([0]);
        if md.file_type().is_symlink() {
            let target = std::fs::read_link(&abs).map_err(OrchestrateError::io(what()))?;
            h.update(b"l");
            h.update(target.to_string_lossy().as_bytes());
        } else if md.is_dir() {
            h.update(b"d");
        } else {
            let exec = md.permissions().mode() & 0o111 != 0;
            h.update(if exec { b"x" } else { b"f" });
            let mut f = std::fs::File::open(&abs).map_err(OrchestrateError::io(what()))?;
            let mut buf = Vec::new();
            f.read_to_end(&mut buf)
                .map_err(OrchestrateError::io(what()))?;
            h.update((buf.len() as u64).to_le_bytes());
            h.update(&buf);
        }
        h.update([0]);
    }
    Ok(hex(&h.finalize())[..16].to_string())
}

/// The tag of a service image.
pub fn service_tag(exercise: &str, service: &str, hash: &str) -> String {
    format!("range/{exercise}-{service}:{hash}")
}

/// The scenario file inside `path` (a folder holding `scenario.yaml`, or the file itself).
pub fn scenario_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("scenario.yaml")
    } else {
        path.to_path_buf()
    }
}

/// The folder of a scenario file (relative build folders and checkers are taken from it).
pub fn scenario_dir(file: &Path) -> PathBuf {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    dir.canonicalize().unwrap_or(dir)
}

/// A service's image after `build`.
#[derive(Debug, Clone)]
pub struct ServiceImage {
    /// Service name.
    pub service: String,
    /// Image reference.
    pub image: String,
    /// Whether it was built now (false: it existed).
    pub built: bool,
}

fn build_one(
    engine: &Engine,
    exercise: &str,
    service: &str,
    dir: &Path,
    tag: &str,
    progress: Progress,
) -> Result<(), OrchestrateError> {
    if !dir.join("Dockerfile").is_file() {
        return Err(OrchestrateError::Build {
            image: tag.into(),
            message: format!("{} has no Dockerfile", dir.display()),
        });
    }
    let mut tar = tar::Builder::new(Vec::new());
    tar.follow_symlinks(false);
    tar.append_dir_all(".", dir)
        .map_err(OrchestrateError::io(format!("archiving {}", dir.display())))?;
    let context = tar
        .into_inner()
        .map_err(OrchestrateError::io(format!("archiving {}", dir.display())))?;
    let labels = HashMap::from([
        (LABEL.to_string(), exercise.to_string()),
        (LABEL_SERVICE.to_string(), service.to_string()),
    ]);
    let opts = BuildImageOptionsBuilder::default()
        .t(tag)
        .rm(true)
        .forcerm(true)
        .labels(&labels)
        .build();
    let mut stream =
        engine
            .docker()
            .build_image(opts, None, Some(bollard::body_full(context.into())));
    engine.block_on(async {
        while let Some(item) = stream.next().await {
            match item {
                Ok(info) => {
                    if let Some(line) = info.stream.as_deref().map(str::trim_end) {
                        if !line.is_empty() {
                            progress(&format!("  {service}: {line}"));
                        }
                    }
                }
                Err(e) => {
                    let message = match e {
                        bollard::errors::Error::DockerStreamError { error } => error,
                        other => other.to_string(),
                    };
                    return Err(OrchestrateError::Build {
                        image: tag.into(),
                        message,
                    });
                }
            }
        }
        Ok(())
    })
}

/// Builds every `build:` service image of `s` (after the base image) whose tag is missing.
pub fn build(
    engine: &Engine,
    s: &Scenario,
    dir: &Path,
    progress: Progress,
) -> Result<Vec<ServiceImage>, OrchestrateError> {
    let base = ensure_base(engine, progress)?;
    let mut out = Vec::new();
    for svc in &s.services {
        match &svc.source {
            ImageSource::Image(image) => {
                progress(&format!("{}: uses image {image}", svc.name));
                out.push(ServiceImage {
                    service: svc.name.clone(),
                    image: image.clone(),
                    built: false,
                });
            }
            ImageSource::Build(rel) => {
                let folder = dir.join(rel);
                let hash = content_hash(&folder, &base)?;
                let tag = service_tag(&s.name, &svc.name, &hash);
                let built = if image_id(engine, &tag)?.is_some() {
                    progress(&format!("{}: {tag} up to date", svc.name));
                    false
                } else {
                    progress(&format!(
                        "{}: building {tag} from {}",
                        svc.name,
                        folder.display()
                    ));
                    build_one(engine, &s.name, &svc.name, &folder, &tag, progress)?;
                    progress(&format!("{}: built {tag}", svc.name));
                    true
                };
                out.push(ServiceImage {
                    service: svc.name.clone(),
                    image: tag,
                    built,
                });
            }
        }
    }
    Ok(out)
}

/// The image reference of every service, checking each exists (nothing is built here).
pub fn resolve(
    engine: &Engine,
    s: &Scenario,
    dir: &Path,
) -> Result<HashMap<String, String>, OrchestrateError> {
    let mut out = HashMap::new();
    let mut base: Option<String> = None;
    for svc in &s.services {
        let image = match &svc.source {
            ImageSource::Image(image) => image.clone(),
            ImageSource::Build(rel) => {
                let base_id = match &base {
                    Some(b) => b.clone(),
                    None => {
                        let b = image_id(engine, BASE)?.ok_or_else(|| {
                            OrchestrateError::MissingImage {
                                image: BASE.into(),
                                service: svc.name.clone(),
                                hint: dir.display().to_string(),
                            }
                        })?;
                        base = Some(b.clone());
                        b
                    }
                };
                service_tag(&s.name, &svc.name, &content_hash(&dir.join(rel), &base_id)?)
            }
        };
        if image_id(engine, &image)?.is_none() {
            return Err(OrchestrateError::MissingImage {
                image,
                service: svc.name.clone(),
                hint: dir.display().to_string(),
            });
        }
        out.insert(svc.name.clone(), image);
    }
    Ok(out)
}
