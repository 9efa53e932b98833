"""How much the client adds to a request: `client.tasks.list()` (a request,
the JSON, a DataFrame) against the raw HTTP request and its JSON, p50 and
p90 over N rounds each, alternating. Against a running server:

    MAESTRO_URL=http://127.0.0.1:8080 MAESTRO_TOKEN=mst_… .venv/bin/python python/bench/tasks_list.py [N]
"""
import os
import statistics
import sys
import time

import httpx

from maestro_client import Client


def timed(call, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return sorted(out)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    url, token = os.environ["MAESTRO_URL"], os.environ["MAESTRO_TOKEN"]
    client = Client(url, token)
    raw = httpx.Client(base_url=url, headers={"authorization": f"Bearer {token}"})
    rows = len(client.tasks.list())
    for _ in range(20):  # warm both connections
        raw.get("/v1/tasks").json()
        client.tasks.list()
    for label, call in [("raw httpx GET /v1/tasks + .json()", lambda: raw.get("/v1/tasks").json()),
                        ("client.tasks.list() -> DataFrame", client.tasks.list)]:
        times = timed(call, rounds)
        p90 = times[int(len(times) * 0.9)]
        print(f"{label:<36} p50 {statistics.median(times):6.2f} ms   p90 {p90:6.2f} ms   ({rows} tasks, {rounds} rounds)")


if __name__ == "__main__":
    main()
