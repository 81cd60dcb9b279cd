"""Frameworks (bộ chỉ số) as data: ``data/frameworks/<id>.yaml``, validated when loaded.

A framework has main indices (chỉ số chính) with points, optional component
indicators (chỉ số thành phần) with scoring rules, pillars (trụ cột) that are
views over main indices, and a total. Points our sources do not give are
``null`` (unknown) and stay unknown: :mod:`dxreport.compute.scoring` refuses to weight
by them instead of guessing. A file whose codes, references or points do not
hold together fails here, naming the file and the key.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dxreport.domain.config import load_model
from dxreport.domain.errors import ConfigError

LEVELS = ("component", "index", "pillar", "total")
LEVEL_LABELS = {
    "component": "chỉ số thành phần",
    "index": "chỉ số chính",
    "pillar": "trụ cột",
    "total": "chỉ số tổng hợp",
}
RULE_LABELS = {
    "ratio": "tỷ lệ",
    "step": "bậc thang",
    "yesno": "có/không",
    "threshold": "ngưỡng",
    "linear": "tuyến tính đến mục tiêu",
}
_CODE = r"^[A-Z][A-Z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    at_least: float
    points: float = Field(ge=0)


class Input(_Strict):
    """How a component's measured value comes from the city's indicators (value, or numerator ÷ denominator)."""

    indicator: str | None = None
    numerator: str | None = None
    denominator: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> "Input":
        if bool(self.indicator) == bool(self.numerator and self.denominator):
            raise ValueError("cần 'indicator', hoặc cả 'numerator' và 'denominator'")
        return self

    def indicators(self) -> list[str]:
        return [c for c in (self.indicator, self.numerator, self.denominator) if c]


class Component(_Strict):
    """A component indicator and its scoring rule; ``points`` is its maximum."""

    code: str = Field(pattern=_CODE)
    name: str
    points: float | None = Field(default=None, ge=0)
    rule: Literal["ratio", "step", "yesno", "threshold", "linear"]
    steps: list[Step] | None = None
    threshold: float | None = None
    direction: Literal["at_least", "at_most"] = "at_least"
    base: float = 0.0
    target: float | None = None
    range: tuple[float, float | None] | None = None
    input: Input | None = None
    evidence: str = ""  # tài liệu kiểm chứng
    source: str = ""  # nguồn số liệu
    note: str = ""

    @model_validator(mode="after")
    def _rule_fields(self) -> "Component":
        if self.rule == "step":
            if not self.steps:
                raise ValueError("quy tắc 'step' cần bảng 'steps'")
            if self.points is not None and max(s.points for s in self.steps) > self.points:
                raise ValueError("điểm của một bậc vượt điểm tối đa của chỉ số thành phần")
        if self.rule == "threshold" and self.threshold is None:
            raise ValueError("quy tắc 'threshold' cần 'threshold'")
        if self.rule == "linear" and (self.target is None or self.target == self.base):
            raise ValueError("quy tắc 'linear' cần 'target' khác 'base'")
        if self.range is not None and self.range[1] is not None and self.range[1] < self.range[0]:
            raise ValueError("'range' phải là [nhỏ nhất, lớn nhất]")
        return self

    def value_range(self) -> tuple[float, float]:
        """The measured values this component accepts (ratios, shares of a whole and yes/no are 0..1)."""
        if self.range is not None:
            return self.range[0], math.inf if self.range[1] is None else self.range[1]
        if self.rule in ("ratio", "yesno") or (self.input is not None and self.input.numerator):
            return 0.0, 1.0
        return 0.0, math.inf


class MainIndex(_Strict):
    code: str = Field(pattern=_CODE)
    name: str
    group: str
    points: float | None = Field(ge=0)  # required key; null = not in our sources
    component_count: int | None = Field(default=None, ge=0)
    components: list[Component] = []
    note: str = ""

    @property
    def scored(self) -> bool:
        """An index with 0 points (DTTM) is reported but weighs nothing."""
        return self.points != 0


class Pillar(_Strict):
    code: str = Field(pattern=_CODE)
    name: str
    indices: list[str] = Field(min_length=1)
    points: float | None = Field(default=None, ge=0)


class Total(_Strict):
    code: str = Field(pattern=_CODE)
    name: str
    points: float = Field(gt=0)
    basis: Literal["indices", "pillars"] = "indices"  # what the total is the weighted sum of


class Framework(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    decision: str = ""
    used_for: str = ""
    audience: list[str] = []  # unit kinds a city framework scores; empty for provincial frameworks
    groups: dict[str, str]
    total: Total
    indices: list[MainIndex] = Field(min_length=1)
    pillars: list[Pillar] = []
    sources: list[str] = []
    notes: list[str] = []

    # Lookups ---------------------------------------------------------------------------------
    def index(self, code: str) -> MainIndex:
        return next(i for i in self.indices if i.code == code)

    def components(self) -> list[Component]:
        return [c for i in self.indices for c in i.components]

    def codes(self, level: str) -> list[str]:
        if level == "component":
            return [c.code for c in self.components()]
        if level == "index":
            return [i.code for i in self.indices]
        if level == "pillar":
            return [p.code for p in self.pillars]
        return [self.total.code]

    def level_of(self, code: str) -> str | None:
        return next((lv for lv in LEVELS if code in self.codes(lv)), None)

    def pillar_points(self, pillar: Pillar) -> float | None:
        """Declared, or the sum of its indices' points when all are known."""
        if pillar.points is not None:
            return pillar.points
        points = [self.index(c).points for c in pillar.indices]
        return None if any(p is None for p in points) else float(sum(points))  # type: ignore[arg-type]

    def components_complete(self, index: MainIndex) -> bool:
        """True when the index's value can be computed from its components alone."""
        if not index.components or any(c.points is None for c in index.components):
            return False
        return index.points is None or math.isclose(sum(c.points for c in index.components), index.points)  # type: ignore[misc]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, abs_tol=1e-9)


