"""The polars peer: the same merge as bench/peer_pandas.py, in polars.

    python bench/peer_polars.py INBOX OUTDIR

Reads every return's answer sheet ("Uppföljning", header on row 5) and the
unit code from the hidden "samla" sheet with `pl.read_excel(engine=
"calamine")` (fastexcel, i.e. the same Rust reader samla uses), concatenates
them into one long table, pivots the ratings goals x units, counts ratings
per goal, and writes OUTDIR/sammanstallning.xlsx with `write_excel`
(XlsxWriter). No validation. Kept plain: the way an analyst who knows polars
would write it.
"""

import sys
from pathlib import Path

import polars as pl
import xlsxwriter

inbox = Path(sys.argv[1])
out = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)

# Read every return; every column as text (infer_schema_length=0).
frames = []
for f in sorted(inbox.glob("*.xlsx")):
    meta = pl.read_excel(f, sheet_name="samla", engine="calamine", has_header=False, infer_schema_length=0)
    unit = meta.filter(pl.col("column_0") == "kod")["column_1"][0]
    svar = pl.read_excel(
        f, sheet_name="Uppföljning", engine="calamine", read_options={"header_row": 4}, infer_schema_length=0
    )
    frames.append(svar.with_columns(Enhet=pl.lit(unit), Fil=pl.lit(f.name)))

# One long table: a row per goal and unit.
svar = (
    pl.concat(frames, how="diagonal_relaxed")
    .filter(pl.col("Mål-id").is_not_null())
    .with_columns(pl.col("Bedömning").fill_null("").str.strip_chars().str.to_uppercase())
)

# Ratings goals x units, goals in plan order.
goal_order = svar.select("Mål-id", "Område", "Mål").unique("Mål-id", keep="first", maintain_order=True)
bedomningar = goal_order.join(
    svar.pivot(on="Enhet", index="Mål-id", values="Bedömning"), on="Mål-id", how="left", maintain_order="left"
)

# How many units gave each rating, per goal.
fordelning = goal_order.select("Mål-id").join(
    svar.with_columns(pl.col("Bedömning").replace("", "(blank)"))
    .pivot(on="Bedömning", index="Mål-id", values="Enhet", aggregate_function="len")
    .fill_null(0),
    on="Mål-id",
    how="left",
    maintain_order="left",
)

with xlsxwriter.Workbook(out / "sammanstallning.xlsx") as wb:
    bedomningar.write_excel(wb, worksheet="Bedömningar")
    fordelning.write_excel(wb, worksheet="Fördelning")
    svar.write_excel(wb, worksheet="Svar")

print(
    f"polars: {len(frames)} returns, {goal_order.height} goals x {bedomningar.width - 3} units",
    file=sys.stderr,
)
