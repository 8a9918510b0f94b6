"""Connections to a RabbitMQ cluster: ``CCHC_AMQP_URL`` names one node, or several separated
by commas (``amqp://u:p@rabbit-0:5672/cchc,amqp://u:p@rabbit-1:5672/cchc``). Every connection
of the kit (the publisher, the FastStream consumers, the topology declaration, the tools)
connects to the first node that answers and, when that node goes away, reconnects to the
next one that does, as the Java client's address list does.

aio-pika and aiormq connect to one URL only; aio-pika's maintainers point to a DNS name with
one record per node (which a Kubernetes Service of the cluster is, and then one URL is
enough). For a list of addresses, aio-pika's extension point is ``connect_robust``'s
``connection_class``: ``FailoverConnection`` is its ``RobustConnection`` with the transport
attempt made on each address in turn; the recovery of channels, consumers and declarations
after a reconnection stays aio-pika's.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

import aio_pika
import aio_pika.abc
from aio_pika.exceptions import CONNECTION_EXCEPTIONS
from yarl import URL

log = logging.getLogger("cchc.broker")

SCHEMES = ("amqp", "amqps")
# Seconds one node may take to accept a connection before the next one is tried: a node
# whose machine is gone does not refuse, it never answers.
CONNECT_TIMEOUT = 10.0


class BrokerAddressError(ValueError):
    """``CCHC_AMQP_URL`` cannot be read as one or several broker addresses."""


def broker_addresses(amqp_url: str) -> list[str]:
    """The nodes an AMQP setting names, in order. A comma inside a password must be written
    ``%2C``, as URLs write it. All nodes must share the user and the virtual host: they are
    one broker, and the bus's trust rests on that one user."""
    addresses = [part.strip() for part in amqp_url.split(",") if part.strip()]
    if not addresses:
        raise BrokerAddressError("CCHC_AMQP_URL: trống — cần ít nhất một địa chỉ amqp://")
    identities = set()
    for address in addresses:
        parts = urlsplit(address)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise BrokerAddressError(
                f"CCHC_AMQP_URL: '{_without_password(address)}' không phải địa chỉ "
                "amqp://người-dùng:mật-khẩu@máy:cổng/vhost"
            )
        identities.add((unquote(parts.username or "guest"), parts.path or "/"))
    if len(identities) > 1:
        raise BrokerAddressError(
            "CCHC_AMQP_URL: các nút phải cùng người dùng và cùng vhost "
            f"(đang có {sorted(f'{u} @ {v}' for u, v in identities)})"
        )
    return addresses


def _without_password(address: str) -> str:
    url = URL(address)
    return str(url.with_password("******")) if url.password else address


class FailoverConnection(aio_pika.RobustConnection):
    """aio-pika's robust connection over several nodes: each (re)connection tries the nodes
    in turn, starting after the one that was lost, until one accepts."""

    ADDRESSES: ClassVar[tuple[URL, ...]] = ()

    def __init__(self, url: URL, loop: Any = None, **kwargs: Any) -> None:
        super().__init__(url, loop=loop, **kwargs)
        # Each node's URL with the first's query (the connection's parameters were read there).
        self.addresses = tuple(a.with_query(url.query) for a in self.ADDRESSES) or (url,)
        self.current = 0

    @classmethod
    def over(cls, addresses: list[str]) -> type[FailoverConnection]:
        """The connection class for these nodes (``connect_robust`` builds it from a URL)."""
        nodes = tuple(URL(a) for a in addresses)
        return type("FailoverConnection", (cls,), {"ADDRESSES": nodes})

    @property
    def node(self) -> str:
        """The node in use (or last tried), without credentials."""
        url = self.addresses[self.current]
        return f"{url.host}:{url.port}"

    async def _on_connection_close(self, closing: Any) -> None:
        # The node in use went away: the next attempt starts with the next node, rather
        # than waiting out the lost one first. (A failed attempt comes here too, unconnected:
        # the attempt loop moves on by itself.)
        if self.connected.is_set() and not self._close_called and len(self.addresses) > 1:
            log.warning("broker node lost; trying the next", extra={"node": self.node})
            self.current = (self.current + 1) % len(self.addresses)
        await super()._on_connection_close(closing)

    # RobustConnection's one transport attempt, which it calls by this (name-mangled) name in
    # its reconnection loop: here one attempt is one pass over the nodes.
    async def _RobustConnection__connect_transport(self) -> None:
        attempt_one = aio_pika.RobustConnection._RobustConnection__connect_transport  # type: ignore[attr-defined]
        last: BaseException | None = None
        for _ in self.addresses:
            self.url = self.addresses[self.current]
            try:
                await attempt_one(self)
            except CONNECTION_EXCEPTIONS as exc:
                last = exc
                if len(self.addresses) > 1:
                    log.warning(
                        "broker node unreachable; trying the next",
                        extra={"node": self.node, "error": f"{type(exc).__name__}: {exc}"},
                    )
                self.current = (self.current + 1) % len(self.addresses)
            else:
                if len(self.addresses) > 1:
                    log.info("connected to broker node", extra={"node": self.node})
                return
        assert last is not None
        raise last


def connection_options(amqp_url: str) -> dict[str, Any]:
    """``connect_robust``'s arguments for an AMQP setting: the first node's URL, the failover
    class over all of them, and a connection timeout when there is a node to fail over to."""
    addresses = broker_addresses(amqp_url)
    options: dict[str, Any] = {
        "url": addresses[0],
        "connection_class": FailoverConnection.over(addresses),
    }
    if len(addresses) > 1:
        options["timeout"] = CONNECT_TIMEOUT
    return options


async def connect(amqp_url: str, **kwargs: Any) -> aio_pika.abc.AbstractRobustConnection:
    """A robust connection to the first reachable node of ``amqp_url``; raises at once if
    none is (aio-pika's fail-fast), and afterwards follows the cluster."""
    connection: aio_pika.abc.AbstractRobustConnection = await aio_pika.connect_robust(
        **connection_options(amqp_url), **kwargs
    )
    return connection
