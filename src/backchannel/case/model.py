"""The conflict model: the one input of every analysis.

A :class:`Conflict` is an immutable, validated value read from a case file
(YAML or JSON) or built in Python.  Its structure follows the Graph Model for
Conflict Resolution in option form (Fang, Hipel & Kilgour 1993): decision
makers control options; a state says which options are taken; some
combinations are infeasible; each decision maker ranks the feasible states,
by option prioritisation or explicitly.

Cross-references (option names in expressions, states in rankings) are
checked when the conflict is compiled into a state space
(:func:`backchannel.gmcr.statespace.compile_conflict`), which raises
:class:`~backchannel.errors.ModelError` with the path of the element at fault.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
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
    "Phase",
    "PhaseEnd",
    "Preferences",
    "Provenance",
    "Scenario",
    "Source",
    "StateChoice",
    "StateRef",
    "Statement",
    "UncertainPair",
]

from .base import Provenance, ProvenanceField, _check_ident, _Frozen
from .numbers import Actor, Estimate, Issue


class Source(_Frozen):
    """A document the case cites."""

    id: str
    title: str
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    file: str | None = Field(
        None,
        description="A copy of the document as a text file, relative to the case file; "
        "`validate` checks every quote citing this source against it.",
    )
    text: str | None = Field(None, description="The document's text, when kept in the case itself.")
    reliability: Literal["A", "B", "C", "D", "E", "F"] | None = Field(
        None,
        description="Reliability of the source (NATO Admiralty scale): A completely reliable, "
        "B usually reliable, C fairly reliable, D not usually reliable, E unreliable, "
        "F cannot be judged.",
    )


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
    unsure_of: list[str] = Field(
        default_factory=list,
        description="Options it knows exist (and may be taken) but cannot see whether they are taken: "
        "its game contains them, its view of the present state reads them as not taken.",
    )
    aware_probability: dict[str, float] = Field(
        default_factory=dict,
        description="For options in unaware_of or unsure_of: the probability that it in fact knows of them "
        "fully (`scenarios` samples it; every other analysis uses the lists as written).",
    )
    preferences: dict[str, PreferencesField] = Field(default_factory=dict)
    about: dict[str, NestedPerception] = Field(default_factory=dict)
    note: str | None = None
    provenance: ProvenanceField = None

    @model_validator(mode="after")
    def _partial_awareness(self) -> Perception:
        both = sorted(set(self.unaware_of) & set(self.unsure_of))
        if both:
            raise ValueError(
                f"{', '.join(both)} listed both in unaware_of and unsure_of: an option is either unknown "
                "or known to exist; keep it in one list"
            )
        for opt, p in self.aware_probability.items():
            if opt not in self.unaware_of and opt not in self.unsure_of:
                raise ValueError(
                    f"aware_probability names {opt!r}, which is in neither unaware_of nor unsure_of; "
                    "list it there (the probability says how likely it is known after all)"
                )
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"aware_probability of {opt!r} is {p:g}: give a probability from 0 to 1")
        return self


class PhaseEnd(_Frozen):
    """The event that ends a phase: exactly one of

    - ``when``: an expression over options; the phase ends as soon as it holds
      (e.g. an option taken: ``us_includes``);
    - ``moves``: after this many moves;
    - ``leak``: a probability per move that the phase ends (a leak); the point
      analyses let it end after any number of moves, ``scenarios`` samples when.
    """

    when: str | None = None
    moves: int | None = Field(None, ge=0)
    leak: float | None = Field(None, gt=0.0, le=1.0)
    note: str | None = None
    provenance: ProvenanceField = None

    @model_validator(mode="after")
    def _one_event(self) -> PhaseEnd:
        given = [f for f in ("when", "moves", "leak") if getattr(self, f) is not None]
        if len(given) != 1:
            raise ValueError(
                "a phase ends by exactly one of when (an expression: e.g. an option taken), moves "
                f"(a number of moves) or leak (a probability per move); found {', '.join(given) or 'none'}"
            )
        return self

    @property
    def kind(self) -> str:
        return "when" if self.when is not None else "moves" if self.moves is not None else "leak"


class Phase(_Frozen):
    """One phase of a case's timeline: what each decision maker perceives while
    it lasts, and the event that ends it (none for the last phase)."""

    name: str
    label: str | None = None
    description: str | None = None
    perceptions: dict[str, Perception] = Field(
        default_factory=dict, description="Per decision maker, its picture during this phase."
    )
    ends: PhaseEnd | None = None
    note: str | None = None
    provenance: ProvenanceField = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _check_ident(v, "phase name")

    @property
    def text(self) -> str:
        return self.label or self.name.replace("_", " ")


#: The largest magnitude of a number in a case (positions, capabilities, saliences,
#: scales, distribution parameters): the bargaining models compute products and
#: sums of them, which overflow to infinity and NaN far below 1e308.
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
    timeline: list[Phase] = Field(
        default_factory=list,
        description="Phases in order, each with its perceptions and the event that ends it; the "
        "phase dynamics run each decision maker on its picture of the phase it is in.",
    )

    @field_validator("timeline")
    @classmethod
    def _timeline(cls, v: list[Phase]) -> list[Phase]:
        names = [p.name for p in v]
        for i, p in enumerate(v):
            if names.count(p.name) > 1:
                raise ValueError(f"phase name {p.name!r} is used twice; give each phase its own name")
            last = i == len(v) - 1
            if last and p.ends is not None:
                raise ValueError(
                    f"the last phase ({p.name!r}) has an end event: the last phase lasts; remove 'ends'"
                )
            if not last and p.ends is None:
                raise ValueError(
                    f"phase {p.name!r} is not the last one but says nothing of how it ends: give "
                    "ends: {when: <expression>} or {moves: N} or {leak: p}"
                )
        return v

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

    def phases(self) -> list[Phase]:
        """The timeline, or one phase with the case's perceptions when it has none."""
        return list(self.timeline) or [Phase(name="present", perceptions=dict(self.perceptions))]

    def in_phase(self, phase: Phase) -> Conflict:
        """This conflict with the perceptions of ``phase``."""
        return self.model_copy(update={"perceptions": dict(phase.perceptions)})
