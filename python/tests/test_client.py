"""Every method of the client against a real `maestro serve`."""
import datetime

import httpx
import pandas as pd
import pytest

from maestro_client import Client, MaestroError, Model


@pytest.fixture
def client(site):
    with Client(site.url, site.write) as c:
        yield c


def test_connection_settings_come_from_the_environment(site, monkeypatch):
    monkeypatch.delenv("MAESTRO_URL", raising=False)
    monkeypatch.delenv("MAESTRO_TOKEN", raising=False)
    with pytest.raises(MaestroError, match="MAESTRO_URL"):
        Client()
    monkeypatch.setenv("MAESTRO_URL", site.url)
    monkeypatch.setenv("MAESTRO_TOKEN", site.write)
    assert len(Client().people.list()) > 0
    with pytest.raises(MaestroError, match="cannot reach Maestro") as refused:
        Client("http://127.0.0.1:9", site.write).people.list()
    assert refused.value.status is None


def test_ask_answers_reply_actions_and_tables(client):
    answer = client.ask("list the open tasks")
    assert answer.actions and answer.actions[0]["tool"] == "list_tasks"
    assert answer.reply
    assert isinstance(answer.tables[0], pd.DataFrame) and len(answer.tables[0]) > 0
    workload = client.ask("show the workload")
    assert workload.charts and workload.charts[0].png.startswith(b"\x89PNG")
    assert workload.charts[0]._repr_png_() == workload.charts[0].png


def test_a_destructive_request_waits_for_confirm_or_cancel(client):
    task = client.tasks.create("Scratch task for the SDK test")
    kept = client.ask(f"delete task {task['id']}")
    assert kept.needs_confirmation
    assert "nothing was changed" in kept.cancel().reply.lower()
    assert client.tasks.get(task["id"])["title"] == task["title"]
    asked = client.ask(f"delete task {task['id']}")
    done = asked.confirm()
    assert not done.needs_confirmation
    with pytest.raises(MaestroError) as gone:
        client.tasks.get(task["id"])
    assert gone.value.status == 404


def test_tasks_are_listed_across_pages_and_changed(client):
    everything = client.tasks.list()
    paged = client.tasks.list(page_size=4)
    assert len(everything) > 8, "more than two pages of four"
    assert list(paged["id"]) == list(everything["id"])
    bobs = client.tasks.list(assignee="Bob Smith", status="open")
    assert set(bobs["assignee"]) == {"Bob Smith"} and "done" not in set(bobs["status"])
    made = client.tasks.create("Write the SDK runbook", assignee="Carol", priority="high")
    assert made["assignee"] == "Carol Diaz"
    assert client.tasks.update(made["id"], priority="low")["priority"] == "low"
    assert client.tasks.complete(made["id"])["status"] == "done"
    assert client.tasks.delete(made["id"])["id"] == made["id"]
    assert made["id"] not in set(client.tasks.list()["id"])


def test_errors_carry_the_servers_detail_and_status(site, client):
    with pytest.raises(MaestroError) as missing:
        client.tasks.get(99999)
    assert missing.value.status == 404 and "99999" in missing.value.detail
    with pytest.raises(MaestroError) as unknown:
        client.tasks.create("Ask Zed", assignee="Zed Nobody")
    assert "Zed Nobody" in unknown.value.detail
    reader = Client(site.url, site.read)
    assert len(reader.tasks.list()) > 0
    with pytest.raises(MaestroError) as refused:
        reader.tasks.create("Not allowed")
    assert refused.value.status == 403 and "scope" in refused.value.detail


def test_people_list(client):
    people = client.people.list()
    assert {"name", "skills", "capacity"} <= set(people.columns)
    assert "Bob Smith" in set(people["name"])


