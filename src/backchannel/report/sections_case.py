"""The report's sections on the case itself: its sources, its decision makers and
options, and the provenance of its judgements."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..case.model import Conflict
from ..case.provenance import Judgement, rule_text
from .html import _e, _paragraphs, _state_ref, _table

if TYPE_CHECKING:
    from ..gmcr.statespace import StateSpace


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
    from ..case.provenance import provenance_report

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
