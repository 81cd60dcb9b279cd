"""Kernels forked from one template process: real template, real kernels, real processes.

Every test starts its own template (about 5 s of imports) and kernels in threads,
as a batch's workers do; the ``forks`` fixture always shuts every kernel and the
template down, so a failing test leaves no process behind.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import nbformat
import pytest
from dxreport.execute import engine, kernel_template
from dxreport.execute.kernel_template import KERNEL

pytestmark = pytest.mark.slow

# Modules the template imports (directly or through dxreport's own modules) that a fresh kernel would not have.
PRELOADED = ["weasyprint", "pandas", "matplotlib.pyplot", "dxreport.execute.pipeline", "dxreport.publish.report"]

PROBE = """\
import json, os, sys
print(json.dumps({{
    "pid": os.getpid(), "ppid": os.getppid(), "cwd": os.getcwd(),
    "modules": [m for m in {modules!r} if m in sys.modules],
    "xoptions": dict(sys._xoptions), "probe_env": os.environ.get("DXREPORT_TEST_PROBE"),
    "stale_env": os.environ.get("DXREPORT_TEST_STALE"),
}}))
"""

needs_fork = pytest.mark.skipif(not kernel_template.supported(), reason="no pidfd_open/fork on this system")


def probe(warm) -> dict:
    """Run PROBE in a warm kernel, through its own client, as the engine runs a cell (same thread as engine.start)."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE.format(modules=PRELOADED))])
    client = NotebookClient(nb, km=warm.km, kernel_name=KERNEL, timeout=60)
    client.kc = warm.kc
    client.execute()
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("output_type") == "stream")
    return json.loads(text)


