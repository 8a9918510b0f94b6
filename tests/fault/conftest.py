from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .cluster import ClusterStack
from .harness import REPORTS, FaultStack


@pytest.fixture(scope="module")
async def fault_stack(request: pytest.FixtureRequest) -> AsyncIterator[FaultStack]:
    stack = FaultStack(Path(tempfile.mkdtemp(prefix="cchc-fault-")))
    try:
        await stack.start()
        yield stack
    finally:
        if stack.services is not None and request.session.testsfailed:
            print(stack.services.dump_logs(tail=60))
        await stack.stop()


@pytest.fixture(scope="module")
async def cluster_stack(request: pytest.FixtureRequest) -> AsyncIterator[ClusterStack]:
    stack = ClusterStack(Path(tempfile.mkdtemp(prefix="cchc-cluster-")))
    try:
        await stack.start()
        yield stack
    finally:
        if stack.services is not None and request.session.testsfailed:
            print(stack.services.dump_logs(tail=60))
        await stack.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORTS:
        terminalreporter.section("fault suite: what each case published, lost and doubled")
        for report in REPORTS:
            terminalreporter.write_line(report.line())
