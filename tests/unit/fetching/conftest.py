from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.http_server import TestServer

from newsdesk.fetching.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def server(clock: ManualClock) -> Iterator[TestServer]:
    with TestServer(clock=clock) as running:
        yield running
