"""The pandas peer: the same merge, the way an analyst writes it in pandas.

    python bench/peer_pandas.py INBOX OUTDIR

Reads every return's answer sheet ("Uppföljning", header on row 5) and the
unit code from the hidden "samla" sheet, concatenates them into one long
table, pivots the ratings goals x units, counts ratings per goal, and writes
OUTDIR/sammanstallning.xlsx with to_excel. No validation: a notebook would not
have any either. Kept deliberately plain - this is the code samla replaces.
"""

import sys
from pathlib import Path

import pandas as pd

inbox = Path(sys.argv[1])
out = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)

# Read every return.
frames = []
for f in sorted(inbox.glob("*.xlsx")):
    xl = pd.ExcelFile(f, engine="openpyxl")
    meta = pd.read_excel(xl, sheet_name="samla", header=None, index_col=0)
    svar = pd.read_excel(xl, sheet_name="Uppföljning", header=4)
    svar["Enhet"] = meta.loc["kod", 1]
    svar["Fil"] = f.name
    frames.append(svar)

# One long table: a row per goal and unit.
svar = pd.concat(frames, ignore_index=True)
svar = svar.dropna(subset=["Mål-id"])
svar["Mål-id"] = svar["Mål-id"].astype(str)
svar["Bedömning"] = svar["Bedömning"].fillna("").astype(str).str.strip().str.upper()

# Ratings goals x units, goals in plan order.
goal_order = svar["Mål-id"].drop_duplicates()
bedomningar = svar.pivot(index="Mål-id", columns="Enhet", values="Bedömning")
bedomningar = bedomningar.reindex(goal_order)
malen = svar.drop_duplicates("Mål-id").set_index("Mål-id")[["Område", "Mål"]]
bedomningar = malen.join(bedomningar)

# How many units gave each rating, per goal.
fordelning = (
    svar.assign(Bedömning=svar["Bedömning"].replace("", "(blank)"))
    .pivot_table(index="Mål-id", columns="Bedömning", values="Enhet", aggfunc="count", fill_value=0)
    .reindex(goal_order)
)

with pd.ExcelWriter(out / "sammanstallning.xlsx") as xw:
    bedomningar.to_excel(xw, sheet_name="Bedömningar")
    fordelning.to_excel(xw, sheet_name="Fördelning")
    svar.to_excel(xw, sheet_name="Svar", index=False)

print(
    f"pandas: {len(frames)} returns, {len(goal_order)} goals x {bedomningar.shape[1] - 2} units",
    file=sys.stderr,
)
