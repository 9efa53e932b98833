"""A real `maestro serve` on 127.0.0.1 over a fresh home with the demo
workspace, a write and a read token, and a data directory it may read."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
MAESTRO = os.environ.get("MAESTRO_BIN", str(ROOT / "target" / "debug" / "maestro"))


def maestro(home: str, *args: str) -> str:
    done = subprocess.run([MAESTRO, "--home", home, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def token(home: str, name: str, scope: str) -> str:
    out = maestro(home, "token", "create", "--workspace", "default", "--name", name, "--scope", scope, "--json")
    return json.loads(out)["token"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    def __init__(self, url: str, write: str, read: str, data: Path):
        self.url, self.write, self.read, self.data = url, write, read, data


@pytest.fixture(scope="session")
def site():
    home = tempfile.mkdtemp(prefix="maestro-sdk-")
    maestro(home, "demo")
    data = Path(home) / "data"
    data.mkdir()
    for name in ("churn.csv", "new_customers.csv", "iris.csv"):
        shutil.copy(ROOT / "examples" / "data" / name, data / name)
    write, read = token(home, "sdk", "write"), token(home, "reader", "read")
    port = free_port()
    server = subprocess.Popen(
        [MAESTRO, "--home", home, "serve", "--addr", f"127.0.0.1:{port}"],
        env={**os.environ, "MAESTRO_DATA_ROOTS": str(data)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            httpx.get(f"{url}/healthz", timeout=2)
            break
        except httpx.TransportError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)
    yield Site(url, write, read, data)
    server.terminate()
    server.wait(timeout=30)
