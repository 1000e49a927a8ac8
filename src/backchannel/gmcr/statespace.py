"""Compile a :class:`~backchannel.case.model.Conflict` into arrays, once.

The compiled :class:`StateSpace` holds the feasible states (as sorted integer
codes), each decision maker's unilateral moves (as a CSR adjacency over state
indices) and each decision maker's preference payoffs (dense ranks, higher is
better).  Every analysis is a function of it.

States are numbered as in the GMCR literature and GMCR+: a state's code is
``sum(2**(i-1))`` over the options ``i`` taken (option 1 weighs 1); feasible
states are sorted by code and numbered from 1.

Feasible states are enumerated decision maker by decision maker, applying each
infeasibility rule as soon as all of its options are known, so rules local to
one decision maker prune early.  The size is estimated before anything large
is built; past ``max_states`` (by default set from the available memory) the
compilation is refused with :class:`~backchannel.errors.AnalysisRefused`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..case.expr import Expr, ExprError, Pattern, parse_condition, parse_pattern
from ..case.model import Conflict, Preferences, StateRef
from ..errors import AnalysisRefused, ModelError
from .kernels import ByTarget, moves_kernel, use_kernels

__all__ = [
    "Moves",
    "StateSpace",
    "check_perceptions",
    "compile_conflict",
    "default_max_states",
    "estimate_states",
    "patterns_of",
]

MAX_OPTIONS = 62
_DENSE_LOOKUP_BITS = 26  # a dense code → index table up to 2**26 entries (256 MiB)


@dataclass(frozen=True, eq=False)
class Moves:
    """A decision maker's unilateral moves as CSR: targets of state ``s`` are
    ``targets[indptr[s]:indptr[s+1]]`` (state indices, ascending)."""

    indptr: np.ndarray  # int64, n_states + 1
    targets: np.ndarray  # int32
    # every state's moves go to every other state that agrees with it outside
    # the mover's options (its block): a decision maker whose options are all
    # reversible.  The moves within a block then run both ways, between all.
    clique: bool = False

    @cached_property
    def sources(self) -> np.ndarray:
        """The source state of every move (aligned with ``targets``)."""
        n = len(self.indptr) - 1
        return np.repeat(np.arange(n, dtype=np.int32), np.diff(self.indptr))

    def of(self, s: int) -> np.ndarray:
        return self.targets[self.indptr[s] : self.indptr[s + 1]]

    @property
    def n_moves(self) -> int:
        return int(self.targets.size)

    def subset(self, keep: np.ndarray) -> Moves:
        """The moves where ``keep`` (aligned with ``targets``) is true."""
        n = len(self.indptr) - 1
        counts = np.bincount(self.sources[keep], minlength=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return Moves(indptr, self.targets[keep])


def patterns_of(codes: np.ndarray, n_options: int) -> list[str]:
    """The Y/N pattern of each state code, option 1 first."""
    if not n_options:
        return [""] * codes.size
    bits = (codes[:, None] >> np.arange(n_options, dtype=np.uint64)[None, :]) & np.uint64(1)
    table = np.where(bits.astype(bool), ord("Y"), ord("N")).astype(np.uint8)
    return table.view(f"S{n_options}").ravel().astype(str).tolist()


@dataclass(frozen=True, eq=False)
class StateSpace:
    """A conflict compiled into arrays. Immutable; build with :func:`compile_conflict`."""

    conflict: Conflict
    codes: np.ndarray  # uint64, sorted: the feasible states
    dm_names: tuple[str, ...]
    dm_masks: tuple[int, ...]  # bit mask of each DM's options
    moves: tuple[Moves, ...]  # per DM
    payoffs: np.ndarray  # int32 (n_dms, n_states): dense preference rank, higher is better
    status_quo: int | None = None  # state index
    observed: int | None = None
    scenarios: dict[str, np.ndarray] = field(default_factory=dict)  # name → bool per state
    _lookup: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_states(self) -> int:
        return int(self.codes.size)

    @cached_property
    def by_source(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every decision maker's moves together as CSR by source state: (pointer, source,
        target, mover), int64, a source's moves by mover and then target; built once."""
        n = self.n_states
        src = np.concatenate([m.sources for m in self.moves]).astype(np.int64)
        tgt = np.concatenate([m.targets for m in self.moves]).astype(np.int64)
        mov = np.concatenate([np.full(m.n_moves, d, dtype=np.int64) for d, m in enumerate(self.moves)])
        order = np.argsort(src, kind="stable")  # the movers in order, each one's targets ascending
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
        return ptr, src[order], tgt[order], mov[order]

    @cached_property
    def by_target(self) -> ByTarget:
        """Every decision maker's moves by target (row ``d`` for DM ``d``), built once."""
        return ByTarget([(m.indptr, m.targets, m.clique) for m in self.moves])

    @property
    def n_options(self) -> int:
        return self.conflict.n_options

    @property
    def n_dms(self) -> int:
        return len(self.dm_names)

    def index_of(self, codes: np.ndarray | int) -> np.ndarray:
        """State index of each code, or -1 where the code is not a feasible state."""
        c = np.asarray(codes, dtype=np.uint64)
        if self._lookup is not None:
            return self._lookup[c.astype(np.int64)]
        if not self.codes.size:
            return np.full(c.shape, -1, dtype=np.int64)
        pos = np.searchsorted(self.codes, c)
        pos = np.minimum(pos, self.codes.size - 1)
        return np.where(self.codes[pos] == c, pos, -1).astype(np.int64)

    def pattern(self, s: int) -> str:
        """Y/N pattern of state index ``s``, option 1 first."""
        code = int(self.codes[s])
        return "".join("Y" if code >> i & 1 else "N" for i in range(self.n_options))

    def patterns(self) -> list[str]:
        return patterns_of(self.codes, self.n_options)

    def describe(self, s: int) -> str:
        """A short description of what is taken in state ``s``."""
        code = int(self.codes[s])
        taken = [name for i, name in enumerate(self.conflict.option_names) if code >> i & 1]
        return ", ".join(taken) if taken else "(nothing taken)"

    def scenario_labels(self, s: int) -> list[str]:
        return [name for name, mask in self.scenarios.items() if mask[s]]

    def restrict(self, keep: np.ndarray, payoffs: np.ndarray | None = None) -> StateSpace:
        """The sub-space of the states where ``keep`` is true: moves between
        kept states only, and ``payoffs`` (over the kept states) if given.

        Used for perceived games: a decision maker unaware of some options sees
        only the states in which they are not taken.
        """
        keep = np.asarray(keep, dtype=bool)
        new_index = np.cumsum(keep) - 1
        new_index[~keep] = -1
        moves = []
        for mv in self.moves:
            src = new_index[mv.sources]
            tgt = new_index[mv.targets]
            ok = (src >= 0) & (tgt >= 0)
            indptr = np.zeros(int(keep.sum()) + 1, dtype=np.int64)
            np.cumsum(np.bincount(src[ok], minlength=int(keep.sum())), out=indptr[1:])
            moves.append(Moves(indptr, tgt[ok].astype(np.int32), mv.clique))
        pay = self.payoffs[:, keep] if payoffs is None else np.asarray(payoffs, dtype=np.int32)

        def mapped(s: int | None) -> int | None:
            return None if s is None or not keep[s] else int(new_index[s])

        return StateSpace(
            conflict=self.conflict,
            codes=self.codes[keep],
            dm_names=self.dm_names,
            dm_masks=self.dm_masks,
            moves=tuple(moves),
            payoffs=pay,
            status_quo=mapped(self.status_quo),
            observed=mapped(self.observed),
            scenarios={k: v[keep] for k, v in self.scenarios.items()},
        )

    def dm_index(self, name: str) -> int:
        try:
            return self.dm_names.index(name)
        except ValueError:
            raise KeyError(
                f"no decision maker {name!r}; the conflict has {', '.join(self.dm_names)}"
            ) from None


