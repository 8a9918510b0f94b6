#!/usr/bin/env bash
# Sets up and starts the whole system: the services and the portal (port 8000), SQLite per
# service under ./var, RabbitMQ from CCHC_AMQP_URL (default amqp://guest:guest@localhost:5672/).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
export PATH="$HOME/.local/bin:$PATH"
# The portal's scripts (htmx) come from the npm registry by its lockfile.
if [ -f services/portal/package-lock.json ] && [ ! -d services/portal/node_modules ] \
  && command -v npm >/dev/null 2>&1; then
  npm ci --prefix services/portal --no-audit --no-fund --silent
fi
exec uv run cchc run "$@"
