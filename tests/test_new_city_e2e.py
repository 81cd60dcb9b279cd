"""End to end, as a new province's analyst would: new-city → fill the configuration → sample → check-config →
ingest → run, each with its exit code, and nothing edited by hand but the province's own configuration."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from test_run import dxreport, project_copy

pytestmark = pytest.mark.slow
TEST_DATA = Path(__file__).parent / "data" / "lamson"


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*.xlsx"))}


def text_of(pdf: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())


@pytest.fixture(scope="module")
def province(root, tmp_path_factory):
    project = project_copy(root, tmp_path_factory.mktemp("province"))
    codes = {}
    r = dxreport(project, "new-city", "lamson", "--name", "Tỉnh Lâm Sơn", "--period", "2026-Q3")
    codes["new-city"] = r.returncode
    # The analyst fills the skeleton: the province's own files replace the examples; it has no index framework.
    for f in (TEST_DATA / "config").iterdir():
        shutil.copy(f, project / "data" / "cities" / "lamson" / f.name)
    (project / "data" / "frameworks" / "lamson-dvi-xa.yaml").unlink()
    for f in (TEST_DATA / "params").glob("lamson-*"):
        shutil.copy(f, project / "params" / f.name)
    r = dxreport(project, "sample", "--city", "lamson", "--periods", "2025-Q3:2026-Q3")
    codes["sample"] = r.returncode
    first = digest(project / "data" / "sample" / "lamson")
    r = dxreport(project, "sample", "--city", "lamson", "--periods", "2025-Q3:2026-Q3")
    codes["sample again"] = r.returncode
    again = digest(project / "data" / "sample" / "lamson")
    check = dxreport(project, "check-config", "lamson")
    codes["check-config"] = check.returncode
    ingest = dxreport(project, "ingest", "data/sample/lamson")  # no --city: the workbooks say whose they are
    codes["ingest"] = ingest.returncode
    built = dxreport(project, "run", "params/lamson-2026-Q3.yaml", "--unit", "X-NAMLAM", "--jobs", "2")
    codes["run"] = built.returncode
    return {"project": project, "codes": codes, "first": first, "again": again, "check": check, "ingest": ingest,
            "run": built}


def test_every_step_exits_0(province):
    assert province["codes"] == {"new-city": 0, "sample": 0, "sample again": 0, "check-config": 0, "ingest": 0, "run": 0}, \
        province["run"].stderr + province["check"].stdout
    assert province["first"] and province["first"] == province["again"]  # byte-stable
    assert "0 lỗi" in province["check"].stdout
    assert "từ chối 0 tệp" in province["ingest"].stdout


def test_the_report_is_the_provinces_own(province):
    out = province["project"] / "reports" / "lamson" / "2026-Q3"
    text = text_of(out / "report.pdf")
    for phrase in ("UBND TỈNH LÂM SƠN", "Lâm Sơn, ngày 20 tháng 10 năm 2026", "04 chỉ tiêu chuyển đổi số được theo dõi",
                   "Tỉnh chưa có bộ chỉ số đánh giá mức độ chuyển đổi số", "UBND các xã", "Lưu: VT, SKHCN",
                   "Đôn đốc các xã chưa có Tổ công nghệ số cộng đồng", "DỮ LIỆU MẪU"):
        assert phrase in text, phrase
    assert "0,7000" in text  # the index-valued target, not "70,0%"
    for folder in (out, out / "don-vi" / "X-NAMLAM", out / "chat-luong-so-lieu"):
        for f in folder.glob("*.html"):
            html = f.read_text(encoding="utf-8")
            assert "Đà Nẵng" not in html and "danang" not in html.lower(), f


def test_a_unit_created_later_shows_not_started_before_its_first_period(province):
    scorecard = province["project"] / "reports" / "lamson" / "2026-Q3" / "don-vi" / "X-NAMLAM" / "report.pdf"
    text = text_of(scorecard)
    assert "Quý IV/2025" in text and "Chưa bắt đầu báo cáo" in text


def test_manifest_lists_the_provinces_files_and_a_change_to_them_rebuilds(province):
    project = province["project"]
    out = project / "reports" / "lamson" / "2026-Q3"
    inputs = {i["path"] for i in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]}
    for needed in ("data/cities/lamson/city.yaml", "data/cities/lamson/programme.yaml", "params/lamson-2026-Q3.yaml",
                   "params/lamson-2026-Q3.text.md", "templates/city_quarterly.html.j2",
                   "data/fonts/LiberationSerif-Regular.ttf"):
        assert needed in inputs, needed
    assert not any("danang" in p for p in inputs)
    unchanged = dxreport(project, "run", "params/lamson-2026-Q3.yaml", "--no-scorecards", "--jobs", "1")
    assert unchanged.returncode == 0 and "2 không đổi" in unchanged.stdout
    text = project / "params" / "lamson-2026-Q3.text.md"  # the analyst's text: its last section is VII
    text.write_text(text.read_text(encoding="utf-8") + "- Tổ chức tập huấn kỹ năng số cho cán bộ xã.\n", encoding="utf-8")
    rebuilt = dxreport(project, "run", "params/lamson-2026-Q3.yaml", "--no-scorecards", "--jobs", "1")
    assert rebuilt.returncode == 0 and "đã tạo: reports/lamson/2026-Q3\n" in rebuilt.stdout
    assert "Tổ chức tập huấn kỹ năng số" in text_of(out / "report.pdf")


def test_the_index_notebook_runs_without_any_framework(province):
    project = province["project"]
    out = project / "build" / "dx_index"
    out.mkdir(parents=True)
    result = subprocess.run([sys.executable, "-m", "papermill", "notebooks/dx_index.ipynb", str(out / "run.ipynb"),
                             "-p", "city", "lamson", "-p", "output_dir", str(out), "--cwd", "notebooks",
                             "-k", "python3"], cwd=project, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    executed = (out / "run.ipynb").read_text(encoding="utf-8")
    assert "Tỉnh chưa có bộ chỉ số" in executed and "params/lamson-2026-Q3.yaml" in executed


def test_a_minimal_params_file_of_a_city_that_does_not_say_where_its_data_live_exits_2(province, tmp_path):
    project = province["project"]
    city = project / "data" / "cities" / "lamson" / "city.yaml"
    saved = city.read_text(encoding="utf-8")
    try:
        city.write_text(saved.replace("submissions: data/sample/lamson\n", ""), encoding="utf-8")
        result = dxreport(project, "run", "params/lamson-2026-Q3.yaml", "--no-scorecards")
    finally:
        city.write_text(saved, encoding="utf-8")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "khóa 'submissions'" in result.stderr and "data/cities/lamson/city.yaml" in result.stderr


def test_ingest_with_the_wrong_city_exits_2_with_the_choices(province):
    result = dxreport(province["project"], "ingest", "data/sample/lamson", "--city", "danang", "--db", "build/x.duckdb")
    assert result.returncode == 2 and "lamson" in result.stderr and "--city" in result.stderr
    assert not (province["project"] / "build" / "x.duckdb").exists()
