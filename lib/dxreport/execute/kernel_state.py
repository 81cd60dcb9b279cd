"""What a warm kernel runs before each notebook, so that it starts as a fresh kernel would.

Kept apart from :mod:`dxreport.execute.engine` because it runs inside the kernel:
importing the engine there would import papermill, nbformat and jsonschema
into every kernel, seconds before its first report.
"""

from __future__ import annotations


def reset(shell, cwd: str) -> None:
    """Run inside the kernel before every notebook: leave it as a fresh kernel would be, imports aside."""
    import os
    import sys

    def clear_namespace() -> None:
        for name in [k for k in shell.user_ns if k not in shell.user_ns_hidden and not k.startswith("__")]:
            del shell.user_ns[name]

    clear_namespace()
    shell.user_ns["_oh"].clear()
    shell.user_ns.update({"_": "", "__": "", "___": ""})
    os.chdir(cwd)
    for name, module in list(sys.modules.items()):
        if name == "dxreport" or name.startswith("dxreport."):
            for value in list(vars(module).values()):
                if (callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == name
                        and not getattr(value, "survives_reset", False)):
                    value.cache_clear()
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "matplotlib" in sys.modules:
        sys.modules["matplotlib"].rcdefaults()
    clear_namespace()  # the names this cell itself bound
    shell.execution_count = 1
