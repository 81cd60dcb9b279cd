"""City configuration under ``data/cities/<code>/``: the city, its indicators and its programme.

Loaded through pydantic models so a wrong key or value is an error naming the
file and the key, before anything is computed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from dxreport.domain.errors import ConfigError
from dxreport.domain.periods import CutoffRule
from dxreport.domain.tasks import Task, TaskFile, TaskGroup, check_tasks

Pillar = Literal["CQS", "KTS", "XHS"]
PILLAR_NAMES: dict[str, str] = {"CQS": "Chính quyền số", "KTS": "Kinh tế số", "XHS": "Xã hội số"}


def nfc(value: Any) -> Any:
    """NFC-normalise every string in a nested structure (YAML typed on any keyboard)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cutoff(_Strict):
    start_day: int = 15
    months_before: int = 1

    def rule(self) -> CutoffRule:
        return CutoffRule(self.start_day, self.months_before)


class JumpRule(_Strict):
    """When a change since the previous period is worth an analyst's look (``jumps`` in city.yaml).

    One rule for the data-quality report, section IV of the city report and every scorecard.
    Counts: the absolute change is at least ``min_absolute`` and the relative change exceeds
    ``relative`` (any change of at least ``min_absolute`` from zero counts). Shares (0..1),
    and the ratio of each count to the count it cannot exceed (``not_above`` in
    indicators.yaml): the change exceeds ``share_points``. Index values (0..1): the change
    exceeds ``index_points``. Yes/no answers: a fall from 1 to 0 when ``yesno_drop`` (a
    unit that had a DX focal point now reports none), any change when ``yesno_any``.
    """

    relative: float = Field(default=0.5, gt=0)
    min_absolute: float = Field(default=10, ge=0)
    share_points: float = Field(default=0.3, gt=0, le=1)
    index_points: float = Field(default=0.1, gt=0, le=1)
    yesno_drop: bool = True
    yesno_any: bool = False


LOCALITY_WORDS = {"city": "thành phố", "province": "tỉnh"}  # how a report names its own locality in a sentence


def _project_path(value: str | None) -> str | None:
    """A folder or file inside the project: relative, without '..'."""
    if value is None:
        return None
    p = Path(value)
    if not value or p.is_absolute() or ".." in p.parts:
        raise ValueError("đường dẫn phải nằm trong thư mục dự án (tương đối, không có '..')")
    return value


class MailServer(_Strict):
    """The office's SMTP server; the password only from the environment variable named here."""

    host: str
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    user: str = ""
    password_env: str = "DXREPORT_SMTP_PASSWORD"


class Mailbox(_Strict):
    name: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")


