"""docs/operations.md documents every setting the services read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cchc_shared.chassis.settings import ServiceSettings

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_every_setting_is_in_the_operations_guide(
    services: tuple[str, ...], service_env: Any
) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    kit = {f"CCHC_X_{name.upper()}" for name in ServiceSettings.model_fields}
    missing = set()
    for service in services:
        prefix = f"CCHC_{service.upper()}_"
        for variable in service_env(service):
            generic = variable.replace(prefix, "CCHC_<SERVICE>_", 1)
            if variable.replace(prefix, "CCHC_X_", 1) in kit and generic in text:
                continue
            if f"`{variable}`" not in text and f"{variable}`" not in text:
                missing.add(variable)
    assert not missing, f"document in docs/operations.md: {sorted(missing)}"
