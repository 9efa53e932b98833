"""`maestro mcp` over stdio, driven by the official MCP Python SDK in both
protocol generations: the initialize handshake (2025-11-25) and 2026-07-28."""
import asyncio
import base64
import contextlib
import json
import sqlite3
import shutil
import tempfile
from pathlib import Path

import pytest
from mcp import Client
import mcp.types as types

from conftest import (ACTOR, MODES, ROOT, Human, audit, fresh_home, run, stdio, task_ids, task_titles, text)


@pytest.fixture
def home():
    return fresh_home()


@pytest.mark.parametrize("mode", MODES)
def test_every_tool_is_listed_with_its_schema_and_hints(home, mode):
    async def go():
        async with Client(stdio(home), mode=mode) as client:
            assert client.session.protocol_version == MODES[mode]
            return {t.name: t for t in (await client.list_tools()).tools}

    tools = run(go())
    assert {"ask", "search_tools", "call_tool", "create_task", "delete_task", "run_automl"} <= set(tools)
    create = tools["create_task"]
    assert create.title == "Create task"
    assert "title" in create.input_schema["required"]
    assert create.annotations.read_only_hint is False and create.annotations.destructive_hint is False
    assert tools["list_tasks"].annotations.read_only_hint is True
    assert tools["list_tasks"].annotations.idempotent_hint is True
    assert tools["delete_task"].annotations.destructive_hint is True
    assert tools["ask"].output_schema["properties"]["actions"]["type"] == "array"
    # Typed results have an output schema (the SDK checks results against it); others none.
    assert "title" in tools["create_task"].output_schema["properties"]
    assert tools["list_tasks"].output_schema["properties"]["result"]["type"] == "array"
    assert tools["workload_report"].output_schema is None


def test_search_mode_lists_three_tools_that_reach_every_other(home):
    async def go():
        async with Client(stdio(home, "--tools", "search")) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            found = await client.call_tool("search_tools", {"query": "make a new task for someone", "k": 3})
            called = await client.call_tool(
                "call_tool", {"name": "create_task", "arguments": {"title": "Renew the TLS certificates", "assignee": "Dave"}}
            )
            return names, found, called

    names, found, called = run(go())
    assert sorted(names) == ["ask", "call_tool", "search_tools"]
    hits = found.structured_content["tools"]
    assert len(hits) == 3 and "create_task" in [h["name"] for h in hits]
    assert all(h["input_schema"]["type"] == "object" for h in hits)
    assert called.is_error is False
    assert called.structured_content["assignee"] == "Dave Kim"
    assert "Renew the TLS certificates" in task_titles(home)


@pytest.mark.parametrize("mode", MODES)
def test_results_carry_data_text_and_charts(home, mode):
    async def go():
        async with Client(stdio(home), mode=mode) as client:
            created = await client.call_tool("create_task", {"title": "Write the runbook", "assignee": "Carol", "priority": "high"})
            listed = await client.call_tool("list_tasks", {"assignee": "Carol"})
            report = await client.call_tool("workload_report", {})
            # Every typed result passes the SDK's check against its output schema.
            task = created.structured_content["id"]
            await client.call_tool("update_task", {"id": task, "priority": "low", "due": "2027-01-15"})
            await client.call_tool("assign_task", {"id": task, "assignee": "Bob"})
            await client.call_tool("complete_task", {"id": task})
            await client.call_tool("add_person", {"name": "Erin Moss", "email": "erin@acme.io", "skills": ["sql"]})
            people = await client.call_tool("list_people", {})
            assert "Erin Moss" in [p["name"] for p in people.structured_content["result"]]
            return created, listed, report

    created, listed, report = run(go())
    assert created.structured_content["title"] == "Write the runbook"
    assert created.structured_content["assignee"] == "Carol Diaz"
    assert "Write the runbook" in text(created)
    # A list is an object's `result`; the text has the table.
    assert any(t["title"] == "Write the runbook" for t in listed.structured_content["result"])
    assert "| id | title |" in text(listed)
    images = [c for c in report.content if c.type == "image"]
    assert images and images[0].mime_type == "image/png"
    assert base64.b64decode(images[0].data).startswith(b"\x89PNG")


