"""The IPython extension: ``%load_ext maestro_client``, then ``%maestro TEXT``
or a ``%%maestro`` cell of requests (one per line). Replies show as Markdown,
tables as DataFrames, charts inline; a destructive request asks for a yes
through ``input()``. The last answer is ``_maestro.answer`` and its tables
``_maestro.tables`` for the next cell. ``%maestro_connect URL TOKEN``
connects (default: ``MAESTRO_URL`` and ``MAESTRO_TOKEN``)."""
from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from .client import Answer, Client, MaestroError

__all__ = ["load_ipython_extension"]


class _State(SimpleNamespace):
    """What the extension keeps in the user's namespace as ``_maestro``:
    the client, the conversation, and the last answer with its tables and charts."""

    client: Client | None
    session: str
    answer: Answer | None
    tables: list
    charts: list


def _show(answer: Answer) -> None:
    from IPython.display import Markdown, display

    if answer.reply:
        display(Markdown(answer.reply))
    for text in answer.markdown:
        display(Markdown(text))
    for table in answer.tables:
        display(table)
    for chart in answer.charts:
        display(chart)


def _ask(state: _State, text: str) -> None:
    if state.client is None:
        state.client = Client()
    answer = state.client.ask(text, session=state.session)
    state.session = answer.session or state.session
    _show(answer)
    if answer.needs_confirmation:
        said = input("Go ahead? [y/N] ").strip().lower()
        answer = answer.confirm() if said in ("y", "yes") else answer.cancel()
        _show(answer)
    state.answer, state.tables, state.charts = answer, answer.tables, answer.charts


def load_ipython_extension(ipython: Any) -> None:
    """Registers ``%maestro``, ``%%maestro`` and ``%maestro_connect``."""
    state = _State(client=None, session=f"ipython-{uuid.uuid4().hex}", answer=None, tables=[], charts=[])
    ipython.push({"_maestro": state})

    def maestro(line: str, cell: str | None = None) -> None:
        requests = [line.strip()] if cell is None else [r.strip() for r in cell.splitlines()]
        try:
            for text in filter(None, requests):
                _ask(state, text)
        except MaestroError as e:
            print(f"Maestro: {e.detail}")

    def maestro_connect(line: str) -> None:
        parts = line.split()
        if len(parts) > 2:
            print("Usage: %maestro_connect [URL] [TOKEN]")
            return
        try:
            state.client = Client(*parts)
        except MaestroError as e:
            print(f"Maestro: {e.detail}")
            return
        print(f"Connected to {state.client.url}.")

    ipython.register_magic_function(maestro, "line_cell", "maestro")
    ipython.register_magic_function(maestro_connect, "line", "maestro_connect")
