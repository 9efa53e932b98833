"""The other direction: a tracker written with the Python SDK is connected
with `maestro mcp add`; its tools become `tracker.*` registry tools that tool
search finds and that run under Maestro's rules (a destructive hint waits for
the human's yes); a server that fails is reported and skipped."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from mcp import Client

from conftest import MAESTRO, Human, fresh_home, free_port, maestro, run, stdio, text

TRACKER = Path(__file__).resolve().parent / "tracker_server.py"


@pytest.fixture
def connected():
    """A home with the tracker connected over stdio, and the tracker's state file."""
    home = fresh_home()
    state = Path(tempfile.mkdtemp()) / "tickets.json"
    added = maestro(home, "mcp", "add", "tracker", "--", sys.executable, str(TRACKER), str(state))
    assert "3 tools" in added and "tracker.close_ticket" in added
    return home, state


def tickets(state: Path) -> dict:
    return json.loads(state.read_text())


def test_connected_servers_are_listed_and_removed(connected):
    home, _ = connected
    listed = json.loads(maestro(home, "mcp", "list", "--json"))
    assert [s["name"] for s in listed] == ["tracker"]
    assert sorted(listed[0]["tools"]) == ["add_comment", "close_ticket", "search_tickets"]
    assert "tracker.search_tickets" in maestro(home, "tools")
    maestro(home, "mcp", "remove", "tracker")
    assert json.loads(maestro(home, "mcp", "list", "--json")) == []
    assert "tracker." not in maestro(home, "tools")

    async def search():
        async with Client(stdio(home)) as client:
            return await client.call_tool("search_tools", {"query": "search the tracker tickets", "k": 3})

    # The catalog forgot its tools too: three tools found, none of them the tracker's.
    found = [t["name"] for t in run(search()).structured_content["tools"]]
    assert len(found) == 3 and not any(n.startswith("tracker.") for n in found)


def test_its_tools_are_found_and_run_under_maestros_rules(connected):
    home, state = connected
    human = Human()

    async def go():
        async with Client(stdio(home), elicitation_callback=human) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            found = await client.call_tool("search_tools", {"query": "find tracker tickets about a login", "k": 5})
            searched = await client.call_tool("tracker.search_tickets", {"query": "login"})
            commented = await client.call_tool("call_tool", {"name": "tracker.add_comment", "arguments": {"ticket": "1", "text": "seen on 17.2"}})
            closed = await client.call_tool("tracker.close_ticket", {"ticket": "2"})
            return tools, found, searched, commented, closed

    tools, found, searched, commented, closed = run(go())
    assert tools["tracker.search_tickets"].annotations.read_only_hint is True
    assert tools["tracker.close_ticket"].annotations.destructive_hint is True
    assert "tracker.search_tickets" in [t["name"] for t in found.structured_content["tools"]]
    assert "#1 Login fails on Safari" in text(searched)
    assert commented.is_error is False and tickets(state)["1"]["comments"] == ["seen on 17.2"]
    # The destructive hint made Maestro ask, once, for the close only.
    assert closed.is_error is False and len(human.asked) == 1 and "tracker.close_ticket" in human.asked[0]
    assert tickets(state)["2"]["open"] is False


def test_a_failing_server_is_reported_once_and_never_blocks_the_rest():
    home = fresh_home()
    copy = Path(tempfile.mkdtemp()) / "tracker_copy.py"
    shutil.copy(TRACKER, copy)
    state = copy.with_suffix(".json")
    maestro(home, "mcp", "add", "flaky", "--", sys.executable, str(copy), str(state))
    copy.unlink()  # the server can no longer start

    async def go():
        async with Client(stdio(home)) as client:
            first = await client.call_tool("flaky.search_tickets", {"query": "login"})
            second = await client.call_tool("flaky.search_tickets", {"query": "login"})
            ours = await client.call_tool("ask", {"text": "list my tasks"})
            return first, second, ours

    first, second, ours = run(go())
    assert first.is_error and "flaky" in text(first)
    assert second.is_error and "skipped" in text(second)
    assert ours.is_error is False and ours.structured_content["actions"][0]["tool"] == "list_tasks"


def test_an_http_server_with_a_header_and_a_server_that_does_not_answer():
    home = fresh_home()
    port = free_port()
    state = Path(tempfile.mkdtemp()) / "tickets.json"
    tracker = subprocess.Popen([sys.executable, str(TRACKER), str(state), "--http", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        for _ in range(100):
            done = subprocess.run([MAESTRO, "--home", home, "mcp", "add", "web", "--url", url,
                                   "--header", "X-Team: qa"], capture_output=True, text=True)
            if done.returncode == 0:
                break
            time.sleep(0.2)
        assert done.returncode == 0, done.stderr
        assert "web.search_tickets" in done.stdout

        async def go():
            async with Client(stdio(home)) as client:
                return await client.call_tool("web.search_tickets", {"query": "csv"})

        assert "#2 Export to CSV is slow" in text(run(go()))
    finally:
        tracker.terminate()
        tracker.wait(timeout=30)
    refused = subprocess.run([MAESTRO, "--home", home, "mcp", "add", "gone", "--url", f"http://127.0.0.1:{free_port()}/mcp"],
                             capture_output=True, text=True)
    assert refused.returncode != 0 and "nothing was added" in refused.stderr
    bad = subprocess.run([MAESTRO, "--home", home, "mcp", "add", "no.dots", "--", "true"], capture_output=True, text=True)
    assert bad.returncode != 0 and "letters, digits" in bad.stderr


def test_a_server_that_went_away_is_started_again(connected):
    home, state = connected

    def kill_tracker():
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if str(state).encode() in cmdline and b"tracker_server.py" in cmdline:
                os.kill(int(pid), signal.SIGKILL)
                return True
        return False

    async def go():
        async with Client(stdio(home)) as client:
            first = await client.call_tool("tracker.search_tickets", {"query": "login"})
            assert kill_tracker()
            time.sleep(0.5)
            return first, await client.call_tool("tracker.search_tickets", {"query": "login"})

    first, again = run(go())
    assert first.is_error is False and again.is_error is False, text(again)
    assert "#1 Login fails on Safari" in text(again)
