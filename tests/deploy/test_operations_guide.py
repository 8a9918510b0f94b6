"""docs/operations.md documents every setting the services (the portal too) read, and no
setting of a service that it does not read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cchc_shared.chassis.settings import ServiceSettings
from cchc_tools.cli import SERVICES

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_every_setting_is_in_the_operations_guide(service_env: Any) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    kit = {f"CCHC_X_{name.upper()}" for name in ServiceSettings.model_fields}
    missing = set()
    for service in SERVICES:
        prefix = f"CCHC_{service.upper()}_"
        for variable in service_env(service):
            generic = variable.replace(prefix, "CCHC_<SERVICE>_", 1)
            if variable.replace(prefix, "CCHC_X_", 1) in kit and generic in text:
                continue
            if f"`{variable}`" not in text and f"{variable}`" not in text:
                missing.add(variable)
    assert not missing, f"document in docs/operations.md: {sorted(missing)}"


def test_the_guide_names_only_settings_the_services_read(service_env: Any) -> None:
    """A documented `CCHC_<SERVICE>_...` that no setting reads is a typo or a stale row."""
    text = GUIDE.read_text(encoding="utf-8")
    stale = set()
    for service in SERVICES:
        prefix = f"CCHC_{service.upper()}_"
        # whole names only: `CCHC_EVALUATION_PAR_POINTS_*` stands for several
        for variable in re.findall(rf"\b{prefix}[A-Z0-9_]*[A-Z0-9]\b(?!_?\*)", text):
            if variable not in service_env(service):
                stale.add(variable)
    assert not stale, f"docs/operations.md names settings nothing reads: {sorted(stale)}"
