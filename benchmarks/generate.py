"""Reproducible synthetic conflicts for benchmarking the stability engine.

``synthetic_conflict(n_dms, options_per_dm, seed)`` builds a
:class:`backchannel.Conflict` in option form that looks like a real GMCR case
of that size:

* decision makers ``D1 … Dn``, each controlling ``options_per_dm`` options
  named ``d<i>_o<j>``;
* infeasibility rules, mostly local to one decision maker (``at_most_one``
  over two or three of its options, "``b`` needs ``a``" implications), and one
  cross-decision-maker ``pattern`` rule; rules are added until the estimated
  fraction of infeasible states is as close as possible to
  ``infeasible_fraction``.  The state with nothing taken stays feasible and is
  the status quo;
* about ``irreversible_fraction`` of the options are ``adopt-only`` or
  ``withdraw-only``;
* preferences by option prioritisation, 6–10 statements per decision maker:
  single literals (``d2_o1``, ``not d1_o3``), conjunctions
  (``d1_o1 and not d3_o2``), disjunctions (``d2_o2 or d4_o1``), implications
  (``d3_o1 implies d1_o2``) and now and then a three-literal conjunction,
  with a bias towards the options of other decision makers (what an actor
  mostly cares about is what the others do).

Everything is drawn from ``numpy.random.default_rng(seed)``: the same
arguments give the same conflict on every machine.

As a script::

    python benchmarks/generate.py --dms 4 --options 4 --seed 1 -o case.yaml
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml

try:
    from backchannel.case.model import Conflict
except ModuleNotFoundError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from backchannel.case.model import Conflict

__all__ = ["conflict_to_yaml", "main", "synthetic_conflict"]

# --------------------------------------------------------------------------
# infeasibility rules


def _local_survival(m: int, rules: list[tuple[str, list[int]]]) -> float:
    """Fraction of the 2**m patterns of one DM's options allowed by its rules."""
    pats = np.arange(2**m, dtype=np.int64)
    bits = (pats[:, None] >> np.arange(m)[None, :]) & 1
    keep = np.ones(pats.size, dtype=bool)
    for kind, idx in rules:
        if kind == "at_most_one":
            keep &= bits[:, idx].sum(axis=1) <= 1
        elif kind == "requires":  # idx = [b, a]: b taken needs a taken
            keep &= ~((bits[:, idx[0]] == 1) & (bits[:, idx[1]] == 0))
    return float(keep.mean())


def _infeasibility(
    rng: np.random.Generator,
    names: list[list[str]],
    infeasible_fraction: float,
) -> tuple[list[dict[str, Any]], float]:
    """Rules whose estimated infeasible fraction is closest to the target."""
    n_dms = len(names)
    m = len(names[0])
    n_opt = n_dms * m
    rules: list[dict[str, Any]] = []
    if infeasible_fraction <= 0:
        return rules, 0.0
    local: list[list[tuple[str, list[int]]]] = [[] for _ in range(n_dms)]
    survival = [1.0] * n_dms
    cross = 1.0

    def estimate() -> float:
        return 1.0 - cross * float(np.prod(survival))

    # one cross-DM rule: three options of at least two DMs, each pattern with
    # at least one Y so that the state with nothing taken stays feasible
    if n_dms >= 2 and n_opt >= 3:
        dms = rng.choice(n_dms, size=2, replace=False)
        picks = [int(dms[0]) * m + int(rng.integers(m)), int(dms[1]) * m + int(rng.integers(m))]
        while len(picks) < 3:
            o = int(rng.integers(n_opt))
            if o not in picks:
                picks.append(o)
        vals = rng.integers(0, 2, size=3)
        if not vals.any():
            vals[int(rng.integers(3))] = 1
        pat = ["-"] * n_opt
        for o, v in zip(picks, vals, strict=True):
            pat[o] = "Y" if v else "N"
        new_cross = 1.0 - 0.5**3
        if abs((1.0 - new_cross) - infeasible_fraction) < abs(0.0 - infeasible_fraction):
            cross = new_cross
            rules.append(
                {
                    "pattern": "".join(pat),
                    "note": "synthetic cross-DM rule: this combination cannot occur",
                }
            )

    # local rules: each round draws a few candidate rules on the DMs with the
    # fewest rules so far and keeps the one that brings the estimate closest
    # to the target; stop when no candidate brings it closer
    for _ in range(4 * n_dms):
        if m < 2:
            break
        counts = np.array([len(r) for r in local])
        cands = np.flatnonzero(counts == counts.min())
        best: tuple[float, int, tuple[str, list[int]], float] | None = None
        for _ in range(3):
            d = int(rng.choice(cands))
            r = rng.random()
            if r < 0.5 or m < 3:
                rule = ("at_most_one", sorted(int(i) for i in rng.choice(m, size=2, replace=False)))
            elif r < 0.7:
                rule = ("at_most_one", sorted(int(i) for i in rng.choice(m, size=3, replace=False)))
            else:
                rule = ("requires", [int(i) for i in rng.choice(m, size=2, replace=False)])
            s_new = _local_survival(m, [*local[d], rule])
            est = 1.0 - cross * float(np.prod(survival)) / survival[d] * s_new
            gap = abs(est - infeasible_fraction)
            if best is None or gap < best[0]:
                best = (gap, d, rule, s_new)
        assert best is not None
        gap, d, rule, s_new = best
        if gap >= abs(estimate() - infeasible_fraction):
            break
        survival[d] = s_new
        local[d].append(rule)
        kind, idx = rule
        if kind == "at_most_one":
            rules.append(
                {
                    "at_most_one": [names[d][i] for i in idx],
                    "note": f"synthetic: D{d + 1} takes at most one of these",
                }
            )
        else:
            b, a = names[d][idx[0]], names[d][idx[1]]
            rules.append({"expr": f"{b} and not {a}", "note": f"synthetic: {b} needs {a}"})
    return rules, estimate()


