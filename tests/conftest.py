"""Shared fixtures: fake AWS credentials (tests never reach real AWS), moto, a scripted HTTP server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from support.http_server import TestServer

from newsdesk.fetching.clock import ManualClock

# Set before any boto3 client exists, so nothing can pick up a real profile.
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_SESSION_TOKEN"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "NewsdeskTests")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def server(clock: ManualClock) -> Iterator[TestServer]:
    """A scripted HTTP server on 127.0.0.1 whose delays follow the test's clock."""
    with TestServer(clock=clock) as running:
        yield running


@pytest.fixture
def aws() -> Iterator[None]:
    """An in-process moto for the duration of the test."""
    from moto import mock_aws

    with mock_aws():
        yield
