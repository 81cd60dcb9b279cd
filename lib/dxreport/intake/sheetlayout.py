"""How any sheet of a unit's workbook looks on screen and on paper: fonts, row heights, print setup.

Used by every sheet dxreport writes for units to fill, print and sign (the data
sheet ``BaoCao``, the help sheet, and the programme-tasks sheet when it comes):
call :func:`finish_sheet` once the sheet's cells are written.

- Every cell in the printed range names its font (Times New Roman, the
  administrative norm; LibreOffice uses the metric-compatible Liberation Serif),
  and so does the workbook's default style, so no office suite substitutes its own.
- Row heights are computed, not left to the application: text is measured with
  Liberation Serif's own advance widths (shipped in ``data/fonts``, the same
  metrics as Times New Roman), wrapped into its column (or merged range), and
  each line given room for Vietnamese stacked marks (Ể, Ặ, Ỗ).
- The page: A4, the orientation that prints larger, fit to one page wide; one
  page tall too when that still prints at :data:`ONE_PAGE_MIN_SCALE` or more;
  repeated header rows, a print area, margins after Nghị định 30/2020 (top and
  bottom 20 mm, left 30 mm, right 15 mm), the unit and period in the page header
  and the page number in the footer.
"""

from __future__ import annotations

import math
from copy import copy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "Times New Roman"
BODY_SIZE = 11
MM = 72 / 25.4  # points per millimetre
A4_PT = (210 * MM, 297 * MM)
MARGINS_MM = {"left": 30, "right": 15, "top": 20, "bottom": 20, "header": 9, "footer": 9}
ONE_PAGE_MIN_SCALE = 0.8  # below this a one-page print is too small to read; print one page wide instead
LINE_FACTOR = 1.25  # line pitch ÷ font size: Liberation Serif's 1.107 em, and its stacked marks reach 1.2 em
ROW_PADDING_PT = 2.5
CELL_PADDING_PT = 6.0  # what a cell keeps empty left and right of its text, both suites together
_MAX_DIGIT_PX = 7  # the default font's digit at 96 dpi: Times New Roman 11 pt (as Calibri 11 pt)
_FACES = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic", (True, True): "BoldItalic"}


def font(size: float = BODY_SIZE, *, bold: bool = False, italic: bool = False, color: str | None = None) -> Font:
    """A font that names itself: every cell dxreport writes gets one of these."""
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic, color=color)


def use_default_font(wb: Workbook) -> None:
    """Make Times New Roman the workbook's default (font 0 and the 'Normal' style), for cells no one styled.

    Call it on a new workbook, before any cell is styled: font 0 is replaced, not added.
    """
    default = font()
    wb._fonts = IndexedList([default])  # noqa: SLF001 - openpyxl has no public setter for the default font
    for style in wb._named_styles:  # noqa: SLF001
        if style.name == "Normal":
            style.font = default


class StyleCache:
    """Styles applied once per key, then copied to other cells by their ids.

    openpyxl hashes every style object a cell is given; a sheet of a hundred
    indicator rows gives the same few styles hundreds of times (twice as slow to write).
    """

    def __init__(self) -> None:
        self._ids: dict[object, object] = {}

    def apply(self, cell, key: object, style: Callable[[], dict]) -> None:
        """Give ``cell`` the style of ``key``, made by ``style()`` (attribute → value) the first time."""
        ids = self._ids.get(key)
        if ids is not None:
            cell._style = copy(ids)  # noqa: SLF001 - the style ids, as openpyxl's own copy_worksheet does
            return
        for name, value in style().items():
            setattr(cell, name, value)
        self._ids[key] = copy(cell._style)  # noqa: SLF001


# ------------------------------------------------------------------ measuring text


@lru_cache(maxsize=None)
def _advances(bold: bool, italic: bool) -> tuple[dict[int, float], float] | None:
    """Advance widths (in em) of Liberation Serif's face, by code point; ``None`` without the font files."""
    from fontTools.ttLib import TTFont

    from dxreport.domain import paths

    try:
        folder = paths.fonts_dir(paths.find_root(Path(__file__).parent))
    except FileNotFoundError:
        return None
    path = folder / f"LiberationSerif-{_FACES[bold, italic]}.ttf"
    if not path.exists():
        return None
    ttf = TTFont(str(path), lazy=True)
    upem = ttf["head"].unitsPerEm
    metrics = ttf["hmtx"].metrics
    widths = {cp: metrics[name][0] / upem for cp, name in ttf.getBestCmap().items()}
    return widths, widths.get(ord("n"), 0.5)


