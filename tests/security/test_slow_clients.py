"""Slow clients against a real server process (``python -m cchc_intake serve``, uvicorn with the
chassis' settings, on a free port): a client that sends a request's head a byte at a time
(slowloris), or nothing at all, or idles after a response, is disconnected by the server, while
other clients are still answered. No assertion is made on how fast: only that the server, not
the client, closes the connection."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from cchc_testkit.infra import fresh_vhost
from cchc_testkit.processes import ServiceProcesses

from .conftest import AUTH
from .figures import count

pytestmark = pytest.mark.integration

AREA = "slow clients"
GIVE_UP = 120.0  # seconds: only a hung test ends here; the server closes after ~2 s


@pytest.fixture(scope="module")
async def server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    directory = tmp_path_factory.mktemp("slow-clients")
    async with fresh_vhost() as amqp_url:
        processes = ServiceProcesses(
            amqp_url,
            {"intake": f"sqlite+aiosqlite:///{directory / 'intake.db'}"},
            directory,
            auth_secret=AUTH.secret.get_secret_value(),
            extra_env={
                "CCHC_INTAKE_HTTP_HEADER_TIMEOUT": "2",
                "CCHC_INTAKE_HTTP_KEEP_ALIVE_TIMEOUT": "2",
            },
        )
        processes.start("intake")
        try:
            processes.wait_ready("intake")
            yield processes.url("intake")
        finally:
            processes.stop()


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=GIVE_UP)
    connection.settimeout(1.0)
    return connection


def _closed_by_server(connection: socket.socket, trickle: list[bytes]) -> bool:
    """Send ``trickle`` one piece a second (then nothing), until the server closes the
    connection (True) or GIVE_UP passes (False)."""
    deadline = time.monotonic() + GIVE_UP
    pieces = iter(trickle)
    while time.monotonic() < deadline:
        piece = next(pieces, None)
        try:
            if piece is not None:
                connection.sendall(piece)
            data = connection.recv(4096)
        except TimeoutError:
            continue  # still open: the server said nothing yet
        except (ConnectionResetError, BrokenPipeError):
            return True
        if data == b"":
            return True
        if b"\r\n\r\n" in data:  # a response to what was sent: keep reading until closed
            continue
    return False


def _slow_head() -> list[bytes]:
    head = b"GET /health/live HTTP/1.1\r\nHost: intake\r\n"
    return [head[:10], head[10:20], *(b"X-Slow-%d: a\r\n" % i for i in range(200))]


def test_a_client_sending_its_header_slowly_is_disconnected(server: str) -> None:
    with _connect(server) as connection:
        count(AREA, "slow connections")
        # while it trickles, another client is answered
        assert httpx.get(f"{server}/health/live", timeout=30).status_code == 200
        count(AREA, "requests answered meanwhile")
        assert _closed_by_server(connection, _slow_head())
        count(AREA, "closed by the server")


def test_a_client_that_connects_and_sends_nothing_is_disconnected(server: str) -> None:
    with _connect(server) as connection:
        count(AREA, "slow connections")
        assert _closed_by_server(connection, [])
        count(AREA, "closed by the server")


def test_an_idle_keep_alive_connection_is_disconnected(server: str) -> None:
    with _connect(server) as connection:
        count(AREA, "slow connections")
        request = b"GET /health/live HTTP/1.1\r\nHost: intake\r\n\r\n"
        assert _closed_by_server(connection, [request])
        count(AREA, "closed by the server")


def test_a_request_head_over_the_limit_is_refused(server: str) -> None:
    with _connect(server) as connection:
        count(AREA, "slow connections")
        connection.settimeout(GIVE_UP)
        answer = b""
        try:
            connection.sendall(b"GET /health/live HTTP/1.1\r\nHost: intake\r\nX-Big: ")
            connection.sendall(b"a" * 70_000)
            while chunk := connection.recv(4096):
                answer += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass
        assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:100]
        count(AREA, "closed by the server")


def test_the_process_is_the_service(server: str) -> None:
    answer = httpx.get(f"{server}/health/ready", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-content-type-options"] == "nosniff"
