"""Routes: the session, and cases (list, read, save, version, copy, delete, import, export)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from .._version import __version__
from ..errors import BackchannelError, CaseError, ModelError
from .cases import BUNDLED, USER, CaseText, bundled_text, check_name, parse_id
from .context import Services
from .problems import ApiError
from .resolve import (
    Svc,
    as_yaml_text,
    attachment,
    by_id,
    check_valid,
    exists,
    heavy_case,
    located,
    space_of,
)
from .schemas import (
    CaseDetail,
    CaseSummary,
    CaseUpdate,
    Created,
    DuplicateRequest,
    NewCase,
    Session,
)

if TYPE_CHECKING:
    pass

__all__ = ["router"]

router = APIRouter(prefix="/api")

# ---------------------------------------------------------------------------
# session


@router.get("/session", response_model=Session, summary="The CSRF token, whether a token is required")
async def session(request: Request, svc: Services = Svc) -> dict[str, Any]:
    """``csrf`` is also set as the ``bc_csrf`` cookie; send it in ``X-CSRF-Token`` with
    every POST, PUT and DELETE (requests with ``Authorization: Bearer`` need none)."""
    return {"csrf": request.state.csrf, "auth": svc.auth, "version": __version__}


@router.post("/logout", status_code=204, summary="End a browser session (it stays ended: revoked)")
async def logout(request: Request) -> Response:
    """The session cookie is cleared and its session revoked, so that a copy of
    the cookie no longer works either."""
    from .security import SESSION_COOKIE, clear_session_cookie, session_of

    token = getattr(request.app.state, "token", None)
    found = session_of(token, request.cookies.get(SESSION_COOKIE)) if token else None
    if found is not None:
        await run_in_threadpool(request.app.state.revocations.revoke, found[0], float(found[1]))
    resp = Response(status_code=204)
    clear_session_cookie(resp, request)
    return resp


# ---------------------------------------------------------------------------
# cases


def _summaries(svc: Services, user: list[Any]) -> list[dict[str, Any]]:
    from ..case.casefile import bundled_cases

    out: list[dict[str, Any]] = []

    def states(case: CaseText) -> int | None:
        try:
            conflict = svc.cache.conflict(case)
            if not conflict.decision_makers:
                return None
            return space_of(svc, case).n_states
        except (BackchannelError, ApiError):
            return None

    def kind(case: CaseText) -> str | None:
        try:
            conflict = svc.cache.conflict(case)
        except (BackchannelError, ApiError):
            return None
        graph = bool(conflict.decision_makers)
        bargaining = bool(conflict.issues or conflict.actors)
        return "both" if graph and bargaining else "graph" if graph else "bargaining" if bargaining else None

    for name in bundled_cases():
        case = bundled_text(name)
        try:
            title: str | None = svc.cache.conflict(case).title
        except (BackchannelError, ApiError):
            title = None
        out.append(
            {
                "id": f"bundled:{name}",
                "name": name,
                "title": title,
                "source": "bundled",
                "version": None,
                "states": states(case),
                "kind": kind(case),
                "modified": None,
            }
        )
    from .problems import log

    for uc in user:  # one row that cannot be read must not hide the others
        row: dict[str, Any] = {
            "id": f"user:{uc.name}",
            "name": uc.name,
            "title": None,
            "source": "user",
            "version": uc.version,
            "states": None,
            "kind": None,
            "modified": uc.created.isoformat() if uc.created else None,
        }
        try:
            case = CaseText(uc.name, USER, uc.fmt, uc.text, uc.version)
            title = uc.title
            if title is not None:
                title.encode("utf-8")
            row["title"] = title
            row["states"] = states(case)
            row["kind"] = kind(case)
        except Exception as e:  # logged; the row is listed without details
            log.warning("user case %r cannot be summarised: %s", uc.name, type(e).__name__)
        out.append(row)
    return out


@router.get("/cases", response_model=list[CaseSummary], summary="The bundled and the user cases")
async def list_cases(svc: Services = Svc) -> list[dict[str, Any]]:
    """The bundled cases, and the user cases if the run store can be read."""
    from .problems import log

    try:
        store = svc.store()
        user = await run_in_threadpool(store.user_cases)
    except (ApiError, BackchannelError) as e:
        log.warning("listing the user cases: %s", e)
        user = []
    return await svc.worker.run(_summaries, svc, user, what="listing the cases")


@router.get("/cases/{case_id}", response_model=CaseDetail, summary="A case's text (YAML) and versions")
async def get_case(
    case_id: str, version: int | None = Query(None, ge=1), svc: Services = Svc
) -> dict[str, Any]:
    """Bundled GMCR+ and KTAB cases are converted to YAML; user cases are given as saved."""
    case = await by_id(svc, case_id, version)
    shown = await svc.worker.run(as_yaml_text, svc, case)
    try:
        title: str | None = (await svc.worker.run(svc.cache.conflict, case)).title
    except (CaseError, ApiError):
        title = None
    versions: list[int] = []
    if case.source == USER:
        store = svc.store()
        versions = [v.version for v in await run_in_threadpool(store.user_case_versions, case.name)]
    return {
        "id": case.id,
        "name": case.name,
        "source": case.source,
        "version": case.version,
        "title": title,
        "format": shown.fmt,
        "text": shown.text,
        "versions": versions,
    }


@router.post("/cases", status_code=201, response_model=Created, summary="Save a new user case")
async def create_case(body: NewCase, svc: Services = Svc) -> dict[str, Any]:
    """Validated first: 422 with every problem (``errors``) if it is not valid; 409 if the name is taken."""
    name = check_name(body.name)
    store = svc.store()
    if await run_in_threadpool(exists, store, name):
        raise ApiError(
            409,
            f"a user case {name!r} exists",
            loc=["name"],
            hint="Choose another name, or PUT a new version.",
        )
    case = CaseText(name, USER, body.format, body.text)
    await svc.worker.run(
        check_valid, svc, case, what="validating the case", cost=lambda: heavy_case(svc, case)
    )
    version = await run_in_threadpool(store.save_user_case, name, body.text, body.format)
    return {"id": f"user:{name}", "version": version}


@router.put("/cases/{case_id}", response_model=Created, summary="Save a new version of a user case")
async def update_case(case_id: str, body: CaseUpdate, svc: Services = Svc) -> dict[str, Any]:
    source, name = parse_id(case_id)
    if source == BUNDLED:
        raise ApiError(
            403, "bundled cases cannot be changed", hint="Duplicate it (POST /api/cases/{id}/duplicate)."
        )
    store = svc.store()
    if not await run_in_threadpool(exists, store, name):
        raise ApiError(404, f"no user case {name!r}", hint="POST /api/cases creates one.")
    case = CaseText(name, USER, body.format, body.text)
    await svc.worker.run(
        check_valid, svc, case, what="validating the case", cost=lambda: heavy_case(svc, case)
    )
    version = await run_in_threadpool(store.save_user_case, name, body.text, body.format)
    return {"id": f"user:{name}", "version": version}


@router.post(
    "/cases/{case_id}/duplicate",
    status_code=201,
    response_model=Created,
    summary="Copy a case under a new name",
)
async def duplicate_case(
    case_id: str, body: DuplicateRequest, version: int | None = Query(None, ge=1), svc: Services = Svc
) -> dict[str, Any]:
    name = check_name(body.name)
    case = await by_id(svc, case_id, version)
    case = await svc.worker.run(as_yaml_text, svc, case)
    store = svc.store()
    if await run_in_threadpool(exists, store, name):
        raise ApiError(409, f"a user case {name!r} exists", loc=["name"], hint="Choose another name.")
    v = await run_in_threadpool(store.save_user_case, name, case.text, case.fmt)
    return {"id": f"user:{name}", "version": v}


@router.delete("/cases/{case_id}", status_code=204, summary="Delete a user case (every version)")
async def delete_case(case_id: str, svc: Services = Svc) -> Response:
    source, name = parse_id(case_id)
    if source == BUNDLED:
        raise ApiError(403, "bundled cases cannot be deleted")
    store = svc.store()
    try:
        await run_in_threadpool(store.delete_user_case, name)
    except BackchannelError:
        raise ApiError(404, f"no user case {name!r}") from None
    return Response(status_code=204)


def _sniff(filename: str, text: str) -> str:
    from ..case.casefile import format_of

    fmt = format_of(filename)
    head = text.lstrip()[:4096]
    if fmt == "json" or (fmt is None and head.startswith("{")):
        return "gmcr" if '"decisionMakers"' in head or '"decisionMakers"' in text else "json"
    if fmt is None:
        lines = text.splitlines()
        if len(lines) > 1 and lines[1].lower().startswith("actor,"):
            return "ktab"
        return "yaml"
    return fmt


def _import_name(filename: str) -> str:
    stem = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-._")[:60]
    return stem or "imported"


def _prepare_import(svc: Services, case: CaseText) -> CaseText:
    """Parse the upload; GMCR+ and KTAB files become YAML; then validate."""
    if case.fmt in ("gmcr", "ktab"):
        from ..formats.writer import conflict_to_yaml

        conflict = svc.cache.conflict(case)
        case = CaseText(case.name, USER, "yaml", conflict_to_yaml(conflict))
    check_valid(svc, case)
    return case


@router.post("/import", status_code=201, response_model=Created, summary="Import a case file")
async def import_case(
    file: Annotated[UploadFile, File(description="YAML, JSON, GMCR+ (.gmcr) or KTAB SMP (.csv)")],
    name: Annotated[
        str | None, Form(description="The new user case's name (default: from the file name)")
    ] = None,
    svc: Services = Svc,
) -> dict[str, Any]:
    """Recognised by the file name's extension, else by the content. GMCR+ and KTAB files
    are converted to YAML. Nothing is written to disk but the store."""
    raw = await file.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ApiError(
            422, f"the file is not UTF-8 text (byte {e.start})", hint="Save it as UTF-8."
        ) from None
    filename = file.filename or ""
    fmt = _sniff(filename, text)
    store = svc.store()
    if name:
        target = check_name(name)
        if await run_in_threadpool(exists, store, target):
            raise ApiError(409, f"a user case {target!r} exists", loc=["name"], hint="Choose another name.")
    else:
        base = _import_name(filename)
        target = base
        k = 2
        while await run_in_threadpool(exists, store, target):
            target = f"{base}-{k}"
            k += 1
    case = CaseText(target, "text", fmt, text)
    ready = await svc.worker.run(
        _prepare_import, svc, case, what="importing the file", cost=lambda: heavy_case(svc, case)
    )
    v = await run_in_threadpool(store.save_user_case, target, ready.text, ready.fmt)
    return {"id": f"user:{target}", "version": v}


def _export(svc: Services, case: CaseText, fmt: str) -> tuple[str, str, str]:
    conflict, lines = svc.cache.parse(case)
    try:
        if fmt == "yaml":
            if case.fmt == "yaml":
                return case.text, "yaml", "application/yaml"
            from ..formats.writer import conflict_to_yaml

            return conflict_to_yaml(conflict), "yaml", "application/yaml"
        if fmt == "json":
            from ..formats.writer import conflict_to_json

            return conflict_to_json(conflict), "json", "application/json"
        if fmt == "gmcr":
            from ..formats.gmcrplus import conflict_to_gmcr_text

            if not conflict.decision_makers:
                raise ApiError(
                    422, "the case has no decision makers: a GMCR+ file holds only the graph model"
                )
            return conflict_to_gmcr_text(conflict), "gmcr", "application/json"
        from ..formats.ktab import conflict_to_ktab

        return conflict_to_ktab(conflict), "csv", "text/csv"
    except ModelError as e:
        raise located(case, lines, e) from None


@router.get("/cases/{case_id}/export", summary="Download a case as YAML, JSON, GMCR+ or KTAB CSV")
async def export_case(
    case_id: str,
    format: str = Query("yaml", pattern="^(yaml|json|gmcr|csv)$"),
    version: int | None = Query(None, ge=1),
    svc: Services = Svc,
) -> Response:
    case = await by_id(svc, case_id, version)
    text, ext, media = await svc.worker.run(_export, svc, case, format, what="the export")
    return attachment(text, f"{case.name}.{ext}", media)