# ---------------------------------------------------------------------------
# size guard


def available_memory() -> int:
    """Bytes of memory available now (MemAvailable), or physical memory."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 8 << 30


def bytes_per_state(conflict: Conflict) -> int:
    """Rough peak memory of a full stability analysis, per state."""
    moves = sum(2 ** min(len(dm.options), 30) for dm in conflict.decision_makers)
    return 256 + 48 * moves


def default_max_states(conflict: Conflict) -> int:
    """The largest state space that the available memory allows (at least 2**16)."""
    env = os.environ.get("BACKCHANNEL_MAX_STATES", "")
    if env.isdigit():
        return int(env)
    return max(1 << 16, int(available_memory() * 0.7) // bytes_per_state(conflict))


def estimate_states(conflict: Conflict) -> int:
    """An upper bound on the number of feasible states, computed cheaply.

    The product over decision makers of the number of patterns of their own
    options that satisfy the infeasibility rules local to them.
    """
    _, rules = _prepare(conflict)
    est = 1
    for d in range(len(conflict.decision_makers)):
        est *= int(_local_patterns(conflict, rules, d).size)
    return est


# ---------------------------------------------------------------------------
# compilation


@dataclass(frozen=True)
class _Rule:
    loc: tuple[str | int, ...]
    support: frozenset[int]
    infeasible: Callable[[np.ndarray], np.ndarray]


def _prepare(conflict: Conflict) -> tuple[dict[str, int], list[_Rule]]:
    """Check names and structure; parse the infeasibility rules."""
    names: dict[str, int] = {}
    owner: dict[str, str] = {}
    seen_dm: dict[str, int] = {}
    if not conflict.decision_makers:
        raise ModelError(
            "the case has no decision makers",
            ("decision_makers",),
            "The graph-model analyses need decision makers with options; a case with only "
            "issues and actors can be used by `backchannel forecast`.",
        )
    for d, dm in enumerate(conflict.decision_makers):
        if dm.name in seen_dm:
            raise ModelError(
                f"decision maker {dm.name!r} is defined twice",
                ("decision_makers", d, "name"),
                "Give each decision maker a distinct name.",
            )
        seen_dm[dm.name] = d
        if not dm.options:
            raise ModelError(
                f"decision maker {dm.name!r} has no options",
                ("decision_makers", d, "options"),
                "Give it at least one option it controls, or remove it.",
            )
        for k, opt in enumerate(dm.options):
            if opt.name in owner:
                other = owner[opt.name]
                msg = (
                    f"option {opt.name!r} is controlled by both {other!r} and {dm.name!r}"
                    if other != dm.name
                    else f"option {opt.name!r} is listed twice under {dm.name!r}"
                )
                raise ModelError(
                    msg,
                    ("decision_makers", d, "options", k, "name"),
                    "Each option has exactly one controller: rename or remove one of them.",
                )
            owner[opt.name] = dm.name
            names[opt.name] = len(names)
    n = len(names)
    if n > MAX_OPTIONS:
        raise AnalysisRefused(
            f"the conflict has {n} options; at most {MAX_OPTIONS} are supported "
            "(2**62 states). Merge options or split the conflict."
        )

    check_perceptions(conflict)
    rules: list[_Rule] = []
    for r, rule in enumerate(conflict.infeasible):
        form = rule.form
        loc: tuple[str | int, ...] = ("infeasible", r, form)
        try:
            if form == "expr":
                assert rule.expr is not None
                cond = parse_condition(rule.expr, names, n)
                rules.append(_Rule(loc, cond.options(), cond.evaluate))
            elif form == "pattern":
                assert rule.pattern is not None
                pat = parse_pattern(rule.pattern, n)
                rules.append(_Rule(loc, pat.options(), pat.evaluate))
            else:
                group: list[str] = getattr(rule, form)
                idx = []
                for name in group:
                    if name not in names:
                        raise ExprError(f"unknown option {name!r}")
                    idx.append(names[name])
                rules.append(_Rule(loc, frozenset(idx), _count_rule(form, idx)))
        except ExprError as e:
            raise ModelError(str(e), loc, "Use the option names defined under decision_makers.") from None
    return names, rules


def check_perceptions(conflict: Conflict) -> None:
    """Clear errors for perceptions naming unknown decision makers or options."""
    names = {name: i for i, name in enumerate(conflict.option_names)}
    dm_names = [dm.name for dm in conflict.decision_makers]
    dms = set(dm_names)
    owner = {o.name: dm.name for dm, o in conflict.options}

    def check_dm(name: str, loc: tuple[str | int, ...], perceiver: str, what: str) -> None:
        if name not in dms:
            raise ModelError(
                f"unknown decision maker {name!r}",
                loc,
                f"Name one of {', '.join(dm_names)}.",
            )
        if name == perceiver:
            raise ModelError(
                f"{what} of {perceiver!r} about itself",
                loc,
                "A decision maker's own preferences and options are its true ones: remove this entry.",
            )

    def check_options(opts: list[str], loc: tuple[str | int, ...], holder: str) -> None:
        for i, opt in enumerate(opts):
            if opt not in names:
                raise ModelError(
                    f"unknown option {opt!r}",
                    (*loc, i),
                    "Use the option names defined under decision_makers.",
                )
            if owner[opt] == holder:
                raise ModelError(
                    f"{holder!r} cannot be unaware of its own option {opt!r}",
                    (*loc, i),
                    "Remove it from unaware_of.",
                )

    for k, per in conflict.perceptions.items():
        base: tuple[str | int, ...] = ("perceptions", k)
        if k not in dms:
            raise ModelError(
                f"perceptions are given for an unknown decision maker {k!r}",
                base,
                f"Name one of {', '.join(dm_names)}.",
            )
        check_options(per.unaware_of, (*base, "unaware_of"), k)
        check_options(per.unsure_of, (*base, "unsure_of"), k)
        for j in per.preferences:
            check_dm(j, (*base, "preferences", j), k, "a belief")
        for j, nested in per.about.items():
            check_dm(j, (*base, "about", j), k, "a second-level perception")
            check_options(nested.unaware_of, (*base, "about", j, "unaware_of"), j)
            for d in nested.preferences:
                if d not in dms:
                    raise ModelError(
                        f"unknown decision maker {d!r}",
                        (*base, "about", j, "preferences", d),
                        f"Name one of {', '.join(dm_names)}.",
                    )
                if d == j:
                    raise ModelError(
                        f"what {k!r} believes {j!r} believes of its own preferences",
                        (*base, "about", j, "preferences", d),
                        f"Give {k!r}'s belief about {j!r}'s preferences under perceptions.{k}.preferences.",
                    )
    for i, phase in enumerate(conflict.timeline):  # each phase's perceptions, located in the timeline
        try:
            check_perceptions(conflict.model_copy(update={"perceptions": phase.perceptions, "timeline": []}))
        except ModelError as e:
            raise ModelError(e.message, ("timeline", i, *e.loc), e.hint) from None
        if phase.ends is not None and phase.ends.when is not None:
            try:
                parse_condition(phase.ends.when, names, len(names))
            except ExprError as e:
                raise ModelError(
                    str(e), ("timeline", i, "ends", "when"), "Write an expression over option names."
                ) from None


def _count_rule(form: str, idx: Sequence[int]) -> Callable[[np.ndarray], np.ndarray]:
    def infeasible(codes: np.ndarray) -> np.ndarray:
        count = np.zeros(codes.shape, dtype=np.int64)
        for i in idx:
            count += ((codes >> np.uint64(i)) & np.uint64(1)).astype(np.int64)
        if form == "at_most_one":
            return count > 1
        if form == "exactly_one":
            return count != 1
        return count < 1  # at_least_one

    return infeasible


def _dm_option_range(conflict: Conflict, d: int) -> tuple[int, int]:
    start = sum(len(dm.options) for dm in conflict.decision_makers[:d])
    return start, start + len(conflict.decision_makers[d].options)


def _local_patterns(conflict: Conflict, rules: list[_Rule], d: int) -> np.ndarray:
    """Codes (with only DM ``d``'s bits) allowed by the rules local to ``d``."""
    lo, hi = _dm_option_range(conflict, d)
    m = hi - lo
    if m > 24:
        raise AnalysisRefused(
            f"decision maker {conflict.decision_makers[d].name!r} controls {m} options; "
            "at most 24 per decision maker are supported"
        )
    pats = np.arange(2**m, dtype=np.uint64) << np.uint64(lo)
    own = frozenset(range(lo, hi))
    keep = np.ones(pats.shape, dtype=bool)
    for rule in rules:
        if rule.support and rule.support <= own:
            keep &= ~rule.infeasible(pats)
    return pats[keep]


def _enumerate(conflict: Conflict, rules: list[_Rule], max_states: int, why: str) -> np.ndarray:
    n_dm = len(conflict.decision_makers)
    local = [_local_patterns(conflict, rules, d) for d in range(n_dm)]
    bound = 1
    for p in local:
        bound *= int(p.size)
    pending = [r for r in rules if r.support and not _is_local(conflict, r, n_dm)]
    advice = (
        f"the limit is {max_states:,}, {why}. Raise it with --max-states N (or "
        "BACKCHANNEL_MAX_STATES), or reduce the options or add infeasibility rules."
    )
    if not pending and bound > max_states:  # the bound is exact: refuse before building
        raise AnalysisRefused(f"the conflict has {bound:,} feasible states; {advice}")
    codes = np.zeros(1, dtype=np.uint64)
    known: frozenset[int] = frozenset()
    for d in range(n_dm):
        size = codes.size * local[d].size
        if size > 4 * max_states:
            raise AnalysisRefused(
                f"the state space would have more than {size:,} states (upper bound {bound:,}); {advice}"
            )
        codes = (codes[:, None] | local[d][None, :]).ravel()
        lo, hi = _dm_option_range(conflict, d)
        known |= frozenset(range(lo, hi))
        for rule in [r for r in pending if r.support <= known]:
            codes = codes[~rule.infeasible(codes)]
            pending.remove(rule)
    for rule in rules:
        if not rule.support:  # constant rules ("true" / "false")
            codes = codes[~rule.infeasible(codes)]
    if codes.size > max_states:
        raise AnalysisRefused(f"the conflict has {codes.size:,} feasible states; {advice}")
    return np.sort(codes)


def _is_local(conflict: Conflict, rule: _Rule, n_dm: int) -> bool:
    """Whether all of the rule's options belong to one decision maker."""
    for d in range(n_dm):
        lo, hi = _dm_option_range(conflict, d)
        if rule.support <= frozenset(range(lo, hi)):
            return True
    return False


def _compute_moves(
    conflict: Conflict,
    codes: np.ndarray,
    lookup: np.ndarray | None,
    index_of: Callable[[np.ndarray], np.ndarray],
    local: np.ndarray,
    d: int,
    adopt_only: int,
    withdraw_only: int,
) -> Moves:
    """All unilateral moves of DM ``d``: change its own options only, to a
    feasible state, respecting each option's reversibility (compiled for
    large spaces: :func:`backchannel.gmcr.kernels.moves_kernel`)."""
    lo, hi = _dm_option_range(conflict, d)
    mask = ((1 << (hi - lo)) - 1) << lo
    clique = (mask & (adopt_only | withdraw_only)) == 0
    ao, wo = np.uint64(adopt_only), np.uint64(withdraw_only)
    local = np.sort(local).astype(np.uint64)
    if use_kernels(codes.size):
        table = lookup if lookup is not None else np.zeros(0, dtype=np.int64)
        indptr, targets = moves_kernel(
            np.ascontiguousarray(codes, dtype=np.uint64), np.uint64(mask), local, ao, wo, table
        )
        return Moves(indptr, targets, clique)
    n = codes.size
    chunk = max(1, (1 << 22) // max(local.size, 1))
    counts = np.zeros(n, dtype=np.int64)
    parts: list[np.ndarray] = []
    for start in range(0, n, chunk):
        c = codes[start : start + chunk]
        cur = (c & np.uint64(mask))[:, None]
        ctx = (c & ~np.uint64(mask))[:, None]
        p = local[None, :]
        ok = p != cur
        ok &= ((cur & ~p) & ao) == 0  # no adopt-only option withdrawn
        ok &= ((p & ~cur) & wo) == 0  # no withdraw-only option adopted
        idx = np.full(ok.shape, -1, dtype=np.int64)
        idx[ok] = index_of((ctx | p)[ok])
        ok &= idx >= 0
        counts[start : start + c.size] = ok.sum(axis=1)
        # row-major order keeps sources ascending, and ascending patterns ascending targets
        parts.append(idx[ok])
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    targets = np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, np.int32)
    return Moves(indptr, targets, clique)


def _resolve_state(
    ref: StateRef,
    space_codes: np.ndarray,
    index_of: Callable[[np.ndarray], np.ndarray],
    n_options: int,
    loc: tuple[str | int, ...],
) -> int:
    n = space_codes.size
    if isinstance(ref, bool):
        raise ModelError(f"{ref!r} is not a state", loc, "Give a state number or a Y/N pattern.")
    if isinstance(ref, int):
        if not 1 <= ref <= n:
            raise ModelError(
                f"state {ref} does not exist: the conflict has {n} feasible states, numbered 1 to {n}",
                loc,
                "Use a number from that range or the state's Y/N pattern.",
            )
        return ref - 1
    text = str(ref).strip()
    if "-" in text:
        raise ModelError(
            f"{text!r} is a pattern with '-', not one state",
            loc,
            "Give every option as Y or N, or the state's number.",
        )
    try:
        pat = parse_pattern(text, n_options)
    except ExprError as e:
        raise ModelError(str(e), loc, "Give a state number or a Y/N pattern, option 1 first.") from None
    s = int(index_of(np.array([pat.value], dtype=np.uint64))[0])
    if s < 0:
        raise ModelError(
            f"state {text} is infeasible", loc, "Name a feasible state (see `backchannel analyze`)."
        )
    return s


def preference_payoff(
    prefs: Preferences,
    codes: np.ndarray,
    names: dict[str, int],
    base: tuple[str | int, ...],
    who: str,
    resolve: Callable[[StateRef, tuple[str | int, ...]], int],
    number: Callable[[int], int] = lambda s: s + 1,
    unknown: dict[int, str] | None = None,
) -> np.ndarray:
    """Dense preference ranks (higher is better) of ``prefs`` over the states ``codes``.

    ``resolve`` maps a state reference of a ranking to an index into ``codes``
    (raising :class:`ModelError`); ``number`` gives the state number shown in
    messages; ``unknown`` maps option indices that statements may not mention
    to the reason (e.g. in a perceived game, the options the perceiver does not
    know of).  Errors are located under ``base``.
    """
    n = codes.size
    n_opt = len(names)
    if prefs.prioritization is not None:
        truth = np.zeros((n, len(prefs.prioritization)), dtype=bool)
        for j, st in enumerate(prefs.prioritization):
            loc = (*base, "prioritization", j)
            try:
                cond = parse_condition(st.condition, names, n_opt)
            except ExprError as e:
                raise ModelError(
                    str(e),
                    loc,
                    "Write the statement with option names and not/and/or/implies/iff, "
                    "or as a Y/N/- pattern.",
                ) from None
            for i in sorted(cond.options() & set(unknown or ())):
                assert unknown is not None
                raise ModelError(f"the statement {st.condition!r} {unknown[i]}", loc)
            truth[:, j] = cond.evaluate(codes)
        return _lexicographic_rank(truth)
    assert prefs.ranking is not None
    level = np.full(n, -1, dtype=np.int64)
    n_levels = len(prefs.ranking)
    for r, entry in enumerate(prefs.ranking):
        group = entry if isinstance(entry, list) else [entry]
        if not group:
            raise ModelError("empty group in the ranking", (*base, "ranking", r), "Remove the empty list.")
        for g, ref in enumerate(group):
            loc = (*base, "ranking", r) if not isinstance(entry, list) else (*base, "ranking", r, g)
            s = resolve(ref, loc)
            if level[s] >= 0:
                raise ModelError(
                    f"state {number(s)} appears twice in the ranking of {who}",
                    loc,
                    "List every feasible state exactly once (ties as a list).",
                )
            level[s] = r
    missing = np.flatnonzero(level < 0)
    if missing.size:
        shown = ", ".join(str(number(int(s))) for s in missing[:10])
        more = " …" if missing.size > 10 else ""
        raise ModelError(
            f"the ranking of {who} omits {missing.size} of the {n} feasible states: {shown}{more}",
            (*base, "ranking"),
            "List every feasible state exactly once, best first (ties as a list).",
        )
    return (n_levels - 1 - level).astype(np.int32)


def _payoffs(
    conflict: Conflict,
    codes: np.ndarray,
    names: dict[str, int],
    index_of: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    out = np.zeros((len(conflict.decision_makers), codes.size), dtype=np.int32)

    def resolve(ref: StateRef, loc: tuple[str | int, ...]) -> int:
        return _resolve_state(ref, codes, index_of, len(names), loc)

    for d, dm in enumerate(conflict.decision_makers):
        base: tuple[str | int, ...] = ("decision_makers", d, "preferences")
        out[d] = preference_payoff(dm.preferences, codes, names, base, repr(dm.name), resolve)
    return out


def _lexicographic_rank(truth: np.ndarray) -> np.ndarray:
    """Dense rank of states by score Σ 2**(K-1-j)·truth[:, j] (exact for any K)."""
    k = truth.shape[1]
    if k <= 62:
        weights = np.left_shift(np.int64(1), np.arange(k - 1, -1, -1, dtype=np.int64))
        score = truth.astype(np.int64) @ weights
        _, inv = np.unique(score, return_inverse=True)
        return inv.astype(np.int32)
    packed = np.packbits(truth, axis=1)  # first statement → most significant bit
    rows = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1])))
    _, inv = np.unique(rows.ravel(), return_inverse=True)
    return inv.astype(np.int32)


