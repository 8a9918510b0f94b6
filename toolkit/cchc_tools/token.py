"""The ``cchc token`` command: print a development bearer token."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import timedelta

from pydantic import ValidationError

from cchc_shared.auth import AuthSettings, Role, issue_token


def _parse_lifetime(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text)
    if not match or int(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(
            f"invalid lifetime {text!r}: a positive number with an optional unit s/m/h/d, "
            "e.g. 30m, 8h, 7d (thời hạn không hợp lệ)"
        )
    unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return timedelta(seconds=int(match.group(1)) * unit)


def main_token(args: Sequence[str]) -> int:
    """``cchc token --role ROLE [--agency CODE] [--member ID] [--subject SUB]
    [--lifetime 8h]``: print a development bearer token signed with the ``CCHC_AUTH_*``
    settings. Returns the exit status (0 ok, 2 usage error)."""
    parser = argparse.ArgumentParser(
        prog="cchc token",
        description=(
            "In mã xác thực (bearer token) dùng cho phát triển / Print a development bearer token."
        ),
    )
    parser.add_argument("--role", required=True, choices=[r.value for r in Role])
    parser.add_argument("--agency", help="agency code for agency_submitter (e.g. SNV, 760, 26740)")
    parser.add_argument("--member", help="survey-team member id for surveyor")
    parser.add_argument("--subject", help="token subject (default: ROLE:AGENCY|MEMBER)")
    parser.add_argument("--name", help="the person's display name, kept in audit trails")
    parser.add_argument(
        "--lifetime",
        type=_parse_lifetime,
        help="e.g. 30m, 8h (default: settings; at most CCHC_AUTH_MAX_TOKEN_LIFETIME)",
    )
    try:
        ns = parser.parse_args(list(args))
    except SystemExit as exc:  # --help or a usage error
        return exc.code if isinstance(exc.code, int) else 2

    agency = ns.agency.strip().upper() if ns.agency else None
    if agency is not None:
        from cchc_shared.reference import get_agency

        if get_agency(agency) is None:
            print(
                f"cchc token: mã cơ quan {agency} không có trong danh mục / "
                f"unknown agency code {agency} (see hcmc-agencies-2023.json and "
                "hcmc-admin-units-2023.json)",
                file=sys.stderr,
            )
            return 2
    try:
        settings = AuthSettings()
        token = issue_token(
            settings,
            ns.role,
            agency=agency,
            member=ns.member,
            subject=ns.subject,
            lifetime=ns.lifetime,
            name=ns.name,
        )
    except (ValueError, ValidationError) as exc:
        print(f"cchc token: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0
