"""Where the project's folders are, wherever a notebook or the CLI is started from."""

from __future__ import annotations

import os
from pathlib import Path

MARKER = Path("data") / "cities"


def find_root(start: Path | str | None = None) -> Path:
    """The project root: ``$DXREPORT_ROOT`` or the nearest ancestor holding ``data/cities``."""
    env = os.environ.get("DXREPORT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / MARKER).is_dir():
            return candidate
    raise FileNotFoundError(f"Không tìm thấy thư mục dự án (thư mục có {MARKER}) từ {here}")


def fonts_dir(root: Path) -> Path:
    return root / "data" / "fonts"


def templates_dir(root: Path) -> Path:
    return root / "templates"


def notebooks_dir(root: Path) -> Path:
    return root / "notebooks"


def cities_dir(root: Path) -> Path:
    return root / "data" / "cities"


def city_dir(root: Path, city: str) -> Path:
    return cities_dir(root) / city


def configured_cities(root: Path) -> list[str]:
    """Codes of the cities (and provinces) with a configuration: ``data/cities/<code>/city.yaml``."""
    base = cities_dir(root)
    return sorted(p.name for p in base.iterdir() if (p / "city.yaml").is_file()) if base.is_dir() else []


def frameworks_dir(root: Path) -> Path:
    return root / "data" / "frameworks"


def params_dir(root: Path) -> Path:
    return root / "params"


DEFAULT_RUN = MARKER / "default.yaml"  # which run a notebook opened by hand, and `dxreport run` with no file, use
