"""Route: the what-if preview — scenario probabilities of an edited case, at once.

The what-if panel sends the case as the analyst has changed it (a statement's
probability, an ordering's weight, an uncertain pair's probability) and shows
the probabilities it gives.  Two methods can answer:

- ``monte_carlo``: a quick Monte Carlo preview (few samples, a fixed seed, so
  the same sliders give the same numbers), labelled as such with its
  intervals;
- ``exact``: exact enumeration of the discrete uncertainty, when the
  installation has it (a module ``backchannel.scenarios.exact`` with a
  function ``exact_scenarios``); not yet part of this installation, so
  ``method="exact"`` answers 501 and ``method="auto"`` falls back to
  ``monte_carlo``.

The answer says which method was used (``"method"``) so that the panel labels
its numbers honestly.  Nothing is stored: saving the edited case as a new
version is the ordinary ``PUT /api/cases/{id}``.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import Field

from .cases import CaseText
from .context import Services
from .problems import ApiError
from .resolve import Svc, resolve, space_of
from .schemas import CaseRef

__all__ = ["WhatIfRequest", "router"]

router = APIRouter(prefix="/api")

#: Samples of the Monte Carlo preview: enough for ±4 points at 95 %, quick enough to follow a slider.
PREVIEW_SAMPLES = 500
#: The most samples a preview may ask for (a full run is a background job).
MAX_PREVIEW_SAMPLES = 5000


class WhatIfRequest(CaseRef):
    method: Literal["auto", "monte_carlo", "exact"] = "auto"
    samples: int = Field(PREVIEW_SAMPLES, ge=50, le=MAX_PREVIEW_SAMPLES)
    seed: int = Field(0, ge=0)
    concept: str = "nash"
    rule: str = "split"


def _exact_method() -> Callable[..., dict[str, Any]] | None:
    """The exact method, if this installation has one (see the module's docstring)."""
    try:
        mod = importlib.import_module("backchannel.scenarios.exact")
    except ImportError:
        return None
    fn = getattr(mod, "exact_scenarios", None)
    return fn if callable(fn) else None


def _monte_carlo(case: CaseText, svc: Services, body: WhatIfRequest) -> dict[str, Any]:
    from ..scenarios.run import scenarios

    conflict = svc.cache.conflict(case)
    if conflict.decision_makers:
        space_of(svc, case)  # valid and small enough for the workbench (a located 422 otherwise)
    result = scenarios(
        conflict,
        samples=body.samples,
        seed=body.seed,
        concept=body.concept,
        rule=body.rule,
        max_states=svc.limits.max_states,
    )
    out = dict(result.to_dict())
    out["method"] = "monte_carlo"
    out["method_note"] = (
        f"Monte Carlo preview: {body.samples} samples, seed {body.seed}; "
        "start a scenario run for precise figures."
    )
    return out


def _preview(case: CaseText, svc: Services, body: WhatIfRequest) -> dict[str, Any]:
    t0 = time.perf_counter()
    exact = _exact_method()
    if body.method == "exact" and exact is None:
        raise ApiError(
            501,
            "exact enumeration is not available in this installation",
            loc=["method"],
            hint="Ask for method 'monte_carlo' (or 'auto').",
        )
    if exact is not None and body.method in ("auto", "exact"):
        out = dict(exact(svc.cache.conflict(case), concept=body.concept, rule=body.rule))
        out["method"] = "exact"
        out.setdefault("method_note", "exact: every combination of the uncertain inputs, weighed")
    else:
        out = _monte_carlo(case, svc, body)
    out["preview_seconds"] = round(time.perf_counter() - t0, 3)
    return out


@router.post("/whatif", summary="Scenario probabilities of an edited case, as a quick preview")
async def whatif(body: WhatIfRequest, svc: Services = Svc) -> dict[str, Any]:
    """The scenario result of the case as given (by id or text), with ``"method"``
    (``"monte_carlo"`` or ``"exact"``), ``"method_note"`` and ``"preview_seconds"``."""
    case = await resolve(svc, body)
    return await svc.worker.run(_preview, case, svc, body, what="the what-if preview")