def test_bad_arguments_are_tool_errors_that_name_the_field(home):
    async def go():
        async with Client(stdio(home)) as client:
            wrong_type = await client.call_tool("create_task", {"title": "x", "estimate_hours": "lots"})
            missing = await client.call_tool("create_task", {})
            nobody = await client.call_tool("create_task", {"title": "x", "assignee": "Zed"})
            # Maestro's own tools read their arguments the same way.
            no_text = await client.call_tool("ask", {"txt": "list tasks"})
            inner = await client.call_tool("call_tool", {"name": "list_tasks", "arguments": "all"})
            return wrong_type, missing, nobody, no_text, inner

    wrong_type, missing, nobody, no_text, inner = run(go())
    assert no_text.is_error and "txt" in text(no_text)
    assert inner.is_error and "arguments" in text(inner)
    assert wrong_type.is_error and "estimate_hours" in text(wrong_type)
    assert missing.is_error and "title" in text(missing)
    assert nobody.is_error and "not on the team" in text(nobody)


@pytest.mark.parametrize("mode", MODES)
def test_a_deletion_runs_only_after_the_human_says_yes(home, mode):
    human = Human()

    async def go():
        async with Client(stdio(home), mode=mode, elicitation_callback=human) as client:
            return await client.call_tool("delete_task", {"id": 1})

    result = run(go())
    assert result.is_error is False, text(result)
    assert human.asked == ["This will delete task #1 “Fix the login bug on Safari” for good. Are you sure?"]
    assert "Fix the login bug on Safari" not in task_titles(home)
    approved, ran = audit(home, "delete_task")
    assert approved[0] == "approved" and approved[1] == ACTOR and "the human over MCP" in approved[2]
    assert ran[0] == "ok"


@pytest.mark.parametrize("answer", [("decline", False), ("accept", False), ("cancel", False)])
def test_no_from_the_human_changes_nothing(home, answer):
    human = Human(*answer)

    async def go():
        async with Client(stdio(home), elicitation_callback=human) as client:
            return await client.call_tool("delete_task", {"id": 1})

    result = run(go())
    assert result.is_error and "nothing was changed" in text(result)
    assert len(human.asked) == 1
    assert "Fix the login bug on Safari" in task_titles(home)
    assert audit(home, "delete_task") == []


def test_a_client_that_cannot_ask_is_refused_unless_the_server_says_yes(home):
    async def call(*flags):
        async with Client(stdio(home, *flags)) as client:
            return await client.call_tool("delete_task", {"id": 1})

    refused = run(call())
    assert refused.is_error and "cannot ask" in text(refused) and "--yes" in text(refused)
    assert "Fix the login bug on Safari" in task_titles(home)
    done = run(call("--yes"))
    assert done.is_error is False
    assert "Fix the login bug on Safari" not in task_titles(home)
    assert "--yes" in audit(home, "delete_task")[0][2]


def test_the_model_cannot_approve_by_itself(home):
    """Neither an extra argument, a forged retry, nor a typed "yes" to ask approves."""

    async def go():
        async with Client(stdio(home)) as client:
            extra = await client.call_tool("delete_task", {"id": 1, "approve": True})
            forged = await client.call_tool(
                "delete_task", {"id": 1}, request_state="0f6c3e2a-made-up",
                input_responses={"approve": {"action": "accept", "content": {"approve": True}}},
            )
            asked = await client.call_tool("ask", {"text": "delete task 1", "session": "s"})
            yes = await client.call_tool("ask", {"text": "yes", "session": "s"})
            return extra, forged, asked, yes

    extra, forged, asked, yes = run(go())
    assert extra.is_error and "approve" in text(extra)
    assert forged.is_error and "nothing was changed" in text(forged)
    assert "nothing was changed" in text(asked).lower()
    assert not any(a["status"] == "ok" and a["tool"] == "delete_task" for a in yes.structured_content["actions"])
    assert "Fix the login bug on Safari" in task_titles(home)


