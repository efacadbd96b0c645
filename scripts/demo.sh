#!/usr/bin/env bash
# Install wmt and show it working: make demo data with a few weekly snapshots, import them,
# add one demo account for each role, and serve the pages on this machine.
# Usage: bash scripts/demo.sh [small|national] [--no-serve]   (default: small)
#   WMT_PORT=8080 bash scripts/demo.sh   serves on another port (default 8000)
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-small}"
serve="${2:-}"
port="${WMT_PORT:-8000}"

. scripts/lib/frontend.sh
ensure_frontend_assets

. scripts/lib/venv.sh
ensure_venv requirements/runtime.lock

export WMT_DATABASE_URL="sqlite:///$PWD/demo/wmt.db"
mkdir -p demo
rm -rf demo/wmt.db demo/series
wmt demo-data demo/series --scale "$scale" --seed 1 --weeks 4
wmt import demo/series
wmt capacity --level national
echo
wmt users demo
echo
if [ "$serve" = "--no-serve" ]; then
    echo "The demo database is demo/wmt.db. Serve it with:"
    echo "  WMT_DATABASE_URL=$WMT_DATABASE_URL .venv/bin/wmt serve"
    exit 0
fi
echo "Open http://127.0.0.1:$port/ in a browser and sign in with one of the accounts above."
echo "Each request is logged below; health, readiness and metrics are at /healthz, /readyz and"
echo "/metrics (see docs/operations.md). Press Ctrl+C to stop."
# Plain lines for a person watching; a service logs JSON (the default under wmt serve).
export WMT_LOG_FORMAT="${WMT_LOG_FORMAT:-console}"
exec wmt serve --host 127.0.0.1 --port "$port"
