"""X-Ray subsegments are opt-in: without XRAY_SUBSEGMENTS the handlers are not wrapped at all."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from newsdesk.observability import HandlerTracing, subsegments_enabled


def _handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return {"echo": event}


@pytest.mark.parametrize(
    ("value", "enabled"), [("true", True), ("1", True), ("TRUE ", True), ("", False), ("no", False)]
)
def test_subsegments_follow_the_environment(value: str, enabled: bool) -> None:
    assert subsegments_enabled({"XRAY_SUBSEGMENTS": value}) is enabled
    assert subsegments_enabled({}) is False


def test_without_subsegments_the_decorators_return_the_function_itself() -> None:
    tracing = HandlerTracing(enabled=False)

    assert tracing.tracer is None
    assert tracing.handler(_handler) is _handler
    assert tracing.method(_handler) is _handler


def test_with_subsegments_the_powertools_tracer_wraps_the_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    # Outside Lambda the Tracer disables itself (no daemon), but still wraps and calls through.
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    tracing = HandlerTracing(enabled=True)

    wrapped = tracing.handler(_handler)
    method = tracing.method(_handler)

    assert tracing.tracer is not None
    assert wrapped is not _handler and method is not _handler
    assert "aws_xray_sdk.core" in sys.modules
    assert method({"a": 1}, None) == {"echo": {"a": 1}}
