"""Every problem of one city's configuration files, each naming the file, the line and the key.

The loaders (:mod:`dxreport.config`, :mod:`dxreport.units`, …) stop at a file's
first error; this module goes on to the other files and adds the cross-checks a
schema cannot express: units a target or an indicator names, a target below its
baseline for a measure that should rise, shares written as 35 instead of 0,35,
frameworks whose points do not add up or that read indicators nobody reports,
parameters files that leave a key to a city.yaml that does not give it. It is
what ``dxreport check-config`` prints.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from dxreport.domain import fmt, paths
from dxreport.domain.config import City, Indicator, Programme, load_city, load_indicators, load_programme
from dxreport.domain.errors import ConfigError
from dxreport.domain.units import KIND_LABELS, TOP_KINDS, load_units

PLACEHOLDER = "(điền"  # what `dxreport new-city` writes where only the office knows the value


@dataclass(frozen=True)
class Finding:
    """One problem (``error``) or remark (``warning``) about a configuration file."""

    path: str
    line: int | None
    key: str | None
    message: str
    error: bool = True

    def text(self) -> str:
        where = self.path + (f", dòng {self.line}" if self.line else "") + (f", khóa '{self.key}'" if self.key else "")
        return f"{'LỖI' if self.error else 'LƯU Ý'}: {where}: {self.message}"


class _Findings(list):
    def __init__(self, root: Path):
        super().__init__()
        self.root = root

    def rel(self, path: Path | str) -> str:
        p = Path(path)
        return p.relative_to(self.root).as_posix() if p.is_absolute() and p.is_relative_to(self.root) else str(path)

    def add(self, path: Path | str, key: str | None, message: str, *, error: bool = True, line: int | None = None) -> None:
        line, key = _csv_line(line, key)
        if line is None and key:
            line = ConfigError(path, key, "").line
        self.append(Finding(self.rel(path), line, key, message, error))

    def warn(self, path: Path | str, key: str | None, message: str) -> None:
        self.add(path, key, message, error=False)

    def attempt(self, load: Callable):
        """``load()``, or None with its ConfigError recorded."""
        try:
            return load()
        except ConfigError as e:
            line, key = _csv_line(e.line, e.key)
            self.append(Finding(self.rel(e.path), line, key, e.message))
        except (ValueError, TypeError) as e:  # e.g. a date pandas cannot read in units.csv
            self.append(Finding("?", None, None, str(e)))
        return None


def _csv_line(line: int | None, key: str | None) -> tuple[int | None, str | None]:
    """A CSV file's "dòng 5, cột kind" key as line 5 and key "cột kind"."""
    if line is None and key and key.startswith("dòng "):
        number, _, rest = key[5:].partition(",")
        if number.strip().isdigit():
            return int(number), rest.strip() or None
    return line, key


def check_city(root: Path, code: str) -> list[Finding]:
    """Every finding about ``data/cities/<code>/`` and the files that depend on it (frameworks, params)."""
    for cached in (load_city, load_indicators, load_programme):  # files may have been edited since this process read them
        cached.cache_clear()
    found = _Findings(root)
    city_dir = paths.city_dir(root, code)
    if not (city_dir / "city.yaml").is_file():
        found.add(city_dir / "city.yaml", None, "không có tệp cấu hình thành phố; tạo bằng: dxreport new-city " + code)
        return list(found)
    city = found.attempt(lambda: load_city(city_dir))
    if city is not None:
        _city(found, city_dir, city, code)
    units = found.attempt(lambda: _units(found, city_dir))
    indicators = found.attempt(lambda: load_indicators(city_dir))
    if indicators is not None and units is not None:
        _indicators(found, city_dir, indicators, units)
    programme = found.attempt(lambda: load_programme(city_dir)) if indicators is not None else None
    if programme is not None and indicators is not None:
        _programme(found, city_dir, programme, indicators, units)
    if (city_dir / "succession.csv").is_file() and units is not None:
        from dxreport.domain.succession import load_succession

        found.attempt(lambda: load_succession(city_dir, units))
    if city is not None and indicators is not None:
        _frameworks(found, root, city_dir, city, indicators, units)
    if units is not None and indicators is not None:
        _sample_recipe(found, city_dir, units, indicators)
    if city is not None:
        _params(found, root, code)
    return list(found)


