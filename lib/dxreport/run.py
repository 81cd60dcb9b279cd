"""``dxreport run``: validate parameters, execute a notebook with papermill, convert it, publish atomically.

Everything is written into a staging folder beside the final one and renamed
into place only when the whole run succeeded, so a failed run never leaves a
half-written report. A failed notebook is kept (``*.failed.ipynb``) with the
number of the cell that failed.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import manifest, paths
from .errors import ConfigError, NotebookError
from .params import RunParams, load_params

log = logging.getLogger(__name__)
KERNEL = "python3"


@dataclass(frozen=True)
class RunResult:
    params_file: Path
    output_dir: Path
    manifest: Path


def output_dir_for(root: Path, params: RunParams) -> Path:
    return root / "reports" / params.city / params.period


def check(params_file: Path, root: Path) -> RunParams:
    """Everything that can be checked before a kernel starts."""
    params = load_params(params_file)
    if not (root / "data" / "cities" / params.city / "city.yaml").is_file():
        raise ConfigError(params_file, "city", f"không có cấu hình thành phố '{params.city}' trong data/cities")
    if not (paths.notebooks_dir(root) / f"{params.notebook}.ipynb").is_file():
        raise ConfigError(params_file, "notebook", f"không có sổ tính notebooks/{params.notebook}.ipynb")
    if not (root / params.submissions).is_dir():
        raise ConfigError(params_file, "submissions", f"không có thư mục {params.submissions}")
    return params


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


def execute(notebook: Path, output_notebook: Path, parameters: dict, cwd: Path) -> None:
    import papermill as pm

    pm.execute_notebook(
        str(notebook),
        str(output_notebook),
        parameters=parameters,
        kernel_name=KERNEL,
        cwd=str(cwd),
        progress_bar=False,
        log_output=False,
        report_mode=False,
    )


def to_html_without_code(notebook: Path, html_path: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(str(notebook), as_version=4))
    html_path.write_text(body, encoding="utf-8")


def publish(staging: Path, final: Path) -> None:
    """Swap ``staging`` into ``final``; the previous report stays intact until the swap."""
    final.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if final.exists():
        backup = final.with_name(f".{final.name}.old")
        if backup.exists():
            shutil.rmtree(backup)
        final.rename(backup)
    staging.rename(final)
    if backup is not None:
        shutil.rmtree(backup)


def run_one(params_file: Path, root: Path) -> RunResult:
    params_file = Path(params_file).resolve()
    params = check(params_file, root)
    final = output_dir_for(root, params)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    staging.chmod(0o755)
    notebook = paths.notebooks_dir(root) / f"{params.notebook}.ipynb"
    executed = staging / f"{params.notebook}.ipynb"
    parameters = params.notebook_parameters(root, staging)
    try:
        try:
            execute(notebook, executed, parameters, cwd=paths.notebooks_dir(root))
        except Exception as e:
            kept = final.parent / f"{final.name}.failed.ipynb"
            if executed.exists():
                shutil.copyfile(executed, kept)
            cell = _failed_cell(executed) if executed.exists() else None
            name = getattr(e, "ename", type(e).__name__)
            value = getattr(e, "evalue", str(e))
            raise NotebookError(notebook.name, cell, f"{name}: {value}", str(kept.relative_to(root)) if kept.exists() else None) from None
        to_html_without_code(executed, staging / "notebook.html")
        inputs = [params_file, *_inputs(root, params, staging, notebook)]
        m = manifest.build(params.model_dump(mode="json"), inputs, staging, root)
        manifest.write(m, staging / "manifest.json")
        publish(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("Đã tạo báo cáo %s", final)
    return RunResult(params_file, final, final / "manifest.json")


def _inputs(root: Path, params: RunParams, staging: Path, notebook: Path) -> list[Path]:
    """Files the report depends on: parameters, notebook, templates, fonts, city config, submissions used."""
    import pandas as pd

    files = [notebook, *sorted(paths.templates_dir(root).glob("*")), *sorted((root / "data" / "cities" / params.city).glob("*"))]
    trace = staging / "trace.csv"
    if trace.exists():
        used = pd.read_csv(trace, usecols=["file"])["file"].dropna().unique()
        files += [root / f for f in used]
    return [f for f in files if f.is_file()]
