"""Routes: validation and the analyses (the same JSON as the command line), the report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ..errors import ModelError
from .cases import CaseText
from .context import Services
from .problems import ApiError
from .resolve import (
    Svc,
    attachment,
    by_id,
    cached_json,
    concept_of,
    concepts_of,
    heavy_case,
    located,
    parsed,
    resolve,
    space_of,
    stored_run,
)
from .schemas import (
    AnalyzeRequest,
    CaseRef,
    EvolveRequest,
    ExplainRequest,
    ForecastRequest,
    GraphRequest,
    ValidateRequest,
    ValidationReport,
)

if TYPE_CHECKING:
    pass

__all__ = ["router"]

router = APIRouter(prefix="/api")

# ---------------------------------------------------------------------------
# validation and analyses


@router.post("/validate", response_model=ValidationReport, summary="Check case text, every problem located")
async def validate(body: ValidateRequest, svc: Services = Svc) -> dict[str, Any]:
    """Fast enough to call as the user types. Structural errors are all reported,
    and so is every expression naming an unknown option; other compile errors (a
    bad ranking, …) and bargaining data errors stop at the first."""
    from .validation import validate_case

    case = CaseText("editor", "text", body.format, body.text)
    return await svc.worker.run(
        validate_case,
        case,
        svc.cache,
        svc.limits.max_states,
        what="validation",
        cost=lambda: heavy_case(svc, case),
        key=svc.results.key("validate", case, None),
    )


def _analyze(svc: Services, case: CaseText, concepts: tuple[str, ...]) -> dict[str, Any]:
    from ..gmcr.analysis import stability

    return stability(space_of(svc, case), concepts).to_dict()


@router.post("/analyze", summary="Stability of every state (as `backchannel analyze --format json`)")
async def analyze(body: AnalyzeRequest, svc: Services = Svc) -> Response:
    from ..gmcr.engine import CONCEPTS

    concepts = concepts_of(body.concepts, CONCEPTS)
    case = await resolve(svc, body)
    return await cached_json(svc, "analyze", case, list(concepts), _analyze, svc, case, concepts)


def _graph(svc: Services, case: CaseText, concept: str) -> dict[str, Any]:
    from .graph import state_graph

    return state_graph(space_of(svc, case), concept, max_nodes=svc.limits.max_graph_nodes)


@router.post("/graph", summary="States and moves with a layout, for drawing")
async def graph(body: GraphRequest, svc: Services = Svc) -> Response:
    """Nodes carry x, y in [0, 1]; past ``max_graph_nodes`` states only the
    equilibria, the status quo and the reachable states are given (``truncated``)."""
    concept = concept_of(body.concept)
    case = await resolve(svc, body)
    params = [concept, svc.limits.max_graph_nodes]
    return await cached_json(svc, "graph", case, params, _graph, svc, case, concept)


def _explain(svc: Services, case: CaseText, state: int | str, concept: str) -> dict[str, Any]:
    from .explain import explain_state

    return explain_state(space_of(svc, case), state, concept)


@router.post("/explain", summary="Who can move where from a state, and why it is stable or not")
async def explain(body: ExplainRequest, svc: Services = Svc) -> Response:
    concept = concept_of(body.concept)
    case = await resolve(svc, body)
    params = [str(body.state), concept]
    return await cached_json(svc, "explain", case, params, _explain, svc, case, body.state, concept)


@router.get("/cases/{case_id}/states/{state}", summary="Explain one state of a stored case")
async def explain_stored(
    case_id: str,
    state: str,
    concept: str = "nash",
    version: int | None = Query(None, ge=1),
    svc: Services = Svc,
) -> Response:
    c = concept_of(concept)
    case = await by_id(svc, case_id, version)
    return await cached_json(svc, "explain", case, [state, c], _explain, svc, case, state, c)


def _hypergame(svc: Services, case: CaseText) -> dict[str, Any]:
    from ..gmcr.hypergame import hypergame

    conflict, lines = parsed(svc, case)
    if conflict.timeline:
        from ..gmcr.timeline import timeline_hypergame

        try:
            return timeline_hypergame(space_of(svc, case), outcomes=[]).to_dict()
        except ModelError as e:
            raise located(case, lines, e) from None
    if not conflict.perceptions:
        raise ApiError(
            422,
            "the case has no perceptions: a hypergame needs what each decision maker does not know",
            loc=["perceptions"],
            hint="Add 'perceptions' (unaware_of, beliefs about preferences) to the case.",
        )
    space = space_of(svc, case)
    try:
        return hypergame(space, outcomes=[]).to_dict()
    except ModelError as e:
        raise located(case, lines, e) from None


@router.post("/hypergame", summary="Hypergame analysis (as `backchannel hypergame --format json`)")
async def hypergame(body: CaseRef, svc: Services = Svc) -> Response:
    case = await resolve(svc, body)
    return await cached_json(svc, "hypergame", case, [], _hypergame, svc, case)


def _forecast(svc: Services, case: CaseText, models: list[str] | None, rounds: int) -> dict[str, Any]:
    from ..bargaining.forecast import MODELS, forecast

    conflict, lines = parsed(svc, case)
    try:
        return forecast(conflict, models or list(MODELS), rounds=rounds).to_dict()
    except ModelError as e:
        raise located(case, lines, e) from None


@router.post("/forecast", summary="Bargaining forecasts (as `backchannel forecast --format json`)")
async def forecast(body: ForecastRequest, svc: Services = Svc) -> Response:
    if body.rounds > svc.limits.max_rounds:
        raise ApiError(422, f"at most {svc.limits.max_rounds} rounds", loc=["rounds"])
    case = await resolve(svc, body)
    params = [body.models, body.rounds]
    return await cached_json(svc, "forecast", case, params, _forecast, svc, case, body.models, body.rounds)


def _evolve(
    svc: Services, case: CaseText, start: int | str | None, concepts: tuple[str, ...]
) -> dict[str, Any]:
    from ..gmcr.timeline import evolution_dict

    return evolution_dict(space_of(svc, case), start, concepts)


@router.post("/evolve", summary="Evolution from the status quo (as `backchannel evolve --format json`)")
async def evolve(body: EvolveRequest, svc: Services = Svc) -> Response:
    concepts = concepts_of(body.concept, ("nash",))
    case = await resolve(svc, body)
    params = [body.start, list(concepts)]
    return await cached_json(svc, "evolve", case, params, _evolve, svc, case, body.start, concepts)


def _graphml(svc: Services, case: CaseText, concept: str) -> str:
    from ..gmcr.evolution import evolution

    return evolution(space_of(svc, case), None, concept).to_graphml()


@router.get("/cases/{case_id}/graphml", summary="The evolution graph from the status quo, as GraphML")
async def graphml(
    case_id: str, concept: str = "nash", version: int | None = Query(None, ge=1), svc: Services = Svc
) -> Response:
    c = concept_of(concept)
    case = await by_id(svc, case_id, version)
    text = await svc.worker.run(_graphml, svc, case, c)
    return attachment(text, f"{case.name}-evolution.graphml", "application/graphml+xml")


REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)


def _report(svc: Services, case: CaseText, scenarios: dict[str, Any] | None) -> str:
    try:
        from ..report.build import build_report
    except ImportError:
        raise ApiError(501, "this installation has no report module (backchannel.report.build)") from None
    conflict, lines = parsed(svc, case)
    if conflict.decision_makers:
        space_of(svc, case)  # refuse cases too large for the workbench
    try:
        return str(build_report(conflict, scenarios=scenarios, max_states=svc.limits.max_states))
    except ModelError as e:
        raise located(case, lines, e) from None


@router.get("/cases/{case_id}/report", response_class=HTMLResponse, summary="The HTML report of a case")
async def report(
    case_id: str,
    run: int | None = Query(None, description="Include the scenario result of this run."),
    version: int | None = Query(None, ge=1),
    svc: Services = Svc,
) -> HTMLResponse:
    case = await by_id(svc, case_id, version)
    scenarios = None
    if run is not None:
        rec = await run_in_threadpool(stored_run, svc.store(), run)
        if rec.result is None:
            raise ApiError(422, f"run {run} has no result yet (status: {rec.status})")
        scenarios = rec.result
    html = await svc.worker.run(_report, svc, case, scenarios, what="the report")
    return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_CSP})
