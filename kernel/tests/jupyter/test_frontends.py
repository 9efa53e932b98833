"""What JupyterLab and nbclient rely on beyond jupyter_kernel_test: heartbeat,
control channel, parent headers, silent cells, aborting queued cells after an
error, interrupts, stdin confirmations, bad signatures and shutdown."""
import time
import unittest

import zmq
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

from conftest import ROOT, fresh_home

TIMEOUT = 20


class KernelCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        fresh_home()
        cls.km, cls.kc = start_new_kernel(kernel_name="maestro")

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def drain(self):
        for get in (self.kc.get_shell_msg, self.kc.get_iopub_msg):
            try:
                while True:
                    get(timeout=0.2)
            except Exception:
                pass

    def outputs(self, msg_id):
        """The iopub messages of one request, up to its idle status."""
        out = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return out
            if msg["msg_type"] not in ("status", "execute_input"):
                out.append(msg)

    def task_ids(self):
        """The ids of every task, read through the kernel."""
        reply, outputs = self.run_cell("%%json\nlist tasks")
        self.assertEqual(reply["content"]["status"], "ok")
        result = [m for m in outputs if m["msg_type"] == "execute_result"][0]
        actions = result["content"]["data"]["application/json"]["actions"]
        return {task["id"] for task in actions[0]["result"]}

    def run_cell(self, code, **kw):
        msg_id = self.kc.execute(code, **kw)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        return reply, self.outputs(msg_id)

    @staticmethod
    def text(outputs, name="stdout"):
        return "".join(
            m["content"]["text"]
            for m in outputs
            if m["msg_type"] == "stream" and m["content"]["name"] == name
        )


