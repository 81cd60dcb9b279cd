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
from .run import Job, JobResult, build, input_files, up_to_date

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


def _worker_init(cwd: str | None) -> None:
    from multiprocessing.util import Finalize

    from . import engine
    from .run import KERNEL

    # Pool workers leave through os._exit, which skips atexit: shut the kernel down here.
    Finalize(None, engine.shutdown_all, exitpriority=10)
    if cwd:
        engine.start(KERNEL, cwd)


# Imported once by the fork server, so each worker starts with them instead of importing them again.
PRELOAD = ["dxreport.run", "dxreport.engine", "papermill", "nbclient", "nbconvert", "pandas"]


def _local(jobs: list[Job], root: Path, workers: int, force: bool, digests: dict[Path, str] | None, warm: bool,
           progress: Progress) -> list[JobResult]:
    from . import paths

    results: list[JobResult] = []
    # A fork server, not a fork of this process (which may hold threads): workers start from its preloaded state.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    cwd = str(paths.notebooks_dir(root)) if warm else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init, initargs=(cwd,)) as pool:
        # Workers start their kernels while this process hashes the inputs.
        starting = [pool.submit(int, 0) for _ in range(workers)]
        digests = prepare(jobs, root) if digests is None else digests
        for f in starting:
            f.result()
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


def _dask(jobs: list[Job], root: Path, workers: int, force: bool, warm: bool,
          progress: Progress, scheduler: str | None, digests: dict[Path, str] | None) -> list[JobResult]:
    from dask.distributed import Client, LocalCluster, as_completed

    from .dask_plugin import WarmKernelPlugin

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler)  # waits distributed.comm.timeouts.connect (Dask's setting, 30 s by default)
        except (OSError, TimeoutError) as e:
            raise DxError(f"không kết nối được bộ lập lịch Dask {scheduler}: {e}") from None
    else:
        # Worker threads, not processes: a job's work runs in its worker's kernel, a process of its own, so
        # threads run jobs in parallel without each worker paying a Python start-up and the imports.
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=None)
        client = Client(cluster)
    try:
        client.register_plugin(WarmKernelPlugin())
        if warm:  # each worker starts its kernel (in its task thread, where the jobs will use it) while this process hashes
            from . import engine, paths
            from .run import KERNEL

            cwd = str(paths.notebooks_dir(root))
            starting = [client.submit(engine.start, KERNEL, cwd, workers=[address], pure=False, key=f"dxreport-start-{k}")
                        for k, address in enumerate(client.scheduler_info()["workers"])]
        digests = prepare(jobs, root) if digests is None else digests
        if warm:
            client.gather(starting)
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
    """Build ``jobs``; results come back in the order of ``jobs``.

    Without ``force``, reports whose manifest matches are settled here, before
    any worker or kernel starts; with it, workers start while the inputs are hashed.
    """
    workers = workers or default_workers()
    progress = progress or (lambda result: None)
    order = {job.label: i for i, job in enumerate(jobs)}
    results: list[JobResult] = []
    digests = None
    if not force:
        digests = prepare(jobs, root)
        stale = []
        for job in jobs:
            if up_to_date(job, root, digests):
                results.append(JobResult(job.label, "unchanged", str(job.output_dir(root).relative_to(root))))
                progress(results[-1])
            else:
                stale.append(job)
        jobs = stale
    if not jobs:
        pass
    elif executor == "dask":
        results += _dask(jobs, root, workers, force, warm, progress, scheduler, digests)
    elif min(workers, len(jobs)) == 1:
        from . import engine

        digests = digests or prepare(jobs, root)
        try:
            for job in jobs:
                results.append(run_job(job, root, force, digests, warm))
                progress(results[-1])
        finally:
            engine.shutdown_all()
    else:
        results += _local(jobs, root, min(workers, len(jobs)), force, digests, warm, progress)
    return sorted(results, key=lambda r: order[r.label])


def summary(results: Iterable[JobResult]) -> dict[str, int]:
    counts = {"built": 0, "unchanged": 0, "failed": 0}
    for r in results:
        counts[r.status] += 1
    return counts
