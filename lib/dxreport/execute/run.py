"""Building one report: validate, execute the notebook with papermill, convert, publish atomically.

A parameters file gives one city report and one scorecard per unit that
reports in the period; each is a :class:`Job`. Everything is written into a
staging folder beside the final one and renamed into place only when the
whole job succeeded, so a failed run never leaves a half-written report. A
failed notebook is kept (``*.failed.ipynb``) with the number of the cell that
failed. A report whose inputs, parameters, code and package versions match its
manifest is not rebuilt.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from dxreport.domain import paths
from dxreport.domain.errors import ConfigError, NotebookError
from dxreport.domain.frameworks import city_framework_files
from dxreport.domain.params import RunParams, load_params
from dxreport.execute.kernel_template import KERNEL
from dxreport.publish import analyst_text, manifest
from dxreport.publish.layout import (  # noqa: F401
    QUALITY_NOTEBOOK,
    SCORECARD_NOTEBOOK,
    SUBFOLDERS,
    UNITS_DIR,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One report to build: the city report (``unit`` is None) or one unit's scorecard."""

    params_file: Path
    params: RunParams
    notebook: str
    unit: str | None = None

    @property
    def label(self) -> str:
        what = self.unit or ("chất lượng số liệu" if self.notebook == QUALITY_NOTEBOOK else "thành phố")
        return f"{self.params.city} {self.params.period} {what}"

    def output_dir(self, root: Path) -> Path:
        city_dir = root / "reports" / self.params.city / self.params.period
        if self.unit:
            return city_dir / UNITS_DIR / self.unit
        return city_dir / SUBFOLDERS[self.notebook] if self.notebook in SUBFOLDERS else city_dir

    def failed_notebook(self, root: Path) -> Path:
        final = self.output_dir(root)
        return final.parent / f"{final.name}.failed.ipynb"

    def manifest_params(self) -> dict[str, Any]:
        data = self.params.model_dump(mode="json")
        if self.notebook != self.params.notebook:
            data["notebook"] = self.notebook
        if self.unit:
            data["unit"] = self.unit
        return data

    def parameters(self, root: Path, output_dir: Path) -> dict[str, Any]:
        values = self.params.notebook_parameters(root, output_dir)
        if self.unit:
            values["unit"] = self.unit
        return values


@dataclass
class JobResult:
    label: str
    status: str  # "built", "unchanged" or "failed"
    output_dir: str
    seconds: float = 0.0
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def output_dir_for(root: Path, params: RunParams) -> Path:
    return root / "reports" / params.city / params.period


def text_path(params_file: Path, root: Path, city: str, period: str) -> Path:
    """The analyst's text: beside the parameters file, else in the project's params/ (a generated run's file is elsewhere)."""
    beside = analyst_text.text_file(Path(params_file).parent, city, period)
    return beside if beside.is_file() else analyst_text.text_file(paths.params_dir(root), city, period)


GENERATED_PARAMS = Path("build") / "params"


def params_for_city(root: Path, city: str, period: str, today) -> Path:
    """A run named by city and period: ``params/<city>-<period>.yaml`` when the office wrote one (it overrides),
    else a file written under build/params/ with the city and period and today's date; everything else comes
    from the city's own city.yaml. Validated like any parameters file before a kernel starts."""
    written = paths.params_dir(root) / f"{city}-{period}.yaml"
    if written.is_file():
        return written
    if not (paths.city_dir(root, city) / "city.yaml").is_file():
        raise ConfigError("--city", None, f"không có cấu hình thành phố '{city}'; các thành phố đã cấu hình: "
                                          f"{', '.join(paths.configured_cities(root)) or 'chưa có'}")
    out = root / GENERATED_PARAMS / f"{city}-{period}.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = (f"# Lập tự động (dxreport run --city/--period hoặc dxreport cycle); tệp params/{city}-{period}.yaml, nếu có, được dùng thay.\n"
            f"city: {city}\nperiod: {period}\nreport_date: {today.isoformat()}\n")
    if not out.is_file() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out


