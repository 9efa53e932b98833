#!/usr/bin/env bash
# A cold `maestro ask` on a fresh home against `/usr/bin/python3 -c pass`,
# back to back on this machine: the median of 9 runs of each request, each
# run on a new MAESTRO_HOME, and its ratio to the interpreter's start.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p maestro-cli
/usr/bin/python3 - "$PWD/target/release/maestro" <<'PY'
import os, shutil, statistics, subprocess, sys, tempfile, time

maestro = sys.argv[1]
requests = [
    "create a task for bob to fix the login bug by friday",
    "list bob's open tasks",
    "train a model on churn predicting churned",
    "what's the weather like",
]

def seconds(cmd, env=None):
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start

python = statistics.median(seconds(["/usr/bin/python3", "-c", "pass"]) for _ in range(11))
for text in requests:
    runs = []
    for _ in range(9):
        home = tempfile.mkdtemp()
        env = dict(os.environ, HOME=home, MAESTRO_HOME=os.path.join(home, "maestro"))
        runs.append(seconds([maestro, "ask", text], env))
        shutil.rmtree(home)
    ask = statistics.median(runs)
    print(f"{text:55} {ask * 1000:6.1f} ms  {ask / python:4.1f}x")
print(f"{'/usr/bin/python3 -c pass':55} {python * 1000:6.1f} ms")
PY
