"""The hypergame over a case's timeline: each phase's pictures, and the story they tell.

For each phase of the timeline (:class:`~backchannel.case.model.Phase`) the
hypergame of :mod:`backchannel.gmcr.hypergame` with that phase's perceptions
(what each party anticipates in its own picture, and who would be surprised
by what), and the phase dynamics of :mod:`backchannel.gmcr.dynamics` (the path
phase by phase, who learns what when, and where the outcome differs from the
path with full information).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..case.model import Phase
from ..case.results import Result
from ..words import CONCEPT_LABELS, join_names
from .dynamics import DynamicsResult, phase_dynamics
from .hypergame import HYPERGAME_CONCEPTS, HypergameResult, hypergame
from .statespace import StateSpace

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TimelineHypergame", "evolution_dict", "story", "timeline_hypergame"]

_SHARED = ("meta", "case", "n_states", "status_quo")  # given once, at the top


@dataclass(frozen=True, eq=False)
class TimelineHypergame(Result):
    """Per phase its hypergame, and the phase dynamics."""

    phases: list[tuple[Phase, HypergameResult]]
    dynamics: DynamicsResult
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def snapshot(self) -> HypergameResult:
        """The hypergame of the first phase (the pictures the case starts from)."""
        return self.phases[0][1]

    def to_dict(self) -> dict[str, Any]:
        """The first phase's hypergame (as ``backchannel hypergame`` without a timeline), with
        ``phases`` (each phase's hypergame) and ``dynamics`` (the path phase by phase)."""
        out = self.snapshot.to_dict()
        out["phases"] = [
            {
                "name": ph.name,
                "label": ph.text,
                "description": ph.description,
                "ends": dyn["ends"],
                "hypergame": {
                    k: v
                    for k, v in hg.to_dict().items()
                    if k not in ("meta", "case", "n_states", "status_quo")
                },
            }
            for (ph, hg), dyn in zip(self.phases, self.dynamics.phases, strict=True)
        ]
        out["dynamics"] = self.dynamics.to_dict()
        out["story"] = story(self)
        return out

    def to_dataframe(self) -> pd.DataFrame:
        return self.dynamics.to_dataframe()


def timeline_hypergame(
    space: StateSpace,
    concepts: tuple[str, ...] | list[str] = HYPERGAME_CONCEPTS,
    *,
    outcomes: list[int] | None = None,
    dynamics_concept: str = "nash",
) -> TimelineHypergame:
    """The hypergame of every phase of ``space.conflict``'s timeline, and its phase dynamics."""
    conflict = space.conflict
    phases = [
        (
            ph,
            hypergame(space, concepts, outcomes=outcomes, phase=ph.name)
            if conflict.timeline
            else hypergame(space, concepts, outcomes=outcomes),
        )
        for ph in conflict.phases()
    ]
    dyn = phase_dynamics(space, dynamics_concept)
    return TimelineHypergame(phases, dyn, {"concepts": list(concepts), "dynamics_concept": dynamics_concept})


def story(result: TimelineHypergame) -> list[str]:
    """The story of the timeline in plain sentences: what each party anticipated in each
    phase, who learned what at its end, what followed, and what full information would change."""
    dyn = result.dynamics
    sp = dyn.space
    conflict = sp.conflict
    text = {d.name: d.text for d in conflict.decision_makers}
    label = {o.name: o.text for _, o in conflict.options}
    concept = dyn.concept
    lines: list[str] = []
    for (ph, hg), row in zip(result.phases, dyn.phases, strict=True):
        lines.append(
            f"{ph.text}." + (f" {' '.join((ph.description or '').split())}" if ph.description else "")
        )
        for d, v in row["perceptions"].items():
            if v["unaware_of"] or v["unsure_of"]:
                parts = []
                if v["unaware_of"]:
                    parts.append(f"does not know of {join_names([label[o] for o in v['unaware_of']])}")
                if v["unsure_of"]:
                    parts.append(
                        f"knows of {join_names([label[o] for o in v['unsure_of']])} but cannot see whether "
                        f"{'it is' if len(v['unsure_of']) == 1 else 'they are'} taken"
                    )
                ant = hg.perceived_equilibria(d, concept) if concept in hg.concepts else []
                seen, ahead = _expected(hg, d, row["start"], concept)
                rest = _states(sp, [a for a in ahead if a in ant])
                label_c = CONCEPT_LABELS.get(concept, concept)
                lines.append(
                    f"  {text[d]} {' and '.join(parts)}. It sees {_states(sp, seen)}; from there, in its "
                    f"picture, the conflict would come to rest at {rest} ({label_c})."
                )
        steps = _steps_in(dyn, row["name"])
        if steps:
            lines.append(f"  What the parties do, on the path to the outcome: {'; '.join(steps)}.")
        elif row["ends"] is not None:
            lines.append(
                "  On the path to the outcome nobody moves in this phase: every party's picture is at rest."
            )
        for s in row["surprises"]:
            verb = "is" if len(s["options"]) == 1 else "are"
            lines.append(
                f"  When it ends ({row['ends']['text']}), {text[s['decision_maker']]} learns that "
                f"{join_names([label[o] for o in s['options']])} {verb} taken (state {s['state']}): "
                f"{s['kind']}; {s['why']}."
            )
    lines.append(f"Outcome, each acting on its own picture: {_states(sp, dyn.outcomes)}.")
    if dyn.outcomes == dyn.full_information:
        lines.append(
            "Had every party known everything from the start, the same outcome(s) would be reached: "
            "here the secrecy changes who is surprised and when, not where the conflict comes to rest."
        )
    else:
        lines.append(f"Had every party known everything from the start: {_states(sp, dyn.full_information)}.")
    return lines


def _expected(hg: HypergameResult, dm: str, start: list[int], concept: str) -> tuple[list[int], list[int]]:
    """How the phase's start states look to ``dm``, and the equilibria of its own game
    reachable from there by improvements as it perceives them (universal numbers)."""
    from .evolution import evolution
    from .hypergame import perceived_game

    g = perceived_game(hg.space, dm)
    idx = [int(i) for i in g.view(hg.space.codes[[s - 1 for s in start]]) if i >= 0]
    seen = sorted({int(g.universal[i]) + 1 for i in idx})
    ahead: set[int] = set()
    for i in idx:
        ahead |= {int(g.universal[e - 1]) + 1 for e in evolution(g.space, i + 1, concept).equilibria(concept)}
    return seen, sorted(ahead)


def _steps_in(dyn: DynamicsResult, phase: str) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for path in dyn.paths.values():
        for part in path:
            if part["phase"] != phase:
                continue
            for st in part["steps"]:
                if st["text"] not in seen:
                    seen.add(st["text"])
                    out.append(st["text"])
    return out


def _states(sp: StateSpace, states: list[int]) -> str:
    if not states:
        return "no state"
    shown = "; ".join(f"state {s} ({sp.describe(s - 1)})" for s in states[:3])
    return shown + (f" and {len(states) - 3} more" if len(states) > 3 else "")


def evolution_dict(space: StateSpace, start: int | str | None, concepts: tuple[str, ...]) -> dict[str, Any]:
    """The JSON of ``backchannel evolve``: the status-quo evolution (full information) and,
    when the case has a timeline or perceptions and the walk starts at the status quo,
    ``phases``: the phase dynamics under the first concept."""
    from .evolution import evolution

    data = evolution(space, start, concepts).to_dict()
    if (space.conflict.timeline or space.conflict.perceptions) and start is None:
        data["phases"] = phase_dynamics(space, concepts[0]).to_dict()
    return data