def check(params_file: Path, root: Path, *, final: bool = False) -> RunParams:
    """Everything that can be checked before a kernel starts.

    A final report (``final``, or a document number in the parameters) needs its number and an analyst's
    text without placeholders or empty required sections.
    """
    params = load_params(params_file, root)  # the city must be configured; what the file leaves out comes from it
    if final and not params.document_number:
        raise ConfigError(params_file, "document_number", "báo cáo chính thức (--final) cần số văn bản; để trống là bản dự thảo")
    if params.document_number:
        analyst_text.check_final(text_path(params_file, root, params.city, params.period))
    if not (paths.notebooks_dir(root) / f"{params.notebook}.ipynb").is_file():
        raise ConfigError(params_file, "notebook", f"không có sổ tính notebooks/{params.notebook}.ipynb")
    submissions = root / str(params.submissions)
    if not submissions.is_dir():
        raise ConfigError(params_file, "submissions", f"không có thư mục {params.submissions}")
    _check_stamps(params_file, params, submissions)
    for f in city_framework_files(root, params.city):
        if not f.is_file():
            raise ConfigError(paths.city_dir(root, params.city) / "city.yaml", "index_frameworks",
                              f"không có bộ chỉ số {manifest.display_path(f, root)}")
    return params


def _check_stamps(params_file: Path, params: RunParams, submissions: Path) -> None:
    """Workbooks made for another city must not be read as this one's (their stamp names the city)."""
    from dxreport.intake.submissions import city_stamp

    others: dict[str, list[Path]] = {}
    for f in sorted(submissions.rglob("*.xlsx")):
        stamp = city_stamp(f)
        if stamp and stamp != params.city:
            others.setdefault(stamp, []).append(f)
    if others:
        listed = "; ".join(f"{code}: {len(files)} tệp, ví dụ {manifest.display_path(files[0], submissions)}"
                           for code, files in sorted(others.items()))
        raise ConfigError(params_file, "submissions", f"thư mục {params.submissions} của '{params.city}' có tệp được lập cho "
                                                      f"thành phố khác ({listed}); tách tệp của mỗi thành phố vào thư mục "
                                                      "riêng, hoặc sửa 'city'/'submissions'")


def plan(params_files: list[Path], root: Path, *, scorecards: bool = True, only_units: list[str] | None = None,
         final: bool = False) -> list[Job]:
    """The jobs for these parameters files: each city report, its data-quality report, then its units' scorecards."""
    from dxreport.domain.config import load_indicators
    from dxreport.domain.periods import Period
    from dxreport.domain.units import expected_reports, load_units

    jobs: list[Job] = []
    for f in params_files:
        f = Path(f).resolve()
        params = check(f, root, final=final)
        city_jobs = [Job(f, params, params.notebook)]
        if params.notebook != QUALITY_NOTEBOOK:
            city_jobs.append(Job(f, params, QUALITY_NOTEBOOK))
        if scorecards:
            city_dir = paths.city_dir(root, params.city)
            units = load_units(city_dir)
            expected = expected_reports(units, load_indicators(city_dir), Period.parse(params.period))
            codes = sorted(expected["unit"].unique())
            if only_units:
                unknown = sorted(set(only_units) - set(codes))
                if unknown:
                    raise ConfigError(f, "unit", f"không có đơn vị báo cáo trong kỳ {params.period}: {', '.join(unknown)}")
                codes = [c for c in codes if c in only_units]
            city_jobs += [Job(f, params, SCORECARD_NOTEBOOK, c) for c in codes]
        jobs += city_jobs
    return jobs


def _failed_cell(nb_path: Path) -> int | None:
    import nbformat

    try:
        nb = nbformat.read(str(nb_path), as_version=4)
    except Exception:
        return None
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return index
    return None


def execute(notebook: Path, output_notebook: Path, parameters: dict, cwd: Path, engine: str | None = None) -> None:
    import papermill as pm

    if engine:
        from dxreport.execute import engine as _registers_warm_engine  # noqa: F401
    pm.execute_notebook(
        str(notebook), str(output_notebook), parameters=parameters, kernel_name=KERNEL,
        # The kernel's folder is given to nbclient, not as papermill's cwd: that one is an os.chdir of the
        # whole process, and a batch runs notebooks from several threads at once.
        resources={"metadata": {"path": str(cwd)}},
        progress_bar=False, log_output=False, report_mode=False, engine_name=engine,
        request_save_on_cell_execute=engine is None,  # the batch saves once at the end, not after every cell
    )