def _placeholders(found: _Findings, path: Path) -> None:
    """Values the skeleton left for the office to fill: ``(điền …)`` outside a comment."""
    if not path.is_file():
        return
    yaml_file = path.suffix in (".yaml", ".yml")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        body = line.split("#", 1)[0] if yaml_file else line
        if PLACEHOLDER in body:
            key = (body.split(":", 1)[0].strip(" -{") or None) if yaml_file and ":" in body else None
            found.add(path, key, "giá trị chưa được điền (còn chữ '(điền …)' của bộ khung)", line=n)


def _city(found: _Findings, city_dir: Path, city: City, code: str) -> None:
    path = city_dir / "city.yaml"
    for name in ("city.yaml", "units.csv", "indicators.yaml", "programme.yaml", "tasks.yaml", "succession.csv"):
        _placeholders(found, city_dir / name)
    if city.code != code:
        found.add(path, "code", f"mã '{city.code}' phải trùng tên thư mục '{code}'")
    if city.kind == "province" and not city.name.lower().startswith("tỉnh"):
        found.warn(path, "name", f"kind: province nhưng tên '{city.name}' không bắt đầu bằng 'Tỉnh'")
    if city.kind == "city" and not city.name.lower().startswith("thành phố"):
        found.warn(path, "name", f"kind: city nhưng tên '{city.name}' không bắt đầu bằng 'Thành phố'")
    if not city.recipients:
        found.warn(path, "recipients", "chưa khai báo Nơi nhận; báo cáo dùng danh sách chung: "
                                       + "; ".join(city.recipient_lines()))
    for key in ("submissions", "database"):
        if getattr(city, key) is None:
            found.warn(path, key, "chưa khai báo: mọi tệp tham số phải tự ghi khóa này")
    if city.submissions and not (found.root / city.submissions).is_dir():
        found.warn(path, "submissions", f"thư mục {city.submissions} chưa có (tạo dữ liệu mẫu: dxreport sample --city {code})")
    if city.index_frameworks is None:
        found.warn(path, "index_frameworks", f"chưa khai báo; dùng các bộ chỉ số tên '{code}-dvi-*' nếu có "
                                             "(ghi [] nếu tỉnh, thành phố không có bộ chỉ số riêng)")


def _units(found: _Findings, city_dir: Path) -> pd.DataFrame:
    units = load_units(city_dir)
    path = city_dir / "units.csv"
    codes = set(units.index)
    tops = [c for c, k in zip(units["code"], units["kind"]) if k in TOP_KINDS]
    if len(tops) != 1:
        found.add(path, "kind", f"cần đúng một đơn vị loại city hoặc province (chính tỉnh, thành phố); có {len(tops)}")
    for row, r in enumerate(units.itertuples(index=False), start=2):
        if r.parent and r.parent not in codes:
            found.add(path, f"dòng {row}, cột parent", f"đơn vị cấp trên '{r.parent}' không có trong units.csv")
        if r.valid_from and r.valid_to and not pd.isna(r.valid_from) and not pd.isna(r.valid_to) and r.valid_to < r.valid_from:
            found.add(path, f"dòng {row}, cột valid_to", "ngày kết thúc trước ngày bắt đầu")
        if not r.name:
            found.add(path, f"dòng {row}, cột name", "thiếu tên đơn vị")
    return units


def _indicators(found: _Findings, city_dir: Path, indicators: dict[str, Indicator], units: pd.DataFrame) -> None:
    path = city_dir / "indicators.yaml"
    kinds = set(units["kind"])
    for i in indicators.values():
        for who in i.reported_by:
            if who not in KIND_LABELS and who not in units.index:
                found.add(path, f"indicators[{i.code}].reported_by",
                          f"'{who}' không phải loại đơn vị ({', '.join(KIND_LABELS)}) hay mã đơn vị trong units.csv")
            elif who in KIND_LABELS and who not in kinds:
                found.warn(path, f"indicators[{i.code}].reported_by", f"units.csv không có đơn vị loại '{who}'")
        want = {"share": "%", "index": fmt.INDEX_UNIT}.get(i.kind)
        if want is not None and i.unit_of_measure != want:
            found.add(path, f"indicators[{i.code}].unit_of_measure",
                      f"chỉ tiêu loại {i.kind} có đơn vị tính '{want}' (đang ghi '{i.unit_of_measure}')")
        if i.not_above and indicators[i.not_above].kind != "count":
            found.add(path, f"indicators[{i.code}].not_above", f"'{i.not_above}' phải là chỉ tiêu loại count")


