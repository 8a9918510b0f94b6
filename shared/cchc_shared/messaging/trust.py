"""Who may publish what on the bus.

The broker authenticates every connection and, because every kit publisher sets the AMQP
``user_id`` property, refuses a message that claims another user. Topic permissions keep each
service to its own routing keys (``cchc_tools.definitions``). This module is the consumer's
side: an event type is accepted only from its owner's broker user and with its owner's
``source`` (``/cchc/<service>``); a platform's event only from a registered platform user and
with one of the sources that platform registered. Anything else is parked with the reason and
counted (``cchc_events_untrusted_total``).

Replays: ``cchc dlq replay`` publishes as the operator's user and names the original
publisher in ``x-cchc-original-user-id``; only the operator may send the kit's reserved
headers (``x-cchc-*``, ``x-death``...). Intake's replay of a refused inbound message from
the copy it kept does not pass through the broker at all: the consumer's ``reprocess`` checks
the copy with the ``user_id`` the broker verified when it was first received.

Development: with no ``CCHC_BUS_USERS``, every service, platform and the operator share one
broker user (the local run's), so the user names nothing; the sources are still checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import unquote, urlsplit

from cchc_shared.contracts.envelope import CloudEvent, FieldError
from cchc_shared.contracts.events import PLATFORMS, SERVICE_SOURCE_PREFIX, service_source

OPERATOR = "operator"
ORIGINAL_USER_HEADER = "x-cchc-original-user-id"
# Headers only the kit and the broker write: a publisher that sends them is refused.
RESERVED_HEADER_PREFIXES = ("x-cchc-", "x-death", "x-first-death-", "x-last-death-")


def broker_user(amqp_url: str) -> str:
    """The user an AMQP URL authenticates as (``guest`` when it names none, as aio-pika); of a
    list of nodes, the first's, which is every node's (``cluster.broker_addresses``)."""
    return unquote(urlsplit(amqp_url.split(",", 1)[0].strip()).username or "guest")


def is_reserved_header(name: str) -> bool:
    return name.startswith(RESERVED_HEADER_PREFIXES)


def without_reserved_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in headers.items() if not is_reserved_header(k)}


class Untrusted(StrEnum):
    """Why an event was not believed: the metric's ``reason`` label."""

    RESERVED_HEADER = "reserved_header"
    NO_USER = "no_user"
    WRONG_USER = "wrong_user"
    WRONG_SOURCE = "wrong_source"


@dataclass(frozen=True)
class Refusal:
    reason: Untrusted
    error: FieldError


def _refusal(reason: Untrusted, path: str, vi: str, en: str) -> Refusal:
    return Refusal(reason, FieldError(path, f"{vi} / {en}"))


@dataclass(frozen=True)
class BusTrust:
    """What a consumer believes. ``users`` maps each publisher (a service's name, or
    ``operator``) to its broker user; ``platforms`` maps each platform's broker user to the
    sources it registered. Empty ``users`` is the development mode (one shared user)."""

    own_user: str
    users: Mapping[str, str] = field(default_factory=dict)
    platforms: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for user, sources in self.platforms.items():
            claimed = sorted(s for s in sources if s.startswith(SERVICE_SOURCE_PREFIX))
            if claimed:
                raise ValueError(
                    f"platform {user} may not register the services' sources {claimed}"
                )

    @property
    def configured(self) -> bool:
        return bool(self.users)

    def user_of(self, publisher: str) -> str:
        return self.users.get(publisher, self.own_user) if self.configured else self.own_user

    def check(
        self, event: CloudEvent, publisher: str, user_id: str | None, headers: Mapping[str, Any]
    ) -> Refusal | None:
        """None when ``event`` (owned by ``publisher``) is believed, else why not."""
        operator = self.user_of(OPERATOR)
        if user_id is not None and user_id == operator and ORIGINAL_USER_HEADER in headers:
            # A replay: the operator vouches for who published the parked original.
            value = headers[ORIGINAL_USER_HEADER]
            user_id = value.decode() if isinstance(value, bytes) else str(value) or None
        elif user_id != operator and any(is_reserved_header(name) for name in headers):
            reserved = sorted(name for name in headers if is_reserved_header(name))
            return _refusal(
                Untrusted.RESERVED_HEADER,
                "headers",
                f"tiêu đề dành riêng cho nền tảng không được gửi kèm: {', '.join(reserved)}",
                f"reserved headers may not be sent: {', '.join(reserved)}",
            )
        if publisher == PLATFORMS:
            return self._check_platform(event, user_id)
        return self._check_service(event, publisher, user_id)

    def _check_service(
        self, event: CloudEvent, publisher: str, user_id: str | None
    ) -> Refusal | None:
        expected_source = service_source(publisher)
        if self.configured or user_id is not None:
            if user_id is None:
                return _refusal(
                    Untrusted.NO_USER,
                    "user_id",
                    f"sự kiện {event.type} không cho biết người gửi (thuộc tính user_id)",
                    f"{event.type} carries no user_id",
                )
            if user_id != self.user_of(publisher):
                return _refusal(
                    Untrusted.WRONG_USER,
                    "user_id",
                    f"sự kiện {event.type} chỉ do dịch vụ {publisher} phát hành, "
                    f"không phải người dùng '{user_id}'",
                    f"{event.type} is published only by {publisher}, not by user '{user_id}'",
                )
        if event.source != expected_source:
            return _refusal(
                Untrusted.WRONG_SOURCE,
                "$.source",
                f"sự kiện {event.type} phải có nguồn {expected_source}",
                f"{event.type} must come from {expected_source}",
            )
        return None

    def _check_platform(self, event: CloudEvent, user_id: str | None) -> Refusal | None:
        if event.source.startswith(SERVICE_SOURCE_PREFIX):
            return _refusal(
                Untrusted.WRONG_SOURCE,
                "$.source",
                f"nguồn {SERVICE_SOURCE_PREFIX}… dành cho các dịch vụ của nền tảng",
                f"the sources {SERVICE_SOURCE_PREFIX}… belong to the platform's services",
            )
        if not self.platforms:
            return None  # development: any platform, any source of its own
        if user_id is None or user_id not in self.platforms:
            return _refusal(
                Untrusted.WRONG_USER if user_id else Untrusted.NO_USER,
                "user_id",
                "người gửi không phải nền tảng đã đăng ký",
                f"'{user_id or ''}' is not a registered platform",
            )
        if event.source not in self.platforms[user_id]:
            return _refusal(
                Untrusted.WRONG_SOURCE,
                "$.source",
                f"nền tảng '{user_id}' chưa đăng ký nguồn '{event.source}'",
                f"platform '{user_id}' did not register the source '{event.source}'",
            )
        return None
