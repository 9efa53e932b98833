"""A small ticket tracker served over MCP with the official Python SDK: the
"other server" whose tools Maestro connects (`maestro mcp add`). Its tickets
live in the JSON file named on the command line, so tests can see its effects.

    python tracker_server.py STATE.json              # stdio
    python tracker_server.py STATE.json --http PORT  # streamable HTTP at /mcp
"""
import json
import sys
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

STATE = Path(sys.argv[1])
if not STATE.exists():
    STATE.write_text(json.dumps({"1": {"title": "Login fails on Safari", "open": True, "comments": []},
                                 "2": {"title": "Export to CSV is slow", "open": True, "comments": []}}))

server = MCPServer("tracker")


def tickets() -> dict:
    return json.loads(STATE.read_text())


def save(state: dict) -> None:
    STATE.write_text(json.dumps(state))


@server.tool(annotations=ToolAnnotations(readOnlyHint=True))
def search_tickets(query: str) -> str:
    """Find the tracker's tickets whose title mentions the words of the query."""
    words = query.lower().split()
    found = [f"#{i} {t['title']}" for i, t in tickets().items() if any(w in t["title"].lower() for w in words)]
    return "\n".join(found) or "no tickets match"


@server.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False))
def add_comment(ticket: str, text: str) -> str:
    """Add a comment to a ticket of the tracker."""
    state = tickets()
    state[ticket]["comments"].append(text)
    save(state)
    return f"commented on #{ticket}"


@server.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=True))
def close_ticket(ticket: str) -> str:
    """Close a ticket of the tracker for good."""
    state = tickets()
    state[ticket]["open"] = False
    save(state)
    return f"closed #{ticket}"


if __name__ == "__main__":
    if "--http" in sys.argv:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[sys.argv.index("--http") + 1]))
    else:
        server.run()
