#!/usr/bin/env bash
# `make bench`: builds samla and the benchmark programs, sets up a local
# virtualenv with the peers' libraries (pandas + openpyxl; polars +
# fastexcel + XlsxWriter, all from PyPI), and runs bench/run.py (arguments are
# passed on, e.g. `bash bench/run.sh --sizes 4,100`). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
VENV=bench/.venv

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" || { echo "bench: python3 -m venv failed; install Python 3 with venv (Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
if ! "$VENV/bin/python" -c "import pandas, openpyxl, polars, fastexcel, xlsxwriter" 2>/dev/null; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    pandas openpyxl polars fastexcel xlsxwriter
fi

"$CARGO" build --release --locked --examples
"$CARGO" build --release --locked --bins

exec "$VENV/bin/python" bench/run.py "$@"
