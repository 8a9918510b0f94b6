#!/usr/bin/env bash
# Installs the project's tools and dependencies from the lockfile (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.local/bin:$PATH"  # where pip --user puts uv
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv
fi
uv sync --locked --quiet
