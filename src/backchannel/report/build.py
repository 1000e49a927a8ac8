"""One self-contained HTML report of a case: the model, where its judgements
come from, and every analysis the case has the data for.

:func:`build_report` returns a single HTML document with inline CSS and inline
SVG charts (:mod:`backchannel.report.svg`); it loads nothing from anywhere (no
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

import importlib
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..case.model import Conflict
from ..case.provenance import Judgement, judgements
from ..case.results import conflict_hash as content_hash
from ..errors import BackchannelError, ModelError
from . import why
from .html import _e
from .sections_case import _case_section, _model_section, _provenance_section
from .sections_forecasts import _forecast_section
from .sections_hypergame import _hypergame_section
from .sections_scenarios import _scenarios_section
from .sections_stability import _equilibria_section, _evolution_section

__all__ = ["Judgement", "build_report", "content_hash", "judgements", "write_report"]


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


# the report


def _run_scenarios(case: str | Path | Conflict, samples: int, seed: int, **options: Any) -> dict[str, Any]:
    try:
        mod = importlib.import_module("backchannel.scenarios.run")
    except ImportError:
        raise BackchannelError(
            "a scenario run (samples > 0) needs backchannel.scenarios.run, which this installation lacks"
        ) from None
    result = mod.scenarios(case, samples=samples, seed=seed, **options)
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
    until_halfwidth: float | None = None,
) -> str:
    """The HTML report of ``case`` (a case file, a bundled case's name, or a
    :class:`Conflict`), as one self-contained document.

    ``scenarios``: a scenario result as a dict (``ScenarioResult.to_dict()``)
    to include; otherwise ``samples > 0`` runs the scenario analysis with
    ``seed``. ``max_states`` bounds the state space. ``generated``: the
    generation time printed in the report (default: now; give a fixed time for
    byte-identical output). ``until_halfwidth``: the scenario run samples
    until every named future's 95% interval is that narrow (``samples`` is
    then the cap).
    """
    from .._version import __version__
    from ..case.casefile import case_error, read_case
    from ..gmcr.statespace import compile_conflict

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
        from .evidence import evidence_section

        sections.add("evidence", "Evidence: sources and grades", evidence_section(conflict, case))
    if space is not None:
        from ..gmcr.analysis import stability

        result = stability(space)
        sections.add("equilibria", "Equilibria", _equilibria_section(result))
        sections.add("why", "Why the equilibria hold", why.why_html(result))
        if space.status_quo is not None:
            sections.add("evolution", "Evolution from the status quo", _evolution_section(result))
        if conflict.perceptions or conflict.timeline:
            sections.add("hypergame", "Hypergame: who sees what", _hypergame_section(space, located))
    if conflict.issues and conflict.actors:
        sections.add("forecasts", "Bargaining forecasts", _forecast_section(conflict, located))
    scen: Mapping[str, Any] | None = scenarios
    if scen is None and samples > 0:
        options: dict[str, Any] = {}
        if until_halfwidth is not None:
            options = {"until_halfwidth": until_halfwidth, "max_samples": samples}
        with located():
            scen = _run_scenarios(case, samples, seed, **options)
    if scen is not None:
        if not isinstance(scen, Mapping):
            raise BackchannelError("the scenario result must be a dict (ScenarioResult.to_dict())")
        kind = scen.get("analysis", "scenarios")
        if kind != "scenarios":
            raise BackchannelError(f"the result given is a {kind!r} analysis, not a scenario analysis")
        sections.add("scenarios", "Scenarios", _scenarios_section(scen, conflict.title))
        if scen.get("diagnostics"):
            title = "Why each future is likely, rare or never"
            sections.add("futures-why", title, why.diagnostics_html(scen))
    summary = why.summary_html(result if space is not None else None, scen)
    if summary:  # the computed summary opens the report
        sections.parts.insert(0, ("summary", "Summary", summary))

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
