#!/usr/bin/env bash
# Sets up and starts the whole system: the four services, SQLite per service under ./var,
# RabbitMQ from CCHC_AMQP_URL (default amqp://guest:guest@localhost:5672/).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
export PATH="$HOME/.local/bin:$PATH"
exec uv run cchc run "$@"
