"""The public entry points: load a case, compile it, analyse its stability."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..case.casefile import case_error, read_case
from ..case.model import Conflict
from ..errors import ModelError
from .engine import CONCEPTS, stability_matrix
from .results import StabilityResult
from .statespace import StateSpace, compile_conflict

__all__ = ["as_space", "compile_case", "stability"]


def compile_case(source: str | Path, *, max_states: int | None = None) -> StateSpace:
    """Load a case file (or bundled case) and compile it; errors name the file and line."""
    conflict, name, lines = read_case(source)
    try:
        return compile_conflict(conflict, max_states=max_states)
    except ModelError as e:
        raise case_error(name, lines, e) from None


def as_space(model: Conflict | StateSpace | str | Path, *, max_states: int | None = None) -> StateSpace:
    """``model`` compiled: a state space as it is, a conflict compiled, a case file (or
    bundled case) loaded and compiled, with errors naming the file and line."""
    if isinstance(model, StateSpace):
        return model
    if isinstance(model, Conflict):
        return compile_conflict(model, max_states=max_states)
    return compile_case(model, max_states=max_states)


def stability(
    model: Conflict | StateSpace | str | Path,
    concepts: Sequence[str] = CONCEPTS,
    *,
    max_states: int | None = None,
    sim_mode: str = "joint",
) -> StabilityResult:
    """Stability of every state for every decision maker (Nash, GMR, SMR, SEQ, SIM).

    ``model`` is a compiled :class:`StateSpace`, a :class:`Conflict`, or a
    case file path / bundled case name.  ``sim_mode``: SIM with joint
    replies (the default) or ``"pairwise"`` ones (:mod:`backchannel.gmcr.sim`).

    >>> r = stability("prisoners-dilemma")
    >>> r.equilibria("nash"), r.equilibria("gmr")
    ([1], [1, 4])
    """
    space = as_space(model, max_states=max_states)
    concepts = tuple(concepts)
    stable = stability_matrix(space, concepts, sim_mode=sim_mode)
    params: dict[str, object] = {"concepts": list(concepts)}
    if "sim" in concepts:
        params["sim_mode"] = sim_mode
    return StabilityResult(space, concepts, stable, params)
