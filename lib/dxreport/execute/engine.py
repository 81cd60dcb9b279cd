"""A papermill engine that keeps one kernel warm across notebooks.

Starting a kernel and importing pandas, matplotlib and WeasyPrint costs 3–4 s
of a core; a quarter's batch has one report per unit. This engine keeps one
kernel per worker thread (forked from :mod:`dxreport.execute.kernel_template` when it
runs, so even the first notebook finds the imports done) and, before each
notebook, wipes what a previous notebook could have left
(:func:`dxreport.execute.kernel_state.reset`): the user namespace (as ``%reset -f``
does, without its full garbage collection, which alone cost 0.25 s a report),
dxreport's caches (except those keyed by a file's identity that hold immutable
values), open figures and matplotlib settings, the working folder and the
execution counter. Modules stay imported, which is the whole saving.

The notebooks themselves are unchanged: stock ``papermill`` on the same
notebook gives the same report (``tests/test_batch.py`` compares the bytes).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import nbformat
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.utils import merge_kwargs, remove_args

from dxreport.execute import kernel_template
from dxreport.execute.kernel_template import PRELOAD_MODULES

NAME = "dxreport-warm"


# Sent as one silent cell; the counter is set so the notebook's first cell is [1], as in a fresh kernel.
# dxreport.execute.kernel_state imports nothing heavy: importing this module there would bring papermill into every kernel.
RESET = "__import__('dxreport.execute.kernel_state').execute.kernel_state.reset(get_ipython(), {cwd!r})"


class _WarmKernel:
    """One started kernel and its client, owned by one thread of one process."""

    def __init__(self, kernel_name: str, cwd: str, startup_timeout: int):
        from nbclient import NotebookClient

        self.kernel_name = kernel_name
        # "immediate": at the end of a batch the kernel holds nothing worth a graceful shutdown
        self._starter = NotebookClient(nbformat.v4.new_notebook(), kernel_name=kernel_name, startup_timeout=startup_timeout,
                                       shutdown_kernel="immediate")
        self._starter.km = self._starter.create_kernel_manager()
        # IPC sockets in a private folder (mode 0700) rather than TCP ports on loopback that any local user
        # can reach; and no "running over TCP without encryption" warning from every kernel in the job's log.
        # TCP still where no temporary folder is short enough for a socket's path.
        self._sockets = kernel_template.socket_folder("dxreport-kernel-") if os.name == "posix" else None
        try:
            if self._sockets:
                self._starter.km.transport = "ipc"
                self._starter.km.ip = os.path.join(self._sockets, "kernel")
            template = kernel_template.current()
            if template is not None:
                template.adopt(self._starter.km)
            self._starter.start_new_kernel(cwd=cwd)
            self._starter.start_new_kernel_client()
        except BaseException:
            self.shutdown()
            raise
        self.km, self.kc = self._starter.km, self._starter.kc

    def alive(self) -> bool:
        from nbclient.util import run_sync

        return bool(run_sync(self.km.is_alive)())

    def reset(self, cwd: str) -> None:
        from nbclient import NotebookClient

        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(RESET.format(cwd=cwd))])
        client = NotebookClient(nb, km=self.km, kernel_name=self.kernel_name)
        client.kc = self.kc
        client.execute()

    def shutdown(self) -> None:
        try:
            self._starter._cleanup_kernel()
        except Exception:  # the process is ending; nothing useful to report
            pass
        if self._sockets:
            shutil.rmtree(self._sockets, ignore_errors=True)


_local = threading.local()
_all: list[_WarmKernel] = []
_lock = threading.Lock()


def _kernel(kernel_name: str, cwd: str, startup_timeout: int) -> _WarmKernel:
    warm = getattr(_local, "kernel", None)
    if warm is not None and (warm.kernel_name != kernel_name or not warm.alive()):
        warm.shutdown()
        warm = None
    if warm is None:
        warm = _WarmKernel(kernel_name, cwd, startup_timeout)
        _local.kernel = warm
        with _lock:
            _all.append(warm)
    return warm


# Imported into a kernel before its first notebook (a no-op in a kernel forked from the template, which has them).
PRELOAD = "import " + ", ".join(PRELOAD_MODULES)


def start(kernel_name: str, cwd: str, startup_timeout: int = 60, preload: str = PRELOAD) -> None:
    """Start this thread's kernel now (a batch worker does it before its first job)."""
    from nbclient import NotebookClient

    warm = _kernel(kernel_name, cwd, startup_timeout)
    if preload:
        client = NotebookClient(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(preload)]), km=warm.km,
                                kernel_name=kernel_name)
        client.kc = warm.kc
        client.execute()


def discard() -> None:
    """Forget this thread's kernel (after a failure, so the next notebook starts clean)."""
    warm = getattr(_local, "kernel", None)
    if warm is not None:
        warm.shutdown()
        _local.kernel = None


def shutdown_all() -> None:
    with _lock:
        for warm in _all:
            warm.shutdown()
        _all.clear()
    _local.kernel = None


class WarmEngine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        cwd = kwargs.get("resources", {}).get("metadata", {}).get("path") or str(Path.cwd())
        warm = _kernel(kernel_name, cwd, start_timeout)
        try:
            warm.reset(cwd)
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                        kernel_name=kernel_name, log_output=log_output,
                                        stdout_file=stdout_file, stderr_file=stderr_file)
            client = PapermillNotebookClient(nb_man, km=warm.km, **final_kwargs)
            client.kc = warm.kc
            return client.execute()
        except BaseException:
            discard()  # a notebook that failed may have left anything behind
            raise


papermill_engines.register(NAME, WarmEngine)