class CycleSettings(_Strict):
    """``cycle`` in city.yaml: what ``dxreport cycle`` does each day (reminders, builds, mail)."""

    remind_before_days: list[int] = [7, 2]  # reminders this many days before the deadline…
    remind_after_days: list[int] = [1, 5]  # …and after it, to units that have not sent
    sender: Mailbox  # From: of every message
    office: Mailbox  # who gets the summary of each build
    mail: MailServer
    contacts: str = "contacts.csv"  # beside units.csv: unit,email

    @field_validator("remind_before_days", "remind_after_days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 60 for d in value):
            raise ValueError("số ngày nhắc phải từ 0 đến 60")
        return value


class City(_Strict):
    """``data/cities/<code>/city.yaml``: the city or province, its issuing body and where its data live."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: Literal["city", "province"] = "city"  # thành phố trực thuộc trung ương, or tỉnh
    name: str
    short_name: str
    place: str
    issuing_body_parent: str
    issuing_body: str
    issuing_body_short: str
    issuing_body_name: str = ""  # the body's name as running text writes it ("Sở Khoa học và Công nghệ"); else issuing_body
    signer_title: str
    signer_name: str = ""
    steering_body: str = ""  # the steering committee (Ban Chỉ đạo) the report goes to
    recipients: list[str] = []  # Nơi nhận, in order; "Lưu: VT, <issuing_body_short>" is added when absent
    cutoff: Cutoff = Cutoff()
    submission_deadline_days: int = Field(default=5, ge=0, le=60)
    jumps: JumpRule = JumpRule()
    first_period: str | None = None  # the first period units report for; earlier ones are "not started"
    submissions: str | None = None  # folder of the units' files, relative to the project
    database: str | None = None  # the store (DuckDB file), relative to the project
    sample_data: bool | None = None  # True: the submissions are generated, every report is marked DỮ LIỆU MẪU
    index_frameworks: list[str] | None = None  # ids of the city's own unit-index frameworks in data/frameworks
    cycle: CycleSettings | None = None  # the daily cycle (dxreport cycle): reminders, builds, mail

    @field_validator("submissions", "database")
    @classmethod
    def _inside(cls, value: str | None) -> str | None:
        return _project_path(value)

    @field_validator("index_frameworks")
    @classmethod
    def _framework_ids(cls, value: list[str] | None) -> list[str] | None:
        for fid in value or []:
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", fid):
                raise ValueError(f"mã bộ chỉ số '{fid}' không hợp lệ: tên tệp trong data/frameworks, không có đuôi .yaml")
        return value

    @field_validator("first_period")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        from dxreport.domain.periods import Period, PeriodError

        if value is None:
            return None
        try:
            return Period.parse(value).id
        except PeriodError as e:
            raise ValueError(str(e)) from None

    @property
    def locality(self) -> str:
        """``thành phố`` or ``tỉnh``, as a sentence names the city itself."""
        return LOCALITY_WORDS[self.kind]

    def recipient_lines(self) -> list[str]:
        """Nơi nhận as configured; a generic list from the city's own names when none is."""
        lines = list(self.recipients) or [
            *([f"{self.steering_body} (để báo cáo)"] if self.steering_body else []),
            "Bộ Khoa học và Công nghệ (để báo cáo)",
            f"Chủ tịch, các Phó Chủ tịch {self.issuing_body_parent}",
        ]
        if not any(line.strip().startswith("Lưu") for line in lines):
            lines.append(f"Lưu: VT, {self.issuing_body_short}")
        return lines


class Indicator(_Strict):
    code: str = Field(pattern=r"^[A-Z0-9_]+$")
    name: str
    unit_of_measure: str
    kind: Literal["count", "share", "yesno", "index"]  # index: a value from 0 to 1 shown to 4 decimals, not as a %
    reported_by: list[str]
    not_above: str | None = None
    short_name: str = ""  # what one of it is called in a sentence ("hồ sơ trực tuyến"); the unit of measure if empty


class Measure(_Strict):
    kind: Literal["value", "ratio", "share_of_units"]
    indicator: str | None = None
    numerator: str | None = None
    denominator: str | None = None

    @model_validator(mode="after")
    def _fields_for_kind(self) -> "Measure":
        if self.kind == "ratio" and not (self.numerator and self.denominator):
            raise ValueError("cách tính 'ratio' cần 'numerator' và 'denominator'")
        if self.kind != "ratio" and not self.indicator:
            raise ValueError(f"cách tính '{self.kind}' cần 'indicator'")
        return self

    def indicators(self) -> list[str]:
        return [c for c in (self.indicator, self.numerator, self.denominator) if c]


class Baseline(_Strict):
    value: float
    date: date
    note: str = ""


class Source(_Strict):
    document: str
    issued: str = ""
    note: str = ""


class Target(_Strict):
    code: str
    name: str
    pillar: Pillar
    group: str | None = None  # the plan's group (programme ``groups``); the pillar when the plan has none
    supersedes: str | None = None  # an earlier target for the same measure that this one replaces
    measure: Measure
    unit_of_measure: str
    baseline: Baseline
    target: float
    deadline: date
    direction: Literal["increase", "decrease"] = "increase"
    responsible: str
    source: Source

    @model_validator(mode="after")
    def _consistent(self) -> "Target":
        if self.deadline <= self.baseline.date:
            raise ValueError("hạn hoàn thành phải sau ngày của giá trị cơ sở")
        if self.target == self.baseline.value:
            raise ValueError("giá trị mục tiêu trùng giá trị cơ sở")
        from dxreport.domain.fmt import number_auto

        target, baseline = number_auto(self.target, 6), number_auto(self.baseline.value, 6)
        if self.direction == "increase" and self.target < self.baseline.value:
            raise ValueError(f"mục tiêu ({target}) thấp hơn giá trị cơ sở ({baseline}) mà chỉ tiêu cần tăng "
                             "(direction: increase); kiểm tra lại số liệu, hoặc ghi direction: decrease")
        if self.direction == "decrease" and self.target > self.baseline.value:
            raise ValueError(f"mục tiêu ({target}) cao hơn giá trị cơ sở ({baseline}) mà chỉ tiêu cần giảm "
                             "(direction: decrease); kiểm tra lại số liệu, hoặc ghi direction: increase")
        return self


class PlanDocument(_Strict):
    """A document the programme implements, as a report's opening cites it ("Thực hiện Kế hoạch số …")."""

    document: str  # số/ký hiệu: "Kế hoạch số 21/KH-UBND"
    issued: str = ""  # "09/2025" or a date as written
    issuer: str = ""  # "Ủy ban nhân dân thành phố"
    about: str = ""  # trích yếu: "về chuyển đổi số …"

    def citation(self) -> str:
        parts = [self.document]
        if self.issued:
            parts.append(("ngày " if self.issued.count("/") == 2 else "tháng " if "/" in self.issued else "năm ") + self.issued)
        if self.issuer:
            parts.append("của " + self.issuer)
        if self.about:
            parts.append(self.about)
        return " ".join(parts)


class TargetGroup(_Strict):
    """A group of targets as the plan groups them (dữ liệu số, chính quyền số, hạ tầng số…), in the plan's order."""

    code: str
    name: str


class Programme(_Strict):
    code: str
    name: str
    groups: list[TargetGroup] = []
    basis: list[PlanDocument] = []  # what the report's opening cites
    targets: list[Target]
    task_groups: list[TaskGroup] = []  # how the plan groups its tasks; else tasks use ``groups``
    tasks: list[Task] = []  # nhiệm vụ (domain.tasks); or in tasks.yaml beside this file

    @model_validator(mode="after")
    def _groups_and_chains(self) -> "Programme":
        codes = {g.code for g in self.groups}
        if len(codes) != len(self.groups):
            raise ValueError("mã nhóm chỉ tiêu bị lặp trong 'groups'")
        targets = {t.code: t for t in self.targets}
        for t in self.targets:
            if self.groups and t.group is None:
                raise ValueError(f"chỉ tiêu '{t.code}' thiếu 'group' (kế hoạch có chia nhóm: {', '.join(sorted(codes))})")
            if t.group is not None and t.group not in codes:
                raise ValueError(f"chỉ tiêu '{t.code}': nhóm '{t.group}' không có trong 'groups'")
            if t.supersedes is not None:
                old = targets.get(t.supersedes)
                if old is None:
                    raise ValueError(f"chỉ tiêu '{t.code}' thay thế '{t.supersedes}', chỉ tiêu này không có trong kế hoạch")
                if old.deadline >= t.deadline:
                    raise ValueError(f"chỉ tiêu '{t.code}' thay thế '{t.supersedes}' nên phải có hạn sau hạn của '{t.supersedes}'")
        wrong = check_tasks(self.tasks, self.task_group_codes())
        if wrong:
            raise ValueError(wrong)
        return self

    def task_group_codes(self) -> set[str]:
        return {g.code for g in (self.task_groups or self.groups)}

    def task_group_names(self) -> dict[str, str]:
        """Task group code → name in the plan's order (``task_groups``, else the targets' ``groups``)."""
        return {g.code: g.name for g in (self.task_groups or self.groups)}

    def group_names(self) -> dict[str, str]:
        """Group code → name in the plan's order; the three pillars when the plan does not group its targets."""
        if self.groups:
            return {g.code: g.name for g in self.groups}
        used = {t.pillar for t in self.targets}
        return {code: name for code, name in PILLAR_NAMES.items() if code in used}

    def group_of(self, target: "Target") -> str:
        return target.group if self.groups and target.group else target.pillar

    def successor_of(self) -> dict[str, str]:
        """Superseded target code → the code of the target that replaces it."""
        return {t.supersedes: t.code for t in self.targets if t.supersedes}

    @field_validator("targets")
    @classmethod
    def _unique(cls, targets: list[Target]) -> list[Target]:
        seen: set[str] = set()
        for t in targets:
            if t.code in seen:
                raise ValueError(f"mã chỉ tiêu '{t.code}' bị lặp")
            seen.add(t.code)
        return targets


class IndicatorSet(_Strict):
    indicators: list[Indicator]


# libyaml's loader when PyYAML was built with it: the same safe subset, parsed 6–8 times faster
# (programme.yaml: 36 ms against 6 ms), and every report reads the city's configuration.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return nfc(yaml.load(f, Loader=_YAML_LOADER))
    except FileNotFoundError:
        raise ConfigError(path, None, "không tìm thấy tệp") from None
    except IsADirectoryError:
        raise ConfigError(path, None, "đây là một thư mục, cần chỉ đến một tệp .yaml") from None
    except PermissionError:
        raise ConfigError(path, None, "không có quyền đọc tệp") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        raise ConfigError(path, None, f"không đọc được YAML{where}: {getattr(e, 'problem', e)}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, None, "tệp không ở mã UTF-8") from None


_SEGMENT = re.compile(r"^([^\[\]]*)((?:\[[^\]]*\])*)$")


def yaml_line(path: Path, key: str) -> int | None:
    """1-based line where ``key`` (``targets[CT01].baseline``, items named by code or position) is written.

    The deepest part of the key found gives the line; None when the file cannot be read or nothing matches.
    """
    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    node, line = root, None
    for part in key.split("."):
        m = _SEGMENT.match(part.strip())
        if not m or node is None:
            break
        name, items = m.group(1), re.findall(r"\[([^\]]*)\]", m.group(2))
        if name:
            if not isinstance(node, yaml.MappingNode):
                break
            found = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == name), None)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        for item in items:
            if not isinstance(node, yaml.SequenceNode):
                node = None
                break
            pick = None
            for n, child in enumerate(node.value):
                named = {k.value: v.value for k, v in getattr(child, "value", []) if isinstance(child, yaml.MappingNode)
                         and isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}
                code = named.get("code", named.get("name"))  # items named by code, or by name (bands)
                if item == code or (code is None and item == str(n)) or (item.isdigit() and int(item) == n and code is None):
                    pick = child
                    break
                if isinstance(child, yaml.ScalarNode) and child.value == item:
                    pick = child
                    break
            if pick is None:
                node = None
                break
            line, node = pick.start_mark.line + 1, pick
    return line


