"""Checks that ``validate`` (command line and workbench) shares with the analyses
that would otherwise refuse a case only later.

:func:`check_for_sampling` runs what ``scenarios`` checks before it samples
(uncertain pairs name existing, different states; alternative orderings are
valid; distributions stay within their issue's scale or at 0 and above;
scenario conditions name known options and issues), except the status quo,
which only the scenario analysis needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..case.model import Conflict
    from ..gmcr.statespace import StateSpace

__all__ = ["check_for_sampling"]


def check_for_sampling(conflict: Conflict, space: StateSpace | None) -> None:
    """Raise :class:`~backchannel.errors.ModelError` (located) for anything that
    :func:`backchannel.scenarios.run.scenarios` would refuse in this case."""
    from ..case.uncertainty import uncertain_inputs
    from ..gmcr.statespace import scenario_conditions
    from .montecarlo import _check_support, _dm_prefs

    inputs = tuple(uncertain_inputs(conflict))
    column = {inp.target: j for j, inp in enumerate(inputs)}
    if space is not None:
        for d, dm in enumerate(conflict.decision_makers):
            _dm_prefs(space, d, dm.preferences, column)
    for inp in inputs:
        if inp.kind == "numeric":
            _check_support(conflict, inp)
    scenario_conditions(conflict)
