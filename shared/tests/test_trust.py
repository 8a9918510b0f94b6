"""Who may publish what: the consumer's side of the bus's trust (messaging.trust)."""

from __future__ import annotations

import pytest

from cchc_shared.contracts import CloudEvent
from cchc_shared.contracts.events import PLATFORMS
from cchc_shared.messaging.trust import (
    ORIGINAL_USER_HEADER,
    BusTrust,
    Untrusted,
    broker_user,
    without_reserved_headers,
)

USERS = {
    "intake": "cchc-intake",
    "evaluation": "cchc-evaluation",
    "reporting": "cchc-reporting",
    "operator": "cchc-operator",
}
PLATFORM_SOURCES = {"cchc-dvc": frozenset({"/platforms/dvc"}), "cchc-hcc": frozenset({"/hcc"})}
PRODUCTION = BusTrust(own_user="cchc-reporting", users=USERS, platforms=PLATFORM_SOURCES)
DEVELOPMENT = BusTrust(own_user="guest")


def event(source: str, type_: str = "vn.hcmc.cchc.replication.recommended.v1") -> CloudEvent:
    return CloudEvent(specversion="1.0", id="e-1", source=source, type=type_)


def reason(trust: BusTrust, e: CloudEvent, publisher: str, user: str | None, **headers: str):
    refusal = trust.check(e, publisher, user, headers)
    return None if refusal is None else refusal.reason


def test_the_owner_with_its_own_source_is_believed() -> None:
    assert reason(PRODUCTION, event("/cchc/evaluation"), "evaluation", "cchc-evaluation") is None


@pytest.mark.parametrize(
    ("source", "user", "expected"),
    [
        ("/cchc/evaluation", "cchc-reporting", Untrusted.WRONG_USER),  # another service
        ("/cchc/evaluation", "cchc-dvc", Untrusted.WRONG_USER),  # a platform
        ("/cchc/evaluation", None, Untrusted.NO_USER),  # no user_id at all
        ("/cchc/reporting", "cchc-evaluation", Untrusted.WRONG_SOURCE),  # owner, wrong source
    ],
)
def test_anyone_else_is_refused(source: str, user: str | None, expected: Untrusted) -> None:
    assert reason(PRODUCTION, event(source), "evaluation", user) is expected


def test_the_refusal_names_the_field_in_vietnamese_and_english() -> None:
    refusal = PRODUCTION.check(event("/cchc/evaluation"), "evaluation", "cchc-reporting", {})
    assert refusal is not None
    assert refusal.error.field == "user_id"
    assert "chỉ do dịch vụ evaluation phát hành" in refusal.error.message
    assert "not by user 'cchc-reporting'" in refusal.error.message


def test_reserved_headers_are_refused_from_anyone_but_the_operator() -> None:
    e = event("/cchc/evaluation")
    forged = {"x-cchc-original-queue": "reporting.replication.recommended.v1"}
    assert reason(PRODUCTION, e, "evaluation", "cchc-evaluation", **forged) is (
        Untrusted.RESERVED_HEADER
    )
    assert reason(PRODUCTION, e, "evaluation", "cchc-evaluation", **{"x-death": "[]"}) is (
        Untrusted.RESERVED_HEADER
    )


def test_a_replay_is_checked_as_its_original_publisher() -> None:
    e = event("/cchc/evaluation")
    genuine = {ORIGINAL_USER_HEADER: "cchc-evaluation"}
    forged = {ORIGINAL_USER_HEADER: "cchc-reporting"}
    assert reason(PRODUCTION, e, "evaluation", "cchc-operator", **genuine) is None
    assert reason(PRODUCTION, e, "evaluation", "cchc-operator", **forged) is Untrusted.WRONG_USER
    # Without the original's user the operator is not the event's owner.
    assert reason(PRODUCTION, e, "evaluation", "cchc-operator") is Untrusted.WRONG_USER
    # Nobody else may claim to replay.
    assert reason(PRODUCTION, e, "evaluation", "cchc-reporting", **genuine) is (
        Untrusted.RESERVED_HEADER
    )


