"""Runs every example notebook with nbclient (a real Jupyter client), each on
a fresh demo workspace; any error output fails the test."""
import unittest
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from conftest import ROOT, fresh_home

NOTEBOOKS = sorted((ROOT / "examples" / "notebooks").glob("*.ipynb"))


class Notebooks(unittest.TestCase):
    def test_there_are_notebooks(self):
        self.assertTrue(NOTEBOOKS, "no notebooks under examples/notebooks")

    def test_every_notebook_runs_without_errors(self):
        for path in NOTEBOOKS:
            with self.subTest(notebook=path.name):
                fresh_home()
                nb = nbformat.read(path, as_version=4)
                # Paths in a notebook are relative to it, as in Jupyter.
                resources = {"metadata": {"path": str(path.parent)}}
                NotebookClient(nb, kernel_name="maestro", timeout=120, resources=resources).execute()
                outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
                self.assertFalse([o for o in outputs if o.output_type == "error"])
                self.assertTrue(any(o.output_type == "execute_result" for o in outputs))
                charts = [o for o in outputs if "image/png" in o.get("data", {})]
                if path.name == "work-management.ipynb":
                    self.assertTrue(charts, "the workload cell shows a chart")
                if path.name == "automl.ipynb":
                    # Leaderboard, confusion matrix, importance, partial dependence,
                    # contributions, rates by group, feature discovery.
                    self.assertGreaterEqual(len(charts), 6)
                    card = [o for o in outputs if "## Fairness" in o.get("data", {}).get("text/markdown", "")]
                    self.assertTrue(card, "the model card is shown as Markdown")


if __name__ == "__main__":
    unittest.main()
