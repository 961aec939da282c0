"""X-Ray subsegments for the handlers, opt-in: the X-Ray SDK costs every cold start its import.

`Tracing: Active` in the template records each invocation's segments (initialization,
invocation, overhead) with no SDK in the function. The Powertools Tracer adds a subsegment per
AWS call and per decorated method; it imports and patches `aws_xray_sdk` when created, about
50 ms of each cold start (docs/benchmarks.md, bench-coldstart). Set `XRAY_SUBSEGMENTS=true` on a
function to have them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

SUBSEGMENTS_ENV = "XRAY_SUBSEGMENTS"

F = TypeVar("F", bound=Callable[..., Any])


def subsegments_enabled(environ: Mapping[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get(SUBSEGMENTS_ENV, "")
    return value.strip().lower() in {"1", "true", "yes"}


class HandlerTracing:
    """The Powertools Tracer's two decorators, which do nothing unless subsegments are enabled."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.tracer: Tracer | None = None
        if subsegments_enabled() if enabled is None else enabled:
            from aws_lambda_powertools import Tracer

            self.tracer = Tracer()

    def handler(self, function: F) -> F:
        if self.tracer is None:
            return function
        return cast(F, self.tracer.capture_lambda_handler(function))

    def method(self, function: F) -> F:
        if self.tracer is None:
            return function
        return self.tracer.capture_method(function)
