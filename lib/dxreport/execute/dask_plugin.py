"""Shut a Dask worker's warm kernel down with the worker, so no kernel outlives the cluster."""

from __future__ import annotations

from distributed.diagnostics.plugin import WorkerPlugin


class WarmKernelPlugin(WorkerPlugin):
    name = "dxreport-warm-kernel"

    def teardown(self, worker) -> None:
        from dxreport.execute import engine

        engine.shutdown_all()