def compile_conflict(conflict: Conflict, *, max_states: int | None = None) -> StateSpace:
    """Build the :class:`StateSpace` of ``conflict``.

    Raises :class:`~backchannel.errors.ModelError` for an ill-formed conflict
    and :class:`~backchannel.errors.AnalysisRefused` when the state space is
    larger than ``max_states`` (default: what the available memory allows).
    """
    names, rules = _prepare(conflict)
    why = "as asked"
    if max_states is None:
        max_states = default_max_states(conflict)
        env = os.environ.get("BACKCHANNEL_MAX_STATES", "")
        why = "set by BACKCHANNEL_MAX_STATES" if env.isdigit() else "set by the memory available"
    codes = _enumerate(conflict, rules, max_states, why)
    if codes.size == 0:
        raise ModelError(
            "no state is feasible: the infeasibility rules exclude every combination of options",
            ("infeasible",),
            "Relax or remove some rules.",
        )
    n_opt = len(names)
    lookup: np.ndarray | None = None
    if n_opt <= _DENSE_LOOKUP_BITS:
        lookup = np.full(2**n_opt, -1, dtype=np.int64)
        lookup[codes.astype(np.int64)] = np.arange(codes.size)
        table = lookup

        def index_of(c: np.ndarray) -> np.ndarray:
            return table[np.asarray(c, dtype=np.uint64).astype(np.int64)]

    else:

        def index_of(c: np.ndarray) -> np.ndarray:
            c = np.asarray(c, dtype=np.uint64)
            pos = np.minimum(np.searchsorted(codes, c), codes.size - 1)
            return np.where(codes[pos] == c, pos, -1).astype(np.int64)

    adopt_only = withdraw_only = 0
    for i, (_, opt) in enumerate(conflict.options):
        if opt.reversible == "adopt-only":
            adopt_only |= 1 << i
        elif opt.reversible == "withdraw-only":
            withdraw_only |= 1 << i

    moves = []
    masks = []
    for d in range(len(conflict.decision_makers)):
        lo, hi = _dm_option_range(conflict, d)
        masks.append(((1 << (hi - lo)) - 1) << lo)
        # candidate patterns: all the DM's patterns allowed by its local rules
        local = _local_patterns(conflict, rules, d)
        moves.append(_compute_moves(conflict, codes, lookup, index_of, local, d, adopt_only, withdraw_only))

    payoffs = _payoffs(conflict, codes, names, index_of)

    sq = ob = None
    if conflict.status_quo is not None:
        sq = _resolve_state(conflict.status_quo.state, codes, index_of, n_opt, ("status_quo",))
    if conflict.observed is not None:
        ob = _resolve_state(conflict.observed.state, codes, index_of, n_opt, ("observed",))
    scen: dict[str, np.ndarray] = {}
    for name, cond in scenario_conditions(conflict).items():
        if not cond.quantities():  # predicates on issue outcomes label states only in `scenarios`
            scen[name] = cond.evaluate(codes)

    return StateSpace(
        conflict=conflict,
        codes=codes,
        dm_names=tuple(dm.name for dm in conflict.decision_makers),
        dm_masks=tuple(masks),
        moves=tuple(moves),
        payoffs=payoffs,
        status_quo=sq,
        observed=ob,
        scenarios=scen,
        _lookup=lookup,
    )


def scenario_conditions(conflict: Conflict) -> dict[str, Expr | Pattern]:
    """The parsed ``when`` of every scenario: over option names and issue names
    (an issue's forecast outcome, compared with a number)."""
    names = {n: i for i, n in enumerate(conflict.option_names)}
    quantities = {k: i for i, k in enumerate(conflict.issues)}
    out: dict[str, Expr | Pattern] = {}
    for name, sc in conflict.scenarios.items():
        try:
            out[name] = parse_condition(sc.when, names, len(names), quantities)
        except ExprError as e:
            hint = "Write it over the option names" + (
                " and issue outcomes (e.g. 'territory >= 60')." if quantities else "."
            )
            raise ModelError(str(e), ("scenarios", name, "when"), hint) from None
    return out


def expression_mask(space: StateSpace, text: str) -> np.ndarray:
    """States (bool per state) where an expression or pattern holds."""
    names = {n: i for i, n in enumerate(space.conflict.option_names)}
    return parse_condition(text, names, space.n_options).evaluate(space.codes)
