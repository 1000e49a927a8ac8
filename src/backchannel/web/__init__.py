"""The web workbench: a FastAPI app over the library (``backchannel serve``).

>>> from backchannel.web import create_app, Limits
>>> app = create_app(limits=Limits(max_states=10_000))
>>> app.title
'Backchannel workbench'
"""

from __future__ import annotations

from .app import create_app
from .settings import Limits

__all__ = ["Limits", "create_app"]
