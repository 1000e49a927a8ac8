"""Coalition analysis, the arguments: the concepts, partitions of the decision
makers into coalitions, and the model to analyse (see :mod:`backchannel.gmcr.coalitions`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import BackchannelError
from ..statespace import StateSpace

COALITION_CONCEPTS: tuple[str, ...] = ("nash", "gmr", "smr", "seq")


# ---------------------------------------------------------------------------
# partitions


def parse_partition(text: str) -> list[list[str]]:
    """``"MoE+UR,LG"`` → ``[["MoE", "UR"], ["LG"]]``: coalitions separated by
    commas, members by ``+``."""
    hint = 'Write coalitions separated by commas and members by "+", e.g. "MoE+UR,LG".'
    out: list[list[str]] = []
    for part in text.split(","):
        members = [m.strip() for m in part.split("+")]
        if not part.strip() or any(not m for m in members):
            raise BackchannelError(f"partition {text!r} has an empty coalition or member. {hint}")
        out.append(members)
    return out


def check_partition(
    space: StateSpace, partition: Sequence[Sequence[str]] | str | None
) -> tuple[tuple[int, ...], ...]:
    """The partition as tuples of decision maker indices (in the conflict's
    order), every decision maker not named forming a coalition of its own.

    Raises :class:`~backchannel.errors.BackchannelError` for an unknown
    decision maker, one named twice, or an empty coalition.
    """
    if partition is None:
        return tuple((d,) for d in range(space.n_dms))
    groups = parse_partition(partition) if isinstance(partition, str) else partition
    where: dict[int, int] = {}  # decision maker → coalition (position in the partition)
    out: list[tuple[int, ...]] = []
    names = ", ".join(space.dm_names)
    for k, group in enumerate(groups):
        if isinstance(group, str):
            raise BackchannelError(
                f"the partition must be a list of coalitions (lists of names), not {group!r} alone; "
                f'e.g. [["MoE", "UR"], ["LG"]]'
            )
        if not group:
            raise BackchannelError("the partition has an empty coalition")
        members: list[int] = []
        for name in group:
            if name not in space.dm_names:
                raise BackchannelError(
                    f"unknown decision maker {name!r} in the partition; the conflict has {names}"
                )
            d = space.dm_index(name)
            if d in where:
                first = "+".join(str(m) for m in groups[where[d]])
                raise BackchannelError(
                    f"decision maker {name!r} is listed twice in the coalition {first}"
                    if where[d] == k
                    else f"decision maker {name!r} is in two coalitions of the partition "
                    f"({first} and {'+'.join(str(m) for m in group)})"
                )
            where[d] = k
            members.append(d)
        out.append(tuple(sorted(members)))
    out += [(d,) for d in range(space.n_dms) if d not in where]
    return tuple(sorted(out))


def _check_concepts(concepts: Sequence[str]) -> tuple[str, ...]:
    unknown = [c for c in concepts if c not in COALITION_CONCEPTS]
    if unknown:
        raise ValueError(
            f"unknown coalition concept(s) {unknown}; choose from {', '.join(COALITION_CONCEPTS)}"
        )
    return tuple(c for c in COALITION_CONCEPTS if c in concepts)


def _name(space: StateSpace, members: Sequence[int]) -> str:
    return "+".join(space.dm_names[d] for d in members)