def _tasks(found: _Findings, city_dir: Path, programme: Programme, units: pd.DataFrame | None) -> None:
    """Each task's lead and co-ordinating units are units of units.csv (co-ordinators may also be words)."""
    from dxreport.domain.config import TASKS_FILE

    path = city_dir / TASKS_FILE if (city_dir / TASKS_FILE).is_file() else city_dir / "programme.yaml"
    if units is None:
        return
    for t in programme.tasks:
        key = f"tasks[{t.code}]"
        if t.lead not in units.index:
            found.add(path, f"{key}.lead", f"đơn vị chủ trì '{t.lead}' không có trong units.csv")
        for p in t.partners:
            if re.fullmatch(r"[A-Z0-9-]+", p) and p not in units.index:
                found.add(path, f"{key}.partners", f"đơn vị phối hợp '{p}' không có trong units.csv")
        if t.funds is not None and t.funds.allocated == 0:
            found.warn(path, f"{key}.funds.allocated", "kinh phí được giao bằng 0: bỏ khóa funds nếu nhiệm vụ không có kinh phí")


def _programme(found: _Findings, city_dir: Path, programme: Programme, indicators: dict[str, Indicator],
               units: pd.DataFrame | None) -> None:
    _tasks(found, city_dir, programme, units)
    path = city_dir / "programme.yaml"
    for t in programme.targets:
        key = f"targets[{t.code}]"
        if units is not None and t.responsible not in units.index:
            found.add(path, f"{key}.responsible", f"đơn vị '{t.responsible}' không có trong units.csv")
        m = t.measure
        kinds = {c: indicators[c].kind for c in m.indicators() if c in indicators}
        if m.kind == "share_of_units" and kinds.get(m.indicator or "") != "yesno":
            found.add(path, f"{key}.measure", f"cách tính share_of_units cần chỉ tiêu có/không (yesno), '{m.indicator}' là {kinds.get(m.indicator or '')}")
        if m.kind == "ratio" and set(kinds.values()) != {"count"}:
            found.add(path, f"{key}.measure", "cách tính ratio cần tử số và mẫu số là số lượng (count)")
        if m.kind == "ratio" and indicators[m.numerator].not_above not in (None, m.denominator):  # type: ignore[index]
            found.warn(path, f"{key}.measure", f"tử số {m.numerator} bị chặn bởi {indicators[m.numerator].not_above}, "  # type: ignore[index]
                                               f"không phải mẫu số {m.denominator}")
        measured = "%" if m.kind in ("ratio", "share_of_units") or kinds.get(m.indicator or "") == "share" else (
            fmt.INDEX_UNIT if kinds.get(m.indicator or "") == "index" else None)
        if measured is not None and t.unit_of_measure != measured:
            found.add(path, f"{key}.unit_of_measure", f"chỉ tiêu đo bằng {'tỷ lệ' if measured == '%' else 'chỉ số'} "
                                                      f"có đơn vị tính '{measured}' (đang ghi '{t.unit_of_measure}')")
        if measured is not None:
            for name, value in (("baseline.value", t.baseline.value), ("target", t.target)):
                if not 0 <= value <= 1:
                    hint = f", có lẽ là {fmt.number_auto(value / 100, 4)}" if 1 < value <= 100 else ""
                    found.add(path, f"{key}.{name}", f"giá trị {fmt.number_auto(value, 4)} nằm ngoài 0–1 "
                                                     f"(tỷ lệ ghi dạng 0,35 cho 35%{hint})")
        if units is not None:
            reporters = [u for u in units.itertuples() if any(
                u.code in indicators[c].reported_by or u.kind in indicators[c].reported_by for c in m.indicators() if c in indicators)]
            if not reporters:
                found.warn(path, f"{key}.measure", "không đơn vị nào báo cáo chỉ tiêu của chỉ tiêu này: sẽ luôn 'Chưa có số liệu'")


