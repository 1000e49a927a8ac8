"""Live validation of case text, as the user types: every problem, located."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..case.casefile import case_error
from ..errors import AnalysisRefused, CaseError, ModelError
from .cases import CaseCache, CaseText, too_large
from .problems import ApiError, located_entry

if TYPE_CHECKING:
    from ..case.model import Conflict

__all__ = ["validate_case"]


def _entry(e: CaseError | ApiError) -> dict[str, Any]:
    if isinstance(e, ApiError):
        return located_entry(e.message, e.loc, e.line, e.hint)
    return located_entry(e.message, e.loc, e.line, e.hint)


def _schema_errors(case: CaseText) -> list[dict[str, Any]]:
    """Every structural (pydantic) error of a YAML/JSON case, one per place, located.

    Empty when the text does not even parse as a mapping (the loader's own
    error says why) or when the structure is valid.
    """
    from pydantic import ValidationError

    from ..case.casefile import _clean_loc, _line_for, _load_json, _pydantic_message, read_yaml
    from ..case.model import Conflict

    lines: dict[tuple[Any, ...], int] = {}
    try:
        if case.fmt == "yaml":
            data, lines = read_yaml(case.text)
        else:
            data = _load_json(case.text, case.display, case.fmt)
    except (CaseError, ValueError, RecursionError):  # the loader reports it
        return []
    if not isinstance(data, dict):
        return []
    try:
        Conflict.model_validate(data)
    except ValidationError as e:
        out: list[dict[str, Any]] = []
        seen: set[tuple[Any, ...]] = set()
        for err in e.errors():
            loc = _clean_loc(data, err["loc"])
            if loc in seen:  # the members of a union fail at the same place: keep the first
                continue
            seen.add(loc)
            msg, hint = _pydantic_message(dict(err), loc)
            out.append(located_entry(msg, loc, _line_for(lines, loc), hint))
        return out
    except RecursionError:
        return []
    return []


def _more_expression_errors(
    case: CaseText, conflict: Conflict, lines: dict[tuple[Any, ...], int], first: CaseError
) -> list[dict[str, Any]]:
    """The misnamed options of every other expression, besides the first error compiling found."""
    from ..gmcr.checks import expression_problems

    seen = {tuple(first.loc or ())}
    out = []
    for p in expression_problems(conflict):
        if p.loc in seen:
            continue
        seen.add(p.loc)
        out.append(_entry(case_error(case.display, lines, p)))
    return out


def _summary(conflict: Conflict, states: int | None, status_quo: int | None) -> dict[str, Any]:
    return {
        "title": conflict.title,
        "decision_makers": len(conflict.decision_makers),
        "options": conflict.n_options,
        "states": states,
        "status_quo": status_quo,
        "perceptions": len(conflict.perceptions),
        "issues": len(conflict.issues),
        "actors": len(conflict.actors),
    }


def validate_case(case: CaseText, cache: CaseCache, max_states: int, base: Any = None) -> dict[str, Any]:
    """``{"ok", "errors", "warnings", "audit", "summary", "quotes"}`` for a case text.

    Structural errors are all reported (one per place), and so is every
    expression naming an unknown option; the other checks that need a valid
    structure (rankings, feasibility, perceptions, issues and actors) stop at
    their first error. Quotes are checked against the sources that carry
    their text (``text:``, or ``file:`` relative to ``base``, the case file's
    folder, when given); a quote not in its source is an error, located,
    naming the closest passage.
    """
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    out: dict[str, Any] = {
        "ok": False,
        "errors": errors,
        "warnings": warnings,
        "audit": None,
        "summary": None,
        "quotes": None,
    }
    try:
        conflict, lines = cache.parse(case)
    except ApiError as e:
        errors.append(_entry(e))
        return out
    except CaseError as e:
        errors.extend((_schema_errors(case) if case.fmt in ("yaml", "json") else []) or [_entry(e)])
        return out

    states = status_quo = None
    if not conflict.decision_makers and not (conflict.issues or conflict.actors):
        errors.append(
            located_entry(
                "the case has neither decision makers nor issues and actors",
                ("decision_makers",),
                lines.get(("decision_makers",)),
                "Give decision makers with options (graph model) and/or issues and actors (bargaining).",
            )
        )
    if conflict.decision_makers:
        try:
            space = cache.space(case, max_states)
            states = space.n_states
            status_quo = None if space.status_quo is None else space.status_quo + 1
            if conflict.perceptions or conflict.timeline:
                from dataclasses import replace

                from ..gmcr.hypergame import perceived_game

                pictures = [((), space)] + [
                    (("timeline", i), replace(space, conflict=conflict.in_phase(ph)))
                    for i, ph in enumerate(conflict.timeline)
                ]
                for where, sp in pictures:
                    try:
                        for name, per in sp.conflict.perceptions.items():
                            perceived_game(sp, name)
                            for other in per.about:
                                perceived_game(sp, name, other)
                    except ModelError as e:
                        e = ModelError(e.message, (*where, *e.loc), e.hint)
                        raise case_error(case.display, lines, e) from None
        except CaseError as e:
            errors.append(_entry(e))
            errors.extend(_more_expression_errors(case, conflict, lines, e))
        except ApiError as e:  # too large for the workbench: a warning, the case itself is fine
            warnings.append(_entry(e))
        except AnalysisRefused as e:
            warnings.append(_entry(too_large(e, max_states)))
    if conflict.issues or conflict.actors:
        from ..bargaining.data import bargaining_data

        try:
            bargaining_data(conflict)
        except ModelError as e:
            errors.append(_entry(case_error(case.display, lines, e)))
    if not errors:
        from ..scenarios.checks import check_for_sampling

        try:
            check_for_sampling(conflict, cache.space(case, max_states) if states is not None else None)
        except ModelError as e:
            errors.append(_entry(case_error(case.display, lines, e)))
    if case.fmt == "gmcr":
        from ..formats.gmcrplus import gmcr_warnings

        for w in gmcr_warnings(json.loads(case.text), case.display):
            warnings.append(located_entry(w))

    from ..case.provenance import provenance_report

    rep = provenance_report(conflict)
    warnings.extend(located_entry(p) for p in rep.problems)
    out["audit"] = {
        "cited": rep.cited,
        "estimates": rep.estimates,
        "missing": len(rep.missing),
        "missing_at": rep.missing[:100],
        "problems": rep.problems,
    }
    out["summary"] = _summary(conflict, states, status_quo)
    _check_quotes(case, conflict, lines, base, out)
    out["ok"] = not errors
    return out


def _check_quotes(
    case: CaseText, conflict: Conflict, lines: dict[tuple[Any, ...], int], base: Any, out: dict[str, Any]
) -> None:
    """Add ``quotes`` to the report; a mismatch (or an unreadable source file) is an error."""
    from ..case.quotes import check_quotes, source_texts

    try:
        texts = source_texts(conflict, base, case.display)
    except CaseError as e:
        out["errors"].append(_entry(e))
        return
    rep = check_quotes(conflict, texts)
    out["quotes"] = rep.to_dict()
    for m in rep.mismatched:
        loc = m.loc
        out["errors"].append(
            located_entry(
                f'the quote "{m.quote}" is not in source {m.source!r}; the closest passage is "{m.closest}"',
                (*loc, "quote"),
                lines.get((*loc, "quote")) or lines.get(loc),
                "Copy the words exactly from the source (whitespace, typographic quotes and dashes do "
                "not matter; leave words out with '...'), or mark it as an analyst estimate.",
            )
        )
