"""The report's sections on stability: the equilibria under each solution concept,
the stability of every state, and how the conflict can evolve from the status quo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..words import CONCEPT_LABELS
from .html import _e, _scenario_names, _state_list, _state_ref, _table, _taken

if TYPE_CHECKING:
    from ..gmcr.results import StabilityResult


#: Above this many states, the stability table lists only the status quo and
#: the Nash, SEQ and SIM equilibria.
STATE_TABLE_LIMIT = 256
#: A concept's equilibria are shown as a table up to this many, as a list above.
EQ_TABLE_LIMIT = 40
#: At most this many equilibria of one concept are listed.
EQ_LIST_LIMIT = 1000
#: Rows of the stability table at most (for big cases).
STATE_ROWS_LIMIT = 500
#: Paths from the status quo shown at most.
PATH_LIMIT = 40

CONCEPT_MARK = {"nash": "R", "gmr": "G", "smr": "M", "seq": "S", "sim": "I"}
CONCEPT_TEXT = {
    "nash": "Nash stability (R): no decision maker can move on its own to a state it prefers.",
    "gmr": "General metarationality: every move to a preferred state can be sanctioned by the "
    "others, whatever the sanction costs them.",
    "smr": "Symmetric metarationality: as GMR, and the sanction holds even after the mover's reply.",
    "seq": "Sequential stability: every move to a preferred state can be sanctioned by the others "
    "through moves they themselves prefer (credible sanctions).",
    "sim": "Simultaneous sanctioning: no move to a preferred state survives the opponents' own "
    "improvements taken at the same moment, by one of them or several together.",
}


def _marks(result: StabilityResult, d: int, s: int) -> str:
    return "".join(CONCEPT_MARK[c] if result.stable[c][d, s] else "·" for c in result.concepts)


def _equilibria_section(result: StabilityResult) -> str:
    import numpy as np

    sp = result.space
    conflict = sp.conflict
    concepts = result.concepts
    eqs = {c: result.equilibria(c) for c in concepts}
    out = [
        "<p>An equilibrium is a state stable for every decision maker under a solution concept "
        "(Fang, Hipel &amp; Kilgour 1993). Equilibria are stable configurations under the case's "
        "assumptions, not forecasts.</p>",
        "<ul>" + "".join(f"<li>{_e(CONCEPT_TEXT[c])}</li>" for c in concepts) + "</ul>",
    ]
    summary = [[_e(CONCEPT_LABELS[c]), str(len(eqs[c])), _e(_state_list(eqs[c]))] for c in concepts]
    out.append(_table(["Concept", "Equilibria", "States"], summary, num=(1,)))
    for c in concepts:
        states = eqs[c]
        out.append(f'<h3 id="eq-{c}">{_e(CONCEPT_LABELS[c])} equilibria ({len(states)})</h3>')
        if not states:
            out.append("<p>None.</p>")
            continue
        if len(states) <= EQ_TABLE_LIMIT:
            rows, attrs = [], []
            for n in states:
                s = n - 1
                sq = " (status quo)" if s == sp.status_quo else ""
                rows.append(
                    [
                        f"{n}{sq}",
                        f'<span class="pattern">{_e(sp.pattern(s))}</span>',
                        _e(_taken(sp, s)),
                        _e(", ".join(_scenario_names(sp, s)) or "—"),
                    ]
                )
                attrs.append(f' data-eq="{c}" data-state="{n}"')
            head = [
                "State",
                "Pattern",
                "Taken",
                "Scenario" if conflict.scenarios else "Scenario (none defined)",
            ]
            out.append(_table(head, rows, row_attrs=attrs))
            continue
        shown = states[:EQ_LIST_LIMIT]
        items = "".join(f'<li data-eq="{c}" data-state="{n}">{n}</li>' for n in shown)
        out.append(f'<ul class="states" aria-label="{_e(CONCEPT_LABELS[c])} equilibria">{items}</ul>')
        if len(states) > len(shown):
            out.append(f'<p class="note">… and {len(states) - len(shown):,} more.</p>')
        if sp.scenarios:
            eq = np.asarray(result.stable[c].all(axis=0))
            parts = [
                f"{conflict.scenarios[name].label or name}: {int((eq & mask).sum())}"
                for name, mask in sp.scenarios.items()
            ]
            none = int((eq & ~np.logical_or.reduce(list(sp.scenarios.values()))).sum())
            parts.append(f"in no named scenario: {none}")
            out.append("<p>By scenario: " + _e("; ".join(parts)) + ".</p>")
    # stability of every state
    n = sp.n_states
    eq_mask = {c: np.asarray(result.stable[c].all(axis=0)) for c in concepts}
    rows_idx = list(range(n))
    note = ""
    if n > STATE_TABLE_LIMIT:
        selective = [c for c in concepts if c in ("nash", "seq", "sim")] or list(concepts)
        keep = np.logical_or.reduce([eq_mask[c] for c in selective])
        if sp.status_quo is not None:
            keep[sp.status_quo] = True
        rows_idx = [int(s) for s in np.flatnonzero(keep)]
        total = len(rows_idx)
        rows_idx = rows_idx[:STATE_ROWS_LIMIT]
        more = f", of which the first {len(rows_idx):,} are" if total > len(rows_idx) else " are"
        note = (
            f"The case has {n:,} states: the status quo and the "
            f"{'/'.join(CONCEPT_LABELS[c] for c in selective)} equilibria, {total:,} rows{more} shown; "
            "<code>backchannel analyze --format json</code> gives every state."
        )
    out.append("<h3>Stability of each state</h3>")
    legend = ", ".join(f"{CONCEPT_MARK[c]} {CONCEPT_LABELS[c]}" for c in concepts)
    out.append(
        f'<p class="note">Per decision maker, the concepts under which the state is stable for it: '
        f"{_e(legend)}; · not stable. Rows of equilibria are shaded. SQ: status quo.</p>"
    )
    if note:
        out.append(f'<p class="note">{note}</p>')
    head = [
        "#",
        "Pattern",
        "Options taken",
        *(dm.name for dm in conflict.decision_makers),
        "Equilibrium under",
    ]
    if conflict.scenarios:
        head.append("Scenario")
    rows, attrs = [], []
    for s in rows_idx:
        under = " ".join(CONCEPT_LABELS[c] for c in concepts if eq_mask[c][s])
        row = [
            f"{s + 1}{' SQ' if s == sp.status_quo else ''}",
            f'<span class="pattern">{_e(sp.pattern(s))}</span>',
            f'<code class="taken">{_e(sp.describe(s))}</code>',
            *(f'<span class="mark">{_marks(result, d, s)}</span>' for d in range(sp.n_dms)),
            _e(under or "—"),
        ]
        if conflict.scenarios:
            row.append(_e(", ".join(_scenario_names(sp, s)) or "—"))
        rows.append(row)
        attrs.append(' class="eq"' if under else "")
    out.append(_table(head, rows, row_attrs=attrs))
    return "".join(out)


def _evolution_section(stab: StabilityResult) -> str:
    import numpy as np

    from ..gmcr.evolution import evolution

    space = stab.space
    # the search itself needs no solution concept; the equilibria come from `stab`
    result = evolution(space, None, "nash")
    s0 = result.start
    reached = result.distance >= 0
    out = [
        f"<p>From the status quo, {_state_ref(space, s0)}, the decision makers move one at a time, in "
        "any order, each only to a state it prefers (unilateral improvements; Li, Hipel &amp; Kilgour "
        f"2005). {int(reached.sum()):,} of {space.n_states:,} states can be reached this way.</p>"
    ]
    eq_any = np.logical_or.reduce([stab.stable[c].all(axis=0) for c in stab.concepts])
    eqs = [int(s) + 1 for s in np.flatnonzero(reached & eq_any)]
    if not eqs:
        out.append("<p>No equilibrium is reachable from the status quo by unilateral improvements.</p>")
        return "".join(out)
    rows = []
    for e in eqs[:EQ_LIST_LIMIT]:
        under = " ".join(CONCEPT_LABELS[c] for c in stab.concepts if stab.stable[c][:, e - 1].all())
        rows.append(
            [
                str(e),
                f'<span class="pattern">{_e(space.pattern(e - 1))}</span>',
                _e(_taken(space, e - 1)),
                _e(under),
                str(result.steps_to(e)),
            ]
        )
    out.append(
        _table(
            ["State", "Pattern", "Taken", "Equilibrium under", "Steps"],
            rows,
            caption="Reachable equilibria",
            num=(4,),
        )
    )
    if len(eqs) > EQ_LIST_LIMIT:
        out.append(f'<p class="note">… and {len(eqs) - EQ_LIST_LIMIT:,} more reachable equilibria.</p>')
    for e in eqs[:PATH_LIMIT]:
        steps = result.path(e)
        if not steps:
            out.append(f"<p><strong>State {e}</strong> is the status quo itself.</p>")
            continue
        items = "".join(f"<li>{_e(st.text)}</li>" for st in steps)
        k = len(steps)
        out.append(f"<p><strong>State {e}</strong>, {k} step{'s' if k > 1 else ''}:</p><ol>{items}</ol>")
    if len(eqs) > PATH_LIMIT:
        out.append(f'<p class="note">Paths to {len(eqs) - PATH_LIMIT:,} more equilibria are not shown.</p>')
    return "".join(out)
