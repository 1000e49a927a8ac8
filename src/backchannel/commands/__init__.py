"""Command-line commands, one module per analysis.

Each module defines ``register(app)`` that adds its commands to the typer app
(:mod:`backchannel.commands.cli` calls it). Modules import only typer at import time:
numpy, pydantic and the analyses are imported inside the command functions,
so that ``backchannel --help`` stays instant. Shared options and helpers are
in :mod:`backchannel.commands.common`.
"""
