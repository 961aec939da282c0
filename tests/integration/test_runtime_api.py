"""The local Runtime API speaks the protocol the real runtime interface client (awslambdaric) uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from newsdesk.local.runtime_api import RuntimeApiServer

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def _run_ric(task_root: Path, handler: str, api: RuntimeApiServer) -> str:
    process = subprocess.Popen(
        [sys.executable, "-m", "awslambdaric", handler],
        cwd=task_root,
        env={"PATH": "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API": api.address, "PYTHONPATH": str(task_root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert api.wait(timeout=60)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    return output


def test_each_event_reaches_the_handler_with_its_context_and_the_result_comes_back(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n"
        "    return {'echo': event, 'arn': context.invoked_function_arn,\n"
        "            'id': context.aws_request_id, 'left': context.get_remaining_time_in_millis() > 0}\n",
        encoding="utf-8",
    )
    with RuntimeApiServer([{"n": 1}, {"n": 2}], function_arn=ARN, timeout_seconds=30) as api:
        _run_ric(tmp_path, "app.handler", api)

    assert [i.response for i in api.invocations] == [
        {"echo": {"n": n}, "arn": ARN, "id": i.request_id, "left": True}
        for n, i in zip((1, 2), api.invocations, strict=True)
    ]


def test_a_handler_error_and_a_bad_handler_string_are_reported_as_lambda_reports_them(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n    raise ValueError('bad page')\n", "utf-8"
    )
    with RuntimeApiServer([{}], function_arn=ARN, timeout_seconds=30) as api:
        _run_ric(tmp_path, "app.handler", api)
    (invocation,) = api.invocations
    assert invocation.error is not None
    assert invocation.error["errorType"] == "ValueError"
    assert invocation.error["errorMessage"] == "bad page"

    with RuntimeApiServer([{}], function_arn=ARN, timeout_seconds=30) as api:
        _run_ric(tmp_path, "app.missing", api)
    assert api.init_error is not None
    assert "missing" in api.init_error["errorMessage"]
