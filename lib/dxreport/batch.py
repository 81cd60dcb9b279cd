"""Every report of a quarter in one call: parallel, warm, incremental, on one machine or a Dask cluster.

Each worker process keeps one warm kernel (:mod:`dxreport.engine`) and builds
jobs one after another; a failing job is reported and the others go on. The
store is brought up to date once, before any worker starts, so the notebooks
only read it.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Callable, Iterable

from . import manifest
from .errors import DxError
from .run import Job, JobResult, build, input_files

Progress = Callable[[JobResult], None]


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def prepare(jobs: list[Job], root: Path) -> dict[Path, str]:
    """Ingest every submissions folder once; hash the inputs the jobs share, once."""
    from .workspace import ingest_new

    done: set[tuple[Path, Path]] = set()
    for job in jobs:
        key = (root / job.params.submissions, root / job.params.database)
        if key not in done:
            ingest_new(key[0], key[1], root)
            done.add(key)
    digests: dict[Path, str] = {}
    for job in jobs:
        for f in input_files(root, job):
            if f not in digests:
                digests[f] = manifest.sha256_file(f)
    return digests


def run_job(job: Job, root: Path, force: bool, digests: dict[Path, str], warm: bool = True) -> JobResult:
    """Build one job in this process; every failure becomes a result, never an exception."""
    from .engine import NAME

    try:
        return build(job, root, engine=NAME if warm else None, force=force, digests=digests)
    except DxError as e:
        return JobResult(job.label, "failed", str(job.output_dir(root).relative_to(root)), message=str(e))
    except Exception as e:  # a worker must report, not die: the other reports go on
        return JobResult(job.label, "failed", str(job.output_dir(root).relative_to(root)), message=f"{type(e).__name__}: {e}")


def _worker_init() -> None:
    from multiprocessing.util import Finalize

    from . import engine

    # Pool workers leave through os._exit, which skips atexit: shut the kernel down here.
    Finalize(None, engine.shutdown_all, exitpriority=10)


def _local(jobs: list[Job], root: Path, workers: int, force: bool, digests: dict[Path, str], warm: bool,
           progress: Progress) -> list[JobResult]:
    results: list[JobResult] = []
    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads or sockets
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init) as pool:
        pending = {pool.submit(run_job, job, root, force, digests, warm): job for job in jobs}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                try:
                    result = future.result()
                except Exception as e:  # the worker process itself died
                    result = JobResult(job.label, "failed", str(job.output_dir(root).relative_to(root)),
                                       message=f"tiến trình xử lý dừng đột ngột: {type(e).__name__}: {e}")
                results.append(result)
                progress(result)
    return results


def _dask(jobs: list[Job], root: Path, workers: int, force: bool, digests: dict[Path, str], warm: bool,
          progress: Progress, scheduler: str | None) -> list[JobResult]:
    from dask.distributed import Client, LocalCluster, as_completed

    from .dask_plugin import WarmKernelPlugin

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               host="127.0.0.1")
        client = Client(cluster)
    try:
        client.register_plugin(WarmKernelPlugin())
        futures = {client.submit(run_job, job, root, force, digests, warm, pure=False, key=f"dxreport-{i}"): job
                   for i, job in enumerate(jobs)}
        results = []
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as e:
                result = JobResult(job.label, "failed", str(job.output_dir(root).relative_to(root)),
                                   message=f"máy xử lý Dask lỗi: {type(e).__name__}: {e}")
            results.append(result)
            progress(result)
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_batch(jobs: list[Job], root: Path, *, workers: int | None = None, executor: str = "local",
              scheduler: str | None = None, force: bool = False, warm: bool = True,
              progress: Progress | None = None) -> list[JobResult]:
    """Build ``jobs``; results come back in the order of ``jobs``."""
    workers = workers or default_workers()
    progress = progress or (lambda result: None)
    digests = prepare(jobs, root)
    order = {job.label: i for i, job in enumerate(jobs)}
    if executor == "dask":
        results = _dask(jobs, root, workers, force, digests, warm, progress, scheduler)
    elif workers == 1:
        from . import engine

        results = []
        try:
            for job in jobs:
                results.append(run_job(job, root, force, digests, warm))
                progress(results[-1])
        finally:
            engine.shutdown_all()
    else:
        results = _local(jobs, root, workers, force, digests, warm, progress)
    return sorted(results, key=lambda r: order[r.label])


def summary(results: Iterable[JobResult]) -> dict[str, int]:
    counts = {"built": 0, "unchanged": 0, "failed": 0}
    for r in results:
        counts[r.status] += 1
    return counts
