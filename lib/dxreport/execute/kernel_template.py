"""Warm kernels forked from one process that has already imported what every report needs.

A kernel started the usual way is a new Python that imports IPython, then the
notebook imports pandas, matplotlib, DuckDB and WeasyPrint: 3–4 s of one core
per kernel before its first report. A batch instead starts one *template*
process that does those imports once, while the batch hashes its inputs; each
worker's kernel is then a fork of it, ready in a fraction of a second, with the
imported modules shared copy-on-write.

The forked kernel is the same ``ipykernel`` a kernel spec would launch, from
the same interpreter, with the environment, working folder and connection file
the kernel manager chose; only the imports were done before the fork (under
the batch's environment: a kernel spec with an ``env`` of its own is launched
the usual way). Nothing
a notebook runs is done in the template. Where forking is not possible (no
``os.pidfd_open``, a kernel spec that does not launch ``ipykernel_launcher``,
a template that failed to start, no temporary folder short enough for a Unix
socket), kernels start the usual way.

Run as ``python -m dxreport.execute.kernel_template FD MODULES FOLDER``: FD is a
listening Unix socket inherited from the batch, bound in FOLDER; the template
exits, removing FOLDER, when its standard input (a pipe from the batch) closes.
"""

from __future__ import annotations

import functools
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

LAUNCHER = "ipykernel_launcher"
KERNEL = "python3"  # the kernel spec every report notebook runs in
# What every report imports; the template imports it once for all kernels of a batch.
PRELOAD_MODULES = ["dxreport.execute.pipeline", "dxreport.compute.quality", "dxreport.publish.report", "dxreport.execute.workspace", "weasyprint",
                   "matplotlib.pyplot", "dxreport.execute.kernel_state"]


def kernel_args(cmd: list[str]) -> tuple[list[str], list[str]] | None:
    """(interpreter and its options, the launcher's arguments) of a standard ipykernel command, else None."""
    for i in range(len(cmd) - 1):
        if cmd[i] == "-m" and cmd[i + 1] == LAUNCHER:
            return cmd[:i], cmd[i + 2:]
    return None


# --------------------------------------------------------------------------- the batch's side


# A Unix socket's path holds at most 107 bytes on Linux; what a folder from socket_folder() leaves for names.
SOCKET_NAME_ROOM = 24


def socket_folder(prefix: str) -> str | None:
    """A new private (0700) folder for Unix sockets whose paths fit, or None when no temporary folder is short enough."""
    for base in (tempfile.gettempdir(), "/tmp"):
        if len(os.fsencode(base)) + len(prefix) + 10 + SOCKET_NAME_ROOM <= 107 and os.access(base, os.W_OK | os.X_OK):
            return tempfile.mkdtemp(prefix=prefix, dir=base)
    return None