class Channels(KernelCase):
    def test_heartbeat_echoes(self):
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.REQ)
        sock.linger = 0
        sock.connect(f"tcp://{self.km.ip}:{self.km.hb_port}")
        sock.send(b"are you there")
        self.assertTrue(sock.poll(TIMEOUT * 1000))
        self.assertEqual(sock.recv(), b"are you there")
        sock.close()

    def test_kernel_info_on_control(self):
        msg = self.kc.session.msg("kernel_info_request")
        self.kc.control_channel.send(msg)
        reply = self.kc.get_control_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg["header"]["msg_id"])
        self.assertEqual(reply["content"]["language_info"]["name"], "maestro")
        self.assertEqual(reply["content"]["protocol_version"], "5.3")

    def test_every_output_names_its_request(self):
        self.drain()
        msg_id = self.kc.execute("list tasks")
        self.kc.get_shell_msg(timeout=TIMEOUT)
        seen = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            self.assertEqual(msg["parent_header"].get("msg_id"), msg_id, msg["msg_type"])
            seen.append(msg["msg_type"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        self.assertEqual(seen[:2], ["status", "execute_input"])
        self.assertIn("execute_result", seen)

    def test_silent_cells_show_nothing_and_keep_the_count(self):
        self.drain()
        before, _ = self.run_cell("%echo counted")
        msg_id = self.kc.execute("%echo quiet", silent=True)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok")
        raw = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            raw.append(msg["msg_type"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        self.assertEqual(raw, ["status", "status"], "a silent cell publishes only busy and idle")
        after, _ = self.run_cell("%echo counted")
        self.assertEqual(
            after["content"]["execution_count"], before["content"]["execution_count"] + 1
        )

    def test_queued_cells_are_aborted_after_an_error(self):
        self.drain()
        ids = [
            self.kc.execute(code)
            for code in ["%sleep 0.5", "%nosuchmagic", "%echo skipped", "%echo skipped too"]
        ]
        replies = {}
        while len(replies) < 4:
            reply = self.kc.get_shell_msg(timeout=TIMEOUT)
            replies[reply["parent_header"]["msg_id"]] = reply["content"]["status"]
        self.assertEqual(
            [replies[i] for i in ids], ["ok", "error", "aborted", "aborted"]
        )
        reply, outputs = self.run_cell("%echo after")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("after", self.text(outputs))

    def test_progress_bars_update_in_place(self):
        self.drain()
        reply, outputs = self.run_cell("%sleep 0.4")
        self.assertEqual(reply["content"]["status"], "ok")
        types = [m["msg_type"] for m in outputs]
        self.assertEqual(types.count("display_data"), 1)
        self.assertGreaterEqual(types.count("update_display_data"), 2)
        display_id = outputs[types.index("display_data")]["content"]["transient"]["display_id"]
        last = [m for m in outputs if m["msg_type"] == "update_display_data"][-1]["content"]
        self.assertEqual(last["transient"]["display_id"], display_id)
        self.assertIn("100% done", last["data"]["text/plain"])

    def test_interrupt_stops_long_work_and_the_kernel_stays_usable(self):
        self.drain()
        msg_id = self.kc.execute("%sleep 60")
        while True:  # wait until it runs
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "display_data":
                break
        started = time.monotonic()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        elapsed = time.monotonic() - started
        print(f"interrupt → execute_reply in {elapsed * 1000:.0f} ms")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        errors = [m for m in self.outputs(msg_id) if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1)
        reply, outputs = self.run_cell("%echo still here")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("still here", self.text(outputs))

    def test_an_interrupted_automl_run_keeps_the_best_model_so_far(self):
        self.drain()
        iris = ROOT / "examples" / "data" / "iris.csv"
        reply, _ = self.run_cell(f"register {iris} as flowers")
        self.assertEqual(reply["content"]["status"], "ok")
        msg_id = self.kc.execute("train a model on flowers predicting target, 120 seconds")
        while True:  # wait for the progress bar: trials are running
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "update_display_data":
                break
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        # The search stops at its next trial, keeps its best and registers it,
        # marked as interrupted, and the error says which version was kept.
        self.assertIn("flowers version 1", reply["content"]["evalue"])
        self.assertIn("best model so far was kept", reply["content"]["evalue"])
        reply, outputs = self.run_cell("%%json\ndescribe the flowers model")
        self.assertEqual(reply["content"]["status"], "ok")
        result = [m for m in outputs if m["msg_type"] == "execute_result"][0]
        model = result["content"]["data"]["application/json"]["actions"][0]["result"]
        self.assertEqual((model["name"], model["version"]), ("flowers", 1))
        self.assertTrue(model["details"]["interrupted"])

    def test_a_badly_signed_request_is_never_executed(self):
        self.drain()
        forger = Session(key=b"not-the-key")
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.connect(f"tcp://{self.km.ip}:{self.km.shell_port}")
        before, _ = self.run_cell("%echo before")
        forged = forger.send(sock, "execute_request", {
            "code": "%echo forged", "silent": False, "store_history": True,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True,
        })
        self.assertFalse(sock.poll(1000), "the kernel answered a forged request")
        sock.close()
        after, outputs = self.run_cell("%echo after")
        self.assertEqual(
            after["content"]["execution_count"], before["content"]["execution_count"] + 1,
            "the forged request must not have run",
        )
        self.assertNotIn("forged", self.text(outputs))
        try:
            while True:
                msg = self.kc.get_iopub_msg(timeout=0.2)
                self.assertNotEqual(msg["parent_header"].get("msg_id"), forged["header"]["msg_id"])
        except Exception as e:
            if isinstance(e, AssertionError):
                raise


class Conversation(KernelCase):
    def test_the_next_cell_answers_a_confirmation(self):
        self.drain()
        reply, outputs = self.run_cell("delete task 3", allow_stdin=False)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("Are you sure", self.text(outputs))
        reply, outputs = self.run_cell("no", allow_stdin=False)
        self.assertIn("Cancelled", self.text(outputs))
        self.assertIn(3, self.task_ids())

    def test_stdin_asks_for_confirmation_when_allowed(self):
        self.drain()
        msg_id = self.kc.execute("delete task 4", allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(request["msg_type"], "input_request")
        self.assertEqual(request["parent_header"]["msg_id"], msg_id)
        self.assertIn("Are you sure", request["content"]["prompt"])
        self.kc.input("yes")
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("Deleted", self.text(self.outputs(msg_id)))
        self.assertNotIn(4, self.task_ids())

    def test_reset_forgets_a_pending_question(self):
        self.drain()
        _, outputs = self.run_cell("delete task 5", allow_stdin=False)
        self.assertIn("Are you sure", self.text(outputs))
        self.run_cell("%reset")
        reply, outputs = self.run_cell("yes")
        self.assertNotIn("Deleted", self.text(outputs))
        self.assertIn(5, self.task_ids())

    def test_history_and_config_magics(self):
        self.drain()
        self.run_cell("%echo one")
        self.run_cell("%echo two")
        _, outputs = self.run_cell("%history -n 2")
        lines = self.text(outputs).strip().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertEqual([l.split(": ", 1)[1] for l in lines], ["%echo one", "%echo two"])
        reply, outputs = self.run_cell("%config actor=Bob Smith")
        self.assertIn("actor = Bob Smith", self.text(outputs))
        reply, outputs = self.run_cell("%config colour=red")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual([m["msg_type"] for m in outputs], ["error"])


class Shutdown(unittest.TestCase):
    def test_shutdown_replies_then_the_process_exits(self):
        fresh_home()
        km, kc = start_new_kernel(kernel_name="maestro")
        try:
            msg = kc.session.msg("shutdown_request", {"restart": False})
            kc.control_channel.send(msg)
            reply = kc.get_control_msg(timeout=TIMEOUT)
            self.assertEqual(reply["msg_type"], "shutdown_reply")
            self.assertEqual(reply["content"]["status"], "ok")
            deadline = time.monotonic() + TIMEOUT
            while km.is_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertFalse(km.is_alive(), "the kernel process did not exit")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