def _key(loc: tuple[Any, ...], data: Any) -> str:
    """Turn pydantic's location into a readable key, naming list items by their code (or name)."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list):
            item = node[step] if step < len(node) else None
            code = (item.get("code") or item.get("name")) if isinstance(item, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{code or step}]"]
            node = item
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)


_MESSAGES = {
    "extra_forbidden": "khóa không được hỗ trợ",
    "missing": "thiếu khóa bắt buộc",
    "literal_error": "giá trị không hợp lệ",
    "string_type": "phải là chuỗi ký tự",
    "float_parsing": "phải là số",
    "int_parsing": "phải là số nguyên",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "bool_parsing": "phải là true hoặc false",
}


# pydantic's messages that take a value from the rule (its "ctx"), in Vietnamese.
_MESSAGES_WITH = {
    "string_pattern_mismatch": lambda c: f"chỉ được gồm chữ thường không dấu, chữ số, '-' và '_' (mẫu {c.get('pattern')})",
    "greater_than": lambda c: f"phải lớn hơn {_num(c.get('gt'))}",
    "greater_than_equal": lambda c: f"phải lớn hơn hoặc bằng {_num(c.get('ge'))}",
    "less_than": lambda c: f"phải nhỏ hơn {_num(c.get('lt'))}",
    "less_than_equal": lambda c: f"phải nhỏ hơn hoặc bằng {_num(c.get('le'))}",
    "string_too_short": lambda c: f"phải có ít nhất {c.get('min_length')} ký tự",
    "string_too_long": lambda c: f"chỉ được có tối đa {c.get('max_length')} ký tự",
    "too_short": lambda c: f"phải có ít nhất {c.get('min_length')} phần tử",
    "too_long": lambda c: f"chỉ được có tối đa {c.get('max_length')} phần tử",
}
_MESSAGES.update({
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên (không có phần thập phân)",
    "float_type": "phải là số",
    "bool_type": "phải là true hoặc false",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "dict_type": "phải là một bảng khóa: giá trị",
    "model_type": "phải là một bảng khóa: giá trị",
    "model_attributes_type": "phải là một bảng khóa: giá trị",
    "list_type": "phải là một danh sách",
    "date_from_datetime_inexact": "phải là ngày dạng YYYY-MM-DD, không kèm giờ",
    "enum": "giá trị không hợp lệ",
})


def _num(value: Any) -> str:
    from dxreport.domain import fmt

    return fmt.number_auto(value, 4) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _message(error: dict) -> str:
    kind = error["type"]
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind in _MESSAGES_WITH:
        return _MESSAGES_WITH[kind](error.get("ctx") or {})
    if kind in ("value_error", "assertion_error"):  # our validators' own (Vietnamese) words
        return error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"giá trị không hợp lệ ({kind})"


def validation_error(path: Path, error: ValidationError, data: Any) -> ConfigError:
    first = error.errors()[0]
    message = _message(first)
    if first["type"] == "literal_error":
        message += f" ({first.get('input')!r}; được phép: {first['ctx']['expected']})"
    return ConfigError(path, _key(tuple(first["loc"]), data) or None, message)


def load_model(model: type[BaseModel], path: Path, what: str = "tệp cấu hình") -> Any:
    """A YAML file validated against ``model``; any problem names the file and the key."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(path, None, f"{what} phải là một bảng khóa: giá trị YAML")
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise validation_error(path, e, data) from None


