#!/usr/bin/env bash
# The project's test command (README): formatting, lints, then every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -j2 -- -D warnings
cargo test --workspace -j2 --release
