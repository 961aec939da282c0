"""Integration fixtures: a moto server on 127.0.0.1 and the bundled sample site."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
import requests

from newsdesk.local.sample_site import SampleSiteServer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1; boto3 in this process talks to it while the test runs."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    try:
        yield endpoint
    finally:
        os.environ.pop("AWS_ENDPOINT_URL", None)
        # moto keeps its state per process, not per server: start every test from empty.
        requests.post(f"{endpoint}/moto-api/reset", timeout=10)
        server.stop()


@pytest.fixture
def sample_site() -> Iterator[SampleSiteServer]:
    with SampleSiteServer() as site:
        yield site