class Template:
    """The template process, and the socket its forks are asked for on."""

    def __init__(self, interpreter: list[str], cwd: str, modules: str):
        folder = socket_folder("dxreport-kernels-")
        if folder is None:
            raise OSError("không có thư mục tạm đủ ngắn cho socket của mẫu kernel")
        self._dir = folder
        self.address = os.path.join(folder, "template.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(self.address)
            listener.listen(64)
            # Bound before the template starts, so a request made now waits for it instead of failing. A session of
            # its own: Ctrl-C in the terminal is for the batch, which stops the template itself.
            self.process = subprocess.Popen([*interpreter, "-m", __name__, str(listener.fileno()), modules, folder],
                                            pass_fds=[listener.fileno()], stdin=subprocess.PIPE, cwd=cwd,
                                            start_new_session=True)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            listener.close()
        self.interpreter = interpreter

    def fork(self, args: list[str], env: dict[str, str], cwd: str, timeout: float) -> int:
        """A new kernel's pid; raises OSError when the template cannot give one."""
        request = json.dumps({"args": args, "env": env, "cwd": cwd}).encode() + b"\n"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(self.address)
            conn.sendall(request)
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    raise OSError("mẫu kernel dừng trước khi trả lời")
                reply += chunk
        return int(json.loads(reply)["pid"])

    def adopt(self, km) -> None:
        """Make the kernel manager ``km`` (not yet started) fork its kernel from this template."""
        import uuid

        km.kernel_id = km.kernel_id or str(uuid.uuid4())
        km.provisioner = _provisioner_class()(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
        km.provisioner.template = self

    def close(self) -> None:
        """Stop the template at once, even mid-import: it holds nothing to save.

        Kernels forked from it watch it as their parent and leave with it, so a batch stops it after them.
        """
        try:
            self.process.stdin.close()
        except OSError:
            pass
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self._dir, ignore_errors=True)


class ForkedKernel:
    """The parts of ``subprocess.Popen`` a provisioner uses, for a kernel that is not this process's child.

    Its exit is watched through a pidfd, which follows the process itself
    rather than its pid (the template reaps its forks at once, freeing the pid).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._fd], [], [], 0)[0]:
            self._exited()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self._fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            self._exited()
        return self.returncode

    def _exited(self) -> None:
        self.returncode = 0  # the template reaps it; its status is not known here
        os.close(self._fd)

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            signal.pidfd_send_signal(self._fd, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


@functools.lru_cache(maxsize=1)
def _provisioner_class():
    # jupyter_client costs 0.3 s to import; the template is started before it is needed.
    from jupyter_client.provisioning import LocalProvisioner

    class ForkingProvisioner(LocalProvisioner):
        """Launches the kernel command as a fork of the template when it can, the usual way otherwise."""

        template: Template | None = None

        async def launch_kernel(self, cmd: list[str], **kwargs):
            parts = kernel_args(cmd)
            template = self.template
            if template is not None and parts is not None and parts[0] == template.interpreter:
                try:
                    pid = template.fork(parts[1], dict(kwargs.get("env") or os.environ),
                                        str(kwargs.get("cwd") or Path.cwd()), timeout=120)
                except (OSError, ValueError, KeyError):
                    pass  # the template is gone or broken: start this kernel the usual way
                else:
                    self.process = ForkedKernel(pid)
                    self.pid = self.pgid = pid  # the kernel leads its own session, as a launched kernel does
                    self.cwd = kwargs.get("cwd", Path.cwd())
                    return self.connection_info
            return await super().launch_kernel(cmd, **kwargs)

        async def send_signal(self, signum: int) -> None:
            # The parent class signals the kernel's process group by number; once the kernel is known to be gone
            # (and reaped by the template), that number may be another process's, so nothing is sent.
            if isinstance(self.process, ForkedKernel) and self.process.poll() is not None:
                return
            await super().send_signal(signum)

    return ForkingProvisioner


def __getattr__(name: str):
    if name == "ForkingProvisioner":
        return _provisioner_class()
    raise AttributeError(name)


def kernel_argv(kernel_name: str) -> list[str] | None:
    """The command of the kernel spec ``kernel_name`` as jupyter_client will run it, found where it looks first,
    without importing it (0.3 s); None when the spec is missing or sets an environment of its own.

    A spec's ``env`` applies only after the fork, while the template imported
    under this process's environment; such a kernel starts the usual way.
    """
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("kernels"):
        path = Path(folder) / kernel_name / "kernel.json"
        if path.is_file():
            try:
                spec = json.loads(path.read_text(encoding="utf-8"))
                argv = spec["argv"]
            except (OSError, ValueError, KeyError, TypeError):
                return None
            if spec.get("env") or not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv)):
                return None
            # jupyter_client runs a spec's bare "python" (the one an ipykernel wheel ships) as its own interpreter
            if argv[0] in {"python", f"python{sys.version_info[0]}", "python%i.%i" % sys.version_info[:2]}:
                argv = [sys.executable, *argv[1:]]
            return argv
    return None


def supported() -> bool:
    return hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal") and hasattr(os, "fork")


_current: Template | None = None
_lock = threading.Lock()


def current() -> Template | None:
    return _current


def start(kernel_name: str, cwd: str) -> None:
    """Start this process's template for ``kernel_name`` now, if forking is possible and it is not running yet.

    Started as early as possible (the ``dxreport run`` command does it before
    planning), so its imports overlap with everything done before the first report.
    """
    global _current
    with _lock:
        if _current is not None or not supported():
            return
        argv = kernel_argv(kernel_name)
        parts = kernel_args(argv) if argv else None
        # A kernel manager that resolves the spec otherwise launches the command it finds, the usual way.
        if parts is not None:
            try:
                _current = Template(parts[0], cwd, ",".join(PRELOAD_MODULES))
            except OSError:
                _current = None  # no template: the kernels start the usual way


def stop() -> None:
    global _current
    with _lock:
        if _current is not None:
            _current.close()
            _current = None


# --------------------------------------------------------------------------- the template's side


def _serve(listener: socket.socket) -> None:
    # Forked kernels are reaped by the system; their managers watch them through pidfds.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 4096):
            return  # the batch closed the pipe, or died
        if listener in ready:
            conn, _ = listener.accept()
            with conn:
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if not data.endswith(b"\n"):
                    continue
                request = json.loads(data)
                pid = os.fork()
                if pid == 0:
                    _kernel(listener, conn, request)  # never returns
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")


def _kernel(listener: socket.socket, conn: socket.socket, request: dict) -> None:
    """In the fork: become the kernel the launcher would have started."""
    code = 1
    try:
        listener.close()
        conn.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=request["args"])
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def main(argv: list[str]) -> int:
    try:
        return _main(argv)
    finally:  # the socket's folder goes with the template, even when the batch died without stopping it
        if len(argv) > 3 and os.path.basename(argv[3]).startswith("dxreport-kernels-"):
            shutil.rmtree(argv[3], ignore_errors=True)


def _main(argv: list[str]) -> int:
    listener = socket.socket(fileno=int(argv[1]))
    # As ipykernel_launcher does: the working folder is not an import path.
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]
    # What ipykernel sets before a notebook's first import; and a kernel watches its parent, this process.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ["JPY_PARENT_PID"] = str(os.getpid())
    import importlib

    importlib.import_module("ipykernel.kernelapp")
    for name in filter(None, (m.strip() for m in argv[2].split(","))):
        importlib.import_module(name)
    _serve(listener)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
