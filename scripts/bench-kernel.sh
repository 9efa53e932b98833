#!/usr/bin/env bash
# Maestro's kernel against ipykernel on this machine, back to back: start-up,
# execute p50/p95 over 200 runs (a read-only request on 1,000 tasks for
# Maestro, `1+1` for ipykernel), complete and inspect p50, RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/python-env.sh
cargo build --release --locked -p maestro-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
maestro="$PWD/target/release/maestro"
export MAESTRO_HOME="$work/home" MAESTRO_USER="Alice Johnson" JUPYTER_PATH="$work/share/jupyter"
"$maestro" demo >/dev/null
.venv/bin/python - "$work/tasks.csv" <<'PY'
import csv, random, sys
random.seed(7)
people = ["Alice Johnson", "Bob Smith", "Carol Diaz", "Dave Kim", "Erin Walsh"]
projects = ["Platform", "Mobile App", "Website", "Billing"]
verbs = ["Fix", "Write", "Review", "Migrate", "Design", "Test", "Refactor", "Document"]
things = ["login flow", "billing export", "search index", "push service", "dashboard", "API keys", "CI cache", "onboarding docs"]
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["title", "assignee", "project", "priority", "estimate_hours", "status"])
    for i in range(988):
        w.writerow([f"{random.choice(verbs)} the {random.choice(things)} ({i})", random.choice(people),
                    random.choice(projects), random.choice(["low", "medium", "high", "urgent"]),
                    random.randint(1, 16), random.choice(["todo", "in_progress", "done"])])
PY
"$maestro" import tasks "$work/tasks.csv"
"$maestro" kernel install --prefix "$work" >/dev/null
.venv/bin/python -m ipykernel install --prefix "$work" --name python3 >/dev/null
.venv/bin/python kernel/benches/compare_ipykernel.py maestro python3
