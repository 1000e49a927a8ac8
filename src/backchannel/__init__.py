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

__version__ = "0.1.0"

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
    "forecast",
    "hypergame",
    "inverse",
    "limited_move",
    "load_case",
    "scenarios",
    "stability",
]

_LAZY = {
    "CONCEPTS": "engine",
    "AnalysisRefused": "errors",
    "CaseError": "errors",
    "ModelError": "errors",
    "Conflict": "model",
    "StabilityResult": "results",
    "StateSpace": "statespace",
    "compile_conflict": "statespace",
    "compile_case": "analysis",
    "stability": "analysis",
    "load_case": "casefile",
    "coalition_stability": "coalitions",
    "coalition_search": "coalitions",
    "forecast": "bargaining.forecast",
    "evolution": "evolution",
    "hypergame": "hypergame",
    "inverse": "inverse",
    "limited_move": "limited_move",
    "scenarios": "scenarios",
}

# Functions named like their modules: once a submodule is imported, the import
# system binds the package attribute of its name to the module, which would
# hide the function (``bc.evolution`` would become the module). For these
# names the package keeps answering with the function.
_SAME_NAME = frozenset({"evolution", "hypergame", "inverse", "limited_move", "scenarios"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SAME_NAME and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

if TYPE_CHECKING:
    from .analysis import compile_case, stability
    from .bargaining.forecast import forecast
    from .casefile import load_case
    from .coalitions import coalition_search, coalition_stability
    from .engine import CONCEPTS
    from .errors import AnalysisRefused, CaseError, ModelError
    from .evolution import evolution
    from .hypergame import hypergame
    from .inverse import inverse
    from .limited_move import limited_move
    from .model import Conflict
    from .results import StabilityResult
    from .scenarios import scenarios
    from .statespace import StateSpace, compile_conflict


def __getattr__(name: str) -> Any:
    """Import the heavy parts (numpy, pydantic) only when first used."""
    if name in _LAZY:
        import importlib

        mod = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(mod, name)
    raise AttributeError(f"module 'backchannel' has no attribute {name!r}")