def text_width_pt(text: str, size: float = BODY_SIZE, *, bold: bool = False, italic: bool = False) -> float:
    """Width of one line of ``text`` in Times New Roman (measured with its metric twin Liberation Serif)."""
    found = _advances(bold, italic)
    if found is None:  # no font files: a generous estimate (Times averages under 0.5 em a character)
        return len(text) * 0.55 * size
    widths, fallback = found
    return sum(widths.get(ord(ch), fallback) for ch in text) * size


def column_width_pt(chars: float) -> float:
    """Width on paper of a column ``chars`` wide (Excel's unit: digits of the default font, plus 5 px)."""
    return (math.trunc(chars * _MAX_DIGIT_PX) + 5) * 0.75


def chars_for_pt(width_pt: float) -> float:
    """The narrowest column width (Excel's unit) that holds ``width_pt`` of text and a cell's padding."""
    return math.ceil(((width_pt + CELL_PADDING_PT) / 0.75 - 5) / _MAX_DIGIT_PX)


def wrapped_lines(text: str, width_pt: float, size: float = BODY_SIZE, *, bold: bool = False, italic: bool = False) -> int:
    """How many lines ``text`` takes when wrapped at spaces into ``width_pt`` (explicit line breaks kept)."""
    usable = max(width_pt - CELL_PADDING_PT, size)
    space = text_width_pt(" ", size, bold=bold, italic=italic)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            w = text_width_pt(word, size, bold=bold, italic=italic)
            if used and used + space + w > usable:
                lines += 1
                used = 0.0
            if w > usable:  # a word longer than the line breaks where it must
                extra = math.ceil(w / usable) - 1
                lines += extra
                w -= extra * usable
            used += (space if used else 0.0) + w
    return max(lines, 1)


def line_height_pt(size: float) -> float:
    return size * LINE_FACTOR


# ------------------------------------------------------------------ the sheet


def name_fonts(ws: Worksheet, last_row: int, last_col: int) -> None:
    """Give every cell of ``A1:<last>`` a font that names Times New Roman, keeping its size, weight and colour.

    Cells written with :func:`font`, and unstyled cells of a workbook given :func:`use_default_font`,
    already have one; the others get a copy of theirs, renamed.
    """
    for row in ws.iter_rows(min_row=1, max_row=last_row, min_col=1, max_col=last_col):
        for c in row:
            current = c.font
            if current.name == FONT_NAME and current.size:
                continue
            f = copy(current)
            f.name = FONT_NAME
            if not f.size:
                f.size = BODY_SIZE
            c.font = f


def _widths_pt(ws: Worksheet, last_col: int) -> list[float]:
    out = []
    for col in range(1, last_col + 1):
        dim = ws.column_dimensions.get(get_column_letter(col))
        out.append(column_width_pt(dim.width if dim is not None and dim.width else 8.43))
    return out


class _FittedRow(RowDimension):
    """A row height written without ``customHeight``: the height to show and print as is, which Excel and
    LibreOffice still grow when a unit types a longer note into the row (a custom height would stay fixed)."""

    @property
    def customHeight(self) -> bool:  # type: ignore[override]
        return False


