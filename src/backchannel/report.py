"""One self-contained HTML report of a case: the model, where its judgements
come from, and every analysis the case has the data for.

:func:`build_report` returns a single HTML document with inline CSS and inline
SVG charts (:mod:`backchannel.svg`); it loads nothing from anywhere (no
script, font, image or style sheet; a Content-Security-Policy says so to the
browser). Sections appear only when the case has the data for them: the case
and its sources; decision makers, options, status quo and infeasibility rules;
the provenance of every judgement; the equilibria under each solution concept
with the stability of every state; how the conflict can evolve from the status
quo; the hypergame (when the case has perceptions); the bargaining forecasts
(when it has issues and actors); and a scenario analysis, from a result given
as a dict or run with ``samples > 0``.

All text from the case is escaped; claims stay attributed as the case
attributes them (a source and its quote, or "analyst estimate").

>>> page = build_report("prisoners-dilemma")
>>> page.startswith("<!DOCTYPE html>") and "Equilibria" in page
True
"""

from __future__ import annotations

import html
import importlib
import math
import os
import re
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import svg
from .errors import BackchannelError, ModelError
from .model import Conflict
from .provenance import Judgement, judgements, rule_text
from .results import conflict_hash as content_hash

if TYPE_CHECKING:
    from .results import StabilityResult
    from .statespace import StateSpace

__all__ = ["Judgement", "build_report", "content_hash", "judgements", "write_report"]

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
#: Rows of the surprise table shown at most.
SURPRISE_LIMIT = 60
#: Inputs of the sensitivity analysis shown.
SENSITIVITY_TOP = 10

CONCEPT_LABELS = {"nash": "Nash", "gmr": "GMR", "smr": "SMR", "seq": "SEQ", "sim": "SIM"}
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


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


# ---------------------------------------------------------------------------
# provenance of the judgements


# ---------------------------------------------------------------------------
# HTML helpers


CSS = """
:root { --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; --accent: #0072b2; }
* { box-sizing: border-box; }
html { font-size: 16px; -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.3rem; margin: 2.75rem 0 .75rem; padding-bottom: .3rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
p, li, dd { max-width: 50rem; }
a { color: var(--accent); }
.meta, .note, caption, .small { color: var(--muted); font-size: .88rem; }
caption { text-align: left; padding: 0 0 .3rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.25rem; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .55rem;
  border-bottom: 1px solid var(--line); }
thead th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.mark { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: nowrap; }
tr.eq td { background: #eef6fb; }
code, .pattern { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
.pattern { white-space: nowrap; }
code.taken { font-size: .78rem; }
.where code { font-size: .75rem; overflow-wrap: anywhere; }
blockquote { margin: .25rem 0; padding-left: .75rem; border-left: 3px solid var(--line); }
.quote { font-style: italic; }
.kind-cited { color: #005a8c; }
.kind-estimate { color: #8a4b00; }
.kind-none { color: #a40000; font-weight: 600; }
.k-anticipated { color: #006b4f; }
.k-stealthy { color: #7a3b69; }
.k-strategic { color: #a33c00; font-weight: 600; }
.k-preference, .k-unexpected { color: #6b5900; }
ul.states { list-style: none; padding: 0; margin: .25rem 0 1rem; display: flex; flex-wrap: wrap;
  gap: .15rem .65rem; }
ul.states li { font-variant-numeric: tabular-nums; }
.chart { margin: .75rem 0 1.5rem; overflow-x: auto; }
.chart svg { max-width: 100%; height: auto; }
nav ol { columns: 2; padding-left: 1.25rem; }
dl.params { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.params dt { font-weight: 600; }
dl.params dd { margin: 0; }
.counts { font-size: 1rem; }
@media print {
  nav { display: none; }
  main { max-width: none; padding: 0; }
  body { font-size: 10.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; }
  tr, .chart, svg { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  tr.eq td { background: none; font-weight: 600; }
}
""".strip()


NUM = ' class="num"'


def _table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str | None = None,
    num: Sequence[int] = (),
    row_attrs: Sequence[str] | None = None,
) -> str:
    """A table; ``head`` is escaped here, the cells are HTML already."""
    ths = "".join(f'<th{NUM if i in num else ""} scope="col">{_e(h)}</th>' for i, h in enumerate(head))
    body = []
    for k, row in enumerate(rows):
        attrs = row_attrs[k] if row_attrs else ""
        tds = "".join(f"<td{NUM if i in num else ''}>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr{attrs}>{tds}</tr>")
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return (
        f'<div class="scroll"><table>{cap}<thead><tr>{ths}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _paragraphs(text: str | None) -> str:
    """Plain text as paragraphs, with `backticks` as code."""
    if not text:
        return ""
    out = []
    for para in re.split(r"\n\s*\n|\n", text.strip()):
        para = para.strip()
        if para:
            esc = re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(para))
            out.append(f"<p>{esc}</p>")
    return "".join(out)