INJECTED_CELL_ID = "injected-parameters"  # papermill gives the cell it inserts a random id
_VOLATILE_PAPERMILL = ("start_time", "end_time", "duration")


def stabilise_notebook(path: Path, staging: Path, final: Path) -> None:
    """Same inputs, same bytes: the executed notebook without what changes from one run to the next.

    Removed: the times papermill and the kernel record (start, end, duration, the
    ``execution`` timestamps of each cell); replaced: the random id papermill gives the
    injected-parameters cell, and the staging folder the notebook ran in by the folder
    its report is published to (``output_dir``), where its outputs are; merged: the
    pieces a cell's printed text arrived in.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for key in _VOLATILE_PAPERMILL:
        nb.metadata.get("papermill", {}).pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for key in _VOLATILE_PAPERMILL:
            cell.metadata.get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = INJECTED_CELL_ID
        if cell.cell_type == "code":
            cell.outputs = _coalesce_streams(cell.outputs)
    nb = nbformat.from_dict(_replace_text(nb, str(staging), str(final)))
    nbformat.write(nb, str(path))


def _coalesce_streams(outputs: list) -> list:
    """One output per run of stdout (or stderr) text: the kernel flushes a print() in one or two messages,
    as timing has it, and the notebook recorded them as one or two outputs."""
    merged: list = []
    for out in outputs:
        previous = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and previous is not None and previous.get("output_type") == "stream"
                and previous.get("name") == out.get("name")):
            previous["text"] = "".join(previous["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def _replace_text(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _replace_text(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_text(v, old, new) for v in value]
    return value


def to_html_without_code(notebook: Path, html_path: Path, root: Path) -> None:
    """The executed notebook as HTML for readers: outputs only, charts with the description the notebook gave them."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            extra_template_basedirs=[str(paths.templates_dir(root) / "nbconvert")],
                            template_name="dxreport_notebook")
    body, _ = exporter.from_notebook_node(nbformat.read(str(notebook), as_version=4))
    html_path.write_text(body, encoding="utf-8")


STAGING_DIR = ".staging"  # reports/<city>/.staging/: reports being built, outside every published folder
JOURNAL_SUFFIX = ".publish.json"  # beside a staging folder while it is being published
_staging_locks: dict[Path, Any] = {}  # staging folder → the lock this process holds on it while building


def new_staging(root: Path, job: Job) -> Path:
    """A fresh folder to build ``job``'s report in, on the same file system as its final folder.

    Not inside the city's report folder: publishing the city report swaps that
    folder whole, and a scorecard still being written there would lose its path
    for that moment. The folder is locked (``<folder>.lock``) until
    :func:`release_staging`, so that :func:`recover` tells the folder of a build
    still running from one left by a run that was killed.
    """
    from filelock import FileLock

    parent = root / "reports" / job.params.city / STAGING_DIR
    parent.mkdir(parents=True, exist_ok=True)
    final = job.output_dir(root)
    staging = Path(tempfile.mkdtemp(prefix=f"{job.params.period}.{final.name}.", suffix=".tmp", dir=parent))
    lock = FileLock(_lock_path(staging), thread_local=False, is_singleton=False)
    lock.acquire()
    _staging_locks[staging] = lock
    staging.chmod(0o755)
    return staging


def release_staging(staging: Path) -> None:
    """Remove what is left of ``staging`` (nothing once published) and its lock."""
    shutil.rmtree(staging, ignore_errors=True)
    lock = _staging_locks.pop(staging, None)
    if lock is not None:
        lock.release()
    _lock_path(staging).unlink(missing_ok=True)


def _lock_path(staging: Path) -> Path:
    return staging.with_name(staging.name + ".lock")


@contextmanager
def _reports_lock(city_reports: Path) -> Iterator[None]:
    """Serialise renames under one city's reports, across processes (batch workers, two runs at once) and threads."""
    from filelock import FileLock

    city_reports.mkdir(parents=True, exist_ok=True)
    # thread_local=False and a new instance each time: a batch's threads wait for each other like processes do.
    with FileLock(city_reports / ".lock", thread_local=False, is_singleton=False):
        yield


def _backup_of(final: Path) -> Path:
    return final.with_name(f".{final.name}.old")


