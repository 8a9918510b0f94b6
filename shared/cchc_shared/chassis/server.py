"""The HTTP server of every service: uvicorn, with limits for slow or greedy clients.

uvicorn's own settings, from :class:`ServiceSettings`:

* ``http_keep_alive_timeout`` — an idle keep-alive connection is closed after it;
* ``http_limit_concurrency`` — connections plus tasks beyond it are answered 503 at once;
* ``http_backlog`` — the listen backlog;
* ``http_max_header_bytes`` — the largest request head (h11's incomplete-event limit; a longer
  one is answered 400).

uvicorn closes nothing while a client is still sending a request's head: a client that opens a
connection and sends a header byte every few seconds (slowloris) holds it forever. The protocol
here gives each request's head ``http_header_timeout`` seconds from its first byte (from the
connection for the first request) and then closes the connection. Bodies are the proxy's to
time (``client_body_timeout`` in compose's nginx, the Ingress's annotations), as a large upload
over a slow link is legitimate.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from cchc_shared.chassis.settings import ServiceSettings


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head is not complete within
    :attr:`header_timeout` seconds."""

    header_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_header()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_header()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def _watch_header(self) -> None:
        waiting = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
        if not waiting:
            self._cancel_header_deadline()
        elif self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self.header_timeout, self._header_late)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _header_late(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.logger.info("request head not received in %.1f s: closed", self.header_timeout)
            self.transport.close()


def protocol_for(settings: ServiceSettings) -> type[HeaderDeadlineProtocol]:
    """The protocol class with the settings' header deadline."""
    return type(
        "ServiceHttpProtocol",
        (HeaderDeadlineProtocol,),
        {"header_timeout": settings.http_header_timeout},
    )


def server_config(app: FastAPI, settings: ServiceSettings) -> uvicorn.Config:
    """uvicorn's configuration for the service: address, limits, timeouts, no access log."""
    return uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.resolved_http_port,
        http=protocol_for(settings),
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.graceful_timeout),
        timeout_keep_alive=settings.http_keep_alive_timeout,
        limit_concurrency=settings.http_limit_concurrency,
        backlog=settings.http_backlog,
        h11_max_incomplete_event_size=settings.http_max_header_bytes,
    )


def start_metrics_server(settings: ServiceSettings) -> None:
    """Serve the Prometheus metrics on ``metrics_port`` (a listener of its own, in a thread),
    when it is set; the API port then has no ``/metrics``."""
    if settings.metrics_port is None:
        return
    from prometheus_client import start_http_server

    from cchc_shared.chassis.metrics import replica_registry

    start_http_server(
        settings.metrics_port, addr=settings.http_host, registry=replica_registry(settings.replica)
    )
