//! Without Docker: the base image archive, content hashes of build folders, and the plan of
//! Docker objects.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use range::orchestrate::images::{base_tar, content_hash, service_tag, BUSYBOX};
use range::orchestrate::plan::{ImagePlan, Plan};

#[test]
fn base_archive_has_busybox_applets_users_and_tmp() {
    assert!(
        Path::new(BUSYBOX).exists(),
        "{BUSYBOX} is missing: install busybox-static"
    );
    let (tar, sha) = base_tar(Path::new(BUSYBOX)).unwrap();
    assert_eq!(sha.len(), 64);
    let mut a = tar::Archive::new(tar.as_slice());
    let mut seen = std::collections::HashMap::new();
    let mut passwd = String::new();
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().display().to_string();
        let h = e.header().clone();
        if path == "etc/passwd" {
            e.read_to_string(&mut passwd).unwrap();
        }
        let link = e.link_name().unwrap().map(|l| l.display().to_string());
        seen.insert(
            path,
            (h.entry_type(), h.mode().unwrap(), link, h.uid().unwrap()),
        );
    }
    let bb = &seen["bin/busybox"];
    assert!(bb.0.is_file() && bb.1 == 0o755 && bb.3 == 0);
    for applet in ["bin/sh", "usr/bin/wget", "usr/bin/nc", "usr/sbin/httpd"] {
        let e = seen.get(applet).unwrap_or_else(|| panic!("no {applet}"));
        assert!(e.0.is_symlink(), "{applet}");
        assert_eq!(e.2.as_deref(), Some("/bin/busybox"), "{applet}");
    }
    assert_eq!(seen["tmp/"].1, 0o1777);
    assert!(passwd.contains("root:x:0:0:") && passwd.contains("nobody:x:65534:65534:"));
    assert!(seen.contains_key("etc/group"));
}

#[test]
fn content_hash_follows_every_input() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("Dockerfile"), "FROM range-base/busybox:1\n").unwrap();
    std::fs::create_dir(d.path().join("www")).unwrap();
    std::fs::write(d.path().join("www/index.html"), "hi").unwrap();
    let h0 = content_hash(d.path(), "sha256:base1").unwrap();
    assert_eq!(h0.len(), 16);
    assert_eq!(
        h0,
        content_hash(d.path(), "sha256:base1").unwrap(),
        "stable"
    );
    assert_ne!(
        h0,
        content_hash(d.path(), "sha256:base2").unwrap(),
        "base id"
    );
    std::fs::write(d.path().join("www/index.html"), "ho").unwrap();
    let h1 = content_hash(d.path(), "sha256:base1").unwrap();
    assert_ne!(h0, h1, "file contents");
    std::fs::set_permissions(
        d.path().join("www/index.html"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let h2 = content_hash(d.path(), "sha256:base1").unwrap();
    assert_ne!(h1, h2, "executable bit");
    std::fs::write(d.path().join("www/new"), "").unwrap();
    assert_ne!(
        h2,
        content_hash(d.path(), "sha256:base1").unwrap(),
        "new file"
    );
    assert_eq!(
        service_tag("ad-basic", "notes", &h0),
        format!("range/ad-basic-notes:{h0}")
    );
    assert!(content_hash(&d.path().join("missing"), "x").is_err());
}

#[test]
fn plan_is_one_network_with_fixed_addresses_and_limits() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/ad-basic/scenario.yaml");
    let s = range::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let p = Plan::of(&s);
    assert_eq!(p.network.name, "range-ad-basic");
    assert_eq!(p.network.subnet, "10.60.0.0/16");
    assert_eq!(p.network.gateway, "10.60.0.1");
    assert_eq!(p.game_server, "10.60.0.1");
    let names: Vec<(&str, &str)> = p
        .containers
        .iter()
        .map(|c| (c.name.as_str(), c.ip.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("range-ad-basic-alpha-notes", "10.60.1.2"),
            ("range-ad-basic-alpha-vault", "10.60.1.3"),
            ("range-ad-basic-bravo-notes", "10.60.2.2"),
            ("range-ad-basic-bravo-vault", "10.60.2.3"),
        ]
    );
    let notes = &p.containers[0];
    assert_eq!(notes.image, ImagePlan::Build("services/notes".into()));
    assert_eq!(notes.memory, 128 << 20);
    assert_eq!(notes.nano_cpus, 500_000_000);
    assert_eq!(notes.pids, 64);
    assert_eq!(p, Plan::of(&s), "deterministic");
}
