"""The conflict model: the one input of every analysis.

A :class:`Conflict` is an immutable, validated value read from a case file
(YAML or JSON) or built in Python.  Its structure follows the Graph Model for
Conflict Resolution in option form (Fang, Hipel & Kilgour 1993): decision
makers control options; a state says which options are taken; some
combinations are infeasible; each decision maker ranks the feasible states,
by option prioritisation or explicitly.

Cross-references (option names in expressions, states in rankings) are
checked when the conflict is compiled into a state space
(:func:`backchannel.statespace.compile_conflict`), which raises
:class:`~backchannel.errors.ModelError` with the path of the element at fault.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

__all__ = [
    "Actor",
    "Alternative",
    "Conflict",
    "DecisionMaker",
    "Estimate",
    "Infeasible",
    "Issue",
    "NestedPerception",
    "Option",
    "Perception",
    "Preferences",
    "Provenance",
    "Scenario",
    "Source",
    "StateChoice",
    "StateRef",
    "Statement",
    "UncertainPair",
]

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


class Source(_Frozen):
    """A document the case cites."""

    id: str
    title: str
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    file: str | None = Field(None, description="Where a copy of the document is kept (informative).")


class Option(_Frozen):
    """An option a decision maker may take or not.

    ``reversible``: ``both`` (taken and withdrawn at will), ``adopt-only``
    (once taken it cannot be withdrawn: moves N→Y only), ``withdraw-only``
    (moves Y→N only).
    """

    name: str
    label: str | None = None
    description: str | None = None
    reversible: Literal["both", "adopt-only", "withdraw-only"] = "both"
    provenance: ProvenanceField = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _check_ident(v, "option name")

    @field_validator("reversible", mode="before")
    @classmethod
    def _rev(cls, v: Any) -> Any:
        aliases = {
            True: "both",
            "yes": "both",
            "fwd": "adopt-only",
            "forward": "adopt-only",
            "adopt_only": "adopt-only",
            "back": "withdraw-only",
            "backward": "withdraw-only",
            "withdraw_only": "withdraw-only",
        }
        if isinstance(v, str):
            return aliases.get(v.strip().lower(), v.strip().lower())
        if isinstance(v, bool):
            return aliases.get(v, v)
        return v

    @property
    def text(self) -> str:
        return self.label or self.name.replace("_", " ")


def _statement_shorthand(v: Any) -> Any:
    return {"condition": v} if isinstance(v, str) else v


class Statement(_Frozen):
    """One preference statement: a condition over options, and why."""

    condition: str = Field(
        ...,
        alias="statement",
        description="An expression over option names, or a Y/N/- pattern.",
    )
    note: str | None = None
    provenance: ProvenanceField = None
    probability: float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="Probability that the statement holds (uncertain preferences; `scenarios` only). "
        "When it does not, the statement is dropped from the prioritisation for that sample.",
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


StatementField = Annotated[
    Statement, BeforeValidator(_statement_shorthand, json_schema_input_type=str | Statement)
]

StateRef = int | str
"""A state: its number (1-based, as in the analysis) or its Y/N pattern."""


def _state_shorthand(v: Any) -> Any:
    return {"state": v} if isinstance(v, int | str) and not isinstance(v, bool) else v


class StateChoice(_Frozen):
    """A particular state (the status quo, an observed outcome), and why."""

    state: StateRef
    note: str | None = None
    provenance: ProvenanceField = None


StateChoiceField = Annotated[
    StateChoice | None,
    BeforeValidator(_state_shorthand, json_schema_input_type=StateRef | StateChoice | None),
]


def _pair_shorthand(v: Any) -> Any:
    return {"states": v} if isinstance(v, list) else v


class UncertainPair(_Frozen):
    """Two states whose order is uncertain: ``states[0]`` is preferred to
    ``states[1]`` with probability ``p`` (``p = 0.5``: the order is unknown, Li,
    Hipel, Kilgour & Fang 2004; other values: probabilistic preference, Rêgo &
    dos Santos 2015).  Used by ``scenarios``; the point analysis keeps the
    order of the preferences as written."""

    states: tuple[StateRef, StateRef]
    p: float = Field(0.5, ge=0.0, le=1.0, description="Probability that the first state is preferred.")
    note: str | None = None
    provenance: ProvenanceField = None


UncertainPairField = Annotated[
    UncertainPair,
    BeforeValidator(_pair_shorthand, json_schema_input_type=list[StateRef] | UncertainPair),
]


class _PreferenceForm(_Frozen):
    prioritization: list[StatementField] | None = None
    ranking: list[StateRef | list[StateRef]] | None = None
    provenance: ProvenanceField = None

    @model_validator(mode="after")
    def _exactly_one(self) -> _PreferenceForm:
        if (self.prioritization is None) == (self.ranking is None):
            raise ValueError(
                "give either 'prioritization' (ordered statements) or 'ranking' "
                "(states, best first), not both and not neither"
            )
        if self.prioritization is not None and not self.prioritization:
            raise ValueError("'prioritization' is empty: give at least one statement")
        return self


class Alternative(_PreferenceForm):
    """Another possible preference ordering of a decision maker, with its probability."""

    weight: float = Field(..., gt=0.0, le=1.0, description="Probability that this ordering is the true one.")
    note: str | None = None


class Preferences(_PreferenceForm):
    """A decision maker's preferences: option prioritisation or a ranking of states.

    Option prioritisation (Fang, Hipel, Kilgour & Peng 2003): statement ``j``
    of ``K`` (0-based, most important first) weighs ``2**(K-1-j)``; a state's
    score is the sum of the weights of the statements true in it; equal scores
    are ties.  A ranking lists the feasible states best first; a list inside the
    ranking is a group of equally preferred states.

    Uncertain preferences (used by ``scenarios``; every other analysis uses
    the preferences as written): a statement's ``probability``;
    ``alternatives``, other orderings with their weights (the ordering as
    written has the remaining weight); ``uncertain``, pairs of states whose
    order is unknown or holds with a probability.
    """

    alternatives: list[Alternative] = Field(
        default_factory=list,
        description="Other possible orderings with their probabilities; the one written above has the rest.",
    )
    uncertain: list[UncertainPairField] = Field(
        default_factory=list, description="Pairs of states whose order is uncertain."
    )

    @model_validator(mode="after")
    def _alternatives_weigh_at_most_one(self) -> Preferences:
        total = sum(a.weight for a in self.alternatives)
        if total > 1.0 + 1e-9:
            raise ValueError(
                f"the weights of the alternatives add up to {total:g}, more than 1: they are probabilities, "
                "and the preferences as written take the rest (1 minus their sum)"
            )
        return self

    @property
    def base_weight(self) -> float:
        """Probability of the preferences as written (1 minus the alternatives' weights)."""
        return max(0.0, 1.0 - sum(a.weight for a in self.alternatives))


def _preferences_shorthand(v: Any) -> Any:
    """A bare list of statements means option prioritisation."""
    return {"prioritization": v} if isinstance(v, list) else v


PreferencesField = Annotated[
    Preferences,
    BeforeValidator(_preferences_shorthand, json_schema_input_type=list[StatementField] | Preferences),
]


class DecisionMaker(_Frozen):
    """A decision maker (actor), the options it controls, and its preferences."""

    name: str
    label: str | None = None
    description: str | None = None
    options: list[Option]
    preferences: PreferencesField
    provenance: ProvenanceField = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _check_ident(v, "decision maker name")

    @property
    def text(self) -> str:
        return self.label or self.name.replace("_", " ")


def _infeasible_shorthand(v: Any) -> Any:
    if isinstance(v, str):
        return {"expr": v}
    return v


class Infeasible(_Frozen):
    """A rule removing states: exactly one of the five forms.

    - ``expr``: an expression; states where it is true are infeasible.
    - ``pattern``: a Y/N/- pattern; states matching it are infeasible.
    - ``at_most_one`` / ``exactly_one`` / ``at_least_one``: option names;
      states violating the count are infeasible.
    """

    expr: str | None = None
    pattern: str | None = None
    at_most_one: list[str] | None = None
    exactly_one: list[str] | None = None
    at_least_one: list[str] | None = None
    note: str | None = None
    provenance: ProvenanceField = None

    @model_validator(mode="after")
    def _one_form(self) -> Infeasible:
        forms = [
            f
            for f in ("expr", "pattern", "at_most_one", "exactly_one", "at_least_one")
            if getattr(self, f) is not None
        ]
        if len(forms) != 1:
            raise ValueError(
                "an infeasibility rule takes exactly one of expr, pattern, at_most_one, "
                f"exactly_one, at_least_one (found {', '.join(forms) or 'none'})"
            )
        return self

    @property
    def form(self) -> str:
        for f in ("expr", "pattern", "at_most_one", "exactly_one", "at_least_one"):
            if getattr(self, f) is not None:
                return f
        raise AssertionError  # pragma: no cover


def _scenario_shorthand(v: Any) -> Any:
    return {"when": v} if isinstance(v, str) else v


class Scenario(_Frozen):
    """A named future: the states in which ``when`` (an expression or pattern) holds."""

    when: str
    label: str | None = None
    description: str | None = None
    provenance: ProvenanceField = None


ScenarioField = Annotated[
    Scenario, BeforeValidator(_scenario_shorthand, json_schema_input_type=str | Scenario)
]


class NestedPerception(_Frozen):
    """What a decision maker believes another one perceives (second level).

    ``unaware_of``: options the other does not know exist, in this belief;
    ``preferences``: what it believes the other believes of third parties'
    preferences (defaults to its own beliefs).
    """

    unaware_of: list[str] = Field(default_factory=list)
    preferences: dict[str, PreferencesField] = Field(default_factory=dict)
    note: str | None = None
    provenance: ProvenanceField = None


class Perception(_Frozen):
    """A decision maker's picture of the conflict (hypergames).

    - ``unaware_of``: options it does not know exist; in its view they read as
      not taken (Bennett 1980; Wang, Hipel & Fraser 1988).
    - ``preferences``: its beliefs about other decision makers' preferences,
      in the same forms as elsewhere, over the states it can see.  Its own
      preferences are always its true ones.
    - ``about``: what it believes another decision maker perceives (second
      level), e.g. the US knows that Ukraine is unaware of the channel.
    """

    unaware_of: list[str] = Field(default_factory=list)
    preferences: dict[str, PreferencesField] = Field(default_factory=dict)
    about: dict[str, NestedPerception] = Field(default_factory=dict)
    note: str | None = None
    provenance: ProvenanceField = None


#: The largest magnitude of a number in a case (positions, capabilities, saliences,
#: scales, distribution parameters): the bargaining models compute products and
#: sums of them, which overflow to infinity and NaN far below 1e308.
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


class Conflict(_Frozen):
    """A conflict in option form: the input of every analysis."""

    title: str = "Untitled conflict"
    description: str | None = None
    references: list[str] = Field(
        default_factory=list, description="Bibliographic references for a published case."
    )
    sources: list[Source] = Field(default_factory=list)
    decision_makers: list[DecisionMaker] = Field(
        default_factory=list,
        description="The graph model's decision makers (needed by every graph-model analysis).",
    )
    infeasible: list[
        Annotated[Infeasible, BeforeValidator(_infeasible_shorthand, json_schema_input_type=str | Infeasible)]
    ] = Field(default_factory=list)
    status_quo: StateChoiceField = Field(None, description="The present state: number or Y/N pattern.")
    observed: StateChoiceField = Field(None, description="An observed outcome, if known.")
    scenarios: dict[str, ScenarioField] = Field(default_factory=dict)
    issues: dict[str, Issue] = Field(default_factory=dict, description="Negotiable issues (bargaining).")
    actors: list[Actor] = Field(default_factory=list, description="Bargaining actors.")
    perceptions: dict[str, Perception] = Field(
        default_factory=dict,
        description="Per decision maker, its picture of the conflict (hypergames); absent: the true game.",
    )

    @field_validator("scenarios", "issues")
    @classmethod
    def _keys_are_names(cls, v: dict[str, Any]) -> dict[str, Any]:
        for k in v:
            _check_ident(k, "name")
        return v

    # -- convenience views -------------------------------------------------
    @property
    def options(self) -> list[tuple[DecisionMaker, Option]]:
        """All options in order (option 1 first), each with its controller."""
        return [(dm, o) for dm in self.decision_makers for o in dm.options]

    @property
    def option_names(self) -> list[str]:
        return [o.name for _, o in self.options]

    @property
    def n_options(self) -> int:
        return sum(len(dm.options) for dm in self.decision_makers)

    def dm(self, name: str) -> DecisionMaker:
        for d in self.decision_makers:
            if d.name == name:
                return d
        raise KeyError(name)
