#!/usr/bin/env bash
# Sets up and runs every check: lint, types, and the tests (unit, integration against the
# RabbitMQ and PostgreSQL on localhost, end to end). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
export PATH="$HOME/.local/bin:$PATH"
if [ -f tools/asyncapi/package-lock.json ] && [ ! -d tools/asyncapi/node_modules ]; then
  npm ci --prefix tools/asyncapi --no-audit --no-fund --silent
fi
if [ -f tools/oidc-provider/package-lock.json ] && [ ! -d tools/oidc-provider/node_modules ]; then
  npm ci --prefix tools/oidc-provider --no-audit --no-fund --silent
fi
# The portal's htmx (served by the portal) and axe-core (injected by its browser tests).
if [ -f services/portal/package-lock.json ] && [ ! -d services/portal/node_modules ]; then
  npm ci --prefix services/portal --no-audit --no-fund --silent
fi
uv run ruff check .
uv run mypy shared/cchc_shared toolkit/cchc_tools testkit/cchc_testkit services/*/cchc_*
uv run pytest "$@"
