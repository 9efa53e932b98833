"""`MAESTRO_EMBEDDINGS=openai`: the catalog embeds through an OpenAI-compatible
`/v1/embeddings` endpoint (a fake here, speaking the real wire format, whose
vectors know that "erase" means delete), so tool search follows meaning; the
catalog records which embedder made it and is rebuilt when that changes."""
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mcp import Client

from conftest import MAESTRO, fresh_home, run, stdio

# Each dimension is a meaning; a text's vector counts the words of each.
MEANINGS = [
    {"delete", "remove", "erase", "drop", "rid", "wipe"},
    {"task", "tasks", "todo", "ticket", "item"},
    {"model", "models"},
    {"person", "people", "team", "someone"},
    {"create", "add", "new", "make"},
    {"list", "show", "which"},
    {"dataset", "data", "csv"},
    {"train", "automl", "predict"},
]


def vector(text: str) -> list[float]:
    words = [w.strip(".,:;()“”\"'").lower() for w in text.split()]
    return [float(sum(w in meaning for w in words)) + 0.01 for meaning in MEANINGS]


class Endpoint(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Endpoint.requests.append({"path": self.path, "model": body["model"], "auth": self.headers.get("Authorization")})
        data = [{"object": "embedding", "index": i, "embedding": vector(t)} for i, t in enumerate(body["input"])]
        answer = json.dumps({"object": "list", "data": data, "model": body["model"],
                             "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def test_tool_search_follows_the_endpoints_embeddings_and_the_catalog_follows_the_embedder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {"MAESTRO_EMBEDDINGS": "openai", "MAESTRO_EMBEDDINGS_MODEL": "meanings-8", "OPENAI_API_KEY": "sk-test",
           "MAESTRO_LLM_BASE_URL": f"http://127.0.0.1:{server.server_port}/v1"}
    home = fresh_home()

    async def search(env):
        async with Client(stdio(home, env=env)) as client:
            found = await client.call_tool("search_tools", {"query": "erase a ticket", "k": 3})
            return [t["name"] for t in found.structured_content["tools"]]

    try:
        semantic = run(search(env))
        asked = list(Endpoint.requests)
        assert semantic[0] == "delete_task", semantic
        assert asked and all(r["path"] == "/v1/embeddings" and r["model"] == "meanings-8" for r in asked)
        assert asked[0]["auth"] == "Bearer sk-test"
        # Back to the built-in embedder: the catalog is rebuilt without the endpoint.
        before = len(Endpoint.requests)
        hashed = run(search(None))
        assert len(hashed) == 3 and len(Endpoint.requests) == before
    finally:
        server.shutdown()
        server.server_close()
    # An endpoint that does not answer stops the command with what to do.
    dead = {**os.environ, **env, "MAESTRO_LLM_BASE_URL": f"http://127.0.0.1:{server.server_port}/v1"}
    failed = subprocess.run([MAESTRO, "--home", home, "tools"], env=dead, capture_output=True, text=True)
    assert failed.returncode != 0 and "MAESTRO_EMBEDDINGS" in failed.stderr, failed.stderr
