"""End to end: `dxreport run` through papermill, nbconvert and WeasyPrint, read back as a person would."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.slow


def project_copy(root: Path, dest: Path) -> Path:
    """A throwaway copy of the project (no reports, no venv) so tests never touch the real reports/."""
    for name in ("data", "notebooks", "templates", "params"):
        shutil.copytree(root / name, dest / name)
    (dest / "reports").mkdir()
    return dest


def dxreport(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dxreport.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def built(root, tmp_path_factory) -> Path:
    project = project_copy(root, tmp_path_factory.mktemp("project"))
    result = dxreport(project, "run", "--no-scorecards", "params/danang-2026-Q3.yaml")
    assert result.returncode == 0, result.stderr
    return project


def test_report_folder_and_manifest(built):
    out = built / "reports" / "danang" / "2026-Q3"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"]["period"] == "2026-Q3"
    kinds = {o["path"]: o["kind"] for o in manifest["outputs"]}
    assert kinds["report.pdf"] == "pdf" and kinds["report.html"] == "html" and kinds["notebook.html"] == "notebook-html"
    for o in manifest["outputs"]:
        assert (out / o["path"]).is_file()
    inputs = [i["path"] for i in manifest["inputs"]]
    assert "params/danang-2026-Q3.yaml" in inputs
    assert any(p.startswith("data/sample/danang/2026-Q3/") for p in inputs)
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert "papermill" in manifest["versions"] and "weasyprint" in manifest["versions"]
    assert not list((built / "reports").rglob("*.tmp")), "staging folder left behind"


def test_the_signature_is_never_alone_on_its_page(built):
    """Nghị định 30: the signature block carries text of the document with it onto its page, never stands alone."""
    pages = [page.extract_text() for page in PdfReader(built / "reports" / "danang" / "2026-Q3" / "report.pdf").pages]
    page = next(text for text in pages if "Nơi nhận" in text)
    before = page.split("Nơi nhận")[0]
    for mark in ("DỰ THẢO", "DỮ LIỆU MẪU"):  # the running header
        before = before.replace(mark, " ")
    words = [w for w in before.split() if not w.isdigit()]  # and the page number
    assert len(words) >= 5, page


def test_pdf_text_and_fonts(built):
    pdf = built / "reports" / "danang" / "2026-Q3" / "report.pdf"
    reader = PdfReader(pdf)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())  # lines wrap inside cells
    for phrase in ("Quý III/2026", "Đà Nẵng", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "DỮ LIỆU MẪU", "Chậm tiến độ", "ngày 05 tháng 10 năm 2026"):
        assert phrase in text, phrase
    # every page carries the sample mark
    assert all("DỮ LIỆU MẪU" in page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]).split("+", 1)[-1])
    assert fonts and all(f.startswith("Report-Serif") for f in fonts), fonts
    assert reader.metadata.title.startswith("Báo cáo")
    _tasks_printed(built / "reports" / "danang" / "2026-Q3", text)


def _tasks_printed(out: Path, text: str) -> None:
    """The programme's tasks: the counts of tasks.csv in the summary, each overdue task with its lead unit and days."""
    import pandas as pd
    from dxreport.domain.fmt import count

    tasks = pd.read_csv(out / "tasks.csv", dtype={"days_overdue": "Int64"})
    counts = tasks["status"].value_counts()
    done = int(counts.get("Hoàn thành đúng hạn", 0) + counts.get("Hoàn thành quá hạn", 0))
    assert f"trong {count(len(tasks))} nhiệm vụ của kế hoạch: {count(done)} nhiệm vụ hoàn thành" in text
    assert f"{count(counts.get('Đang thực hiện trong hạn', 0))} đang thực hiện trong hạn" in text
    late = tasks[tasks["status"] == "Quá hạn chưa hoàn thành"]
    assert len(late) >= 1 and f"{count(len(late))} quá hạn chưa hoàn thành" in text
    section = text[text.index("3.1. Nhiệm vụ quá hạn chưa hoàn thành"):text.index("3.2. Nhiệm vụ hoàn thành")]
    units = pd.read_csv(out.parents[2] / "data" / "cities" / "danang" / "units.csv").set_index("code")["name"]
    for row in late.itertuples():
        assert row.code in section and units[row.lead] in section and f"{row.days_overdue} ngày" in section, row.code
    assert "3.3. Kinh phí thực hiện nhiệm vụ" in text
    six = text[text.index("VI. NHIỆM VỤ, GIẢI PHÁP QUÝ TỚI"):text.index("VII. ĐỀ XUẤT")]
    due = tasks[tasks["due"].between("2026-10-01", "2026-12-31") & ~tasks["status"].str.startswith("Hoàn thành")]
    assert len(due) and all(code in six for code in due["code"])