def publish(staging: Path, final: Path, keep: tuple[str, ...] = ()) -> None:
    """Swap ``staging`` into ``final``; the previous report stays intact until the swap.

    Subfolders named in ``keep`` (the units' scorecards inside a city report)
    are carried over from the previous ``final``. The swap takes several renames,
    so it is written down first (a journal beside the staging folder): a run
    killed between two renames leaves the journal, and :func:`recover` finishes
    the swap. Call under the city's reports lock.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    city_reports = staging.parent.parent
    journal = staging.with_name(staging.name + JOURNAL_SUFFIX)
    record = {"staging": staging.relative_to(city_reports).as_posix(), "final": final.relative_to(city_reports).as_posix(),
              "keep": list(keep)}
    _write_atomically(journal, json.dumps(record, ensure_ascii=False))
    _finish_publish(staging, final, keep)
    journal.unlink()


def _finish_publish(staging: Path, final: Path, keep: tuple[str, ...] | list[str]) -> None:
    """The renames of a publish, each done only if not done yet: from the start, or after a kill at any point.

    While the staging folder exists, the swap has not happened: carry the kept
    subfolders over, move the previous report aside, move the new one in. Once it
    is gone, only the previous report's copy is left to remove.
    """
    backup = _backup_of(final)
    if staging.exists():
        if final.exists():
            for name in keep:
                if (final / name).exists() and not (staging / name).exists():
                    (final / name).rename(staging / name)
            if backup.exists():  # an older leftover: the report in `final` is the one being replaced
                shutil.rmtree(backup)
            final.rename(backup)
        staging.rename(final)
    if backup.exists():
        shutil.rmtree(backup)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def recover(city_reports: Path) -> list[str]:
    """Repair what runs killed mid-way left under ``reports/<city>``; what was done, for the log.

    Publishes interrupted between their renames are finished from their journals;
    a previous report left aside by an older version (``.<name>.old`` without its
    report) is put back; staging folders whose build is no longer running are
    removed. Call under the city's reports lock.
    """
    from filelock import FileLock, Timeout

    done: list[str] = []
    staging_dir = city_reports / STAGING_DIR
    if staging_dir.is_dir():
        for journal in sorted(staging_dir.glob("*" + JOURNAL_SUFFIX)):
            try:
                record = json.loads(journal.read_text(encoding="utf-8"))
                staging, final = city_reports / record["staging"], city_reports / record["final"]
                keep = [str(k) for k in record.get("keep", [])]
            except (OSError, ValueError, KeyError, TypeError):
                journal.unlink(missing_ok=True)  # cut short while written: no rename had started
                continue
            _finish_publish(staging, final, keep)
            journal.unlink()
            done.append(f"hoàn tất việc công bố {final.relative_to(city_reports).as_posix()} bị dừng giữa chừng")
    for backup in sorted(city_reports.rglob(".*.old")):
        if not backup.is_dir() or STAGING_DIR in backup.relative_to(city_reports).parts:
            continue
        final = backup.with_name(backup.name[1:-len(".old")])
        if final.exists():
            shutil.rmtree(backup)
        else:
            backup.rename(final)
            done.append(f"khôi phục {final.relative_to(city_reports).as_posix()} từ bản cũ bị bỏ dở")
    if staging_dir.is_dir():
        folders = {*staging_dir.glob("*.tmp"), *(p.with_suffix("") for p in staging_dir.glob("*.tmp.lock"))}
        for folder in sorted(folders):  # a lock without its folder: a build killed after its publish
            lock = FileLock(_lock_path(folder), thread_local=False, is_singleton=False)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                continue  # a build still running, in this process or another
            try:
                if folder.exists():
                    shutil.rmtree(folder, ignore_errors=True)
                    done.append(f"xóa thư mục tạm {folder.name} của lần chạy bị dừng")
            finally:
                lock.release()
                _lock_path(folder).unlink(missing_ok=True)
        for part in staging_dir.glob("*.part"):
            part.unlink(missing_ok=True)
    for line in done:
        log.warning("%s: %s", city_reports, line)
    return done


def recover_reports(root: Path, cities: list[str]) -> None:
    """:func:`recover` for each city, under its reports lock (before a run decides what is up to date)."""
    for city in sorted(set(cities)):
        city_reports = root / "reports" / city
        if city_reports.is_dir():
            with _reports_lock(city_reports):
                recover(city_reports)


def input_files(root: Path, job: Job) -> list[Path]:
    """Everything a report depends on, known before it runs, so an unchanged report can be skipped.

    All submissions are included, not only those a report used: a late file
    from any unit can change the city's figures.
    """
    import dxreport

    params = job.params
    notebook = paths.notebooks_dir(root) / f"{job.notebook}.ipynb"
    text = text_path(job.params_file, root, params.city, params.period)  # the analyst's text
    groups = [
        [job.params_file, notebook, text],
        sorted(paths.templates_dir(root).rglob("*")),
        sorted(paths.fonts_dir(root).rglob("*")),
        sorted(paths.city_dir(root, params.city).rglob("*")),
        city_framework_files(root, params.city),
        sorted((root / str(params.submissions)).rglob("*.xlsx")),
        sorted((root / str(params.submissions)).rglob("*.csv")),
        sorted(Path(dxreport.__file__).parent.rglob("*.py")),
    ]
    return [f for group in groups for f in group if f.is_file()]


def store_key(root: Path, job: Job) -> Path:
    """Where a batch keeps the store's fingerprint among the input digests, computed once for all its jobs."""
    return root / f"{job.params.database}#submissions"


