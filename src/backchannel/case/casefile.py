"""Read case files (YAML, JSON, GMCR+ ``.gmcr``) into a :class:`Conflict`.

Every problem becomes a :class:`~backchannel.errors.CaseError` naming the
file, the line where the YAML/JSON puts the element at fault, and what to do.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import CaseError, ModelError
from .model import Conflict
from .readers import foreign_reader
from .textguard import JsonLines, check_text, fix_surrogates, load_json_checked, read_bounded
from .textguard import yaml_duplicate_keys as _yaml_duplicate_keys

__all__ = ["bundled_cases", "case_error", "load_case", "parse_case_text", "resolve_case_path"]


# ---------------------------------------------------------------------------
# YAML without YAML 1.1's surprises: Y, N, yes, no, on, off stay strings


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _line_map(node: yaml.Node | None, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    if node is None:
        return
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else None
            out[(*path, key)] = k.start_mark.line + 1
            _line_map(v, (*path, key), {} if key is None else out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out[(*path, i)] = v.start_mark.line + 1
            _line_map(v, (*path, i), out)


#: Elements a YAML text may expand to through anchors and aliases.
MAX_YAML_NODES = 200_000


_LIBYAML: bool = getattr(yaml, "__with_libyaml__", False)


class _FastLoader(yaml.CSafeLoader if _LIBYAML else _Loader):  # type: ignore[misc]
    """The same rules, read by libyaml when it is there (about ten times faster)."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


class YamlTooLarge(CaseError):
    """YAML whose anchors and aliases expand to a huge document ("billion laughs")."""