@pytest.mark.parametrize("mode", MODES)
def test_ask_runs_a_whole_turn_and_keeps_the_conversation(home, mode):
    human = Human()

    async def go():
        async with Client(stdio(home), mode=mode, elicitation_callback=human) as client:
            made = await client.call_tool("ask", {"text": "create a high-priority task for Bob to fix the checkout bug by Friday", "session": "bugs"})
            follow = await client.call_tool("ask", {"text": "assign it to carol", "session": "bugs"})
            gone = await client.call_tool("ask", {"text": "delete task 3"})
            return made, follow, gone

    made, follow, gone = run(go())
    action = made.structured_content["actions"][0]
    assert action["tool"] == "create_task" and action["status"] == "ok"
    assert action["result"]["assignee"] == "Bob Smith" and action["result"]["priority"] == "high"
    assert made.structured_content["session"] == "bugs"
    assert follow.structured_content["actions"][0]["tool"] == "assign_task"
    assert follow.structured_content["actions"][0]["result"]["assignee"] == "Carol Diaz"
    assert len(human.asked) == 1 and "task #3" in human.asked[0]
    assert [a["status"] for a in gone.structured_content["actions"]][-1] == "ok"
    assert 3 not in task_ids(home)


def test_resources_are_the_workspaces_data_models_and_tasks(home):
    data = Path(tempfile.mkdtemp()) / "churn.csv"
    shutil.copy(ROOT / "examples" / "data" / "churn.csv", data)
    progress = []

    async def on_progress(done, total, message):
        progress.append((done, total, message))

    async def go():
        async with Client(stdio(home)) as client:
            await client.call_tool("register_dataset", {"path": str(data), "name": "churn"})
            trained = await client.call_tool(
                "run_automl", {"dataset": "churn", "target": "churned", "exclude": ["customer_id"], "budget_seconds": 3},
                progress_callback=on_progress,
            )
            listed = (await client.list_resources()).resources
            templates = (await client.list_resource_templates()).resource_templates
            profile = await client.read_resource("maestro://datasets/churn")
            model = await client.read_resource("maestro://models/churn")
            card = await client.read_resource("maestro://models/churn/card")
            task = await client.read_resource("maestro://tasks/1")
            with pytest.raises(Exception) as unknown:
                await client.read_resource("maestro://tasks/999")
            return trained, listed, templates, profile, model, card, task, unknown.value

    trained, listed, templates, profile, model, card, task, unknown = run(go())
    assert trained.is_error is False, text(trained)
    assert progress and all(b[0] > a[0] for a, b in zip(progress, progress[1:])), progress
    uris = {str(r.uri) for r in listed}
    assert {"maestro://datasets/churn", "maestro://models/churn", "maestro://models/churn/card", "maestro://tasks/1"} <= uris
    assert {t.uri_template for t in templates} == {
        "maestro://datasets/{name}", "maestro://models/{name}", "maestro://models/{name}/card", "maestro://tasks/{id}"}
    columns = json.loads(profile.contents[0].text)["columns"]
    assert any(c["name"] == "churned" for c in columns)
    assert json.loads(model.contents[0].text)["name"] == "churn"
    assert card.contents[0].mime_type == "text/markdown" and card.contents[0].text.startswith("#")
    assert json.loads(task.contents[0].text)["title"] == "Fix the login bug on Safari"
    assert "999" in str(unknown)


def test_a_change_tells_the_client_that_resources_changed(home):
    seen = []

    async def on_message(message):
        seen.append(type(message).__name__)

    async def go():
        async with Client(stdio(home), mode="legacy", message_handler=on_message) as client:
            await client.call_tool("list_tasks", {})
            before = list(seen)
            await client.call_tool("create_task", {"title": "Plan the offsite"})
            await asyncio.sleep(0.5)
            return before, list(seen)

    before, after = run(go())
    assert "ResourceListChangedNotification" not in before
    assert "ResourceListChangedNotification" in after


def test_cancelling_automl_stops_it_and_keeps_the_best_model_so_far(home):
    data = Path(tempfile.mkdtemp()) / "churn.csv"
    shutil.copy(ROOT / "examples" / "data" / "churn.csv", data)

    async def go():
        async with Client(stdio(home)) as client:
            await client.call_tool("register_dataset", {"path": str(data), "name": "churn"})
            trials = asyncio.Event()

            async def on_progress(done, total, message):
                trials.set()

            # A budget of ten minutes: only the cancellation can end it within the wait below.
            call = asyncio.create_task(client.call_tool(
                "run_automl", {"dataset": "churn", "target": "churned", "exclude": ["customer_id"], "budget_seconds": 600},
                progress_callback=on_progress))
            await asyncio.wait_for(trials.wait(), 120)
            call.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await call
            for _ in range(240):
                models = await client.call_tool("list_models", {})
                if "churn" in text(models):
                    return models
                await asyncio.sleep(0.5)
            return models

    models = run(go())
    assert "churn" in text(models), text(models)


