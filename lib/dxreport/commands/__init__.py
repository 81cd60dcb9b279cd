"""Sub-commands of ``dxreport``: one module each, with ``register(subparsers)``.

To add a command, write ``commands/<name>.py`` with a ``register`` function and
add its name to :data:`dxreport.cli.COMMANDS`.
"""
