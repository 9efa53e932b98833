"""Maestro's kernel and ipykernel, measured back to back with jupyter_client.

For each kernel: launch → first kernel_info_reply, execute round trips (p50,
p95 over RUNS), complete and inspect round trips (p50), and RSS after start and
after the runs. Run through scripts/bench-kernel.sh, which builds the release
binary and a workspace of 1,000 tasks.
"""
import json
import statistics
import sys
import time
from queue import Empty

from jupyter_client.manager import KernelManager

RUNS = 200

WORKLOADS = {
    "maestro": {
        "execute": "what is Alice working on?",
        "complete": ("assign it to Ali", 16),
        "inspect": ("create_task", 3),
    },
    "python3": {
        "execute": "1+1",
        "complete": ("pri", 3),
        "inspect": ("print", 3),
    },
}


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reply_to(kc, msg_id):
    while True:
        msg = kc.get_shell_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def idle(kc, msg_id):
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return


def timed(kc, send):
    start = time.perf_counter()
    msg_id = send()
    reply_to(kc, msg_id)
    elapsed = time.perf_counter() - start
    idle(kc, msg_id)
    return elapsed


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def measure(name):
    work = WORKLOADS[name]
    km = KernelManager(kernel_name=name)
    start = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    while True:  # first kernel_info_reply, polling as clients do
        msg_id = kc.kernel_info()
        try:
            reply_to_deadline = time.perf_counter() + 0.5
            while time.perf_counter() < reply_to_deadline:
                msg = kc.get_shell_msg(timeout=0.5)
                if msg["parent_header"].get("msg_id") == msg_id:
                    raise StopIteration
        except Empty:
            continue
        except StopIteration:
            break
    startup = (time.perf_counter() - start) * 1000
    pid = km.provisioner.process.pid
    time.sleep(0.5)
    while True:
        try:
            kc.get_iopub_msg(timeout=0.2)
        except Empty:
            break
    rss_start = rss_mb(pid)
    timed(kc, lambda: kc.execute(work["execute"]))  # warm-up (the assistant loads lazily)
    execute = [timed(kc, lambda: kc.execute(work["execute"], store_history=False)) for _ in range(RUNS)]
    code, pos = work["complete"]
    complete = [timed(kc, lambda: kc.complete(code, pos)) for _ in range(50)]
    code, pos = work["inspect"]
    inspect = [timed(kc, lambda: kc.inspect(code, pos)) for _ in range(50)]
    rss_end = rss_mb(pid)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return {
        "kernel": name,
        "execute_code": work["execute"],
        "startup_ms": round(startup, 1),
        "execute_p50_ms": round(pct(execute, 0.5), 2),
        "execute_p95_ms": round(pct(execute, 0.95), 2),
        "complete_p50_ms": round(pct(complete, 0.5), 2),
        "inspect_p50_ms": round(pct(inspect, 0.5), 2),
        "rss_start_mb": round(rss_start, 1),
        "rss_after_runs_mb": round(rss_end, 1),
    }


def main():
    results = [measure(name) for name in sys.argv[1:] or ["maestro", "python3"]]
    keys = [k for k in results[0] if k not in ("kernel", "execute_code")]
    print(f"{'':22}" + "".join(f"{r['kernel']:>14}" for r in results))
    for k in keys:
        print(f"{k:22}" + "".join(f"{r[k]:>14}" for r in results))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
