"""`/mcp` on `maestro serve` over streamable HTTP: the REST API's bearer
tokens, scopes and workspace isolation, with the official Python SDK."""
import httpx2
import pytest

from conftest import MODES, Human, fresh_home, maestro, over_http, run, served, task_titles, text, token

INIT = {
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


@pytest.fixture(scope="module")
def server():
    home = fresh_home()
    maestro(home, "workspace", "create", "other")
    with served(home) as url:
        yield home, url


def test_no_valid_token_is_401(server):
    _, url = server
    headers = {"Accept": "application/json, text/event-stream"}
    missing = httpx2.post(f"{url}/mcp", json=INIT, headers=headers)
    wrong = httpx2.post(f"{url}/mcp", json=INIT, headers={**headers, "Authorization": "Bearer nope"})
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert "token" in missing.json()["detail"]


def test_a_host_name_it_does_not_serve_is_refused(server):
    home, url = server
    secret = token(home, "default", "rebinding")
    answer = httpx2.post(f"{url}/mcp", json=INIT, headers={
        "Accept": "application/json, text/event-stream", "Authorization": f"Bearer {secret}", "Host": "evil.example"})
    assert answer.status_code == 403


@pytest.mark.parametrize("mode", MODES)
def test_a_write_token_lists_and_calls_every_tool(server, mode):
    home, url = server
    secret = token(home, "default", f"writer-{mode}")
    human = Human()

    async def go():
        async with over_http(url, secret, mode, elicitation_callback=human) as client:
            assert client.session.protocol_version == MODES[mode]
            names = [t.name for t in (await client.list_tools()).tools]
            made = await client.call_tool("create_task", {"title": f"Rotate the API keys ({mode})", "assignee": "Dave"})
            gone = await client.call_tool("delete_task", {"id": made.structured_content["id"]})
            return names, made, gone

    names, made, gone = run(go())
    assert {"ask", "create_task", "delete_task"} <= set(names)
    assert made.structured_content["assignee"] == "Dave Kim"
    assert gone.is_error is False and len(human.asked) == 1
    assert f"Rotate the API keys ({mode})" not in task_titles(home)


@pytest.mark.parametrize("mode", MODES)
def test_a_read_token_sees_and_calls_only_reading_tools(server, mode):
    home, url = server
    secret = token(home, "default", f"reader-{mode}", scope="read")

    async def go():
        async with over_http(url, secret, mode) as client:
            tools = (await client.list_tools()).tools
            listed = await client.call_tool("list_tasks", {})
            create = await client.call_tool("create_task", {"title": "Sneaky"})
            inner = await client.call_tool("call_tool", {"name": "delete_task", "arguments": {"id": 1}})
            ask = await client.call_tool("ask", {"text": "create a task to be sneaky"})
            return tools, listed, create, inner, ask

    tools, listed, create, inner, ask = run(go())
    assert "ask" not in [t.name for t in tools]
    assert all(t.annotations.read_only_hint for t in tools if t.name not in ("call_tool",))
    assert listed.is_error is False
    for refused in (create, inner, ask):
        assert refused.is_error and "read scope" in text(refused)
    assert "Sneaky" not in task_titles(home) and "Fix the login bug on Safari" in task_titles(home)


def test_workspaces_are_isolated(server):
    home, url = server
    theirs = token(home, "other", "other-writer")

    async def go():
        async with over_http(url, theirs) as client:
            listed = await client.call_tool("list_tasks", {})
            people = await client.call_tool("list_people", {})
            read = await client.call_tool("call_tool", {"name": "complete_task", "arguments": {"id": 1}})
            return listed, people, read

    listed, people, completed = run(go())
    assert "Fix the login bug" not in text(listed)
    assert "Alice" not in text(people)
    assert completed.is_error
    assert "Fix the login bug on Safari" in task_titles(home)


def test_callers_never_share_a_conversation(server):
    """Another token in the same workspace cannot continue, or answer, Alice's session."""
    home, url = server
    alice, bob = token(home, "default", "alice-s"), token(home, "default", "bob-s")

    async def go():
        async with over_http(url, alice, elicitation_callback=Human()) as client:
            made = await client.call_tool("ask", {"text": "create a task to archive the Q3 logs", "session": "s"})
            await client.session.call_tool("ask", {"text": f"delete task {made.structured_content['actions'][0]['result']['id']}",
                                                   "session": "s"}, allow_input_required=True)
        async with over_http(url, bob, "legacy") as client:
            return made, await client.call_tool("ask", {"text": "yes", "session": "s"}), \
                await client.call_tool("ask", {"text": "assign it to carol", "session": "s"})

    made, yes, follow = run(go())
    assert "archive the Q3 logs" in task_titles(home)
    assert all(a["tool"] != "delete_task" for a in yes.structured_content["actions"])
    assert all(a["tool"] != "assign_task" or a["status"] != "ok" for a in follow.structured_content["actions"])
