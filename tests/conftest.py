"""Shared fixtures: fake AWS credentials (tests never reach real AWS) and moto."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

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
def aws() -> Iterator[None]:
    """An in-process moto for the duration of the test."""
    from moto import mock_aws

    with mock_aws():
        yield
