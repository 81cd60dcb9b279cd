"""``make bench``: how fast a quarter's reports are built, as ratios measured in one run.

Every figure is measured here, in this process tree, on a fresh copy of the
project with the sample data:

- ``naive_s``: one stock papermill run per report, one after another;
- ``batch_s``: ``dxreport run --force`` with the default number of jobs;
- ``unchanged_s``: ``dxreport run`` again with nothing changed (every report skipped);
- ``floor_s``: the same reports made by running the notebooks' code cells
  directly (no kernel, no papermill, no nbconvert, no manifest) in as many
  already-warm Python processes as ``batch_s`` uses: the cost of the work itself;
- ``dask1_s``, ``dask2_s``: the batch on a local Dask cluster of 1 and 2 workers;
- ``national_s``, ``national_peak_mb``: ``bench/national.py`` in a child process;
- ``intake_1000_s``: ``bench/intake_1000.py`` in a child process, when present;
- ``province_s``: the full quarter of a generated test city of 200 units (``bench/province.py``: 30 departments,
  170 wards and communes): ``dxreport run --force`` of its city report, data-quality report and 200 scorecards;
  ``province_floor_s`` the same reports by ``floor`` (notebooks' cells in warm processes), measured the same way
  at that size. One run each (``BENCH_PROVINCE_REPEATS``), after the city's workbooks are made and ingested
  (not timed). ``python bench/run.py --province`` measures only these.

``batch_s``, ``floor_s``, ``dask1_s`` and ``dask2_s`` are each the median of
``BENCH_REPEATS`` (default 3) runs, taken in interleaved rounds (every other
round in reverse order). The median, not the best: this host has fast spells as
well as slow ones, and the best of a one-minute figure and of a half-minute one
may come from different spells (one fast ``dask1_s`` run moved the ratio of the
bests from 1.85 to 1.63). All runs, their bests, the ratios of the bests and
each round's own ratios are kept in the JSON. Results go to ``bench/out/results.json`` and a table on
standard output.
Benchmarks are not tests: nothing here asserts a time.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PARAMS = "params/danang-2026-Q3.yaml"
REPEATS = max(1, int(os.environ.get("BENCH_REPEATS", "3")))
TARGETS = {
    "naive_s / batch_s": (">=", 4.0),
    "batch_s / floor_s": ("<=", 1.3),
    "dask1_s / dask2_s": (">=", 1.7),
    "national_s": ("<=", 5.0),
    "national_peak_mb": ("<=", 2048),
    "intake_1000_s": ("<=", 30.0),
    "province_s": ("<=", 150.0),
    "province_s / province_floor_s": ("<=", 1.3),
}
PROVINCE_REPEATS = max(1, int(os.environ.get("BENCH_PROVINCE_REPEATS", "1")))


def project_copy(dest: Path) -> Path:
    for name in ("data", "notebooks", "templates", "params"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (dest / "reports").mkdir()
    return dest


def dxreport(project: Path, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "dxreport.cli", *args], cwd=project, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"dxreport {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return seconds


def jobs_of(project: Path, params: str = PARAMS):
    from dxreport.execute.run import plan

    return plan([project / params], project)


def naive(project: Path) -> float:
    import papermill as pm

    jobs = jobs_of(project)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        for k, job in enumerate(jobs):
            out = Path(tmp) / str(k)
            out.mkdir()
            pm.execute_notebook(str(project / "notebooks" / f"{job.notebook}.ipynb"), str(out / "executed.ipynb"),
                                parameters=job.parameters(project, out), kernel_name="python3",
                                cwd=str(project / "notebooks"), progress_bar=False)
        return time.perf_counter() - started


def _warm() -> None:
    import matplotlib  # noqa: F401
    import pandas  # noqa: F401
    import weasyprint  # noqa: F401
    from dxreport.execute import pipeline, workspace  # noqa: F401


def _cells_without_kernel(notebook: str, parameters: dict, cwd: str) -> None:
    """Run a notebook's code cells in a fresh namespace, parameters injected after the parameters cell."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    os.chdir(cwd)
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            exec(compile(cell.source, notebook, "exec"), namespace)
            if "parameters" in cell.metadata.get("tags", []):
                namespace.update(parameters)


