"""The bargaining side of the conflict model: bounded numbers, numbers with an
uncertainty (:class:`Estimate`), issues and actors."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from .base import ProvenanceField, _check_ident, _Frozen

MAX_MAGNITUDE = 1e12


def _bounded(v: float) -> float:
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError(f"{v} is not a finite number: give an ordinary number")
    if abs(v) > MAX_MAGNITUDE:
        raise ValueError(
            f"{v:g} lies beyond ±{MAX_MAGNITUDE:g}, the range of a number in a case (beyond it the "
            "bargaining models overflow); rescale it (e.g. a 0–100 scale, relative capabilities)"
        )
    return v


Number = Annotated[float, AfterValidator(_bounded)]
"""A finite float of magnitude at most :data:`MAX_MAGNITUDE`."""


def _estimate_shorthand(v: Any) -> Any:
    return {"value": v} if isinstance(v, int | float) and not isinstance(v, bool) else v


_DISTRIBUTIONS = ("uniform", "triangular", "normal", "beta")


class Estimate(_Frozen):
    """A number (position, salience, capability, reference point) and where it comes from.

    It may be uncertain, with one distribution (used by ``scenarios``; every
    other analysis uses ``value``):

    - ``uniform: [low, high]``;
    - ``triangular: [low, mode, high]``;
    - ``normal: [mean, sd]``, truncated to ``bounds`` (default: the natural
      range — an issue's scale for positions and reference points, ≥ 0 for
      capabilities and saliences);
    - ``beta: [a, b]`` on ``bounds`` (default: an issue's scale for
      positions and reference points, else 0–1).

    ``value`` defaults to the distribution's centre (midpoint, mode, mean).
    """

    value: Number
    note: str | None = None
    provenance: ProvenanceField = None
    uniform: tuple[Number, Number] | None = None
    triangular: tuple[Number, Number, Number] | None = None
    normal: tuple[Number, Number] | None = None
    beta: tuple[Number, Number] | None = None
    bounds: tuple[Number, Number] | None = Field(
        None, description="Truncation of a normal, support of a beta distribution."
    )

    @model_validator(mode="before")
    @classmethod
    def _centre(cls, data: Any) -> Any:
        if isinstance(data, dict) and "value" not in data:
            for kind in _DISTRIBUTIONS:
                spec = data.get(kind)
                if isinstance(spec, list | tuple) and all(isinstance(x, int | float) for x in spec):
                    centre = _centre_of(kind, [float(x) for x in spec], data.get("bounds"))
                    if centre is not None:
                        return {**data, "value": centre}
                    if kind == "beta":
                        raise ValueError(
                            "a beta distribution without 'bounds' needs a 'value' (the point estimate "
                            "used outside scenarios), or give its bounds, e.g. bounds: [0, 100]"
                        )
        return data

    @model_validator(mode="after")
    def _valid_distribution(self) -> Estimate:
        given = [k for k in _DISTRIBUTIONS if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one distribution, not {' and '.join(given)}")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"bounds {list(self.bounds)}: the lower bound must be below the upper one")
        if self.uniform is not None:
            lo, hi = self.uniform
            if lo > hi:
                raise ValueError(f"uniform range {[lo, hi]}: low > high; write [low, high] with low ≤ high")
            self._value_within(lo, hi, "uniform range")
        if self.triangular is not None:
            lo, mode, hi = self.triangular
            if not lo <= mode <= hi:
                raise ValueError(
                    f"triangular {[lo, mode, hi]}: write [low, mode, high] with low ≤ mode ≤ high"
                )
            self._value_within(lo, hi, "triangular range")
        if self.normal is not None:
            _, sd = self.normal
            if sd < 0:
                raise ValueError(
                    f"normal {list(self.normal)}: the spread (sd) {sd:g} is negative; give sd ≥ 0"
                )
        if self.beta is not None:
            a, b = self.beta
            if a <= 0 or b <= 0:
                raise ValueError(f"beta {[a, b]}: both shape parameters must be > 0")
        if self.bounds is not None and self.distribution is not None:
            self._value_within(*self.bounds, "bounds")
        return self

    def _value_within(self, lo: float, hi: float, what: str) -> None:
        if not lo <= self.value <= hi:
            raise ValueError(f"value {self.value:g} lies outside its {what} {lo:g}–{hi:g}")

    @property
    def distribution(self) -> str | None:
        """The kind of distribution, or None for a fixed number."""
        return next((k for k in _DISTRIBUTIONS if getattr(self, k) is not None), None)


def _centre_of(kind: str, spec: list[float], bounds: Any) -> float | None:
    if kind == "uniform" and len(spec) == 2:
        return (spec[0] + spec[1]) / 2
    if kind == "triangular" and len(spec) == 3:
        return spec[1]
    if kind == "normal" and len(spec) == 2:
        return spec[0]
    if kind == "beta" and len(spec) == 2 and isinstance(bounds, list | tuple) and len(bounds) == 2:
        a, b = spec
        if a > 0 and b > 0:
            return float(bounds[0]) + (float(bounds[1]) - float(bounds[0])) * a / (a + b)
    return None


EstimateField = Annotated[
    Estimate, BeforeValidator(_estimate_shorthand, json_schema_input_type=float | Estimate)
]


class Issue(_Frozen):
    """A negotiable issue: a dimension with labelled ends (by default 0–100).

    ``reference`` is the status quo / reference point (the disagreement outcome
    of the Nash bargaining solution); ``outcome`` a recorded outcome, if known.
    """

    label: str | None = None
    description: str | None = None
    low: str | None = Field(None, description="What the low end of the scale means.")
    high: str | None = Field(None, description="What the high end of the scale means.")
    scale: tuple[Number, Number] = (0.0, 100.0)
    reference: EstimateField | None = None
    outcome: EstimateField | None = None
    provenance: ProvenanceField = None

    @model_validator(mode="after")
    def _scale(self) -> Issue:
        if not self.scale[0] < self.scale[1]:
            raise ValueError(f"the scale {list(self.scale)} must run from a lower to a higher number")
        return self


class Actor(_Frozen):
    """A bargaining actor: its capability, and per issue a position and a salience."""

    name: str
    label: str | None = None
    description: str | None = None
    decision_maker: str | None = Field(None, description="The decision maker this actor is, if any.")
    capability: EstimateField
    positions: dict[str, EstimateField] = Field(default_factory=dict)
    salience: dict[str, EstimateField] = Field(default_factory=dict)
    provenance: ProvenanceField = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _check_ident(v, "actor name")

    @property
    def text(self) -> str:
        return self.label or self.name.replace("_", " ")