def _expanded_size(root: yaml.Node, path: str) -> int:
    """Elements of a composed document with every alias expanded (memoised, so cheap)."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > 200:
            raise CaseError(path, "nested too deeply to read")
        total = 1
        if isinstance(node, yaml.MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(v, depth + 1) for v in node.value)
        sizes[key] = total
        return total

    return size(root, 0)


def _compose(text: str, path: str, loader_class: type[yaml.SafeLoader]) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        _yaml_duplicate_keys(root, path)
        if root is not None and "&" in text and _expanded_size(root, path) > MAX_YAML_NODES:
            raise YamlTooLarge(
                path,
                f"the YAML expands through aliases to more than {MAX_YAML_NODES:,} elements",
                hint="Write the case without so many anchors (&) and aliases (*).",
            )
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return root, data


def read_yaml(text: str, path: str = "<text>") -> tuple[Any, dict[tuple[Any, ...], int]]:
    """The data of YAML case text and its path → line map, read once.

    ``Y``, ``N``, ``yes``, ``no``, ``on`` and ``off`` stay strings. Refuses
    text whose aliases expand to more than :data:`MAX_YAML_NODES` elements
    (:class:`YamlTooLarge`), a key given twice in one mapping (both lines
    named) and lone surrogate escapes. Syntax errors are reported with their line by the
    pure-Python reader, whose messages are the clearer.
    """
    try:
        try:
            root, data = _compose(text, path, _FastLoader)
        except yaml.YAMLError:
            if not _LIBYAML:
                raise
            root, data = _compose(text, path, _Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise CaseError(
            path,
            f"not valid YAML: {e.problem or e}",
            line=line,
            hint="Fix the YAML syntax at that place (indentation, colons, quotes).",
        ) from None
    except yaml.YAMLError as e:
        raise CaseError(path, f"not valid YAML: {e}", hint="Fix the YAML syntax.") from None
    except (ValueError, IndexError, KeyError, TypeError) as e:
        # PyYAML raises plain exceptions for ill-formed explicit tags (!!int z)
        raise CaseError(
            path,
            f"not valid YAML: a value cannot be read ({type(e).__name__}: {e})",
            hint="Check explicit tags such as !!int or !!float, or remove them.",
        ) from None
    except RecursionError:
        raise CaseError(path, "nested too deeply to read") from None
    lines: dict[tuple[Any, ...], int] = {}
    with contextlib.suppress(RecursionError):
        _line_map(root, (), lines)
    data = fix_surrogates(data, text, path, lambda loc: _line_for(lines, loc))
    return data, lines


def _line_for(lines: dict[tuple[Any, ...], int], loc: Sequence[Any]) -> int | None:
    """The line of the deepest element of ``loc`` found in the file.

    Parts of ``loc`` that the file does not spell out (a shorthand such as a
    bare list of statements for ``preferences: {prioritization: …}``) are
    skipped.
    """
    if not lines:
        return None
    path: tuple[Any, ...] = ()
    for part in loc:
        if (*path, part) in lines:
            path = (*path, part)
    return lines.get(path)


# ---------------------------------------------------------------------------
# locating bundled cases and files


def _cases_dir() -> Any:
    return resources.files("backchannel") / "cases"


def bundled_cases() -> dict[str, Any]:
    """Bundled case names → resource paths (``ukraine-backchannel``, …)."""
    out = {}
    for entry in _cases_dir().iterdir():
        name = entry.name
        for suffix in FORMATS:
            if name.endswith(suffix):
                out[name[: -len(suffix)]] = entry
    return dict(sorted(out.items()))


def resolve_case_path(source: str | Path) -> tuple[str, Any]:
    """(display name, path-like) for a file path or a bundled case name."""
    p = Path(source)
    if p.exists():
        if p.is_dir():
            raise CaseError(
                str(source), "is a folder, not a case file", hint="Name a .yaml, .json or .gmcr file."
            )
        return str(source), p
    cases = bundled_cases()
    if str(source) in cases:
        return f"{source} (bundled case)", cases[str(source)]
    names = ", ".join(cases) or "none"
    raise CaseError(
        str(source),
        "no such file, and no bundled case of that name",
        hint=f"Check the path, or name a bundled case: {names} (`backchannel cases` lists them).",
    )


# ---------------------------------------------------------------------------
# parsing and validation


def _clean_loc(data: Any, loc: Sequence[Any]) -> tuple[Any, ...]:
    """Keep the parts of a pydantic error location that index into the data."""
    out: list[Any] = []
    cur = data
    for part in loc:
        in_dict = isinstance(cur, dict) and part in cur
        in_list = isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        if in_dict or in_list:
            out.append(part)
            cur = cur[part]
        elif (
            isinstance(cur, dict)
            and isinstance(part, str)
            and part.isidentifier()
            and part
            not in (
                "str",
                "int",
                "list",
                "dict",
            )
            and not part.startswith(("function-", "list[", "union["))
        ):
            out.append(part)  # a missing field: name it
            break
        # else: a union member tag such as 'function-before[...]' or 'int': skip
    return tuple(out)


def _pydantic_message(err: dict[str, Any], loc: tuple[Any, ...]) -> tuple[str, str]:
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    msg = re.sub(r"^(Value|Assertion) error, ", "", msg)
    if kind == "missing":
        field = loc[-1] if loc else "field"
        return f"the required field '{field}' is missing", f"Add '{field}'."
    if kind == "extra_forbidden":
        field = err["loc"][-1]
        return f"unknown field '{field}'", "Check its spelling (`backchannel schema` lists the fields)."
    if kind.endswith("_type") or kind in ("literal_error", "enum"):
        return msg[0].lower() + msg[1:], "See `backchannel schema` for the expected form."
    return msg, ""


def case_error(path: str, lines: dict[tuple[Any, ...], int], err: ModelError) -> CaseError:
    """A :class:`ModelError` located in a file."""
    return CaseError(path, err.message, line=_line_for(lines, err.loc), loc=err.loc, hint=err.hint)


def _load_json(text: str, path: str, fmt: str) -> Any:
    hint = "A .gmcr file is JSON as GMCR+ writes it." if fmt == "gmcr" else "Fix the JSON syntax there."
    return load_json_checked(text, path, hint)


def parse_case_text(
    text: str, path: str = "<text>", fmt: str | None = None
) -> tuple[Conflict, dict[tuple[Any, ...], int]]:
    """Parse and validate case text; returns the conflict and a path → line map."""
    fmt = fmt or ("json" if path.endswith(".json") else "yaml")
    data: Any
    check_text(text, path)
    if fmt in ("gmcr", "ktab"):
        return foreign_reader(fmt)(text, path), {}
    if fmt == "json":
        data = _load_json(text, path, fmt)
    else:
        data, lines = read_yaml(text, path)
    if data is None:
        raise CaseError(
            path,
            "the file is empty",
            hint="Write a case: `backchannel schema` describes the format; bundled cases are examples.",
        )
    if not isinstance(data, dict):
        raise CaseError(
            path,
            f"the top level is a {type(data).__name__}, not a mapping",
            line=1,
            hint="A case file is a mapping with at least 'decision_makers'.",
        )
    if fmt != "yaml":
        lines = JsonLines(text)
    from pydantic import ValidationError

    try:
        conflict = Conflict.model_validate(data)
    except ValidationError as e:
        errs = e.errors()
        first = errs[0]
        loc = _clean_loc(data, first["loc"])
        msg, hint = _pydantic_message(dict(first), loc)
        more = (
            f" ({len(errs) - 1} more problem{'s' if len(errs) > 2 else ''} after this one)"
            if len(errs) > 1
            else ""
        )
        raise CaseError(path, msg + more, line=_line_for(lines, loc), loc=loc, hint=hint) from None
    except RecursionError:
        raise CaseError(path, "nested too deeply to read") from None
    return conflict, lines


#: The format of a case file by its suffix (``ktab``: a KTAB SMP CSV file).
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".gmcr": "gmcr", ".csv": "ktab"}


def format_of(name: str) -> str | None:
    """The case format a file name's suffix says, or None."""
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    return FORMATS.get(suffix)


def read_case_text(source: str | Path) -> tuple[str, str, str]:
    """The text of a case (path or bundled name), its display name and its format."""
    name, path = resolve_case_path(source)
    if isinstance(path, Path):
        raw = read_bounded(path, name)
    else:  # a bundled case, inside the package
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise CaseError(
                name, f"cannot be read: {e.strerror or e}", hint="Check the file's permissions."
            ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CaseError(
            name, f"is not UTF-8 text (byte {e.start})", hint="Save the case file as UTF-8 text."
        ) from None
    return text, name, format_of(str(path)) or "yaml"


def read_case(source: str | Path) -> tuple[Conflict, str, dict[tuple[Any, ...], int]]:
    """Load a case (path or bundled name): the conflict, its display name, its line map."""
    text, name, fmt = read_case_text(source)
    conflict, lines = parse_case_text(text, name, fmt)
    return conflict, name, lines


def load_case(source: str | Path) -> Conflict:
    """Load and validate a case file or bundled case; raises :class:`CaseError`.

    >>> load_case("prisoners-dilemma").title
    "Prisoner's dilemma"
    """
    return read_case(source)[0]
