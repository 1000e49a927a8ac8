"""The choices of the expected-utility model (:class:`BdmParams`) and the
names the computation shares: dyad outcome codes and array types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["MAX_ROUNDS", "OUTCOMES", "BdmParams"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Dyad outcomes from the focal actor ``i``'s side against ``j`` (codes 0–6 in
#: ``BdmResult.outcome``).  Only the codes 1, 3 and 5 make ``i`` move.
OUTCOMES: tuple[str, ...] = (
    "status_quo",  # 0: neither expects to gain from a challenge (or same position)
    "conflict_lost",  # 1: both challenge, j's expectation is the larger → i moves to xⱼ
    "conflict_won",  # 2: both challenge, i's expectation is the larger → j should move
    "compromise",  # 3: i concedes part of the way towards xⱼ
    "compromise_won",  # 4: j concedes part of the way towards xᵢ (in i's eyes)
    "capitulation",  # 5: i gives in and moves to xⱼ
    "compels",  # 6: i compels j to give in (in i's eyes)
)
_MOVING = (1, 3, 5)

#: The cap of ``rounds="auto"`` unless another is given.
MAX_ROUNDS = 100

Probability = Literal["scholz", "pairwise", "net"]
Risk = Literal["scholz", "neutral"]
Perspective = Literal["own", "true"]
OfferSelection = Literal["priority", "scholz_code", "least_move", "strongest"]


@dataclass(frozen=True)
class BdmParams:
    """The choices the published descriptions leave open, with the defaults that
    reproduce Scholz, Calbert & Smith (2011, Table 2).

    ``probability`` — the normaliser of the probability of success:

    * ``"scholz"`` (default): the votes for ``i`` over ``j`` divided by the
      absolute votes of every voter in *every* pairwise contest,
      ``Σₖ Σₐ Σ_b |vₖ(a, b)|``.  This is how the public Python transcription of
      Scholz et al.'s code reads their normaliser (jmckib/bdm-scholz-expected-
      utility-model), and the only reading among those tried that reproduces
      their Table 2.  It makes probabilities small (of order 1/n²), so a
      challenge's value rests mostly on the target's salience.
    * ``"pairwise"``: over the absolute votes in the ``i``–``j`` contest only,
      ``Σₖ |vₖ(i, j)|``, so that ``P(i beats j) + P(j beats i) = 1`` (the
      natural reading of the published formula, and of Masad's replication,
      dmasad/BDM_DecisionModel_Replication).  On the EC case nobody then moves.
    * ``"net"``: ``max(0, Σₖ vₖ(i, j)) / Σₖ |vₖ(i, j)|`` (an earlier version of
      Masad's replication).

    ``risk`` — ``"scholz"`` (default): the risk exponents of step 4, the danger
    levels compared across actors (Scholz et al.; Bueno de Mesquita 1994
    compares an actor's danger across the positions it could take, which is
    not implemented); ``"neutral"``: every ``r = 1``.

    ``risk_in_votes`` — the votes behind the probabilities use each voter's
    risk exponent, ``(dₖⱼ)^rₖ − (dₖᵢ)^rₖ`` (default, as in the transcription of
    the code), or linear distances (``False``; the median always uses linear
    utilities).

    ``perspective`` — ``"own"`` (default): ``i`` estimates ``j``'s expected
    utility of challenging ``i`` with ``i``'s own risk exponent, expected
    utilities being "from ``i``'s perspective" (Bueno de Mesquita 1994;
    Scholz et al.); ``"true"``: with ``j``'s exponent.

    ``offer_selection`` — which offer an actor accepts when it has several:

    * ``"priority"`` (default): a lost conflict before a compromise before a
      capitulation (the order of Scholz et al.'s code as transcribed); among
      conflicts and capitulations the nearest position, among compromises the
      one proposed by the actor with the most to gain (largest estimated
      ``E(Uⱼᵢ)``).
    * ``"scholz_code"``: the same order, but among compromises the one whose
      expected-utility-weighted midpoint ``(|E(Uᵢⱼ)|xᵢ + |E(Uⱼᵢ)|xⱼ)/(|E(Uᵢⱼ)| +
      |E(Uⱼᵢ)|)`` is *smallest*, as the transcription reads the original code.
      It gives the same trajectory on the EC case, but depends on which end of
      the scale is low, so it is not the default.
    * ``"least_move"``: the offer that moves the actor least, whatever its kind
      (the rule as stated in the text of Bueno de Mesquita 1994 and Scholz et
      al.).  On the EC case this departs from Table 2 from round 6 on.
    * ``"strongest"``: the offer from the proposer with the most to gain.

    ``q`` and ``t`` — Q, the probability that the status quo persists when
    nobody challenges, and T, the probability that, if it changes, it changes
    in the challenger's favour.  Scholz et al. use Q = 1, where T is moot.

    ``legacy_sign`` — a public transcription (Masad's replication) computes
    ``… − Q·Usq + (1 − Q)[T·Ub + (1 − T)·Uw]``, a sign slip on the last term
    (Bueno de Mesquita subtracts the whole expected utility of not
    challenging); ``True`` reproduces it.  Moot when Q = 1.
    """

    probability: Probability = "scholz"
    risk: Risk = "scholz"
    risk_in_votes: bool = True
    perspective: Perspective = "own"
    offer_selection: OfferSelection = "priority"
    q: float = 1.0
    t: float = 1.0
    legacy_sign: bool = False

    def __post_init__(self) -> None:
        choices: dict[str, tuple[str, ...]] = {
            "probability": ("scholz", "pairwise", "net"),
            "risk": ("scholz", "neutral"),
            "perspective": ("own", "true"),
            "offer_selection": ("priority", "scholz_code", "least_move", "strongest"),
        }
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, not {value!r}")
        for name in ("q", "t"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} is a probability: give a number from 0 to 1, not {value!r}")
