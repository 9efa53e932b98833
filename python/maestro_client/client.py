"""The Maestro client: plain-language requests, tasks, people, datasets and
models over Maestro's REST API, answered as pandas DataFrames."""
from __future__ import annotations

import base64
import json
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import httpx
import pandas as pd

__all__ = ["Answer", "Chart", "Client", "MaestroError", "Model", "Output"]


class MaestroError(Exception):
    """A request Maestro refused or could not carry out.

    ``detail`` says what went wrong and what to do (the problem details'
    ``detail``); ``status`` is the HTTP status, or ``None`` when no server
    answered.

    >>> try:
    ...     client.tasks.get(999)
    ... except MaestroError as e:
    ...     print(e.status, e.detail)
    404 there is no task 999 …
    """

    def __init__(self, detail: str, status: int | None = None):
        super().__init__(f"{detail} (HTTP {status})" if status else detail)
        self.detail = detail
        self.status = status


def _checked(response: httpx.Response) -> httpx.Response:
    """The response, or a MaestroError carrying its problem details."""
    if response.is_success:
        return response
    response.read()
    try:
        detail = response.json().get("detail") or response.text
    except ValueError:
        detail = response.text or response.reason_phrase
    raise MaestroError(detail, response.status_code)


def _lines(response: httpx.Response) -> Iterator[str]:
    """The lines of a streamed body, split only where the event-stream format
    ends lines (CR, LF, CRLF): never inside text such as U+2028."""
    pending = ""
    for text in response.iter_text():
        pending += text
        if pending.endswith("\r"):
            continue  # perhaps the first half of a CRLF: wait for the rest
        *complete, pending = _LINE_END.split(pending)
        yield from complete
    if pending:
        yield from _LINE_END.split(pending)


_LINE_END = re.compile(r"\r\n|\r|\n")


def _events(response: httpx.Response) -> Iterator[tuple[str, Any]]:
    """The (name, JSON data) of each server-sent event of a response."""
    name, data = "message", []
    for line in _lines(response):
        if not line:
            if data:
                yield name, json.loads("\n".join(data))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield name, json.loads("\n".join(data))


@dataclass
class Chart:
    """A chart Maestro drew: its title and PNG bytes (IPython shows it inline)."""

    title: str
    png: bytes

    def _repr_png_(self) -> bytes:
        return self.png


def _table(display: dict) -> pd.DataFrame:
    return pd.DataFrame(display.get("rows", []), columns=display.get("columns", []))


@dataclass
class Output:
    """What a tool answered: a summary, its data, and what it shows as tables
    (DataFrames), charts and Markdown."""

    summary: str = ""
    data: Any = None
    tables: list[pd.DataFrame] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    markdown: list[str] = field(default_factory=list)

    def _show(self, display: dict) -> None:
        kind = display.get("type")
        if kind == "table":
            self.tables.append(_table(display))
        elif kind == "chart":
            self.charts.append(Chart(display.get("title", ""), base64.b64decode(display.get("png", ""))))
        elif kind == "markdown":
            self.markdown.append(display.get("text", ""))

    @classmethod
    def _of(cls, out: dict) -> "Output":
        result = cls(summary=out.get("summary", ""), data=out.get("data"))
        for display in out.get("displays", []):
            result._show(display)
        return result

    def _repr_markdown_(self) -> str:
        return "\n\n".join([self.summary, *self.markdown])


@dataclass
class Answer(Output):
    """One turn of conversation: the reply, the actions taken, and the tables,
    charts and Markdown shown. A destructive request waits:
    ``needs_confirmation`` is true until ``confirm()`` or ``cancel()``.

    >>> answer = client.ask("delete task 3")
    >>> answer.needs_confirmation
    True
    >>> answer.confirm().reply
    'Deleted task #3 …'
    """

    reply: str = ""
    actions: list[dict] = field(default_factory=list)
    session: str = ""
    client: "Client | None" = field(default=None, repr=False)

    @property
    def needs_confirmation(self) -> bool:
        """Whether an action waits for a yes or no.

        >>> client.ask("delete task 3").needs_confirmation
        True
        """
        return self._confirmation() is not None

    def _confirmation(self) -> str | None:
        waiting = [a for a in self.actions if a.get("status") == "needs_confirmation"]
        return waiting[-1].get("confirmation") if waiting else None

    def confirm(self) -> "Answer":
        """Says yes to the waiting action; answers what was done.

        >>> client.ask("delete task 3").confirm().reply
        """
        return self._answer("yes")

    def cancel(self) -> "Answer":
        """Says no to the waiting action; nothing is changed.

        >>> client.ask("delete task 3").cancel().reply
        'Cancelled; nothing was changed.'
        """
        return self._answer("no")

    def _answer(self, word: str) -> "Answer":
        confirmation = self._confirmation()
        if confirmation is None or self.client is None:
            raise MaestroError("nothing waits for a confirmation in this answer")
        return self.client.ask(word, session=self.session, confirmation=confirmation)

    def _repr_markdown_(self) -> str:
        return "\n\n".join([self.reply, *self.markdown])


