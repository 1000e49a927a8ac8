"""Backchannel: multi-party conflicts made computable.

The public API is small: load a case, analyse it, read typed results.

>>> import backchannel as bc
>>> result = bc.stability("chicken")
>>> result.equilibria("seq")
[2, 3]
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .case.readers import register_reader

__all__ = [
    "CONCEPTS",
    "AnalysisRefused",
    "CaseError",
    "Conflict",
    "ModelError",
    "StabilityResult",
    "StateSpace",
    "__version__",
    "coalition_search",
    "coalition_stability",
    "compile_case",
    "compile_conflict",
    "evolution",
    "explain",
    "forecast",
    "hypergame",
    "inverse",
    "limited_move",
    "load_case",
    "scenarios",
    "stability",
]

_LAZY = {
    "CONCEPTS": "gmcr.engine",
    "AnalysisRefused": "errors",
    "CaseError": "errors",
    "ModelError": "errors",
    "Conflict": "case.model",
    "StabilityResult": "gmcr.results",
    "StateSpace": "gmcr.statespace",
    "compile_conflict": "gmcr.statespace",
    "compile_case": "gmcr.analysis",
    "stability": "gmcr.analysis",
    "load_case": "case.casefile",
    "coalition_stability": "gmcr.coalitions",
    "coalition_search": "gmcr.coalitions",
    "forecast": "bargaining.forecast",
    "evolution": "gmcr.evolution",
    "explain": "gmcr.explain",
    "hypergame": "gmcr.hypergame",
    "inverse": "gmcr.inverse",
    "limited_move": "gmcr.limited_move",
    "scenarios": "scenarios.run",
}

# Functions named like their modules: once a submodule is imported, the import
# system binds the package attribute of its name to the module, which would
# hide the function (``bc.evolution`` would become the module). For these
# names the package keeps answering with the function.
_SAME_NAME = frozenset({"evolution", "explain", "hypergame", "inverse", "limited_move", "scenarios"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SAME_NAME and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def _read_gmcr(text: str, path: str) -> Conflict:
    from .formats.gmcrplus import read_gmcr

    return read_gmcr(text, path)


def _read_ktab(text: str, path: str) -> Conflict:
    from .formats.ktab import conflict_from_ktab

    return conflict_from_ktab(text, path)


# The case layer opens other tools' files through readers that live above it.
register_reader("gmcr", _read_gmcr)
register_reader("ktab", _read_ktab)

if TYPE_CHECKING:
    from .bargaining.forecast import forecast
    from .case.casefile import load_case
    from .case.model import Conflict
    from .errors import AnalysisRefused, CaseError, ModelError
    from .gmcr.analysis import compile_case, stability
    from .gmcr.coalitions import coalition_search, coalition_stability
    from .gmcr.engine import CONCEPTS
    from .gmcr.evolution import evolution
    from .gmcr.explain import explain
    from .gmcr.hypergame import hypergame
    from .gmcr.inverse import inverse
    from .gmcr.limited_move import limited_move
    from .gmcr.results import StabilityResult
    from .gmcr.statespace import StateSpace, compile_conflict
    from .scenarios.run import scenarios


def __getattr__(name: str) -> Any:
    """Import the heavy parts (numpy, pydantic) only when first used."""
    if name in _LAZY:
        import importlib

        mod = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(mod, name)
    raise AttributeError(f"module 'backchannel' has no attribute {name!r}")
