"""The mail pages against a fake notifications API (and reporting's rounds): the outbox's
filters reach the API under its own names, a refused address comes back beside its field as
typed, a round is released only by the confirmation's POST, the review setting is sent as a
boolean, a mandatory kind refused with its reason beside the choice, and the pages refuse the
people they are not for."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from cchc_portal.bootstrap import create_app
from cchc_portal.config import PortalSettings

from ..conftest import Portal

ROUND = str(uuid.uuid4())
REFUSED = str(uuid.uuid4())
MESSAGE = {
    "notification_id": REFUSED,
    "category": "agency_notice",
    "status": "failed",
    "recipient_kind": "agency",
    "recipient_id": "26740",
    "recipient_name": "Phường Bến Nghé",
    "email": "ubnd.pbennghe.q1@tphcm.gov.vn",
    "campaign_year": 2023,
    "round_id": ROUND,
    "subject": "Thông báo lịch khảo sát đợt 1 năm 2023",
    "attachments": [{"filename": "Thông báo khảo sát đợt 1 năm 2023.pdf", "media_type": "x"}],
    "attempts": 1,
    "last_error": "550 5.1.1 <ubnd.pbennghe.q1@tphcm.gov.vn>: User unknown",
    "created_at": "2023-06-01T02:00:00+00:00",
    "sent_at": None,
    "next_attempt_at": None,
}
HELD = {**MESSAGE, "notification_id": str(uuid.uuid4()), "status": "held", "last_error": ""}
MANDATORY = "Giấy mời, thông báo khảo sát và thông báo hủy lịch là bắt buộc"


class FakeMail:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.modes: dict[str, str] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/v1")
        if request.url.port == 8004:
            answers: dict[str, Any] = {
                "/campaigns": [{"campaign_year": 2023, "initiatives_received": 3}],
                "/campaigns/2023/rounds": [{"round_id": ROUND, "sequence": 1}],
            }
            return httpx.Response(200, json=answers.get(path, []))
        if request.url.port != 8005:
            return httpx.Response(404, json={"detail": []})
        body = json.loads(request.content) if request.content else {}
        if path == "/notifications":
            if request.url.params.get("status") == "held":
                return httpx.Response(200, json=[HELD])
            if set(request.url.params) == {"round_id"}:  # the round's mail, to review
                return httpx.Response(200, json=[MESSAGE, HELD])
            return httpx.Response(200, json=[MESSAGE])
        if path == "/notifications/counts":
            return httpx.Response(200, json={"campaign_year": 2023, "by_status": {"failed": 1}})
        if path == "/campaigns/2023/settings":
            review = body.get("review_before_release", False)
            return httpx.Response(
                200, json={"campaign_year": 2023, "review_before_release": review}
            )
        if path == f"/notifications/{REFUSED}":
            return httpx.Response(200, json={**MESSAGE, "text": "Kính gửi", "html": "<p>"})
        if path == f"/notifications/{REFUSED}/resend":
            if "@" not in (body.get("email") or "@"):
                fault = {"field": "email", "message": "Giá trị không đúng định dạng"}
                return httpx.Response(422, json={"detail": [fault]})
            return httpx.Response(200, json=MESSAGE)
        if path == f"/rounds/{ROUND}/release":
            return httpx.Response(200, json={"round_id": ROUND, "released": 1})
        if path == "/preferences":
            if _agency(request.headers["Authorization"]) is None:
                fault = {"field": "Authorization", "message": "Chỉ thành viên và đơn vị"}
                return httpx.Response(403, json={"detail": [fault]})
            if request.method == "PUT":
                if body["category"] in ("invitation", "agency_notice", "round_cancelled"):
                    return httpx.Response(
                        422, json={"detail": [{"field": "category", "message": MANDATORY}]}
                    )
                self.modes[body["category"]] = body["mode"]
            out = {"recipient_kind": "agency", "recipient_id": "760", "modes": self.modes}
            return httpx.Response(200, json=out)
        return httpx.Response(404, json={"detail": []})

    def sent(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == f"/api/v1{path}"]


def _agency(authorization: str) -> str | None:
    """The agency a development token is bound to (None: not an agency's person)."""
    import jwt

    claims = jwt.decode(authorization.removeprefix("Bearer "), options={"verify_signature": False})
    return claims.get("agency_code")


@pytest.fixture
async def mail_portal() -> AsyncIterator[tuple[Portal, FakeMail]]:
    fake = FakeMail()
    app = create_app(
        PortalSettings(development_sign_in=True), transport=httpx.MockTransport(fake.handle)
    )
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://127.0.0.1:8000"
        ) as client,
    ):
        yield Portal(client, None), fake  # type: ignore[arg-type]


