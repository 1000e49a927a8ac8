"""Report sections for what forecasts mean and what scenario runs add.

Small functions of plain result dicts (``ForecastResult.to_dict()`` issue
entries, ``ScenarioResult.to_dict()``) returning HTML fragments, used by
:mod:`backchannel.report.build`:

* :func:`forecast_cell` — a model's forecast in the per-issue table: a range
  for an expected-utility run that has not converged, "no agreement" for
  Nash bargaining that ends at the reference point;
* :func:`forecast_notes` — the sentences that say so, and who alone decides
  a forecast;
* :func:`scenario_extras` — the issue forecasts within each named future, the
  Sobol indices and the stopping rule of a scenario run.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["forecast_cell", "forecast_notes", "range_markers", "scenario_extras"]


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _num(v: Any, digits: int = 1) -> str:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return "—"
    return f"{v:.{digits}f}"


_NUM = ' class="num"'


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], caption: str | None = None) -> str:
    """A table like the report's own: ``head`` escaped here, cells HTML already,
    every column but the first numeric."""
    ths = "".join(f'<th{_NUM if i else ""} scope="col">{_e(h)}</th>' for i, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(f"<td{_NUM if i else ''}>{c}</td>" for i, c in enumerate(r)) + "</tr>" for r in rows
    )
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f'<div class="scroll"><table>{cap}<thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table></div>'


def forecast_cell(entry: Mapping[str, Any], model: str) -> str:
    """The cell of ``model`` in an issue's forecast table."""
    rng = entry.get("bdm_range")
    if model == "bdm" and isinstance(rng, list) and len(rng) == 2:
        return f'{_num(rng[0])}–{_num(rng[1])} <span class="small">(not converged)</span>'
    if model == "nash" and entry.get("nash_agreement") is False:
        return f'{_num(entry.get(model))} <span class="small">(no agreement)</span>'
    return _num(entry.get(model))


def range_markers(
    entry: Mapping[str, Any], markers: list[tuple[str, float]], bdm_label: str
) -> list[tuple[str, float]]:
    """The chart's markers with an unconverged BDM forecast shown as its range:
    its marker moves to the low end and one for the high end is added last (so
    the other markers keep their colours)."""
    rng = entry.get("bdm_range")
    if not (isinstance(rng, list) and len(rng) == 2):
        return markers
    out = [(f"{bdm_label} low ↻", float(rng[0])) if lab == bdm_label else (lab, x) for lab, x in markers]
    return [*out, (f"{bdm_label} high ↻", float(rng[1]))]


def forecast_notes(entry: Mapping[str, Any]) -> str:
    """The issue's verdicts in words (convergence, no agreement, decided by one actor)."""
    notes = [n for n in entry.get("notes", []) if isinstance(n, str)]
    conv = entry.get("bdm_convergence")
    sentence = conv.get("sentence") if isinstance(conv, Mapping) else None
    if entry.get("bdm_converged") and isinstance(sentence, str) and sentence not in notes:
        notes.insert(0, sentence)
    return "".join(f'<p class="note">{_e(n)}</p>' for n in notes)


def scenario_extras(res: Mapping[str, Any]) -> str:
    """Conditional forecasts, Sobol indices and the stopping rule of a scenario result."""
    out: list[str] = []
    scen = res.get("scenarios")
    labels: dict[str, Any] = {}
    if isinstance(scen, Mapping):
        labels = {k: (v.get("label") or k) for k, v in scen.items() if isinstance(v, Mapping)}
    cond = res.get("conditional_forecasts")
    if isinstance(cond, Mapping) and cond:
        filled = {k: v for k, v in cond.items() if isinstance(v, Mapping) and v.get("issues")}
        out.append("<h3>Issue forecasts within each future</h3>")
        out.append(
            "<p>Among the samples that end in each named future, where each issue's forecast lands: the "
            "median and, in brackets, the range of the middle 90% (a sample split between futures counts "
            "by its share). Alike columns mean the futures do not depend on that issue's outcome.</p>"
        )
        if filled:
            issues: dict[str, str] = {}
            for v in filled.values():
                for key, e in v["issues"].items():
                    issues.setdefault(key, str(e.get("label") or key))
            head = ["Issue"] + [
                f"{labels.get(k, k)} ({_num(v.get('samples'), 0)} samples)" for k, v in filled.items()
            ]
            rows = []
            for key, label in issues.items():
                row = [_e(label)]
                for v in filled.values():
                    e = v["issues"].get(key)
                    row.append(
                        "—"
                        if not isinstance(e, Mapping)
                        else f"{_num(e.get('median'))} ({_num(e.get('low'))}–{_num(e.get('high'))})"
                    )
                rows.append(row)
            out.append(_table(head, rows))
        empty = [str(labels.get(k, k)) for k in cond if k not in filled]
        if empty:
            out.append(f'<p class="note">No sample ends in: {_e(", ".join(empty))}.</p>')
    sobol = res.get("sobol")
    if isinstance(sobol, Mapping):
        rows = []
        for r in sobol.get("inputs", []):
            if not isinstance(r, Mapping) or not (r.get("total", 0) > 0 or r.get("first", 0) > 0):
                continue
            by = r.get("by_scenario", {}).get(r.get("scenario"), {})
            rows.append(
                [
                    _e(r.get("description") or r.get("input")),
                    _e(labels.get(str(r.get("scenario")), r.get("scenario"))),
                    f"{_num(r.get('first'), 3)} ± {_num(by.get('first_se'), 3)}",
                    f"{_num(r.get('total'), 3)} ± {_num(by.get('total_se'), 3)}",
                ][:4]
            )
        out.append("<h3>Variance-based sensitivity (Sobol indices)</h3>")
        out.append(
            f"<p>For each uncertain input, the share of the variance of a scenario's probability it explains "
            f"alone (first order) and alone or with other inputs (total), for the scenario it moves most; "
            f"{_num(sobol.get('base_samples'), 0)} base samples, {_num(sobol.get('evaluations'), 0)} "
            f"evaluations ({_e(sobol.get('method', ''))}); ± one bootstrap standard error. Unlike the "
            "low-against-high comparison above, this counts interactions between inputs.</p>"
        )
        out.append(_table(["Input", "Scenario", "First order", "Total"], rows[:15]) if rows else "")
    stop = res.get("stopping")
    if isinstance(stop, Mapping):
        verdict = "reached" if stop.get("reached") else "not reached before the cap"
        out.append(
            f"<p>Stopping rule: sampling went on until every named future's 95% interval was within "
            f"±{_e(stop.get('until_halfwidth'))} — {verdict} after {_num(stop.get('samples'), 0)} samples "
            f"(largest half-width {_num(stop.get('largest_half_width'), 4)}; cap "
            f"{_num(stop.get('cap'), 0)}).</p>"
        )
    return "".join(out)
