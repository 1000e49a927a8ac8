"""Request and response models of the web API (they make /api/openapi.json)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AnalyzeRequest",
    "CaseDetail",
    "CaseRef",
    "CaseSummary",
    "CaseUpdate",
    "Created",
    "DuplicateRequest",
    "ErrorBody",
    "EvolveRequest",
    "ExplainRequest",
    "ForecastRequest",
    "GraphRequest",
    "JobRequest",
    "JobStarted",
    "JobStatus",
    "NewCase",
    "Session",
    "ValidateRequest",
    "ValidationReport",
]

TextFormat = Literal["yaml", "json"]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ErrorBody(BaseModel):
    """Every error: a message, where (path in the case, line) and what to do."""

    error: str
    loc: list[str | int] = Field(default_factory=list)
    line: int | None = None
    hint: str | None = None
    errors: list[dict[str, Any]] | None = Field(
        None, description="For a case that does not validate: every problem found (as in /api/validate)."
    )


class Session(BaseModel):
    csrf: str = Field(description="Send it back in the X-CSRF-Token header of every POST, PUT and DELETE.")
    auth: bool = Field(description="Whether the server requires an access token.")
    version: str


class CaseSummary(BaseModel):
    id: str = Field(examples=["bundled:elmira"])
    name: str
    title: str | None
    source: Literal["bundled", "user"]
    version: int | None
    states: int | None = Field(description="Feasible states; null if unknown or too many to count here.")
    kind: Literal["graph", "bargaining", "both"] | None = Field(
        None, description="Graph model, bargaining (issues and actors), or both; null if the case is invalid."
    )
    modified: str | None = Field(None, description="When the latest version was saved (ISO 8601).")


class CaseDetail(BaseModel):
    id: str
    name: str
    source: Literal["bundled", "user"]
    version: int | None
    title: str | None
    format: TextFormat
    text: str
    versions: list[int]


class CaseRef(_In):
    """A case by id, or as text (unsaved editor text; it wins over ``case``)."""

    case: str | None = Field(None, description="bundled:<name> or user:<name>", examples=["bundled:elmira"])
    version: int | None = Field(None, ge=1, description="A user case's version (default: the latest).")
    text: str | None = Field(None, description="Case text (YAML or JSON) instead of a stored case.")
    format: TextFormat = "yaml"


class ValidateRequest(_In):
    text: str
    format: TextFormat = "yaml"


class ValidationEntry(BaseModel):
    message: str
    loc: list[str | int]
    path: str = Field(examples=["decision_makers.0.options.1.name"])
    line: int | None
    hint: str | None


class ValidationReport(BaseModel):
    ok: bool
    errors: list[ValidationEntry]
    warnings: list[ValidationEntry]
    audit: dict[str, Any] | None = Field(
        description="Provenance: judgements citing a source, analyst estimates, missing (count and where)."
    )
    summary: dict[str, Any] | None = Field(
        description="Title, numbers of decision makers, options, states (null if not compiled), …"
    )
    quotes: dict[str, Any] | None = Field(
        None,
        description="Quotes checked against the sources' texts: checked, verbatim, "
        "mismatched [{where, source, quote, closest, similarity}], unchecked_sources.",
    )


class NewCase(_In):
    name: str = Field(examples=["my-case"])
    text: str
    format: TextFormat = "yaml"


class CaseUpdate(_In):
    text: str
    format: TextFormat = "yaml"


class DuplicateRequest(_In):
    name: str


class Created(BaseModel):
    id: str
    version: int


class AnalyzeRequest(CaseRef):
    concepts: list[str] | None = Field(None, description="nash, gmr, smr, seq, sim (default: all).")


class GraphRequest(CaseRef):
    concept: str = "nash"


class ExplainRequest(CaseRef):
    state: int | str = Field(description="A state number or a full Y/N pattern.")
    concept: str = "nash"


class ForecastRequest(CaseRef):
    rounds: int = Field(10, ge=1, description="Rounds of the dynamic (BDM) model.")
    models: list[str] | None = Field(None, description="compromise, median, nash, bdm (default: all).")


class EvolveRequest(CaseRef):
    concept: str | list[str] = "nash"
    start: int | str | None = Field(None, description="Starting state (default: the status quo).")


class JobRequest(CaseRef):
    kind: Literal["scenarios"] = "scenarios"
    samples: int = Field(1000, ge=1)
    seed: int = Field(0, ge=0)
    concept: str = "nash"
    rule: str = "split"
    until_halfwidth: float | None = Field(
        None,
        gt=0,
        lt=0.5,
        description="Sample until every named future's 95% interval has at most this half-width "
        "(samples is then the cap).",
    )


class JobStarted(BaseModel):
    job: str
    run: int | None


class JobStatus(BaseModel):
    job: str
    kind: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    done: int
    total: int
    run: int | None
    error: str | None
    result: dict[str, Any] | None
