"""What the API's routes share: finding a case by id or text, running an
analysis in a worker with the result cache, located errors, downloads."""

from __future__ import annotations

import asyncio
import json
import re
from typing import TYPE_CHECKING, Any

from fastapi import Depends, Response
from starlette.concurrency import run_in_threadpool

from ..errors import BackchannelError, CaseError, ModelError
from .cases import BUNDLED, USER, CaseText, bundled_text, parse_id
from .context import Services, services
from .problems import ApiError
from .schemas import (
    CaseRef,
    ErrorBody,
)

if TYPE_CHECKING:
    from ..case.model import Conflict
    from ..gmcr.statespace import StateSpace
    from ..store import RunStore

__all__ = [
    "ERRORS",
    "Svc",
    "as_yaml_text",
    "attachment",
    "by_id",
    "cached_json",
    "check_valid",
    "concept_of",
    "concepts_of",
    "exists",
    "heavy_case",
    "located",
    "parsed",
    "resolve",
    "space_of",
    "store_error",
    "stored_run",
    "user_case",
]

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": what}
    for code, what in (
        (400, "Malformed request (e.g. not JSON)"),
        (404, "No such case, run or job"),
        (422, "Invalid input, or an analysis refused (e.g. too many states)"),
        (504, "The analysis took longer than the time limit"),
    )
}

Svc = Depends(services)

# ---------------------------------------------------------------------------
# helpers


def user_case(store: RunStore, name: str, version: int | None = None) -> CaseText:
    try:
        uc = store.user_case(name, version)
    except BackchannelError:
        what = f"no version {version} of user case {name!r}" if version else f"no user case {name!r}"
        raise ApiError(404, what, hint="GET /api/cases lists the cases.") from None
    return CaseText(uc.name, USER, uc.fmt, uc.text, uc.version)


async def by_id(svc: Services, case_id: str, version: int | None = None) -> CaseText:
    source, name = parse_id(case_id)
    if source == BUNDLED:
        if version is not None:
            raise ApiError(422, "bundled cases have no versions", loc=["version"])
        return bundled_text(name)
    store = svc.store()
    return await run_in_threadpool(user_case, store, name, version)


async def resolve(svc: Services, ref: CaseRef) -> CaseText:
    if ref.text is not None:
        return CaseText("editor", "text", ref.format, ref.text)
    if ref.case is None:
        raise ApiError(422, "give a case id ('case') or the case's text ('text')", loc=["case"])
    return await by_id(svc, ref.case, ref.version)


#: Work on a case text longer than this, or of more (estimated) states, runs in the
#: heavy lane of the worker pool (:mod:`backchannel.web.work`).
HEAVY_TEXT = 256 * 1024
HEAVY_STATES = 4096


def heavy_case(svc: Services, case: CaseText) -> bool:
    """Whether analysing ``case`` is expensive: a long text, or many states (estimated
    from the parsed case, without building them). Cheap for the texts it parses."""
    if len(case.text) > HEAVY_TEXT:
        return True
    try:
        conflict = svc.cache.conflict(case)
    except Exception:  # an invalid case fails fast in the work itself
        return False
    if not conflict.decision_makers:
        return False
    from ..gmcr.statespace import estimate_states

    try:
        return estimate_states(conflict) > HEAVY_STATES
    except Exception:
        return False


def space_of(svc: Services, case: CaseText) -> StateSpace:
    return svc.cache.space(case, svc.limits.max_states)


def parsed(svc: Services, case: CaseText) -> tuple[Conflict, dict[tuple[Any, ...], int]]:
    return svc.cache.parse(case)


def located(case: CaseText, lines: dict[tuple[Any, ...], int], e: ModelError) -> CaseError:
    from ..case.casefile import case_error

    return case_error(case.display, lines, e)


def concept_of(c: str) -> str:
    from ..gmcr.engine import CONCEPTS

    p = c.strip().lower()
    p = {"r": "nash", "sequential": "seq", "simultaneous": "sim"}.get(p, p)
    if p not in CONCEPTS:
        raise ApiError(
            422, f"unknown concept {c!r}", loc=["concept"], hint=f"Choose from {', '.join(CONCEPTS)}."
        )
    return p


def concepts_of(given: list[str] | str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    from ..gmcr.engine import CONCEPTS

    if given is None or given == []:
        return default
    items = [given] if isinstance(given, str) else given
    wanted = {concept_of(part) for g in items for part in g.split(",") if part.strip()}
    return tuple(c for c in CONCEPTS if c in wanted) or default


def dumps(fn: Any, *args: Any) -> bytes:
    """``fn(*args)`` as JSON bytes: serialised in the worker, not in the event loop."""
    return json.dumps(fn(*args), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


async def cached_json(
    svc: Services, kind: str, case: CaseText, params: Any, fn: Any, *args: Any, what: str = "the analysis"
) -> Response:
    """``fn(*args)`` as JSON, from the result cache when the same case and parameters
    were asked before; requests for a result being computed wait for it."""
    key = svc.results.key(kind, case, params)
    body = svc.results.get(key)
    hit = body is not None
    if body is None:
        fut = svc.inflight.get(key)
        if fut is None or fut.get_loop() is not asyncio.get_running_loop():
            fut = asyncio.ensure_future(
                svc.worker.run(dumps, fn, *args, what=what, cost=lambda: heavy_case(svc, case), key=key)
            )
            svc.inflight[key] = fut

            def done(f: asyncio.Future[bytes]) -> None:
                svc.inflight.pop(key, None)
                if not f.cancelled() and f.exception() is None:
                    svc.results.put(key, f.result())

            fut.add_done_callback(done)
        body = await asyncio.shield(fut)
    return Response(body, media_type="application/json", headers={"X-Cache": "hit" if hit else "miss"})


def store_error(e: BackchannelError) -> ApiError:
    return ApiError(503, f"run store: {e}")


def as_yaml_text(svc: Services, case: CaseText) -> CaseText:
    """Bundled .gmcr / KTAB cases are shown and copied as YAML."""
    if case.fmt in ("yaml", "json"):
        return case
    from ..formats.writer import conflict_to_yaml

    return CaseText(case.name, case.source, "yaml", conflict_to_yaml(svc.cache.conflict(case)), case.version)


def check_valid(svc: Services, case: CaseText) -> None:
    """422 with every problem if the case does not validate."""
    from .validation import validate_case

    report = validate_case(case, svc.cache, svc.limits.max_states)
    if not report["ok"]:
        first = report["errors"][0]
        raise ApiError(
            422,
            first["message"],
            loc=first["loc"],
            line=first["line"],
            hint=first["hint"],
            errors=report["errors"],
        )


def exists(store: RunStore, name: str) -> bool:
    return bool(store.user_case_versions(name))


def attachment(text: str | bytes, filename: str, media_type: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", filename)
    return Response(
        text,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


def stored_run(store: RunStore, run_id: int) -> Any:
    try:
        return store.run(run_id)
    except BackchannelError as e:
        if str(e).startswith("no run"):
            raise ApiError(404, f"no run {run_id}", hint="GET /api/runs lists the runs.") from None
        raise store_error(e) from None
