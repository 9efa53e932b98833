"""Shared set-up: a fresh Maestro home with the demo workspace for each test
module, and the `maestro` kernelspec installed where Jupyter looks."""
import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MAESTRO = os.environ.get("MAESTRO_BIN", str(ROOT / "target" / "debug" / "maestro"))
SPECS = tempfile.mkdtemp(prefix="maestro-kernelspec-")

subprocess.run([MAESTRO, "kernel", "install", "--prefix", SPECS], check=True, capture_output=True)
os.environ["JUPYTER_PATH"] = os.path.join(SPECS, "share", "jupyter")


def fresh_home() -> str:
    """A new MAESTRO_HOME holding the demo workspace; kernels started after
    this call use it (they inherit the environment)."""
    home = tempfile.mkdtemp(prefix="maestro-home-")
    subprocess.run([MAESTRO, "--home", home, "demo"], check=True, capture_output=True)
    os.environ["MAESTRO_HOME"] = home
    os.environ["MAESTRO_USER"] = "Alice Johnson"
    return home
