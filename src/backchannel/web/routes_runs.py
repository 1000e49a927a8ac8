"""Routes: background scenario jobs and the runs in the store."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from ..errors import BackchannelError
from .cases import CaseText
from .context import Services
from .problems import ApiError
from .resolve import (
    Svc,
    attachment,
    resolve,
    space_of,
    store_error,
    stored_run,
)
from .schemas import (
    JobRequest,
    JobStarted,
    JobStatus,
)

if TYPE_CHECKING:
    from ..store import RunStore

__all__ = ["router"]

router = APIRouter(prefix="/api")

# ---------------------------------------------------------------------------
# jobs and runs


def _scenario_module() -> Any:
    import importlib

    try:
        mod = importlib.import_module(
            "backchannel.scenarios.run"
        )  # (the package exports a function of that name)
    except ImportError:
        raise ApiError(501, "this installation has no scenario module (backchannel.scenarios.run)") from None
    return mod


def _launch(svc: Services, store: RunStore, job: Any, run_id: int) -> dict[str, Any]:
    """Start a reserved job on a created run."""
    mod = _scenario_module()
    job.run = run_id

    def task(progress: Any, cancel: Any) -> dict[str, Any]:
        result = mod.execute_run(store, run_id, progress=progress, cancel=cancel)
        return dict(result.to_dict())

    svc.jobs.start(job, task)
    return {"job": job.id, "run": run_id}


def _new_run(svc: Services, case: CaseText, body: JobRequest) -> dict[str, Any]:
    job = svc.jobs.reserve("scenarios", body.samples)  # 429 before anything else
    try:
        mod = _scenario_module()
        from ..scenarios.montecarlo import prepared

        if svc.cache.conflict(case).decision_makers:  # bargaining-only cases have no state space
            space_of(svc, case)  # valid, and small enough
        settings = mod.settings_of(
            samples=body.samples,
            seed=body.seed,
            concept=body.concept,
            rule=body.rule,
            forecast_model="bdm",
            batch_size=mod.BATCH_SIZE,  # as on the command line: the same seed, the same result
            rounds=10,
            max_states=svc.limits.max_states,
            until_halfwidth=body.until_halfwidth,
        )
        # the inputs can be sampled: refused here as a case error, not as a store error below
        prepared(mod.make_task(case.text, case.fmt, case.display, settings))
        store = svc.store()
        try:
            run_id = mod.record_run(store, case.text, case.fmt, case.display, settings)
        except BackchannelError as e:
            raise store_error(e) from None
    except BaseException:
        svc.jobs.release(job)
        raise
    return _launch(svc, store, job, run_id)


@router.post(
    "/jobs", status_code=202, response_model=JobStarted, summary="Start a scenario run in the background"
)
async def start_job(body: JobRequest, svc: Services = Svc) -> dict[str, Any]:
    """202 with the job (poll GET /api/jobs/{job}) and its run in the store; 429 when
    the server already runs as many jobs as it allows."""
    if body.samples > svc.limits.max_samples:
        raise ApiError(422, f"at most {svc.limits.max_samples:,} samples", loc=["samples"])
    case = await resolve(svc, body)
    return await svc.worker.run(_new_run, svc, case, body, what="preparing the job")


@router.get("/jobs/{job_id}", response_model=JobStatus, summary="A job's status, progress and result")
async def get_job(job_id: str, svc: Services = Svc) -> dict[str, Any]:
    return svc.jobs.get(job_id).to_dict()


@router.delete("/jobs/{job_id}", status_code=202, response_model=JobStatus, summary="Cancel a job")
async def cancel_job(job_id: str, svc: Services = Svc) -> dict[str, Any]:
    return svc.jobs.cancel(job_id).to_dict()


@router.get("/runs", summary="The stored runs, newest first (without results)")
async def list_runs(limit: int = Query(50, ge=1, le=1000), svc: Services = Svc) -> list[dict[str, Any]]:
    store = svc.store()
    try:
        records = await run_in_threadpool(lambda: store.runs(limit=limit))
    except BackchannelError as e:
        raise store_error(e) from None
    out = []
    for r in records:
        d = r.to_dict()
        d.pop("result", None)
        out.append(d)
    return out


@router.get("/runs/{run_id}", summary="One run, with its result")
async def get_run(run_id: int, svc: Services = Svc) -> dict[str, Any]:
    rec = await run_in_threadpool(stored_run, svc.store(), run_id)
    return dict(rec.to_dict())


@router.post(
    "/runs/{run_id}/rerun", status_code=202, response_model=JobStarted, summary="Run a stored run again"
)
async def rerun(run_id: int, svc: Services = Svc) -> dict[str, Any]:
    """A new run with the same case version, parameters and seed."""
    store = svc.store()
    rec = await run_in_threadpool(stored_run, store, run_id)
    if rec.command != "scenarios":
        raise ApiError(422, f"run {run_id} is a {rec.command!r} run; the workbench reruns scenario runs only")

    def new() -> dict[str, Any]:
        job = svc.jobs.reserve("scenarios", int(rec.parameters.get("samples", 0) or 0))
        try:
            _scenario_module()
            try:
                rid = store.copy_run(rec.id)
            except BackchannelError as e:
                raise store_error(e) from None
        except BaseException:
            svc.jobs.release(job)
            raise
        return _launch(svc, store, job, rid)

    return await run_in_threadpool(new)


#: Statuses from which the workbench resumes a run (its completed batches are kept).
RESUMABLE = ("cancelled", "interrupted", "failed", "created")


@router.post(
    "/runs/{run_id}/resume",
    status_code=202,
    response_model=JobStarted,
    summary="Resume a cancelled or interrupted run",
)
async def resume(run_id: int, svc: Services = Svc) -> dict[str, Any]:
    """The same run continued: its completed batches are kept and only the missing
    ones computed, so the result equals that of an uninterrupted run."""
    store = svc.store()
    rec = await run_in_threadpool(stored_run, store, run_id)
    if rec.command != "scenarios":
        raise ApiError(422, f"run {run_id} is a {rec.command!r} run; resumes scenario runs only")
    if rec.status not in RESUMABLE:
        raise ApiError(
            409,
            f"run {run_id} is {rec.status}; only a cancelled, interrupted or failed run is resumed",
            hint="Re-run it instead (POST /api/runs/{run}/rerun).",
        )

    def go() -> dict[str, Any]:
        job = svc.jobs.reserve("scenarios", int(rec.parameters.get("samples", 0) or 0))
        try:
            _scenario_module()
        except BaseException:
            svc.jobs.release(job)
            raise
        return _launch(svc, store, job, run_id)

    return await run_in_threadpool(go)


@router.get("/runs/{run_id}/case", summary="The case text a run was made from")
async def run_case(run_id: int, svc: Services = Svc) -> dict[str, Any]:
    """``{"text", "format", "name", "case_hash"}`` of the case version the run used."""
    store = svc.store()
    rec = await run_in_threadpool(stored_run, store, run_id)
    try:
        text, name, fmt = await run_in_threadpool(store.case_text, rec.case_hash)
    except BackchannelError as e:
        raise store_error(e) from None
    return {"text": text, "format": fmt, "name": name, "case_hash": rec.case_hash}


def _table(result: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The scenario table of a scenario result: one row per scenario (or outcome)."""
    rows: list[dict[str, Any]] = []
    table = result.get("scenarios")
    if isinstance(table, dict):
        for name, entry in table.items():
            row: dict[str, Any] = {"scenario": name}
            if isinstance(entry, dict):
                row.update(_flat(entry))
            else:
                row["value"] = entry
            rows.append(row)
    elif isinstance(table, list):
        rows = [_flat(e) if isinstance(e, dict) else {"value": e} for e in table]
    if not rows:
        rows = [_flat({k: v for k, v in result.items() if k != "meta"})]
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    return cols, rows


def _flat(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flat(v, key + "."))
        elif isinstance(v, list):
            out[key] = (
                json.dumps(v, ensure_ascii=False)
                if any(isinstance(x, dict | list) for x in v)
                else " ".join(map(str, v))
            )
        else:
            out[key] = v
    return out


@router.get("/runs/{run_id}/download", summary="A run as JSON, or its scenario table as CSV")
async def download_run(
    run_id: int, format: str = Query("json", pattern="^(json|csv)$"), svc: Services = Svc
) -> Response:
    rec = await run_in_threadpool(stored_run, svc.store(), run_id)
    if format == "json":
        return attachment(rec.to_json(), f"run-{run_id}.json", "application/json")
    if rec.result is None:
        raise ApiError(422, f"run {run_id} has no result yet (status: {rec.status})")
    cols, rows = _table(rec.result)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return attachment(buf.getvalue(), f"run-{run_id}.csv", "text/csv")
