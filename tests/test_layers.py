"""The import-linter contract holds, and it would catch an upward import (compute importing publish)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed in this environment")


def lint(lib: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(lib))
    return subprocess.run([str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=lib, env=env,
                          capture_output=True, text=True, timeout=300)


def test_layers_kept(tmp_path):
    shutil.copytree(ROOT / "lib" / "dxreport", tmp_path / "dxreport", ignore=shutil.ignore_patterns("__pycache__"))
    result = lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_upward_import_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "lib" / "dxreport", tmp_path / "dxreport", ignore=shutil.ignore_patterns("__pycache__"))
    status = tmp_path / "dxreport" / "compute" / "status.py"
    status.write_text(status.read_text() + "\nfrom dxreport.publish import narrative  # noqa: E402,F401\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "dxreport.compute is not allowed to import dxreport.publish" in result.stdout
    assert "dxreport.compute.status -> dxreport.publish.narrative" in result.stdout