def _num(v: Any, digits: int = 1) -> str:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return "—"
    return f"{v:.{digits}f}"


def _p(v: Any) -> str:
    return _num(v, 2)


def _state_list(states: Sequence[int], limit: int = 12) -> str:
    from .commands.common import state_list

    return state_list(list(states), limit)


def _chart(svg_text: str) -> str:
    return f'<figure class="chart">{svg_text}</figure>'


class _Sections:
    """The report's sections, in order, with a table of contents."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str, str]] = []

    def add(self, ident: str, title: str, body: str) -> None:
        self.parts.append((ident, title, body))

    def toc(self) -> str:
        items = "".join(f'<li><a href="#{i}">{_e(t)}</a></li>' for i, t, _ in self.parts)
        return f'<nav aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>'

    def html(self) -> str:
        return "".join(
            f'<section id="{i}" aria-labelledby="{i}-h"><h2 id="{i}-h">{_e(t)}</h2>{b}</section>'
            for i, t, b in self.parts
        )


# ---------------------------------------------------------------------------
# sections


def _case_section(conflict: Conflict, cited_by: Mapping[str, int]) -> str:
    out = [_paragraphs(conflict.description)]
    if conflict.sources:
        rows = []
        for s in conflict.sources:
            where = []
            if s.url:
                where.append(f"<code>{_e(s.url)}</code>")
            if s.file:
                where.append(f'<span class="small">copy kept at</span> <code>{_e(s.file)}</code>')
            rows.append(
                [
                    f"<code>{_e(s.id)}</code>",
                    _e(s.title),
                    _e(s.publisher or "—"),
                    _e(s.date or "—"),
                    "<br>".join(where) or "—",
                    str(cited_by.get(s.id, 0)),
                ]
            )
        out.append("<h3>Sources</h3>")
        out.append(
            _table(
                ["Id", "Title", "Publisher", "Date", "URL or copy", "Judgements citing it"],
                rows,
                num=(5,),
            )
        )
        out.append(
            '<p class="note">Addresses are given as text; this report loads nothing from them. '
            "The claims the case takes from these sources are the sources' own and are not "
            "verified by the analysis.</p>"
        )
    if conflict.references:
        out.append(
            "<h3>References</h3><ul>" + "".join(f"<li>{_e(r)}</li>" for r in conflict.references) + "</ul>"
        )
    return "".join(out)


def _taken(space: StateSpace, s: int) -> str:
    code = int(space.codes[s])
    taken = [o.text for i, (_, o) in enumerate(space.conflict.options) if code >> i & 1]
    return ", ".join(taken) if taken else "nothing taken"


def _scenario_names(space: StateSpace, s: int) -> list[str]:
    sc = space.conflict.scenarios
    return [sc[n].label or n for n in space.scenario_labels(s)]


def _state_ref(space: StateSpace, s: int) -> str:
    return f'state {s + 1} (<span class="pattern">{_e(space.pattern(s))}</span>: {_e(_taken(space, s))})'


def _model_section(space: StateSpace) -> str:
    conflict = space.conflict
    out = [
        f"<p>{len(conflict.decision_makers)} decision makers, {conflict.n_options} options, "
        f"{space.n_states:,} feasible states. States are numbered as in the literature and GMCR+; "
        "a Y/N pattern lists the options in order, option 1 first.</p>"
    ]
    rows = []
    k = 0
    rev = {"both": "both ways", "adopt-only": "adopt only", "withdraw-only": "withdraw only"}
    for dm in conflict.decision_makers:
        for j, o in enumerate(dm.options):
            k += 1
            who = f"<strong>{_e(dm.text)}</strong> <code>{_e(dm.name)}</code>" if j == 0 else ""
            desc = f'<div class="small">{_e(o.description)}</div>' if o.description else ""
            rows.append([str(k), who, f"<code>{_e(o.name)}</code>", _e(o.text) + desc, rev[o.reversible]])
    out.append(_table(["#", "Decision maker", "Option", "Meaning", "Reversible"], rows, num=(0,)))
    for key, title in (("status_quo", "Status quo"), ("observed", "Observed outcome")):
        choice = getattr(conflict, key)
        s = space.status_quo if key == "status_quo" else space.observed
        if choice is None or s is None:
            continue
        note = _paragraphs(choice.note)
        out.append(f"<h3>{title}</h3><p>{_state_ref(space, s)}.</p>{note}")
    if conflict.infeasible:
        items = []
        for rule in conflict.infeasible:
            note = f' <span class="small">— {_e(rule.note)}</span>' if rule.note else ""
            items.append(f"<li><code>{_e(rule_text(rule))}</code>{note}</li>")
        out.append(
            "<h3>Infeasible combinations</h3><p>States in which any of these holds are left out.</p>"
            f"<ul>{''.join(items)}</ul>"
        )
    out.append(
        '<h3>Preferences</h3><p class="note">The reasons and sources of each statement are in the '
        '<a href="#provenance">provenance</a> table.</p>'
    )
    for dm in conflict.decision_makers:
        prefs = dm.preferences
        if prefs.prioritization is not None:
            items = [f"<li><code>{_e(st.condition)}</code></li>" for st in prefs.prioritization]
            out.append(
                f"<p><strong>{_e(dm.text)}</strong>: option prioritisation, most important first.</p>"
                f"<ol>{''.join(items)}</ol>"
            )
        elif prefs.ranking is not None:
            ranking = " ≻ ".join(
                "[" + ", ".join(map(str, r)) + "]" if isinstance(r, list) else str(r) for r in prefs.ranking
            )
            out.append(f"<p><strong>{_e(dm.text)}</strong>: ranking, best first: {_e(ranking)}</p>")
    if conflict.scenarios:
        rows = []
        for name, sc in conflict.scenarios.items():
            n = int(space.scenarios[name].sum()) if name in space.scenarios else 0
            rows.append(
                [
                    _e(sc.label or name),
                    f"<code>{_e(sc.when)}</code>",
                    _e(sc.description or ""),
                    str(n),
                ]
            )
        out.append("<h3>Named scenarios</h3>")
        out.append(_table(["Scenario", "When", "Description", "States"], rows, num=(3,)))
    return "".join(out)


def _provenance_section(conflict: Conflict, rows: list[Judgement]) -> str:
    from .provenance import provenance_report

    rep = provenance_report(conflict)
    out = [
        f'<p class="counts"><strong>{rep.cited}</strong> judgements cite a source, '
        f"<strong>{rep.estimates}</strong> are analyst estimates, "
        f"<strong>{len(rep.missing)}</strong> have no provenance.</p>",
        '<p class="note">A judgement is a preference statement (or a whole ranking), a perception, '
        "a capability, position, salience or reference point, and a status quo, observed outcome, "
        "infeasibility rule or scenario where it carries a provenance. A citation means the quote "
        "supports the judgement's direction; the exact wording of an expression or a number is the "
        "analyst's.</p>",
    ]
    if rep.problems:
        out.append("<ul>" + "".join(f"<li>{_e(p)}</li>" for p in rep.problems) + "</ul>")
    body = []
    for j in rows:
        if j.kind == "cited":
            basis = f'<span class="kind-cited">cited</span>: <code>{_e(j.source or "")}</code>'
            text = f'<span class="quote">“{_e(j.text)}”</span>' if j.text else ""
        elif j.kind == "estimate":
            basis = '<span class="kind-estimate">analyst estimate</span>'
            text = _e(j.text or "")
        else:
            basis = '<span class="kind-none">no provenance</span>'
            text = ""
        note = f'<div class="small">{_e(j.note)}</div>' if j.note else ""
        where = f'<div class="small where"><code>{_e(j.where)}</code></div>'
        body.append([f"{_e(j.what)}{note}{where}", basis, text])
    out.append(_table(["Judgement (and where it is in the case)", "Basis", "Quote or reasoning"], body))
    return "".join(out)


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

    from .evolution import evolution

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


SURPRISE_ORDER = ("anticipated", "stealthy", "preference surprise", "unexpected", "strategic surprise")


def _kind_order(kind: str) -> int:
    return SURPRISE_ORDER.index(kind) if kind in SURPRISE_ORDER else len(SURPRISE_ORDER)


_KIND_CLASS = {
    "anticipated": "k-anticipated",
    "stealthy": "k-stealthy",
    "strategic surprise": "k-strategic",
    "preference surprise": "k-preference",
    "unexpected": "k-unexpected",
}


def _hypergame_section(space: StateSpace, located: Callable[[], Any]) -> str:
    from .commands.hypergame import summary
    from .errors import AnalysisRefused
    from .hypergame import hypergame

    conflict = space.conflict
    try:
        with located():
            result = hypergame(space)
    except AnalysisRefused as e:
        return f"<p>The hypergame was not analysed: {_e(e)}.</p>"
    data = result.to_dict()
    label = {o.name: o.text for _, o in conflict.options}
    text = {dm.name: dm.text for dm in conflict.decision_makers}
    concepts = data["concepts"]
    out = [
        "<p>Each decision maker acts on its own picture of the conflict: options it does not know "
        "of read as not taken, and it may misjudge others' preferences (Bennett 1980; Wang, Hipel "
        "&amp; Fraser 1988). States are numbered as in the full game.</p>"
    ]
    rows = []
    for dm in conflict.decision_makers:
        per = conflict.perceptions.get(dm.name)
        unaware = ", ".join(label.get(o, o) for o in data["unaware_of"].get(dm.name, [])) or "—"
        beliefs = ", ".join(text.get(j, j) for j in per.preferences) if per and per.preferences else "—"
        nested = (
            "; ".join(
                f"{text.get(j, j)}: {', '.join(label.get(o, o) for o in n.unaware_of) or 'nothing'}"
                for j, n in per.about.items()
            )
            if per and per.about
            else "—"
        )
        rows.append([f"<strong>{_e(dm.text)}</strong>", _e(unaware), _e(beliefs), _e(nested)])
    out.append(
        _table(
            [
                "Decision maker",
                "Does not know of",
                "Own beliefs about the preferences of",
                "Believes unaware",
            ],
            rows,
            caption="What each decision maker sees",
        )
    )
    rows = [
        [
            f"<strong>{_e(dm.text)}</strong>",
            *(_e(_state_list(data["perceived_equilibria"][dm.name][c], 8)) for c in concepts),
        ]
        for dm in conflict.decision_makers
    ]
    out.append(
        _table(
            ["Decision maker", *(CONCEPT_LABELS[c] for c in concepts)],
            rows,
            caption="Equilibria each anticipates in its own picture",
        )
    )
    rows = [
        [_e(CONCEPT_LABELS[c]), _e(_state_list(data["h1"][c], 8)), _e(_state_list(data["h2"][c], 8))]
        for c in concepts
    ]
    out.append(
        _table(
            [
                "Concept",
                "H1: each carries out its part of what it anticipates",
                "H2: stable for each in its own game",
            ],
            rows,
            caption="Hypergame outcomes",
        )
    )
    lines = summary(result)
    if lines:
        out.append("<h3>In words</h3><ul>" + "".join(f"<li>{_e(x)}</li>" for x in lines) + "</ul>")
    surprise = data["surprise"]
    if surprise:
        out.append("<h3>Who is surprised</h3>")
        out.append(
            '<p class="note">For each H1 and H2 outcome (and the observed outcome), per decision maker: '
            "<em>anticipated</em> — one of its anticipated equilibria; <em>preference surprise</em> — it "
            "would have been, had it known the others' true preferences; <em>unexpected</em> — neither; "
            "<em>strategic surprise</em> — the outcome rests on an option it did not know of; "
            "<em>stealthy</em> — hidden options are taken while it sees what it expected.</p>"
        )
        dms = conflict.decision_makers
        rows = []
        for c in concepts:
            of_c = [r for r in surprise if r["concept"] == c]
            if not of_c:
                continue
            cells = []
            for dm in dms:
                counts: dict[str, int] = {}
                for r in of_c:
                    counts[r["kinds"][dm.name]] = counts.get(r["kinds"][dm.name], 0) + 1
                cells.append(
                    "<br>".join(
                        f'<span class="{_KIND_CLASS.get(k, "")}">{_e(k)}</span>: {n}'
                        for k, n in sorted(counts.items(), key=lambda kv: _kind_order(kv[0]))
                    )
                )
            rows.append([_e(CONCEPT_LABELS[c]), str(len(of_c)), *cells])
        out.append(
            _table(
                ["Concept", "Outcomes", *(dm.text for dm in dms)],
                rows,
                caption="Outcomes classified, per concept",
                num=(1,),
            )
        )
        selective = [c for c in concepts if c in ("nash", "seq")] or list(concepts[:1])
        shown = [
            r for r in surprise if r["concept"] in selective or {"observed", "given"} & set(r["source"])
        ][:SURPRISE_LIMIT]
        rows = []
        for r in shown:
            kinds = [
                f'<span class="{_KIND_CLASS.get(r["kinds"][dm.name], "")}">{_e(r["kinds"][dm.name])}</span>'
                for dm in dms
            ]
            rows.append(
                [
                    str(r["state"]),
                    f'<span class="pattern">{_e(r["pattern"])}</span>',
                    f'<code class="taken">{_e(space.describe(r["state"] - 1))}</code>',
                    _e(CONCEPT_LABELS[r["concept"]]),
                    _e(", ".join(r["source"])),
                    *kinds,
                ]
            )
        labels = "/".join(CONCEPT_LABELS[c] for c in selective)
        out.append(
            _table(
                ["State", "Pattern", "Options taken", "Concept", "From", *(dm.name for dm in dms)],
                rows,
                caption=f"The {labels} outcomes and the observed outcome, state by state",
            )
        )
        if len(shown) < len(surprise):
            out.append(
                f'<p class="note">{len(surprise) - len(shown)} rows for the other concepts are counted above '
                "and not listed (<code>backchannel hypergame --format json</code> gives all).</p>"
            )
    return "".join(out)


_SHORT_MODEL = {"compromise": "Compromise", "median": "Median", "nash": "Nash", "bdm": "BDM"}


def _forecast_section(conflict: Conflict, located: Callable[[], Any]) -> str:
    from .bargaining.forecast import MODEL_LABELS, forecast

    with located():
        result = forecast(conflict)
    data = result.to_dict()
    d = result.data
    out = [
        "<p>Where bargaining lands, issue by issue, by four models: the compromise (capability- and "
        "salience-weighted mean; Achen 2006), the weighted median, asymmetric Nash bargaining from the "
        "reference point, and the expected-utility model of Bueno de Mesquita as reconstructed by "
        "Scholz, Calbert &amp; Smith (2011), run round by round. The spread across models shows how much "
        "they disagree; it is not a confidence interval.</p>"
    ]
    dm_text = {dm.name: dm.text for dm in conflict.decision_makers}
    rows = []
    for a in conflict.actors:
        link = dm_text.get(a.decision_maker, a.decision_maker) if a.decision_maker else "—"
        rows.append([_e(a.text), _num(a.capability.value, 2), _e(link)])
    out.append(_table(["Actor", "Capability", "Decision maker"], rows, caption="Actors", num=(1,)))
    weight = d.capability[:, None] * d.salience
    out.append(
        "<p class=\"note\">In the charts below, dots are the actors' positions on the issue (a dot's area "
        "grows with capability × salience; actors without a position on an issue are left out) and "
        "vertical lines are each model's forecast and the reference point.</p>"
    )
    for i, name in enumerate(d.issues):
        entry = data["issues"][name]
        spec = conflict.issues.get(name)
        lo, hi = entry["scale"]
        out.append(f'<h3 id="issue-{_e(name)}">{_e(entry["label"])}</h3>')
        ends = []
        if spec is not None and spec.low:
            ends.append(f"Low end: {_e(spec.low)}.")
        if spec is not None and spec.high:
            ends.append(f"High end: {_e(spec.high)}.")
        out.append(f"<p>Scale {lo:g}–{hi:g}. {' '.join(ends)}</p>")
        if spec is not None and spec.description:
            out.append(f'<div class="small">{_paragraphs(spec.description)}</div>')
        head = ["Reference (no agreement)"]
        row = [_num(entry["reference"])]
        if entry.get("outcome") is not None:
            head.append("Recorded outcome")
            row.append(_num(entry["outcome"]))
        head += [MODEL_LABELS[m] for m in result.models] + ["Spread across models"]
        row += [_num(entry[m]) for m in result.models]
        row.append(f"{_num(entry['spread']['low'])}–{_num(entry['spread']['high'])}")
        out.append(_table(head, [row], num=tuple(range(len(head)))))
        who = [k for k in range(d.n_actors) if d.involved[k, i]]
        points = [(d.actor_labels[k], float(d.position[k, i]), float(weight[k, i])) for k in who]
        markers = [(_SHORT_MODEL[m], float(result.forecasts[m][i])) for m in result.models]
        markers.append(("Reference", float(d.reference[i])))
        out.append(
            _chart(
                svg.position_chart(
                    (float(lo), float(hi)),
                    points,
                    markers,
                    title=f"{entry['label']}: positions and forecasts",
                    low_label=spec.low if spec is not None else None,
                    high_label=spec.high if spec is not None else None,
                )
            )
        )
    if result.bdm_run is not None:
        series = {d.issue_labels[i]: list(enumerate(result.bdm_rounds(i))) for i in range(d.n_issues)}
        same = len({tuple(s) for s in d.scales.tolist()}) == 1
        out.append("<h3>Expected-utility model, round by round</h3>")
        out.append(
            _chart(
                svg.line_chart(
                    {k: [(float(x), float(y)) for x, y in v] for k, v in series.items()},
                    title="Median position by round (expected-utility model)",
                    xlabel="round",
                    ylabel="position" + ("" if same else " (each issue on its own scale)"),
                )
            )
        )
        n_rounds = result.bdm_run.rounds
        head = ["Issue", *(str(k) for k in range(n_rounds + 1))]
        rows = [[_e(d.issue_labels[i]), *(_num(v) for v in result.bdm_rounds(i))] for i in range(d.n_issues)]
        out.append(_table(head, rows, num=tuple(range(1, n_rounds + 2)), caption="Median position by round"))
    return "".join(out)


def _fnum(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return math.nan
    return float(v)


def _scenarios_section(res: Mapping[str, Any], title: str) -> str:
    out: list[str] = []
    other = res.get("title")
    if isinstance(other, str) and other and other != title:
        out.append(
            f"<p><strong>Note:</strong> this scenario result was computed for “{_e(other)}”, "
            "not for the case of this report.</p>"
        )
    out += [
        "<p>The case's uncertain inputs are drawn at random, and each draw is analysed: the "
        "probabilities below are shares of the draws, with 95% intervals for the sampling error. "
        "They hold under the case's model and under the ranges its uncertainty is given; they are "
        "not frequencies observed in the world.</p>"
    ]
    meta: dict[str, Any] = {"samples": res.get("samples"), "seed": res.get("seed")}
    params = res.get("parameters")
    if isinstance(params, Mapping):
        for k, v in params.items():
            meta.setdefault(str(k), v)
    items = "".join(
        f"<dt>{_e(k.replace('_', ' '))}</dt><dd>{_e(v)}</dd>" for k, v in meta.items() if v is not None
    )
    if items:
        out.append(f'<dl class="params">{items}</dl>')
    unresolved = _fnum(res.get("unresolved"))
    if math.isfinite(unresolved):
        out.append(
            "<p>Share of samples in which no equilibrium is reachable from the status quo: "
            f"{_p(unresolved)}.</p>"
        )
    scen = res.get("scenarios")
    labels: dict[str, str] = {}
    overall: dict[str, float] = {}
    if isinstance(scen, Mapping) and scen:
        rows, chart_rows = [], []
        for key, v in scen.items():
            if not isinstance(v, Mapping):
                continue
            lab = str(v.get("label") or key)
            labels[str(key)] = lab
            p, lo, hi = _fnum(v.get("p")), _fnum(v.get("low")), _fnum(v.get("high"))
            overall[str(key)] = p
            rows.append([_e(lab), _p(p), f"{_p(lo)}–{_p(hi)}" if math.isfinite(lo + hi) else "—"])
            chart_rows.append((lab, p, lo, hi))
        if rows:
            out.append("<h3>Scenario probabilities</h3>")
            out.append(_chart(svg.interval_chart(chart_rows, title="Scenario probabilities (95% intervals)")))
            out.append(_table(["Scenario", "Probability", "95% interval"], rows, num=(1, 2)))
    robust = res.get("robust_equilibria")
    if isinstance(robust, Sequence) and not isinstance(robust, str) and robust:
        rows = []
        for r in robust:
            if not isinstance(r, Mapping):
                continue
            scen_names = r.get("scenarios")
            in_scen = (
                ", ".join(labels.get(str(x), str(x)) for x in scen_names)
                if isinstance(scen_names, Sequence) and not isinstance(scen_names, str)
                else ""
            )
            rows.append(
                [
                    _e(r.get("state", "—")),
                    f'<span class="pattern">{_e(r.get("pattern", ""))}</span>',
                    f'<code class="taken">{_e(r.get("description", ""))}</code>',
                    _e(in_scen or "—"),
                    _p(_fnum(r.get("p_equilibrium"))),
                    _p(_fnum(r.get("p_outcome"))),
                ]
            )
        out.append("<h3>Robust equilibria</h3>")
        out.append(
            '<p class="note">P(equilibrium): the share of samples in which the state is an equilibrium; '
            "P(outcome): its share of the samples' outcomes.</p>"
        )
        out.append(
            _table(
                ["State", "Pattern", "Options taken", "Scenario", "P(equilibrium)", "P(outcome)"],
                rows,
                num=(4, 5),
            )
        )
    sens = res.get("sensitivity")
    if isinstance(sens, Sequence) and not isinstance(sens, str) and sens:
        entries = [x for x in sens if isinstance(x, Mapping)]

        def swing(x: Mapping[str, Any]) -> float:
            v = _fnum(x.get("swing"))
            return -v if math.isfinite(v) else 0.0

        top = sorted(entries, key=swing)[:SENSITIVITY_TOP]
        out.append(f"<h3>Sensitivity: the {len(top)} most influential inputs</h3>")
        out.append(
            '<p class="note">For each uncertain input: the probability of the scenario it moves most, '
            "among the samples in which the input was low and among those in which it was high; the swing "
            "is the difference. The vertical line in each chart is the scenario's overall probability.</p>"
        )
        groups: dict[str, list[Mapping[str, Any]]] = {}
        for x in top:
            groups.setdefault(str(x.get("scenario", "")), []).append(x)
        for key, group in groups.items():
            lab = labels.get(key, key or "scenario")
            base = overall.get(key, math.nan)
            if not math.isfinite(base):
                vals = [_fnum(x.get(k)) for x in group for k in ("low", "high")]
                vals = [v for v in vals if math.isfinite(v)]
                base = sum(vals) / len(vals) if vals else math.nan
            bars = [
                (str(x.get("label") or x.get("input", "")), _fnum(x.get("low")), _fnum(x.get("high")))
                for x in group
            ]
            out.append(
                _chart(svg.tornado(bars, base=base, title=f"Sensitivity of “{lab}”", xlabel="probability"))
            )
        rows = []
        for x in top:
            ident = (
                f'<div class="small"><code>{_e(x.get("input", ""))}</code></div>' if x.get("input") else ""
            )
            rows.append(
                [
                    _e(x.get("label") or x.get("input", "")) + ident,
                    _e(x.get("kind", "")),
                    _e(labels.get(str(x.get("scenario", "")), x.get("scenario", ""))),
                    _p(_fnum(x.get("low"))),
                    _p(_fnum(x.get("high"))),
                    _p(_fnum(x.get("swing"))),
                    {True: "yes", False: "no (noise)"}.get(x.get("significant"), "—"),  # type: ignore[arg-type]
                ]
            )
        out.append(
            _table(
                ["Input", "Kind", "Scenario", "Input low", "Input high", "Swing", "Beyond noise"],
                rows,
                num=(3, 4, 5),
            )
        )
        out.append(
            '<p class="note">Beyond noise: whether a two-sided 5% test, corrected for the number of '
            "inputs and scenarios looked at, tells the swing from sampling noise.</p>"
        )
    conv = res.get("convergence")
    if isinstance(conv, Sequence) and not isinstance(conv, str) and conv:
        series: dict[str, list[tuple[float, float]]] = {}
        bands: dict[str, list[tuple[float, float, float]]] = {}
        rows = []
        for c in conv:
            if not isinstance(c, Mapping):
                continue
            n = _fnum(c.get("samples"))
            hw = _fnum(c.get("half_width"))
            est = c.get("scenarios")
            for key, p in est.items() if isinstance(est, Mapping) else []:
                lab = labels.get(str(key), str(key))
                pv = _fnum(p)
                series.setdefault(lab, []).append((n, pv))
                if math.isfinite(hw):
                    bands.setdefault(lab, []).append((n, max(0.0, pv - hw), min(1.0, pv + hw)))
            rows.append([_num(n, 0), _p(hw)])
        out.append("<h3>Convergence</h3>")
        out.append(
            _chart(
                svg.line_chart(
                    series,
                    bands=bands or None,
                    title="Scenario estimates as samples accumulate",
                    xlabel="samples",
                    ylabel="probability",
                )
            )
        )
        out.append(
            '<p class="note">Shaded: each estimate ± the largest half-width of the 95% intervals at that '
            "number of samples.</p>"
        )
        out.append(_table(["Samples", "Largest half-width of the 95% intervals"], rows, num=(0, 1)))
    issues = res.get("issues")
    if isinstance(issues, Mapping) and issues:
        rows = []
        for key, v in issues.items():
            if not isinstance(v, Mapping):
                continue
            lo, hi = _fnum(v.get("low")), _fnum(v.get("high"))
            rows.append(
                [
                    _e(v.get("label") or key),
                    _e(v.get("model", "—")),
                    _num(_fnum(v.get("mean"))),
                    f"{_num(lo)}–{_num(hi)}" if math.isfinite(lo + hi) else "—",
                ]
            )
        out.append("<h3>Issue forecasts across the samples</h3>")
        out.append(_table(["Issue", "Model", "Mean", "95% range"], rows, num=(2, 3)))
    return "".join(out)


# ---------------------------------------------------------------------------
# the report


def _run_scenarios(case: str | Path | Conflict, samples: int, seed: int) -> dict[str, Any]:
    try:
        mod = importlib.import_module("backchannel.scenarios")
    except ImportError:
        raise BackchannelError(
            "a scenario run (samples > 0) needs backchannel.scenarios, which this installation lacks"
        ) from None
    result = mod.scenarios(case, samples=samples, seed=seed)
    data = result.to_dict() if hasattr(result, "to_dict") else result
    return dict(data)


def build_report(
    case: str | Path | Conflict,
    *,
    scenarios: Mapping[str, Any] | None = None,
    samples: int = 0,
    seed: int = 0,
    max_states: int | None = None,
    generated: datetime | None = None,
) -> str:
    """The HTML report of ``case`` (a case file, a bundled case's name, or a
    :class:`Conflict`), as one self-contained document.

    ``scenarios``: a scenario result as a dict (``ScenarioResult.to_dict()``)
    to include; otherwise ``samples > 0`` runs the scenario analysis with
    ``seed``. ``max_states`` bounds the state space. ``generated``: the
    generation time printed in the report (default: now; give a fixed time for
    byte-identical output).
    """
    from . import __version__
    from .casefile import case_error, read_case
    from .statespace import compile_conflict

    if samples < 0:
        raise BackchannelError("samples must be 0 (no scenario run) or more")
    if isinstance(case, Conflict):
        conflict, name = case, case.title
        lines: dict[tuple[Any, ...], int] = {}
    else:
        conflict, name, lines = read_case(case)

    @contextmanager
    def located() -> Iterator[None]:
        try:
            yield
        except ModelError as err:
            raise case_error(name, lines, err) from None

    rows = judgements(conflict)
    cited_by: dict[str, int] = {}
    for j in rows:
        if j.kind == "cited" and j.source:
            cited_by[j.source] = cited_by.get(j.source, 0) + 1
    sections = _Sections()
    sections.add("case", "The case", _case_section(conflict, cited_by))
    space = None
    if conflict.decision_makers:
        with located():
            space = compile_conflict(conflict, max_states=max_states)
        sections.add("model", "Decision makers and options", _model_section(space))
    if rows:
        sections.add("provenance", "Provenance of the judgements", _provenance_section(conflict, rows))
    if space is not None:
        from .analysis import stability

        result = stability(space)
        sections.add("equilibria", "Equilibria", _equilibria_section(result))
        if space.status_quo is not None:
            sections.add("evolution", "Evolution from the status quo", _evolution_section(result))
        if conflict.perceptions:
            sections.add("hypergame", "Hypergame: who sees what", _hypergame_section(space, located))
    if conflict.issues and conflict.actors:
        sections.add("forecasts", "Bargaining forecasts", _forecast_section(conflict, located))
    scen: Mapping[str, Any] | None = scenarios
    if scen is None and samples > 0:
        with located():
            scen = _run_scenarios(case, samples, seed)
    if scen is not None:
        if not isinstance(scen, Mapping):
            raise BackchannelError("the scenario result must be a dict (ScenarioResult.to_dict())")
        kind = scen.get("analysis", "scenarios")
        if kind != "scenarios":
            raise BackchannelError(f"the result given is a {kind!r} analysis, not a scenario analysis")
        sections.add("scenarios", "Scenarios", _scenarios_section(scen, conflict.title))

    stamp = datetime.now(UTC) if generated is None else generated
    stamp = stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    when = f"Generated {stamp.strftime('%Y-%m-%d %H:%M UTC')} by "
    digest = content_hash(conflict)
    header = (
        f"<header><h1>{_e(conflict.title)}</h1>"
        f'<p class="meta">{when}backchannel {_e(__version__)} from {_e(name)}. '
        f"Content hash (SHA-256 of the case's canonical JSON): <code>{digest}</code></p></header>"
    )
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="backchannel {_e(__version__)}">\n'
        f"<title>{_e(conflict.title)} — Backchannel report</title>\n"
        f"<style>\n{CSS}\n</style>\n</head>\n<body>\n<main>\n"
        f"{header}\n{sections.toc()}\n{sections.html()}\n"
        '<footer><p class="meta">Made with Backchannel. The analyses compute what follows from the '
        "case's assumptions and data: equilibria are stable configurations and forecasts are model "
        "outputs under those assumptions, not certainties.</p></footer>\n"
        "</main>\n</body>\n</html>\n"
    )


def write_report(path: str | Path, text: str) -> int:
    """Write ``text`` to ``path`` atomically (a temporary file in the same folder,
    then renamed); return the number of bytes written."""
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise BackchannelError(
            f"cannot write {path}: it is a folder; name a file, e.g. {path / 'report.html'}"
        )
    if not folder.is_dir():
        raise BackchannelError(f"cannot write {path}: the folder {folder} does not exist")
    data = text.encode("utf-8")
    tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        # created like any new file (the umask applies), never over an existing one
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as e:
        raise BackchannelError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise BackchannelError(f"cannot write {path}: {e.strerror or e}") from None
    return len(data)
