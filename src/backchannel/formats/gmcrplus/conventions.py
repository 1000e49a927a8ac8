"""What reading and writing GMCR+ files share: the program's name and version
written into files, option directions, reserved words, the headers of the
blocks that keep data Backchannel does not analyse, size limits, and the
condition types."""

from __future__ import annotations

GMCR_PROGRAM = "gmcr-py"
GMCR_VERSION = "0.3.13"

_DIRECTIONS = {"both": "both", "fwd": "adopt-only", "back": "withdraw-only"}
_TO_DIRECTION = {v: k for k, v in _DIRECTIONS.items()}
_RESERVED = {"not", "and", "or", "implies", "iff", "if", "then", "true", "false"}

# Headers of the blocks that keep GMCR+ data Backchannel does not analyse.
PREF_HEADER = (
    "GMCR+ preference statements, most important first (kept for reference: "
    "the file ranks the states by hand, and the ranking is what is analysed):"
)
MISP_HEADER = (
    "GMCR+ misperceptions (kept for reference, not used in the analysis): "
    "this decision maker does not perceive the states where any of these holds:"
)
COALITION_PREFIX = "GMCR+ coalitions (kept for reference, not used in the analysis):"

_FEASIBLE_CHECK_MAX_OPTIONS = 20  # enumerate 2**n states at import up to this size
_DNF_MAX_SUPPORT = 14  # truth tables of at most 2**14 rows when writing


Cond = tuple[tuple[int, bool], ...]  # AND of (option index in file order, taken)
CondSpec = tuple[bool, tuple[Cond, ...]]  # (compound?, members); simple → one member
