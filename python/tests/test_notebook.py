"""The IPython extension in a notebook run by nbclient on a real ipykernel."""
import nbformat
from nbclient import NotebookClient


def outputs(cell):
    return [o for o in cell.outputs if o.output_type in ("display_data", "execute_result", "stream")]


def test_magics_show_tables_charts_and_keep_the_last_answer(site):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in (
        "%load_ext maestro_client",
        f"%maestro_connect {site.url} {site.write}",
        "%maestro list the open tasks",
        "%%maestro\nwho is on the team?\nshow the workload",
        "len(_maestro.tables), len(_maestro.charts), type(_maestro.tables[0]).__name__",
        "%maestro_connect http://127.0.0.1:9",
    )]
    NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    connect, listing, cell, last, bad = notebook.cells[1:]
    assert "Connected to" in connect.outputs[0]["text"]
    html = [o for o in outputs(listing) if "text/html" in o.get("data", {})]
    assert html and "<table" in html[0]["data"]["text/html"], listing.outputs
    assert any("text/markdown" in o.get("data", {}) for o in outputs(listing))
    pngs = [o for o in outputs(cell) if "image/png" in o.get("data", {})]
    assert pngs, cell.outputs
    tables = [o for o in outputs(cell) if "text/html" in o.get("data", {})]
    assert len(tables) >= 2, "the team and the workload table"
    assert last.outputs[0]["data"]["text/plain"].startswith("(1, 1, 'DataFrame')"), last.outputs
    assert "MAESTRO_TOKEN" in bad.outputs[0]["text"]
