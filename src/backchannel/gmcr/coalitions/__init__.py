"""Coalition analysis: joint moves and coalitional stability.

Definitions (Kilgour, Hipel, Fang & Peng 2001, "Coalition analysis in group
decision support", *Group Decision and Negotiation* 10(2), 159–175; Inohara &
Hipel 2008, "Coalition analysis in the graph model for conflict resolution",
*Systems Engineering* 11(4), 343–359).  ``N`` is the set of decision makers,
``H ⊆ N`` a coalition, ``≻_i`` strict preference of ``i``:

* ``R_H(s)`` — the states the members of ``H`` reach from ``s`` by a *legal
  sequence* of their unilateral moves: any length ≥ 1, no decision maker
  moving twice in a row, any member may move again after another has moved.
  For ``H = {i}`` it is ``R_i(s)``.  The intermediate states need not be
  improvements for anyone.
* ``R_H^{++}(s)`` — the *coalitional improvements* of ``H`` from ``s``: the
  states ``t ∈ R_H(s)`` with ``t ≻_i s`` for **every** member ``i ∈ H``.  For
  ``H = {i}`` it is ``R_i^+(s)``, the unilateral improvements.
* A state ``t`` *deters* ``H`` (relative to ``s``) when ``t ⊁_H s``: some
  member ``i ∈ H`` has ``s ⪰_i t`` — the coalition, which acts only when all
  of its members gain, is no longer united behind the move.
* Class improvements (Inohara & Hipel 2008): given a partition ``𝒫`` of ``N``
  into coalitions, ``R^{++}_{𝒫∖H}(s)`` is the set of states reached by legal
  sequences of coalitional improvements of the *other* coalitions of ``𝒫``
  (each step ``t → u`` has ``u ∈ R_G^{++}(t)`` for some ``G ∈ 𝒫``, ``G ≠ H``;
  no coalition moves twice in a row).

For a coalition ``H`` of a partition ``𝒫``, a state ``s`` is

* **coalition Nash (CNash)** stable iff ``R_H^{++}(s) = ∅``;
* **coalition GMR** stable iff for every ``s1 ∈ R_H^{++}(s)`` some
  ``s2 ∈ R_{N∖H}(s1)`` deters ``H``;
* **coalition SMR** stable iff for every ``s1 ∈ R_H^{++}(s)`` some
  ``s2 ∈ R_{N∖H}(s1)`` deters ``H`` and so does every ``s3 ∈ R_H(s2)`` (the
  coalition cannot escape the sanction by a further joint move);
* **coalition SEQ** stable iff for every ``s1 ∈ R_H^{++}(s)`` some
  ``s2 ∈ R^{++}_{𝒫∖H}(s1)`` deters ``H`` (credible sanctions: each
  sanctioning step is an improvement for the coalition that takes it).

With every coalition a single decision maker these are exactly Nash, GMR,
SMR and SEQ (Fang, Hipel & Kilgour 1993); :func:`coalition_stability` with
the all-singletons partition equals :func:`~backchannel.gmcr.engine.stability_matrix`.

Where a choice was needed:

* Sanctions in GMR/SMR are any legal sequence of unilateral moves by the
  decision makers outside ``H``.  This is the same set whether the outsiders
  are grouped into coalitions or not: a legal sequence of coalitional moves
  is a legal sequence of unilateral moves and conversely (group consecutive
  moves by coalition).  For SEQ the grouping matters; sanctions are class
  improvements of the other coalitions of the partition, so a coalition of
  outsiders sanctions only by joint moves that all of its members prefer.
* Legal sequences follow the ``n``-decision-maker rule of the stability
  engine (a member may move again after another has moved); tools that let
  each member move only once miss joint moves.  (In option form a member's
  two consecutive moves amount to one move or to none, so the rule decides
  only whether ``s`` itself is in ``R_H(s)``, which no definition here
  depends on; it is implemented as stated all the same.)
* A coalition's stability says nothing about a member acting alone; the
  members' individual stability is the ordinary analysis
  (:func:`~backchannel.gmcr.engine.stability_matrix`), kept in the results for
  comparison.
* :func:`coalition_search` examines one coalition at a time, every other
  decision maker acting alone (partition ``{H}`` plus singletons), and asks
  of every ordinary equilibrium whether ``H`` breaks it: whether the state
  is not coalitionally stable for ``H``.  An equilibrium that no coalition
  breaks is what Kilgour et al. (2001) call coalitionally stable.  Elmira is
  the example of Kilgour & Hipel (2005) and Inohara & Hipel (2008): the
  Ministry of the Environment and Uniroyal jointly leave the equilibrium 7
  for state 10, passing through a state that is worse for whoever moves
  first.

Implementation.  ``R_H(s)`` stays inside the *block* of states that agree
with ``s`` on the options of the decision makers outside ``H``.  It is
propagated from the start states as bit sets, by the fixed point over
(state, last mover) that the engine uses with bitwise OR in place of the
minimum, visiting again only the moves whose far end changed.  Starts in
different blocks share bit positions, so a state carries as many bits as
the largest number of starts in one block.  GMR and SEQ sanctions reduce,
member by member, to the engine's :func:`~backchannel.gmcr.engine.reachable_min`:
some ``s2`` deters ``H`` iff for some member ``i`` the least payoff of ``i``
over the sanctions is at most its payoff at ``s``.  For SMR a scalar test of
the same kind settles most joint moves (a sanction from which one member
cannot jointly reach anything it prefers to ``s``); the rest are decided
exactly with bit sets, one bit per distinct payoff vector of the members at
the start.  A coalition whose joint moves reach too many states is refused
(:class:`~backchannel.errors.AnalysisRefused`); the search skips it and says
so.
"""

from __future__ import annotations

from .joint import joint_improvements, joint_path
from .partitions import COALITION_CONCEPTS, check_partition, parse_partition
from .results import CoalitionBreak, CoalitionResult, CoalitionSearchResult, joint_move_text
from .search import coalition_search
from .stability import coalition_stability

__all__ = [
    "COALITION_CONCEPTS",
    "CoalitionBreak",
    "CoalitionResult",
    "CoalitionSearchResult",
    "check_partition",
    "coalition_search",
    "coalition_stability",
    "joint_improvements",
    "joint_move_text",
    "joint_path",
    "parse_partition",
]
