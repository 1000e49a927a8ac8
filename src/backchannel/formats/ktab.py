"""KTAB spatial-model (SMP) CSV files: read into a case, write from one.

The format (KTAB's ``smp`` examples, e.g. ``dummyData_3Dim.csv``)::

    <scenario name>,<description>,<number of actors>,<number of dimensions>,
    Actor,Description,Power,Pstn1,Sal1,Pstn2,Sal2,...,
    <name>,<description>,<power>,<position 1>,<salience 1>,...,

Positions are on a 0–100 scale; saliences are percentages (0–100) and become
0–1 in a Backchannel case (and back on export); power is the capability.
Trailing commas and spaces around values are accepted, as KTAB writes them.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from ..case.model import Conflict
from ..errors import CaseError

__all__ = ["conflict_from_ktab", "conflict_to_ktab"]


def _slug(text: str, prefix: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]+", "_", text.strip()).strip("_") or prefix
    if not re.match(r"[A-Za-z_]", base):
        base = f"{prefix}_{base}"
    if re.fullmatch(r"[YN]+", base) or base.lower() in {
        "not", "and", "or", "implies", "iff", "if", "then", "true", "false",
    }:  # fmt: skip
        base = f"{prefix}_{base}"
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _number(cell: str, path: str, line: int, what: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise CaseError(
            path, f"{what} is {cell!r}, not a number", line=line, hint="Write a plain number, e.g. 42.5."
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise CaseError(path, f"{what} is {cell!r}", line=line, hint="Write a finite number.")
    return value


def conflict_from_ktab(text: str, path: str) -> Conflict:
    """Read a KTAB SMP CSV file; errors name the file and the row."""
    rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    rows = [row[:-1] if row and row[-1] == "" else row for row in rows]
    numbered = [(i + 1, row) for i, row in enumerate(rows) if any(row)]
    if not numbered:
        raise CaseError(
            path,
            "the file is empty",
            hint="A KTAB SMP file starts with: scenario name, description, number of actors, "
            "number of dimensions.",
        )
    l1, first = numbered[0]
    if len(first) < 4:
        raise CaseError(
            path,
            f"the first line has {len(first)} fields; it needs 4: scenario name, description, "
            "number of actors, number of dimensions",
            line=l1,
        )
    try:
        n_actors, n_dims = int(float(first[2])), int(float(first[3]))
    except ValueError:
        raise CaseError(
            path,
            f"the numbers of actors and dimensions are {first[2]!r} and {first[3]!r}",
            line=l1,
            hint="Write them as whole numbers.",
        ) from None
    if n_actors < 1 or n_dims < 1:
        raise CaseError(path, "at least one actor and one dimension are needed", line=l1)
    if len(numbered) < 2:
        raise CaseError(
            path,
            "the header line is missing",
            line=l1 + 1,
            hint="Line 2 names the columns: Actor, Description, Power, Pstn1, Sal1, …",
        )
    l2, header = numbered[1]
    width = 3 + 2 * n_dims
    if len(header) < width:
        raise CaseError(
            path,
            f"the header has {len(header)} columns; {n_dims} dimensions need {width} "
            "(Actor, Description, Power, then a position and a salience per dimension)",
            line=l2,
        )
    body = numbered[2:]
    if len(body) != n_actors:
        raise CaseError(
            path,
            f"the first line announces {n_actors} actors but {len(body)} rows follow",
            line=l1,
            hint="Correct the number of actors, or add or remove rows.",
        )
    taken_issue: set[str] = set()
    issues: dict[str, Any] = {}
    issue_names = []
    for d in range(n_dims):
        head = header[3 + 2 * d]
        label = head if head and not re.fullmatch(r"(?i)pstn\s*\d*", head) else f"Dimension {d + 1}"
        name = _slug(label if label != f"Dimension {d + 1}" else f"dim_{d + 1}", "dim", taken_issue)
        issue_names.append(name)
        issues[name] = {"label": label}
    taken_actor: set[str] = set()
    actors: list[dict[str, Any]] = []
    label_line: dict[str, int] = {}
    lines: list[int] = []
    for line, row in body:
        if len(row) < width:
            raise CaseError(
                path,
                f"the row has {len(row)} fields; it needs {width}: name, description, power and a "
                f"position and a salience for each of the {n_dims} dimensions",
                line=line,
            )
        label = row[0] or f"Actor {len(actors) + 1}"
        if label in label_line:
            raise CaseError(
                path,
                f"two actors are named {label!r}, on lines {label_line[label]} and {line}",
                line=line,
                hint="Each row is one actor: merge the two rows, or give them different names.",
            )
        label_line[label] = line
        lines.append(line)
        power = _number(row[2], path, line, f"the power of {label!r}")
        if power < 0:
            raise CaseError(path, f"the power of {label!r} is negative", line=line, hint="Use a number ≥ 0.")
        positions: dict[str, float] = {}
        salience: dict[str, float] = {}
        for d, issue in enumerate(issue_names):
            pos = _number(row[3 + 2 * d], path, line, f"position {d + 1} of {label!r}")
            sal = _number(row[4 + 2 * d], path, line, f"salience {d + 1} of {label!r}")
            if not 0 <= pos <= 100:
                raise CaseError(path, f"position {d + 1} of {label!r} is {pos:g}, outside 0–100", line=line)
            if sal < 0:
                raise CaseError(path, f"salience {d + 1} of {label!r} is negative", line=line)
            positions[issue] = pos
            salience[issue] = sal / 100.0
        actors.append(
            {
                "name": _slug(label, "actor", taken_actor),
                "label": label,
                "description": row[1] or None,
                "capability": power,
                "positions": positions,
                "salience": salience,
            }
        )
    data = {
        "title": first[0] or "KTAB scenario",
        "description": (first[1] or "") + f"\n\nImported from the KTAB SMP file {path}.",
        "issues": issues,
        "actors": actors,
    }
    from pydantic import ValidationError

    try:
        return Conflict.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = err["loc"]
        at = lines[loc[1]] if len(loc) > 1 and loc[0] == "actors" and isinstance(loc[1], int) else None
        msg = re.sub(r"^Value error, ", "", str(err["msg"]))
        raise CaseError(path, f"the data do not make a valid case: {msg}", line=at) from None


def conflict_to_ktab(conflict: Conflict) -> str:
    """Write the issues and actors of a case as a KTAB SMP CSV file.

    Positions are rescaled to 0–100 from each issue's scale; saliences become
    percentages.  An actor without a position on an issue gets the issue's
    reference point (or the middle) with salience 0.
    """
    from ..bargaining.data import bargaining_data

    data = bargaining_data(conflict)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([conflict.title, (conflict.description or "").split("\n")[0], data.n_actors, data.n_issues])
    head = ["Actor", "Description", "Power"]
    for i in range(data.n_issues):
        head += [f"Pstn{i + 1}", f"Sal{i + 1}"]
    w.writerow(head)
    for a, actor in enumerate(conflict.actors):
        row: list[Any] = [actor.text, actor.description or "", f"{data.capability[a]:g}"]
        for i in range(data.n_issues):
            lo, hi = data.scales[i]
            pos = (data.position[a, i] - lo) / (hi - lo) * 100.0
            row += [f"{pos:.6g}", f"{data.salience[a, i] * 100.0:.6g}"]
        w.writerow(row)
    return out.getvalue()
