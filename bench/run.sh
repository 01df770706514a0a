#!/usr/bin/env bash
# `make bench`: builds samla and the benchmark programs, sets up a local
# virtualenv with pandas for the peer, and runs bench/run.py (arguments are
# passed on, e.g. `bash bench/run.sh --sizes 4,100`). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
VENV=bench/.venv

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import pandas, openpyxl" 2>/dev/null; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check pandas openpyxl
fi

"$CARGO" build --release --locked --examples
"$CARGO" build --release --locked --bin samla

exec "$VENV/bin/python" bench/run.py "$@"
