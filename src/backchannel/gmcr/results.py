"""The stability of every state for every decision maker, as a typed result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..case.results import Result, meta
from .statespace import StateSpace

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["StabilityResult"]


@dataclass(frozen=True, eq=False)
class StabilityResult(Result):
    """Stability of every feasible state for every decision maker.

    ``stable[concept]`` is a boolean array of shape ``(n_dms, n_states)``;
    states are numbered from 1 as in the GMCR literature (``index + 1``).
    """

    space: StateSpace
    concepts: tuple[str, ...]
    stable: dict[str, np.ndarray]
    parameters: dict[str, Any] = field(default_factory=dict)

    # -- queries ----------------------------------------------------------
    @property
    def dm_names(self) -> tuple[str, ...]:
        return self.space.dm_names

    def equilibria(self, concept: str) -> list[int]:
        """State numbers stable for every decision maker under ``concept``."""
        return [int(s) + 1 for s in np.flatnonzero(self.stable[concept].all(axis=0))]

    def stable_states(self, dm: str, concept: str) -> list[int]:
        """State numbers stable for decision maker ``dm`` under ``concept``."""
        d = self.space.dm_index(dm)
        return [int(s) + 1 for s in np.flatnonzero(self.stable[concept][d])]

    def is_stable(self, state: int, dm: str, concept: str) -> bool:
        return bool(self.stable[concept][self.space.dm_index(dm), state - 1])

    # -- conversions --------------------------------------------------------
    def to_dict(self, *, states: bool = True) -> dict[str, Any]:
        sp = self.space
        out: dict[str, Any] = {
            "case": sp.conflict.title,
            "concepts": list(self.concepts),
            "decision_makers": list(sp.dm_names),
            "options": [
                {"number": i + 1, "name": o.name, "controller": dm.name, "reversible": o.reversible}
                for i, (dm, o) in enumerate(sp.conflict.options)
            ],
            "n_states": sp.n_states,
            "status_quo": None if sp.status_quo is None else sp.status_quo + 1,
        }
        if states:
            pats = sp.patterns()
            out["states"] = [
                {
                    "number": s + 1,
                    "pattern": pats[s],
                    "code": int(sp.codes[s]),
                    "description": sp.describe(s),
                    "scenarios": sp.scenario_labels(s),
                    "payoffs": {dm: int(sp.payoffs[d, s]) for d, dm in enumerate(sp.dm_names)},
                }
                for s in range(sp.n_states)
            ]
        out["stability"] = {dm: {c: self.stable_states(dm, c) for c in self.concepts} for dm in sp.dm_names}
        out["equilibria"] = {c: self.equilibria(c) for c in self.concepts}
        out["scenarios"] = {
            name: {
                "label": sc.label,
                "states": [int(s) + 1 for s in np.flatnonzero(sp.scenarios[name])],
                "equilibria": {
                    c: [e for e in self.equilibria(c) if sp.scenarios[name][e - 1]] for c in self.concepts
                },
            }
            for name, sc in sp.conflict.scenarios.items()
        }
        out.update(self.reasons())
        out["meta"] = meta(
            sp,
            "stability",
            "Fang, Hipel & Kilgour (1993); legal move sequences for coalitions",
            self.parameters,
        )
        return out

    def reasons(self) -> dict[str, Any]:
        """The computed summary (sentences) and the solution-concept guidance
        (:func:`backchannel.gmcr.guidance.concept_guidance`)."""
        from .guidance import concept_guidance
        from .summary import stability_summary

        wanted = tuple(c for c in ("gmr", "smr", "seq") if c in self.concepts)
        rows = concept_guidance(self.space, {c: self.stable[c] for c in wanted}, wanted)
        return {"summary": stability_summary(self, rows=rows), "guidance": rows}

    def to_dataframe(self) -> pd.DataFrame:
        """One row per state; a boolean column per (decision maker, concept) and
        an ``eq_<concept>`` column per concept."""
        import pandas as pd

        sp = self.space
        data: dict[str, Any] = {
            "number": np.arange(1, sp.n_states + 1),
            "pattern": sp.patterns(),
            "description": [sp.describe(s) for s in range(sp.n_states)],
            "scenarios": [", ".join(sp.scenario_labels(s)) for s in range(sp.n_states)],
        }
        for c in self.concepts:
            for d, dm in enumerate(sp.dm_names):
                data[f"{dm}.{c}"] = self.stable[c][d]
        for c in self.concepts:
            data[f"eq_{c}"] = self.stable[c].all(axis=0)
        return pd.DataFrame(data).set_index("number")