class Model:
    """A registered model version: ``name``, ``version``, ``stage``,
    ``metric`` and ``cv_score`` (with ``cv_std``), and the whole record as
    ``record``.

    >>> model = client.models.get("churn")
    >>> model.predict(new_customers).head()
    """

    def __init__(self, client: "Client", record: dict):
        self._client = client
        self.record = record
        self.name: str = record["name"]
        self.version: int = record["version"]
        self.stage: str = record.get("stage", "none")
        self.metric: str = record.get("metric", "")
        self.cv_score: float = record.get("cv_score", float("nan"))
        self.cv_std: float = record.get("cv_std", float("nan"))

    @property
    def ref(self) -> str:
        """``name@version``, which every model method takes.

        >>> client.models.get("churn").ref
        'churn@2'
        """
        return f"{self.name}@{self.version}"

    def predict(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Predictions for ``rows`` (see :meth:`Models.predict`).

        >>> client.models.get("churn").predict(new_customers)
        """
        return self._client.models.predict(self.ref, rows)

    def explain(self) -> Output:
        """What the model relies on (see :meth:`Models.explain`).

        >>> client.models.get("churn").explain().charts[0]
        """
        return self._client.models.explain(self.ref)

    def card(self) -> str:
        """The model card as Markdown (see :meth:`Models.card`).

        >>> print(client.models.get("churn").card())
        """
        return self._client.models.card(self.ref)

    def __repr__(self) -> str:
        return f"Model({self.ref}, {self.metric}={self.cv_score:.4f} ± {self.cv_std:.4f}, stage {self.stage})"


def _model_ref(name_or_ref: str | Model) -> tuple[str, int | None]:
    """A model's name and version from ``name``, ``name@N`` or a Model."""
    if isinstance(name_or_ref, Model):
        return name_or_ref.name, name_or_ref.version
    name, _, version = str(name_or_ref).partition("@")
    if version.isdigit():
        return name, int(version)
    return str(name_or_ref), None


class Tasks:
    """The workspace's tasks (``client.tasks``)."""

    def __init__(self, client: "Client"):
        self._client = client

    def list(self, *, page_size: int = 1000, **filters: Any) -> pd.DataFrame:
        """Every task the filters select, one row each, every page (of
        ``page_size`` tasks) followed.

        Filters: ``assignee``, ``status`` (todo, in_progress, done, open),
        ``project``, ``priority``, ``tag``, ``due_before`` (YYYY-MM-DD),
        ``overdue`` (True).

        >>> client.tasks.list(assignee="Bob Smith", status="open")
        """
        params = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in filters.items() if v is not None}
        return pd.DataFrame(self._client._pages("/v1/tasks", params, page_size))

    def get(self, task_id: int) -> dict:
        """One task as a dict. ``client.tasks.get(3)["title"]``"""
        return self._client._request("GET", f"/v1/tasks/{int(task_id)}").json()

    def create(self, title: str, **fields: Any) -> dict:
        """Creates a task; fields as ``create_task`` takes them (assignee,
        due, priority, project, tags, estimate_hours, description).

        >>> client.tasks.create("Renew the TLS certificates", assignee="Bob", due="friday")
        """
        return self._client._request("POST", "/v1/tasks", json={"title": title, **fields}).json()

    def update(self, task_id: int, **fields: Any) -> dict:
        """Changes a task's fields. ``client.tasks.update(3, priority="high")``"""
        return self._client._request("PATCH", f"/v1/tasks/{int(task_id)}", json=fields).json()

    def complete(self, task_id: int) -> dict:
        """Marks a task done. ``client.tasks.complete(3)``"""
        return self.update(task_id, status="done")

    def delete(self, task_id: int) -> dict:
        """Deletes a task for good; answers it as it was. ``client.tasks.delete(3)``"""
        return self._client._request("DELETE", f"/v1/tasks/{int(task_id)}").json()


