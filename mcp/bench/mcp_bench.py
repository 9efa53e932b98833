"""MCP speed, measured with the official Python SDK as the client:

1. a `tools/call` round trip over stdio (p50 of 200 `list_tasks` calls on one
   `maestro mcp` session) beside a `maestro ask` process for the same request
   (p50 of 20 runs, start-up included);
2. 32 concurrent MCP sessions over streamable HTTP against `maestro serve`
   for 30 s, each calling `list_tasks` in a loop: calls, errors, p50 and p99.

    .venv/bin/python mcp/bench/mcp_bench.py [path/to/maestro]   (default: target/release/maestro)
"""
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "clients"))
import conftest  # noqa: E402

if len(sys.argv) > 1:
    conftest.MAESTRO = sys.argv[1]
else:
    conftest.MAESTRO = str(conftest.ROOT / "target" / "release" / "maestro")

from mcp import Client  # noqa: E402

SESSIONS, SECONDS = 32, 30


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def stdio_round_trips(home):
    async with Client(conftest.stdio(home)) as client:
        await client.call_tool("list_tasks", {})
        times = []
        for _ in range(200):
            started = time.perf_counter()
            await client.call_tool("list_tasks", {})
            times.append(time.perf_counter() - started)
    return times


def ask_processes(home):
    times = []
    for _ in range(20):
        started = time.perf_counter()
        subprocess.run([conftest.MAESTRO, "--home", home, "--as", conftest.ACTOR, "ask", "list tasks"],
                       check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


async def one_session(url, secret, deadline, times, errors):
    async with conftest.over_http(url, secret) as client:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                result = await client.call_tool("list_tasks", {})
                if result.is_error:
                    errors.append(result.content[0].text)
            except Exception as e:  # a protocol or transport failure
                errors.append(repr(e))
            times.append(time.perf_counter() - started)


async def concurrent_sessions(url, secret):
    times, errors = [], []
    deadline = time.perf_counter() + SECONDS
    await asyncio.gather(*(one_session(url, secret, deadline, times, errors) for _ in range(SESSIONS)))
    return times, errors


def main():
    home = conftest.fresh_home()
    stdio = asyncio.run(stdio_round_trips(home))
    asked = ask_processes(home)
    print(f"tools/call over stdio: p50 {statistics.median(stdio) * 1000:.2f} ms "
          f"(p99 {percentile(stdio, 0.99) * 1000:.2f} ms, {len(stdio)} calls)")
    print(f"`maestro ask \"list tasks\"` process: p50 {statistics.median(asked) * 1000:.1f} ms ({len(asked)} runs)")
    secret = conftest.token(home, "default", "bench")
    with conftest.served(home) as url:
        times, errors = asyncio.run(concurrent_sessions(url, secret))
    print(f"{SESSIONS} HTTP MCP sessions for {SECONDS} s: {len(times)} calls, {len(errors)} errors, "
          f"p50 {statistics.median(times) * 1000:.1f} ms, p99 {percentile(times, 0.99) * 1000:.1f} ms")
    if errors:
        print("first error:", errors[0])


if __name__ == "__main__":
    main()
