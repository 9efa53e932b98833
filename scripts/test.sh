#!/usr/bin/env bash
# Every test: formatting, lints, unit, integration and end-to-end tests, the
# Jupyter protocol suite against the real kernel, the example notebooks, and the
# planner's accuracy on the labelled corpora. Needs the Rust toolchain and
# python3 (3.9+ with venv and pip); the Python packages go into ./.venv.
set -euo pipefail
# A clean checkout gains nothing from incremental artefacts, which take gigabytes.
export CARGO_INCREMENTAL=0
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# Store tests run against SQLite and a throwaway PostgreSQL server.
scripts/postgres.sh cargo test --workspace --locked

# The Qdrant suites run against a real server when QDRANT_SERVE names a
# qdrant-serve script (.ci/run sets it when ../shared/bin has one).
if [ -n "${QDRANT_SERVE:-}" ]; then
    echo "== Qdrant suites against a real Qdrant server"
    qdrant_dir=$(mktemp -d)
    trap 'kill "$(cat "$qdrant_dir/qdrant.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$qdrant_dir"' EXIT
    qdrant_url=$("$QDRANT_SERVE" "$qdrant_dir" 16333 16334)
    # --workspace keeps the workspace's feature set, so nothing is built twice
    # (`-p` would resolve features anew and rebuild every dependency).
    MAESTRO_QDRANT_URL="$qdrant_url" MAESTRO_REQUIRE_QDRANT=1 \
        cargo test --workspace --locked --test suite --test qdrant
else
    echo "== Qdrant suites skipped: set QDRANT_SERVE=path/to/qdrant-serve to run them"
fi

echo "== Jupyter: jupyter_kernel_test, front-end behaviour, example notebooks, JupyterLab in Chromium"
scripts/python-env.sh
# A real browser for the JupyterLab and console tests: Debian's Chromium and its driver.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "== installing Chromium and chromedriver (Debian packages)"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# The workspace test run above built the binary; building it alone with `-p`
# would resolve features anew and rebuild every dependency.
maestro="$PWD/target/debug/maestro"
MAESTRO_REQUIRE_BROWSER=1 MAESTRO_BIN="$maestro" \
    .venv/bin/python -m pytest -q -rs kernel/tests/jupyter

echo "== Web console: every page in headless Chromium (screenshots in target/console-screenshots)"
MAESTRO_REQUIRE_BROWSER=1 MAESTRO_BIN="$maestro" MAESTRO_ARTIFACTS="$PWD/target/console-screenshots" \
    .venv/bin/python -m pytest -q -rs server/tests/console

echo "== Python SDK: maestro_client against a real maestro serve, and its IPython extension in a notebook"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall ./python
MAESTRO_BIN="$maestro" .venv/bin/python -m pytest -q -rs python/tests

echo "== MCP: the official Python SDK over stdio and HTTP, and the MCP Inspector"
if ! command -v npm >/dev/null; then
    echo "== installing Node.js and npm (Debian packages)"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nodejs npm >/dev/null
fi
npm ci --prefix mcp/tests/clients --no-audit --no-fund --ignore-scripts --loglevel=error
MAESTRO_REQUIRE_INSPECTOR=1 MAESTRO_BIN="$maestro" .venv/bin/python -m pytest -q -rs mcp/tests/clients

echo "== Planner accuracy"
"$maestro" eval examples/eval/work.jsonl
echo "held-out corpus (reported, not tuned on):"
"$maestro" eval examples/eval/work_holdout.jsonl
echo "== planner on data and model requests (development and held-out corpora)"
"$maestro" eval examples/eval/ml.jsonl
"$maestro" eval examples/eval/sessions.jsonl
"$maestro" eval examples/eval/ml_holdout.jsonl
echo "development requests typed as in Slack (chat_dev is trained on, chat_dev2 and chat_dev3 are not):"
"$maestro" eval examples/eval/chat_dev.jsonl
"$maestro" eval examples/eval/chat_dev2.jsonl
"$maestro" eval examples/eval/chat_dev3.jsonl
echo "development messages that ask for nothing (not trained on):"
"$maestro" eval examples/eval/chat_none_dev.jsonl
echo "held-out requests typed as in Slack, with multi-turn sessions (reported, not tuned on):"
"$maestro" eval examples/eval/chat_holdout.jsonl
echo "recurring tasks, reminders and digests (autopilot.jsonl is not trained on; the held-out one is reported, not tuned on):"
"$maestro" eval examples/eval/autopilot.jsonl
"$maestro" eval examples/eval/autopilot_holdout.jsonl

echo "== Work intelligence (shipped history, then another seed)"
"$maestro" eval work \
    --history examples/history/task_history.csv --people examples/history/task_history_people.csv
seeded=$(mktemp -d)
python3 examples/history/generate_task_history.py 7 "$seeded"
"$maestro" eval work \
    --history "$seeded/task_history.csv" --people "$seeded/task_history_people.csv"
rm -rf "$seeded"
