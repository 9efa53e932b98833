#!/usr/bin/env bash
# Every test: formatting, lints, unit, integration and end-to-end tests, and
# the planner's accuracy on the labelled corpus. Needs only the Rust toolchain
# (SQLite is compiled in); nothing else to install or start for these tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
cargo run --quiet --locked -p maestro-cli -- eval examples/eval/work.jsonl
echo "held-out corpus (reported, not tuned on):"
cargo run --quiet --locked -p maestro-cli -- eval examples/eval/work_holdout.jsonl
