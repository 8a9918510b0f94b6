"""Sign-in through a real OpenID provider (oidc-provider, npm): the authorization code flow
with PKCE, state and nonce, the ID token verified by its key set, RP-initiated logout."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager

from cchc_portal.bootstrap import create_app
from cchc_portal.config import PortalSettings
from cchc_portal.service_layer.sessions import LOGIN_COOKIE, SESSION_COOKIE, SessionCodec
from cchc_shared.auth import AuthSettings, Role
from cchc_shared.auth.claims import ClaimSettings
from cchc_shared.auth.oidc import OidcVerifier
from cchc_testkit.oidc import AUDIENCE, Account, Client, OidcProvider, provider_available

pytestmark = pytest.mark.integration

PORTAL = "http://127.0.0.1:8000"
CLIENT = Client(
    "cchc-portal",
    redirect_uris=(f"{PORTAL}/auth/callback",),
    post_logout_redirect_uris=(f"{PORTAL}/signed-out",),
)
ACCOUNTS = [
    Account("pho-phong-cchc", ("secretariat",), "Nguyễn Thị Hương"),
    Account("can-bo-760", ("agency_submitter",), "Trần Văn Minh", agency_code="760"),
    Account("khach", ("offline_access",), "Người ngoài"),
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    why = provider_available()
    if why is not None:  # skipped on a workstation, a failure in CI
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no OpenID provider: {why}")
    directory: Path = tmp_path_factory.mktemp("portal-oidc")
    with OidcProvider([CLIENT], directory, accounts=ACCOUNTS) as running:
        yield running


@dataclass
class Browser:
    portal: httpx.AsyncClient
    provider: OidcProvider
    sessions: SessionCodec

    async def sign_in(self, login: str) -> httpx.Response:
        """Start at the portal, sign in at the provider, and come back to the callback."""
        start = await self.portal.get("/auth/login")
        assert start.status_code == 303, start.text
        back = await self.provider.sign_in(start.headers["location"], login)
        assert back.startswith(f"{PORTAL}/auth/callback?"), back
        return await self.portal.get(back.removeprefix(PORTAL))


@pytest.fixture
async def browser(provider: OidcProvider) -> AsyncIterator[Browser]:
    settings = PortalSettings(
        public_url=PORTAL,
        oidc_client_id=CLIENT.client_id,
        oidc_client_secret=CLIENT.secret,
    )
    app = create_app(settings, auth=AuthSettings(issuer=provider.issuer, audience=AUDIENCE))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url=PORTAL) as c,
    ):
        yield Browser(c, provider, app.state.services.sessions)


async def test_the_sign_in_page_offers_the_city_account_and_no_development_sign_in(
    browser: Browser,
) -> None:
    page = await browser.portal.get("/sign-in")
    assert 'href="/auth/login"' in page.text
    assert "/dev/sign-in" not in page.text
    assert (await browser.portal.get("/dev/sign-in?role=admin")).status_code == 404


async def test_the_authorization_request_uses_pkce_state_nonce_and_the_api_resource(
    browser: Browser,
) -> None:
    start = await browser.portal.get("/auth/login")
    url = urlsplit(start.headers["location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}" == browser.provider.issuer
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["resource"] == AUDIENCE
    assert query["redirect_uri"] == f"{PORTAL}/auth/callback"
    cookie = start.headers["set-cookie"]
    assert cookie.startswith(f"{LOGIN_COOKIE}=") and "HttpOnly" in cookie
    assert query["state"] not in cookie  # sealed


async def test_a_person_signs_in_and_lands_on_their_workspace(browser: Browser) -> None:
    callback = await browser.sign_in("pho-phong-cchc")
    assert callback.status_code == 303, callback.text
    assert callback.headers["location"] == "/office"
    assert SESSION_COOKIE in browser.portal.cookies
    page = await browser.portal.get("/office")
    # signed in: the workspace, whose APIs do not run here, says so under the person's name
    assert page.status_code == 503 and "Dịch vụ tạm thời gián đoạn" in page.text
    assert "Nguyễn Thị Hương" in page.text
    assert "Phòng Cải cách hành chính" in page.text


async def test_an_agency_account_is_bound_to_its_agency(browser: Browser) -> None:
    callback = await browser.sign_in("can-bo-760")
    assert callback.headers["location"] == "/agency"
    session = browser.sessions.decode(browser.portal.cookies[SESSION_COOKIE])
    assert session is not None and session.agency_code == "760" and session.source == "oidc"
    # the access token the portal calls the APIs with passes the services' own verification
    verifier = OidcVerifier(
        AuthSettings(issuer=browser.provider.issuer, audience=AUDIENCE), ClaimSettings()
    )
    principal = await verifier.verify(session.access_token)
    assert principal.role is Role.AGENCY_SUBMITTER and principal.agency_code == "760"


async def test_an_account_without_a_platform_role_gets_no_session(browser: Browser) -> None:
    callback = await browser.sign_in("khach")
    assert callback.status_code == 400
    assert "không mang vai trò nào" in callback.text
    assert SESSION_COOKIE not in browser.portal.cookies


async def test_a_callback_with_another_state_is_refused(browser: Browser) -> None:
    start = await browser.portal.get("/auth/login")
    back = await browser.provider.sign_in(start.headers["location"], "pho-phong-cchc")
    forged = back.replace("state=", "state=x", 1)
    response = await browser.portal.get(forged.removeprefix(PORTAL))
    assert response.status_code == 400
    assert "state" in response.text
    assert SESSION_COOKIE not in browser.portal.cookies


async def test_a_callback_without_this_browsers_sign_in_is_refused(browser: Browser) -> None:
    start = await browser.portal.get("/auth/login")
    back = await browser.provider.sign_in(start.headers["location"], "pho-phong-cchc")
    browser.portal.cookies.delete(LOGIN_COOKIE, path="/auth")
    response = await browser.portal.get(back.removeprefix(PORTAL))
    assert response.status_code == 400
    assert SESSION_COOKIE not in browser.portal.cookies


async def test_a_code_is_good_once(browser: Browser) -> None:
    start = await browser.portal.get("/auth/login")
    back = await browser.provider.sign_in(start.headers["location"], "pho-phong-cchc")
    first = await browser.portal.get(back.removeprefix(PORTAL))
    assert first.status_code == 303
    again = await browser.portal.get("/auth/login")
    login_cookie = browser.portal.cookies.get(LOGIN_COOKIE, path="/auth")
    assert again.status_code == 303 and login_cookie
    # the old code with the old state: refused (state), and at the provider (code used)
    replay = await browser.portal.get(back.removeprefix(PORTAL))
    assert replay.status_code == 400


async def test_sign_out_is_initiated_at_the_provider(browser: Browser) -> None:
    await browser.sign_in("pho-phong-cchc")
    page = await browser.portal.get("/office")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = await browser.portal.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    async with httpx.AsyncClient() as plain:
        discovery = f"{browser.provider.issuer}/.well-known/openid-configuration"
        metadata = (await plain.get(discovery)).json()
    assert response.headers["location"].startswith(metadata["end_session_endpoint"])
    assert query == {
        "client_id": CLIENT.client_id,
        "post_logout_redirect_uri": f"{PORTAL}/signed-out",
    }
    assert SESSION_COOKIE not in browser.portal.cookies
    assert (await browser.portal.get("/office")).status_code == 303