def test_a_scorecard_being_built_keeps_its_folder_while_the_city_report_is_published(root, tmp_path, monkeypatch):
    """Publishing swaps the city's folder whole; a scorecard still being written must not lose its path meanwhile.

    A batch once failed with FileNotFoundError on a unit's staging folder, which lived inside the city folder.
    """
    from dxreport.execute import run

    project = project_copy(root, tmp_path)
    jobs = run.plan([project / "params" / "danang-2026-Q3.yaml"], project)
    city, unit = jobs[0], next(j for j in jobs if j.unit)
    unit_staging = run.new_staging(project, unit)
    (unit_staging / "unit_scorecard.ipynb").write_text("{}", encoding="utf-8")
    (city.output_dir(project) / run.UNITS_DIR / "SNV").mkdir(parents=True)  # a scorecard published earlier
    city_staging = run.new_staging(project, city)
    (city_staging / "report.html").write_text("<html></html>", encoding="utf-8")
    present = []
    rename = Path.rename

    def watched(self, target):
        moved = rename(self, target)
        present.append(unit_staging.is_dir())
        return moved

    monkeypatch.setattr(Path, "rename", watched)
    run.publish(city_staging, city.output_dir(project), keep=(run.UNITS_DIR, *run.SUBFOLDERS.values()))
    monkeypatch.undo()
    assert len(present) >= 2 and all(present), present
    assert (city.output_dir(project) / run.UNITS_DIR / "SNV").is_dir()
    assert (city.output_dir(project) / "report.html").is_file()


def test_html_is_vietnamese_and_has_no_code(built):
    out = built / "reports" / "danang" / "2026-Q3"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in html and "Quý III/2026" in html
    notebook_html = (out / "notebook.html").read_text(encoding="utf-8")
    assert "open_city(" not in notebook_html  # exported without code
    assert "Đúng tiến độ" in notebook_html
    import html as html_

    from dxreport.publish.report import CITY_CHART_TITLES

    alts = re.findall(r'<svg[^>]*\saria-label="([^"]+)"', html)  # the charts' (the contents box has its own label)
    assert len(alts) >= 5  # every chart of the report is named for a screen reader...
    for alt in alts[:3]:  # ...and the notebook's HTML gives its charts the same description
        assert f'alt="{alt}"' in notebook_html or f'alt="{html_.unescape(alt)}"' in notebook_html
    assert any(a.startswith("Biểu đồ thanh chồng, số chỉ tiêu theo nhóm") for a in alts) and CITY_CHART_TITLES
    assert "No description has been provided" not in notebook_html  # nbconvert's stand-in for a missing one


def test_trace_links_figures_to_rows(built):
    import pandas as pd

    trace = pd.read_csv(built / "reports" / "danang" / "2026-Q3" / "trace.csv")
    assert {"target", "unit", "indicator", "file", "sheet", "row", "revision"} <= set(trace.columns)
    assert trace["file"].str.startswith("data/sample/danang/2026-Q3/").all()
    assert (trace["row"] >= 10).all()


def test_bad_params_stop_before_any_kernel(built, tmp_path):
    bad = built / "params" / "bad.yaml"
    bad.write_text("city: danang\nperiod: 2026-Q3\nreport_date: 2026-10-05\nfont: Arial\n", encoding="utf-8")
    result = dxreport(built, "run", "params/danang-2026-Q3.yaml", "params/bad.yaml")
    assert result.returncode == 2
    assert "bad.yaml" in result.stderr and "'font'" in result.stderr
    assert "Traceback" not in result.stderr


