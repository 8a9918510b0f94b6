"""What a service image installs: its own workspace member and what that pulls from the
lockfile, which is the runtime kit and never the tools or the test kit.

The image runs ``uv sync --locked --no-dev --no-editable --package cchc-<service>``; these
checks walk the same dependency graph in ``uv.lock`` (offline, no build), check that the
Dockerfile does what they assume, and that no runtime code imports the tools or the test kit
(it would fail in an image that does not have them)."""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
RUNTIME_KIT = "cchc-shared"
NOT_IN_IMAGES = {"cchc-tools": "cchc_tools", "cchc-testkit": "cchc_testkit"}


def _lock() -> dict[str, Any]:
    with (ROOT / "uv.lock").open("rb") as handle:
        return tomllib.load(handle)


def installed_packages(root: str, lock: dict[str, Any]) -> set[str]:
    """Every package that installing ``root`` with its run-time dependencies brings
    (no dev groups), following the extras each dependency asks for."""
    packages = {package["name"]: package for package in lock["package"]}
    seen: set[str] = set()
    wanted: list[tuple[str, tuple[str, ...]]] = [(root, ())]
    visited: set[tuple[str, tuple[str, ...]]] = set()
    while wanted:
        name, extras = wanted.pop()
        if (name, extras) in visited:
            continue
        visited.add((name, extras))
        seen.add(name)
        package = packages[name]
        dependencies = list(package.get("dependencies", []))
        for extra in extras:
            dependencies += package.get("optional-dependencies", {}).get(extra, [])
        for dependency in dependencies:
            wanted.append((dependency["name"], tuple(sorted(dependency.get("extra", [])))))
    return seen


def workspace_members(lock: dict[str, Any]) -> set[str]:
    return set(lock["manifest"]["members"])


def test_the_lockfile_knows_the_three_kit_members() -> None:
    members = workspace_members(_lock())
    assert {RUNTIME_KIT, *NOT_IN_IMAGES} <= members


@pytest.mark.parametrize(
    "service", ["intake", "scheduling", "evaluation", "reporting", "notifications", "replication"]
)
def test_a_service_image_installs_the_runtime_kit_and_neither_tools_nor_test_kit(
    service: str, services: tuple[str, ...]
) -> None:
    assert service in services
    lock = _lock()
    members = installed_packages(f"cchc-{service}", lock) & workspace_members(lock)
    assert members == {f"cchc-{service}", RUNTIME_KIT}, members
    # nor anything only the test kit needs
    assert "pytest" not in installed_packages(f"cchc-{service}", lock)


@pytest.mark.parametrize(
    "service", ["intake", "scheduling", "evaluation", "reporting", "notifications", "replication"]
)
def test_every_consuming_service_depends_on_faststream_itself(service: str) -> None:
    """Its consumers are FastStream subscribers: the service names the framework among its own
    run-time dependencies, not only through the kit, and the image installs it with aio-pika."""
    lock = _lock()
    package = next(p for p in lock["package"] if p["name"] == f"cchc-{service}")
    own = {dependency["name"] for dependency in package.get("dependencies", [])}
    assert "faststream" in own
    assert {"faststream", "aio-pika"} <= installed_packages(f"cchc-{service}", lock)


def test_the_documents_extra_is_installed_only_where_documents_are_issued() -> None:
    lock = _lock()
    documents = {"python-docx", "reportlab"}
    with_documents = {
        service
        for service in (
            "intake",
            "scheduling",
            "evaluation",
            "reporting",
            "notifications",
            "replication",
        )
        if documents <= installed_packages(f"cchc-{service}", lock)
    }
    assert with_documents == {"scheduling", "reporting"}


def test_the_dockerfile_installs_one_member_and_copies_no_tool_or_test_code() -> None:
    text = (DEPLOY / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert 'uv sync --locked --no-dev --no-editable --package "cchc-${SERVICE}"' in text
    copies = re.findall(r"^COPY\s+(?!--from)(.+?)\s+\S+$", text, flags=re.MULTILINE)
    sources = [source for line in copies for source in line.split()]
    for directory in ("toolkit", "testkit"):
        # their project files let uv read the workspace; their code stays out of the build
        assert [s for s in sources if s.startswith(directory)] == [f"{directory}/pyproject.toml"]


def _imported_modules(path: Path) -> Iterable[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_runtime_code_imports_the_tools_or_the_test_kit() -> None:
    runtime_roots = [ROOT / "shared" / "cchc_shared", *ROOT.glob("services/*/cchc_*")]
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for root in runtime_roots
        for path in root.rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] in NOT_IN_IMAGES.values()
    ]
    assert offenders == []