def check(fw: Framework, path: Path) -> None:
    """Cross-checks a schema cannot express: unique codes, references, points that add up."""
    seen: dict[str, str] = {}
    keyed = [("total", fw.total.code, "total")]
    keyed += [(f"indices[{i.code}]", i.code, f"mục thứ {n} của indices") for n, i in enumerate(fw.indices, 1)]
    keyed += [(f"indices[{i.code}].components[{c.code}]", c.code, f"chỉ số thành phần của {i.code}")
              for i in fw.indices for c in i.components]
    keyed += [(f"pillars[{p.code}]", p.code, f"mục thứ {n} của pillars") for n, p in enumerate(fw.pillars, 1)]
    for key, code, where in keyed:
        if code in seen:
            raise ConfigError(path, key, f"mã '{code}' bị lặp ({where}; đã dùng ở {seen[code]})")
        seen[code] = where
    if path.stem != fw.id:
        raise ConfigError(path, "id", f"mã bộ chỉ số '{fw.id}' phải trùng tên tệp '{path.stem}'")
    for i in fw.indices:
        if i.group not in fw.groups:
            raise ConfigError(path, f"indices[{i.code}].group", f"nhóm '{i.group}' không có trong 'groups'")
        known = [c.points for c in i.components]
        if i.components and i.points is not None and None not in known and not _close(sum(known), i.points):  # type: ignore[arg-type]
            raise ConfigError(path, f"indices[{i.code}].components",
                              f"tổng điểm các chỉ số thành phần ({sum(known):g}) khác điểm của chỉ số chính ({i.points:g})")  # type: ignore[arg-type]
        for c in i.components:
            if c.rule == "step" and c.points is not None and not _close(max(s.points for s in c.steps or []), c.points):
                raise ConfigError(path, f"indices[{i.code}].components[{c.code}].steps",
                                  f"bậc cao nhất ({max(s.points for s in c.steps or []):g} điểm) khác điểm tối đa ({c.points:g})")
    index_codes = set(fw.codes("index"))
    for p in fw.pillars:
        unknown = [c for c in p.indices if c not in index_codes]
        if unknown:
            raise ConfigError(path, f"pillars[{p.code}].indices", f"chỉ số chính '{unknown[0]}' không có trong 'indices'")
        if len(set(p.indices)) != len(p.indices):
            raise ConfigError(path, f"pillars[{p.code}].indices", "một chỉ số chính được kê hai lần")
    if fw.total.basis == "indices":
        points = [i.points for i in fw.indices]
        if None not in points and not _close(sum(points), fw.total.points):  # type: ignore[arg-type]
            raise ConfigError(path, "total.points",
                              f"tổng điểm các chỉ số chính ({sum(points):g}) khác tổng điểm khai báo ({fw.total.points:g})")  # type: ignore[arg-type]
    else:
        if not fw.pillars:
            raise ConfigError(path, "total.basis", "tính theo trụ cột nhưng không khai báo 'pillars'")
        members = [c for p in fw.pillars for c in p.indices]
        if len(set(members)) != len(members):
            raise ConfigError(path, "total.basis", "tính theo trụ cột nhưng các trụ cột dùng chung chỉ số chính")
        points = [fw.pillar_points(p) for p in fw.pillars]
        if None not in points and not _close(sum(points), fw.total.points):  # type: ignore[arg-type]
            raise ConfigError(path, "total.points",
                              f"tổng điểm các trụ cột ({sum(points):g}) khác tổng điểm khai báo ({fw.total.points:g})")  # type: ignore[arg-type]
    for p in fw.pillars:
        summed = [fw.index(c).points for c in p.indices]
        if p.points is not None and None not in summed and not _close(sum(summed), p.points):  # type: ignore[arg-type]
            raise ConfigError(path, f"pillars[{p.code}].points",
                              f"điểm trụ cột ({p.points:g}) khác tổng điểm các chỉ số chính của nó ({sum(summed):g})")  # type: ignore[arg-type]