def fit_row_heights(ws: Worksheet, last_row: int, last_col: int, *, keep: set[int] = frozenset()) -> None:
    """Set every row's height from its text: wrapped lines × line pitch, at least one line of its largest font.

    Merged cells wrap in the merged width. Rows in ``keep`` (drawn spaces such as
    the signature row) keep the height already set, as a fixed (custom) height.
    LibreOffice does not fit rows itself when it opens an .xlsx, so every row gets one.
    """
    widths = _widths_pt(ws, last_col)
    span: dict[tuple[int, int], float] = {}
    hidden: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        span[rng.min_row, rng.min_col] = sum(widths[c - 1] for c in range(rng.min_col, min(rng.max_col, last_col) + 1))
        hidden.update((r, c) for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)
                      if (r, c) != (rng.min_row, rng.min_col))
    for r in range(1, last_row + 1):
        need = line_height_pt(BODY_SIZE)
        for c in range(1, last_col + 1):
            if (r, c) in hidden:
                continue
            cell = ws.cell(r, c)
            size = float(cell.font.size or BODY_SIZE)
            lines = 1
            if cell.value is not None and cell.alignment.wrap_text:
                lines = wrapped_lines(str(cell.value), span.get((r, c), widths[c - 1]), size,
                                      bold=bool(cell.font.bold), italic=bool(cell.font.italic))
            need = max(need, lines * line_height_pt(size))
        if r in keep and ws.row_dimensions[r].height:
            continue
        ws.row_dimensions[r] = _FittedRow(ws, index=r, ht=round(need + ROW_PADDING_PT, 1))


@dataclass(frozen=True)
class Page:
    """What :func:`print_setup` chose: orientation, scale estimate, and whether it fits one page."""

    orientation: str
    scale: float
    one_page: bool


def _printable(orientation: str) -> tuple[float, float]:
    w, h = A4_PT if orientation == "portrait" else A4_PT[::-1]
    m = {k: v * MM for k, v in MARGINS_MM.items()}
    return w - m["left"] - m["right"], h - m["top"] - m["bottom"]


def choose_page(width_pt: float, height_pt: float) -> Page:
    """The orientation and fit for content of this size (pure: the decision :func:`print_setup` applies)."""
    options = []
    for orientation in ("portrait", "landscape"):
        w, h = _printable(orientation)
        across = min(1.0, w / width_pt)
        options.append((min(across, h / height_pt), across, orientation))
    whole = max(options, key=lambda o: (o[0], o[2] == "portrait"))
    if whole[0] >= ONE_PAGE_MIN_SCALE:
        return Page(whole[2], round(whole[0], 3), True)
    wide = max(options, key=lambda o: (o[1], o[2] == "portrait"))
    return Page(wide[2], round(wide[1], 3), False)


def _header_text(text: str) -> str:
    return text.replace("&", "&&")  # '&' starts a code in a page header


def print_setup(
    ws: Worksheet,
    last_row: int,
    last_col: int,
    *,
    title_rows: str | None = None,
    header_left: str = "",
    header_right: str = "",
) -> Page:
    """A4, orientation and fit as :func:`choose_page` decides, print area, repeated rows, margins, header and footer."""
    widths = _widths_pt(ws, last_col)
    height = sum(ws.row_dimensions[r].height or line_height_pt(BODY_SIZE) + ROW_PADDING_PT for r in range(1, last_row + 1))
    page = choose_page(sum(widths), height)
    ps = ws.page_setup
    ps.paperSize = ws.PAPERSIZE_A4
    ps.orientation = page.orientation
    ps.fitToWidth = 1
    ps.fitToHeight = 1 if page.one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(**{k: v / 25.4 for k, v in MARGINS_MM.items()})
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    if title_rows:
        ws.print_title_rows = title_rows
    for part, text in ((ws.oddHeader.left, header_left), (ws.oddHeader.right, header_right)):
        if text:
            part.text = _header_text(text)
            part.font = f"{FONT_NAME},Regular"
            part.size = 9
    ws.oddFooter.center.text = "Trang &P"  # &N would count the help sheet's pages too
    ws.oddFooter.center.font = f"{FONT_NAME},Regular"
    ws.oddFooter.center.size = 9
    return page


def finish_sheet(
    ws: Worksheet,
    last_row: int,
    last_col: int,
    *,
    title_rows: str | None = None,
    header_left: str = "",
    header_right: str = "",
    keep_heights: set[int] = frozenset(),
) -> Page:
    """Fonts named, rows as tall as their text, page set up: the one call each printed sheet ends with."""
    name_fonts(ws, last_row, last_col)
    fit_row_heights(ws, last_row, last_col, keep=keep_heights)
    return print_setup(ws, last_row, last_col, title_rows=title_rows, header_left=header_left, header_right=header_right)
