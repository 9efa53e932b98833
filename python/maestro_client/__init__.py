"""Maestro from Python: plain-language requests, tasks, people, datasets and
models over Maestro's REST API, as pandas DataFrames, and an IPython
extension (``%load_ext maestro_client``).

>>> from maestro_client import Client
>>> client = Client("http://127.0.0.1:8080", "mst_…")
>>> client.tasks.list(status="open")
"""
from .client import Answer, Chart, Client, MaestroError, Model, Output
from .magics import load_ipython_extension

__all__ = ["Answer", "Chart", "Client", "MaestroError", "Model", "Output", "load_ipython_extension"]