class People:
    """The team (``client.people``)."""

    def __init__(self, client: "Client"):
        self._client = client

    def list(self) -> pd.DataFrame:
        """The team, one row per person. ``client.people.list()``"""
        return pd.DataFrame(self._client._pages("/v1/people"))


class Reminders:
    """One-shot reminders, delivered by the server's scheduler (``client.reminders``)."""

    def __init__(self, client: "Client"):
        self._client = client

    def list(self, person: str | None = None) -> pd.DataFrame:
        """Reminders still to come, one row each; only ``person``'s when given.
        ``client.reminders.list("Bob Smith")``"""
        params = {"person": person} if person else None
        return pd.DataFrame(self._client._request("GET", "/v1/reminders", params=params).json())

    def create(self, text: str, at: str, person: str | None = None, timezone: str | None = None) -> dict:
        """Reminds ``person`` (default: the token's owner) of ``text`` at ``at``,
        local ``YYYY-MM-DDTHH:MM`` (a day alone is 09:00) in ``timezone`` (default:
        the workspace's).

        >>> client.reminders.create("call the broker", "2026-12-08T15:00", person="Bob Smith")
        """
        fields = {"text": text, "at": at, "person": person, "timezone": timezone}
        body = {k: v for k, v in fields.items() if v is not None}
        return self._client._request("POST", "/v1/reminders", json=body).json()

    def cancel(self, reminder_id: int) -> dict:
        """Cancels a reminder not yet delivered. ``client.reminders.cancel(2)``"""
        return self._client._request("DELETE", f"/v1/reminders/{int(reminder_id)}").json()


class Datasets:
    """The data catalog (``client.datasets``)."""

    def __init__(self, client: "Client"):
        self._client = client

    def register(self, source: str | os.PathLike | pd.DataFrame, name: str, description: str | None = None) -> dict:
        """Registers a DataFrame or a local CSV file as dataset ``name``: the
        data is uploaded, so the server needs no access to your files. The
        same content again is the same version; changed content a new one.

        >>> client.datasets.register(df, "churn", "customer churn, monthly")
        """
        if isinstance(source, pd.DataFrame):
            body = source.to_csv(index=False).encode()
        else:
            path = Path(source)
            if not path.is_file():
                raise MaestroError(f"{path} is not a file here; for a file on the server's disk use register_server_file")
            body = path.read_bytes()
        params = {"description": description} if description else None
        return self._client._request(
            "PUT", f"/v1/datasets/{quote(name, safe='')}", content=body,
            headers={"content-type": "text/csv"}, params=params,
        ).json()

    def register_server_file(self, path: str, name: str | None = None, description: str | None = None) -> dict:
        """Registers a CSV file on the server's disk (under its MAESTRO_DATA_ROOTS).

        >>> client.datasets.register_server_file("/srv/data/churn.csv", "churn")
        """
        body = {k: v for k, v in {"path": path, "name": name, "description": description}.items() if v is not None}
        return self._client._request("POST", "/v1/datasets", json=body).json()

    def list(self) -> pd.DataFrame:
        """Every dataset version, one row each. ``client.datasets.list()``"""
        return pd.DataFrame(self._client._pages("/v1/datasets"))

    def profile(self, name: str) -> pd.DataFrame:
        """The latest version's column profiles (kind, missing, distinct,
        min, max, mean, top values), one row per column.

        >>> client.datasets.profile("churn")[["name", "kind", "missing"]]
        """
        dataset = self._client._request("GET", f"/v1/datasets/{quote(name, safe='')}").json()
        return pd.DataFrame(dataset.get("profile") or [])


