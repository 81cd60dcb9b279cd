"""The run manifest: parameters, inputs and outputs with their sha256, and versions.

It is what makes every figure traceable (``trace.csv`` links targets to files
and rows) and what an incremental rebuild compares against.
"""

from __future__ import annotations

import json
import platform
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from dxreport.domain.digest import sha256_file

PACKAGES = ["dxreport", "pandas", "matplotlib", "jinja2", "papermill", "nbconvert", "nbclient", "weasyprint", "duckdb", "babel", "openpyxl"]


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "không có"
    return out


KINDS = {".html": "html", ".pdf": "pdf", ".ipynb": "notebook", ".csv": "csv", ".xlsx": "xlsx", ".svg": "svg", ".json": "json"}


def display_path(path: Path, root: Path) -> str:
    """Inputs inside the project are recorded relative to it, so a manifest survives moving the project."""
    path = Path(path)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def build(params: dict[str, Any], inputs: list[Path], output_dir: Path, root: Path,
          digests: dict[Path, str] | None = None, extra_inputs: dict[str, str] | None = None) -> dict[str, Any]:
    """``digests``: sha256 already computed for some inputs (a batch hashes shared inputs once);
    ``extra_inputs``: inputs that are not files (the store's content), by name."""
    digests = digests or {}
    outputs = []
    for path in sorted(p for p in output_dir.rglob("*") if p.is_file() and p.name != "manifest.json"):
        rel = path.relative_to(output_dir).as_posix()
        kind = "notebook-html" if rel == "notebook.html" else KINDS.get(path.suffix, "other")
        outputs.append({"path": rel, "kind": kind, "sha256": sha256_file(path)})
    return {
        "params": params,
        "inputs": [{"path": display_path(p, root), "sha256": digests.get(p) or sha256_file(p)} for p in sorted(set(inputs))]
        + [{"path": name, "sha256": digest} for name, digest in sorted((extra_inputs or {}).items())],
        "outputs": outputs,
        "versions": versions(),
    }


def write(manifest: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")
