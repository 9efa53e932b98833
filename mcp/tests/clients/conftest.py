"""Shared set-up for the MCP client tests: a fresh Maestro home with the demo
workspace, `maestro mcp` as a stdio server, `maestro serve` for /mcp, and
clients from the official MCP Python SDK (`mcp` on PyPI)."""
import asyncio
import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
import mcp.types as types

ROOT = Path(__file__).resolve().parents[3]
MAESTRO = os.environ.get("MAESTRO_BIN", str(ROOT / "target" / "debug" / "maestro"))
ACTOR = "Alice Johnson"
# "legacy" is the initialize handshake (2025-11-25); "auto" discovers 2026-07-28.
MODES = {"legacy": "2025-11-25", "auto": "2026-07-28"}


def maestro(home: str, *args: str) -> str:
    """Runs the CLI and returns its standard output (failing loudly)."""
    done = subprocess.run([MAESTRO, "--home", home, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def fresh_home() -> str:
    """A new home holding the demo workspace."""
    home = tempfile.mkdtemp(prefix="maestro-mcp-")
    maestro(home, "demo")
    return home


def stdio(home: str, *flags: str, env: dict | None = None) -> StdioServerParameters:
    """`maestro mcp` in `home`, speaking as Alice (with `env` added to the
    SDK's default environment for servers)."""
    from mcp.client.stdio import get_default_environment
    return StdioServerParameters(command=MAESTRO, args=["--home", home, "--as", ACTOR, "mcp", *flags],
                                 env={**get_default_environment(), **(env or {})})


class Human:
    """Answers the server's questions as a person at the client would, and
    remembers what was asked."""

    def __init__(self, answer: str = "accept", approve: bool = True):
        self.answer, self.approve, self.asked = answer, approve, []

    async def __call__(self, context, params):
        self.asked.append(params.message)
        content = {"approve": self.approve} if self.answer == "accept" else None
        return types.ElicitResult(action=self.answer, content=content)


def run(coroutine):
    return asyncio.run(coroutine)


def text(result) -> str:
    return "\n".join(c.text for c in result.content if c.type == "text")


def audit(home: str, tool: str) -> list[tuple[str, str | None, str]]:
    """The audit log's (status, actor, result) rows for `tool`, oldest first."""
    with contextlib.closing(sqlite3.connect(Path(home) / "maestro.db")) as db:
        return db.execute(
            "SELECT status, actor, result FROM audit_log WHERE tool = ? ORDER BY id", (tool,)
        ).fetchall()


def tasks(home: str) -> list[dict]:
    """Every task of the default workspace, as `maestro tasks list --json --all` shows them."""
    return json.loads(maestro(home, "tasks", "list", "--json", "--all"))


def task_titles(home: str) -> list[str]:
    return [t["title"] for t in tasks(home)]


def task_ids(home: str) -> list[int]:
    return [t["id"] for t in tasks(home)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(home: str):
    """`maestro serve` on a free loopback port; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [MAESTRO, "--home", home, "serve", "--addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def token(home: str, workspace: str, name: str, scope: str = "write") -> str:
    out = maestro(home, "token", "create", "--workspace", workspace, "--name", name, "--scope", scope, "--json")
    return json.loads(out)["token"]


def over_http(url: str, secret: str, mode: str = "auto", **kwargs) -> Client:
    """A client of `url`/mcp that sends `secret` as its bearer token."""
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {secret}"}, timeout=60)
    return Client(streamable_http_client(f"{url}/mcp", http_client=http), mode=mode, **kwargs)
