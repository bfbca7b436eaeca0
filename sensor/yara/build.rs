//! Build script: when the default `yara` feature is on, finds the system libyara, checks that its
//! headers (if present) are YARA 4.x (the FFI struct layouts are written for 4.x), and links it.
//! A missing library is a hard build error naming the Debian package to install.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// Library directories searched for `libyara.so` (after `YARA_LIB_DIR` and `LIBRARY_PATH`).
const LIB_DIRS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/lib",
    "/usr/local/lib64",
];

/// Header locations used for the version check.
const HEADERS: &[&str] = &[
    "/usr/include/yara/libyara.h",
    "/usr/local/include/yara/libyara.h",
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=YARA_LIB_DIR");
    println!("cargo::rerun-if-env-changed=LIBRARY_PATH");

    if env::var_os("CARGO_FEATURE_YARA").is_none() {
        return;
    }
    let Some(dir) = find_lib_dir() else {
        eprintln!(
            "error: sensor-yara: libyara not found (looked for libyara.so in $YARA_LIB_DIR, \
             $LIBRARY_PATH and {}).\n\
             Install the YARA development package:  apt-get install libyara-dev\n\
             or point YARA_LIB_DIR at the directory holding libyara.so, or build without \
             YARA support (`--no-default-features` on sensor-yara).",
            LIB_DIRS.join(", ")
        );
        std::process::exit(1);
    };
    check_header_version();
    println!(
        "cargo::rerun-if-changed={}",
        dir.join("libyara.so").display()
    );
    println!("cargo::rustc-link-search=native={}", dir.display());
    println!("cargo::rustc-link-lib=dylib=yara");
}

/// Returns the first directory containing `libyara.so` (the linker name; the runtime-only
/// `libyara.so.N` is not enough to link).
fn find_lib_dir() -> Option<PathBuf> {
    let from_env = env::var_os("YARA_LIB_DIR").map(PathBuf::from);
    let from_library_path: Vec<PathBuf> = env::var_os("LIBRARY_PATH")
        .map(|v| env::split_paths(&v).collect())
        .unwrap_or_default();
    from_env
        .into_iter()
        .chain(from_library_path)
        .chain(LIB_DIRS.iter().map(PathBuf::from))
        .find(|dir| dir.join("libyara.so").exists())
}

/// Fails the build when the installed headers are not YARA 4.x; warns when no header is found.
fn check_header_version() {
    let Some(header) = HEADERS.iter().map(Path::new).find(|p| p.is_file()) else {
        println!(
            "cargo::warning=sensor-yara: yara/libyara.h not found; cannot verify the libyara \
             version (the FFI layouts assume YARA 4.x)"
        );
        return;
    };
    println!("cargo::rerun-if-changed={}", header.display());
    let Ok(text) = fs::read_to_string(header) else {
        return;
    };
    let major = text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("#define YR_MAJOR_VERSION")?;
        rest.trim().parse::<u32>().ok()
    });
    match major {
        Some(4) => {}
        Some(other) => {
            eprintln!(
                "error: sensor-yara: {} declares YARA {other}.x, but the hand-written FFI \
                 layouts are for YARA 4.x (install libyara-dev 4.x)",
                header.display()
            );
            std::process::exit(1);
        }
        None => println!(
            "cargo::warning=sensor-yara: could not read YR_MAJOR_VERSION from {}",
            header.display()
        ),
    }
}
