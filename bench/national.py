"""National scale: status and scoring of one quarter for a synthetic country.

34 provinces, 3,321 communes, 100 indicators per commune, 8 quarters:
about 2.66 million observations in a real DuckDB file. Timed: loading the
eight quarters from the store, the status of every target of the programme
in every province (with the previous quarter and the history the projection
uses), the commune index (Đà Nẵng's commune framework, its assessed items
from a synthetic assessment sheet per commune and quarter) with ranks and rank
changes, and each province's index from its communes' measured values.
Generating the data is not timed. Run alone (``python bench/national.py``)
it prints JSON; ``bench/run.py`` runs it in a child process so the peak
memory is this work's own.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

PROVINCES, COMMUNES, INDICATORS, QUARTERS = 34, 3321, 100, 8
PERIOD = "2026-Q3"


def synthetic_store(db: Path) -> dict:
    """Write the country's observations to ``db``; returns what the timed part needs besides the store."""
    import duckdb
    from dxreport.domain.config import load_indicators
    from dxreport.domain.periods import Period

    indicators = load_indicators(ROOT / "data" / "cities" / "danang")
    real = [i for i in indicators.values() if "commune" in i.reported_by]
    codes = [i.code for i in real] + [f"KHAC_{k:03d}" for k in range(INDICATORS - len(real))]
    periods = [Period.parse(PERIOD).shift(-k).id for k in range(QUARTERS - 1, -1, -1)]
    communes = [f"X{k:04d}" for k in range(COMMUNES)]
    province_of = {c: f"T{k % PROVINCES + 1:02d}" for k, c in enumerate(communes)}
    rng = np.random.default_rng(2026)
    n_c, n_i, n_p = len(communes), len(codes), len(periods)
    base = rng.uniform(200, 5000, size=(n_c, 1, 1))
    growth = np.linspace(0.0, 1.0, n_p)[None, None, :]
    share = np.clip(rng.uniform(0.3, 0.7, size=(n_c, n_i, 1)) + 0.25 * growth + rng.normal(0, 0.02, size=(n_c, n_i, n_p)), 0, 1)
    values = np.round(base * share)
    kinds = {i.code: i.kind for i in real}
    totals = {i.not_above for i in real if i.not_above}
    for j, code in enumerate(codes):
        if kinds.get(code) == "yesno":
            values[:, j, :] = (share[:, j, :] > 0.5).astype(float)
        elif code in totals:
            values[:, j, :] = np.round(base[:, :, 0] * np.ones((1, n_p)))
    frame = pd.DataFrame({
        "unit": np.repeat(communes, n_i * n_p),
        "indicator": np.tile(np.repeat(codes, n_p), n_c),
        "period": np.tile(periods, n_c * n_i),
        "value": values.reshape(-1),
    })
    from dxreport.domain.frameworks import load

    assessed = load("danang-dvi-xa", ROOT).assessed_items()
    recent = periods[-2:]
    n_s = len(communes) * len(recent) * len(assessed)
    own = rng.uniform(0.6, 1.0, size=n_s)
    sheets = pd.DataFrame({  # one assessment sheet per commune and recent quarter: self-assessed, some verified lower
        "framework": "danang-dvi-xa",
        "unit": np.repeat(communes, len(recent) * len(assessed)),
        "period": np.tile(np.repeat(recent, len(assessed)), len(communes)),
        "item": np.tile([c.code for c in assessed], len(communes) * len(recent)),
        "self_value": own, "evidence": np.where(rng.random(n_s) < 0.9, "Văn bản kèm theo", ""),
        "verified_value": np.where(rng.random(n_s) < 0.2, own - 0.1, np.nan),
    })
    for c in assessed:  # yes/no items 1/0, points within their maximum
        hit = sheets["item"] == c.code
        if c.rule == "yesno":
            sheets.loc[hit, ["self_value", "verified_value"]] = (sheets.loc[hit, ["self_value", "verified_value"]] > 0.7).astype(float)
        elif c.rule == "points":
            sheets.loc[hit, ["self_value", "verified_value"]] = 0.0
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE observations AS SELECT * FROM frame")
        con.execute("CREATE TABLE sheets AS SELECT * FROM sheets")
    units = pd.DataFrame({
        "code": communes, "name": [f"Xã {c}" for c in communes], "kind": "commune",
        "parent": [province_of[c] for c in communes], "valid_from": pd.Timestamp("2025-07-01").date(), "valid_to": None,
    }).set_index("code", drop=False)
    return {"units": units, "periods": periods, "rows": len(frame)}


def timed_work(db: Path, units: pd.DataFrame, periods: list[str]) -> dict:
    import duckdb
    from dxreport.compute import scoring, status, unit_index
    from dxreport.domain.config import load_programme
    from dxreport.domain.frameworks import load
    from dxreport.domain.periods import Period

    programme = load_programme(ROOT / "data" / "cities" / "danang")
    fw = load("danang-dvi-xa", ROOT)
    with duckdb.connect(str(db), read_only=True) as con:
        obs = con.execute(
            "SELECT unit::VARCHAR AS unit, indicator, period, value FROM observations WHERE period IN (SELECT unnest(?))",
            [periods]).df()
    for column in ("unit", "indicator", "period"):
        obs[column] = obs[column].astype("category")
    obs["province"] = obs["unit"].map(units["parent"]).astype("category")
    # status of every target in every province: this quarter, the previous one, and the history for projections
    by_province = status.actuals(obs, programme, periods, by="province")
    current = by_province[by_province["period"] == PERIOD]
    day = Period.parse(PERIOD).end
    thresholds = status.Thresholds()
    targets = {t.code: t for t in programme.targets}
    statuses = [status.classify(targets[r.target], None if pd.isna(r.actual) else r.actual, day, thresholds)
                for r in current.itertuples()]
    # the commune index, ranked, with rank change since the previous quarter
    recent = obs[obs["period"].isin(periods[-2:])]
    with duckdb.connect(str(db), read_only=True) as con:
        sheets = con.execute("SELECT * FROM sheets").df()
    communes = unit_index.unit_index(recent, fw, units, periods=[PERIOD], assessments=sheets)
    # each province's index from its communes' measured values (the ministry's merge-by-mean rule)
    measured = unit_index.score_period(recent, fw, PERIOD, units.index.tolist(), sheets).measured
    provinces = scoring.score(measured.groupby(units["parent"]).mean(), fw, "component")
    return {"observations": len(obs), "province_status_rows": len(statuses), "commune_ranked": int(communes["rank"].notna().sum()),
            "provinces_ranked": int(provinces["rank"].notna().sum())}


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "country.duckdb"
        data = synthetic_store(db)
        started = time.perf_counter()
        counts = timed_work(db, data["units"], data["periods"])
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"national_s": round(seconds, 2), "national_peak_mb": round(peak_mb), **counts}


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False))
