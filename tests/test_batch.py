"""The quarter's batch: parallel, warm, incremental, isolated failures, Dask, and the reports index."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from test_run import dxreport, project_copy

pytestmark = pytest.mark.slow
UNITS = ["SNV", "P-HCH"]


@pytest.fixture(scope="module")
def batch(root, tmp_path_factory):
    project = project_copy(root, tmp_path_factory.mktemp("batch"))
    args = ["run", "--jobs", "2"] + [a for u in UNITS for a in ("--unit", u)]
    result = dxreport(project, *args)
    return project, args, result


def folders(project: Path) -> dict[str, Path]:
    city = project / "reports" / "danang" / "2026-Q3"
    return {"city": city, "quality": city / "chat-luong-so-lieu", **{u: city / "don-vi" / u for u in UNITS}}


def test_batch_builds_every_report_with_a_manifest(batch):
    project, _, result = batch
    assert result.returncode == 0, result.stderr
    assert "Tổng cộng 4 báo cáo: 4 đã tạo, 0 không đổi, 0 lỗi" in result.stdout
    for name, folder in folders(project).items():
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        listed = {o["path"] for o in m["outputs"]}
        assert {"report.html", "report.pdf"} <= listed, name
        if name in UNITS:
            assert m["params"]["unit"] == name and m["params"]["notebook"] == "unit_scorecard"
    # the city manifest lists its own files only, not the scorecards published inside its folder
    city = json.loads((folders(project)["city"] / "manifest.json").read_text(encoding="utf-8"))
    assert not [o for o in city["outputs"] if o["path"].startswith(("don-vi/", "chat-luong"))]


def test_index_links_every_report(batch):
    project, _, _ = batch
    index = (project / "reports" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', index)
    for folder in folders(project).values():
        rel = folder.relative_to(project / "reports").as_posix()
        assert f"{rel}/report.html" in links and f"{rel}/report.pdf" in links
    assert all((project / "reports" / link).is_file() for link in links)
    assert "Quý III/2026" in index and "Phường Hải Châu" in index


def test_unchanged_reports_are_not_rebuilt(batch):
    project, args, _ = batch
    before = {n: (f / "manifest.json").read_bytes() for n, f in folders(project).items()}
    again = dxreport(project, *args)
    assert again.returncode == 0, again.stderr
    assert "0 đã tạo, 4 không đổi" in again.stdout
    assert before == {n: (f / "manifest.json").read_bytes() for n, f in folders(project).items()}
    forced = dxreport(project, *args[:-2], "--force")  # one unit fewer, forced
    assert "3 đã tạo, 0 không đổi" in forced.stdout


def test_a_changed_template_rebuilds(batch):
    project, args, _ = batch
    template = project / "templates" / "unit_scorecard.html.j2"
    template.write_text(template.read_text(encoding="utf-8") + "{# thay đổi #}\n", encoding="utf-8")
    result = dxreport(project, *args)
    assert result.returncode == 0, result.stderr
    assert "4 đã tạo" in result.stdout  # every report reads the templates folder


def test_a_resubmission_ingested_from_elsewhere_rebuilds(batch):
    """The store is an input too: a file ingested from outside the submissions folder makes the reports stale."""
    from openpyxl import load_workbook

    project, args, _ = batch
    assert "0 đã tạo" in dxreport(project, *args).stdout
    wb = load_workbook(project / "data/sample/danang/2026-Q3/SNV.xlsx")
    ws = wb["BaoCao"]
    row = next(r for r in range(10, ws.max_row + 1) if ws.cell(r, 2).value == "HS_TT")
    ws.cell(row, 5).value = int(ws.cell(row, 5).value) - 1
    (project / "incoming/2026-Q3").mkdir(parents=True)
    wb.save(project / "incoming/2026-Q3/SNV.xlsx")
    ingested = dxreport(project, "ingest", "incoming/2026-Q3/SNV.xlsx", "--db", "build/danang.duckdb")
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    result = dxreport(project, *args)
    assert "4 đã tạo, 0 không đổi" in result.stdout
    trace = (folders(project)["city"] / "trace.csv").read_text(encoding="utf-8")
    assert "incoming/2026-Q3/SNV.xlsx" in trace  # the latest revision is the one reported


def test_stock_papermill_gives_the_same_scorecard(batch, tmp_path):
    project, _, _ = batch
    out = tmp_path / "SNV"
    cmd = [sys.executable, "-m", "papermill", "notebooks/unit_scorecard.ipynb", str(tmp_path / "SNV.ipynb"),
           "-p", "unit", "SNV", "-p", "project_root", str(project), "-p", "output_dir", str(out),
           "-p", "submissions", str(project / "data/sample/danang"), "-p", "database", str(project / "build/danang.duckdb"),
           "--cwd", "notebooks", "--no-progress-bar"]
    done = subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    batch_html = (folders(project)["SNV"] / "report.html").read_bytes()
    assert (out / "report.html").read_bytes() == batch_html


def test_warm_kernel_leaks_nothing_between_notebooks(root, tmp_path):
    import papermill as pm
    from dxreport.execute import engine

    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys, dxreport.domain.config\n"
        "left = sorted(k for k in globals() if not k.startswith('_') and k not in {'In', 'Out', 'exit', 'quit', 'get_ipython', 'sys'})\n"
        "config = sys.modules['dxreport.domain.config']\n"
        "caches = [f.cache_info().currsize for f in (config.load_city, config.load_indicators, config.load_programme)]\n"
        "import matplotlib.pyplot as plt\n"
        "print(left, caches, plt.get_fignums(), get_ipython().execution_count)"
    )])
    nbformat.write(probe, tmp_path / "probe.ipynb")
    run = lambda src, dst, **kw: pm.execute_notebook(str(src), str(dst), kernel_name="python3", cwd=str(root / "notebooks"),  # noqa: E731
                                                     progress_bar=False, **kw)
    run(tmp_path / "probe.ipynb", tmp_path / "fresh.ipynb")  # what a new kernel shows
    try:
        run(root / "notebooks/unit_scorecard.ipynb", tmp_path / "a.ipynb", engine_name=engine.NAME,
            parameters={"unit": "SNV", "project_root": str(root), "output_dir": str(tmp_path / "a"),
                        "database": str(tmp_path / "a.duckdb")})
        run(tmp_path / "probe.ipynb", tmp_path / "warm.ipynb", engine_name=engine.NAME)
    finally:
        engine.shutdown_all()
    first = nbformat.read(tmp_path / "a.ipynb", as_version=4)
    assert [c.execution_count for c in first.cells if c.cell_type == "code"][0] == 1
    fresh, warm = (nbformat.read(tmp_path / f"{n}.ipynb", as_version=4).cells[0] for n in ("fresh", "warm"))
    # the scorecard bound ws, table, chart, written…: none survive; caches empty; no figure; counter restarted
    assert warm.outputs[0]["text"] == fresh.outputs[0]["text"]
    assert "ws" not in warm.outputs[0]["text"] and "[0, 0, 0] []" in warm.outputs[0]["text"]
    assert warm.execution_count == fresh.execution_count == 1


def test_one_failing_report_does_not_stop_the_others(batch):
    project, _, _ = batch
    path = project / "notebooks" / "unit_scorecard.ipynb"
    original = path.read_bytes()
    nb = nbformat.reads(original.decode("utf-8"), as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 2, nbformat.v4.new_code_cell("if unit == 'P-HCH':\n    raise RuntimeError('lỗi thử nghiệm của phường')"))
    nbformat.write(nb, path)
    try:
        result = dxreport(project, "run", "--jobs", "2", "--force", "--unit", "SNV", "--unit", "P-HCH")
    finally:
        path.write_bytes(original)
    assert result.returncode == 1
    assert "3 đã tạo, 0 không đổi, 1 lỗi" in result.stdout
    assert "P-HCH" in result.stderr and "lỗi thử nghiệm của phường" in result.stderr and "ô số" in result.stderr
    assert "Traceback" not in result.stderr
    assert (project / "reports/danang/2026-Q3/don-vi/P-HCH.failed.ipynb").is_file()
    # the previous P-HCH scorecard is still there, whole
    assert (folders(project)["P-HCH"] / "manifest.json").is_file()


def test_dask_local_cluster_builds_the_same_reports(batch):
    project, _, _ = batch
    before = (folders(project)["SNV"] / "report.html").read_bytes()
    result = dxreport(project, "run", "--executor", "dask", "--jobs", "2", "--force", "--unit", "SNV")
    assert result.returncode == 0, result.stderr
    assert "3 đã tạo, 0 không đổi, 0 lỗi" in result.stdout
    assert (folders(project)["SNV"] / "report.html").read_bytes() == before


def test_dask_cluster_by_address_on_loopback(batch, tmp_path):
    """A scheduler and two worker processes on 127.0.0.1, reached by address as a real cluster would be."""
    project, _, _ = batch
    before = (folders(project)["P-HCH"] / "report.html").read_bytes()
    address_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", str(address_file)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = None
    try:
        for _ in range(300):
            if address_file.is_file() and address_file.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(address_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        workers = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "2",
                                    "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result = dxreport(project, "run", "--executor", "dask", "--scheduler", address, "--force", "--unit", "P-HCH")
    finally:
        for process in (workers, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=60)
    assert result.returncode == 0, result.stderr
    assert "3 đã tạo, 0 không đổi, 0 lỗi" in result.stdout
    assert (folders(project)["P-HCH"] / "report.html").read_bytes() == before


def test_unreachable_scheduler_is_a_clear_error(batch):
    project, _, _ = batch
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    result = subprocess.run([sys.executable, "-m", "dxreport.cli", "run", "--executor", "dask", "--scheduler",
                             "tcp://127.0.0.1:9", "--force", "--unit", "SNV"], cwd=project, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1
    assert "không kết nối được bộ lập lịch Dask" in result.stderr and "Traceback" not in result.stderr


def test_kernels_start_the_usual_way_where_there_is_no_fork(batch, monkeypatch):
    """Windows (and any system without os.fork): no kernel template, each warm kernel starts as a kernel spec says."""
    from dxreport.execute import kernel_template, run
    from dxreport.execute.batch import run_batch

    project, _, _ = batch
    monkeypatch.delattr(os, "fork")
    assert not kernel_template.supported()
    started = []
    real = kernel_template.start
    monkeypatch.setattr(kernel_template, "start", lambda *a: (real(*a), started.append(kernel_template.current())))
    jobs = [j for j in run.plan([project / "params" / "danang-2026-Q3.yaml"], project, only_units=["SNV"]) if j.unit]
    results = run_batch(jobs, project, workers=1, force=True)
    assert [r.status for r in results] == ["built"], [r.message for r in results]
    assert started == [None]  # asked for, and none was started
    assert (folders(project)["SNV"] / "report.pdf").is_file()
