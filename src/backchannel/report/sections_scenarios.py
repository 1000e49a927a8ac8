"""The report's section on a scenario (Monte Carlo) analysis."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from . import forecast_notes, svg
from .html import _chart, _e, _fnum, _num, _p, _table

#: Inputs of the sensitivity analysis shown.
SENSITIVITY_TOP = 10


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
        if res.get("method") != "exact"
        else "<p>The uncertainty the futures depend on is discrete, so the probabilities below are "
        "exact: sums over every combination of the uncertain preferences, weighted by the analyst's "
        "probabilities (the decomposition is further below). They hold under the case's model; they "
        "are not frequencies observed in the world.</p>"
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
    out.append(forecast_notes.scenario_extras(res))
    return "".join(out)
