"""Named errors that carry what a policy analyst needs to fix the problem.

Messages are Vietnamese and name the file, and where it applies the sheet, row,
column or key at fault. The CLI prints ``str(error)`` and never a traceback.
"""

from __future__ import annotations

from pathlib import Path


class DxError(Exception):
    """Base of every error the user is meant to read."""

    exit_code = 1


class ConfigError(DxError):
    """A configuration or parameters file that cannot be used."""

    exit_code = 2

    def __init__(self, path: str | Path, key: str | None, message: str, line: int | None = None):
        self.path, self.key, self.message = str(path), key, message
        self.line = line if line is not None else _line_of(self.path, key)
        where = f"Tệp {self.path}" + (f", dòng {self.line}" if self.line else "") + (f", khóa '{key}'" if key else "")
        super().__init__(f"{where}: {message}")


def _line_of(path: str, key: str | None) -> int | None:
    """The line of ``key`` in a YAML file, so a message points where to look; None when unknown."""
    if not key or not path.endswith((".yaml", ".yml")):
        return None
    from dxreport.domain.config import yaml_line  # config imports this module

    return yaml_line(Path(path), key)


class UsageError(DxError):
    """A command used in a way that cannot work (a choice left open, options that disagree)."""

    exit_code = 2


class DataError(DxError):
    """A problem in a unit's submission, located as precisely as possible."""

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ):
        self.path, self.sheet, self.row, self.column = str(path), sheet, row, column
        self.message, self.hint = message, hint
        parts = [f"Tệp {Path(self.path).name}"]
        if sheet:
            parts.append(f"trang '{sheet}'")
        if row is not None:
            parts.append(f"dòng {row}")
        if column:
            parts.append(f"cột {column}")
        text = ", ".join(parts) + f": {message}"
        if hint:
            text += f" Cách sửa: {hint}"
        super().__init__(text)


class NotebookError(DxError):
    """A notebook failed while running; the failed notebook is kept."""

    def __init__(self, notebook: str, cell: int | None, message: str, kept: str | None):
        self.notebook, self.cell, self.kept = notebook, cell, kept
        where = f"Sổ tính {notebook}" + (f", ô số {cell}" if cell is not None else "")
        text = f"{where} bị lỗi: {message}"
        if kept:
            text += f" (sổ tính lỗi được giữ lại tại {kept})"
        super().__init__(text)