def start_kernels(cwd: Path, n: int = 1, preload: str = "") -> list[dict]:
    """Start ``n`` warm kernels concurrently, one per thread, as batch workers do; each answers PROBE.

    ``preload=""`` sends no import cell, so what PROBE sees in ``sys.modules`` is what the kernel started with.
    """
    boxes: list[dict] = [{} for _ in range(n)]

    def worker(box: dict) -> None:
        try:
            engine.start(KERNEL, str(cwd), preload=preload)
            warm = engine._kernel(KERNEL, str(cwd), 60)  # this thread's kernel, the one just started
            box["info"] = probe(warm)
            box["process"] = warm.km.provisioner.process
            box["sockets"] = warm._sockets
        except BaseException as e:  # re-raised in the test's thread
            box["error"] = e

    threads = [threading.Thread(target=worker, args=(box,), daemon=True) for box in boxes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a kernel did not start within 120 s"
    for box in boxes:
        if "error" in box:
            raise box["error"]
    return boxes


def pidfd(pid: int) -> int:
    """A handle on the process ``pid`` itself (opened while it is known to be alive, so never a reused pid)."""
    return os.pidfd_open(pid)


def exited(fd: int, timeout: float) -> bool:
    """Whether the process behind ``fd`` has ended within ``timeout`` seconds."""
    return bool(select.select([fd], [], [], timeout)[0])


def no_process(pid: int) -> bool:
    """No such process, or only a zombie (ended; an orphan waits a moment for PID 1 to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


@pytest.fixture
def forks(tmp_path, monkeypatch):
    """A template started in its own folder and a separate working folder for the kernels; always cleaned up."""
    assert kernel_template.current() is None, "a template from an earlier test is still running"
    monkeypatch.setenv("DXREPORT_TEST_STALE", "seen-by-the-template-only")
    home, work = tmp_path / "template-home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    fds: list[int] = []
    try:
        kernel_template.start(KERNEL, str(home))
        template = kernel_template.current()
        assert template is not None, "kernel_template.start did not start a template"
        yield template, work, fds
    finally:
        try:
            engine.shutdown_all()
        finally:
            kernel_template.stop()
            for fd in fds:
                os.close(fd)


@needs_fork
def test_kernels_are_forks_of_the_template_with_its_modules(forks, monkeypatch):
    template, work, fds = forks
    # Set after the template started: a forked kernel must get the manager's environment, not the template's.
    monkeypatch.setenv("DXREPORT_TEST_PROBE", "chosen-by-the-manager")
    monkeypatch.delenv("DXREPORT_TEST_STALE")
    a, b = start_kernels(work, n=2)
    ia, ib = a["info"], b["info"]
    for info, box in ((ia, a), (ib, b)):
        fds.append(pidfd(info["pid"]))
        assert info["ppid"] == template.process.pid, "the kernel is not a child of the template"
        assert info["ppid"] != os.getpid()
        assert isinstance(box["process"], kernel_template.ForkedKernel)
        assert box["process"].pid == info["pid"]
        assert box["process"].poll() is None
        # already imported by the template: no cell imported them (preload="")
        assert info["modules"] == PRELOADED
        assert info["cwd"] == str(work), "the kernel does not run in the folder it was asked for"
        assert info["xoptions"].get("frozen_modules") == "off", "the kernel spec's interpreter options were lost"
        assert info["probe_env"] == "chosen-by-the-manager"
        assert info["stale_env"] is None, "the kernel kept the template's environment"
    assert ia["pid"] != ib["pid"]


@needs_fork
def test_engine_start_with_its_default_preload_in_a_forked_kernel(forks):
    template, work, fds = forks
    (box,) = start_kernels(work, preload=engine.PRELOAD)
    info = box["info"]
    fds.append(pidfd(info["pid"]))
    assert info["ppid"] == template.process.pid
    assert info["modules"] == PRELOADED


@needs_fork
def test_a_forked_kernel_can_be_interrupted(forks):
    """A notebook's execution timeout interrupts the kernel (SIGINT to its process group) and goes on."""
    from nbclient import NotebookClient

    _, work, _ = forks
    box: dict = {}

    def worker() -> None:
        try:
            engine.start(KERNEL, str(work), preload="")
            warm = engine._kernel(KERNEL, str(work), 60)
            box["process"] = warm.km.provisioner.process
            box["sockets"] = warm._sockets
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time; time.sleep(60)"),
                                                 nbformat.v4.new_code_cell("print('still here')")])
            client = NotebookClient(nb, km=warm.km, kernel_name=KERNEL, timeout=2, interrupt_on_timeout=True,
                                    allow_errors=True)
            client.kc = warm.kc
            client.execute()
            box["outputs"] = [o.get("ename") or o.get("text") for cell in nb.cells for o in cell.outputs]
        except BaseException as e:
            box["error"] = e

    t = threading.Thread(target=worker, daemon=True)
    t.start()
    t.join(timeout=60)
    assert not t.is_alive(), "the interrupted cell was not stopped"
    if "error" in box:
        raise box["error"]
    assert isinstance(box["process"], kernel_template.ForkedKernel)
    assert box["outputs"] == ["KeyboardInterrupt", "still here\n"]


@needs_fork
def test_kernel_starts_the_usual_way_when_the_template_is_dead(forks):
    template, work, fds = forks
    template.process.kill()
    template.process.wait(timeout=10)
    (box,) = start_kernels(work)
    info = box["info"]
    fds.append(pidfd(info["pid"]))
    assert info["ppid"] == os.getpid(), "the fallback kernel is not a child of this process"
    assert isinstance(box["process"], subprocess.Popen)
    assert info["cwd"] == str(work)
    assert info["modules"] == [], "a kernel started the usual way cannot have the template's imports"


