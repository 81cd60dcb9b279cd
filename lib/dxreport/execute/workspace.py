"""Everything a notebook needs about one city, opened in one call.

The store is brought up to date first (ingest is idempotent: files already
stored are skipped by sha256), so a notebook gives the same result in
JupyterLab, under papermill and under ``dxreport run``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from dxreport import store
from dxreport.domain import paths
from dxreport.domain.config import (
    City,
    Indicator,
    Programme,
    load_indicators,
    load_programme,
)
from dxreport.domain.digest import sha256_file
from dxreport.domain.units import load_units, of_known_units
from dxreport.intake import submissions as intake


@dataclass(frozen=True)
class Workspace:
    root: Path
    city_dir: Path
    city: City
    units: pd.DataFrame
    indicators: dict[str, Indicator]
    programme: Programme
    database: Path
    observations: pd.DataFrame
    submissions: pd.DataFrame
    assessments: pd.DataFrame  # latest assessment sheets of the city's index (store.load_assessments)
    task_reports: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=store.TASK_REPORT_COLUMNS))  # store.load_task_reports


def open_city(
    city: str,
    project_root: str | Path | None = None,
    submissions: str | Path | None = None,
    database: str | Path | None = None,
) -> Workspace:
    """The city ``city`` with its store up to date; submissions and store default to its ``city.yaml``."""
    from dxreport.domain.errors import ConfigError
    from dxreport.domain.params import city_of

    root = paths.find_root(project_root)
    city_dir = paths.city_dir(root, city)
    config = city_of(root, city, paths.cities_dir(root))
    located = {}
    for key, given in (("submissions", submissions), ("database", database)):
        value = given or getattr(config, key)
        if value is None:
            raise ConfigError(city_dir / "city.yaml", key, f"chưa khai báo '{key}' và không được truyền vào")
        located[key] = Path(value) if Path(value).is_absolute() else root / value
    db = located["database"]
    ingest_new(located["submissions"], db, root, city_dir)
    units = load_units(city_dir)
    return Workspace(
        root=root,
        city_dir=city_dir,
        city=config,
        units=units,
        indicators=load_indicators(city_dir),
        programme=load_programme(city_dir),
        database=db,
        # one rule for figures from units outside units.csv: out of every total; the quality report
        # lists their files once (from ``submissions``, which keeps them)
        observations=of_known_units(store.load_observations(db), units),
        submissions=store.load_submissions(db),
        assessments=store.load_assessments(db),
        task_reports=store.load_task_reports(db),
    )


def ingest_new(submissions_dir: Path, db: Path, root: Path, city_dir: Path | None = None) -> None:
    """Ingest only when some file is not in the store yet.

    The check reads the store without taking its write lock, so many notebooks
    of a batch can open the same store at once once it is up to date.
    """
    files = sorted(Path(submissions_dir).rglob("*.xlsx"))
    if not files:
        return
    if Path(db).exists():
        try:
            with store.connect(db, read_only=True) as con:
                known = store.known_sha256(con) | store.known_problem_sha256(con)  # rejected files are known too
        except duckdb.Error:  # a store from before the problems table: the write below brings it up to date
            known = set()
        if all(sha256_file(f) in known for f in files):
            return
    intake.ingest(files, db, root=root, city_dir=city_dir)


def default_output_dir(root: Path, city: str, period: str) -> Path:
    """Where a notebook run by hand writes; ``dxreport run`` passes its staging folder instead."""
    return root / "build" / "interactive" / city / period
