from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from .cluster import ClusterStack
from .harness import REPORTS, FaultStack

Stack = TypeVar("Stack", bound=FaultStack)


@asynccontextmanager
async def running(stack: Stack, request: pytest.FixtureRequest) -> AsyncIterator[Stack]:
    """The stack started, and stopped at the end; the services' logs shown if a test failed."""
    try:
        await stack.start()
        yield stack
    finally:
        if stack.services is not None and request.session.testsfailed:
            print(stack.services.dump_logs(tail=60))
        await stack.stop()


@pytest.fixture(scope="module")
async def fault_stack(request: pytest.FixtureRequest) -> AsyncIterator[FaultStack]:
    async with running(FaultStack(Path(tempfile.mkdtemp(prefix="cchc-fault-"))), request) as s:
        yield s


@pytest.fixture(scope="module")
async def cluster_stack(request: pytest.FixtureRequest) -> AsyncIterator[ClusterStack]:
    base = Path(tempfile.mkdtemp(prefix="cchc-cluster-"))
    async with running(ClusterStack(base), request) as stack:
        yield stack


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORTS:
        terminalreporter.section("fault suite: what each case published, lost and doubled")
        for report in REPORTS:
            terminalreporter.write_line(report.line())
