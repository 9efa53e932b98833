"""The Jupyter project's own kernel test suite, subclassed for Maestro."""
import unittest

import jupyter_kernel_test as jkt
from conftest import fresh_home


class MaestroKernelTests(jkt.KernelTests):
    kernel_name = "maestro"
    language_name = "maestro"
    file_extension = ".txt"

    code_hello_world = "%echo hello, world"
    code_stderr = "%echo --stderr something went wrong"
    code_generate_error = "%nosuchmagic"
    code_execute_result = [{"code": "list tasks", "mime": "text/markdown"}]
    code_display_data = [
        {"code": "help", "mime": "text/markdown"},
        {"code": "%help", "mime": "text/markdown"},
    ]
    completion_samples = [
        {"text": "%ech", "matches": ["%echo"]},
        {"text": "show create_ta", "matches": ["create_task"]},
        {"text": "assign it to Car", "matches": ["Carol Diaz"]},
    ]
    complete_code_samples = ["list tasks", "%echo hi", "%%json\nlist tasks"]
    incomplete_code_samples = ["create a task for Bob \\", "%%json"]
    invalid_code_samples = ["%nosuchmagic", "%sleep soon"]
    code_inspect_sample = "create_task"
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "list*"

    @classmethod
    def setUpClass(cls) -> None:
        fresh_home()
        super().setUpClass()


class MaestroIopubWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = "maestro"
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
