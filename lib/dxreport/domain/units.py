"""Reporting units (đơn vị): the city, its departments, and its districts and communes over time.

Units carry validity dates because the 2025 reorganisation abolished districts
(1 July 2025) and merged communes: a unit is expected to report for a period
only if it exists on the period's last day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from dxreport.domain.config import Indicator, read_table
from dxreport.domain.errors import ConfigError
from dxreport.domain.periods import Period

KIND_LABELS = {
    "city": "Thành phố",
    "province": "Tỉnh",
    "department": "Sở, ban, ngành",
    "district": "Quận, huyện",
    "ward": "Phường",
    "commune": "Xã",
    "special_zone": "Đặc khu",
}
LOCAL_KINDS = ("district", "ward", "commune", "special_zone")
TOP_KINDS = ("city", "province")  # the city or province itself: it receives reports, it does not send one
COLUMNS = ["code", "name", "kind", "parent", "valid_from", "valid_to"]


def load_units(city_dir: Path) -> pd.DataFrame:
    path = city_dir / "units.csv"
    df = read_table(path, COLUMNS)
    for row, (code, kind) in enumerate(zip(df["code"], df["kind"]), start=2):
        if kind not in KIND_LABELS:
            raise ConfigError(path, f"dòng {row}, cột kind",
                              f"loại đơn vị '{kind}' không hợp lệ (được phép: {', '.join(KIND_LABELS)})")
    duplicated = df["code"][df["code"].duplicated()]
    if len(duplicated):
        raise ConfigError(path, "code", f"mã đơn vị '{duplicated.iloc[0]}' bị lặp")
    for column in ("valid_from", "valid_to"):
        for row, text in enumerate(df[column], start=2):
            try:
                if text:
                    date.fromisoformat(text)
            except ValueError:
                raise ConfigError(path, f"dòng {row}, cột {column}", f"ngày '{text}' không đúng dạng YYYY-MM-DD") from None
        df[column] = pd.to_datetime(df[column].replace("", None), format="%Y-%m-%d").dt.date
    return df.set_index("code", drop=False)


def active_on(units: pd.DataFrame, day: date) -> pd.DataFrame:
    """Units that exist on ``day``."""
    starts = units["valid_from"].map(lambda d: d is None or pd.isna(d) or d <= day)
    ends = units["valid_to"].map(lambda d: d is None or pd.isna(d) or d >= day)
    return units[starts & ends]


def reports(indicator: Indicator, unit_code: str, unit_kind: str) -> bool:
    return unit_code in indicator.reported_by or unit_kind in indicator.reported_by


def expected_reports(units: pd.DataFrame, indicators: dict[str, Indicator], period: Period) -> pd.DataFrame:
    """Every (unit, indicator) pair the office expects for ``period``."""
    active = active_on(units, period.end)
    rows = [
        (u.code, i.code)
        for u in active.itertuples()
        for i in indicators.values()
        if reports(i, u.code, u.kind)
    ]
    return pd.DataFrame(rows, columns=["unit", "indicator"])


def indicators_for(unit_code: str, units: pd.DataFrame, indicators: dict[str, Indicator]) -> list[Indicator]:
    kind = units.loc[unit_code, "kind"]
    return [i for i in indicators.values() if reports(i, unit_code, kind)]


def of_known_units(observations: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Only the observations of units in the city's units.csv: a file from an unknown unit counts in no total."""
    return observations[observations["unit"].isin(units.index)].reset_index(drop=True)
