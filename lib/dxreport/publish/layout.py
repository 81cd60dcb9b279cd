"""Where each report lives under ``reports/<city>/<period>/``: the names the index page and the runner share."""

SCORECARD_NOTEBOOK = "unit_scorecard"
UNITS_DIR = "don-vi"  # scorecards live in reports/<city>/<period>/don-vi/<unit>/
QUALITY_NOTEBOOK = "data_quality"
# Reports other than the city's own live in a subfolder of the city report, which keeps them on publish.
SUBFOLDERS = {QUALITY_NOTEBOOK: "chat-luong-so-lieu", "dx_index": "chi-so-don-vi"}