# --------------------------------------------------------------------------
# preferences


def _statement(rng: np.random.Generator, d: int, names: list[list[str]]) -> str:
    """One random small expression, biased towards the other DMs' options."""
    n_dms, m = len(names), len(names[0])
    flat = [o for dm in names for o in dm]
    # the DM's own options carry 35% of the weight (or a fair share if there
    # are few DMs), the others' options the rest
    own_share = 1.0 if n_dms == 1 else max(0.35, 1.0 / n_dms)
    weights = np.array(
        [own_share / m if k // m == d else (1.0 - own_share) / (m * (n_dms - 1)) for k in range(len(flat))]
    )
    weights /= weights.sum()

    def pick(k: int) -> list[str]:
        k = min(k, len(flat))
        return [flat[i] for i in rng.choice(len(flat), size=k, replace=False, p=weights)]

    def lit(name: str) -> str:
        return f"not {name}" if rng.random() < 0.35 else name

    r = rng.random()
    if r < 0.40 or len(flat) < 2:
        return lit(pick(1)[0])
    if r < 0.65:
        a, b = pick(2)
        return f"{lit(a)} and {lit(b)}"
    if r < 0.85:
        a, b = pick(2)
        return f"{lit(a)} or {lit(b)}"
    if r < 0.95:
        a, b = pick(2)
        return f"{a} implies {lit(b)}"
    if len(flat) < 3:
        a, b = pick(2)
        return f"{lit(a)} and {lit(b)}"
    a, b, c = pick(3)
    return f"{lit(a)} and ({lit(b)} or {lit(c)})"


def _prioritization(rng: np.random.Generator, d: int, names: list[list[str]]) -> list[str]:
    """6–10 distinct statements, at least two of them about the DM's own options
    (a DM indifferent to its own options never has an improvement)."""
    k = int(rng.integers(6, 11))
    m = len(names[0])
    own = re.compile(rf"\bd{d + 1}_o\d+\b")
    for _ in range(100):
        out: list[str] = []
        for _ in range(20 * k):
            if len(out) == k:
                break
            s = _statement(rng, d, names)
            # no repeats, and no bare literal next to its own negation
            neg = s[4:] if s.startswith("not ") else f"not {s}"
            if s not in out and neg not in out:
                out.append(s)
        if sum(bool(own.search(s)) for s in out) >= min(2, m, len(out)):
            break
    return out


# --------------------------------------------------------------------------
# the conflict


def synthetic_conflict(
    n_dms: int,
    options_per_dm: int,
    seed: int,
    infeasible_fraction: float = 0.4,
    irreversible_fraction: float = 0.15,
) -> Conflict:
    """A reproducible synthetic conflict with ``n_dms * options_per_dm`` options.

    ``infeasible_fraction`` is the target share of the ``2**n`` option
    combinations removed by infeasibility rules (estimated; the rules are
    discrete, so the realised share is only near it). ``irreversible_fraction``
    is the share of options made adopt-only or withdraw-only (2:1).
    """
    if n_dms < 1 or options_per_dm < 1:
        raise ValueError("need at least one decision maker and one option each")
    if not 0.0 <= infeasible_fraction < 1.0:
        raise ValueError("infeasible_fraction must be in [0, 1)")
    if not 0.0 <= irreversible_fraction <= 1.0:
        raise ValueError("irreversible_fraction must be in [0, 1]")
    rng = np.random.default_rng(seed)
    names = [[f"d{d + 1}_o{j + 1}" for j in range(options_per_dm)] for d in range(n_dms)]
    n_opt = n_dms * options_per_dm

    n_irrev = round(irreversible_fraction * n_opt)
    irrev = rng.choice(n_opt, size=n_irrev, replace=False)
    reversible: dict[int, str] = {}
    for k, o in enumerate(irrev):
        reversible[int(o)] = "withdraw-only" if k % 3 == 2 else "adopt-only"

    infeasible, est = _infeasibility(rng, names, infeasible_fraction)

    dms = []
    for d in range(n_dms):
        opts = []
        for j, name in enumerate(names[d]):
            opt: dict[str, Any] = {"name": name, "label": f"DM {d + 1} option {j + 1}"}
            rev = reversible.get(d * options_per_dm + j)
            if rev:
                opt["reversible"] = rev
            opts.append(opt)
        dms.append(
            {
                "name": f"D{d + 1}",
                "label": f"Decision maker {d + 1}",
                "options": opts,
                "preferences": {"prioritization": _prioritization(rng, d, names)},
            }
        )
    return Conflict.model_validate(
        {
            "title": f"Synthetic conflict {n_dms}x{options_per_dm} (seed {seed})",
            "description": (
                f"Generated by benchmarks/generate.py: {n_dms} decision makers x "
                f"{options_per_dm} options = {2**n_opt:,} option combinations, "
                f"{len(infeasible)} infeasibility rules (about {est:.0%} of the "
                f"combinations infeasible), {n_irrev} irreversible options."
            ),
            "decision_makers": dms,
            "infeasible": infeasible,
            "status_quo": "N" * n_opt,
        }
    )


# --------------------------------------------------------------------------
# YAML output


class _Dumper(yaml.SafeDumper):
    pass


_QUOTE = re.compile(r"^(?:[YNyn\-]+|yes|no|on|off|true|false|null|~)$", re.I)


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Y/N patterns and YAML 1.1 booleans ("Y", "N", "no", …) are always quoted,
    # so that no YAML reader turns them into booleans.
    style = '"' if _QUOTE.match(data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def conflict_to_yaml(conflict: Conflict) -> str:
    data = conflict.model_dump(mode="json", by_alias=True, exclude_none=True)
    # drop empty defaults and default reversibility to keep the file readable
    for key in ("references", "sources", "scenarios", "infeasible"):
        if not data.get(key):
            data.pop(key, None)
    for dm in data["decision_makers"]:
        for opt in dm["options"]:
            if opt.get("reversible") == "both":
                del opt["reversible"]
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dms", type=int, default=4, help="number of decision makers (default 4)")
    ap.add_argument("--options", type=int, default=4, help="options per decision maker (default 4)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--infeasible-fraction", type=float, default=0.4)
    ap.add_argument("--irreversible-fraction", type=float, default=0.15)
    ap.add_argument("-o", "--output", help="YAML file to write (default: standard output)")
    args = ap.parse_args(argv)
    conflict = synthetic_conflict(
        args.dms,
        args.options,
        args.seed,
        infeasible_fraction=args.infeasible_fraction,
        irreversible_fraction=args.irreversible_fraction,
    )
    text = conflict_to_yaml(conflict)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
