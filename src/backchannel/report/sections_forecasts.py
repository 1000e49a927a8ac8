"""The report's section on the bargaining forecasts, issue by issue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..case.model import Conflict
from . import forecast_notes, svg
from .html import _chart, _e, _num, _paragraphs, _table

_SHORT_MODEL = {"compromise": "Compromise", "median": "Median", "nash": "Nash", "bdm": "BDM"}


def _forecast_section(conflict: Conflict, located: Callable[[], Any]) -> str:
    from ..bargaining.forecast import MODEL_LABELS, forecast

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
        row += [forecast_notes.forecast_cell(entry, m) for m in result.models]
        row.append(f"{_num(entry['spread']['low'])}–{_num(entry['spread']['high'])}")
        out.append(_table(head, [row], num=tuple(range(len(head)))))
        out.append(forecast_notes.forecast_notes(entry))
        who = [k for k in range(d.n_actors) if d.involved[k, i]]
        points = [(d.actor_labels[k], float(d.position[k, i]), float(weight[k, i])) for k in who]
        markers = [(_SHORT_MODEL[m], float(result.forecasts[m][i])) for m in result.models]
        markers.append(("Reference", float(d.reference[i])))
        markers = forecast_notes.range_markers(entry, markers, _SHORT_MODEL["bdm"])
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
