"""Browser tests of the portal: Playwright driving Debian's Chromium headless (never a
downloaded browser) over the services as processes, RabbitMQ (a fresh virtual host) and
PostgreSQL (a fresh database per service).

Two stacks, as people sign in two ways: ``development`` (the local run's /dev/sign-in, HS256
development tokens) and ``oidc`` (the services verify a real OpenID provider's tokens, people
sign in at its login page). Every page a test visits is checked at a phone's viewport
(390 × 844): no horizontal scrolling, no serious or critical axe-core violation, lang="vi" and
NFC text, and a screenshot kept under tests/portal/screenshots/ (git-ignored)."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import shutil
import sys
import unicodedata
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cchc_testkit.infra import fresh_service_databases, fresh_vhost
from cchc_testkit.nodes import free_port
from cchc_testkit.oidc import AUDIENCE, Account, Client, OidcProvider, provider_available
from cchc_testkit.processes import ServiceProcesses
from cchc_tools.cli import PAGES, SERVICES

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "services" / "portal" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORT = {"width": 390, "height": 844}
API_SERVICES = tuple(s for s in SERVICES if s not in PAGES)
# Every process of a stack signs and verifies development tokens with this secret.
SECRET = "portal-browser-test-secret-" + "x" * 40
PORTAL_CLIENT = "cchc-portal"
ACCOUNTS = [
    Account("can-bo-quan-1", ("agency_submitter",), "Trần Văn Minh", agency_code="760"),
    Account("can-bo-thu-duc", ("agency_submitter",), "Lê Thị Lan", agency_code="769"),
]


def _require(condition: bool, why: str) -> None:
    """Skipped on a workstation without the tool, a failure in CI."""
    if not condition:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(why)


@dataclass
class Stack:
    mode: str  # "development" or "oidc"
    processes: ServiceProcesses
    provider: OidcProvider | None = None
    visited: list[str] = field(default_factory=list)

    @property
    def portal(self) -> str:
        return self.processes.url("portal")

    def url(self, service: str) -> str:
        return self.processes.url(service)


@pytest.fixture(scope="module")
def stack_env() -> dict[str, str]:
    """More settings for the stack's processes; a module overrides it (e.g. the mail tests
    point notifications at a real SMTP server)."""
    return {}


@pytest.fixture(scope="module", params=["development", "oidc"])
async def stack(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    stack_env: dict[str, str],
) -> AsyncIterator[Stack]:
    mode = request.param
    if mode == "oidc":
        why = provider_available()
        _require(why is None, f"no OpenID provider: {why}")
    async with AsyncExitStack() as exits:
        amqp_url = await exits.enter_async_context(fresh_vhost("cchc-portal"))
        databases = await exits.enter_async_context(
            fresh_service_databases(API_SERVICES, "cchc_portal")
        )
        directory = tmp_path_factory.mktemp(f"portal-{mode}")
        portal_port = free_port()
        portal_url = f"http://127.0.0.1:{portal_port}"
        env: dict[str, str] = {}
        provider = None
        if mode == "oidc":
            client = Client(
                PORTAL_CLIENT,
                redirect_uris=(f"{portal_url}/auth/callback",),
                post_logout_redirect_uris=(f"{portal_url}/signed-out",),
            )
            # A machine client acting for another agency: it submits the initiative that the
            # signed-in agency must not see.
            other = Client(
                "thu-duc-platform", claims={"roles": ["agency_submitter"], "agency_code": "769"}
            )
            provider = OidcProvider([client, other], directory / "oidc", accounts=ACCOUNTS)
            (directory / "oidc").mkdir()
            provider.start()
            exits.callback(provider.stop)
            env = {
                "CCHC_AUTH_ISSUER": provider.issuer,
                "CCHC_AUTH_AUDIENCE": AUDIENCE,
                "CCHC_PORTAL_OIDC_CLIENT_ID": client.client_id,
                "CCHC_PORTAL_OIDC_CLIENT_SECRET": client.secret,
            }
        else:
            env = {"CCHC_PORTAL_DEVELOPMENT_SIGN_IN": "true"}
        running = ServiceProcesses(
            amqp_url,
            {**databases, "portal": ""},  # the portal has no database
            directory / "var",
            auth_secret=SECRET,
            extra_env=env | stack_env,
        )
        running.ports["portal"] = portal_port
        stack = Stack(mode, running, provider)
        failures_before = request.session.testsfailed
        try:
            for service in API_SERVICES:
                running.start(service)
            running.env.update(
                {f"CCHC_PORTAL_{s.upper()}_URL": running.url(s) for s in API_SERVICES}
                | {"CCHC_PORTAL_PUBLIC_URL": portal_url}
            )
            running.start("portal")
            await asyncio.to_thread(running.wait_ready, *API_SERVICES, "portal")
            yield stack
        finally:
            running.stop()
            if request.session.testsfailed > failures_before:
                print(running.dump_logs(), file=sys.stderr)


def _browser_tools() -> None:
    _require(CHROMIUM.exists(), "Debian's chromium is not installed (apt-get install chromium)")
    _require(AXE.exists(), "npm ci --prefix services/portal (axe-core)")


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    _browser_tools()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--lang=vi-VN"]
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Any, stack: Stack) -> AsyncIterator[Any]:
    context = await browser.new_context(viewport=VIEWPORT, locale="vi-VN", base_url=stack.portal)
    opened = await context.new_page()
    try:
        yield opened
    finally:
        await context.close()


@pytest.fixture(scope="session", autouse=True)
def fresh_screenshots() -> Iterator[None]:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    yield


async def check_page(page: Any, name: str, *, scripts: bool = True) -> dict[str, Any]:
    """The checks every visited portal page passes at 390 × 844; keeps its screenshot.

    ``scripts=False`` for a page in a context without JavaScript: axe-core cannot run there
    (its timers never fire), so that page gets every check but axe's."""
    await page.wait_for_load_state("load")
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    facts: dict[str, Any] = await page.evaluate(
        """() => ({
            lang: document.documentElement.lang,
            scrollWidth: document.documentElement.scrollWidth,
            clientWidth: document.documentElement.clientWidth,
            text: document.body.innerText,
        })"""
    )
    assert facts["lang"] == "vi", name
    assert facts["scrollWidth"] <= facts["clientWidth"], (
        f"{name}: horizontal scrolling ({facts['scrollWidth']} > {facts['clientWidth']} px)"
    )
    assert unicodedata.is_normalized("NFC", facts["text"]), name
    # the narrowest phone the pages are made for, too
    await page.set_viewport_size({"width": 360, "height": 740})
    narrow = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    await page.set_viewport_size(VIEWPORT)
    assert narrow[0] <= narrow[1], f"{name}: horizontal scrolling at 360 px ({narrow})"
    if not scripts:
        return facts
    # axe-core evaluated by the test itself (the page's CSP admits no injected script tag)
    await page.evaluate(_axe_source() + "\n;void 0")
    results = await page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    serious = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{name}: {json.dumps(serious, ensure_ascii=False, indent=1)}"
    return facts