class Models:
    """The model registry (``client.models``)."""

    def __init__(self, client: "Client"):
        self._client = client

    def list(self) -> pd.DataFrame:
        """Every model version, one row each. ``client.models.list()``"""
        return pd.DataFrame(self._client._pages("/v1/models"))

    def get(self, name_or_ref: str) -> Model:
        """A model version: ``name`` (the latest) or ``name@N``.

        >>> client.models.get("churn@2").cv_score
        """
        name, version = _model_ref(name_or_ref)
        params = {"version": version} if version else None
        return Model(self._client, self._client._request("GET", f"/v1/models/{quote(name, safe='')}", params=params).json())

    def predict(self, name_or_ref: str | Model, rows: pd.DataFrame) -> pd.DataFrame:
        """Predictions for each row of ``rows`` (same index): a ``prediction``
        column and, for a classifier, one probability column per class,
        named by the class. ``name_or_ref`` is a name (its production
        version when one is promoted, then staging, then the latest),
        ``name@N`` or a Model.

        >>> client.models.predict("churn", new_customers)[["prediction", "yes"]]
        """
        name, version = _model_ref(name_or_ref)
        records = json.loads(rows.to_json(orient="records", date_format="iso"))
        args: dict[str, Any] = {"model": name, "rows": records}
        if version:
            args["version"] = version
        data = self._client.call("predict", **args).data
        out = pd.DataFrame({"prediction": data["predictions"]}, index=rows.index)
        if data.get("probabilities"):
            probabilities = pd.DataFrame(data["probabilities"], columns=data["classes"], index=rows.index)
            out = out.join(probabilities)
        return out

    def explain(self, name_or_ref: str | Model) -> Output:
        """Permutation importance with intervals and partial dependence:
        ``.tables`` and ``.charts``. ``client.models.explain("churn").tables[0]``"""
        return self._client.call("explain_model", **self._args(name_or_ref))

    def card(self, name_or_ref: str | Model) -> str:
        """The model card as Markdown. ``print(client.models.card("churn"))``"""
        out = self._client.call("model_card", **self._args(name_or_ref))
        return "\n\n".join(out.markdown) or out.summary

    def promote(self, name_or_ref: str | Model, stage: str) -> Model:
        """Moves a version to a stage (none, staging, production).

        >>> client.models.promote("churn@2", "production")
        """
        name, version = _model_ref(name_or_ref)
        body: dict[str, Any] = {"stage": stage, **({"version": version} if version else {})}
        return Model(self._client, self._client._request("PATCH", f"/v1/models/{quote(name, safe='')}", json=body).json())

    @staticmethod
    def _args(name_or_ref: str | Model) -> dict[str, Any]:
        name, version = _model_ref(name_or_ref)
        return {"model": name, **({"version": version} if version else {})}


def _interactive() -> bool:
    """Whether someone watches: a terminal, or IPython/Jupyter."""
    return sys.stderr.isatty() or "IPython" in sys.modules