def test_failed_notebook_keeps_previous_report(built):
    out = built / "reports" / "danang" / "2026-Q3"
    before = (out / "manifest.json").read_bytes()
    broken = built / "params" / "broken.yaml"
    # a target threshold the notebook rejects: the kernel raises inside a cell
    broken.write_text("city: danang\nperiod: 2026-Q3\nreport_date: 2026-10-05\nhistory_quarters: 2\n"
                      "submissions: data/sample/danang\ndatabase: build/broken.duckdb\n", encoding="utf-8")
    (built / "notebooks" / "city_quarterly.ipynb").rename(built / "notebooks" / "keep.ipynb")
    try:
        nb = nbformat.read(built / "notebooks" / "keep.ipynb", as_version=4)
        after = next(i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", []))
        nb.cells.insert(after + 2, nbformat.v4.new_code_cell("raise RuntimeError('lỗi thử nghiệm')"))
        nbformat.write(nb, built / "notebooks" / "city_quarterly.ipynb")
        result = dxreport(built, "run", "--no-scorecards", "params/broken.yaml")
    finally:
        (built / "notebooks" / "keep.ipynb").replace(built / "notebooks" / "city_quarterly.ipynb")
    assert result.returncode == 1
    assert "ô số" in result.stderr and "lỗi thử nghiệm" in result.stderr
    assert (built / "reports" / "danang" / "2026-Q3.failed.ipynb").is_file()
    assert (out / "manifest.json").read_bytes() == before
    assert not list((built / "reports").rglob("*.tmp"))


def test_a_run_killed_between_the_renames_of_a_publish_is_finished_by_the_next_run(built):
    """kill -9 after the city report was set aside and before the new one moved in: the period was gone."""
    from dxreport.execute import run
    from test_publish import _child

    city_reports = built / "reports" / "danang"
    final = city_reports / "2026-Q3"
    own = lambda: {p.relative_to(final): p.read_bytes() for p in final.iterdir() if p.is_file()}  # noqa: E731
    before = own()
    staging = city_reports / run.STAGING_DIR / "2026-Q3.2026-Q3.killed.tmp"
    shutil.copytree(final, staging, ignore=shutil.ignore_patterns(*run.SUBFOLDERS.values()))
    result = _child(city_reports, staging, "2")  # 1: chat-luong-so-lieu/ carried over, 2: the period set aside
    assert result.returncode == -9
    assert not final.exists() and (city_reports / ".2026-Q3.old").is_dir()
    result = dxreport(built, "run", "--no-scorecards", "params/danang-2026-Q3.yaml")
    assert result.returncode == 0, result.stderr
    # finished, not rebuilt: the same bytes as before the kill (the quality report may be stale from earlier tests)
    assert "không đổi, không tạo lại: reports/danang/2026-Q3\n" in result.stdout
    assert own() == before and (final / run.SUBFOLDERS[run.QUALITY_NOTEBOOK] / "report.pdf").is_file()
    assert not (city_reports / ".2026-Q3.old").exists() and list((city_reports / run.STAGING_DIR).iterdir()) == []


def test_a_damaged_store_stops_the_run_with_its_name(built):
    (built / "build").mkdir(exist_ok=True)
    (built / "build" / "hong.duckdb").write_bytes(b"SQLite format 3\x00" + bytes(4000))
    params = built / "params" / "hong.yaml"
    params.write_text("city: danang\nperiod: 2026-Q3\nreport_date: 2026-10-05\nsubmissions: data/sample/danang\n"
                      "database: build/hong.duckdb\n", encoding="utf-8")
    result = dxreport(built, "run", "--no-scorecards", "params/hong.yaml")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Kho dữ liệu" in result.stderr and "hong.duckdb" in result.stderr and "Cách xử lý" in result.stderr


def test_two_builds_give_the_same_bytes_in_every_file_the_manifests_list(built, tmp_path):
    """Same inputs and parameters, same bytes: PDFs (font subsets), annex, executed notebooks, notebook.html, manifests."""
    reports = built / "reports" / "danang" / "2026-Q3"

    def listed() -> dict[str, bytes]:
        files = {}
        for m in sorted(reports.rglob("manifest.json")):
            files[str(m.relative_to(reports))] = m.read_bytes()
            for out in json.loads(m.read_text(encoding="utf-8"))["outputs"]:
                files[str((m.parent / out["path"]).relative_to(reports))] = (m.parent / out["path"]).read_bytes()
        return files

    runs = []
    for _ in range(2):
        result = dxreport(built, "run", "--force", "--unit", "SNV", "params/danang-2026-Q3.yaml")
        assert result.returncode == 0, result.stderr
        runs.append(listed())
    first, second = runs
    assert {"report.pdf", "annex.xlsx", "city_quarterly.ipynb", "notebook.html", "manifest.json",
            "don-vi/SNV/report.pdf", "don-vi/SNV/unit_scorecard.ipynb", "chat-luong-so-lieu/report.pdf"} <= set(first)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    notebook = nbformat.reads(first["city_quarterly.ipynb"].decode("utf-8"), as_version=4)
    injected = next(c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert injected.id == "injected-parameters" and ".staging" not in first["city_quarterly.ipynb"].decode("utf-8")