def _frameworks(found: _Findings, root: Path, city_dir: Path, city: City, indicators: dict[str, Indicator],
                units: pd.DataFrame | None) -> None:
    from dxreport.compute.unit_index import check_inputs
    from dxreport.domain import frameworks

    ids = frameworks.city_framework_ids(root, city.code)
    listed = city.index_frameworks or []
    for fid in listed:
        path = frameworks.frameworks_dir(root) / f"{fid}.yaml"
        if not path.is_file():
            found.add(city_dir / "city.yaml", "index_frameworks", f"không có tệp bộ chỉ số data/frameworks/{fid}.yaml")
    for fid in ids:
        path = frameworks.frameworks_dir(root) / f"{fid}.yaml"
        if not path.is_file():
            continue
        _placeholders(found, path)
        fw = found.attempt(lambda: frameworks.load_file(path))
        if fw is None:
            continue
        if not fw.audience:
            found.add(path, "audience", "bộ chỉ số của đơn vị cần 'audience': các loại đơn vị được chấm điểm")
            continue
        found.attempt(lambda: check_inputs(fw, indicators, path))
        if units is not None and not set(fw.audience) & set(units["kind"]):
            found.warn(path, "audience", f"units.csv không có đơn vị loại {', '.join(fw.audience)}")
    for stray in sorted(frameworks.frameworks_dir(root).glob(f"{city.code}-dvi-*.yaml")):
        if city.index_frameworks is not None and stray.stem not in listed:
            found.warn(stray, None, f"bộ chỉ số chưa dùng: thêm '{stray.stem}' vào index_frameworks của "
                                    f"data/cities/{city.code}/city.yaml để tính mục III")


def _sample_recipe(found: _Findings, city_dir: Path, units: pd.DataFrame, indicators: dict[str, Indicator]) -> None:
    from dxreport.intake.sample import RECIPE_FILE, load_recipe

    path = city_dir / RECIPE_FILE
    if not path.is_file():
        return
    recipe = found.attempt(lambda: load_recipe(city_dir))
    if recipe is None:
        return
    for key in ("levels", "sizes", "population_shares", "per_population", "series", "of"):
        for code in getattr(recipe, key):
            if code not in indicators:
                found.add(path, f"{key}.{code}", f"chỉ tiêu '{code}' không có trong indicators.yaml")
    for code in recipe.missing_last_period:
        if code not in units.index:
            found.add(path, "missing_last_period", f"đơn vị '{code}' không có trong units.csv")
    if recipe.periods:
        from dxreport.intake.sample import parse_periods

        found.attempt(lambda: parse_periods(recipe.periods, str(path)))


def _analyst_text(found: _Findings, path: Path) -> None:
    """The analyst's text may be a draft; what a final report would refuse is worth knowing early."""
    from dxreport.publish import analyst_text

    if not path.is_file():
        found.warn(path, None, "chưa có nội dung do chuyên viên viết: báo cáo dùng bản nháp tự lập cho các mục I, V, VI, VII")
        return
    sections = found.attempt(lambda: analyst_text.load(path))
    for problem in analyst_text.final_problems(sections or {}) if sections is not None else []:
        found.warn(path, None, f"{problem} (được khi còn là dự thảo; báo cáo chính thức sẽ bị từ chối)")


def _params(found: _Findings, root: Path, code: str) -> None:
    from dxreport.domain.params import load_params, params_files

    files = params_files(root, code)
    if not files:
        found.warn(paths.params_dir(root), None, f"chưa có tệp tham số params/{code}-<kỳ>.yaml nào")
    for f in files:
        _placeholders(found, f)
        _analyst_text(found, f.with_name(f"{f.stem}.text.md"))
        params = found.attempt(lambda: load_params(f, root))
        if params is not None and params.city != code:
            found.add(f, "city", f"tệp tham số của '{code}' ghi city: {params.city}")
