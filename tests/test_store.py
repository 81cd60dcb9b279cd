"""The store: all-or-nothing ingest, revisions kept, latest used, problems recorded, concurrent writers."""

from __future__ import annotations

import multiprocessing as mp
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import CITY_DIR, SAMPLE_DIR
from corpus import clean_copy, edit, row_of
from dxreport import store
from dxreport.intake import submissions as intake


def counts(db: Path) -> tuple[int, int, int]:
    with store.connect(db, read_only=True) as con:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("submissions", "observations", "problems"))


def test_resubmission_keeps_both_revisions_and_latest_is_used(tmp_path):
    db = tmp_path / "s.duckdb"
    first = clean_copy(tmp_path / "r1")
    intake.ingest([first], db, city_dir=CITY_DIR, received_at=datetime(2026, 10, 1, 9))
    second = clean_copy(tmp_path / "r2")
    r = row_of(second, "HS_TONG")
    edit(second, lambda wb, ws: ws.cell(r, 5, 4321))
    result = intake.ingest([second], db, city_dir=CITY_DIR, received_at=datetime(2026, 10, 5, 9))
    assert result.counts == {"added": 1, "skipped": 0, "rejected": 0}
    subs = store.load_submissions(db)
    assert list(subs["revision"]) == [1, 2] and subs["file"].nunique() == 2
    with store.connect(db, read_only=True) as con:
        history = con.execute("SELECT revision, value, received_at, \"row\", sheet, file FROM observation_history "
                              "WHERE indicator = 'HS_TONG' ORDER BY revision").df()
    assert len(history) == 2 and history["value"].iloc[1] == 4321 and history["value"].iloc[0] != 4321
    assert history["received_at"].iloc[0] == pd.Timestamp(2026, 10, 1, 9) and set(history["row"]) == {r}
    latest = store.load_observations(db).query("indicator == 'HS_TONG'")
    assert list(latest["value"]) == [4321] and list(latest["revision"]) == [2]


def test_same_file_twice_adds_nothing(tmp_path):
    db = tmp_path / "s.duckdb"
    path = clean_copy(tmp_path)
    intake.ingest([path], db, city_dir=CITY_DIR)
    before = counts(db)
    assert intake.ingest([path], db, city_dir=CITY_DIR).counts["skipped"] == 1
    assert counts(db) == before


def test_rejected_file_leaves_store_unchanged_and_problems_recorded_once(tmp_path):
    db = tmp_path / "s.duckdb"
    intake.ingest([clean_copy(tmp_path / "ok")], db, city_dir=CITY_DIR)
    bad = clean_copy(tmp_path / "bad")
    edit(bad, lambda wb, ws: (ws.merge_cells("E10:E11"), ws.__setitem__("B7", "cu")))
    subs, obs, _ = counts(db)
    for _ in range(2):
        result = intake.ingest([bad], db, city_dir=CITY_DIR)
        assert result.counts["rejected"] == 1
    assert counts(db) == (subs, obs, 2)
    problems = store.load_problems(db)
    assert list(problems.columns) == store.PROBLEM_COLUMNS
    assert set(problems["unit"]) == {"SCT"} and set(problems["period"]) == {"2026-Q3"}
    assert set(zip(problems["row"], problems["column"])) == {(10, "E"), (7, "B")}
    assert problems["message"].str.contains("Cách sửa").all()
    with duckdb.connect(str(db), read_only=True) as con:  # also from an open connection
        assert len(store.load_problems(con)) == 2


def test_submission_is_all_or_nothing(tmp_path):
    db = tmp_path / "s.duckdb"
    broken = pd.DataFrame({"indicator": ["A", "B"], "value": [1.0, 2.0], "note": ["", ""], "sheet": ["BaoCao", None], "row": [10, 11]})
    with store.connect(db) as con, pytest.raises(duckdb.Error):
        store.add_submission(con, file="x.xlsx", sha256="abc", unit="SCT", period="2026-Q3", submitted_on=None,
                             received_at=datetime(2026, 10, 1), template_version="v", observations=broken)
    assert counts(db) == (0, 0, 0)


def test_store_busy_message_after_timeout(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.locked(db, exclusive=True):
        with pytest.raises(store.StoreBusy, match="vẫn bận sau"):
            with store.connect(db, timeout=0.2):
                pass


def _ingest_in_process(args):
    files, db = args
    return intake.ingest([Path(f) for f in files], Path(db), city_dir=CITY_DIR).counts


def test_two_processes_ingesting_at_once(tmp_path):
    db = tmp_path / "s.duckdb"
    files = sorted((SAMPLE_DIR / "2026-Q3").glob("*.xlsx")) + sorted((SAMPLE_DIR / "2026-Q2").glob("*.xlsx"))
    halves = [[str(f) for f in files[0::2]], [str(f) for f in files[1::2]] + [str(files[0])]]  # one file in both
    with mp.get_context("spawn").Pool(2) as pool:
        results = pool.map(_ingest_in_process, [(h, str(db)) for h in halves])
    assert sum(r["added"] for r in results) == len(files)
    assert sum(r["skipped"] for r in results) == 1
    subs = store.load_submissions(db)
    assert len(subs) == len(files) and not subs.duplicated(["unit", "period", "revision"]).any()


@pytest.mark.parametrize("content", ["random", "text", "truncated", "foreign", "folder"])
def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path, content):
    db = tmp_path / "s.duckdb"
    if content == "random":
        db.write_bytes(bytes(range(256)) * 40)
    elif content == "text":
        db.write_text("kho số liệu\n", encoding="utf-8")
    elif content == "truncated":
        intake.ingest([clean_copy(tmp_path / "in")], db, city_dir=CITY_DIR)
        db.write_bytes(db.read_bytes()[:20000])
    elif content == "foreign":
        with duckdb.connect(str(db)) as con:
            con.execute("CREATE TABLE submissions (x INTEGER)")
    else:
        db.mkdir()
    for read_only in (True, False):
        with pytest.raises(store.StoreError) as info:
            with store.connect(db, read_only=read_only):
                pass
        assert info.value.exit_code == 2 and str(db) in str(info.value) and "Cách xử lý" in str(info.value)
    if content == "foreign":
        with duckdb.connect(str(db), read_only=True) as con:  # nothing was written into someone else's database
            assert [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()] == ["submissions"]


def test_received_at_is_stamped_under_the_store_lock(tmp_path, monkeypatch):
    """So a later revision is never stamped earlier than the one before it (the clock is read while numbering)."""
    import threading

    db = tmp_path / "s.duckdb"
    seen: list[str] = []
    real = intake.datetime

    class Clock(real):
        @classmethod
        def now(cls, tz=None):
            def probe():
                try:
                    with store.locked(db, exclusive=True, timeout=0):
                        seen.append("free")
                except store.StoreBusy:
                    seen.append("held")
            t = threading.Thread(target=probe)
            t.start()
            t.join()
            return real.now(tz)

    monkeypatch.setattr(intake, "datetime", Clock)
    intake.ingest([clean_copy(tmp_path)], db, city_dir=CITY_DIR)
    assert seen == ["held"]