def test_platforms_are_bound_to_the_sources_they_registered() -> None:
    inbound = "vn.hcmc.cchc.initiative.submitted.v1"
    assert reason(PRODUCTION, event("/platforms/dvc", inbound), PLATFORMS, "cchc-dvc") is None
    # Another platform's source: its deduplication key would shadow the real platform's.
    assert reason(PRODUCTION, event("/hcc", inbound), PLATFORMS, "cchc-dvc") is (
        Untrusted.WRONG_SOURCE
    )
    assert reason(PRODUCTION, event("/cchc/intake", inbound), PLATFORMS, "cchc-dvc") is (
        Untrusted.WRONG_SOURCE
    )
    assert reason(PRODUCTION, event("/platforms/dvc", inbound), PLATFORMS, "cchc-intake") is (
        Untrusted.WRONG_USER
    )
    assert reason(PRODUCTION, event("/platforms/dvc", inbound), PLATFORMS, None) is (
        Untrusted.NO_USER
    )


def test_a_platform_may_not_register_a_services_source() -> None:
    with pytest.raises(ValueError, match="services' sources"):
        BusTrust(own_user="x", users=USERS, platforms={"p": frozenset({"/cchc/intake"})})


def test_development_checks_sources_and_a_present_user() -> None:
    assert reason(DEVELOPMENT, event("/cchc/evaluation"), "evaluation", None) is None
    assert reason(DEVELOPMENT, event("/cchc/evaluation"), "evaluation", "guest") is None
    assert reason(DEVELOPMENT, event("/cchc/intake"), "evaluation", "guest") is (
        Untrusted.WRONG_SOURCE
    )
    assert reason(DEVELOPMENT, event("/cchc/evaluation"), "evaluation", "mallory") is (
        Untrusted.WRONG_USER
    )
    inbound = "vn.hcmc.cchc.initiative.submitted.v1"
    assert reason(DEVELOPMENT, event("/platforms/any", inbound), PLATFORMS, None) is None
    assert reason(DEVELOPMENT, event("/cchc/intake", inbound), PLATFORMS, None) is (
        Untrusted.WRONG_SOURCE
    )


def test_broker_user_and_reserved_headers() -> None:
    assert broker_user("amqp://cchc-intake:s3cret@rabbitmq:5672/cchc") == "cchc-intake"
    assert broker_user("amqp://a%40b:x@h/") == "a@b"
    assert broker_user("amqp://localhost/") == "guest"
    headers = {"x-cchc-reason": "r", "x-death": [], "x-first-death-queue": "q", "traceparent": "t"}
    assert without_reserved_headers(headers) == {"traceparent": "t"}


def test_each_service_may_have_its_own_broker_url_and_the_trust_follows_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cchc_shared.chassis.settings import ServiceSettings

    class IntakeLike(ServiceSettings):
        service_name = "intake"

    class ReportingLike(ServiceSettings):
        service_name = "reporting"

    monkeypatch.setenv("CCHC_AMQP_URL", "amqp://shared:x@rabbitmq/")
    monkeypatch.setenv("CCHC_INTAKE_AMQP_URL", "amqp://cchc-intake:secret@rabbitmq/")
    monkeypatch.setenv("CCHC_BUS_USERS", '{"intake": "cchc-intake", "operator": "cchc-operator"}')
    monkeypatch.setenv("CCHC_PLATFORM_SOURCES", '{"cchc-dvc": ["/platforms/dvc"]}')
    intake = IntakeLike()
    assert intake.amqp_url == "amqp://cchc-intake:secret@rabbitmq/"
    assert ReportingLike().amqp_url == "amqp://shared:x@rabbitmq/"
    assert IntakeLike(amqp_url="amqp://explicit@h/").amqp_url == "amqp://explicit@h/"
    trust = intake.bus_trust
    assert trust.own_user == "cchc-intake" and trust.user_of("operator") == "cchc-operator"
    assert trust.platforms == {"cchc-dvc": frozenset({"/platforms/dvc"})}
