#!/usr/bin/env bash
# Fuzzes the wire-level parsers for longer than the test command does (3 s
# each there): the kernel's message decoding, signed Slack requests through
# the real server, and the assembly of a language model's streamed answer.
#   scripts/fuzz.sh [SECONDS per target, default 300]
# A failure prints its seed; replay it with MAESTRO_FUZZ_SEED=SEED.
set -euo pipefail
cd "$(dirname "$0")/.."
export MAESTRO_FUZZ_SECONDS="${1:-300}"
cargo test --release -p maestro-kernel --lib fuzz_ -- --nocapture
cargo test --release -p maestro-server --test slack fuzz_ -- --nocapture
cargo test --release -p maestro-assistant --lib fuzz_ -- --nocapture
