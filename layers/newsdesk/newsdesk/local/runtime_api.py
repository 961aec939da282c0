"""A small Lambda Runtime API (2018-06-01) on 127.0.0.1, enough for the real runtime interface
client (`awslambdaric`, what the Python base images run) to fetch events and post results.

It serves the given events in order and records each response or error by request id; once the
events are done, `next` blocks as it does in Lambda (the caller then stops the runtime process).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_PREFIX = "/2018-06-01/runtime"


@dataclass
class Invocation:
    request_id: str
    event: Any
    response: Any = None
    error: dict[str, Any] | None = None
    done: threading.Event = field(default_factory=threading.Event)


class RuntimeApiServer:
    def __init__(self, events: list[Any], *, function_arn: str, timeout_seconds: float) -> None:
        self.invocations = [Invocation(str(uuid.uuid4()), event) for event in events]
        self.init_error: dict[str, Any] | None = None
        self.initialised = threading.Event()
        self._pending = list(self.invocations)
        self._lock = threading.Lock()
        self._function_arn = function_arn
        self._timeout_seconds = timeout_seconds
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        """What AWS_LAMBDA_RUNTIME_API holds: host:port."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def __enter__(self) -> RuntimeApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def wait(self, timeout: float) -> bool:
        """True once every event has a response or an error, or the runtime failed to start."""
        deadline = time.monotonic() + timeout
        for invocation in self.invocations:
            while not invocation.done.wait(0.1):
                if self.init_error is not None:
                    return True
                if time.monotonic() > deadline:
                    return False
        return True

    def _next(self) -> Invocation | None:
        with self._lock:
            return self._pending.pop(0) if self._pending else None

    def _find(self, request_id: str) -> Invocation | None:
        return next((i for i in self.invocations if i.request_id == request_id), None)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _reply(
                self, status: HTTPStatus, body: bytes = b"{}", headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    return json.loads(raw) if raw else None
                except ValueError:
                    return raw.decode("utf-8", "replace")

            def do_GET(self) -> None:
                if self.path != f"{_PREFIX}/invocation/next":
                    self._reply(HTTPStatus.NOT_FOUND)
                    return
                api.initialised.set()
                invocation = api._next()
                if invocation is None:
                    # Lambda freezes the environment here; we hold the request until shutdown.
                    api._stopping.wait()
                    self._reply(HTTPStatus.GONE)
                    return
                deadline_ms = int((time.time() + api._timeout_seconds) * 1000)
                self._reply(
                    HTTPStatus.OK,
                    json.dumps(invocation.event).encode("utf-8"),
                    {
                        "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                        "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                        "Lambda-Runtime-Invoked-Function-Arn": api._function_arn,
                        "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
                    },
                )

            def do_POST(self) -> None:
                body = self._body()
                if self.path == f"{_PREFIX}/init/error":
                    api.init_error = body if isinstance(body, dict) else {"errorMessage": str(body)}
                    self._reply(HTTPStatus.ACCEPTED)
                    return
                parts = self.path.removeprefix(f"{_PREFIX}/invocation/").split("/")
                invocation = api._find(parts[0]) if len(parts) == 2 else None
                if invocation is None or parts[1] not in {"response", "error"}:
                    self._reply(HTTPStatus.NOT_FOUND)
                    return
                if parts[1] == "response":
                    invocation.response = body
                else:
                    invocation.error = body if isinstance(body, dict) else {"errorMessage": str(body)}
                invocation.done.set()
                self._reply(HTTPStatus.ACCEPTED)

        return Handler
