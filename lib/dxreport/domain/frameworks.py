"""Frameworks (bộ chỉ số) as data: ``data/frameworks/<id>.yaml``, validated when loaded.

A framework has main indices (chỉ số chính) with points, optional component
indicators (chỉ số thành phần) with scoring rules, pillars (trụ cột) that are
views over main indices, and a total. Points our sources do not give are
``null`` (unknown) and stay unknown: :mod:`dxreport.compute.scoring` refuses to weight
by them instead of guessing. A file whose codes, references or points do not
hold together fails here, naming the file and the key.

The language also speaks as cities write their own indices:

- points on any scale (100, 330, 1,000…); the total is reported as a 0–1 value
  (4 decimals, the DTI's way) or as a sum of points (``total.report_as: points``,
  2 decimals), the 0–1 value always derived (points ÷ maximum);
- codes as cities number them (``4.22.1``, ``T.1``) beside letter codes, and
  components nested in groups to any depth (``components`` of a component);
  a group's points are the sum of its items';
- bands (xếp loại) with a name and the points from which each starts;
- bonus and penalty items (điểm thưởng, điểm trừ), each sum capped (``cap``);
- items assessed rather than reported (``input: {assessed: self}`` — the unit
  self-assesses and the office verifies; ``assessed: office`` — the office
  alone), entered on an assessment sheet (:mod:`dxreport.intake.assessment`);
  ``evidence_required`` makes an item without evidence score 0 at verification;
- ``sample_points`` / ``sample_bands`` mark points and thresholds that the
  decision does not publish and this project made up (shown as such).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Iterator, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

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
    "points": "chấm điểm trực tiếp",
}
# Letter codes (NTS, DVC_HS), optionally numbered (T.1), or codes as cities number their items (4.22.1).
_CODE = r"^(?:[A-Z][A-Z0-9_]*(?:\.[0-9]+)*|[0-9]+(?:\.[0-9]+)*)$"
ASSESSED_LABELS = {"self": "đơn vị tự đánh giá, cơ quan thẩm định", "office": "cơ quan chuyên môn đánh giá"}


def _code_as_text(value: object) -> object:
    """YAML reads ``code: 4.22`` as the number 4.22 (and ``4.20`` as 4.2): say how to write it instead of guessing."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"mã '{value}' được YAML đọc thành số; hãy đặt mã trong ngoặc kép, ví dụ code: \"{value}\"")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Code = Annotated[str, BeforeValidator(_code_as_text), Field(pattern=_CODE)]


class Step(_Strict):
    at_least: float
    points: float = Field(ge=0)


class Input(_Strict):
    """Where a component's measured value comes from: the city's indicators (a value, or numerator ÷
    denominator), or an assessment sheet (``assessed``: ``self`` — the unit self-assesses, the office
    verifies; ``office`` — the office assesses)."""

    indicator: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    assessed: Literal["self", "office"] | None = None

    @model_validator(mode="after")
    def _one_way(self) -> "Input":
        ways = [bool(self.indicator), bool(self.numerator or self.denominator), bool(self.assessed)]
        if sum(ways) != 1 or (ways[1] and not (self.numerator and self.denominator)):
            raise ValueError("cần đúng một cách: 'indicator', hoặc cả 'numerator' và 'denominator', hoặc 'assessed'")
        return self

    def indicators(self) -> list[str]:
        return [c for c in (self.indicator, self.numerator, self.denominator) if c]


class Component(_Strict):
    """A component indicator and its scoring rule; ``points`` is its maximum.

    A component with ``components`` of its own is a group (4.22 holding 4.22.1–4.22.11): it has no
    rule or input, and its points are the sum of its items'. Items nest to any depth.
    """

    code: Code
    name: str
    points: float | None = Field(default=None, ge=0)
    rule: Literal["ratio", "step", "yesno", "threshold", "linear", "points"] | None = None
    components: list["Component"] = []
    evidence_required: bool = False  # at verification, an item without evidence scores 0
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
        if self.components:
            if self.rule is not None or self.input is not None:
                raise ValueError("nhóm có 'components' không có 'rule' hay 'input' riêng: điểm của nhóm là tổng điểm các mục")
            return self
        if self.rule is None:
            raise ValueError("thiếu khóa bắt buộc 'rule' (hoặc 'components' nếu đây là một nhóm)")
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
        """The measured values this component accepts (ratios, shares of a whole and yes/no are 0..1; points up to its maximum)."""
        if self.range is not None:
            return self.range[0], math.inf if self.range[1] is None else self.range[1]
        if self.rule in ("ratio", "yesno") or (self.input is not None and self.input.numerator):
            return 0.0, 1.0
        if self.rule == "points":
            return 0.0, math.inf if self.points is None else self.points
        return 0.0, math.inf

    @property
    def is_group(self) -> bool:
        return bool(self.components)

    @property
    def assessed(self) -> str | None:
        """``self`` or ``office`` for an item entered on the assessment sheet; ``None`` for one computed from reports."""
        return self.input.assessed if self.input is not None else None

    def leaves(self) -> list["Component"]:
        """The scored items under this one (itself when it is not a group), in order."""
        return [leaf for c in self.components for leaf in c.leaves()] if self.components else [self]

    def walk(self, depth: int = 0) -> Iterator[tuple[int, "Component"]]:
        """This component and every item under it, with its depth (0 for this one)."""
        yield depth, self
        for c in self.components:
            yield from c.walk(depth + 1)


