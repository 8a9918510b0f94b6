"""``cchc token``: the development-token command of the tools."""

from __future__ import annotations

import jwt
import pytest

from cchc_shared.auth import AuthSettings, Principal, Role, verify_token
from cchc_tools.cli import main
from cchc_tools.token import main_token

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP"


def test_main_token_prints_a_valid_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCHC_AUTH_SECRET", SECRET)
    assert main_token(["--role", "agency_submitter", "--agency", "26740"]) == 0
    token = capsys.readouterr().out.strip()
    principal = verify_token(AuthSettings(), token)
    assert principal == Principal("agency_submitter:26740", Role.AGENCY_SUBMITTER, "26740")

    assert main_token(["--role", "surveyor", "--member", "m-3", "--lifetime", "30m"]) == 0
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="cchc")
    assert claims["exp"] - claims["iat"] == 1800
    assert claims["member_id"] == "m-3"

    assert main_token(["--role", "agency_submitter", "--agency", "snv"]) == 0
    assert verify_token(AuthSettings(), capsys.readouterr().out.strip()).agency_code == "SNV"


@pytest.mark.parametrize(
    "args",
    [
        ["--role", "agency_submitter"],  # no agency
        ["--role", "agency_submitter", "--agency", "99999"],  # unknown agency
        ["--role", "surveyor"],  # no member
        ["--role", "root"],  # unknown role
        ["--role", "admin", "--lifetime", "soon"],
        [],
    ],
)
def test_main_token_usage_errors(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main_token(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err


def test_cchc_token_runs_main_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCHC_AUTH_SECRET", SECRET)
    assert main(["token", "--role", "surveyor", "--member", "m-3"]) == 0
    assert verify_token(AuthSettings(), capsys.readouterr().out.strip()).member_id == "m-3"
    assert main(["token", "--role", "root"]) == 2


def test_main_token_cannot_exceed_the_maximum_lifetime(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCHC_AUTH_SECRET", SECRET)
    monkeypatch.setenv("CCHC_AUTH_MAX_TOKEN_LIFETIME", "PT12H")
    assert main_token(["--role", "admin", "--lifetime", "13h"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "exceeds the maximum" in captured.err and "vượt quá mức tối đa" in captured.err
    assert main_token(["--role", "admin", "--lifetime", "12h"]) == 0


def test_main_token_issues_a_platform_token_bound_to_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCHC_AUTH_SECRET", SECRET)
    assert main_token(["--role", "platform", "--subject", "motcua"]) == 0
    principal = verify_token(AuthSettings(), capsys.readouterr().out.strip())
    assert principal == Principal("motcua", Role.PLATFORM) and principal.is_machine
    assert main_token(["--role", "platform", "--agency", "26740"]) == 2
    assert "platform" in capsys.readouterr().err
