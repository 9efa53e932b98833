"""A real JupyterLab in a headless Chromium shows Maestro's tables as
tables: a notebook run through the kernel is opened in the browser and its
outputs must render as HTML tables, never as a collapsed JSON tree.

Needs Debian's `chromium` and `chromium-driver` (scripts/test.sh installs
them); without them the test says it skipped, unless MAESTRO_REQUIRE_BROWSER=1."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from conftest import fresh_home

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
REQUIRED = os.environ.get("MAESTRO_REQUIRE_BROWSER") == "1"
TOKEN = "maestro-lab-test"


def json_trees(outputs):
    """The outputs JupyterLab drew with its JSON viewer."""
    return [o for o in outputs if "jp-RenderedJSON" in o.get_attribute("class").split()]


def rendered(output) -> bool:
    """Whether a renderer has drawn the output (it carries a jp-Rendered… class)."""
    return any(c.startswith("jp-Rendered") for c in output.get_attribute("class").split())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {seconds} s")


@unittest.skipUnless(
    (CHROMIUM and DRIVER) or REQUIRED,
    "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
)
class TablesInJupyterLab(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not (CHROMIUM and DRIVER):
            raise RuntimeError(
                "MAESTRO_REQUIRE_BROWSER=1 but chromium or chromedriver is missing: apt-get install chromium chromium-driver"
            )
        fresh_home()
        cls.dir = Path(tempfile.mkdtemp(prefix="maestro-lab-"))
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "maestro", "display_name": "Maestro", "language": "maestro"}
        notebook.cells = [nbformat.v4.new_code_cell(c) for c in ("list tasks", "who is on the team?")]
        NotebookClient(notebook, kernel_name="maestro", timeout=60).execute()
        nbformat.write(notebook, cls.dir / "tables.ipynb")
        # The same outputs as the kernel used to send them, with the result
        # as plain application/json: what JupyterLab showed as JSON trees.
        for cell in notebook.cells:
            for output in cell.outputs:
                data = output.get("data", {})
                if "application/vnd.maestro.result+json" in data:
                    data["application/json"] = data.pop("application/vnd.maestro.result+json")
        nbformat.write(notebook, cls.dir / "before.ipynb")
        cls.port = free_port()
        private = {k: str(cls.dir / f".{k.lower()}") for k in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR")}
        cls.lab = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={cls.port}", "--ip=127.0.0.1",
             f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={cls.dir}",
             f"--LabApp.user_settings_dir={cls.dir / '.settings'}",
             f"--LabApp.workspaces_dir={cls.dir / '.workspaces'}"],
            env={**os.environ, **private},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"http://127.0.0.1:{cls.port}/api/status?token={TOKEN}", 60)
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
            options.add_argument(flag)
        os.environ["SE_OFFLINE"] = "true"  # never let Selenium look for drivers online
        cls.browser = webdriver.Chrome(service=Service(DRIVER), options=options)

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        cls.lab.terminate()
        cls.lab.wait(timeout=30)

    def outputs(self, notebook: str):
        """Opens a notebook and waits until its own outputs are drawn (each cell's
        reply and result), each by its renderer: JupyterLab loads some (the
        JSON viewer) lazily, so an output can stand unrendered for a moment."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        # A blank page first, and the notebook's name in the title after: the
        # previous notebook's outputs must never be counted as this one's.
        self.browser.get("about:blank")
        self.browser.get(f"http://127.0.0.1:{self.port}/lab/tree/{notebook}?token={TOKEN}")
        return WebDriverWait(self.browser, 90).until(
            lambda b: b.title.startswith(notebook)
            and len(found := b.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")) >= 4
            and all(rendered(o) for o in found)
            and found
        )

    def test_tables_render_as_tables_not_json_trees(self):
        from selenium.webdriver.common.by import By

        outputs = self.outputs("tables.ipynb")
        tables = [t for o in outputs for t in o.find_elements(By.TAG_NAME, "table")]
        self.assertGreaterEqual(len(tables), 2, [o.text[:80] for o in outputs])
        self.assertIn("Alice Johnson", " ".join(t.text for t in tables))
        self.assertTrue(all(t.find_elements(By.TAG_NAME, "th") for t in tables), "tables have headers")
        self.assertEqual(json_trees(outputs), [], "no output is a JSON tree")

    def test_the_old_media_type_showed_json_trees(self):
        """The check above can fail: outputs carrying application/json are trees."""
        outputs = self.outputs("before.ipynb")
        self.assertEqual(len(json_trees(outputs)), 2, [o.text[:80] for o in outputs])


if __name__ == "__main__":
    unittest.main()
