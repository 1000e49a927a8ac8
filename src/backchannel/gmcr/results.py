"""The stability of every state for every decision maker, as a typed result."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, TypeVar

import numpy as np
import orjson

from ..case.results import Result, meta
from .statespace import StateSpace, patterns_of

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["StabilityResult", "state_rows", "state_rows_text"]

T = TypeVar("T")


def state_rows(space: StateSpace, start: int, stop: int) -> list[dict[str, Any]]:
    """The ``states`` entries of a stability result for states ``start`` to
    ``stop - 1`` (indices): number, pattern, code, description, scenarios,
    payoffs — built a column at a time."""
    sp = space
    idx = np.arange(start, stop)
    codes = sp.codes[start:stop]
    pats = patterns_of(codes, sp.n_options)
    # what is taken, option 1 first, joined by ", ": a piece per decision maker
    desc = _descriptions(sp, codes, str)
    labels = [list(lab) for lab in _scenario_lists(sp, start, stop, tuple)]
    dms = sp.dm_names
    pays = sp.payoffs[:, start:stop].T.tolist()
    return [
        {
            "number": s + 1,
            "pattern": pat,
            "code": code,
            "description": d,
            "scenarios": lab,
            "payoffs": dict(zip(dms, pay, strict=True)),
        }
        for s, pat, code, d, lab, pay in zip(
            idx.tolist(), pats, codes.tolist(), desc.tolist(), labels, pays, strict=True
        )
    ]


def _descriptions(space: StateSpace, codes: np.ndarray, render: Callable[[str], str]) -> np.ndarray:
    """What is taken in each state (option 1 first, ", " between), each
    decision maker's piece passed through ``render`` once per setting."""
    names = space.conflict.option_names
    n_opt = space.n_options
    desc = np.full(codes.size, "", dtype=object)
    empty = np.ones(codes.size, dtype=bool)
    sep = render(", ")
    for dm_mask in space.dm_masks:
        own = [i for i in range(n_opt) if dm_mask >> i & 1]
        keys, inv = np.unique(codes & np.uint64(dm_mask), return_inverse=True)
        taken = [[names[i] for i in own if int(key) >> i & 1] for key in keys.tolist()]
        pieces = np.array([render(", ".join(t)) for t in taken], dtype=object)
        some = np.array([bool(t) for t in taken])[inv.ravel()]
        desc = desc + np.where(~empty & some, sep, "").astype(object) + pieces[inv.ravel()]
        empty &= ~some
    desc[empty] = render("(nothing taken)")
    return desc


