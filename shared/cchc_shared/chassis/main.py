"""``python -m cchc_<service> [serve|migrate]``: the process entry point of every service."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from cchc_shared.auth.settings import AuthSettings
from cchc_shared.auth.startup import development_secret_refusal
from cchc_shared.chassis.logging import configure_logging
from cchc_shared.chassis.server import server_config, start_metrics_server
from cchc_shared.chassis.settings import ServiceSettings
from cchc_shared.persistence.migrations import upgrade


def service_main(
    argv: list[str] | None,
    *,
    settings_factory: Callable[[], ServiceSettings],
    app_factory: Callable[[ServiceSettings], FastAPI],
    migrations: Path,
) -> int:
    settings = settings_factory()
    parser = argparse.ArgumentParser(prog=f"cchc-{settings.service_name}")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args(argv)
    configure_logging(settings.service_name, settings.log_level, settings.log_format)
    if args.command == "migrate":
        upgrade(settings.resolved_database_url, migrations)
        print(f"{settings.service_name}: database is at the latest migration")
        return 0
    # uvicorn drains on SIGTERM, then re-raises the signal under the handler it found: this
    # one, so that a clean stop exits 0 rather than "killed by SIGTERM" (exit code 143).
    signal.signal(signal.SIGTERM, _exit_cleanly)
    app = app_factory(settings)
    auth = getattr(app.state, "auth_settings", None)
    refusal = (
        development_secret_refusal(auth, settings.http_host)
        if isinstance(auth, AuthSettings)
        else None
    )
    if refusal is not None:
        print(f"{settings.service_name}: {refusal}", file=sys.stderr)
        return 2
    start_metrics_server(settings)
    server = uvicorn.Server(server_config(app, settings))
    server.run()
    return 0 if server.started else 3  # uvicorn's own exit status of a failed start


def _exit_cleanly(signum: int, frame: object) -> None:
    sys.exit(0)
