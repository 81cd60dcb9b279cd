"""``reports/index.html``: every report built, by city and period, with links to its HTML and PDF.

Built from the manifests alone, so it lists exactly what was published and
nothing half-written (staging folders have no manifest in place).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from dxreport.domain import paths
from dxreport.domain.periods import Period, PeriodError
from dxreport.publish import render
from dxreport.publish.layout import QUALITY_NOTEBOOK, SUBFOLDERS, UNITS_DIR


def _entry(folder: Path, reports: Path) -> dict[str, Any] | None:
    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    kinds: dict[str, str] = {}
    for o in m.get("outputs", []):  # the report itself before any other page of its kind (its sources' page)
        if o["kind"] not in kinds or o["path"].startswith("report."):
            kinds[o["kind"]] = o["path"]
    link = lambda name: (folder / name).relative_to(reports).as_posix() if name else None  # noqa: E731
    return {
        "html": link(kinds.get("html") if "html" in kinds else None),
        "pdf": link(kinds.get("pdf")),
        "xlsx": link(kinds.get("xlsx")),
        "report_date": m.get("params", {}).get("report_date", ""),
        "sample": bool(m.get("params", {}).get("sample_data")),
    }


def collect(reports: Path, units_names: dict[str, dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Plain data for the template: cities, each with its periods (newest first), each with its scorecards."""
    from dxreport.domain.config import load_city
    from dxreport.domain.units import load_units

    cities = []
    for city_dir in sorted(p for p in reports.iterdir() if p.is_dir() and not p.name.startswith(".")):
        periods = []
        for folder in sorted((p for p in city_dir.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True):
            entry = _entry(folder, reports)
            try:
                Period.parse(folder.name)
            except PeriodError:
                continue
            units_dir = folder / UNITS_DIR
            cards = []
            if units_dir.is_dir():
                for unit in sorted(p for p in units_dir.iterdir() if p.is_dir()):
                    card = _entry(unit, reports)
                    if card:
                        cards.append({"code": unit.name, **card})
            quality = _entry(folder / SUBFOLDERS[QUALITY_NOTEBOOK], reports)
            if entry or cards or quality:
                periods.append({"id": folder.name, "report": entry, "quality": quality, "scorecards": cards})
        config = paths.find_root(reports.parent) / "data" / "cities" / city_dir.name
        name, names = city_dir.name, {}
        if (config / "city.yaml").is_file():
            name = load_city(config).name
            names = load_units(config)["name"].to_dict()
        for period in periods:
            for card in period["scorecards"]:
                card["name"] = names.get(card["code"], card["code"])
        if periods:
            cities.append({"code": city_dir.name, "name": name, "periods": periods})
    return cities


def write_index(root: Path) -> Path:
    reports = root / "reports"
    reports.mkdir(exist_ok=True)
    html = render.render_html(paths.templates_dir(root), "reports_index.html.j2",
                              {"cities": collect(reports), "lang": "vi", "sample_mark": "", "draft": False})
    target = reports / "index.html"
    fd, tmp = tempfile.mkstemp(prefix=".index.", suffix=".tmp", dir=reports)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(html)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    return target