def _scenario_lists(space: StateSpace, start: int, stop: int, render: Callable[[list[str]], T]) -> list[T]:
    """Per state, ``render`` of the names of the scenarios it falls under
    (in the case's order), each combination rendered once: the states with
    the same combination share the rendered object."""
    n = stop - start
    if not space.scenarios:
        return [render([])] * n
    names = list(space.scenarios)
    member = np.stack([m[start:stop] for m in space.scenarios.values()], axis=1)  # states × scenarios
    packed = np.ascontiguousarray(np.packbits(member, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, which = np.unique(keys, return_index=True, return_inverse=True)
    texts = [render([names[j] for j in np.flatnonzero(member[i]).tolist()]) for i in first.tolist()]
    return [texts[w] for w in which.ravel().tolist()]


def state_rows_text(space: StateSpace, start: int, stop: int, indent: int | None) -> bytes:
    """:func:`state_rows` as the JSON text of the array's elements (comma
    separated, without the brackets), exactly as orjson writes them inside
    the top-level result (``indent`` 2 or None): a row costs one string
    formatting instead of a dict and its serialisation."""
    sp = space
    codes = sp.codes[start:stop]

    def esc(text: str) -> str:
        return orjson.dumps(text).decode()[1:-1]

    pats = patterns_of(codes, sp.n_options)
    desc = _descriptions(sp, codes, esc).tolist()
    dms = [esc(d) for d in sp.dm_names]
    if indent:
        pay = ",".join(f'\n        "{d}": %d' for d in dms)
        row = (
            '\n    {\n      "number": %d,\n      "pattern": "%s",\n      "code": %d,\n'
            '      "description": "%s",\n      "scenarios": %s,\n      "payoffs": {'
            + pay
            + "\n      }\n    }"
        )
        lead, join, tail = '[\n        "', '",\n        "', '"\n      ]'
    else:
        pay = ",".join(f'"{d}":%d' for d in dms)
        row = (
            '{"number":%d,"pattern":"%s","code":%d,"description":"%s","scenarios":%s,"payoffs":{' + pay + "}}"
        )
        lead, join, tail = '["', '","', '"]'
    scen = _scenario_lists(
        sp, start, stop, lambda lab: lead + join.join(map(esc, lab)) + tail if lab else "[]"
    )
    pays = sp.payoffs[:, start:stop].T.tolist()
    out = [
        row % (s, pat, code, d, sc, *p)
        for s, pat, code, d, sc, p in zip(
            range(start + 1, stop + 1), pats, codes.tolist(), desc, scen, pays, strict=True
        )
    ]
    return ",".join(out).encode()


@dataclass(frozen=True, eq=False)
class StabilityResult(Result):
    """Stability of every feasible state for every decision maker.

    ``stable[concept]`` is a boolean array of shape ``(n_dms, n_states)``;
    states are numbered from 1 as in the GMCR literature (``index + 1``).
    """

    space: StateSpace
    concepts: tuple[str, ...]
    stable: dict[str, np.ndarray]
    parameters: dict[str, Any] = field(default_factory=dict)

    # -- queries ----------------------------------------------------------
    @property
    def dm_names(self) -> tuple[str, ...]:
        return self.space.dm_names

    def equilibria(self, concept: str) -> list[int]:
        """State numbers stable for every decision maker under ``concept``."""
        return [int(s) + 1 for s in np.flatnonzero(self.stable[concept].all(axis=0))]

    def stable_states(self, dm: str, concept: str) -> list[int]:
        """State numbers stable for decision maker ``dm`` under ``concept``."""
        d = self.space.dm_index(dm)
        return [int(s) + 1 for s in np.flatnonzero(self.stable[concept][d])]

    def is_stable(self, state: int, dm: str, concept: str) -> bool:
        return bool(self.stable[concept][self.space.dm_index(dm), state - 1])

    # -- conversions --------------------------------------------------------
    def to_dict(self, *, states: bool = True) -> dict[str, Any]:
        sp = self.space
        out: dict[str, Any] = {
            "case": sp.conflict.title,
            "concepts": list(self.concepts),
            "decision_makers": list(sp.dm_names),
            "options": [
                {"number": i + 1, "name": o.name, "controller": dm.name, "reversible": o.reversible}
                for i, (dm, o) in enumerate(sp.conflict.options)
            ],
            "n_states": sp.n_states,
            "status_quo": None if sp.status_quo is None else sp.status_quo + 1,
        }
        if states:
            out["states"] = state_rows(sp, 0, sp.n_states)
        out["stability"] = {
            dm: {c: (np.flatnonzero(self.stable[c][d]) + 1).tolist() for c in self.concepts}
            for d, dm in enumerate(sp.dm_names)
        }
        out["equilibria"] = {c: self.equilibria(c) for c in self.concepts}
        out["scenarios"] = {
            name: {
                "label": sc.label,
                "states": [int(s) + 1 for s in np.flatnonzero(sp.scenarios[name])],
                "equilibria": {
                    c: [e for e in self.equilibria(c) if sp.scenarios[name][e - 1]] for c in self.concepts
                },
            }
            for name, sc in sp.conflict.scenarios.items()
        }
        out.update(self.reasons())
        out["meta"] = meta(
            sp,
            "stability",
            "Fang, Hipel & Kilgour (1993); legal move sequences for coalitions",
            self.parameters,
        )
        return out

    def reasons(self) -> dict[str, Any]:
        """The computed summary (sentences) and the solution-concept guidance
        (:func:`backchannel.gmcr.guidance.concept_guidance`)."""
        from .guidance import concept_guidance
        from .summary import stability_summary

        wanted = tuple(c for c in ("gmr", "smr", "seq") if c in self.concepts)
        rows = concept_guidance(self.space, {c: self.stable[c] for c in wanted}, wanted)
        return {"summary": stability_summary(self, rows=rows), "guidance": rows}

    def to_json(self, *, indent: int | None = 2) -> str:
        if indent not in (None, 2):
            return super().to_json(indent=indent)
        buf = io.BytesIO()
        self.write_json(buf, indent=indent)
        return buf.getvalue().decode()

    def write_json(self, fp: IO[bytes], *, indent: int | None = 2, chunk: int = 1 << 15) -> None:
        """Write :meth:`to_dict` as JSON (the same text as :meth:`to_json`),
        the states ``chunk`` at a time: a million states in bounded memory."""
        if indent not in (None, 2):
            return super().write_json(fp, indent=indent)
        from ..case.jsonout import write_with_stream

        sp = self.space
        head = self.to_dict(states=False)
        # the state lists as arrays: serialised without making Python ints
        head["stability"] = {
            dm: {c: np.flatnonzero(self.stable[c][d]) + 1 for c in self.concepts}
            for d, dm in enumerate(sp.dm_names)
        }
        data = {k: v for k, v in head.items() if k not in ("stability",)}
        ordered: dict[str, Any] = {}
        for k, v in data.items():
            ordered[k] = v
            if k == "status_quo":
                ordered["states"] = None
                ordered["stability"] = head["stability"]
        step = max(1, chunk)
        chunks = (
            state_rows_text(sp, a, min(a + step, sp.n_states), indent) for a in range(0, sp.n_states, step)
        )
        write_with_stream(fp, ordered, "states", chunks, indent=indent)
        return None

    def to_dataframe(self) -> pd.DataFrame:
        """One row per state; a boolean column per (decision maker, concept) and
        an ``eq_<concept>`` column per concept."""
        import pandas as pd

        sp = self.space
        data: dict[str, Any] = {
            "number": np.arange(1, sp.n_states + 1),
            "pattern": sp.patterns(),
            "description": [sp.describe(s) for s in range(sp.n_states)],
            "scenarios": [", ".join(sp.scenario_labels(s)) for s in range(sp.n_states)],
        }
        for c in self.concepts:
            for d, dm in enumerate(sp.dm_names):
                data[f"{dm}.{c}"] = self.stable[c][d]
        for c in self.concepts:
            data[f"eq_{c}"] = self.stable[c].all(axis=0)
        return pd.DataFrame(data).set_index("number")
