"""What every element of the conflict model shares: frozen pydantic models,
identifier rules and provenance (a source and a quote, or an analyst's estimate)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED = {"not", "and", "or", "implies", "iff", "if", "then", "true", "false"}


def _check_ident(v: str, what: str) -> str:
    if not _IDENT.match(v):
        raise ValueError(
            f"{what} {v!r} must start with a letter or _ and contain only letters, "
            "digits and _ (it is used in expressions); put a readable name in 'label'"
        )
    if v.lower() in _RESERVED:
        raise ValueError(f"{what} {v!r} is a word of the expression language; choose another")
    if re.fullmatch(r"[YN]+", v):
        raise ValueError(f"{what} {v!r} reads as a Y/N pattern; choose another")
    return v


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _provenance_shorthand(v: Any) -> Any:
    """Accept ``"analyst estimate"`` / ``"analyst estimate: reason"`` as text."""
    if isinstance(v, str):
        m = re.fullmatch(r"\s*analyst(?:'s)? estimate\s*(?:[:—-]\s*(.*))?", v, re.I | re.S)
        if m:
            return {"estimate": True, "note": (m.group(1) or None)}
        raise ValueError(
            "provenance as text must read 'analyst estimate' or 'analyst estimate: reason'; "
            "to cite a report, write {source: <source id>, quote: '<sentence>'}"
        )
    return v


class Provenance(_Frozen):
    """Where a judgement comes from: a source and a quote, or an analyst's estimate."""

    source: str | None = Field(None, description="Id of an entry in the case's `sources`.")
    quote: str | None = Field(None, description="The sentence of the source that supports it.")
    estimate: bool = Field(False, description="True when the judgement is the analyst's estimate.")
    note: str | None = Field(None, description="Reasoning behind an estimate, or a remark.")
    credibility: int | None = Field(
        None,
        ge=1,
        le=6,
        description="Credibility of the claim (NATO Admiralty scale): 1 confirmed, 2 probably true, "
        "3 possibly true, 4 doubtful, 5 improbable, 6 cannot be judged.",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Provenance:
        if self.estimate and self.source:
            raise ValueError("a provenance is either a source with a quote or an estimate, not both")
        if not self.estimate and not self.source:
            raise ValueError(
                "a provenance needs a 'source' (and 'quote'), or 'estimate: true' for an analyst's estimate"
            )
        return self

    def describe(self) -> str:
        if self.estimate:
            return "analyst estimate" + (f": {self.note}" if self.note else "")
        q = f' — "{self.quote}"' if self.quote else ""
        return f"{self.source}{q}"


ProvenanceField = Annotated[
    Provenance | None,
    BeforeValidator(_provenance_shorthand, json_schema_input_type=str | Provenance | None),
]
