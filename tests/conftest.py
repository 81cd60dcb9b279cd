from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline: a loaded 2-core CI machine would turn slowness into failures.
settings.register_profile("dxreport", deadline=None)
settings.load_profile("dxreport")

ROOT = Path(__file__).resolve().parents[1]
CITY_DIR = ROOT / "data" / "cities" / "danang"
SAMPLE_DIR = ROOT / "data" / "sample" / "danang"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def city_dir() -> Path:
    return CITY_DIR


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The sample submissions ingested once into a fresh DuckDB file."""
    from dxreport.intake import submissions as intake

    db = tmp_path_factory.mktemp("store") / "sample.duckdb"
    intake.ingest(sorted(SAMPLE_DIR.rglob("*.xlsx")), db, root=ROOT)
    return db
