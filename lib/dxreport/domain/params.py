"""Run parameters (``params/<city>-<YYYY>-Q<n>.yaml``), typed and checked before any kernel starts.

papermill only warns about an unknown parameter and passes YAML dates as
strings; here an unknown key or a bad value stops the run with the file and
the key named, and the notebook receives plain JSON-safe values.

What a parameters file leaves out comes from the city's own ``city.yaml``
(where its submissions and store live, whether its data are sample data), never
from another city: a key neither file gives stops the run, naming it.
:func:`notebook_run` does the same for a notebook opened by hand or run with
stock papermill, with the project's default run (``data/cities/default.yaml``)
when no city is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dxreport.domain import paths
from dxreport.domain.config import City, load_city, load_model, read_yaml, validation_error
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
    submissions: str | None = None  # default: the city's city.yaml
    database: str | None = None  # default: the city's city.yaml
    sample_data: bool | None = None  # default: the city's city.yaml, else true (marked DỮ LIỆU MẪU)
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
    def _relative(cls, value: str | None) -> str | None:
        if value is None:
            return None
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


def _root_for(path: Path) -> Path:
    try:
        return paths.find_root(path.resolve().parent)
    except FileNotFoundError:
        return paths.find_root()


def city_of(root: Path, code: str, source: Path | str, key: str = "city") -> City:
    """The configuration of city ``code``; a missing one names ``source`` and ``key`` and lists the cities there are."""
    city_dir = paths.city_dir(root, code)
    if not (city_dir / "city.yaml").is_file():
        known = ", ".join(paths.configured_cities(root)) or "chưa có thành phố nào"
        raise ConfigError(source, key, f"không có cấu hình thành phố '{code}' (data/cities/{code}/city.yaml); "
                                       f"các thành phố đã cấu hình: {known}")
    return load_city(city_dir)


def complete(params: RunParams, source: Path | str, root: Path) -> RunParams:
    """``params`` with what it leaves out taken from its city's ``city.yaml``; a key neither gives is an error."""
    city = city_of(root, params.city, source)
    city_file = f"data/cities/{params.city}/city.yaml"
    updates: dict[str, Any] = {}
    what = {"submissions": "thư mục chứa tệp số liệu của các đơn vị", "database": "tệp kho số liệu DuckDB"}
    for key, meaning in what.items():
        if getattr(params, key) is None:
            value = getattr(city, key)
            if value is None:
                raise ConfigError(source, key, f"thiếu {meaning}: ghi '{key}' trong tệp tham số, "
                                               f"hoặc khai báo '{key}' trong {city_file}")
            updates[key] = value
    if params.sample_data is None:
        updates["sample_data"] = True if city.sample_data is None else city.sample_data
    return params.model_copy(update=updates) if updates else params


def load_params(path: Path | str, root: Path | None = None) -> RunParams:
    path = Path(path)
    params = load_model(RunParams, path, "tệp tham số")
    if params.thresholds.at_risk > params.thresholds.on_track:
        raise ConfigError(path, "thresholds.at_risk", "phải nhỏ hơn hoặc bằng thresholds.on_track")
    return complete(params, path, root or _root_for(path))


# ------------------------------------------------------------------ notebooks run by hand or by stock papermill


@dataclass(frozen=True)
class NotebookRun:
    """What a notebook runs on, with every default resolved; ``note`` says where defaults came from ('' if none)."""

    root: Path
    city: str
    period: str
    report_date: str
    document_number: str
    submissions: Path
    database: Path
    sample_data: bool
    on_track: float
    at_risk: float
    history_quarters: int
    unit: str | None
    source: Path | None
    note: str


def default_run(root: Path) -> tuple[Path, dict[str, Any]]:
    """The project's default run: ``data/cities/default.yaml`` names a parameters file (and a unit for scorecards)."""
    path = root / paths.DEFAULT_RUN
    if not path.is_file():
        cities = paths.configured_cities(root)
        raise ConfigError(path, None, "chưa chọn thành phố (tham số city) và dự án chưa có lần chạy mặc định; "
                                      f"các thành phố đã cấu hình: {', '.join(cities) or 'chưa có'}")
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("params"), str):
        raise ConfigError(path, "params", "cần đường dẫn tệp tham số của lần chạy mặc định, ví dụ params/<mã>-2026-Q3.yaml")
    unknown = sorted(set(data) - {"params", "unit"})
    if unknown:
        raise ConfigError(path, unknown[0], "khóa không được hỗ trợ (được phép: params, unit)")
    params_file = root / data["params"]
    if not params_file.is_file():
        raise ConfigError(path, "params", f"không có tệp {data['params']}")
    return params_file, data


def params_files(root: Path, city: str) -> list[Path]:
    """The city's parameters files ``params/<city>-<period>.yaml``, oldest period first."""
    found = []
    for f in paths.params_dir(root).glob(f"{city}-*.yaml"):
        try:
            found.append((Period.parse(f.stem[len(city) + 1:]), f))
        except PeriodError:
            continue
    return [f for _, f in sorted(found)]


