"""The MCP Inspector (`@modelcontextprotocol/inspector`, installed by npm from
package-lock.json) in CLI mode lists and calls Maestro's tools over stdio and
over HTTP: a client nobody here wrote."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import MAESTRO, fresh_home, served, token

HERE = Path(__file__).resolve().parent
INSPECTOR = HERE / "node_modules" / ".bin" / "mcp-inspector"
REQUIRED = os.environ.get("MAESTRO_REQUIRE_INSPECTOR") == "1"

pytestmark = pytest.mark.skipif(
    not INSPECTOR.exists() and not REQUIRED,
    reason="the MCP Inspector is not installed (npm ci --prefix mcp/tests/clients)",
)


def inspect(*args: str, home: str) -> dict:
    done = subprocess.run(
        [str(INSPECTOR), "--cli", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "HOME": home},  # its catalog file goes to the throwaway home
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout)


def test_the_inspector_lists_and_calls_tools_over_stdio():
    home = fresh_home()
    server = [MAESTRO, "--home", home, "--as", "Alice Johnson", "mcp"]
    listed = inspect(*server, "--method", "tools/list", home=home)
    names = [t["name"] for t in listed["tools"]]
    assert "create_task" in names and "search_tools" in names
    made = inspect(*server, "--method", "tools/call", "--tool-name", "create_task",
                   "--tool-arg", "title=Archive the old logs", "--tool-arg", "assignee=Bob", home=home)
    assert made["structuredContent"]["assignee"] == "Bob Smith"


def test_the_inspector_calls_a_tool_over_http_with_a_token():
    home = fresh_home()
    secret = token(home, "default", "inspector")
    with served(home) as url:
        found = inspect(f"{url}/mcp", "--header", f"Authorization: Bearer {secret}",
                        "--method", "tools/call", "--tool-name", "list_people", home=home)
    assert "Carol Diaz" in found["content"][0]["text"]
