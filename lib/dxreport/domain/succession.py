"""Unit succession (kế thừa đơn vị): merges and splits, so a time series survives a reorganisation.

``data/cities/<city>/succession.csv`` has one row per (predecessor, successor)
link with the date the successor took over and the kind (``merge``: several
units, or one, become one; ``split``: one unit's area is shared among several).
History is carried forward, never rewritten: the predecessor's rows stay as
they were and the successor gets copies marked with where they came from.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from dxreport.domain.config import read_table
from dxreport.domain.errors import ConfigError
from dxreport.domain.periods import Period

COLUMNS = ["predecessor", "successor", "date", "kind"]
KINDS = ("merge", "split")


def load_succession(city_dir: Path, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """The succession table, checked: known kinds, real dates, codes present in ``units`` when given."""
    path = city_dir / "succession.csv"
    df = read_table(path, COLUMNS)
    for row, r in enumerate(df.itertuples(index=False), start=2):
        if r.kind not in KINDS:
            raise ConfigError(path, f"dòng {row}, cột kind", f"loại '{r.kind}' không hợp lệ (được phép: merge, split)")
        try:
            date.fromisoformat(r.date)
        except ValueError:
            raise ConfigError(path, f"dòng {row}, cột date", f"ngày '{r.date}' không đúng dạng YYYY-MM-DD") from None
        if units is not None:
            for column in ("predecessor", "successor"):
                if getattr(r, column) not in units.index:
                    raise ConfigError(path, f"dòng {row}, cột {column}", f"mã đơn vị '{getattr(r, column)}' không có trong units.csv")
        if r.predecessor == r.successor:
            raise ConfigError(path, f"dòng {row}", "đơn vị kế thừa chính nó")
    if df.duplicated(["predecessor", "successor"]).any():
        row = int(df.index[df.duplicated(["predecessor", "successor"])][0]) + 2
        raise ConfigError(path, f"dòng {row}", "cặp đơn vị bị lặp")
    df["date"] = df["date"].map(date.fromisoformat)
    return df


def successors(unit: str, succession: pd.DataFrame) -> list[str]:
    """Today's units that ``unit``'s area went to (itself if it was never succeeded), following chains."""
    direct = succession.loc[succession["predecessor"] == unit, "successor"].tolist()
    if not direct:
        return [unit]
    out: list[str] = []
    for s in direct:
        out += [u for u in successors(s, succession) if u not in out]
    return out


def predecessors(unit: str, succession: pd.DataFrame) -> list[str]:
    """Every unit whose history ``unit`` carries, nearest first."""
    direct = succession.loc[succession["successor"] == unit, "predecessor"].tolist()
    out = list(direct)
    for p in direct:
        out += [u for u in predecessors(p, succession) if u not in out]
    return out


def merge_pairs(succession: pd.DataFrame) -> pd.DataFrame:
    """``unit, into`` pairs for :func:`dxreport.compute.scoring.merge`."""
    return succession.rename(columns={"predecessor": "unit", "successor": "into"})[["unit", "into"]]


def carry_history(history: pd.DataFrame, succession: pd.DataFrame, values: list[str]) -> pd.DataFrame:
    """Add to ``history`` (``unit``, ``period``, ``values``…) each successor's inherited rows.

    For a period that ended before the succession date, a successor gets the
    mean of its predecessors' values (one predecessor: a copy), with
    ``carried_from`` naming them. Meant for values that do not depend on size
    (index values, shares), not for counts: a split district's population is
    not each new ward's population. Own rows keep ``carried_from`` empty.
    """
    own = history.assign(carried_from="")
    ends = {p: Period.parse(p).end for p in history["period"].unique()}
    links = succession[["predecessor", "successor", "date"]].rename(columns={"predecessor": "unit"})
    joined = history.merge(links, on="unit")
    joined = joined[[ends[p] < d for p, d in zip(joined["period"], joined["date"])]]
    if joined.empty:
        return own
    carried = joined.groupby(["successor", "period"], sort=True).agg(
        **{v: (v, "mean") for v in values}, carried_from=("unit", lambda s: ", ".join(sorted(set(s))))
    ).reset_index().rename(columns={"successor": "unit"})
    present = set(zip(history["unit"], history["period"]))
    carried = carried[[(u, p) not in present for u, p in zip(carried["unit"], carried["period"])]]
    return pd.concat([own, carried], ignore_index=True).sort_values(["unit", "period"], ignore_index=True)
