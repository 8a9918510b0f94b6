"""The portal's pages against a fake intake: sign-in, sessions, CSRF, the agency's flow,
refusals and failures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata

import pytest

from cchc_portal.config import PortalSettings
from cchc_portal.entrypoints.dependencies import safe_next
from cchc_portal.service_layer.sessions import SESSION_COOKIE
from cchc_portal.startup import refusal

from ..conftest import FakeIntake, Portal, portal_for

FORM = {
    "kind": "model",
    "title": "Một cửa điện tử liên thông cấp phường",
    "summary": "Tiếp nhận và trả kết quả hồ sơ trực tuyến.",
    "par_area": "procedures",
    "applied_since": "2022-03-01",
    "results": "Giảm 40% thời gian giải quyết hồ sơ.",
    "limitations": "",
}


async def test_a_page_is_vietnamese_nfc_with_the_security_headers(portal: Portal) -> None:
    response = await portal.client.get("/sign-in")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert unicodedata.is_normalized("NFC", response.text)
    assert "Đăng nhập" in response.text
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


async def test_the_development_sign_in_exists_only_when_switched_on() -> None:
    async for portal in portal_for(PortalSettings(), FakeIntake()):
        response = await portal.client.get("/dev/sign-in", params={"role": "admin"})
        assert response.status_code == 404
        assert "Không tìm thấy trang" in response.text


async def test_the_development_sign_in_redirects_to_the_role_home_with_a_sealed_cookie(
    portal: Portal,
) -> None:
    response = await portal.client.get(
        "/dev/sign-in", params={"role": "agency_submitter", "agency": "760"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/agency"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # loopback
    # sealed: neither the role nor the token is readable in the cookie
    assert "agency_submitter" not in cookie and "eyJ" not in cookie
    response = await portal.client.get(
        "/dev/sign-in", params={"role": "surveyor", "member": "M-01"}
    )
    assert response.headers["location"] == "/surveyor"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"role": "mayor"}, "unknown role"),
        ({"role": "agency_submitter"}, "agency"),
        ({"role": "agency_submitter", "agency": "XYZ999"}, "XYZ999"),
    ],
)
async def test_a_bad_development_sign_in_is_refused_naming_the_field(
    portal: Portal, params: dict[str, str], expected: str
) -> None:
    response = await portal.client.get("/dev/sign-in", params=params)
    assert response.status_code == 400
    assert expected in response.text
    assert "set-cookie" not in response.headers


def test_the_portal_refuses_a_network_address_with_the_development_sign_in() -> None:
    assert refusal(PortalSettings(development_sign_in=True)) is None  # 127.0.0.1
    reason = refusal(PortalSettings(development_sign_in=True, http_host="0.0.0.0"))
    assert reason is not None and "development sign-in" in reason and "từ chối" in reason
    reason = refusal(PortalSettings(http_host="0.0.0.0"))
    assert reason is not None and "CCHC_PORTAL_SESSION_SECRET" in reason
    assert refusal(PortalSettings(http_host="0.0.0.0", session_secret="x" * 48)) is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CCHC_PORTAL_DEVELOPMENT_SIGN_IN": "true"}, "development sign-in"),
        ({}, "CCHC_PORTAL_SESSION_SECRET"),
    ],
)
def test_the_process_refuses_to_listen_beyond_loopback(env: dict[str, str], expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cchc_portal", "serve"],
        env={**os.environ, "CCHC_PORTAL_HTTP_HOST": "0.0.0.0", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr


async def test_a_https_portal_sets_secure_cookies() -> None:
    settings = PortalSettings(development_sign_in=True, public_url="https://cchc.example.gov.vn")
    async for portal in portal_for(settings, FakeIntake()):
        response = await portal.client.get("/dev/sign-in", params={"role": "secretariat"})
        assert "Secure" in response.headers["set-cookie"]


async def test_without_a_session_a_workspace_sends_to_the_sign_in(portal: Portal) -> None:
    response = await portal.client.get("/agency")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/agency"


async def test_an_altered_cookie_is_no_session(portal: Portal) -> None:
    await portal.sign_in()
    value = portal.client.cookies[SESSION_COOKIE]
    portal.client.cookies.set(
        SESSION_COOKIE, value[:-4] + ("AAAA" if value[-4:] != "AAAA" else "BBBB")
    )
    response = await portal.client.get("/agency")
    assert response.status_code == 303


async def test_another_role_is_refused_the_agency_workspace(portal: Portal) -> None:
    await portal.sign_in(role="committee_viewer", agency="")
    response = await portal.client.get("/agency")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.text


async def test_the_agency_submits_and_sees_its_initiative(portal: Portal) -> None:
    await portal.sign_in()
    form_page = await portal.client.get("/agency/initiatives/new")
    for name in FORM:
        assert f'name="{name}"' in form_page.text
    response = await portal.client.post(
        "/agency/initiatives", data={**FORM, "csrf_token": portal.csrf(form_page.text)}
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    (sent,) = [r for r in portal.intake.requests if r.method == "POST"]
    assert sent.headers["authorization"].startswith("Bearer ")
    assert "csrf_token" not in sent.content.decode()
    detail = await portal.client.get(location)
    assert detail.status_code == 200
    assert FORM["title"] in detail.text and "Đã gửi đề xuất" in detail.text
    listing = await portal.client.get("/agency")
    assert FORM["title"] in listing.text and "1 đề xuất" in listing.text


async def test_a_form_without_its_token_is_refused_and_not_sent(portal: Portal) -> None:
    await portal.sign_in()
    for token in ("", "forged"):
        response = await portal.client.post(
            "/agency/initiatives", data={**FORM, "csrf_token": token}
        )
        assert response.status_code == 403
        assert "Biểu mẫu đã hết hạn" in response.text
    assert not [r for r in portal.intake.requests if r.method == "POST"]


async def test_a_missing_field_comes_back_beside_it_with_the_rest_filled(portal: Portal) -> None:
    await portal.sign_in()
    form_page = await portal.client.get("/agency/initiatives/new")
    response = await portal.client.post(
        "/agency/initiatives",
        data={**FORM, "title": "", "csrf_token": portal.csrf(form_page.text)},
    )
    assert response.status_code == 422
    html = response.text
    error = re.search(r'<p class="field-error" id="title-error">([^<]*)</p>', html)
    assert error is not None and error.group(1) == "Trường bắt buộc bị thiếu"
    assert 'id="title" name="title" type="text" value="" aria-describedby=" title-error"' in html
    assert f'value="{FORM["summary"]}"' not in html  # a textarea keeps its text as content
    assert f">{FORM['summary']}</textarea>" in html
    assert f">{FORM['results']}</textarea>" in html
    assert 'value="procedures" selected' in html
    assert 'value="model" checked' in html
    assert f'value="{FORM["applied_since"]}"' in html


async def test_a_refused_submission_keeps_what_was_typed(portal: Portal) -> None:
    await portal.sign_in()
    portal.intake.closed = True
    form_page = await portal.client.get("/agency/initiatives/new")
    response = await portal.client.post(
        "/agency/initiatives", data={**FORM, "csrf_token": portal.csrf(form_page.text)}
    )
    assert response.status_code == 409
    assert "Đợt khảo sát đã hết hạn nhận đề xuất" in response.text
    assert f'value="{FORM["title"]}"' in response.text
    assert f">{FORM['results']}</textarea>" in response.text


async def test_another_agencys_initiative_is_not_found(portal: Portal) -> None:
    await portal.sign_in(agency="760")
    form_page = await portal.client.get("/agency/initiatives/new")
    created = await portal.client.post(
        "/agency/initiatives", data={**FORM, "csrf_token": portal.csrf(form_page.text)}
    )
    location = created.headers["location"].split("?")[0]
    portal.client.cookies.clear()
    await portal.sign_in(agency="769")
    response = await portal.client.get(location)
    assert response.status_code == 404
    assert FORM["title"] not in response.text
    assert "Không tìm thấy trang" in response.text
    response = await portal.client.get("/agency/initiatives/not-a-uuid")
    assert response.status_code == 404


async def test_a_service_down_gives_a_clear_page_and_readiness_says_so(portal: Portal) -> None:
    await portal.sign_in()
    portal.intake.down = True
    response = await portal.client.get("/agency")
    assert response.status_code == 503
    assert "Không kết nối được phân hệ tiếp nhận" in response.text
    assert "Traceback" not in response.text and "ConnectError" not in response.text
    ready = await portal.client.get("/health/ready")
    assert ready.status_code == 503 and ready.json()["ready"] is False
    portal.intake.down = False
    ready = await portal.client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["intake"] == "ok"


async def test_sign_out_needs_the_form_token_and_ends_the_session(portal: Portal) -> None:
    await portal.sign_in()
    page = await portal.client.get("/agency")
    refused = await portal.client.post("/sign-out", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    response = await portal.client.post("/sign-out", data={"csrf_token": portal.csrf(page.text)})
    assert response.status_code == 303 and response.headers["location"] == "/signed-out"
    assert (await portal.client.get("/agency")).status_code == 303


def test_next_is_a_path_on_the_portal_only() -> None:
    assert safe_next("/agency") == "/agency"
    for value in ("https://evil.example", "//evil.example", "/\\evil.example", "", None):
        assert safe_next(value) is None


async def test_metrics_and_assets_are_served(portal: Portal) -> None:
    assert (await portal.client.get("/metrics")).status_code == 200
    css = await portal.client.get("/static/portal.css")
    assert css.status_code == 200 and "min-height: 44px" in css.text
    htmx = await portal.client.get("/assets/htmx.org/dist/htmx.min.js")
    assert htmx.status_code == 200, "npm ci --prefix services/portal"


def test_an_amendment_sends_what_changed_and_a_submitted_field_emptied() -> None:
    from cchc_portal.service_layer.agency import changes

    submitted = {**FORM, "status": "submitted", "limitations": "Còn bản giấy."}
    form = {**FORM, "results": "Giảm 55%.", "title": "", "limitations": ""}
    assert changes(submitted, form) == {"results": "Giảm 55%.", "title": "", "limitations": ""}
    draft = {"status": "draft", "title": "Bản nháp", "kind": None}
    assert changes(draft, {"title": "Bản nháp", "kind": "", "summary": "Mới"}) == {"summary": "Mới"}