def read_table(path: Path, columns: list[str]) -> Any:
    """A configuration CSV (UTF-8, BOM tolerated) as text, NFC, with exactly ``columns`` in that order."""
    import pandas as pd

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(path, None, "không tìm thấy tệp") from None
    except IsADirectoryError:
        raise ConfigError(path, None, "đây là một thư mục, cần chỉ đến một tệp .csv") from None
    except UnicodeDecodeError:
        raise ConfigError(path, None, "tệp không ở mã UTF-8") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(path, missing[0], "thiếu cột")
    return df[columns].apply(lambda col: col.map(lambda v: nfc(v).strip()))


@lru_cache(maxsize=16)
def load_city(city_dir: Path) -> City:
    return load_model(City, city_dir / "city.yaml")


@lru_cache(maxsize=16)
def load_indicators(city_dir: Path) -> dict[str, Indicator]:
    path = city_dir / "indicators.yaml"
    items = load_model(IndicatorSet, path).indicators
    by_code = {i.code: i for i in items}
    if len(by_code) != len(items):
        raise ConfigError(path, "indicators", "có mã chỉ số bị lặp")
    for i in items:
        if i.not_above and i.not_above not in by_code:
            raise ConfigError(path, f"indicators[{i.code}].not_above", f"chỉ số '{i.not_above}' không có trong danh mục")
    return by_code


