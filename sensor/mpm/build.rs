//! Build script: probes for the system Hyperscan library (libhs) and, when found and the
//! `hyperscan` feature is enabled, links it and sets `cfg(has_hyperscan)`.

use std::env;
use std::path::{Path, PathBuf};

/// Library directories searched for `libhs.so` (after `HYPERSCAN_LIB_DIR`).
const LIB_DIRS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/lib",
    "/usr/local/lib64",
];

/// Header locations accepted as evidence that the development package is installed.
const HEADERS: &[&str] = &["/usr/include/hs/hs.h", "/usr/local/include/hs/hs.h"];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_hyperscan)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=HYPERSCAN_LIB_DIR");

    if env::var_os("CARGO_FEATURE_HYPERSCAN").is_none() {
        return;
    }
    let Some(dir) = find_lib_dir() else {
        println!(
            "cargo::warning=sensor-mpm: libhs (Hyperscan) not found (looked for libhs.so in \
             $HYPERSCAN_LIB_DIR and {}); building with the Aho-Corasick backend only. \
             Install libhyperscan-dev to enable it.",
            LIB_DIRS.join(", ")
        );
        return;
    };
    let header = HEADERS.iter().map(Path::new).find(|p| p.is_file());
    match header {
        Some(h) => println!("cargo::rerun-if-changed={}", h.display()),
        None => println!(
            "cargo::warning=sensor-mpm: libhs found in {} but hs/hs.h is missing; \
             linking anyway (the FFI declarations are self-contained)",
            dir.display()
        ),
    }
    let so = dir.join("libhs.so");
    if so.exists() {
        println!("cargo::rerun-if-changed={}", so.display());
    }
    println!("cargo::rustc-link-search=native={}", dir.display());
    println!("cargo::rustc-link-lib=dylib=hs");
    println!("cargo::rustc-cfg=has_hyperscan");
}

/// Returns the first directory containing `libhs.so`.
fn find_lib_dir() -> Option<PathBuf> {
    let from_env = env::var_os("HYPERSCAN_LIB_DIR").map(PathBuf::from);
    from_env
        .into_iter()
        .chain(LIB_DIRS.iter().map(PathBuf::from))
        .find(|dir| dir.join("libhs.so").exists())
}
