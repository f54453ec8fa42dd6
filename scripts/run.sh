#!/usr/bin/env bash
# The one run command: sets the machine up, builds everything and serves the demo and playground.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build
exec npm run serve
