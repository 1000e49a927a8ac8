"""The JSON API of the workbench, under ``/api``.

Routes hold no analysis logic: they resolve a case (by id or text), hand the
work to the library in a worker thread with a time limit, and return the
library's results (the same JSON as the command line's ``--format json``).
Every error is ``{"error", "loc", "line", "hint"}`` with a 4xx status.
"""

from __future__ import annotations

from fastapi import APIRouter

from .resolve import ERRORS
from .routes_analyses import router as analyses
from .routes_cases import router as cases
from .routes_draft import router as drafting
from .routes_runs import router as runs
from .routes_whatif import router as whatif

__all__ = ["router"]

router = APIRouter(responses=ERRORS)
for part in (cases, analyses, runs, drafting, whatif):
    router.include_router(part)
