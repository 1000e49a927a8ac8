"""The report's reasons: the computed summary that opens it, why the
equilibria hold (per decision maker, in the case's statements, with their
sources, and the sanctions), solution-concept guidance, and why each named
future is likely, rare or never (exact decomposition, diagnosis, cycles, what
would it take).  Everything here is computed from the results; no analyst
text."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..gmcr.explain import explain
from ..gmcr.guidance import concept_guidance
from ..gmcr.summary import stability_summary
from ..words import CONCEPT_LABELS, state_list

if TYPE_CHECKING:
    from ..gmcr.results import StabilityResult

__all__ = ["diagnostics_html", "summary_html", "why_html"]

#: Equilibria explained at most (per concept).
EXPLAINED_LIMIT = 6
#: Rows of the decomposition shown at most.
DECOMPOSITION_LIMIT = 40


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], caption: str | None = None) -> str:
    ths = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f'<div class="scroll"><table>{cap}<thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table></div>'


def summary_html(result: StabilityResult | None, scen: Mapping[str, Any] | None) -> str:
    """The computed summary: the equilibria and the futures, each with its main reason."""
    parts: list[str] = []
    if result is not None:
        parts += stability_summary(result)
    if scen is not None:
        parts += [str(x) for x in scen.get("summary") or []]
    if not parts:
        return ""
    body = "".join(f"<li>{_e(p)}</li>" for p in parts)
    return (
        f'<ul class="summary">{body}</ul><p class="note">Computed from the results below; '
        "no sentence of it is written by the analyst.</p>"
    )


def _statements(m: Mapping[str, Any]) -> str:
    items = []
    for st in m.get("statements") or []:
        verb = "gains" if st["change"] == "gained" else "loses"
        src = st.get("quote") or st.get("provenance")
        cite = f' <span class="quote">“{_e(src)}”</span>' if src else ""
        items.append(f"<li>{verb} <code>{_e(st['statement'])}</code> ({_e(st['priority'])}){cite}</li>")
    return f'<ul class="small">{"".join(items)}</ul>' if items else ""


def _explained(result: StabilityResult, s: int, concept: str) -> str:
    e = explain(result.space, s + 1, concept, stable=result.stable)
    rows = []
    for d in e.decision_makers:
        moves = [m for m in d["moves"] if m["improves"]]
        detail = "".join(
            f"<div>{_e(m['reason'])}{_statements(m)}"
            + (f'<div class="small">{_e(m["deterrence"])}</div>' if m.get("deterrence") else "")
            + "</div>"
            for m in moves
        )
        rows.append(
            [
                _e(d["label"]),
                "stable" if d["stable"] else "<strong>not stable</strong>",
                _e(d["reason"]) + detail,
            ]
        )
    return _table(["Decision maker", CONCEPT_LABELS[concept], "Why"], rows)


def why_html(result: StabilityResult) -> str:
    """Why the status quo and the equilibria are (not) stable, and the concept guidance."""
    sp = result.space
    out: list[str] = []
    shown: set[tuple[int, str]] = set()
    if sp.status_quo is not None and "nash" in result.concepts:
        s = sp.status_quo
        out.append(f"<h3>The status quo, state {s + 1} ({_e(sp.describe(s))})</h3>")
        out.append(f"<p>{_e(explain(sp, s + 1, 'nash', stable=result.stable).summary())}</p>")
        out.append(_explained(result, s, "nash"))
        shown.add((s, "nash"))
    for c in ("nash", "seq"):
        if c not in result.concepts:
            continue
        eqs = result.equilibria(c)
        for num in eqs[:EXPLAINED_LIMIT]:
            if (num - 1, c) in shown or (c == "seq" and num in result.equilibria("nash")):
                continue
            out.append(f"<h3>{CONCEPT_LABELS[c]} equilibrium: state {num} ({_e(sp.describe(num - 1))})</h3>")
            out.append(_explained(result, num - 1, c))
        if len(eqs) > EXPLAINED_LIMIT:
            out.append(
                f'<p class="note">… and {len(eqs) - EXPLAINED_LIMIT} more; '
                "<code>backchannel explain</code> tells any.</p>"
            )
    wanted = tuple(c for c in ("gmr", "smr", "seq") if c in result.concepts)
    notes = [
        n for row in concept_guidance(sp, {c: result.stable[c] for c in wanted}, wanted) for n in row["notes"]
    ]
    if notes:
        out.append("<h3>What the concepts say here</h3>")
        out.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
    return "".join(out)


def diagnostics_html(scen: Mapping[str, Any]) -> str:
    """Why each named future is likely, rare or never; how the probabilities were obtained."""
    out: list[str] = []
    if scen.get("method") == "exact":
        out.append(
            f"<p><strong>Exact.</strong> The uncertainty the futures depend on is discrete: the "
            f"probabilities are sums over its {int(scen.get('combinations') or 0):,} combinations, each "
            "weighted by its probability — the analyst's weights passed through the model, with no "
            "sampling error.</p>"
        )
        dec = scen.get("decomposition") or []
        rows = [
            [
                _e(r["combination"]),
                f"{float(r['weight']):.4f}",
                _e(", ".join(f"{k} {v:.3g}" if v < 1 else k for k, v in r["futures"].items()) or "(cycle)"),
                _e(state_list(list(r["outcomes"]))),
            ]
            for r in dec[:DECOMPOSITION_LIMIT]
        ]
        out.append(
            _table(
                ["Combination", "Weight", "Future", "Outcome states"], rows, "Which combination leads where"
            )
        )
        if len(dec) > DECOMPOSITION_LIMIT:
            out.append(f'<p class="note">… and {len(dec) - DECOMPOSITION_LIMIT} lighter combinations.</p>')
    elif scen.get("why_not_exact"):
        out.append(
            f'<p class="note">Monte Carlo estimate; not exact because {_e(scen["why_not_exact"])}.</p>'
        )
    diag = scen.get("diagnostics") or []
    if diag:
        rows = [[_e(r["label"]), _e(r["kind"]), f"{float(r['p']):.3f}", _e(r["reason"])] for r in diag]
        out.append(_table(["Future", "Kind", "P", "Reason"], rows, "Diagnosis of each named future"))
    for c in scen.get("cycles") or []:
        out.append(
            f"<p>Cycle (probability {float(c['p']):.3g}): no equilibrium is reached; the conflict keeps "
            f"moving through states {_e(state_list(list(c['states'])))}.</p>"
        )
    for w in scen.get("what_would_it_take") or []:
        out.append(f"<p><strong>What would it take</strong> ({_e(w['label'])}): {_e(w['text'])}</p>")
    return "".join(out)
