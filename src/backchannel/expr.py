"""A small logical language over option names, and Y/N/- patterns.

Expressions name options and combine them with ``not``, ``and``, ``or``,
``implies``, ``iff`` and parentheses; ``if A then B`` is ``A implies B``.
Symbols are accepted too: ``!``/``~``, ``&``/``&&``, ``|``/``||``,
``->``/``=>``, ``<->``/``<=>``.  Precedence, tightest first: not, and, or,
implies (right-associative), iff.

A *pattern* is a string of ``Y``, ``N`` and ``-`` with one character per
option, option 1 first: ``"Y-N"`` matches every state in which option 1 is
taken and option 3 is not.

States are integer codes: bit ``i`` is set when option ``i + 1`` is taken
(option 1 weighs 1), as in the GMCR literature.  Expressions evaluate on a
NumPy array of codes at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Expr",
    "ExprError",
    "Pattern",
    "is_pattern",
    "parse",
    "parse_pattern",
]


class ExprError(ValueError):
    """An expression or pattern that cannot be read.

    ``column`` is the 1-based position in the text where reading failed.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Expr:
    """A parsed expression: an operator and its operands, or an option."""

    op: str  # "var", "const", "not", "and", "or", "implies", "iff"
    args: tuple[Expr, ...] = ()
    index: int = -1  # option index for "var"
    name: str = ""  # option name for "var"
    value: bool = False  # for "const"

    def options(self) -> frozenset[int]:
        """Indices (0-based) of the options the expression mentions."""
        if self.op == "var":
            return frozenset({self.index})
        out: frozenset[int] = frozenset()
        for a in self.args:
            out |= a.options()
        return out

    def evaluate(self, codes: np.ndarray) -> np.ndarray:
        """Truth value in each state of ``codes`` (an unsigned integer array)."""
        codes = np.asarray(codes, dtype=np.uint64)
        if self.op == "var":
            return ((codes >> np.uint64(self.index)) & np.uint64(1)).astype(bool)
        if self.op == "const":
            return np.full(codes.shape, self.value, dtype=bool)
        vals = [a.evaluate(codes) for a in self.args]
        if self.op == "not":
            return ~vals[0]
        if self.op == "and":
            return vals[0] & vals[1]
        if self.op == "or":
            return vals[0] | vals[1]
        if self.op == "implies":
            return ~vals[0] | vals[1]
        if self.op == "iff":
            return vals[0] == vals[1]
        raise AssertionError(self.op)  # pragma: no cover

    def __str__(self) -> str:
        return self._fmt(0)

    def _fmt(self, outer: int) -> str:
        p = _PREC[self.op]
        if self.op == "var":
            s = self.name
        elif self.op == "const":
            s = "true" if self.value else "false"
        elif self.op == "not":
            s = "not " + self.args[0]._fmt(p)
        else:
            # implies is right-associative: the left operand needs brackets
            # at equal precedence, the right one does not.
            left = self.args[0]._fmt(p + 1 if self.op in ("implies", "iff") else p)
            right = self.args[1]._fmt(p)
            s = f"{left} {self.op} {right}"
        return f"({s})" if p < outer else s


_PREC = {"iff": 1, "implies": 2, "or": 3, "and": 4, "not": 5, "var": 6, "const": 6}


@dataclass(frozen=True)
class Pattern:
    """A Y/N/- pattern: states whose bits under ``care`` equal ``value``."""

    text: str
    care: int
    value: int

    def evaluate(self, codes: np.ndarray) -> np.ndarray:
        codes = np.asarray(codes, dtype=np.uint64)
        return (codes & np.uint64(self.care)) == np.uint64(self.value)

    def options(self) -> frozenset[int]:
        return frozenset(i for i in range(len(self.text)) if self.text[i] != "-")

    def __str__(self) -> str:
        return self.text


_PATTERN_RE = re.compile(r"^[YN\-]+$")


def is_pattern(text: str) -> bool:
    """Whether ``text`` looks like a Y/N/- pattern (not an expression)."""
    return bool(_PATTERN_RE.match(text.strip()))


def parse_pattern(text: str, n_options: int) -> Pattern:
    """Read a Y/N/- pattern of exactly ``n_options`` characters."""
    t = text.strip()
    if not _PATTERN_RE.match(t):
        bad = next((i for i, c in enumerate(t) if c not in "YN-"), 0)
        raise ExprError(f"pattern {text!r} may contain only Y, N and -", column=bad + 1)
    if len(t) != n_options:
        raise ExprError(
            f"pattern {text!r} has {len(t)} characters but the conflict has "
            f"{n_options} options: give one Y/N/- per option, option 1 first"
        )
    care = value = 0
    for i, c in enumerate(t):
        if c != "-":
            care |= 1 << i
            if c == "Y":
                value |= 1 << i
    return Pattern(t, care, value)


