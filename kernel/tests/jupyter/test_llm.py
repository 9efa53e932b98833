"""The kernel with the language-model planner: a fake OpenAI-compatible
endpoint (real SSE wire format) streams the answer, which must reach the
notebook piece by piece; `%config` names the planner and `%config usage`
shows the turn's tokens."""
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jupyter_client.manager import start_new_kernel

from conftest import fresh_home
from test_frontends import KernelCase

ANSWER = ["The team ", "has five ", "people."]


class FakeOpenAI(BaseHTTPRequestHandler):
    """Answers the first request with a tool call, the next with streamed text."""

    requests = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeOpenAI.requests.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        first = len(FakeOpenAI.requests) % 2 == 1
        if first:
            deltas = [{"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                       "function": {"name": "list_people", "arguments": "{}"}}]}]
            finish = "tool_calls"
        else:
            deltas = [{"content": part} for part in ANSWER]
            finish = "stop"
        for delta in deltas + [{}]:
            chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                     "choices": [{"index": 0, "delta": delta,
                                  "finish_reason": None if delta else finish}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
            time.sleep(0.05)
        usage = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                 "choices": [], "usage": {"prompt_tokens": 900, "completion_tokens": 12, "total_tokens": 912}}
        self.wfile.write(f"data: {json.dumps(usage)}\n\ndata: [DONE]\n\n".encode())


class LanguageModel(KernelCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.url = f"http://127.0.0.1:{cls.server.server_port}/v1"
        os.environ["MAESTRO_LLM_BASE_URL"] = cls.url
        os.environ["MAESTRO_LLM_MODEL"] = "fake-model"
        try:
            fresh_home()
            cls.km, cls.kc = start_new_kernel(kernel_name="maestro")
        finally:
            del os.environ["MAESTRO_LLM_BASE_URL"], os.environ["MAESTRO_LLM_MODEL"]

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.server.shutdown()

    def test_the_answer_streams_and_usage_is_recorded(self):
        _, outputs = self.run_cell("%config")
        self.assertIn(f"planner = llm (fake-model at {self.url})", self.text(outputs))

        reply, outputs = self.run_cell("who is on the team?")
        self.assertEqual(reply["content"]["status"], "ok")
        streams = [m["content"]["text"] for m in outputs
                   if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"]
        self.assertGreaterEqual(len(streams), len(ANSWER), streams)
        self.assertIn("".join(ANSWER), "".join(streams))
        tables = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(tables), 1, "the tool's table is shown")
        self.assertIn("Bob Smith", tables[0]["content"]["data"]["text/plain"])
        tool_messages = [m for m in FakeOpenAI.requests[1]["messages"] if m["role"] == "tool"]
        self.assertEqual(tool_messages[0]["tool_call_id"], "call_1")

        _, outputs = self.run_cell("%config usage")
        self.assertIn("1 turn(s): 1800 tokens sent", self.text(outputs))