def store_input(root: Path, job: Job, digests: dict[Path, str] | None = None) -> dict[str, str]:
    """The store as one more input: its submissions and revisions, however they got there."""
    from dxreport import store

    db = root / str(job.params.database)
    value = (digests or {}).get(store_key(root, job)) or store.fingerprint(db)
    return {f"{manifest.display_path(db, root)}#submissions": value}


def up_to_date(job: Job, root: Path, digests: dict[Path, str] | None = None) -> bool:
    """True when the published manifest matches what this job would be built from."""
    import json

    final = job.output_dir(root)
    try:
        recorded = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if recorded.get("params") != job.manifest_params() or recorded.get("versions") != manifest.versions():
        return False
    files = input_files(root, job)
    digests = digests or {}
    now = {manifest.display_path(f, root): digests.get(f) or manifest.sha256_file(f) for f in files}
    now.update(store_input(root, job, digests))
    if {i["path"]: i["sha256"] for i in recorded.get("inputs", [])} != now:
        return False
    for out in recorded.get("outputs", []):
        path = final / out["path"]
        if not path.is_file() or manifest.sha256_file(path) != out["sha256"]:
            return False
    return True


def build(job: Job, root: Path, *, engine: str | None = None, force: bool = False,
          digests: dict[Path, str] | None = None) -> JobResult:
    """Build one report unless it is up to date; raises :class:`NotebookError` when its notebook fails."""
    started = time.perf_counter()
    final = job.output_dir(root)
    shown = str(final.relative_to(root))
    if not force and up_to_date(job, root, digests):
        return JobResult(job.label, "unchanged", shown, time.perf_counter() - started)
    staging = new_staging(root, job)
    notebook = paths.notebooks_dir(root) / f"{job.notebook}.ipynb"
    executed = staging / f"{job.notebook}.ipynb"
    try:
        try:
            execute(notebook, executed, job.parameters(root, staging), cwd=paths.notebooks_dir(root), engine=engine)
        except Exception as e:
            kept = job.failed_notebook(root)
            if executed.exists():
                with _reports_lock(root / "reports" / job.params.city):
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(executed, kept)
            cell = _failed_cell(executed) if executed.exists() else None
            name = getattr(e, "ename", type(e).__name__)
            value = getattr(e, "evalue", str(e))
            raise NotebookError(notebook.name, cell, f"{name}: {value}", str(kept.relative_to(root)) if kept.exists() else None) from None
        stabilise_notebook(executed, staging, final)
        if job.output_dir(root) == output_dir_for(root, job.params):
            to_html_without_code(executed, staging / "notebook.html", root)
        m = manifest.build(job.manifest_params(), input_files(root, job), staging, root, digests=digests,
                           extra_inputs=store_input(root, job, digests))
        manifest.write(m, staging / "manifest.json")
        with _reports_lock(root / "reports" / job.params.city):
            recover(root / "reports" / job.params.city)
            publish(staging, final, keep=(UNITS_DIR, *SUBFOLDERS.values()) if final == output_dir_for(root, job.params) else ())
    finally:
        release_staging(staging)
    log.info("Đã tạo báo cáo %s", final)
    return JobResult(job.label, "built", shown, time.perf_counter() - started)
