"""What the Python suites that start `maestro serve` share: the CLI, tokens,
and a server on a free 127.0.0.1 port that answers /healthz.
"""
import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAESTRO = os.environ.get("MAESTRO_BIN", str(ROOT / "target" / "debug" / "maestro"))


def maestro(home: str, *args: str) -> str:
    """Runs the CLI in `home`; its standard output (failing loudly)."""
    done = subprocess.run([MAESTRO, "--home", home, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def token(home: str, name: str, scope: str) -> str:
    """A new token for the default workspace."""
    out = maestro(home, "token", "create", "--workspace", "default", "--name", name, "--scope", scope, "--json")
    return json.loads(out)["token"]


def serve(home: str, data_roots: Path) -> tuple[subprocess.Popen, str]:
    """`maestro serve` over `home`, reading files under `data_roots`: the
    process and its base URL, once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [MAESTRO, "--home", home, "serve", "--addr", f"127.0.0.1:{port}"],
        env={**os.environ, "MAESTRO_DATA_ROOTS": str(data_roots)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            return server, base
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(f"maestro serve did not answer at {base}")
            time.sleep(0.2)
