"""Run parameters (``params/<city>-<YYYY>-Q<n>.yaml``), typed and checked before any kernel starts.

papermill only warns about an unknown parameter and passes YAML dates as
strings; here an unknown key or a bad value stops the run with the file and
the key named, and the notebook receives plain JSON-safe values.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dxreport.domain.config import load_model
from dxreport.domain.errors import ConfigError
from dxreport.domain.periods import Period, PeriodError

SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class ThresholdParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    on_track: float = Field(default=0.95, gt=0, le=1)
    at_risk: float = Field(default=0.75, gt=0, le=1)


class RunParams(BaseModel):
    """One run: one city and period. Paths are relative to the project root."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    city: str = Field(pattern=SAFE_NAME.pattern)
    period: str
    report_date: date
    notebook: str = Field(default="city_quarterly", pattern=SAFE_NAME.pattern)
    document_number: str = ""
    submissions: str = "data/sample/danang"
    database: str = "build/danang.duckdb"
    sample_data: bool = True
    thresholds: ThresholdParams = ThresholdParams()
    history_quarters: int = Field(default=4, ge=2, le=12)

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        try:
            return Period.parse(value).id
        except PeriodError as e:
            raise ValueError(str(e)) from None

    @field_validator("submissions", "database")
    @classmethod
    def _relative(cls, value: str) -> str:
        p = Path(value)
        if p.is_absolute() or ".." in p.parts:
            raise ValueError("đường dẫn phải nằm trong thư mục dự án (tương đối, không có '..')")
        return value

    def notebook_parameters(self, root: Path, output_dir: Path) -> dict[str, Any]:
        """What papermill injects: JSON-safe values, absolute paths."""
        return {
            "project_root": str(root),
            "city": self.city,
            "period": self.period,
            "report_date": self.report_date.isoformat(),
            "document_number": self.document_number,
            "submissions": str(root / self.submissions),
            "database": str(root / self.database),
            "output_dir": str(output_dir),
            "sample_data": self.sample_data,
            "on_track": self.thresholds.on_track,
            "at_risk": self.thresholds.at_risk,
            "history_quarters": self.history_quarters,
        }


def load_params(path: Path | str) -> RunParams:
    path = Path(path)
    params = load_model(RunParams, path, "tệp tham số")
    if params.thresholds.at_risk > params.thresholds.on_track:
        raise ConfigError(path, "thresholds.at_risk", "phải nhỏ hơn hoặc bằng thresholds.on_track")
    return params
