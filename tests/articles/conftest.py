"""Fixtures for the web-ingestion tests: a local HTTP server and a record of every connection.

Nothing here ever contacts a host other than 127.0.0.1: the server listens there, and
`connections` refuses (and records) any other connection attempt before a packet is sent.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from urllib3.util import connection as urllib3_connection

LOCAL_HOSTS = {"127.0.0.1"}


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    # Threaded, so a test whose slow-drip response is still being written does not hold up
    # the next test's requests.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def connections(monkeypatch) -> list[tuple[str, int]]:
    """Every address the fetcher tries to connect to; anything but 127.0.0.1 is refused here."""
    attempts: list[tuple[str, int]] = []
    real = urllib3_connection.create_connection

    def recording(address, *args, **kwargs):
        attempts.append((address[0], address[1]))
        if address[0] not in LOCAL_HOSTS:
            raise ConnectionRefusedError(f"test guard: no connection to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3_connection, "create_connection", recording)
    return attempts


@pytest.fixture
def local_server(httpserver: HTTPServer, settings, connections) -> HTTPServer:
    """The tests' own server, the one place loopback is allowed (for this test only)."""
    settings.ZAWIYA_FETCH_ALLOW_LOOPBACK = True
    settings.ZAWIYA_FETCH_HOST_DELAY = 0
    return httpserver