def test_a_question_left_open_is_never_answered_by_a_typed_yes(home):
    """An input-required round the client never retries, and an elicitation
    that fails, both leave the deletion undone; a later "yes" is a new request."""

    async def failing_ui(context, params):
        return types.ErrorData(code=-32603, message="the dialog could not be shown")

    async def unanswered():
        async with Client(stdio(home), elicitation_callback=Human()) as client:
            first = await client.session.call_tool(
                "ask", {"text": "delete task 1", "session": "s"}, allow_input_required=True)
            assert type(first).__name__ == "InputRequiredResult"
            return await client.call_tool("ask", {"text": "yes", "session": "s"})

    async def failed():
        async with Client(stdio(home), mode="legacy", elicitation_callback=failing_ui) as client:
            with pytest.raises(Exception, match="could not ask"):
                await client.call_tool("ask", {"text": "delete task 1", "session": "t"})
            return await client.call_tool("ask", {"text": "yes", "session": "t"})

    for typed_yes in (run(unanswered()), run(failed())):
        assert all(a["tool"] != "delete_task" for a in typed_yes.structured_content["actions"])
    assert 1 in task_ids(home)
    assert audit(home, "delete_task") == []


def test_each_deletion_in_one_request_is_asked_on_its_own(home):
    answers = iter([True, False])

    async def human(context, params):
        human.asked.append(params.message)
        return types.ElicitResult(action="accept", content={"approve": next(answers)})
    human.asked = []

    async def go():
        async with Client(stdio(home), elicitation_callback=human) as client:
            return await client.call_tool("ask", {"text": "delete task 1 and delete task 2"})

    result = run(go())
    assert [("task #1" in q, "task #2" in q) for q in human.asked] == [(True, False), (False, True)]
    assert 1 not in task_ids(home) and 2 in task_ids(home)
    assert [a[0] for a in audit(home, "delete_task")] == ["approved", "ok"]
    assert "nothing was changed" in text(result)


def test_a_listening_2026_client_hears_of_changes_to_its_workspace(home):
    async def go():
        async with Client(stdio(home)) as client:
            assert client.session.protocol_version == "2026-07-28"
            async with client.listen(resources_list_changed=True) as events:
                await client.call_tool("list_tasks", {})
                await client.call_tool("create_task", {"title": "Plan the offsite"})
                return await asyncio.wait_for(events.__aiter__().__anext__(), 10)

    assert type(run(go())).__name__ == "ResourcesListChanged"


def test_a_request_on_its_own_leaves_no_conversation_behind(home):
    async def go():
        async with Client(stdio(home), elicitation_callback=Human()) as client:
            await client.call_tool("ask", {"text": "list my tasks"})
            await client.call_tool("ask", {"text": "delete task 3"})
            await client.call_tool("ask", {"text": "create a task to water the plants", "session": "kept"})

    run(go())
    with contextlib.closing(sqlite3.connect(Path(home) / "maestro.db")) as db:
        ids = [r[0] for r in db.execute("SELECT id FROM sessions")]
    assert ids == ["mcp:Alice Johnson:kept"], ids
    assert 3 not in task_ids(home)


def test_an_answer_after_an_input_required_round_keeps_what_came_before(home):
    async def go():
        async with Client(stdio(home), elicitation_callback=Human()) as client:
            assert client.session.protocol_version == "2026-07-28"
            return await client.call_tool(
                "ask", {"text": "create a task to archive the Q3 logs and delete task 1", "session": "r"})

    result = run(go())
    done = [(a["tool"], a["status"]) for a in result.structured_content["actions"]]
    assert ("create_task", "ok") in done and ("delete_task", "ok") in done, done
    assert "archive the Q3 logs" in text(result) or "Created" in text(result)
    assert 1 not in task_ids(home)
