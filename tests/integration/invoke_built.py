"""Invoke a built Lambda function the way the runtime does: only its code and the built layer.

Run as `python -S -E invoke_built.py FUNCTION_DIR LAYER_DIR EVENT_JSON_FILE TIMEOUT_SECONDS`:
no site-packages, so a dependency missing from the layer fails here as it would in Lambda.
"""

import json
import sys
import time
import uuid
from pathlib import Path

function_dir, layer_dir, event_file, timeout = sys.argv[1:5]
sys.path[:0] = [function_dir, f"{layer_dir}/python"]


class Context:
    function_name = "built-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:built-function"
    memory_limit_in_mb = 1024
    aws_request_id = str(uuid.uuid4())
    log_group_name = "/aws/lambda/built-function"
    log_stream_name = "smoke"
    _deadline = time.monotonic() + float(timeout)

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


import app  # noqa: E402 - the path is the point

with Path(event_file).open(encoding="utf-8") as handle:
    event = json.load(handle)
result = app.lambda_handler(event, Context())
print("RESULT " + json.dumps(result, default=str))
