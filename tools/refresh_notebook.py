"""Re-execute a notebook on the sample data and keep only the outputs nbval checks.

Usage: python tools/refresh_notebook.py notebooks/city_quarterly.ipynb [...]

The committed notebooks carry the outputs of their ``# NBVAL_CHECK_OUTPUT``
cells (what ``make test`` compares) and nothing else, so a diff of a notebook
shows code changes, not rerun noise.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat
import papermill as pm

MARK = "# NBVAL_CHECK_OUTPUT"


def refresh(path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / path.name
        pm.execute_notebook(str(path), str(executed), kernel_name="python3", cwd=str(path.parent),
                            parameters={"output_dir": tmp}, progress_bar=False)
        nb = nbformat.read(executed, as_version=4)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        if not cell.source.lstrip().startswith(MARK):
            cell.outputs = []
        for output in cell.outputs:
            if "execution_count" in output:
                output["execution_count"] = count
    nb.metadata.pop("papermill", None)
    nbformat.write(nb, path)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        refresh(Path(arg))
        print("refreshed", arg)
