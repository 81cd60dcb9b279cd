"""Every report of a quarter in one call: parallel, warm, incremental, on one machine or a Dask cluster.

Each worker — a thread of this process, or of a Dask worker — keeps one warm
kernel (:mod:`dxreport.execute.engine`) and builds jobs one after another; a failing
job is reported and the others go on. The
store is brought up to date once, before any worker starts, so the notebooks
only read it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from dxreport.domain.errors import DxError
from dxreport.execute.run import Job, JobResult, build, input_files, recover_reports, up_to_date
from dxreport.publish import manifest

Progress = Callable[[JobResult], None]


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def prepare(jobs: list[Job], root: Path) -> dict[Path, str]:
    """Ingest every submissions folder once; hash the inputs the jobs share, and each store, once."""
    from dxreport.domain import paths
    from dxreport.execute.workspace import ingest_new

    done: set[tuple[Path, Path]] = set()
    for job in jobs:
        key = (root / str(job.params.submissions), root / str(job.params.database))
        if key not in done:
            ingest_new(key[0], key[1], root, paths.city_dir(root, job.params.city))
            done.add(key)
    from dxreport import store
    from dxreport.execute.run import store_key

    digests: dict[Path, str] = {}
    for job in jobs:
        key = store_key(root, job)
        if key not in digests:
            digests[key] = store.fingerprint(root / job.params.database)
        for f in input_files(root, job):
            if f not in digests:
                digests[f] = manifest.sha256_file(f)
    return digests


def run_job(job: Job, root: Path, force: bool, digests: dict[Path, str], warm: bool = True) -> JobResult:
    """Build one job in this process; every failure becomes a result, never an exception."""
    from dxreport.execute.engine import NAME

    try:
        return build(job, root, engine=NAME if warm else None, force=force, digests=digests)
    except DxError as e:
        return JobResult(job.label, "failed", str(job.output_dir(root).relative_to(root)), message=str(e))
    except BaseException as e:  # a worker must answer for every job it took, whatever happened; the others go on
        return JobResult(job.label, "failed", str(job.output_dir(root).relative_to(root)), message=f"{type(e).__name__}: {e}")


def _local(jobs: list[Job], root: Path, workers: int, force: bool, digests: dict[Path, str] | None, warm: bool,
           progress: Progress) -> list[JobResult]:
    """``workers`` threads of this process, each driving its own warm kernel, take jobs from one queue.

    The work runs in the kernels, which are processes of their own; the
    threads only send cells and write files. Threads rather than worker
    processes: a worker process would import papermill and nbconvert again
    before starting its kernel, seconds spent before the first report.
    Kernels start at once, while this thread hashes the inputs.
    """
    import queue
    import threading

    from dxreport.domain import paths
    from dxreport.execute import engine
    from dxreport.execute.run import KERNEL

    cwd = str(paths.notebooks_dir(root))
    todo: queue.Queue = queue.Queue()
    done: queue.Queue = queue.Queue()
    ready = threading.Event()  # set when the digests are known and the jobs queued

    def worker() -> None:
        try:
            if warm:
                try:
                    engine.start(KERNEL, cwd)
                except Exception:  # reported by the first job, which starts the kernel again and fails with the cause
                    engine.discard()
            ready.wait()
            while True:
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                done.put((job, run_job(job, root, force, digests, warm)))
        finally:
            engine.discard()

    threads = [threading.Thread(target=worker, name=f"dxreport-{k}", daemon=True) for k in range(workers)]
    for t in threads:
        t.start()
    results: list[JobResult] = []
    try:
        if digests is None:  # the workers read it once `ready` is set
            digests = prepare(jobs, root)
        for job in jobs:
            todo.put(job)
        ready.set()
        while len(results) < len(jobs):
            _, result = done.get()
            results.append(result)
            progress(result)
    except BaseException:  # interrupted: no new job starts, and the kernels are stopped under the running ones
        while not todo.empty():
            try:
                todo.get_nowait()
            except queue.Empty:
                break
        ready.set()
        engine.shutdown_all()
        raise
    finally:
        for t in threads:
            t.join()
    return results


def _dask(jobs: list[Job], root: Path, workers: int, force: bool, warm: bool,
          progress: Progress, scheduler: str | None, digests: dict[Path, str] | None) -> list[JobResult]:
    from dask.distributed import Client, LocalCluster, as_completed

    from dxreport.execute.dask_plugin import WarmKernelPlugin

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler)  # waits distributed.comm.timeouts.connect (Dask's setting, 30 s by default)
        except (OSError, TimeoutError) as e:
            raise DxError(f"không kết nối được bộ lập lịch Dask {scheduler}: {e}") from None
    else:
        import dask

        # Worker threads, not processes: a job's work runs in its worker's kernel, a process of its own, so
        # threads run jobs in parallel without each worker paying a Python start-up and the imports.
        # Less housekeeping in this process, whose CPU and GIL the kernels' messages need: no statistical
        # profiler (it samples every thread every 10 ms for a dashboard we do not start: 3 s of CPU in a
        # one-worker batch); no memory limit (the workers are threads sharing this process, so theirs is
        # meaningless, and each would read its size every 100 ms); the system monitor every 5 s instead of
        # 500 ms and the event-loop health tick every 200 ms instead of 20 ms (1.35 s of callbacks in a
        # two-worker batch).
        housekeeping = {"distributed.worker.profile.enabled": False, "distributed.admin.system-monitor.interval": "5s",
                        "distributed.admin.system-monitor.disk": False, "distributed.admin.tick.interval": "200ms"}
        with dask.config.set(housekeeping):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=None,
                                   memory_limit=0)
        client = Client(cluster)
    try:
        client.register_plugin(WarmKernelPlugin())
        if warm:  # each worker starts its kernel (in its task thread, where the jobs will use it) while this process hashes
            from dxreport.domain import paths
            from dxreport.execute import engine
            from dxreport.execute.run import KERNEL

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
    from dxreport.domain import paths
    from dxreport.execute import kernel_template
    from dxreport.execute.run import KERNEL

    workers = workers or default_workers()
    progress = progress or (lambda result: None)
    # Kernels in this process (not those of a cluster's own workers) are forked from one template, which starts
    # importing now if the caller has not started it already; an unchanged quarter only stops it again.
    template = bool(jobs) and warm and (executor == "local" or not scheduler)
    if template:
        kernel_template.start(KERNEL, str(paths.notebooks_dir(root)))
    try:
        return _run_batch(jobs, root, workers, executor, scheduler, force, warm, progress)
    finally:
        kernel_template.stop()


def _run_batch(jobs: list[Job], root: Path, workers: int, executor: str, scheduler: str | None, force: bool,
               warm: bool, progress: Progress) -> list[JobResult]:
    order = {job.label: i for i, job in enumerate(jobs)}
    results: list[JobResult] = []
    recover_reports(root, [job.params.city for job in jobs])  # a run killed mid-publish is finished before anything else
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
    else:
        results += _local(jobs, root, min(workers, len(jobs)), force, digests, warm, progress)
    return sorted(results, key=lambda r: order[r.label])


def summary(results: Iterable[JobResult]) -> dict[str, int]:
    counts = {"built": 0, "unchanged": 0, "failed": 0}
    for r in results:
        counts[r.status] += 1
    return counts
