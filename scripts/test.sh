#!/usr/bin/env bash
# Install everything the tests need (including a PostgreSQL server and Chromium) and run every check:
# lint, types, and the whole test suite on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/postgres.sh
ensure_postgresql_server

. scripts/lib/frontend.sh
ensure_frontend_assets

. scripts/lib/browser.sh
ensure_chromium

. scripts/lib/venv.sh
# The test packages, and locust so that the load benchmark is type-checked too.
ensure_venv requirements/bench.lock

ruff check src tests benchmarks
ruff format --check src tests benchmarks
mypy
pytest -n 2 "$@"