class Client:
    """A connection to a Maestro server (``maestro serve``) as one API token.

    ``url`` and ``token`` default to the ``MAESTRO_URL`` and
    ``MAESTRO_TOKEN`` environment variables.

    >>> client = Client("http://127.0.0.1:8080", "mst_…")
    >>> client.ask("what is overdue?").tables[0]
    """

    def __init__(self, url: str | None = None, token: str | None = None, *, timeout: float = 300.0):
        url = url or os.environ.get("MAESTRO_URL")
        token = token or os.environ.get("MAESTRO_TOKEN")
        if not url:
            raise MaestroError("no server: pass url= or set MAESTRO_URL (e.g. http://127.0.0.1:8080)")
        if not token:
            raise MaestroError("no token: pass token= or set MAESTRO_TOKEN (`maestro token create` makes one)")
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers={"authorization": f"Bearer {token}"}, timeout=timeout)
        self.tasks = Tasks(self)
        self.people = People(self)
        self.reminders = Reminders(self)
        self.datasets = Datasets(self)
        self.models = Models(self)

    @contextmanager
    def _reaching(self) -> Iterator[None]:
        """Turns a failure to reach the server into a MaestroError that says so."""
        try:
            yield
        except httpx.TransportError as e:
            raise MaestroError(f"cannot reach Maestro at {self.url} ({e}); is `maestro serve` running?") from e

    def digest(self, person: str) -> dict:
        """``person``'s digest now: ``{person, overdue, due_soon, at_risk,
        new_for_you, changed_since_last}``. ``client.digest("Bob Smith")``"""
        return self._request("GET", f"/v1/digest/{quote(person, safe='')}").json()

    def outbox(self, person: str | None = None, limit: int = 50) -> pd.DataFrame:
        """The messages the scheduler posted (reminders, digests), newest first,
        one row each. ``client.outbox(person="Bob Smith")``"""
        params: dict[str, Any] = {"limit": limit}
        if person:
            params["person"] = person
        return pd.DataFrame(self._request("GET", "/v1/outbox", params=params).json())

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with self._reaching():
            return _checked(self._http.request(method, path, **kwargs))

    def _pages(self, path: str, params: dict[str, Any] | None = None, page_size: int = 1000) -> list[dict]:
        """Every item of a listing, following its ``Link: rel="next"`` pages."""
        rows: list[dict] = []
        url: str | None = path
        query: dict[str, Any] | None = {**(params or {}), "limit": page_size}
        while url:
            response = self._request("GET", url, params=query)
            rows.extend(response.json())
            # The next page's link carries the whole query.
            url, query = response.links.get("next", {}).get("url"), None
        return rows

    def _stream(self, path: str, body: dict, params: dict | None = None) -> Iterator[tuple[str, Any]]:
        """POSTs ``body`` asking for server-sent events; yields each event."""
        headers = {"accept": "text/event-stream"}
        with self._reaching(), self._http.stream("POST", path, json=body, headers=headers, params=params) as response:
            _checked(response)
            yield from _events(response)

    def ask(self, text: str, session: str | None = None, *, confirmation: str | None = None) -> Answer:
        """One request in plain language. Pass ``session`` (an earlier
        answer's ``.session``) to continue a conversation.

        >>> answer = client.ask("create a high-priority task for Bob to fix the login bug by Friday")
        >>> answer.reply
        """
        body: dict[str, Any] = {"text": text}
        if session:
            body["session"] = session
        if confirmation:
            body["confirmation"] = confirmation
        answer = Answer(client=self)
        replies: list[str] = []
        for name, data in self._stream("/v1/chat", body):
            if name == "reply":
                replies.append(data["text"])
            elif name == "error":
                replies.append(data["message"])
            elif name == "action":
                answer.actions.append({k: v for k, v in data.items() if k != "event"})
            elif name == "display":
                answer._show(data)
            elif name == "done":
                answer.session = data["session"]
        answer.reply = "\n".join(replies)
        return answer

    def call(self, tool: str, confirm: bool = False, **arguments: Any) -> Output:
        """Calls a tool directly with its arguments (``GET /v1/tools`` lists
        them); a destructive tool needs ``confirm=True``.

        >>> client.call("workload_report").tables[0]
        """
        params = {"confirm": "true"} if confirm else None
        return Output._of(self._request("POST", f"/v1/tools/{quote(tool, safe='')}", json=arguments, params=params).json())

    def automl(self, dataset: str, target: str, metric: str | None = None, budget: float = 30,
               exclude: tuple[str, ...] | list[str] = (), name: str | None = None) -> Model:
        """Trains a model on ``dataset`` to predict ``target`` within
        ``budget`` seconds and registers the best; a progress bar shows
        each trial when someone watches (with ``tqdm`` installed). Ctrl-C
        stops the search; the server keeps the best model so far.

        >>> model = client.automl("churn", "churned", exclude=["customer_id"], budget=60)
        """
        arguments: dict[str, Any] = {"dataset": dataset, "target": target, "budget_seconds": budget}
        if metric:
            arguments["metric"] = metric
        if exclude:
            arguments["exclude"] = list(exclude)
        if name:
            arguments["name"] = name
        bar = _progress_bar(f"AutoML on {dataset}")
        result: dict | None = None
        try:
            for event, data in self._stream("/v1/tools/run_automl", arguments):
                if event == "progress" and bar is not None:
                    bar.set_postfix_str(data["line"][:60], refresh=False)
                    if data.get("done") is not None:
                        bar.update(round(data["done"] * 100) - bar.n)
                elif event == "result":
                    result = data
                elif event == "error":
                    raise MaestroError(data["detail"], data.get("status"))
        finally:
            if bar is not None:
                bar.close()
        if result is None:
            raise MaestroError("the server ended the run without a result; see its log")
        trained = result["data"]
        return self.models.get(f"{trained['model']}@{trained['version']}")

    def close(self) -> None:
        """Closes the connection (``with Client(...) as client:`` does it for you).

        >>> client.close()
        """
        self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _progress_bar(label: str):
    """A tqdm bar to 100 % when someone watches and tqdm is installed."""
    if not _interactive():
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=100, desc=label, unit="%")