class MainIndex(_Strict):
    code: Code
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
    code: Code
    name: str
    indices: list[str] = Field(min_length=1)
    points: float | None = Field(default=None, ge=0)


class Total(_Strict):
    code: Code
    name: str
    points: float = Field(gt=0)
    basis: Literal["indices", "pillars"] = "indices"  # what the total is the weighted sum of
    report_as: Literal["value", "points"] = "value"  # 0–1 value (4 decimals) or sum of points (2 decimals)
    decimals: int | None = Field(default=None, ge=0, le=6)  # default: 4 for a value, 2 for points

    @property
    def shown_decimals(self) -> int:
        return self.decimals if self.decimals is not None else (2 if self.report_as == "points" else 4)


class Band(_Strict):
    """A band (xếp loại): its name and the points (on the total's scale) from which it starts."""

    name: str = Field(min_length=1)
    at_least: float = Field(ge=0)


class Adjustment(_Strict):
    """Bonus (điểm thưởng) or penalty (điểm trừ) items; their sum counts up to ``cap`` points."""

    code: Code
    name: str
    cap: float = Field(gt=0)
    items: list[Component] = Field(min_length=1)


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
    bands: list[Band] = []
    bonus: Adjustment | None = None
    penalty: Adjustment | None = None
    sample_points: bool = False  # points not published by the decision: the project's sample
    sample_bands: bool = False  # band thresholds not published: the project's sample
    sources: list[str] = []
    notes: list[str] = []

    # Lookups ---------------------------------------------------------------------------------
    def index(self, code: str) -> MainIndex:
        return next(i for i in self.indices if i.code == code)

    def components(self) -> list[Component]:
        """The scored items of the main indices (leaves: a group's items, not the group), in order."""
        return [leaf for i in self.indices for c in i.components for leaf in c.leaves()]

    def adjustments(self) -> list[Adjustment]:
        return [a for a in (self.bonus, self.penalty) if a is not None]

    def adjustment_items(self) -> list[Component]:
        return [c for a in self.adjustments() for c in a.items]

    def leaves(self) -> list[Component]:
        """Every item that takes a value: the main indices' items, then the bonus and penalty items."""
        return self.components() + self.adjustment_items()

    def item(self, code: str) -> Component:
        """Any component by code: a leaf, a group, or a bonus or penalty item."""
        for i in self.indices:
            for c in i.components:
                for _, node in c.walk():
                    if node.code == code:
                        return node
        return next(c for c in self.adjustment_items() if c.code == code)

    def index_of(self, code: str) -> MainIndex | Adjustment:
        """The main index (or bonus/penalty block) an item belongs to."""
        for i in self.indices:
            if any(node.code == code for c in i.components for _, node in c.walk()):
                return i
        return next(a for a in self.adjustments() if any(c.code == code for c in a.items))

    def assessed_items(self) -> list[Component]:
        """The items entered on an assessment sheet (self-assessed or assessed by the office), in order."""
        return [c for c in self.leaves() if c.assessed]

    def band_of(self, points: float | None) -> Band | None:
        """The band a total (in points) falls in; ``None`` without bands or without a total."""
        if points is None or (isinstance(points, float) and math.isnan(points)) or not self.bands:
            return None
        reached = [b for b in self.bands if points >= b.at_least - 1e-9]
        return reached[-1] if reached else self.bands[0]

    def codes(self, level: str) -> list[str]:
        if level == "component":
            return [c.code for c in self.leaves()]
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
        leaves = [leaf for c in index.components for leaf in c.leaves()]
        if not leaves or any(c.points is None for c in leaves):
            return False
        return index.points is None or math.isclose(sum(c.points for c in leaves), index.points)  # type: ignore[misc]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, abs_tol=1e-9)


def _nodes(fw: Framework) -> list[tuple[str, Component, str]]:
    """Every component with its key in the file and where it sits, in file order."""
    out: list[tuple[str, Component, str]] = []

    def visit(c: Component, key: str, where: str) -> None:
        out.append((key, c, where))
        for sub in c.components:
            visit(sub, f"{key}.components[{sub.code}]", f"mục của {c.code}")

    for i in fw.indices:
        for c in i.components:
            visit(c, f"indices[{i.code}].components[{c.code}]", f"chỉ số thành phần của {i.code}")
    for a, name in ((fw.bonus, "bonus"), (fw.penalty, "penalty")):
        for c in a.items if a else []:
            visit(c, f"{name}.items[{c.code}]", f"mục của {name}")
    return out