def notebook_run(project_root: str | Path | None = None, *, city: str | None = None, period: str | None = None,
                 unit: str | None = None, needs_unit: bool = False, **given: Any) -> NotebookRun:
    """Resolve a notebook's parameters: what papermill gave, else a parameters file, else the city's files.

    ``dxreport run`` gives every value. Opened by hand with no city, a notebook runs the project's default run
    (``data/cities/default.yaml``); with a city and no period, that city's latest parameters file. Values given
    override the file's. ``given``: report_date, document_number, submissions, database, sample_data, on_track,
    at_risk, history_quarters (None = not given).
    """
    root = paths.find_root(project_root)
    if period is not None:
        try:
            period = Period.parse(str(period)).id
        except PeriodError as e:
            raise ConfigError("tham số của sổ tính", "period", str(e)) from None
    notes: list[str] = []
    source: Path | None = None
    default_unit = None
    base: RunParams | None
    if city is None:
        source, default = default_run(root)
        base = load_params(source, root)
        default_unit = default.get("unit")
        if period is not None and period != base.period:
            other = paths.params_dir(root) / f"{base.city}-{period}.yaml"
            if other.is_file():
                source, base = other, load_params(other, root)
        city = base.city
        notes.append(f"Chưa chọn thành phố (tham số city): sổ tính chạy với lần chạy mặc định của dự án "
                     f"({paths.DEFAULT_RUN.as_posix()} → {source.relative_to(root).as_posix()}).")
    else:
        candidates = params_files(root, city)
        if period is not None:
            wanted = paths.params_dir(root) / f"{city}-{period}.yaml"
            candidates = [wanted] if wanted.is_file() else []
        source = candidates[-1] if candidates else None
        base = load_params(source, root) if source else None
        if base is not None and period is None:
            notes.append(f"Chưa chọn kỳ (tham số period): dùng tệp tham số mới nhất của thành phố, "
                         f"{source.relative_to(root).as_posix()}.")  # type: ignore[union-attr]
    where = source or paths.city_dir(root, city) / "city.yaml"
    values: dict[str, Any] = base.model_dump(mode="json") if base is not None else {"city": city}
    if period is not None:
        if base is not None and period != base.period:  # another period's date and number do not apply
            values.pop("report_date", None)
            values["document_number"] = ""
        values["period"] = period
    thresholds = dict(values.get("thresholds") or {})
    for key, value in given.items():
        if value is None:
            continue
        if key in ("on_track", "at_risk"):
            thresholds[key] = value
        else:
            values[key] = value
    values["thresholds"] = thresholds
    # dxreport run passes the store and the submissions as absolute paths; a file's are relative to the project
    absolute = {k: values.pop(k) for k in ("submissions", "database")
                if values.get(k) is not None and Path(str(values[k])).is_absolute()}
    for key in ("period", "report_date"):
        if values.get(key) is None:
            raise ConfigError(where, key, f"chưa có giá trị: truyền tham số '{key}' cho sổ tính, "
                                          f"hoặc tạo tệp params/{city}-<kỳ>.yaml")
    try:
        params = RunParams.model_validate(values)
    except ValidationError as e:
        raise validation_error(Path(where), e, values) from None
    params = complete(params.model_copy(update=absolute), where, root)
    city_cfg = city_of(root, params.city, where)
    if notes:
        notes.append(f"Thành phố: {city_cfg.name} ({params.city}); kỳ: {params.period}"
                     + ("; dữ liệu mẫu." if params.sample_data else "."))
    chosen = _unit(root, params.city, params.period, unit, default_unit, needs_unit, where, notes)
    return NotebookRun(
        root=root, city=params.city, period=params.period, report_date=params.report_date.isoformat(),
        document_number=params.document_number, submissions=root / str(params.submissions),
        database=root / str(params.database), sample_data=bool(params.sample_data),
        on_track=params.thresholds.on_track, at_risk=params.thresholds.at_risk,
        history_quarters=params.history_quarters, unit=chosen, source=source, note=" ".join(notes),
    )


def _unit(root: Path, city: str, period: str, unit: str | None, default: str | None, needed: bool,
          where: Path, notes: list[str]) -> str | None:
    """The scorecard's unit: given, the default run's, or the first unit that reports; it must be the city's."""
    if not needed:
        return unit
    from dxreport.domain.config import load_indicators
    from dxreport.domain.units import expected_reports, load_units

    city_dir = paths.city_dir(root, city)
    units = load_units(city_dir)
    reporting = list(dict.fromkeys(expected_reports(units, load_indicators(city_dir), Period.parse(period))["unit"]))
    chosen = unit or (default if default in reporting else None) or (reporting[0] if reporting else None)
    if chosen is None:
        raise ConfigError(where, "unit", f"không có đơn vị nào báo cáo trong kỳ {period}")
    if chosen not in units.index:
        how = "thành phố mặc định của dự án" if notes else "thành phố đã chọn"
        elsewhere = [c for c in paths.configured_cities(root) if c != city
                     and chosen in set(load_units(paths.city_dir(root, c))["code"])]
        hint = f"đơn vị này thuộc: {', '.join(elsewhere)} (truyền tham số city)" if elsewhere else \
            f"truyền tham số city, hoặc chọn một trong: {', '.join(reporting)}"
        raise ConfigError(where, "unit", f"đơn vị '{chosen}' không có trong danh mục đơn vị của {city} ({how}, "
                                         f"data/cities/{city}/units.csv); {hint}")
    if unit is None:
        notes.append(f"Chưa chọn đơn vị (tham số unit): lập phiếu cho {units.loc[chosen, 'name']} ({chosen}).")
    return chosen
