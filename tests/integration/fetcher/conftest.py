"""Fetcher integration fixtures: a real HTTP server, moto's DynamoDB, an in-memory sink, a manual clock."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from support.crawl_table import CRAWL_TABLE, AtomicMotoClient, create_crawl_table
from support.http_server import TestServer, resolver_to_loopback
from support.sinks import MemorySink

from newsdesk.crawler import CrawlOptions
from newsdesk.storage.crawl_state import DynamoCrawlState

UA = "NewsdeskBot/0.1 (+https://example.org/newsdesk; tests)"


@pytest.fixture
def dynamodb(aws: None) -> Any:
    resource = boto3.resource("dynamodb", region_name="us-east-1")
    create_crawl_table(resource)
    return resource


@pytest.fixture
def state(dynamodb: Any) -> DynamoCrawlState:
    return DynamoCrawlState(CRAWL_TABLE, AtomicMotoClient(boto3.client("dynamodb", region_name="us-east-1")))


@pytest.fixture
def sink() -> MemorySink:
    return MemorySink()


@pytest.fixture
def options(server: TestServer) -> CrawlOptions:
    """Made-up hosts on the test server are reachable; 127.0.0.1 itself stays refused."""
    return CrawlOptions(
        user_agent=UA,
        allowed_private_hosts=frozenset(
            server.hostport(h) for h in ("news.test", "www.news.test", "other.test")
        ),
        resolver=resolver_to_loopback,
        # Generous: a loaded CI machine must not turn a test into a timeout test by accident.
        read_timeout=15.0,
        connect_timeout=15.0,
    )