def _check_component(c: Component, key: str, path: Path) -> None:
    if c.components:
        known = [s.points for s in c.components]
        if c.points is not None and None not in known and not _close(sum(known), c.points):  # type: ignore[arg-type]
            raise ConfigError(path, f"{key}.components",
                              f"tổng điểm các mục của nhóm {c.code} ({sum(known):g}) khác điểm của nhóm ({c.points:g})")  # type: ignore[arg-type]
    if c.rule == "step" and c.points is not None and not _close(max(s.points for s in c.steps or []), c.points):
        raise ConfigError(path, f"{key}.steps", f"bậc cao nhất ({max(s.points for s in c.steps or []):g} điểm) khác điểm tối đa ({c.points:g})")


def _check_bands(fw: Framework, path: Path) -> None:
    if not fw.bands:
        return
    names: set[str] = set()
    previous: Band | None = None
    for n, b in enumerate(fw.bands):
        key = f"bands[{b.name}]"
        if b.name in names:
            raise ConfigError(path, f"{key}.name", f"xếp loại '{b.name}' bị lặp")
        names.add(b.name)
        if n == 0 and not _close(b.at_least, 0):
            raise ConfigError(path, f"{key}.at_least",
                              f"xếp loại thấp nhất ('{b.name}') phải bắt đầu từ 0 điểm, tệp ghi {b.at_least:g}; "
                              "các xếp loại kê từ thấp đến cao, mỗi loại ghi số điểm bắt đầu của nó")
        if previous is not None and b.at_least <= previous.at_least:
            raise ConfigError(path, f"{key}.at_least",
                              f"ngưỡng của xếp loại '{b.name}' ({b.at_least:g} điểm) phải lớn hơn ngưỡng của xếp loại "
                              f"đứng trước '{previous.name}' ({previous.at_least:g} điểm); các xếp loại kê từ thấp đến cao")
        if b.at_least > fw.total.points:
            raise ConfigError(path, f"{key}.at_least",
                              f"ngưỡng của xếp loại '{b.name}' ({b.at_least:g} điểm) vượt tổng điểm tối đa ({fw.total.points:g})")
        previous = b


def _check_adjustments(fw: Framework, path: Path) -> None:
    for a, name in ((fw.bonus, "bonus"), (fw.penalty, "penalty")):
        if a is None:
            continue
        if fw.total.basis != "indices":
            raise ConfigError(path, name, "điểm thưởng, điểm trừ chỉ dùng được khi tổng điểm tính theo chỉ số chính (basis: indices)")
        if a.cap > fw.total.points:
            raise ConfigError(path, f"{name}.cap", f"mức trần {a.cap:g} điểm vượt tổng điểm tối đa ({fw.total.points:g})")
        for c in a.items:
            if c.points is None:
                raise ConfigError(path, f"{name}.items[{c.code}].points", "mục điểm thưởng, điểm trừ phải ghi số điểm")
            if c.points > a.cap:
                raise ConfigError(path, f"{name}.items[{c.code}].points",
                                  f"điểm của mục ({c.points:g}) vượt mức trần của {a.name.lower()} ({a.cap:g} điểm)")


def check(fw: Framework, path: Path) -> None:
    """Cross-checks a schema cannot express: unique codes, references, points that add up, bands, caps."""
    seen: dict[str, str] = {}
    keyed = [("total", fw.total.code, "total")]
    keyed += [(f"indices[{i.code}]", i.code, f"mục thứ {n} của indices") for n, i in enumerate(fw.indices, 1)]
    keyed += [(key, c.code, where) for key, c, where in _nodes(fw)]
    keyed += [(f"pillars[{p.code}]", p.code, f"mục thứ {n} của pillars") for n, p in enumerate(fw.pillars, 1)]
    keyed += [(name, a.code, name) for a, name in ((fw.bonus, "bonus"), (fw.penalty, "penalty")) if a is not None]
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
    for key, c, _ in _nodes(fw):
        _check_component(c, key, path)
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
    _check_bands(fw, path)
    _check_adjustments(fw, path)
    if fw.sample_bands and not fw.bands:
        raise ConfigError(path, "sample_bands", "đánh dấu ngưỡng xếp loại là mẫu nhưng không khai báo 'bands'")


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


def for_city_dir(city_dir: Path) -> list[Framework]:
    """The index frameworks of the city configured in ``city_dir`` (its ``city.yaml``), wherever that folder is.

    ``[]`` outside a project (no ``data/frameworks`` to look them up in). Frameworks are looked up among the
    project's files by id, as :func:`load` does.
    """
    from dxreport.domain.config import load_city
    from dxreport.domain.paths import find_root

    city = load_city(Path(city_dir))
    try:
        root = find_root(city_dir)
    except FileNotFoundError:
        return []
    if not frameworks_dir(root).is_dir():
        return []
    ids = city.index_frameworks if city.index_frameworks is not None else [
        fid for fid in available(root) if fid.startswith(f"{city.code}-dvi-")]
    found = [fw for fw in (load(fid, root) for fid in ids) if fw.audience]
    return sorted(found, key=lambda fw: ("department" not in fw.audience, fw.id))