def floor(project: Path, workers: int, params: str = PARAMS) -> float:
    jobs = jobs_of(project, params)
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp, ProcessPoolExecutor(workers, mp_context=context, initializer=_warm) as pool:
        list(pool.map(time.sleep, [0.5] * workers))  # every worker started and warm before the clock starts
        started = time.perf_counter()
        futures = []
        for k, job in enumerate(jobs):
            out = Path(tmp) / str(k)
            out.mkdir()
            futures.append(pool.submit(_cells_without_kernel, str(project / "notebooks" / f"{job.notebook}.ipynb"),
                                       job.parameters(project, out), str(project / "notebooks")))
        for f in futures:
            f.result()
        return time.perf_counter() - started


def child_json(script: Path) -> dict:
    """``run()`` of a benchmark module, in a child process so its peak memory is its own."""
    code = f"import json, sys; sys.path.insert(0, {str(script.parent)!r}); import {script.stem} as b; print(json.dumps(b.run()))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{script.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def province(workers: int) -> dict:
    """``province_s`` and ``province_floor_s`` (medians of ``PROVINCE_REPEATS`` interleaved runs) and the run's size."""
    sys.path.insert(0, str(ROOT / "bench"))
    import province as generated

    with tempfile.TemporaryDirectory() as tmp:
        project = project_copy(Path(tmp))
        params = generated.make(project).relative_to(project).as_posix()
        dxreport(project, "sample", "--city", generated.CODE)  # workbooks and assessment sheets: not timed
        dxreport(project, "ingest", f"data/sample/{generated.CODE}")
        os.environ["DXREPORT_ROOT"] = str(project)
        reports = len(jobs_of(project, params))
        print(f"tỉnh thử nghiệm: {reports} báo cáo, {workers} tiến trình", file=sys.stderr)
        runs: dict[str, list[float]] = {"province_s": [], "province_floor_s": []}
        for round_ in range(PROVINCE_REPEATS):
            order = ["province_s", "province_floor_s"] if round_ % 2 == 0 else ["province_floor_s", "province_s"]
            for key in order:
                runs[key].append(dxreport(project, "run", "--force", "-q", params) if key == "province_s"
                                 else floor(project, workers, params))
        pdf = project / "reports" / generated.CODE / generated.PERIOD / "report.pdf"
        from pypdf import PdfReader

        pages = len(PdfReader(pdf).pages)
        os.environ.pop("DXREPORT_ROOT")
    return {"results": {k: statistics.median(v) for k, v in runs.items()}, "runs": runs,
            "province_reports": reports, "province_report_pages": pages}


def print_table(results: dict, ratios: dict) -> None:
    print(f"{'đại lượng':<30}{'giá trị':>10}   mục tiêu")
    for key, value in [*results.items(), *ratios.items()]:
        goal = TARGETS.get(key)
        verdict = ""
        if goal:
            ok = value >= goal[1] if goal[0] == ">=" else value <= goal[1]
            verdict = f"{goal[0]} {goal[1]:g}  {'đạt' if ok else 'CHƯA ĐẠT'}"
        print(f"{key:<30}{value:>10.2f}   {verdict}")