@needs_fork
def test_shutdown_leaves_no_kernel_nor_template(forks):
    template, work, fds = forks
    boxes = start_kernels(work, n=2)
    kernels = [box["info"]["pid"] for box in boxes]
    kernel_fds = [pidfd(pid) for pid in kernels]
    fds.extend(kernel_fds)
    folder = Path(template.address).parent
    assert folder.is_dir() and Path(template.address).exists()
    assert all(not exited(fd, 0) for fd in kernel_fds)

    sockets = [Path(box["sockets"]) for box in boxes]
    assert all(any(folder.iterdir()) for folder in sockets), "the kernels do not talk over IPC sockets"
    engine.shutdown_all()
    for pid, fd in zip(kernels, kernel_fds):
        assert exited(fd, 10), f"kernel {pid} still runs after engine.shutdown_all()"
    assert not any(folder.exists() for folder in sockets), "a kernel's IPC socket folder was left behind"
    kernel_template.stop()
    assert kernel_template.current() is None
    assert template.process.returncode is not None, "the template was not waited for"
    # gone and reaped, not zombies: the template reaps its forks, this process reaps the template
    for pid in [*kernels, template.process.pid]:
        assert not Path(f"/proc/{pid}").exists(), f"process {pid} remains"
    assert not folder.exists(), "the template's socket folder was left behind"


@needs_fork
def test_template_and_its_kernels_exit_when_the_batch_goes_away(forks):
    template, work, fds = forks
    (box,) = start_kernels(work)
    info = box["info"]
    fd = pidfd(info["pid"])
    fds.append(fd)
    assert info["ppid"] == template.process.pid
    assert not exited(fd, 0)

    template.process.stdin.close()  # what the batch's death does to the pipe
    assert template.process.wait(timeout=10) == 0
    assert not Path(template.address).parent.exists(), "the template left its socket folder behind"
    # ipykernel's parent poller (every second) sees its parent, the template, gone
    assert exited(fd, 5), "a kernel forked from the template outlived it"
    assert no_process(info["pid"])
    assert box["process"].poll() is not None


def test_kernel_args_splits_a_standard_ipykernel_command():
    cmd = ["/x/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"]
    assert kernel_template.kernel_args(cmd) == (["/x/python", "-Xfrozen_modules=off"], ["-f", "c.json"])
    assert kernel_template.kernel_args(["/x/python", "-m", "ipykernel_launcher"]) == (["/x/python"], [])
    assert kernel_template.kernel_args(["/x/python", "-m", "other_kernel", "-f", "c.json"]) is None
    assert kernel_template.kernel_args(["/x/python", "ipykernel_launcher", "-f", "c.json"]) is None
    assert kernel_template.kernel_args(["/x/python", "-f", "c.json", "-m"]) is None
    assert kernel_template.kernel_args([]) is None


def _spec(tmp_path: Path, monkeypatch, spec: dict) -> None:
    folder = tmp_path / "jupyter" / "kernels" / "dxtest"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))


def test_kernel_argv_runs_a_bare_python_as_this_interpreter(tmp_path, monkeypatch):
    # the kernel spec an ipykernel wheel ships says "python"; jupyter_client runs it as sys.executable
    _spec(tmp_path, monkeypatch, {"argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                  "language": "python", "display_name": "x"})
    argv = kernel_template.kernel_argv("dxtest")
    assert argv == [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert kernel_template.kernel_argv("no-such-kernel-spec") is None


def test_kernel_spec_with_its_own_env_is_not_forked(tmp_path, monkeypatch):
    # the template imports under the batch's environment; the spec's env would only reach the kernel after it
    _spec(tmp_path, monkeypatch, {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                  "env": {"OMP_NUM_THREADS": "1"}, "language": "python", "display_name": "x"})
    assert kernel_template.kernel_argv("dxtest") is None
    kernel_template.start("dxtest", str(tmp_path))
    try:
        assert kernel_template.current() is None
    finally:
        kernel_template.stop()


def test_socket_folder_is_short_enough_for_unix_sockets(tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    folder = kernel_template.socket_folder("dxreport-kernel-")
    try:
        assert folder is not None and not folder.startswith(str(deep))
        assert len(os.fsencode(os.path.join(folder, "kernel-12345"))) <= 107
        assert oct(os.stat(folder).st_mode & 0o777) == "0o700"
    finally:
        if folder:
            os.rmdir(folder)
