"""Regenerate the contract documents: ``docs/events/*.json``, ``docs/asyncapi.json`` and the
RabbitMQ definitions ``deploy/rabbitmq/definitions.json``.

Usage: ``uv run python -m cchc_tools.contracts.generate [--root DIR] [--check]``
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cchc_tools.contracts.asyncapi import render_asyncapi, write_asyncapi
from cchc_tools.contracts.schemas import render_schemas, write_schemas
from cchc_tools.definitions import render_definitions_json

# toolkit/cchc_tools/contracts/generate.py -> the repository root
REPO_ROOT = Path(__file__).resolve().parents[3]
SCHEMAS_DIR = Path("docs/events")
ASYNCAPI_FILE = Path("docs/asyncapi.json")
DEFINITIONS_FILE = Path("deploy/rabbitmq/definitions.json")
COMMAND = "uv run python -m cchc_tools.contracts.generate"


def expected_files() -> dict[Path, str]:
    """Relative path -> text of every generated document."""
    files = {SCHEMAS_DIR / name: text for name, text in render_schemas().items()}
    files[ASYNCAPI_FILE] = render_asyncapi()
    files[DEFINITIONS_FILE] = render_definitions_json()
    return files


def stale_files(root: Path) -> list[Path]:
    """Generated documents under ``root`` that are missing or differ from the code."""
    return [
        path
        for path, text in expected_files().items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root")
    parser.add_argument(
        "--check", action="store_true", help="only report stale documents (exit 1 if any)"
    )
    args = parser.parse_args(argv)
    root: Path = args.root
    if args.check:
        stale = stale_files(root)
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        if stale:
            print(f"run: {COMMAND}", file=sys.stderr)
        return 1 if stale else 0
    changed = write_schemas(root / SCHEMAS_DIR)
    if write_asyncapi(root / ASYNCAPI_FILE):
        changed.append(root / ASYNCAPI_FILE)
    definitions = root / DEFINITIONS_FILE
    text = expected_files()[DEFINITIONS_FILE]
    if not definitions.is_file() or definitions.read_text(encoding="utf-8") != text:
        definitions.parent.mkdir(parents=True, exist_ok=True)
        definitions.write_text(text, encoding="utf-8")
        changed.append(definitions)
    for path in changed:
        print(f"wrote {path.relative_to(root)}")
    print(f"{len(changed)} file(s) changed, {len(expected_files()) - len(changed)} up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
