"""Where each report lives under ``reports/<city>/<period>/``: the names the index page and the runner share."""

import re

SCORECARD_NOTEBOOK = "unit_scorecard"
UNITS_DIR = "don-vi"  # scorecards live in reports/<city>/<period>/don-vi/<unit>/
QUALITY_NOTEBOOK = "data_quality"
# Reports other than the city's own live in a subfolder of the city report, which keeps them on publish.
SUBFOLDERS = {QUALITY_NOTEBOOK: "chat-luong-so-lieu", "dx_index": "chi-so-don-vi"}
TRACE_PAGE = "nguon-so-lieu.html"  # beside the city report: the rows of the submissions behind each target's figure

_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def safe_segment(code: object) -> str | None:
    """``code`` if it can stand as it is in a link and an element id (letters, digits, '-', '_'), else None."""
    text = str(code) if code is not None else ""
    return text if _SAFE.fullmatch(text) else None


def scorecard_href(code: object, up: str = "") -> str | None:
    """The relative link to a unit's scorecard from the city report (``up="../"`` from a report in a subfolder).

    None for a code that is not a plain name: no unit text ever becomes part of a path.
    """
    safe = safe_segment(code)
    return f"{up}{UNITS_DIR}/{safe}/report.html" if safe else None