TASKS_FILE = "tasks.yaml"


def _with_task_file(programme: Programme, path: Path, task_path: Path) -> Programme:
    """The programme with the tasks of ``tasks.yaml``; errors name that file and its key."""
    if not task_path.is_file():
        return programme
    task_file = load_model(TaskFile, task_path, "tệp nhiệm vụ")
    if programme.tasks:
        raise ConfigError(task_path, "tasks", f"nhiệm vụ đã được khai báo trong {path.name}; chỉ khai báo ở một tệp")
    groups = task_file.task_groups or programme.task_groups or programme.groups
    wrong = check_tasks(task_file.tasks, {g.code for g in groups})
    if wrong:
        code = wrong.split("'")[1]
        raise ConfigError(task_path, f"tasks[{code}]", wrong)
    return programme.model_copy(update={"tasks": task_file.tasks, "task_groups": task_file.task_groups or programme.task_groups})


@lru_cache(maxsize=16)
def load_programme(city_dir: Path) -> Programme:
    path = city_dir / "programme.yaml"
    programme = _with_task_file(load_model(Programme, path), path, city_dir / TASKS_FILE)
    indicators = load_indicators(city_dir)
    for t in programme.targets:
        for code in t.measure.indicators():
            if code not in indicators:
                raise ConfigError(path, f"targets[{t.code}].measure", f"chỉ số '{code}' không có trong indicators.yaml")
    return programme
