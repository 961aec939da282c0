"""Start a built Lambda function the way the Python runtime does: the runtime interface client
(`awslambdaric`) loads the handler string against the function's code and the built layer, then
asks the Runtime API at $AWS_LAMBDA_RUNTIME_API for events.

Run as `python -S -E invoke_built.py RUNTIME_DIR TASK_ROOT LAYER_DIR HANDLER`: no site-packages,
so a dependency missing from the layer fails here as it would in Lambda. RUNTIME_DIR holds only
awslambdaric and its own dependencies (Lambda's /var/runtime).
"""

import os
import sys

runtime_dir, task_root, layer_dir, handler = sys.argv[1:5]
# Lambda's order: the function's code, then the layer's python/ (mounted at /opt), then the runtime.
sys.path[:0] = [task_root, f"{layer_dir}/python", runtime_dir]
os.chdir(task_root)
os.environ["LAMBDA_TASK_ROOT"] = task_root
os.environ["_HANDLER"] = handler

from awslambdaric.__main__ import main  # noqa: E402 - the path is the point

main([sys.argv[0], handler])