def test_datasets_register_a_dataframe_or_a_file_and_profile_it(site, client):
    frame = pd.read_csv(site.data / "iris.csv")
    registered = client.datasets.register(frame, "iris_frame", "iris from a DataFrame")
    assert (registered["name"], registered["version"], registered["rows"]) == ("iris_frame", 1, 150)
    assert client.datasets.register(frame, "iris_frame")["version"] == 1, "the same data, the same version"
    assert client.datasets.register(site.data / "churn.csv", "churn_upload")["rows"] == 5000
    on_server = client.datasets.register_server_file(str(site.data / "churn.csv"), "churn")
    assert on_server["name"] == "churn"
    with pytest.raises(MaestroError, match="not a file here"):
        client.datasets.register(site.data / "missing.csv", "missing")
    names = set(client.datasets.list()["name"])
    assert {"iris_frame", "churn_upload", "churn"} <= names
    profile = client.datasets.profile("iris_frame")
    assert list(profile["name"]) == list(frame.columns)
    assert set(profile["kind"]) == {"numeric"}


def test_automl_trains_predicts_explains_and_promotes(site, client):
    frame = pd.read_csv(site.data / "churn.csv")
    client.datasets.register(frame, "churn_sdk")
    model = client.automl("churn_sdk", "churned", exclude=["customer_id"], budget=3)
    assert isinstance(model, Model) and model.name == "churn_sdk" and model.version == 1
    assert 0.5 < model.cv_score <= 1
    assert "churn_sdk" in set(client.models.list()["name"])
    new = pd.read_csv(site.data / "new_customers.csv").set_index("customer_id", drop=False)
    predicted = client.models.predict("churn_sdk", new)
    assert list(predicted.index) == list(new.index)
    assert {"prediction", "yes", "no"} <= set(predicted.columns)
    assert ((predicted["yes"] + predicted["no"]).round(6) == 1).all()
    assert predicted.equals(model.predict(new))
    explained = client.models.explain(model)
    assert explained.tables and explained.charts
    assert "churn_sdk" in client.models.card("churn_sdk@1")
    promoted = client.models.promote(model, "production")
    assert promoted.stage == "production"
    assert client.models.get("churn_sdk@1").stage == "production"
    with pytest.raises(MaestroError) as bad:
        client.automl("churn_sdk", "no_such_column", budget=2)
    assert "no_such_column" in bad.value.detail


def test_tools_are_called_directly(client):
    report = client.call("workload_report")
    assert report.summary and report.tables
    with pytest.raises(MaestroError) as refused:
        client.call("delete_task", id=1)
    assert refused.value.status == 409 and "confirm" in refused.value.detail


def test_the_client_adds_little_to_a_raw_request(site, client):
    raw = httpx.get(f"{site.url}/v1/tasks", headers={"authorization": f"Bearer {site.write}"}).json()
    assert len(client.tasks.list()) == len(raw)


def test_event_lines_split_only_at_line_ends():
    from maestro_client.client import _events

    body = 'event: reply\r\ndata: {"text": "a\u2028b"}\r\n\r\nevent: done\rdata: {}\r\r'.encode()
    events = list(_events(httpx.Response(200, content=body)))
    assert events == [("reply", {"text": "a\u2028b"}), ("done", {})]


def test_every_listing_follows_its_pages(client):
    people = client.people.list()
    assert client._pages("/v1/people", page_size=2) == people.to_dict("records")
    assert len(people) > 2


def test_reminders_are_set_listed_and_cancelled(client):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    made = client.reminders.create("call the broker", f"{tomorrow}T15:00", person="bob")
    assert (made["person"], made["at"], made["state"]) == ("Bob Smith", f"{tomorrow}T15:00", "pending")
    listed = client.reminders.list("Bob Smith")
    assert made["id"] in set(listed["id"])
    assert client.reminders.cancel(made["id"])["state"] == "cancelled"
    assert made["id"] not in set(client.reminders.list().get("id", []))
    with pytest.raises(MaestroError) as passed:
        client.reminders.create("too late", "2020-01-01T09:00", person="Bob Smith")
    assert passed.value.status == 422 and "has passed" in passed.value.detail


def test_a_digest_and_the_outbox(client):
    digest = client.digest("Bob Smith")
    assert digest["person"] == "Bob Smith"
    assert {"overdue", "due_soon", "at_risk", "new_for_you", "changed_since_last"} <= set(digest)
    assert all(t["assignee"] == "Bob Smith" for t in digest["overdue"] + digest["due_soon"])
    outbox = client.outbox(person="Bob Smith")
    assert outbox.empty or set(outbox["person"]) == {"Bob Smith"}
    with pytest.raises(MaestroError) as bad:
        client.outbox(limit=0)
    assert bad.value.status == 400
