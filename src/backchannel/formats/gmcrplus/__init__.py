"""Read and write GMCR+ (``gmcr-py``) ``.gmcr`` files.

GMCR+ saves a conflict as JSON: a master list of ``options`` (each with a
``permittedDirection`` of ``both``, ``fwd`` or ``back``), ``decisionMakers``
holding 0-based option indices and prioritised ``preferences``, a list of
``infeasibles`` and, when ``useManualPreferenceRanking`` is true, each
decision maker's ``preferenceRanking`` (ordered state numbers, best first; a
nested list is a tie).  Old files say ``useManualPreferenceVectors`` and
``preferenceVector``.

A *condition* is a list of ``[option index, "Y"|"N"]`` pairs, all of which must
hold; a *compound* condition ``{"compound": true, "members": [...]}`` holds
when any member does.  Preferences weigh statement ``j`` of ``K`` by
``2**(K-1-j)``, exactly as Backchannel's option prioritisation does.

On load GMCR+ groups the options by decision maker, in decision-maker order
(``reorderOptionsByDM``), *before* it numbers the states and reads the manual
rankings; the importer does the same, so Backchannel's option order, state
numbers and rankings are those GMCR+ shows for the same file.

What Backchannel does not model is kept and reported rather than dropped:
misperceptions, the preference statements of a hand-ranked decision maker and
coalitions go into descriptions (which :func:`conflict_to_gmcr` reads back),
and :func:`gmcr_warnings` lists them so that the command line can warn.
"""

from .conventions import COALITION_PREFIX as COALITION_PREFIX
from .conventions import GMCR_PROGRAM, GMCR_VERSION
from .conventions import MISP_HEADER as MISP_HEADER
from .conventions import PREF_HEADER as PREF_HEADER
from .dnf import prime_implicants
from .read import conflict_from_gmcr, gmcr_warnings
from .read import read_gmcr as read_gmcr
from .write import conflict_to_gmcr, conflict_to_gmcr_text

__all__ = [
    "GMCR_PROGRAM",
    "GMCR_VERSION",
    "conflict_from_gmcr",
    "conflict_to_gmcr",
    "conflict_to_gmcr_text",
    "gmcr_warnings",
    "prime_implicants",
]