_TOKEN = re.compile(r"\s*(?:(<->|<=>|->|=>|&&|\|\||[()!~&|])|([A-Za-z_][A-Za-z0-9_]*))")
_WORD_OPS = {
    "not": "not",
    "and": "and",
    "or": "or",
    "implies": "implies",
    "iff": "iff",
    "if": "if",
    "then": "then",
    "true": "true",
    "false": "false",
}
_SYM_OPS = {
    "!": "not",
    "~": "not",
    "&": "and",
    "&&": "and",
    "|": "or",
    "||": "or",
    "->": "implies",
    "=>": "implies",
    "<->": "iff",
    "<=>": "iff",
    "(": "(",
    ")": ")",
}


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    """Tokens as (kind, text, column); kind is an operator name or 'name'."""
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            raise ExprError(f"unexpected character {text[col - 1]!r} in {text!r}", column=col)
        sym, word = m.group(1), m.group(2)
        col = m.start(1 if sym else 2) + 1
        if sym:
            out.append((_SYM_OPS[sym], sym, col))
        else:
            low = word.lower()
            out.append((_WORD_OPS.get(low, "name"), word, col))
        pos = m.end()
    out.append(("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str, names: Mapping[str, int]) -> None:
        self.text = text
        self.names = names
        self.toks = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def take(self, kind: str) -> tuple[str, str, int]:
        tok = self.peek()
        if tok[0] != kind:
            want = {"end": "the end", ")": "')'", "then": "'then'"}.get(kind, kind)
            got = "the end" if tok[0] == "end" else repr(tok[1])
            raise ExprError(f"expected {want} but found {got} in {self.text!r}", column=tok[2])
        self.i += 1
        return tok

    def parse(self) -> Expr:
        if self.peek()[0] == "end":
            raise ExprError("empty expression: name at least one option", column=1)
        e = self.iff()
        self.take("end")
        return e

    def iff(self) -> Expr:
        e = self.implies()
        while self.peek()[0] == "iff":
            self.i += 1
            e = Expr("iff", (e, self.implies()))
        return e

    def implies(self) -> Expr:
        e = self.disj()
        if self.peek()[0] == "implies":
            self.i += 1
            return Expr("implies", (e, self.implies()))
        return e

    def disj(self) -> Expr:
        e = self.conj()
        while self.peek()[0] == "or":
            self.i += 1
            e = Expr("or", (e, self.conj()))
        return e

    def conj(self) -> Expr:
        e = self.unary()
        while self.peek()[0] == "and":
            self.i += 1
            e = Expr("and", (e, self.unary()))
        return e

    def unary(self) -> Expr:
        kind, word, col = self.peek()
        if kind == "not":
            self.i += 1
            return Expr("not", (self.unary(),))
        if kind == "(":
            self.i += 1
            e = self.iff()
            self.take(")")
            return e
        if kind == "if":
            self.i += 1
            cond = self.iff()
            self.take("then")
            return Expr("implies", (cond, self.iff()))
        if kind in ("true", "false"):
            self.i += 1
            return Expr("const", value=kind == "true")
        if kind == "name":
            self.i += 1
            if word not in self.names:
                hint = _closest(word, self.names)
                extra = f"; did you mean {hint!r}?" if hint else ""
                raise ExprError(f"unknown option {word!r} in {self.text!r}{extra}", column=col)
            return Expr("var", index=self.names[word], name=word)
        got = "the end" if kind == "end" else repr(word)
        raise ExprError(
            f"expected an option name, 'not' or '(' but found {got} in {self.text!r}",
            column=col,
        )


def _closest(word: str, names: Mapping[str, int]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(names), n=1, cutoff=0.6)
    return found[0] if found else None


def parse(text: str, names: Mapping[str, int]) -> Expr:
    """Parse ``text`` with option ``names`` mapped to 0-based option indices.

    >>> e = parse("a and not (b or c)", {"a": 0, "b": 1, "c": 2})
    >>> str(e)
    'a and not (b or c)'
    >>> e.evaluate(np.array([0b001, 0b011], dtype=np.uint64)).tolist()
    [True, False]
    """
    if not isinstance(text, str):
        raise ExprError(f"an expression must be text, not {type(text).__name__}")
    return _Parser(text, names).parse()


def parse_condition(text: str, names: Mapping[str, int], n_options: int) -> Expr | Pattern:
    """An expression, or a Y/N/- pattern when the text is one."""
    if is_pattern(text) and text.strip() not in names:
        return parse_pattern(text, n_options)
    return parse(text, names)
