#!/usr/bin/env bash
# Creates ./.venv with the Python packages the kernel tests, notebooks and
# benchmarks use (pinned in kernel/tests/jupyter/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=kernel/tests/jupyter/requirements.txt
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
# Reinstall only when the pins change.
if ! cmp -s "$requirements" .venv/requirements.installed; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" .venv/requirements.installed
fi
