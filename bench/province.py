"""A generated test city of 200 units (30 departments, 170 wards and communes), made from the sample city's files.

It is the sample city's configuration (indicators, programme, index frameworks, sample rules) with a longer
list of units: the sample city's own departments, then generated ones up to ``departments``, and ``wards``
wards and communes named by number. ``make(project)`` writes ``data/cities/<code>/`` and a parameters file into a
project copy; ``dxreport sample --city <code>`` then writes the workbooks and assessment sheets, as for any
city. Nothing here is a real place: the city is "Tỉnh Thử Nghiệm" and every figure is generated (DỮ LIỆU MẪU).

Used by ``tests/test_province.py`` (one end-to-end quarter) and ``bench/run.py`` (``province_s``).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import yaml

CODE = "thunghiem"
NAME = "Tỉnh Thử Nghiệm"
PLACE = "Thử Nghiệm"
PERIOD = "2026-Q3"
PERIODS = "2025-Q3:2026-Q3"  # five quarters: the previous quarter, the projection's history and a year back


def _units(sample_units: list[dict[str, str]], departments: int, wards: int) -> list[dict[str, str]]:
    """The city itself, the sample's departments then numbered ones, then numbered wards (2 of 3) and communes."""
    city = next(u for u in sample_units if u["kind"] == "city")
    own = [u for u in sample_units if u["kind"] == "department"][:departments]
    rows = [{**city, "code": "TN", "name": NAME}]
    rows += [{**u, "parent": "TN"} for u in own]
    rows += [{"code": f"S{k:02d}", "name": f"Sở Thử nghiệm số {k}", "kind": "department", "parent": "TN",
              "valid_from": "", "valid_to": ""} for k in range(len(own) + 1, departments + 1)]
    for k in range(1, wards + 1):
        ward = k % 3 != 0
        rows.append({"code": f"{'P' if ward else 'X'}-{k:03d}", "name": f"{'Phường' if ward else 'Xã'} Thử nghiệm {k}",
                     "kind": "ward" if ward else "commune", "parent": "TN", "valid_from": "2025-07-01", "valid_to": ""})
    return rows


def _csv(rows: list[dict[str, str]], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows({c: r.get(c, "") for c in columns} for r in rows)
    return buf.getvalue()


def make(project: Path, sample_city: str | None = None, *, departments: int = 30, wards: int = 170) -> Path:
    """Write the test city's configuration and parameters into ``project``; returns its parameters file.

    ``sample_city``: the city whose files it is made from (default: the project's default run's city).
    """
    cities = project / "data" / "cities"
    if sample_city is None:
        default = yaml.safe_load((cities / "default.yaml").read_text(encoding="utf-8"))
        sample_city = yaml.safe_load((project / default["params"]).read_text(encoding="utf-8"))["city"]
    source, target = cities / sample_city, cities / CODE
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    city = yaml.safe_load((source / "city.yaml").read_text(encoding="utf-8"))
    renamed = lambda text: text.replace(city["short_name"], PLACE)  # noqa: E731 - the sample city's name in titles
    for name in ("indicators.yaml", "programme.yaml"):
        (target / name).write_text(renamed((source / name).read_text(encoding="utf-8")), encoding="utf-8")
    own_frameworks = []
    for fid in city.get("index_frameworks", []):  # the same frameworks under the test city's own ids and names
        new_id = fid.replace(sample_city, CODE) if sample_city in fid else f"{CODE}-{fid}"
        text = (project / "data" / "frameworks" / f"{fid}.yaml").read_text(encoding="utf-8")
        text = renamed(text.replace(f"id: {fid}", f"id: {new_id}").replace(f"{fid}.yaml", f"{new_id}.yaml"))
        (project / "data" / "frameworks" / f"{new_id}.yaml").write_text(text, encoding="utf-8")
        own_frameworks.append(new_id)
    with open(source / "units.csv", encoding="utf-8", newline="") as f:
        sample_units = list(csv.DictReader(f))
    units = _units(sample_units, departments, wards)
    columns = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    (target / "units.csv").write_text(_csv(units, columns), encoding="utf-8")
    (target / "succession.csv").write_text("predecessor,successor,date,kind\n", encoding="utf-8")
    (target / "contacts.csv").write_text(_csv([{"unit": u["code"], "email": f"{u['code'].lower()}@thunghiem.example"}
                                                for u in units[1:]], ["unit", "email"]), encoding="utf-8")
    upper = NAME.upper()
    city.update({
        "index_frameworks": own_frameworks,
        "code": CODE, "kind": "province", "name": NAME, "short_name": PLACE, "place": PLACE,
        "issuing_body_parent": f"UBND {upper}", "submissions": f"data/sample/{CODE}", "database": f"build/{CODE}.duckdb",
        "sample_data": True, "first_period": PERIODS.split(":")[0],
    })
    city["steering_body"] = f"Ban Chỉ đạo phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số tỉnh {PLACE}"
    city["recipients"] = [f"{city['steering_body']} (để báo cáo)", "Chủ tịch, các Phó Chủ tịch UBND tỉnh",
                          "Các sở, ban, ngành; UBND các phường, xã", city["recipients"][-1]]
    if "cycle" in city:
        city["cycle"]["sender"] = {"name": f"Sở Khoa học và Công nghệ tỉnh {PLACE}", "email": "cds@thunghiem.example"}
        city["cycle"]["office"] = {"name": "Văn phòng Chuyển đổi số", "email": "vanphong@thunghiem.example"}
    (target / "city.yaml").write_text(f"# {NAME}: a generated test city of {len(units) - 1} units (bench/province.py).\n"
                                      + yaml.safe_dump(city, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rules = yaml.safe_load((source / "sample.yaml").read_text(encoding="utf-8")) if (source / "sample.yaml").is_file() else {}
    codes = [u["code"] for u in units[1:]]
    rules.update({"periods": PERIODS, "missing_last_period": [codes[len(codes) // 3], codes[-1]]})
    (target / "sample.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True, sort_keys=False), encoding="utf-8")
    params = project / "params" / f"{CODE}-{PERIOD}.yaml"
    params.write_text(f"city: {CODE}\nperiod: {PERIOD}\nreport_date: 2026-10-20\n", encoding="utf-8")
    return params