async def _sign_in(portal: Portal, role: str, **binding: str) -> None:
    response = await portal.client.get("/dev/sign-in", params={"role": role, **binding})
    assert response.status_code == 303, response.text


async def test_the_outbox_filters_resend_release_and_setting(
    mail_portal: tuple[Portal, FakeMail],
) -> None:
    portal, fake = mail_portal
    await _sign_in(portal, "admin")
    page = await portal.client.get(
        "/office/mail", params={"status": "failed", "recipient_kind": "agency", "round_id": ROUND}
    )
    assert page.status_code == 200, page.text
    (listed,) = [r for r in fake.sent("/notifications") if r.url.params.get("status") == "failed"]
    assert dict(listed.url.params) == {
        "status": "failed",
        "recipient_kind": "agency",
        "round_id": ROUND,
        "campaign_year": "2023",
    }
    assert "550 5.1.1" in page.text and "Đợt 1" in page.text
    assert f"/office/mail/rounds/{ROUND}/release" in page.text  # the held round
    csrf = portal.csrf(page.text)

    refused = await portal.client.post(
        f"/office/mail/{REFUSED}/resend", data={"csrf_token": csrf, "email": "sai-dia-chi"}
    )
    assert refused.status_code == 422
    assert 'id="email-error">Giá trị không đúng định dạng' in refused.text
    assert 'value="sai-dia-chi"' in refused.text
    resent = await portal.client.post(
        f"/office/mail/{REFUSED}/resend", data={"csrf_token": csrf, "email": "vp@tphcm.gov.vn"}
    )
    assert resent.status_code == 303
    assert json.loads(fake.sent(f"/notifications/{REFUSED}/resend")[-1].content) == {
        "email": "vp@tphcm.gov.vn"
    }

    confirm = await portal.client.get(f"/office/mail/rounds/{ROUND}/release")
    assert "Phát hành 1 thư" in confirm.text
    assert not fake.sent(f"/rounds/{ROUND}/release")  # the confirmation page releases nothing
    released = await portal.client.post(
        f"/office/mail/rounds/{ROUND}/release?campaign_year=2023", data={"csrf_token": csrf}
    )
    assert released.status_code == 303
    assert released.headers["location"] == "/office/mail?campaign_year=2023&released=1"
    forged = await portal.client.post(f"/office/mail/rounds/{ROUND}/release", data={})
    assert forged.status_code == 403 and len(fake.sent(f"/rounds/{ROUND}/release")) == 1

    changed = await portal.client.post(
        "/office/mail/settings/2023", data={"csrf_token": csrf, "review_before_release": "true"}
    )
    assert changed.status_code == 303
    puts = [r for r in fake.sent("/campaigns/2023/settings") if r.method == "PUT"]
    assert json.loads(puts[-1].content) == {"review_before_release": True}


async def test_a_person_chooses_a_digest_and_a_mandatory_kind_is_refused_beside_it(
    mail_portal: tuple[Portal, FakeMail],
) -> None:
    portal, fake = mail_portal
    await _sign_in(portal, "agency_submitter", agency="760")
    page = await portal.client.get("/preferences")
    assert page.status_code == 200
    assert 'Thông báo lịch khảo sát <span class="required">(bắt buộc)</span>' in page.text
    csrf = portal.csrf(page.text)
    saved = await portal.client.post(
        "/preferences", data={"csrf_token": csrf, "category": "decision", "mode": "digest"}
    )
    assert saved.status_code == 303 and fake.modes == {"decision": "digest"}
    refused = await portal.client.post(
        "/preferences", data={"csrf_token": csrf, "category": "agency_notice", "mode": "off"}
    )
    assert refused.status_code == 422
    assert f'id="error-agency_notice">{MANDATORY}' in refused.text
    assert 'id="mode-agency_notice-off" name="mode" value="off" checked' in refused.text
    assert 'id="mode-decision-digest" name="mode" value="digest" checked' in refused.text


async def test_the_office_is_told_it_receives_no_mail_and_others_cannot_see_the_outbox(
    mail_portal: tuple[Portal, FakeMail],
) -> None:
    portal, _ = mail_portal
    await _sign_in(portal, "secretariat")
    page = await portal.client.get("/preferences")
    assert page.status_code == 200 and "không nhận thư" in page.text
    await _sign_in(portal, "agency_submitter", agency="760")
    assert (await portal.client.get("/office/mail")).status_code == 403
    assert (await portal.client.get(f"/office/mail/{REFUSED}")).status_code == 403
