"""A real `maestro serve` on 127.0.0.1 over a fresh home with the demo
workspace, a write and a read token, and a data directory it may read."""
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from maestro_site import maestro, serve, token  # noqa: E402


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
    server, url = serve(home, data)
    yield Site(url, write, read, data)
    server.terminate()
    server.wait(timeout=30)
