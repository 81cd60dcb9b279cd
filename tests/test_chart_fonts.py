"""Charts draw with the shipped Liberation Sans 2.x, whatever Liberation Sans the system has.

Debian's fonts-liberation (1.x, no Vietnamese letters) comes with Chromium and LibreOffice; asked for the
family "Liberation Sans", matplotlib could take its file: "Glyph 432 (ư) missing from font(s) Liberation Sans".
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from dxreport.publish import charts
from fontTools import subset
from fontTools.ttLib import TTFont
from matplotlib import font_manager


@pytest.fixture
def system_liberation_1x(root, tmp_path):
    """A 'system' Liberation Sans without Vietnamese letters, registered first so that it wins any tie."""
    font = TTFont(root / "data" / "fonts" / "LiberationSans-Regular.ttf")
    cut = subset.Subsetter()
    cut.populate(unicodes=range(0x20, 0x7F))
    cut.subset(font)
    path = tmp_path / "LiberationSans-Regular.ttf"
    font.save(path)
    entry = font_manager.ttfFontProperty(font_manager.ft2font.FT2Font(str(path)))
    assert entry.name == "Liberation Sans"
    font_manager.fontManager.ttflist.insert(0, entry)
    font_manager.fontManager._findfont_cached.cache_clear()
    yield path
    font_manager.fontManager.ttflist.remove(entry)
    font_manager.fontManager._findfont_cached.cache_clear()


def test_charts_use_the_shipped_files_not_a_system_liberation_sans(root, system_liberation_1x):
    charts.use_fonts(root / "data" / "fonts")
    for weight in ("normal", "bold"):
        found = font_manager.findfont(font_manager.FontProperties(family=plt.rcParams["font.family"], weight=weight),
                                      fallback_to_default=False)
        assert found.startswith(str(root / "data" / "fonts")), found
    fig, ax = plt.subplots()
    ax.set_title("Chưa có số liệu – Đúng tiến độ", fontweight="bold")
    ax.text(0, 0, "Chưa có số liệu", style="italic")
    assert "<svg" in charts.to_svg(fig)  # a missing glyph would raise here
