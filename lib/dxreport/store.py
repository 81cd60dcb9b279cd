"""The DuckDB store: submissions and their observations, append-only, with revisions.

Nothing here updates or deletes a row. A resubmission of the same unit and
period is a new revision; computations read the ``latest_observations`` view.
A file already ingested (same sha256) is skipped, so ingesting twice adds nothing.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS submission_ids START 1;
CREATE TABLE IF NOT EXISTS submissions (
    submission_id    INTEGER PRIMARY KEY DEFAULT nextval('submission_ids'),
    file             VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL UNIQUE,
    unit             VARCHAR NOT NULL,
    period           VARCHAR NOT NULL,
    revision         INTEGER NOT NULL,
    submitted_on     DATE,
    received_at      TIMESTAMP NOT NULL,
    template_version VARCHAR NOT NULL,
    UNIQUE (unit, period, revision)
);
CREATE TABLE IF NOT EXISTS observations (
    submission_id INTEGER NOT NULL REFERENCES submissions (submission_id),
    unit          VARCHAR NOT NULL,
    indicator     VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    value         DOUBLE,
    note          VARCHAR,
    sheet         VARCHAR NOT NULL,
    "row"         INTEGER NOT NULL
);
CREATE OR REPLACE VIEW latest_submissions AS
    SELECT s.* FROM submissions s
    JOIN (SELECT unit, period, max(revision) AS revision FROM submissions GROUP BY unit, period) m
      USING (unit, period, revision);
CREATE OR REPLACE VIEW latest_observations AS
    SELECT o.unit, o.indicator, o.period, o.value, o.note, s.file, o.sheet, o."row",
           s.revision, s.sha256, s.submitted_on, s.received_at, o.submission_id
    FROM observations o JOIN latest_submissions s USING (submission_id);
"""


@contextmanager
def connect(path: Path | str, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        if not read_only:
            con.execute(SCHEMA)
        yield con
    finally:
        con.close()


def known_sha256(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT sha256 FROM submissions").fetchall()}


def add_submission(
    con: duckdb.DuckDBPyConnection,
    *,
    file: str,
    sha256: str,
    unit: str,
    period: str,
    submitted_on,
    received_at,
    template_version: str,
    observations: pd.DataFrame,
) -> int | None:
    """Append one submission and its observations in one transaction; ``None`` if already stored."""
    con.execute("BEGIN TRANSACTION")
    try:
        if con.execute("SELECT 1 FROM submissions WHERE sha256 = ?", [sha256]).fetchone():
            con.execute("ROLLBACK")
            return None
        revision = con.execute(
            "SELECT coalesce(max(revision), 0) + 1 FROM submissions WHERE unit = ? AND period = ?", [unit, period]
        ).fetchone()[0]
        submission_id = con.execute(
            """INSERT INTO submissions (file, sha256, unit, period, revision, submitted_on, received_at, template_version)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING submission_id""",
            [file, sha256, unit, period, revision, submitted_on, received_at, template_version],
        ).fetchone()[0]
        frame = observations.assign(submission_id=submission_id, unit=unit, period=period)[
            ["submission_id", "unit", "indicator", "period", "value", "note", "sheet", "row"]
        ]
        con.register("incoming", frame)
        con.execute("INSERT INTO observations SELECT * FROM incoming")
        con.unregister("incoming")
        con.execute("COMMIT")
        return revision
    except BaseException:
        con.execute("ROLLBACK")
        raise


def load_observations(path: Path | str, periods: list[str] | None = None) -> pd.DataFrame:
    """Latest-revision observations, optionally for some periods only."""
    with connect(path, read_only=True) as con:
        sql = "SELECT * FROM latest_observations"
        params: list = []
        if periods:
            sql += " WHERE period IN (SELECT unnest(?))"
            params.append(list(periods))
        return con.execute(sql + " ORDER BY period, unit, indicator", params).df()


def load_submissions(path: Path | str) -> pd.DataFrame:
    with connect(path, read_only=True) as con:
        return con.execute("SELECT * FROM submissions ORDER BY period, unit, revision").df()