def main_province() -> int:
    """``bench/run.py --province``: only the 200-unit city (to bench/out/province.json)."""
    from dxreport.execute.batch import default_workers

    OUT.mkdir(parents=True, exist_ok=True)
    found = province(default_workers())
    results = {k: round(v, 2) for k, v in found["results"].items()}
    ratios = {"province_s / province_floor_s": round(results["province_s"] / results["province_floor_s"], 2)}
    document = {"results": results, "ratios": ratios, "runs": {k: [round(x, 2) for x in v] for k, v in found["runs"].items()},
                "reports": found["province_reports"], "report_pages": found["province_report_pages"],
                "cores": os.cpu_count(), "python": platform.python_version()}
    (OUT / "province.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print_table(results, ratios)
    print(f"{found['province_reports']} báo cáo; báo cáo của tỉnh: {found['province_report_pages']} trang")
    return 0


def main() -> int:
    from dxreport.execute.batch import default_workers
    from dxreport.execute.workspace import ingest_new

    OUT.mkdir(parents=True, exist_ok=True)
    workers = default_workers()
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        project = project_copy(Path(tmp))
        os.environ["DXREPORT_ROOT"] = str(project)
        ingest_new(project / "data/sample/danang", project / "build/danang.duckdb", project)  # the store is not what is timed
        reports = len(jobs_of(project))
        print(f"{reports} báo cáo, {workers} tiến trình", file=sys.stderr)
        # This host's speed drifts by ±15 % from minute to minute, both ways: each figure is the median of
        # REPEATS runs, the runs of one round interleaved so that a slow minute does not fall on one figure
        # only, and every other round in reverse order so that a steady drift does not favour the figures
        # measured first. Every run is kept.
        measures = {
            "batch_s": lambda: dxreport(project, "run", "--force", "-q", PARAMS),
            "floor_s": lambda: floor(project, workers),
            "dask1_s": lambda: dxreport(project, "run", "--force", "-q", "--executor", "dask", "--jobs", "1", PARAMS),
            "dask2_s": lambda: dxreport(project, "run", "--force", "-q", "--executor", "dask", "--jobs", "2", PARAMS),
        }
        runs: dict[str, list[float]] = {k: [] for k in measures}
        for round_ in range(REPEATS):
            for key in (list(measures) if round_ % 2 == 0 else list(reversed(measures))):
                runs[key].append(measures[key]())
        results.update({k: statistics.median(v) for k, v in runs.items()})
        results["unchanged_s"] = dxreport(project, "run", "-q", PARAMS)  # nothing changed since the last run
        results["naive_s"] = naive(project)
        os.environ.pop("DXREPORT_ROOT")
    results.update({k: v for k, v in child_json(ROOT / "bench" / "national.py").items() if k.startswith("national")})
    intake = ROOT / "bench" / "intake_1000.py"
    if intake.is_file():
        results.update({k: v for k, v in child_json(intake).items() if k.startswith("intake_")})
    found = province(workers)
    results.update(found["results"])
    results = {k: round(v, 2) if isinstance(v, float) else v for k, v in results.items()}
    ratios = {
        "naive_s / batch_s": results["naive_s"] / results["batch_s"],
        "batch_s / floor_s": results["batch_s"] / results["floor_s"],
        "dask1_s / dask2_s": results["dask1_s"] / results["dask2_s"],
        "province_s / province_floor_s": results["province_s"] / results["province_floor_s"],
    }
    document = {"results": results, "ratios": {k: round(v, 2) for k, v in ratios.items()},
                "runs": {k: [round(x, 2) for x in v] for k, v in runs.items()}, "repeats": REPEATS,
                "best": {k: round(min(v), 2) for k, v in runs.items()},
                "ratios_of_best": {"batch_s / floor_s": round(min(runs["batch_s"]) / min(runs["floor_s"]), 2),
                                   "dask1_s / dask2_s": round(min(runs["dask1_s"]) / min(runs["dask2_s"]), 2)},
                "round_ratios": {"batch_s / floor_s": [round(b / f, 2) for b, f in zip(runs["batch_s"], runs["floor_s"])],
                                 "dask1_s / dask2_s": [round(a / b, 2) for a, b in zip(runs["dask1_s"], runs["dask2_s"])]},
                "province_runs": {k: [round(x, 2) for x in v] for k, v in found["runs"].items()},
                "province_reports": found["province_reports"], "province_report_pages": found["province_report_pages"],
                "reports": reports, "workers": workers, "cores": os.cpu_count(), "python": platform.python_version()}
    (OUT / "results.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print_table(results, ratios)
    print("mỗi vòng: " + "; ".join(f"{k} {', '.join(f'{r:.2f}' for r in v)}" for k, v in document["round_ratios"].items()))
    print("các lần nhanh nhất: " + "; ".join(f"{k} {r:.2f}" for k, r in document["ratios_of_best"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main_province() if "--province" in sys.argv[1:] else main())