def load_file(path: Path) -> Framework:
    """Load and validate one framework file."""
    fw = load_model(Framework, path, "tệp bộ chỉ số")
    check(fw, path)
    return fw


def frameworks_dir(root: Path) -> Path:
    return root / "data" / "frameworks"


SAFE_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")  # a framework's id: a file name in data/frameworks, no folder


def city_framework_ids(root: Path, city: str) -> list[str]:
    """The city's own unit-index frameworks: ``index_frameworks`` in its city.yaml (``[]``: none).

    A city.yaml without the key keeps the older convention: the frameworks named ``<city>-dvi-*``.
    """
    from dxreport.domain.config import load_city

    declared = load_city(Path(root) / "data" / "cities" / city).index_frameworks
    if declared is not None:
        return list(declared)
    return [fid for fid in available(root) if fid.startswith(f"{city}-dvi-")]


def city_framework_files(root: Path, city: str) -> list[Path]:
    return [frameworks_dir(root) / f"{fid}.yaml" for fid in city_framework_ids(root, city)]


def available(root: Path) -> list[str]:
    return sorted(p.stem for p in frameworks_dir(root).glob("*.yaml") if SAFE_ID.fullmatch(p.stem))


@lru_cache(maxsize=32)
def load(framework_id: str, root: Path) -> Framework:
    """The framework ``framework_id`` (e.g. ``dti-2022``) from ``data/frameworks``."""
    # Looked up among the files, never made into a path from what was typed ('../cities/x/indicators' loaded that file).
    known = available(root)
    if not SAFE_ID.fullmatch(framework_id) or framework_id not in known:
        raise ConfigError(frameworks_dir(root), None, f"không có bộ chỉ số '{framework_id}' (hiện có: {', '.join(known)})")
    return load_file(frameworks_dir(root) / f"{framework_id}.yaml")


def city_frameworks(root: Path, city: str) -> list[Framework]:
    """The city's own frameworks (``index_frameworks`` in its city.yaml, with an audience), departments first."""
    found = [load(fid, root) for fid in city_framework_ids(root, city)]
    found = [fw for fw in found if fw.audience]
    return sorted(found, key=lambda fw: ("department" not in fw.audience, fw.id))
