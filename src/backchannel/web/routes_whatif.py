"""Route: the what-if preview — scenario probabilities of an edited case, at once.

The what-if panel sends the case as the analyst has changed it (a statement's
probability, an ordering's weight, an uncertain pair's probability) and shows
the probabilities it gives.  Two methods can answer:

- ``monte_carlo``: a quick Monte Carlo preview (few samples, a fixed seed, so
  the same sliders give the same numbers), labelled as such with its
  intervals;
- ``exact``: exact enumeration of the discrete uncertainty
  (:mod:`backchannel.scenarios.exact`), which the scenario analysis uses by
  itself whenever the uncertainty the futures depend on is discrete and
  enumerable; ``method="exact"`` on a case where it is not answers 422 with
  the reason, ``"auto"`` (the default) takes whichever applies.

The answer says which method was used (``"method"``) so that the panel labels
its numbers honestly.  Nothing is stored: saving the edited case as a new
version is the ordinary ``PUT /api/cases/{id}``.
"""

from __future__ import annotations

import time
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


def _preview(case: CaseText, svc: Services, body: WhatIfRequest) -> dict[str, Any]:
    from ..scenarios.run import scenarios

    t0 = time.perf_counter()
    conflict = svc.cache.conflict(case)
    if conflict.decision_makers:
        space_of(svc, case)  # valid and small enough for the workbench (a located 422 otherwise)
    # The scenario analysis is exact by itself when the uncertainty allows (scenarios.exact);
    # the samples then only check it, so few are drawn when exact is asked for.
    result = scenarios(
        conflict,
        samples=50 if body.method == "exact" else body.samples,
        seed=body.seed,
        concept=body.concept,
        rule=body.rule,
        max_states=svc.limits.max_states,
    )
    out = dict(result.to_dict())
    method = out.get("method", "monte_carlo")
    if body.method == "exact" and method != "exact":
        raise ApiError(
            422,
            f"the probabilities of this case cannot be computed exactly: {out.get('why_not_exact', '')}",
            loc=["method"],
            hint="Ask for method 'monte_carlo' (or 'auto') for a quick Monte Carlo preview.",
        )
    out["method"] = method
    if method == "exact":
        out["method_note"] = (
            f"exact: every combination of the uncertain preferences ({out.get('combinations', 0):,}), "
            "weighed by the analyst's probabilities"
        )
    else:
        why = out.get("why_not_exact")
        out["method_note"] = (
            f"Monte Carlo preview: {result.samples} samples, seed {body.seed}"
            + (f" (not exact: {why})" if why else "")
            + "; start a scenario run for precise figures."
        )
    out["preview_seconds"] = round(time.perf_counter() - t0, 3)
    return out


@router.post("/whatif", summary="Scenario probabilities of an edited case, as a quick preview")
async def whatif(body: WhatIfRequest, svc: Services = Svc) -> dict[str, Any]:
    """The scenario result of the case as given (by id or text), with ``"method"``
    (``"monte_carlo"`` or ``"exact"``), ``"method_note"`` and ``"preview_seconds"``."""
    case = await resolve(svc, body)
    return await svc.worker.run(_preview, case, svc, body, what="the what-if preview")
