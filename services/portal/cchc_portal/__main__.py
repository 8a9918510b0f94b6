"""``python -m cchc_portal [serve]``: the portal's process (no database, so no migrations)."""

from __future__ import annotations

import argparse
import signal
import sys

import uvicorn

from cchc_portal.bootstrap import create_app
from cchc_portal.config import PortalSettings
from cchc_portal.startup import refusal
from cchc_shared.auth import AuthSettings
from cchc_shared.auth.startup import development_secret_refusal
from cchc_shared.chassis.logging import configure_logging
from cchc_shared.chassis.server import server_config, start_metrics_server


def main(argv: list[str] | None = None) -> int:
    settings = PortalSettings()
    parser = argparse.ArgumentParser(prog="cchc-portal")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args(argv)
    configure_logging(settings.service_name, settings.log_level, settings.log_format)
    if args.command == "migrate":
        print("portal: no database, nothing to migrate")
        return 0
    auth = AuthSettings()
    reason = refusal(settings)
    if reason is None and settings.development_sign_in:
        # The development sign-in signs tokens with the kit's settings: the kit's rule too.
        reason = development_secret_refusal(auth, settings.http_host)
    if reason is not None:
        print(f"portal: {reason}", file=sys.stderr)
        return 2
    # A clean stop on SIGTERM exits 0 (as the other services, cchc_shared.chassis.main).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = create_app(settings, auth=auth)
    start_metrics_server(settings)
    server = uvicorn.Server(server_config(app, settings))
    server.run()
    return 0 if server.started else 3


if __name__ == "__main__":
    raise SystemExit(main())
