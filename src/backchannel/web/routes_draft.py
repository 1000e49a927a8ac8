"""Route: draft a case from news reports (``backchannel draft`` on the web)."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from .context import Services
from .problems import ApiError
from .resolve import Svc

__all__ = ["router"]

router = APIRouter(prefix="/api")
_NLP_LOCK = threading.Lock()  # one draft at a time: the language pipeline is shared


class ReportText(BaseModel):
    name: str = Field("report", max_length=200, examples=["report_a.txt"])
    text: str = Field(min_length=1)


class Rejected(BaseModel):
    parties: list[str] = Field(
        default_factory=list, description="Names of parties not to make decision makers."
    )
    claims: list[int] = Field(default_factory=list)
    measures: list[int] = Field(default_factory=list, description="Indices into the draft's measures.")
    futures: list[int] = Field(default_factory=list, description="Indices into the draft's futures.")
    contradictions: list[int] = Field(default_factory=list)


class DraftRequest(BaseModel):
    reports: list[ReportText] = Field(min_length=1, max_length=20)
    rejected: Rejected = Field(default_factory=Rejected)


def _draft(body: DraftRequest) -> dict[str, Any]:
    from ..drafting import case_from_draft, case_yaml, draft_reports, report_from_text
    from ..drafting.nlp import NlpMissing
    from ..errors import BackchannelError

    reports = [report_from_text(r.text, r.name) for r in body.reports]
    for i, r in enumerate(reports):
        if not r.text.strip():
            raise ApiError(422, f"report {r.id!r} has no text", loc=["reports", i, "text"])
    try:
        with _NLP_LOCK:
            draft = draft_reports(reports)
    except NlpMissing as e:
        raise ApiError(501, str(e), hint="Install the [nlp] extra on the server.") from None
    rej = body.rejected
    kept = draft.without(
        parties=rej.parties,
        claims=rej.claims,
        measures=rej.measures,
        futures=rej.futures,
        contradictions=rej.contradictions,
    )
    out = draft.to_dict(texts=True)
    try:
        out["case_yaml"], out["case_error"] = case_yaml(case_from_draft(kept)), None
    except BackchannelError as e:  # nothing to make a case of: the draft is still shown
        out["case_yaml"], out["case_error"] = None, str(e)
    return out


@router.post("/draft", summary="Draft a case from news reports (as `backchannel draft --format json`)")
async def draft(body: DraftRequest, svc: Services = Svc) -> dict[str, Any]:
    """The draft of the reports (text or HTML), each source with its ``text`` (the offsets of
    every quote index into it), and ``case_yaml``: the case drafted from what is not ``rejected``
    (its sources carry their text, so every quote is checked when it is validated), or null
    with ``case_error`` saying why when the reports name no party."""
    return await svc.worker.run(_draft, body, what="the draft")
